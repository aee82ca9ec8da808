"""The booking statuses: one definition for the whole app.

A booking is *active* (it occupies its hosts' time) while Pending, Confirmed or Awaiting
Payment (a guest's booking of a paid type, held while the guest pays: ``payments``);
Completed and No Show describe a meeting that happened. Who may move a booking between
them, and when, is ``booking_states``.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal


class Status(str, Enum):
	PENDING = "Pending"
	CONFIRMED = "Confirmed"
	CANCELLED = "Cancelled"
	COMPLETED = "Completed"
	NO_SHOW = "No Show"
	AWAITING_PAYMENT = "Awaiting Payment"

	def __str__(self) -> str:
		return self.value


STATUSES = tuple(s.value for s in Status)
# a booking's status as an answer declares it (``core.answers``): the same values as
# ``Status``, in its order (tests/test_answer_literals.py)
BookingStatus = Literal["Pending", "Confirmed", "Cancelled", "Completed", "No Show", "Awaiting Payment"]
AWAITING_PAYMENT = Status.AWAITING_PAYMENT.value
ACTIVE = (Status.PENDING.value, Status.CONFIRMED.value, AWAITING_PAYMENT)
FINISHED = (Status.COMPLETED.value, Status.NO_SHOW.value)
