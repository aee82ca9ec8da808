"""Booking lifecycle events, derived from status and time changes of Scheduler Booking.

booked / pending (insert), confirmed, declined, cancelled, rescheduled, completed,
no_show. Because they are plain document changes, core Webhook and Notification documents
can hook them too. Here each event enqueues its side effects to run after the commit.
"""

from __future__ import annotations

import frappe


def event_of(doc, before) -> str | None:
	if before is None:
		return "pending" if doc.status == "Pending" else "booked"
	if doc.status != before.status:
		if before.status == "Pending" and doc.status == "Confirmed":
			return "confirmed"
		if before.status == "Pending" and doc.status == "Cancelled" and not doc.flags.cancelled_by_guest:
			return "declined"
		return {"Cancelled": "cancelled", "Completed": "completed", "No Show": "no_show"}.get(doc.status)
	if str(doc.start) != str(before.start) and doc.status in ("Pending", "Confirmed"):
		return "rescheduled"
	return None


def dispatch(doc, event: str | None) -> None:
	if not event:
		return
	frappe.enqueue(
		"scheduler_integration.jobs.booking_effects.run",
		queue="short",
		booking=doc.name,
		lifecycle_event=event,  # not `event`: frappe.enqueue reserves that name
		enqueue_after_commit=True,
		now=bool(frappe.flags.scheduler_sync_effects),
	)
