"""The booking answers' fixed sets (``Literal`` types, ``core.answers``) are the engine's own
values: a status added to ``Status`` without its ``Literal`` (or the other way round) fails
here, not in an answer the document refuses."""

from __future__ import annotations

import typing

from scheduler_integration.engine.statuses import STATUSES, BookingStatus
from scheduler_integration.rules import colors
from scheduler_integration.rules.payment_statuses import (
	BOOKING_PAYMENT_STATUSES,
	BookingPaymentStatus,
)


def test_a_booking_status_is_one_of_the_statuses():
	assert typing.get_args(BookingStatus) == STATUSES


def test_a_booking_payment_status_is_one_of_the_payment_statuses():
	assert typing.get_args(BookingPaymentStatus) == BOOKING_PAYMENT_STATUSES


def test_page_colours_name_every_page_background():
	assert tuple(colors.PageColors.__annotations__) == tuple(colors.PAGE_BACKGROUNDS)
