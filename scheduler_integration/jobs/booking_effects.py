"""Side effects of a booking event, run by an RQ worker after the booking committed.

Each effect is isolated: one failing (a mail server, a CRM quirk) is logged to the Error
Log with the booking name and never undoes the booking or stops the other effects.
"""

from __future__ import annotations

import frappe

from scheduler_integration.services import crm, notifications

EFFECTS = {
	"booked": ("crm_booked", "email"),
	"pending": ("crm_booked", "email"),
	"confirmed": ("email",),
	"declined": ("crm_cancelled", "email"),
	"cancelled": ("crm_cancelled", "email"),
	"rescheduled": ("crm_rescheduled", "email"),
	"completed": ("crm_completed",),
	"no_show": ("crm_completed",),
}


def run(booking: str, lifecycle_event: str) -> dict:
	event = lifecycle_event
	if not frappe.db.exists("Scheduler Booking", booking):
		return {}  # deleted since the job was queued: nothing to do
	doc = frappe.get_doc("Scheduler Booking", booking)
	results = {}
	# CRM first, then the app hooks (calendar write can add a Meet link, reminders, tracking),
	# then the emails, so they carry what the other effects stored.
	for effect in [e for e in EFFECTS.get(event, ()) if e != "email"]:
		_isolated(results, effect, booking, event, lambda effect=effect: _builtin(effect, doc))
	for path in frappe.get_hooks("scheduler_booking_effects"):
		_isolated(results, path, booking, event, lambda path=path: frappe.get_attr(path)(doc, event))
	if "email" in EFFECTS.get(event, ()):
		doc.reload()
		_isolated(results, "email", booking, event, lambda: notifications.send(doc, event))
	return results


def _builtin(effect: str, doc):
	return {
		"crm_booked": crm.on_booked,
		"crm_rescheduled": crm.on_rescheduled,
		"crm_cancelled": crm.on_cancelled,
		"crm_completed": crm.on_completed,
	}[effect](doc)


def _isolated(results: dict, name: str, booking: str, event: str, call) -> None:
	try:
		outcome = call()
		frappe.db.commit()
		results[name] = outcome if outcome is not None else "ok"
	except Exception:
		frappe.db.rollback()
		frappe.log_error(
			title=f"Scheduler: {name} failed for {booking} ({event})",
			reference_doctype="Scheduler Booking",
			reference_name=booking,
		)
		results[name] = "failed"
