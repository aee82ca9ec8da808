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
	for effect in EFFECTS.get(event, ()):
		try:
			if effect == "email":
				results[effect] = notifications.send(doc, event)
			elif effect == "crm_booked":
				crm.on_booked(doc)
			elif effect == "crm_rescheduled":
				crm.on_rescheduled(doc)
			elif effect == "crm_cancelled":
				crm.on_cancelled(doc)
			elif effect == "crm_completed":
				crm.on_completed(doc)
			frappe.db.commit()
			results.setdefault(effect, "ok")
		except Exception:
			frappe.db.rollback()
			frappe.log_error(
				title=f"Scheduler: {effect} failed for {booking} ({event})",
				reference_doctype="Scheduler Booking",
				reference_name=booking,
			)
			results[effect] = "failed"
	for path in frappe.get_hooks("scheduler_booking_effects"):
		try:
			frappe.get_attr(path)(doc, event)
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(
				title=f"Scheduler: {path} failed for {booking} ({event})",
				reference_doctype="Scheduler Booking",
				reference_name=booking,
			)
	return results
