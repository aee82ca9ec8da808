"""Field rules for hosts' settings and guests' input, shared by the desk, the API and pages.

Each ``clean_*`` returns the normalised value or raises ``InvalidField`` naming the field,
with a translatable message template (see ``i18n``). Pure: no frappe import.
"""

from __future__ import annotations

import functools
import html
import re
import typing
import unicodedata
import zoneinfo
from urllib.parse import urlsplit

from .errors import InvalidField
from .i18n import _
from .model import MAX_BOOKING_MINUTES
from .timezones import get_zone
from .zone_names import current_name

# a profile's scheduler: its own pages (native) or an external one's (the answers' type too)
SchedulerProvider = typing.Literal["native", "calendly", "acuity", "scheduleonce", "custom"]
PROVIDERS: tuple[str, ...] = typing.get_args(SchedulerProvider)
EXTERNAL_PROVIDERS = PROVIDERS[1:]
PHASES = ("Stabilize", "Organize", "Build", "Grow", "Systemic")
STANDARD_DURATIONS = (15, 30, 45, 60, 90, 120)
CUSTOM_DURATION_RANGE = (5, MAX_BOOKING_MINUTES)
# the answers' types (``core.answers``) and the lists, one definition
LocationType = typing.Literal["Google Meet", "Zoom", "Microsoft Teams", "Phone", "In Person", "Custom"]
Assignment = typing.Literal["Individual", "Round Robin", "Collective"]
LOCATION_TYPES: tuple[str, ...] = typing.get_args(LocationType)
ASSIGNMENTS: tuple[str, ...] = typing.get_args(Assignment)

MAX_URL = 2048
MAX_DISPLAY_NAME = 200
MAX_DESCRIPTION = 5000  # a booking page's, team's, meeting type's or routing form's description
MAX_MESSAGE = 2000  # what a guest reads after booking, or a routing rule's message
MAX_EMBED = 5000
MAX_SLUG = 100
PRIORITY_RANGE = (0, 10)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# C0/C1 controls (but tab and line breaks), line/paragraph separators, bidi overrides that
# reorder what a reader sees, and lone surrogates (not text; they break every encoder)
_CONTROL = re.compile(
	r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# an RFC 2047 encoded word: mail software decodes it into anything, CR/LF included
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[bBqQ]\?[^?]*\?=")
_NAME_FORBIDDEN = re.compile(r"[<>\"]")
_LINE_BREAKS = re.compile(r"[\r\n]")
_EMAIL = re.compile(
	r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def clean_text(value, field: str, max_length: int, *, required: bool = False, multiline: bool = False) -> str:
	"""Trimmed text without control characters (and without line breaks unless multiline)."""
	if value is None:
		value = ""
	if not isinstance(value, str):
		if isinstance(value, bool) or not isinstance(value, int | float):
			raise InvalidField(_("{0} must be text"), field, field)
		value = str(value)
	value = value.strip()
	if required and not value:
		raise InvalidField(_("{0} is required"), field, field)
	if len(value) > max_length:
		raise InvalidField(_("{0} must be at most {1} characters"), field, field, max_length)
	if _CONTROL.search(value) or (not multiline and _LINE_BREAKS.search(value)):
		raise InvalidField(_("{0} contains characters that are not allowed"), field, field)
	return value


MAX_DECODE_ROUNDS = 4
# what a spreadsheet reads as the start of a formula (CSV/Excel injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def decoded(value, form: str = "NFC"):
	"""Guest text as a person reads it, decided once at the boundary: HTML entities decoded
	until none is left, then one Unicode normal form. Every check runs on this value and
	every output uses it, so no later step (an email subject, a calendar, the CRM, a page
	that decodes entities) can turn ``&#13;&#10;``, ``&lt;img&gt;`` or ``&#61;?utf-8?b?…?=``
	into a line break, markup or an encoded word after the check let it through. Text
	that still holds entities after a few rounds is refused. Non-text is returned as is."""
	if not isinstance(value, str):
		return value
	for _round in range(MAX_DECODE_ROUNDS):
		plain = html.unescape(value)
		if plain == value:
			return unicodedata.normalize(form, value)
		value = plain
	if html.unescape(value) != value:
		raise InvalidField(_("{0} contains characters that are not allowed"), "text", "text")
	return unicodedata.normalize(form, value)


def _decoded(value, field: str, form: str):
	try:
		return decoded(value, form)
	except InvalidField:
		raise InvalidField(_("{0} contains characters that are not allowed"), field, field) from None


def clean_guest_name(value, field: str = "name", max_length: int = 140, *, required: bool = True) -> str:
	"""A person's (or company's) name as guests type it: one line, no markup or quote
	characters, no RFC 2047 encoded words — a name reaches email headers, calendars and the
	CRM — and not the start of a spreadsheet formula. Compatibility characters are folded
	(NFKC: a full-width ``＜`` is a ``<``) before the check."""
	text = clean_text(_decoded(value, field, "NFKC"), field, max_length, required=required)
	if _NAME_FORBIDDEN.search(text) or _ENCODED_WORD.search(text):
		raise InvalidField(_("{0} contains characters that are not allowed"), field, field)
	if text.startswith(FORMULA_START):
		raise InvalidField(_("{0} cannot start with {1}"), field, field, text[0])
	return text


ANGLES = str.maketrans({"<": "\u2039", ">": "\u203a"})


def clean_guest_text(value, field: str, max_length: int, *, multiline: bool = True) -> str:
	"""Free text a guest writes (notes, answers, a cancel reason), kept as plain text: markup
	can never form, because ``<`` and ``>`` become the look-alike quotation marks ‹ and ›.
	The desk shows stored text in views that render HTML, so escaping only on output is
	not enough there."""
	text = _decoded(value, field, "NFC")
	return clean_text(text, field, max_length, multiline=multiline).translate(ANGLES)


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def spreadsheet_safe(value):
	"""A value for a CSV or Excel cell: text a spreadsheet would run as a formula gets the
	usual leading apostrophe (shown as text, never evaluated); a plain number stays one."""
	if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
		return "'" + value
	return value


def clean_url(value, field: str, *, required: bool = False, max_length: int = MAX_URL) -> str:
	"""An absolute http(s) URL with a host, no credentials, no whitespace; '' when empty."""
	text = clean_text(value, field, max_length, required=required)
	if not text:
		return ""
	if any(ch.isspace() for ch in text):
		raise InvalidField(_("{0} must be a valid http(s) URL"), field, field)
	try:
		parts = urlsplit(text)
		port = parts.port  # raises on a bad port
	except ValueError:
		raise InvalidField(_("{0} must be a valid http(s) URL"), field, field) from None
	if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
		raise InvalidField(_("{0} must be a valid http(s) URL"), field, field)
	if parts.username or parts.password:
		raise InvalidField(_("{0} must not contain a user name or password"), field, field)
	del port
	return text


def url_host(url: str) -> str:
	return (urlsplit(url).hostname or "").lower().rstrip(".")


def host_allowed(host: str, allowed: set[str] | frozenset[str] | tuple) -> bool:
	"""``host`` equals an allowed host or is a subdomain of one."""
	host = host.lower().rstrip(".")
	return any(host == item or host.endswith("." + item) for item in allowed)


def slugify(text: str) -> str:
	"""A URL slug suggestion: ASCII, lowercase, words joined by '-'."""
	# no suggestion from what is not text (a JSON true): the field's own check refuses it
	ascii_text = (
		unicodedata.normalize("NFKD", text if isinstance(text, str) else "")
		.encode("ascii", "ignore")
		.decode()
	)
	return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_SLUG].strip("-")


YES = ("1", "true", "yes", "on")  # a yes/no value sent as text (a form field, a query)


def is_yes(value) -> bool:
	"""A yes/no value as requests and forms send it: text is yes when one of ``YES``
	(any case, trimmed), anything else by its truth (a JSON true or 1)."""
	if isinstance(value, str):
		return value.strip().lower() in YES
	return bool(value)


def clean_slug(value, field: str = "slug") -> str:
	text = clean_text(value, field, MAX_SLUG, required=True)
	if not _SLUG.match(text):
		raise InvalidField(
			_("{0} may contain only lowercase letters, digits and single hyphens, e.g. {1}"),
			field,
			field,
			slugify(text) or "my-link",
		)
	return text


def clean_choice(value, field: str, choices: tuple, *, default=None):
	if value in (None, "") and default is not None:
		return default
	for choice in choices:
		if isinstance(value, str) and value.strip().lower() == str(choice).lower():
			return choice
	raise InvalidField(_("{0} must be one of: {1}"), field, field, ", ".join(map(str, choices)))


def clean_int(value, field: str, low: int, high: int, *, default: int | None = None) -> int:
	if value in (None, "") and default is not None:
		return default
	if isinstance(value, bool):
		raise InvalidField(_("{0} must be a whole number"), field, field)
	if isinstance(value, float) and value.is_integer():
		value = int(value)
	if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
		value = int(value)
	if not isinstance(value, int):
		raise InvalidField(_("{0} must be a whole number"), field, field)
	if not low <= value <= high:
		raise InvalidField(_("{0} must be between {1} and {2}"), field, field, low, high)
	return value


def clean_duration(value, custom=None, field: str = "duration") -> int:
	"""15/30/45/60/90/120, or "Custom" with ``custom`` minutes in 5..720."""
	if isinstance(value, str) and value.strip().lower() == "custom":
		return clean_int(custom, "custom_duration", *CUSTOM_DURATION_RANGE)
	minutes = clean_int(value, field, 1, 10_000)
	if minutes not in STANDARD_DURATIONS:
		raise InvalidField(
			_("{0} must be 15, 30, 45, 60, 90 or 120 minutes, or Custom with a custom duration"), field, field
		)
	return minutes


def clean_phases(values, field: str = "recommended_phases", allowed: tuple[str, ...] = PHASES) -> list[str]:
	"""Subset of the ``allowed`` phases (the site's; the five standard ones by default),
	canonical spelling, first occurrence order."""
	if values in (None, ""):
		return []
	if isinstance(values, str):
		values = [part for part in re.split(r"[,\n]", values) if part.strip()]
	if not isinstance(values, list | tuple):
		raise InvalidField(_("{0} must be a list of phases"), field, field)
	out: list[str] = []
	for value in values:
		phase = clean_choice(value, field, tuple(allowed))
		if phase not in out:
			out.append(phase)
	return out


# files of the system's zone database that are no zone a person lives in: "right/…" counts
# leap seconds (its Europe/Berlin is an hour off in December), "posix/…" repeats the names,
# "localtime" is the server's own zone
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def _known_zones() -> frozenset[str]:
	return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


def clean_timezone(value, field: str = "timezone") -> str:
	"""An IANA zone name of the database's own list, kept by its current name: an old one
	(Asia/Calcutta, as Chromium reports it) becomes the one that replaced it (Asia/Kolkata),
	the name every email then shows."""
	text = clean_text(value, field, 64, required=True)
	try:
		if text != "UTC" and text not in _known_zones():
			raise ValueError(text)
		get_zone(text)
	except ValueError:
		raise InvalidField(_("{0} is not a known time zone: {1}"), field, field, text) from None
	current = current_name(text)
	return current if current == "UTC" or current in _known_zones() else text


def clean_email(value, field: str = "email", *, required: bool = True) -> str:
	text = clean_text(_decoded(value, field, "NFKC"), field, 254, required=required)
	if text and not _EMAIL.match(text):
		raise InvalidField(_("{0} must be a valid email address"), field, field)
	return text.lower() if text else text


# a phone number as guests write it (the booking page checks the same pattern)
PHONE_PATTERN = r"\+?[0-9 ()./-]{3,40}"
MAX_PHONE = 40


def clean_phone(value, field: str = "phone") -> str:
	text = clean_text(_decoded(value, field, "NFKC"), field, MAX_PHONE)
	if text and not re.fullmatch(PHONE_PATTERN, text):
		raise InvalidField(_("{0} must be a phone number"), field, field)
	return text


_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def clean_color(value, field: str) -> str | None:
	"""A ``#rrggbb`` colour (surrounding spaces dropped), None when empty; anything else —
	a number, a CSS word, a colour with a line break inside — is refused."""
	text = "" if value is None else str(value).strip()
	if not text:
		return None
	if not _HEX_COLOR.fullmatch(text):
		raise InvalidField(_("Pick a colour, such as #2490EF"), field)
	return text


def clean_logo(value, field: str) -> str | None:
	"""A logo a booking page shows: a public file of this site (``/files/…``), None when
	empty. A private file is refused (guests could not see it, and naming one in a field
	would attach it to the host's record: a way to read it), and so is any other address
	(a remote image would let a third party see every guest who opens the page)."""
	text = "" if value is None else str(value).strip()
	if not text:
		return None
	if (
		not text.startswith("/files/")
		or ".." in text
		or any(ch.isspace() or ch in "\"'<>\\?#" for ch in text)
	):
		raise InvalidField(_("Upload the logo as a public file (its address starts with /files/)"), field)
	return text
