"""Paid bookings' rules: minor units per currency, the hold and the checkout's expiry, refunds
by policy, and what a late payment does (rules.payments)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from conftest import utc
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.statuses import ACTIVE, AWAITING_PAYMENT, STATUSES
from scheduler_integration.rules.payments import (
	CHECKOUT_MAX,
	CHECKOUT_MIN,
	HOLD_DEFAULT,
	HOLD_MAX,
	HOLD_MIN,
	REFUND_POLICIES,
	STRIPE_MAX,
	STRIPE_MIN,
	RefundPolicy,
	checkout_expires,
	from_minor,
	hold_end,
	hold_over,
	late_payment,
	minor_factor,
	payment_state,
	refund_amount,
	to_minor,
)

NOW = utc(2026, 6, 8, 9, 0)
moments = st.datetimes(
	min_value=NOW.replace(tzinfo=None) - timedelta(days=30),
	max_value=NOW.replace(tzinfo=None) + timedelta(days=400),
).map(lambda d: d.replace(tzinfo=NOW.tzinfo))


def test_awaiting_payment_is_a_status_that_holds_time():
	assert AWAITING_PAYMENT == "Awaiting Payment" and AWAITING_PAYMENT in STATUSES
	assert AWAITING_PAYMENT in ACTIVE


@pytest.mark.parametrize(
	"amount,currency,minor",
	[
		(15, "EUR", 1500),
		("12.345", "usd", 1235),  # half up to the cent
		(0.1 + 0.2, "EUR", 30),  # a float's noise never shows
		(1500, "JPY", 1500),
		("99.6", "KRW", 100),
		(12, "ISK", 1200),  # zero-decimal, sent ×100
		("12.4", "UGX", 1200),  # … a whole number of units
		("1.234", "KWD", 1230),  # three decimals, the last one 0
		("1.235", "BHD", 1240),
		(19.99, "CHF", 1999),
	],
)
def test_amounts_in_minor_units(amount, currency, minor):
	assert to_minor(amount, currency) == minor


def test_factors_and_bad_input():
	assert [minor_factor(c) for c in ("EUR", "jpy", "KWD", "ISK")] == [100, 1, 1000, 100]
	for bad in ("", "EURO", "€", None, "E1R"):
		with pytest.raises(InvalidField):
			minor_factor(bad)
	for bad in ("ten", "nan", "inf", None):
		with pytest.raises(InvalidField):
			to_minor(bad, "EUR")


@given(st.sampled_from(["EUR", "USD", "JPY", "KWD", "GBP", "XOF", "OMR"]), st.integers(0, 10**9))
def test_minor_units_round_trip(currency, minor):
	factor = minor_factor(currency)
	if factor == 1000:
		minor -= minor % 10  # three-decimal amounts end in 0
	units = from_minor(minor, currency)
	assert isinstance(units, Decimal) and to_minor(units, currency) == minor


@given(moments, moments, st.one_of(st.none(), st.integers(-100, 100_000)))
def test_the_hold_ends_within_its_bounds_and_never_after_the_start(created, start, minutes):
	end = hold_end(created, start, minutes)
	assert end <= start
	assert end <= created + timedelta(minutes=HOLD_MAX)
	assert end == start or end >= created + timedelta(minutes=HOLD_MIN)
	if minutes is None and start >= created + timedelta(minutes=HOLD_DEFAULT):
		assert end == created + timedelta(minutes=HOLD_DEFAULT)
	assert not hold_over(end, end - timedelta(seconds=1)) and hold_over(end, end)


@given(moments, st.integers(-60, HOLD_MAX + 60))
def test_the_checkout_closes_within_stripes_window_and_not_before_the_hold(created, minutes):
	hold = created + timedelta(minutes=minutes)
	closes = checkout_expires(created, hold)
	assert created + CHECKOUT_MIN <= closes < created + CHECKOUT_MAX + timedelta(seconds=1)
	assert CHECKOUT_MIN >= timedelta(minutes=30) and CHECKOUT_MAX < timedelta(hours=24)
	if minutes <= HOLD_MAX:  # every hold the type allows is covered
		assert closes >= hold
	assert closes.microsecond == 0  # whole seconds, as Stripe takes it


@given(moments, st.integers(0, HOLD_MAX), st.integers(0, 25 * 60 * 60))
def test_a_retry_sends_the_first_attempts_expiry_while_stripe_takes_it(created, minutes, later):
	hold = created + timedelta(minutes=minutes)
	first = checkout_expires(created, hold)
	retried = created + timedelta(seconds=later)
	again = checkout_expires(retried, hold, tried=first)
	assert retried + STRIPE_MIN <= again <= retried + STRIPE_MAX  # Stripe takes it
	if first >= retried + STRIPE_MIN:
		assert again == first  # the same parameters under the same key
	else:
		assert again == checkout_expires(retried, hold)  # too late: a fresh one (and key)


START = utc(2026, 6, 20, 15, 0)
NOTICE = RefundPolicy("By Notice", full_hours=48, partial_hours=24, partial_percent=50)


@pytest.mark.parametrize(
	"hours_before,expected",
	[(72, 3000), (48, 3000), (47.9, 1500), (24, 1500), (23.9, 0), (0, 0), (-1, 0)],
)
def test_a_guests_refund_by_notice(hours_before, expected):
	now = START - timedelta(hours=hours_before)
	assert refund_amount(NOTICE, 3000, 0, START, now, by_guest=True) == expected


def test_hosts_and_the_system_always_refund_what_is_left_and_policies_apply_to_guests():
	late = START - timedelta(minutes=5)
	for policy in (NOTICE, RefundPolicy("No Refund"), RefundPolicy("Full Refund")):
		assert refund_amount(policy, 3000, 1000, START, late, by_guest=False) == 2000
	assert (
		refund_amount(RefundPolicy("No Refund"), 3000, 0, START, START - timedelta(days=9), by_guest=True)
		== 0
	)
	assert refund_amount(RefundPolicy("Full Refund"), 3000, 0, START, late, by_guest=True) == 3000
	assert refund_amount(RefundPolicy(), 3000, 3000, START, late, by_guest=False) == 0
	# a part is rounded down and never more than what is left
	odd = RefundPolicy("By Notice", full_hours=48, partial_hours=0, partial_percent=33)
	assert refund_amount(odd, 1001, 0, START, late, by_guest=True) == 330
	assert refund_amount(odd, 1001, 900, START, late, by_guest=True) == 101


@given(
	st.sampled_from(REFUND_POLICIES),
	st.integers(0, 200),
	st.integers(0, 200),
	st.integers(0, 100),
	st.integers(1, 10**7),
	st.integers(0, 10**7),
	st.integers(-200 * 60, 400 * 60),
	st.integers(0, 10 * 60),
	st.booleans(),
)
def test_refunds_stay_within_what_is_left_and_grow_with_notice(
	kind, full, partial, percent, paid, refunded, minutes_before, more, by_guest
):
	partial = min(partial, full)
	policy = RefundPolicy(kind, full, partial, percent)
	refunded = min(refunded, paid)
	now = START - timedelta(minutes=minutes_before)
	amount = refund_amount(policy, paid, refunded, START, now, by_guest=by_guest)
	assert 0 <= amount <= paid - refunded
	if not by_guest:
		assert amount == paid - refunded
	earlier = refund_amount(policy, paid, refunded, START, now - timedelta(minutes=more), by_guest=by_guest)
	assert earlier >= amount  # cancelling earlier never gives back less


def test_refund_policies_are_checked():
	for bad in (
		{"kind": "Sometimes"},
		{"kind": "By Notice", "partial_percent": 101},
		{"kind": "By Notice", "full_hours": -1},
		{"kind": "By Notice", "full_hours": 12, "partial_hours": 24, "partial_percent": 50},
	):
		with pytest.raises(InvalidField):
			RefundPolicy(**bad)


@pytest.mark.parametrize(
	"status,counted,action",
	[
		(AWAITING_PAYMENT, False, "confirm"),
		(AWAITING_PAYMENT, True, "nothing"),
		("Cancelled", False, "refund"),
		("Confirmed", False, "refund"),  # paid already by another payment
		("Confirmed", True, "nothing"),
		("Pending", True, "nothing"),
	],
)
def test_what_a_payment_does_to_its_booking(status, counted, action):
	assert late_payment(status, already_counted=counted) == action


def test_payment_states():
	assert [payment_state(*pair) for pair in ((0, 0), (100, 0), (100, 40), (100, 100))] == [
		"Unpaid",
		"Paid",
		"Partly Refunded",
		"Refunded",
	]
