"""Payment statuses: one definition for the whole app.

Two fields hold them, each a Select of its DocType:

- a Scheduler Payment's ``status`` (``PaymentStatus``): its checkout's life — Not Started,
  Open (the guest's checkout is open at the provider), Expired (closed unpaid: a payment
  on it from then on comes too late and is refunded) — then what was paid and given back;
- a booking's ``payment_status`` (``BookingPayment``): blank for a free booking, Unpaid
  while it waits for its payment, then what was paid and given back
  (``payments.payment_state``).

Money was taken once a payment is Paid, Partly Refunded or Refunded (``PAID``).
"""

from __future__ import annotations

from enum import Enum
from typing import Literal


class PaymentStatus(str, Enum):
	NOT_STARTED = "Not Started"
	OPEN = "Open"
	PAID = "Paid"
	EXPIRED = "Expired"
	PARTLY_REFUNDED = "Partly Refunded"
	REFUNDED = "Refunded"

	def __str__(self) -> str:
		return self.value


class BookingPayment(str, Enum):
	UNPAID = "Unpaid"
	PAID = "Paid"
	PARTLY_REFUNDED = "Partly Refunded"
	REFUNDED = "Refunded"

	def __str__(self) -> str:
		return self.value


PAYMENT_STATUSES = tuple(s.value for s in PaymentStatus)
BOOKING_PAYMENT_STATUSES = tuple(s.value for s in BookingPayment)
# a booking's payment status as an answer declares it: the same values as ``BookingPayment``
# (tests/test_answer_literals.py)
BookingPaymentStatus = Literal["Unpaid", "Paid", "Partly Refunded", "Refunded"]
# a payment that took money (refunded or not)
PAID = (PaymentStatus.PAID.value, PaymentStatus.PARTLY_REFUNDED.value, PaymentStatus.REFUNDED.value)
# a payment whose checkout may still take money
UNSETTLED = (PaymentStatus.NOT_STARTED.value, PaymentStatus.OPEN.value)
