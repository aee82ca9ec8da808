"""A JSON number past any float (``10**400``) in a Number answer or a routing condition is
an invalid number, never an OverflowError (issue 37, item 11)."""

import pytest

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.rules.guest_form import Question, clean_answers, clean_number
from scheduler_integration.rules.routing import Condition, holds, number

HUGE = 10**400


@pytest.mark.parametrize("value", [HUGE, -HUGE, 10**309], ids=["10**400", "-10**400", "10**309"])
def test_clean_number_refuses_an_int_past_any_float(value):
	with pytest.raises(InvalidField) as caught:
		clean_number(value, "answers.0")
	assert caught.value.field == "answers.0"


def test_the_booking_form_names_the_question():
	answers, errors = clean_answers({"Seats": HUGE}, [Question("Seats", "Number")])
	assert list(errors) == ["answers.0"] and answers == {}


@pytest.mark.parametrize("value", [HUGE, -HUGE, 10**309], ids=["10**400", "-10**400", "10**309"])
def test_routing_number_is_none_past_any_float(value):
	assert number(value) is None


def test_a_condition_on_a_huge_answer_does_not_hold():
	for operator in ("greater than", "less than", "at least", "at most"):
		assert holds(Condition("seats", operator, "100"), {"seats": HUGE}, None) is False
	assert holds(Condition("seats", "at least", str(HUGE)), {"seats": 5}, None) is False
