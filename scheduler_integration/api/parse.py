"""Parsing request values of the APIs into checked Python values (400 with the field).

Each parser carries the JSON Schema of what it takes (``schema``, set by ``declares``, built
from the same patterns and limits it checks with): the OpenAPI document (``api.openapi``)
gives a parameter that a method reads with a parser that parser's schema, so the document
says what the parsing does."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta, timezone

from frappe import _, _lt

from scheduler_integration.core.clock import to_utc
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.crm.records import RECORD_DOCTYPES
from scheduler_integration.engine.booking_states import STATUSES
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.occurrences import MAX_OCCURRENCES
from scheduler_integration.engine.validation import clean_choice, clean_guest_text, clean_timezone, is_yes
from scheduler_integration.rules.analytics import FUNNEL_STEPS
from scheduler_integration.rules.guest_form import MAX_REASON, MAX_UTM
from scheduler_integration.rules.locales import MAX_LENGTH as MAX_LOCALE
from scheduler_integration.rules.locales import clean_locale

_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# An idempotency key repeated with the same email and meeting type answers with the booking
# it made, manage link included: it must be as hard to guess as a random 128-bit value
# (22 base64url characters; a UUID or 32 hex digits qualify).
_KEY = re.compile(r"^[A-Za-z0-9_-]{22,80}$")


def declares(schema: dict):
	"""Decorator: ``schema`` is what the parser takes (a JSON Schema, for the OpenAPI document)."""

	def mark(parser):
		parser.schema = schema
		return parser

	return mark


INSTANT = {
	"type": "string",
	"format": "date-time",
	"pattern": _ISO_INSTANT.pattern,
	"description": "ISO 8601 with an offset, years 2000–2200",
}


@declares({"type": "string", "description": "an IANA time zone, e.g. Europe/Berlin (default UTC)"})
def zone_name(value) -> str:
	try:
		return clean_timezone(value or "UTC")
	except SchedulingError as exc:
		raise FieldValidationError(translate(exc), {"timezone": translate(exc)}) from None


def collect(errors: dict, parser, *args):
	"""``parser(*args)``, or None with its field errors added to ``errors``: a form's
	errors are reported together, not one request at a time."""
	try:
		return parser(*args)
	except FieldValidationError as exc:
		errors.update(exc.errors)
		return None


@declares(INSTANT)
def instant(text, field: str) -> datetime:
	"""An ISO 8601 date-time with offset, years 2000–2200, as aware UTC."""
	text = str(text or "").strip()
	if not _ISO_INSTANT.match(text):
		raise FieldValidationError(
			_("Invalid date-time"), {field: _("Use an ISO date-time with offset, e.g. 2026-01-05T14:30:00Z")}
		)
	try:
		value = datetime.fromisoformat(text.replace("Z", "+00:00"))
	except ValueError:
		raise FieldValidationError(
			_("Invalid date-time"), {field: _("Use an ISO date-time with offset")}
		) from None
	if value.year < 2000 or value.year > 2200:
		raise FieldValidationError(_("Invalid date-time"), {field: _("Date is out of range")})
	return to_utc(value)


@declares(
	{
		"anyOf": [{"type": "string", "format": "date", "pattern": _DATE.pattern}, INSTANT],
		"description": "a date (YYYY-MM-DD, on the booker's clock) or an ISO instant with offset",
	}
)
def window(start, end, zone, max_days: int) -> tuple[datetime, datetime]:
	"""[start, end) from booker-local dates (YYYY-MM-DD) or ISO instants, at most ``max_days``
	(between two dates, days on the booker's calendar: a month across a DST change is
	longer or shorter by the change, an hour in most zones, and still a month)."""
	out, days = [], []
	for field, value in (("start", start), ("end", end)):
		text = str(value or "").strip()
		if _DATE.match(text):
			try:
				day = date.fromisoformat(text)
			except ValueError:
				raise FieldValidationError(_("Invalid date"), {field: _("Use YYYY-MM-DD")}) from None
			if not 2000 <= day.year <= 2200:
				raise FieldValidationError(_("Invalid date"), {field: _("Date is out of range")})
			days.append(day)
			out.append(datetime.combine(day, time(), tzinfo=zone).astimezone(timezone.utc))
		else:
			out.append(instant(text, field))
	lo, hi = out
	if hi <= lo:
		raise FieldValidationError(_("Invalid window"), {"end": _("End must be after start")})
	if (days[1] - days[0] if len(days) == 2 else hi - lo) > timedelta(days=max_days):
		raise FieldValidationError(
			_("Invalid window"), {"end": _("Ask for at most {0} days at once").format(max_days)}
		)
	return lo, hi


@declares({"type": "string", "pattern": _KEY.pattern, "minLength": 22, "maxLength": 80})
def idempotency_key(value) -> str | None:
	if value is None:
		return None
	if not isinstance(value, str) or not _KEY.match(value):
		raise FieldValidationError(_("Invalid input"), {"idempotency_key": _("Invalid idempotency key")})
	return value


@declares({"type": ["object", "string"], "description": "{question: answer}, or that object as JSON text"})
def answers(value) -> dict:
	if isinstance(value, str):
		try:
			value = json.loads(value) if value.strip() else {}
		except ValueError:
			raise FieldValidationError(_("Invalid input"), {"answers": _("Invalid answers")}) from None
	return value


@declares({"type": "string", "maxLength": MAX_UTM, "description": "one line, no markup"})
def utm(values: dict) -> dict:
	"""The UTM parameters that were given, cleaned like guest text (one line, ``MAX_UTM``
	characters, entities decoded once, no markup)."""
	out = {}
	for key, value in values.items():
		if value not in (None, ""):
			try:
				out[key] = clean_guest_text(value, key, MAX_UTM, multiline=False)
			except SchedulingError as exc:
				raise FieldValidationError(translate(exc), {key: translate(exc)}) from None
	return out


@declares({"type": "string", "maxLength": MAX_REASON})
def reason(value) -> str:
	"""A cancel or decline reason, cleaned like the booking's own (``MAX_REASON``)."""
	return clean_guest_text(value, "reason", MAX_REASON)


_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


@declares({"type": "string", "pattern": _LANGUAGE.pattern, "description": "a language the site has"})
def language(value) -> str | None:
	"""A language code the site knows (``de``, ``pt-BR``), or None for anything else."""
	from frappe.translate import get_all_languages

	text = str(value or "").strip()[:10]
	if not _LANGUAGE.match(text):
		return None
	return text if text in set(get_all_languages()) else None


@declares({"type": "string", "maxLength": MAX_LOCALE, "description": "BCP 47, e.g. en-GB (else ignored)"})
def locale(value) -> str | None:
	"""The booker's locale from their browser (``navigator.language``: ``en-US``, ``de-DE``),
	cleaned to one Babel knows (``rules.locales.clean_locale``), or None for anything else:
	it only decides how dates and times are written, so a bad one is dropped, not refused."""
	return clean_locale(value)


@declares({"type": ["boolean", "integer", "string"], "description": 'yes: true, 1, "1", "yes", …'})
def flag(value) -> bool:
	"""A yes/no request value (``engine.validation.is_yes``)."""
	return is_yes(value)


_YES_NO = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


@declares(
	{
		# one clean part per JSON kind (a mixed enum under a type list, without null although
		# the type allowed it, was neither honest nor something client generators take)
		"anyOf": [
			{"type": "boolean"},
			{"type": "integer", "enum": [1, 0]},
			{"type": "string", "enum": list(_YES_NO)},
		],
		"description": 'a decision: true, 1, "yes" … or false, 0, "no" … (never null)',
	}
)
def decision(value, field: str) -> bool:
	"""A yes or no that decides something (400 naming ``field`` for anything else: a
	decision is never read from a value that says neither)."""
	if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
		return bool(value)
	text = value.strip().lower() if isinstance(value, str) else None
	if text in _YES_NO:
		return _YES_NO[text]
	message = _("{0} must be true or false").format(field)
	raise FieldValidationError(message, {field: message})


@declares({"type": "integer", "minimum": 1, "maximum": MAX_OCCURRENCES, "description": "as the type allows"})
def meetings(ctx, count) -> int | None:
	"""The number of meetings of a series a guest asks for (None: one meeting), checked
	against what the meeting type allows (400 naming ``count``)."""
	if count in (None, ""):
		return None
	# a whole number in the documented range whatever the type (bool is an int to Python)
	text = str(count).strip() if not isinstance(count, bool) and isinstance(count, int | str) else ""
	if not (text.isascii() and text.isdigit()):
		message = _("The number of meetings must be a whole number")
		raise FieldValidationError(message, {"count": message})
	if len(text) > 3 or not 1 <= int(text) <= MAX_OCCURRENCES:
		message = _("A series has from 1 to {0} meetings").format(MAX_OCCURRENCES)
		raise FieldValidationError(message, {"count": message})
	try:
		ctx.occurrences(int(text))
	except SchedulingError as exc:
		raise FieldValidationError(translate(exc), {"count": translate(exc)}) from None
	return int(text)


def choice(choices: tuple, field: str):
	"""A parser of a value that must be one of ``choices`` (400 naming ``field`` otherwise),
	declaring them as its ``enum``: the document lists what the code checks, from the very
	tuple it checks against."""

	@declares({"type": "string", "enum": list(choices)})
	def parser(value) -> str:
		if isinstance(value, str) and value in choices:
			return value
		message = _("{0} must be one of: {1}").format(field, ", ".join(choices))
		raise FieldValidationError(message, {field: message})

	parser.__name__ = parser.__qualname__ = f"one_of_{field}"
	return parser


_SCALAR = (str, int, float, bool, type(None))
_SCALAR_SCHEMA = {"type": ["string", "number", "boolean", "null"]}
_VALUE_SCHEMA = {
	"anyOf": [
		_SCALAR_SCHEMA,
		{"type": "array", "items": {"anyOf": [_SCALAR_SCHEMA, {"type": "array", "items": _SCALAR_SCHEMA}]}},
	]
}


def _value(item, depth: int = 2) -> bool:
	"""A filter's value: a scalar, or a list of values (``["in", ["a", "b"]]``), two deep."""
	if isinstance(item, _SCALAR):
		return True
	return depth > 0 and isinstance(item, list) and all(_value(x, depth - 1) for x in item)


def _conditions(value) -> bool:
	"""Frappe's filters: ``[[[doctype,] field, operator, value], …]`` or ``{field: value}``."""
	if isinstance(value, dict):
		return all(isinstance(k, str) and _value(v) for k, v in value.items())
	return isinstance(value, list) and all(_condition(c) for c in value)


def _condition(c) -> bool:
	"""``[[doctype,] field, operator, value]``, or the list view's ``[doctype, field,
	operator, value, hidden]``."""
	if not isinstance(c, list) or len(c) not in (3, 4, 5):
		return False
	head, value = (c[:3], c[3]) if len(c) == 5 else (c[:-1], c[-1])
	return (
		all(isinstance(x, str) and x for x in head)
		and _value(value, 1)
		and (len(c) < 5 or isinstance(c[4], _SCALAR))
	)


# the JSON arguments Frappe's searches and exports read: what each may hold, and its schema
_SHAPES = {
	"filters": (
		_conditions,
		{
			"anyOf": [
				{
					"type": "array",
					"items": {"type": "array", "minItems": 3, "maxItems": 5, "items": _VALUE_SCHEMA},
				},
				{"type": "object", "additionalProperties": _VALUE_SCHEMA},
			]
		},
		_lt("a list of conditions or an object of field: value"),
	),
	"values": (
		lambda v: isinstance(v, dict) and _conditions(v),
		{"type": "object", "additionalProperties": _VALUE_SCHEMA},
		_lt("an object of field: value"),
	),
	"names": (
		lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
		{"type": "array", "items": {"type": "string"}},
		_lt("a list of names"),
	),
	"indexes": (
		lambda v: isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v),
		{"type": "array", "items": {"type": "integer"}},
		_lt("a list of numbers"),
	),
}


def frappe_json(field: str, shape: str):
	"""A parser of an argument Frappe parses itself as JSON (a search's or an export's
	``filters``, ``fields``, …): JSON text or the value itself, of ``shape``, passes on
	unchanged; empty is left out (None); anything else is a 400 naming ``field`` (Frappe's own
	parsing fails on it with a 500)."""
	fits, schema, what = _SHAPES[shape]

	@declares(
		{"anyOf": [{"type": "string"}, schema], "description": f"JSON, as itself or as its text: {what.msg}"}
	)
	def parser(value):
		if value is None or value == "":
			return None
		parsed = value
		if isinstance(value, str):
			try:
				parsed = json.loads(value)
			except ValueError:
				parsed = None
		if parsed is not None and fits(parsed):
			return value
		message = _("{0} must be JSON: {1}").format(field, str(what))
		raise FieldValidationError(message, {field: message})

	parser.__name__ = parser.__qualname__ = f"json_{field}"
	return parser


def text_or_none(value) -> str | None:
	"""An optional text argument passed on to Frappe: empty is left out (None)."""
	return value or None


# the JSON arguments of Frappe's searches and exports the app's overrides pass on
filters = frappe_json("filters", "filters")
report_filters = frappe_json("filters", "values")  # a script report's
fields = frappe_json("fields", "names")
filter_fields = frappe_json("filter_fields", "names")
visible_idx = frappe_json("visible_idx", "indexes")  # the columns shown
export_format = choice(("CSV", "Excel"), "file_format_type")  # Frappe's exports make no other

funnel_step = choice(FUNNEL_STEPS, "step")  # api.tracking.track_step
record_doctype = choice(RECORD_DOCTYPES, "reference_doctype")  # api.crm: the records a rep books from
TIMED = ("Scheduler Booking", "Scheduler Booking Series")  # what has times to show on a host's clock
timed_doctype = choice(TIMED, "doctype")  # api.setup.host_times


def _list_pattern(choices: tuple) -> str:
	"""A JSON Schema pattern of ``choices`` separated by commas (words and spaces only: the
	pattern escapes nothing)."""
	if not all(re.fullmatch(r"[A-Za-z ]+", choice) for choice in choices):
		raise ValueError(choices)
	one = "|".join(choices)
	return rf"^ *({one}) *(, *({one}) *)*$"


@declares(
	{
		"type": "string",
		"pattern": _list_pattern(STATUSES),
		"description": f"one or more of {', '.join(STATUSES)}, separated by commas",
	}
)
def booking_statuses(value) -> list[str]:
	"""A status filter: statuses separated by commas (each as ``STATUSES`` spells it, in any
	case), or none (``[]``: every status)."""
	if value in (None, ""):
		return []
	if not isinstance(value, str):
		message = _("Must be text")
		raise FieldValidationError(message, {"status": message})
	try:
		return [clean_choice(part, "status", STATUSES) for part in value.split(",") if part.strip()]
	except SchedulingError as exc:
		raise FieldValidationError(translate(exc), {"status": translate(exc)}) from None
