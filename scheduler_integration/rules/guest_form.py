"""The public booking form: what a guest may send, cleaned and length-limited.

Guests set only these fields; everything else about a booking is decided by the server.
``clean_booking_form`` returns the cleaned values and every field error at once (so the
page can mark each field); it never raises for bad guest input. ``clean_answers`` is the
questions' part of it, shared with routing forms (``routing``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scheduler_integration.engine.errors import InvalidField, SchedulingError
from scheduler_integration.engine.i18n import _
from scheduler_integration.engine.validation import (
	MAX_PHONE,
	PHONE_PATTERN,
	clean_email,
	clean_guest_name,
	clean_guest_text,
	clean_phone,
	clean_text,
	clean_timezone,
	is_yes,
)

# the length limits of guest text, wherever it arrives (this form, the booking's own
# validation, a cancel reason, the booking page's UTM parameters)
MAX_NAME = 140
MAX_COMPANY = 140
MAX_NOTES = 5000
MAX_ANSWER = 2000
MAX_QUESTIONS = 50
MAX_REASON = 1000  # a cancel or decline reason
MAX_UTM = 140  # each UTM parameter


def form_limits() -> dict:
	"""What the booking page checks before sending (the same rules the server applies), so
	every mistake shows in one round: each field's most characters, and the phone's pattern."""
	return {
		"name": MAX_NAME,
		"company": MAX_COMPANY,
		"notes": MAX_NOTES,
		"answer": MAX_ANSWER,
		"phone": MAX_PHONE,
		"phone_pattern": PHONE_PATTERN,
	}


# question types: one line of text, text, a choice (Select and Radio: one option; Country:
# one of the site's countries, handed in as options), Check, Email, Phone, Number, Multi
# Select (several options) and Multi Email (several addresses)
FIELDTYPES = (
	"Data",
	"Text",
	"Select",
	"Radio",
	"Country",
	"Check",
	"Email",
	"Phone",
	"Number",
	"Multi Select",
	"Multi Email",
)
CHOICES = ("Select", "Radio", "Country")
LISTS = ("Multi Select", "Multi Email")
# types the guest answers from the host's own options (Country takes the site's list)
NEEDS_OPTIONS = ("Select", "Radio", "Multi Select")
MAX_LABEL = 200
# a routing form's name for a question (conditions and prefill parameters use it)
QUESTION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
MAX_EMAILS = 10  # addresses in one Multi Email answer
MAX_ATTENDEES = 10  # colleagues a guest may add to a meeting (the type's limit is at most this)
MAX_NUMBER = 10**15  # a Number answer's magnitude (money, head counts; never floats' edge cases)


@dataclass(frozen=True)
class Question:
	label: str
	fieldtype: str = "Data"  # one of FIELDTYPES
	required: bool = False
	options: tuple[str, ...] = ()
	key: str = ""  # a routing form's name for it (conditions, prefill); "" on booking forms


def question_options(text) -> tuple[str, ...]:
	"""A question row's options: one per line, trimmed, blank lines left out."""
	return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def clean_question(label, fieldtype, options) -> tuple[str, str]:
	"""A host's question row (a meeting type's or a routing form's): its label, required,
	and its type (an unknown one is Data). A type answered from the host's options needs
	some. Raises ``InvalidField`` (``label`` or ``options``)."""
	label = clean_text(label, "label", MAX_LABEL, required=True)
	kind = fieldtype if fieldtype in FIELDTYPES else "Data"
	if kind in NEEDS_OPTIONS and not question_options(options):
		raise InvalidField(_("A Select question needs options, one per line"), "options")
	return label, kind


def _parts(value, field: str) -> list:
	"""A list answer's items: a list as sent, or text split at line breaks and commas."""
	if value is None or value == "":
		return []
	if isinstance(value, list | tuple):
		return list(value)
	if isinstance(value, str):
		return [part for part in re.split(r"[\r\n,;]+", value) if part.strip()]
	raise InvalidField(_("{0} must be a list of answers"), field, field)


def clean_emails(value, field: str, limit: int = MAX_EMAILS, *, exclude: tuple[str, ...] = ()) -> list[str]:
	"""Several email addresses (a list, or text split at commas, semicolons, spaces or
	line breaks): each checked, lower-cased, each once, those of ``exclude`` left out; at
	most ``limit``."""
	if isinstance(value, str):
		value = [part for part in re.split(r"[\s,;]+", value) if part]
	out: list[str] = []
	for item in _parts(value, field)[: limit * 4 + 1]:
		email = clean_email(item, field, required=False)
		if email and email not in out and email not in exclude:
			out.append(email)
	if len(out) > limit:
		raise InvalidField(_("{0}: at most {1} email addresses"), field, field, limit)
	return out


def clean_number(value, field: str):
	"""A number answer: an int when whole, else a float; None when empty."""
	if value is None or value == "":
		return None
	if isinstance(value, bool):
		raise InvalidField(_("{0} must be a number"), field, field)
	if isinstance(value, int | float):
		try:
			number = float(value)
		except OverflowError:  # an int past any float (10**400)
			raise InvalidField(_("{0} must be a number"), field, field) from None
	else:
		text = clean_text(value, field, 40)
		if not text:
			return None
		if not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", text):
			raise InvalidField(_("{0} must be a number"), field, field)
		number = float(text.replace(",", "."))
	if not math.isfinite(number) or abs(number) > MAX_NUMBER:
		raise InvalidField(_("{0} must be a number"), field, field)
	return int(number) if number.is_integer() else number


def _choice(question: Question, value, field: str) -> str:
	text = clean_text(value, field, MAX_ANSWER)
	# a Country question without the site's list takes any name; a Select never does
	if text and (question.options or question.fieldtype != "Country") and text not in question.options:
		raise InvalidField(_("{0}: choose one of the options"), field, question.label)
	return text


def clean_answer(question: Question, value, field: str):
	kind = question.fieldtype
	if kind == "Check":
		answer = is_yes(value)
		if question.required and not answer:
			raise InvalidField(_("{0} is required"), field, question.label)
		return answer
	if kind in CHOICES:  # one of the host's own options, as they wrote it
		answer = _choice(question, value, field)
	elif kind == "Multi Select":
		answer = []
		for item in _parts(value, field)[: len(question.options) + 1]:
			choice = _choice(question, item, field)
			if choice and choice not in answer:
				answer.append(choice)
	elif kind == "Multi Email":
		answer = clean_emails(value, field)
	elif kind == "Email":
		answer = clean_email(value, field, required=False)
	elif kind == "Phone":
		answer = clean_phone(value, field)
	elif kind == "Number":
		answer = clean_number(value, field)
	else:
		answer = clean_guest_text(value, field, MAX_ANSWER, multiline=kind == "Text")
	if question.required and answer in ("", None, []):
		raise InvalidField(_("{0} is required"), field, question.label)
	return answer


def clean_answers(
	answers_in, questions: Sequence[Question], *, by_key: bool = False
) -> tuple[dict, dict[str, SchedulingError]]:
	"""(answers, errors) for ``questions``: each answer looked up by the question's label
	(or ``key`` with ``by_key``), else its position; stored under the same name. Errors are
	keyed ``answers.<position>``."""
	errors: dict[str, SchedulingError] = {}
	if answers_in is None:
		answers_in = {}
	if not isinstance(answers_in, Mapping):
		return {}, {"answers": InvalidField(_("{0} must be a list of answers"), "answers", "answers")}
	answers = {}
	for index, question in enumerate(questions[:MAX_QUESTIONS]):
		field = f"answers.{index}"
		name = question.key if by_key and question.key else question.label
		try:
			answers[name] = clean_answer(question, answers_in.get(name, answers_in.get(str(index))), field)
		except SchedulingError as exc:
			errors[field] = exc
	return answers, errors


def clean_booking_form(
	data: Mapping,
	questions: Sequence[Question] = (),
	*,
	phone_required: bool = False,
	max_attendees: int = 0,
) -> tuple[dict, dict[str, SchedulingError]]:
	"""(cleaned, errors): cleaned has guest_name, guest_email, guest_phone, guest_company,
	notes, booker_timezone, answers ({question label: answer}) and, with ``max_attendees``,
	attendees (the colleagues' addresses, at most that many, never the guest's own). ``phone_required``:
	the meeting is a phone call (``meetings.needs_phone``), so the phone number is required."""
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
	limit = max(0, min(int(max_attendees or 0), MAX_ATTENDEES))
	if data.get("attendees") not in (None, "", []) and not limit:
		errors["attendees"] = InvalidField(_("This meeting takes no other attendees"), "attendees")
	elif limit:  # only a type that takes them has the field
		guest = (cleaned.get("guest_email") or "",)
		take("attendees", "attendees", clean_emails, "attendees", limit, exclude=guest)
	answers, answer_errors = clean_answers(data.get("answers"), questions)
	errors.update(answer_errors)
	cleaned["answers"] = answers
	return cleaned, errors
