"""Holds of paid bookings (scheduler_events, every minute): a booking still awaiting its
payment when its hold ends is settled once — confirmed when the gateway has the money,
else cancelled by the system, which frees its time and tells the guest
(``scheduler_payment.settle_hold``). Several runs at once (a worker and the scheduler, a
slow tick) settle each booking once: its payment's and its own row lock decide."""

from __future__ import annotations

from datetime import datetime

import frappe

from scheduler_integration.core.clock import since_ever, utc_now
from scheduler_integration.engine.statuses import AWAITING_PAYMENT
from scheduler_integration.jobs.bookings import BATCH, each_booking
from scheduler_integration.scheduler_integration.doctype.scheduler_payment.scheduler_payment import (
	settle_hold,
)


def expire_holds(now: datetime | None = None) -> int:
	"""Settle every hold that has ended; returns how many were released or paid."""
	now = now or utc_now()
	names = frappe.get_all(
		"Scheduler Booking",
		filters={"status": AWAITING_PAYMENT, "hold_until": ("between", since_ever(now, inclusive=True))},
		pluck="name",
		order_by="hold_until asc",
		limit=BATCH,
	)
	return each_booking(
		names,
		lambda name: settle_hold(name, now) != "nothing",
		"Scheduler: settling the payment hold of {0} failed",
	)
