"""The public booking form: only listed fields, cleaned, every error reported."""

from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.rules.guest_form import Question, clean_booking_form

GOOD = {
	"name": " Yuki Tanaka ",
	"email": "Yuki@Example.JP",
	"timezone": "Asia/Tokyo",
	"notes": "line 1\nline 2",
}
QUESTIONS = (
	Question("Company size", "Select", True, ("1-10", "11-50")),
	Question("Goals", "Text"),
	Question("Agree to terms", "Check", True),
	Question("Website"),
)


def test_good_form_is_cleaned():
	cleaned, errors = clean_booking_form(
		{**GOOD, "answers": {"Company size": "1-10", "Agree to terms": "on", "Goals": "grow\nfast"}},
		QUESTIONS,
	)
	assert errors == {}
	assert cleaned["guest_name"] == "Yuki Tanaka" and cleaned["guest_email"] == "yuki@example.jp"
	assert cleaned["booker_timezone"] == "Asia/Tokyo" and cleaned["notes"] == "line 1\nline 2"
	assert cleaned["answers"] == {
		"Company size": "1-10",
		"Goals": "grow\nfast",
		"Agree to terms": True,
		"Website": "",
	}


def test_every_error_is_reported():
	form = {
		"name": "",
		"email": "not-an-email",
		"timezone": "Mars/Base",
		"phone": "call me",
		"company": "x" * 141,
		"notes": "\x00",
		"answers": {"Company size": "huge"},
	}
	_cleaned, errors = clean_booking_form(form, QUESTIONS)
	assert {"name", "email", "timezone", "phone", "company", "notes", "answers.0", "answers.2"} <= set(errors)
	assert all(err.field and err.message for err in errors.values())


def test_header_injection_and_bad_answers_shape():
	_c, errors = clean_booking_form({**GOOD, "name": "Eve\r\nBcc: x@y.org", "email": "a@b.org\nBcc: c@d.org"})
	assert {"name", "email"} <= set(errors)
	_c, errors = clean_booking_form({**GOOD, "answers": ["not", "a", "dict"]}, QUESTIONS)
	assert "answers" in errors


def test_answers_by_index_and_unknown_keys_ignored():
	cleaned, errors = clean_booking_form(
		{**GOOD, "answers": {"0": "11-50", "2": True, "evil_field": "x"}}, QUESTIONS
	)
	assert (
		errors == {}
		and cleaned["answers"]["Company size"] == "11-50"
		and "evil_field" not in cleaned["answers"]
	)


@given(
	st.dictionaries(
		st.sampled_from(["name", "email", "timezone", "phone", "company", "notes", "answers", "other"]),
		st.one_of(
			st.none(),
			st.text(max_size=300),
			st.integers(),
			st.booleans(),
			st.lists(st.text(max_size=5), max_size=3),
			st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
		),
	)
)
def test_never_raises_and_cleaned_values_are_bounded(form):
	cleaned, errors = clean_booking_form(form, QUESTIONS)
	for key, limit in (("guest_name", 140), ("guest_company", 140), ("notes", 5000)):
		if key in cleaned:
			assert len(cleaned[key]) <= limit
	if "guest_name" in cleaned:
		assert "\n" not in cleaned["guest_name"] and "\r" not in cleaned["guest_name"]
	assert isinstance(errors, dict)


def test_the_page_checks_what_the_server_checks():
	"""Issue 50, item 9: the booking page is handed the server's own limits and phone
	pattern (``form_limits``), so every mistake shows in one round."""
	import re

	from scheduler_integration.engine.errors import InvalidField
	from scheduler_integration.engine.validation import clean_phone
	from scheduler_integration.rules.guest_form import MAX_COMPANY, MAX_NAME, MAX_NOTES, form_limits

	limits = form_limits()
	assert (limits["name"], limits["company"], limits["notes"]) == (MAX_NAME, MAX_COMPANY, MAX_NOTES)
	for phone in ("+49 30 1234567", "(555) 010-0199", "call me maybe", "12", "+1" + "2" * 45, "0.30/12"):
		page = bool(re.fullmatch(limits["phone_pattern"], phone)) and len(phone) <= limits["phone"]
		try:
			clean_phone(phone)
			server = True
		except InvalidField:
			server = False
		assert page == server, phone
