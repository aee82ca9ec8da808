"""Questions beyond text, select and check: email, phone, number, radio, country, several
options, several emails; and the colleagues a guest adds to a meeting. Every answer is
checked like the form's own fields; hostile input is a field error, never anything else."""

from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.rules.guest_form import (
	FIELDTYPES,
	MAX_EMAILS,
	Question,
	clean_answer,
	clean_answers,
	clean_booking_form,
	clean_emails,
	clean_number,
)

GOOD = {"name": "Yuki Tanaka", "email": "yuki@example.jp", "timezone": "Asia/Tokyo"}
QUESTIONS = (
	Question("Work email", "Email", True),
	Question("Mobile", "Phone"),
	Question("Seats", "Number", True),
	Question("Plan", "Radio", True, ("Basic", "Pro")),
	Question("Country", "Country", False, ("Germany", "Japan")),
	Question("Tools", "Multi Select", False, ("Slack", "Jira", "Asana")),
	Question("Colleagues", "Multi Email"),
)


def test_every_type_is_cleaned():
	answers, errors = clean_answers(
		{
			"Work email": " Yuki@Example.JP ",
			"Mobile": "+81 3-1234-5678",
			"Seats": "40",
			"Plan": "Pro",
			"Country": "Japan",
			"Tools": ["Jira", "Slack", "Jira"],
			"Colleagues": "a@example.jp, b@example.jp; A@example.jp",
		},
		QUESTIONS,
	)
	assert errors == {}
	assert answers == {
		"Work email": "yuki@example.jp",
		"Mobile": "+81 3-1234-5678",
		"Seats": 40,
		"Plan": "Pro",
		"Country": "Japan",
		"Tools": ["Jira", "Slack"],
		"Colleagues": ["a@example.jp", "b@example.jp"],
	}


def test_bad_answers_are_field_errors():
	_answers, errors = clean_answers(
		{
			"Work email": "not an email",
			"Mobile": "call me",
			"Seats": "1e400",
			"Plan": "Enterprise",
			"Country": "Atlantis",
			"Tools": ["Slack", "Notion"],
			"Colleagues": ["ok@example.jp", "bad"],
		},
		QUESTIONS,
	)
	assert set(errors) == {f"answers.{i}" for i in range(7)}
	_answers, errors = clean_answers({}, QUESTIONS)
	assert set(errors) == {"answers.0", "answers.2", "answers.3"}  # the required ones


def test_numbers_and_emails():
	assert clean_number("1,5", "n") == 1.5 and clean_number(" ", "n") is None and clean_number(7.0, "n") == 7
	for bad in (True, "NaN", "inf", "12abc", 10**16):
		try:
			clean_number(bad, "n")
		except SchedulingError:
			continue
		raise AssertionError(f"{bad!r} was accepted")
	assert clean_emails("x@example.org y@example.org", "cc", exclude=("y@example.org",)) == ["x@example.org"]
	try:
		clean_emails([f"p{i}@example.org" for i in range(MAX_EMAILS + 1)], "cc")
	except SchedulingError as exc:
		assert exc.field == "cc"
	else:
		raise AssertionError("too many addresses were accepted")
	# a country question without the site's list takes any name; a select never does
	assert clean_answer(Question("Country", "Country"), "Narnia", "c") == "Narnia"
	try:
		clean_answer(Question("Plan", "Select"), "Pro", "p")
	except SchedulingError:
		pass
	else:
		raise AssertionError("a select without options accepted an answer")


def test_attendees_only_where_the_type_takes_them():
	cleaned, errors = clean_booking_form(
		{**GOOD, "attendees": "ana@example.jp, yuki@example.jp"}, max_attendees=2
	)
	assert errors == {} and cleaned["attendees"] == ["ana@example.jp"]  # the guest is not their own colleague
	_cleaned, errors = clean_booking_form({**GOOD, "attendees": "a@x.jp b@x.jp c@x.jp"}, max_attendees=2)
	assert "attendees" in errors
	cleaned, errors = clean_booking_form({**GOOD, "attendees": "a@x.jp"})
	assert "attendees" in errors and "attendees" not in cleaned
	cleaned, errors = clean_booking_form(GOOD)
	assert errors == {} and "attendees" not in cleaned


ANY = st.recursive(
	st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40)),
	lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
	max_leaves=8,
)


@given(st.sampled_from(FIELDTYPES), st.booleans(), ANY)
def test_any_input_is_an_answer_or_a_field_error(fieldtype, required, value):
	question = Question("Q", fieldtype, required, ("A", "B"))
	try:
		answer = clean_answer(question, value, "answers.0")
	except SchedulingError as exc:
		assert exc.field and exc.message
		return
	if isinstance(answer, str):
		assert "<" not in answer and ">" not in answer
	elif isinstance(answer, list):
		assert all(isinstance(item, str) for item in answer)
	else:
		assert answer is None or isinstance(answer, bool | int | float)


@given(
	st.dictionaries(st.sampled_from(["name", "email", "timezone", "attendees", "answers"]), ANY),
	st.integers(0, 12),
)
def test_the_booking_form_never_raises(data, limit):
	_cleaned, errors = clean_booking_form(data, QUESTIONS, max_attendees=limit)
	assert all(isinstance(error, SchedulingError) for error in errors.values())
