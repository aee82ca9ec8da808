"""The public booking form: what a guest may send, cleaned and length-limited.

Guests set only these fields; everything else about a booking is decided by the server.
``clean_booking_form`` returns the cleaned values and every field error at once (so the
page can mark each field); it never raises for bad guest input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import InvalidField, SchedulingError
from .i18n import _
from .validation import (
	clean_email,
	clean_guest_name,
	clean_guest_text,
	clean_phone,
	clean_text,
	clean_timezone,
)

MAX_NAME = 140
MAX_COMPANY = 140
MAX_NOTES = 5000
MAX_ANSWER = 2000
MAX_QUESTIONS = 50


@dataclass(frozen=True)
class Question:
	label: str
	fieldtype: str = "Data"  # Data, Text, Select, Check
	required: bool = False
	options: tuple[str, ...] = ()


def _answer(question: Question, value, field: str):
	if question.fieldtype == "Check":
		if isinstance(value, str):
			value = value.strip().lower() in ("1", "true", "yes", "on")
		answer = bool(value)
		if question.required and not answer:
			raise InvalidField(_("{0} is required"), field, question.label)
		return answer
	if question.fieldtype == "Select":  # one of the host's own options, as they wrote it
		text = clean_text(value, field, MAX_ANSWER)
	else:
		text = clean_guest_text(value, field, MAX_ANSWER, multiline=question.fieldtype == "Text")
	if question.required and not text:
		raise InvalidField(_("{0} is required"), field, question.label)
	if text and question.fieldtype == "Select" and text not in question.options:
		raise InvalidField(_("{0}: choose one of the options"), field, question.label)
	return text


def clean_booking_form(
	data: Mapping, questions: Sequence[Question] = (), *, phone_required: bool = False
) -> tuple[dict, dict[str, SchedulingError]]:
	"""(cleaned, errors): cleaned has guest_name, guest_email, guest_phone, guest_company,
	notes, booker_timezone, answers ({question label: answer}). ``phone_required``: the
	meeting is a phone call (``meetings.needs_phone``), so the phone number is required."""
	errors: dict[str, SchedulingError] = {}
	cleaned: dict = {}

	def take(key: str, target: str, cleaner, *args, **kwargs):
		try:
			cleaned[target] = cleaner(data.get(key), *args, **kwargs)
		except SchedulingError as exc:
			errors[key] = exc

	take("name", "guest_name", clean_guest_name, "name", MAX_NAME)
	take("email", "guest_email", clean_email, "email")
	take("phone", "guest_phone", clean_phone, "phone")
	if phone_required and "phone" not in errors and not cleaned.get("guest_phone"):
		errors["phone"] = InvalidField(_("{0} is required"), "phone", "phone")
	take("company", "guest_company", clean_guest_name, "company", MAX_COMPANY, required=False)
	take("notes", "notes", clean_guest_text, "notes", MAX_NOTES)
	take("timezone", "booker_timezone", clean_timezone, "timezone")
	answers_in = data.get("answers") or {}
	if not isinstance(answers_in, Mapping):
		errors["answers"] = InvalidField(_("{0} must be a list of answers"), "answers", "answers")
		answers_in = {}
	answers = {}
	for index, question in enumerate(questions[:MAX_QUESTIONS]):
		field = f"answers.{index}"
		try:
			answers[question.label] = _answer(
				question, answers_in.get(question.label, answers_in.get(str(index))), field
			)
		except SchedulingError as exc:
			errors[field] = exc
	cleaned["answers"] = answers
	return cleaned, errors
