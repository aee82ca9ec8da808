"""Paid bookings: amounts in a currency's smallest unit, how long a booking waits for its
payment, when the provider's checkout closes, what a cancellation gives back, and what a
payment that comes late does.

- **Amounts** travel to the provider in the currency's minor unit (``to_minor``): cents for
  most, the unit itself for zero-decimal currencies (JPY, KRW, …), thousandths for the
  three-decimal ones (BHD, JOD, KWD, OMR, TND; the last digit 0). ISK and UGX are
  zero-decimal but sent ×100, a whole number of units (Stripe's compatibility rule).
- **The hold.** A guest's booking of a type that requires payment holds its time as
  *Awaiting Payment* (``statuses.AWAITING_PAYMENT``: it occupies the hosts like a pending
  booking) from when it is made for the type's hold minutes (``HOLD_DEFAULT``), and never
  past the meeting's start (``hold_end``). Once the hold has ended (``hold_over``) the
  system cancels the booking, which frees the time exactly once, and the guest is told.
- **The checkout** the guest pays on must close no earlier than the hold (the provider may
  not take money for a time it no longer holds, so the hold-expiry job closes it at the
  provider when the hold ends), within what Stripe accepts: 30 minutes to 24 hours after
  it was opened (``checkout_expires``).
- **Refunds on cancel** (``refund_amount``): a cancellation by a host or by the system
  (a pending request nobody confirmed, a declined one) gives back everything paid and not
  yet refunded. A guest's cancellation follows the type's policy: *Full Refund*, *No
  Refund*, or *By Notice* — everything when cancelled at least ``full_hours`` before the
  start, ``partial_percent`` % when at least ``partial_hours`` before, else nothing. A
  part is rounded down to the minor unit; never more than what is left.
- **A payment that comes late** (``late_payment``): a payment for a booking still awaiting
  it confirms the booking; for one that no longer waits (its hold expired, someone
  cancelled it) it is refunded in full: its time may already belong to someone else, and
  the guest was told the hold was released. The same payment reported again changes
  nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.i18n import _
from scheduler_integration.engine.statuses import AWAITING_PAYMENT

from .payment_statuses import BookingPayment

__all__ = [
	"CHECKOUT_MAX",
	"CHECKOUT_MIN",
	"HOLD_DEFAULT",
	"HOLD_MAX",
	"HOLD_MIN",
	"REFUND_DEFAULT",
	"REFUND_POLICIES",
	"STRIPE_MAX",
	"STRIPE_MIN",
	"RefundPolicy",
	"checkout_expires",
	"from_minor",
	"hold_end",
	"hold_over",
	"late_payment",
	"minor_factor",
	"payment_state",
	"refund_amount",
	"to_minor",
]

# https://docs.stripe.com/currencies
ZERO_DECIMAL = frozenset(
	"BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF".split()
)  # amount = whole units
WHOLE_UNITS_AS_CENTS = frozenset({"ISK", "UGX"})  # zero-decimal, sent ×100 (divisible by 100)
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})  # ×1000, the last digit 0

HOLD_DEFAULT = 15  # minutes
HOLD_MIN = 5
HOLD_MAX = 12 * 60  # a checkout stays open at most 24 hours after it was opened
CHECKOUT_MIN = timedelta(minutes=31)  # Stripe: expires_at at least 30 minutes ahead
STRIPE_MIN = timedelta(minutes=30)  # Stripe's own bounds (a retry may repeat an earlier expiry
STRIPE_MAX = timedelta(hours=24)  # while it is within them)
CHECKOUT_MAX = timedelta(hours=23, minutes=59)  # … and at most 24 hours ahead

FULL, BY_NOTICE, NONE = "Full Refund", "By Notice", "No Refund"
REFUND_POLICIES = (FULL, BY_NOTICE, NONE)
REFUND_DEFAULT = FULL  # a type without a policy (older types; the DocType field's default)


def _code(currency: str) -> str:
	code = str(currency or "").strip().upper()
	if len(code) != 3 or not code.isalpha():
		raise InvalidField(_("{0} is not a currency code"), "currency", currency)
	return code


def minor_factor(currency: str) -> int:
	"""How many minor units a unit of ``currency`` has, as the provider counts them."""
	code = _code(currency)
	if code in ZERO_DECIMAL:
		return 1
	if code in THREE_DECIMAL:
		return 1000
	return 100


def _decimal(amount) -> Decimal:
	try:
		value = Decimal(str(amount))
	except (InvalidOperation, ValueError):
		raise InvalidField(_("{0} is not an amount"), "amount", amount) from None
	if not value.is_finite():
		raise InvalidField(_("{0} is not an amount"), "amount", amount)
	return value


def to_minor(amount, currency: str) -> int:
	"""``amount`` (units, e.g. 12.5 EUR) in the minor units the provider takes (1250)."""
	code, value = _code(currency), _decimal(amount)
	if code in WHOLE_UNITS_AS_CENTS:
		return int(value.quantize(Decimal(1), ROUND_HALF_UP)) * 100
	if code in THREE_DECIMAL:
		return int((value * 100).quantize(Decimal(1), ROUND_HALF_UP)) * 10
	return int((value * minor_factor(code)).quantize(Decimal(1), ROUND_HALF_UP))


def from_minor(minor: int, currency: str) -> Decimal:
	"""Minor units back to units (1250 EUR cents → 12.50)."""
	factor = minor_factor(currency)
	places = Decimal(1).scaleb(-len(str(factor)) + 1) if factor > 1 else Decimal(1)
	return (Decimal(int(minor)) / factor).quantize(places)


def hold_end(created: datetime, start: datetime, minutes: int | None) -> datetime:
	"""When a booking made at ``created`` for ``start`` stops waiting for its payment."""
	held = min(max(int(minutes or HOLD_DEFAULT), HOLD_MIN), HOLD_MAX)
	return min(created + timedelta(minutes=held), start)


def hold_over(end: datetime, now: datetime) -> bool:
	return now >= end


def checkout_expires(created: datetime, hold_ends: datetime, tried: datetime | None = None) -> datetime:
	"""When the provider's checkout opened at ``created`` closes by itself: at the hold's
	end, but within the 30 minutes to 24 hours Stripe allows (the hold-expiry job closes a
	checkout that would outlive its hold), in whole seconds as Stripe takes it.

	``tried`` is what an earlier attempt of the same payment sent. It is sent again while
	Stripe still takes it: a retry must repeat its parameters, or Stripe refuses the
	idempotency key instead of answering the session the first attempt may have opened."""
	if tried is not None and created + STRIPE_MIN <= tried <= created + STRIPE_MAX:
		return tried
	closes = min(max(hold_ends, created + CHECKOUT_MIN), created + CHECKOUT_MAX)
	return closes + timedelta(microseconds=-closes.microsecond % 1_000_000)  # up to whole seconds


@dataclass(frozen=True)
class RefundPolicy:
	kind: str = REFUND_DEFAULT
	full_hours: int = 0  # By Notice: everything when cancelled at least this long before
	partial_hours: int = 0  # … partial_percent when at least this long before
	partial_percent: int = 0

	@classmethod
	def of(cls, meeting_type) -> RefundPolicy:
		"""The policy a meeting type (its document, or a mapping of its fields) states."""
		return cls(
			meeting_type.get("refund_policy") or REFUND_DEFAULT,
			int(meeting_type.get("refund_full_hours") or 0),
			int(meeting_type.get("refund_partial_hours") or 0),
			int(meeting_type.get("refund_partial_percent") or 0),
		)

	def __post_init__(self):
		if self.kind not in REFUND_POLICIES:
			raise InvalidField(_("{0} is not a refund policy"), "refund_policy", self.kind)
		if not 0 <= int(self.partial_percent or 0) <= 100:
			raise InvalidField(_("A partial refund is between 0 and 100 %"), "refund_partial_percent")
		if int(self.full_hours or 0) < 0 or int(self.partial_hours or 0) < 0:
			raise InvalidField(_("Hours of notice cannot be negative"), "refund_full_hours")
		if self.kind == BY_NOTICE and int(self.partial_hours or 0) > int(self.full_hours or 0):
			raise InvalidField(
				_("A partial refund needs less notice than a full one"), "refund_partial_hours"
			)


def refund_amount(
	policy: RefundPolicy,
	paid: int,
	refunded: int,
	start: datetime,
	now: datetime,
	*,
	by_guest: bool,
) -> int:
	"""Minor units a cancellation at ``now`` gives back of ``paid`` (``refunded`` of it
	already given back)."""
	left = max(int(paid) - int(refunded), 0)
	if not left:
		return 0
	if not by_guest or policy.kind == FULL:
		return left
	if policy.kind == NONE:
		return 0
	notice = start - now
	if notice >= timedelta(hours=int(policy.full_hours or 0)):
		return left
	if notice >= timedelta(hours=int(policy.partial_hours or 0)):
		part = (Decimal(int(paid)) * int(policy.partial_percent or 0) / 100).to_integral_value(ROUND_DOWN)
		return min(int(part), left)
	return 0


def late_payment(status: str, *, already_counted: bool) -> str:
	"""What a completed payment does to its booking: ``confirm`` (it still waits for it),
	``nothing`` (this payment was counted before: a repeated report) or ``refund``."""
	if already_counted:
		return "nothing"
	if status == AWAITING_PAYMENT:
		return "confirm"
	return "refund"


def payment_state(paid: int, refunded: int) -> str:
	"""A booking's payment status from what was paid and given back (minor units)."""
	if paid <= 0:
		return BookingPayment.UNPAID.value
	if refunded <= 0:
		return BookingPayment.PAID.value
	if refunded >= paid:
		return BookingPayment.REFUNDED.value
	return BookingPayment.PARTLY_REFUNDED.value
