"""Booking housekeeping (scheduler_events): the system's own status changes, made through
the same checked path as every other change (``Actor.SYSTEM``)."""

from __future__ import annotations

from datetime import datetime

import frappe
from frappe import _

from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.booking_rules import meeting_over, pending_expired, pending_expiry_cutoffs
from scheduler_integration.engine.booking_states import Actor, Status

BATCH = 500


def _each(names, change) -> int:
	done = 0
	for name in names:
		doc = frappe.get_doc("Scheduler Booking", name)
		doc.flags.ignore_permissions = True
		try:
			if change(doc):
				done += 1
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(
				title=f"Scheduler: housekeeping of {name} failed",
				reference_doctype="Scheduler Booking",
				reference_name=name,
			)
	return done


def expire_pending_bookings(now: datetime | None = None) -> int:
	"""Hourly: pending bookings nobody confirmed in time are cancelled; the guest is told."""
	now = now or utc_now()
	hours = int(setting("pending_expiry_hours") or 48)
	created_before, starting_before = pending_expiry_cutoffs(now, hours)
	names = set(
		frappe.get_all(
			"Scheduler Booking",
			filters={"status": Status.PENDING.value, "creation": ("<", to_system(created_before))},
			pluck="name",
			limit=BATCH,
		)
	) | set(
		frappe.get_all(
			"Scheduler Booking",
			filters={"status": Status.PENDING.value, "start": ("<", to_system(starting_before))},
			pluck="name",
			limit=BATCH,
		)
	)

	def expire(doc) -> bool:
		if doc.status != Status.PENDING or not pending_expired(
			to_utc(doc.creation), to_utc(doc.start), now, hours
		):
			return False
		doc.cancel(_("Not confirmed in time"), actor=Actor.SYSTEM, now=now)
		return True

	return _each(sorted(names), expire)


def complete_past_bookings(now: datetime | None = None) -> int:
	"""Every 15 minutes: confirmed bookings whose end has passed become Completed."""
	now = now or utc_now()
	names = frappe.get_all(
		"Scheduler Booking",
		filters={"status": Status.CONFIRMED.value, "end": ("<=", to_system(now))},
		pluck="name",
		limit=BATCH,
	)

	def complete(doc) -> bool:
		if doc.status != Status.CONFIRMED or not meeting_over(to_utc(doc.end), now):
			return False
		doc.mark_completed(actor=Actor.SYSTEM, now=now)
		return True

	return _each(names, complete)
