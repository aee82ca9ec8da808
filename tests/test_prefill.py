"""Booking links that prefill the form: every value checked like the form's own field,
a bad one dropped silently, never an error, whatever the link says."""

from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.rules.guest_form import Question
from scheduler_integration.rules.prefill import RESERVED, clean_prefill, question_key

QUESTIONS = (
	Question("Company size", "Select", True, ("1-10", "11-50")),
	Question("Tools", "Multi Select", False, ("Slack", "Jira")),
	Question("Budget", "Number"),
	Question("Cc", "Multi Email"),
	Question("Goals", "Text", key="goals"),
)


def test_known_fields_and_answers_prefill():
	out = clean_prefill(
		{
			"name": "Ada Lovelace",
			"email": "ADA@Example.org",
			"phone": "+44 20 7946 0000",
			"notes": "Saw your talk",
			"company_size": "11-50",
			"tools": "Slack,Jira,Slack",
			"budget": "1200.50",
			"cc": "b@example.org; c@example.org",
			"goals": "grow",
		},
		QUESTIONS,
	)
	assert out["name"] == "Ada Lovelace" and out["email"] == "ada@example.org"
	assert out["phone"] == "+44 20 7946 0000" and out["notes"] == "Saw your talk"
	assert out["answers"] == {
		"Company size": "11-50",
		"Tools": ["Slack", "Jira"],
		"Budget": 1200.5,
		"Cc": ["b@example.org", "c@example.org"],
		"Goals": "grow",
	}
	assert question_key(QUESTIONS[0]) == "company_size" and question_key(QUESTIONS[4]) == "goals"


def test_hostile_values_are_dropped_not_refused():
	out = clean_prefill(
		{
			"name": "<script>alert(1)</script>",
			"email": "a@b.org\r\nBcc: x@y.org",
			"phone": "call me",
			"notes": "&lt;img src=x onerror=alert(1)&gt;",
			"company_size": "huge",
			"budget": "1e999",
			"tools": ["Slack", 3],
		},
		QUESTIONS,
	)
	assert "name" not in out and "email" not in out and "phone" not in out
	assert out["notes"] == "‹img src=x onerror=alert(1)›"  # decoded once, never markup
	assert out["answers"] == {}


def test_reserved_parameters_are_never_questions():
	out = clean_prefill({"email": "a@b.org", "lang": "de"}, (Question("Email"), Question("Lang")))
	assert out["answers"] == {} and {"email", "lang"} <= RESERVED


@given(
	st.dictionaries(
		st.sampled_from(
			[
				"name",
				"email",
				"phone",
				"company",
				"notes",
				"company_size",
				"tools",
				"budget",
				"cc",
				"goals",
				"x",
			]
		),
		st.one_of(
			st.text(max_size=50),
			st.lists(st.text(max_size=10), max_size=3),
			st.integers(),
			st.none(),
			st.booleans(),
		),
	)
)
def test_never_raises_and_only_keeps_clean_text(params):
	out = clean_prefill(params, QUESTIONS)
	for field in ("name", "email", "phone", "company", "notes"):
		if field in out:
			assert "<" not in out[field] and ">" not in out[field] and "\x00" not in out[field]
	assert set(out["answers"]) <= {q.label for q in QUESTIONS}
