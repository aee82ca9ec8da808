"""The automation log: one Scheduler Automation Log row for each thing a booking automation
did or did not do — an email or SMS handed over, a follow-up skipped (and why), a failed
attempt (with the error), a task made for a host.

A success is written in the same transaction as what it records (the queued email, the
task), so the log says "sent" exactly when it was. A failure is written after the
rollback of the failed attempt and committed on its own, so it survives the rollback.
"""

from __future__ import annotations

import frappe

from scheduler_integration.engine.booking_states import EVENTS

ROW = "Scheduler Automation Log"


def record(
	booking,
	automation: str,
	action: str,
	result: str = "Success",
	*,
	channel: str = "Email",
	recipient: str | None = None,
	host: str | None = None,
	reference: tuple[str, str] | None = None,
	error: str | None = None,
) -> None:
	"""Log one automation step of ``booking`` (a document or a name)."""
	name = getattr(booking, "name", booking)
	frappe.get_doc(
		{
			"doctype": ROW,
			"booking": name if name and frappe.db.exists("Scheduler Booking", name) else None,
			"lifecycle_event": automation if automation in EVENTS else None,
			"automation": automation,
			"action": str(action)[:240],
			"result": result,
			"channel": channel,
			"recipient": (recipient or "")[:140] or None,
			"host": host or getattr(booking, "host", None),
			"reference_doctype": reference[0] if reference else None,
			"reference_name": reference[1] if reference else None,
			"error": (error or "")[:1000] or None,
		}
	).insert(ignore_permissions=True)


def record_failure(booking, automation: str, action: str, error: str, **values) -> None:
	"""Log a failed attempt after its rollback, committed so that it stays. Logging never
	gets in the way of the retry bookkeeping that follows."""
	try:
		record(booking, automation, action, "Failed", error=error, **values)
		frappe.db.commit()
	except Exception:
		frappe.db.rollback()
