"""Booking housekeeping (scheduler_events): the system's own status changes, made through
the same checked path as every other change (``Actor.SYSTEM``)."""

from __future__ import annotations

from datetime import datetime

import frappe
from frappe import _

from scheduler_integration.core.clock import since_ever, to_utc, utc_now
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.booking_rules import meeting_over, pending_expired, pending_expiry_cutoffs
from scheduler_integration.engine.booking_states import Actor, Status

BATCH = 500


def each_booking(names, step, failed: str) -> int:
	"""``step(name)`` for each booking, each in its own transaction; returns how many steps
	answered true. A step that fails is rolled back and logged (``failed``: the title, ``{0}``
	the booking) and the rest go on."""
	done = 0
	for name in names:
		try:
			if step(name):
				done += 1
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(
				title=failed.format(name),
				reference_doctype="Scheduler Booking",
				reference_name=name,
			)
	return done


def _each(names, change) -> int:
	def step(name):
		doc = frappe.get_doc("Scheduler Booking", name)
		doc.flags.ignore_permissions = True
		return change(doc)

	return each_booking(names, step, "Scheduler: housekeeping of {0} failed")


def expire_pending_bookings(now: datetime | None = None) -> int:
	"""Hourly: pending bookings nobody confirmed in time are cancelled; the guest is told."""
	now = now or utc_now()
	hours = int(setting("pending_expiry_hours") or 48)
	created_before, starting_before = pending_expiry_cutoffs(now, hours)
	names = set(
		frappe.get_all(
			"Scheduler Booking",
			filters={"status": Status.PENDING.value, "creation": ("between", since_ever(created_before))},
			pluck="name",
			limit=BATCH,
		)
	) | set(
		frappe.get_all(
			"Scheduler Booking",
			filters={"status": Status.PENDING.value, "start": ("between", since_ever(starting_before))},
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
		filters={"status": Status.CONFIRMED.value, "end": ("between", since_ever(now, inclusive=True))},
		pluck="name",
		limit=BATCH,
	)

	def complete(doc) -> bool:
		if doc.status != Status.CONFIRMED or not meeting_over(to_utc(doc.end), now):
			return False
		doc.mark_completed(actor=Actor.SYSTEM, now=now)
		return True

	return _each(names, complete)
