"""Booking links that carry what the CRM already knows: ``?name=…&email=…&phone=…``.

Any booking page URL may prefill the form: ``name``, ``email``, ``phone``, ``company``,
``notes``, and each question by its key (a routing question's ``key``, else its label
in lower case with ``_`` between words: "Company size" is ``company_size``). A
personal link and a routing form's outcome fill the same fields.

Prefill is a suggestion, not a submission: each value is cleaned exactly as the form's
own field is (decoded once, checked, length-limited) and a value that fails is left out
silently — the guest sees an empty field, never an error for a link someone else made.
The page puts the values into the inputs' ``value``; the booking still sends the form
through every check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.validation import (
	clean_email,
	clean_guest_name,
	clean_guest_text,
	clean_phone,
	slugify,
)

from .guest_form import LISTS, MAX_COMPANY, MAX_NAME, MAX_NOTES, Question, clean_answer

# the form's own fields: (parameter, cleaner, its extra arguments)
FIELDS = (
	("name", clean_guest_name, ("name", MAX_NAME)),
	("email", clean_email, ("email",)),
	("phone", clean_phone, ("phone",)),
	("company", clean_guest_name, ("company", MAX_COMPANY)),
	("notes", clean_guest_text, ("notes", MAX_NOTES)),
)
# query parameters that are never a question's (the form's own, and the page's)
RESERVED = frozenset(
	{field for field, _c, _a in FIELDS}
	| {"lang", "embed", "ref", "date", "month", "routed", "link", "utm_source", "utm_medium", "utm_campaign"}
)
# a routing form's page: only its own parameters (its questions may well be "email")
PAGE_PARAMETERS = frozenset({"lang", "embed", "ref", "utm_source", "utm_medium", "utm_campaign"})
MAX_PARAMETER = 6000  # longer values are never a prefill (the notes' limit, with room)


def question_key(question: Question) -> str:
	"""The parameter that prefills ``question``."""
	return question.key or slugify(question.label).replace("-", "_")


def _one(value):
	"""A parameter's value as sent once (a repeated parameter arrives as a list)."""
	if isinstance(value, list | tuple):
		return value[0] if value else None
	return value


def clean_prefill(
	params: Mapping, questions: Sequence[Question] = (), *, reserved: frozenset = RESERVED, fields=FIELDS
) -> dict:
	"""``{"name": …, "email": …, …, "answers": {label: value}}`` with only the values that
	pass their field's checks; never raises for any input. A routing form's page passes
	``reserved=PAGE_PARAMETERS, fields=()``: it has questions only."""
	out: dict = {}
	for field, cleaner, args in fields:
		value = _one(params.get(field))
		if not isinstance(value, str) or not value or len(value) > MAX_PARAMETER:
			continue
		try:
			cleaned = cleaner(value, *args)
		except SchedulingError:
			continue
		if cleaned:
			out[field] = cleaned
	answers = {}
	for question in questions:
		key = question_key(question)
		if not key or key in RESERVED:
			continue
		value = params.get(key)
		if question.fieldtype not in LISTS:
			value = _one(value)
		if value is None or value == "" or len(str(value)) > MAX_PARAMETER:
			continue
		if isinstance(value, list | tuple) and not all(isinstance(item, str) for item in value):
			continue
		if not isinstance(value, str | list | tuple):
			continue
		try:
			answer = clean_answer(
				Question(question.label, question.fieldtype, False, question.options), value, key
			)
		except SchedulingError:
			continue
		if answer not in ("", None, [], False):
			answers[question.label] = answer
	out["answers"] = answers
	return out
