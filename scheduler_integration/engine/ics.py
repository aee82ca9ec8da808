"""iCalendar (RFC 5545) text for meeting invitations (RFC 5546 iTIP) and a host's feed.

Stdlib only: the text is written here, not by a library, so every byte is ours to check.

* ``build_message(events, method, now)`` → one ``VCALENDAR`` with ``METHOD`` ``REQUEST``,
  ``CANCEL`` or ``PUBLISH`` and one ``VEVENT`` per event (``build_invite(event, …)``: one);
  ``build_feed(events, name, now)`` → a ``METHOD:PUBLISH`` calendar with many;
  ``build_resource(event, now)`` → one event as a calendar server stores it (no
  ``METHOD``, RFC 4791 §4.1). ``now`` (the ``DTSTAMP``) is an argument: the engine has no
  hidden clock.
* A booking of several meetings (a series, a workshop's days) is one ``VEVENT`` per
  meeting, each with its own ``UID`` and ``SEQUENCE``, not one event with an ``RRULE``
  and ``EXDATE``s: each meeting is a booking of its own that moves, is cancelled and
  changes on its own, and one event each says exactly that — a moved meeting is a
  ``REQUEST`` of its UID, a cancelled one a ``CANCEL`` of its UID — where a repeat rule
  needs ``RECURRENCE-ID`` overrides and exceptions that calendar clients apply
  differently (Outlook drops overrides it cannot match, some clients ignore ``EXDATE``
  in an update), and a series that skipped taken meetings, or a workshop over working
  days, has no rule at all.
* ``PUBLISH`` (a file the guest adds to their own calendar, RFC 5546 §3.2.1) carries no
  ``ATTENDEE``: with one, mail clients show an invitation to answer; it names the
  organizer.
* This is the app's one iCalendar writer: invitations, the host feed and the events the
  CalDAV adapter writes. It is written here rather than by the icalendar library because
  the versions Frappe pins differ in how they escape and quote (RFC 6868 among them), and
  the guarantees below must not depend on which one a site runs.
* The ``UID`` is the caller's and must stay the same when a booking moves or is
  cancelled; bump ``sequence`` on every change so clients replace the old copy.
  ``METHOD:CANCEL`` always writes ``STATUS:CANCELLED``.
* Times are aware datetimes written as UTC (``…Z``), whole seconds (microseconds dropped).
* Lines end in CRLF and are folded at 75 octets, never inside a UTF-8 character.

Safety, so guest input can never add a property, a parameter or a component:

* TEXT values (summary, description, location, calendar name, UID) are escaped: ``\\`` →
  ``\\\\``, ``;`` → ``\\;``, ``,`` → ``\\,``, line feed → ``\\n``. CR is dropped; the line
  breaks ``U+0085``, ``U+2028`` and ``U+2029`` (which some parsers split lines on) become
  line feeds; other control characters and lone surrogates are dropped. The stored field
  holds that normalised text, which is exactly what a parser reads back.
* Parameter values (``CN``) are quoted with DQUOTE after removing DQUOTE and every control
  character (CR and LF included); a ``^`` that RFC 6868 would read as an escape
  (``^n``, ``^'``, ``^^``) is written ``^^`` so RFC 6868 parsers read the name unchanged.
* Addresses pass ``validation.clean_email`` (no whitespace, ``:``, ``;``, ``,`` or quotes);
  ``URL`` passes ``validation.clean_url``. Bad values raise ``InvalidField``.
* Extra properties (``properties``, e.g. ``X-SCHEDULER-BOOKING``) have names of the
  ``X-`` form (letters, digits, ``-``) and one-line TEXT values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .errors import InvalidField, InvalidInterval, NaiveDatetime
from .i18n import _
from .timezones import UTC
from .validation import clean_choice, clean_email, clean_int, clean_text, clean_url

__all__ = [
	"METHODS",
	"PARTSTATS",
	"PRODID",
	"ROLES",
	"STATUSES",
	"IcsAttendee",
	"IcsEvent",
	"build_feed",
	"build_invite",
	"build_message",
	"build_resource",
	"escape_text",
	"fold_line",
	"normalize_param",
	"normalize_text",
	"quote_param",
]

PRODID = "-//scheduler_integration//EN"
METHODS = ("REQUEST", "CANCEL", "PUBLISH")
STATUSES = ("CONFIRMED", "CANCELLED", "TENTATIVE")
ROLES = ("REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT", "CHAIR")
PARTSTATS = ("NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED")

MAX_UID = 255
MAX_SEQUENCE = 2_147_483_647
LINE_OCTETS = 75

_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")
# C0 controls except TAB and LF, DEL, C1 controls, lone surrogates.
_TEXT_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_PARAM_DROP = re.compile('["\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]')
_CARET = re.compile(r"\^(?=[n'^])")
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})
_X_NAME = re.compile(r"X-[A-Z0-9-]{1,60}")


def normalize_text(value, field: str) -> str:
	"""The text a TEXT property can carry: line breaks unified to LF, controls dropped."""
	if value is None:
		return ""
	if not isinstance(value, str):
		raise InvalidField(_("{0} must be text"), field, field)
	return _TEXT_DROP.sub("", _LINE_BREAKS.sub("\n", value.replace("\r", "")))


def escape_text(value: str) -> str:
	"""RFC 5545 TEXT escaping of already normalised text."""
	return value.translate(_TEXT_ESCAPES)


def normalize_param(value, field: str) -> str:
	"""The text a quoted parameter value can carry: DQUOTE and control characters removed."""
	if value is None:
		return ""
	if not isinstance(value, str):
		raise InvalidField(_("{0} must be text"), field, field)
	return _PARAM_DROP.sub("", value).strip()


def quote_param(value: str) -> str:
	"""DQUOTE-quote an already normalised parameter value (RFC 6868-safe carets)."""
	return '"' + _CARET.sub("^^", value) + '"'


def fold_line(line: str) -> str:
	"""Fold one content line into physical lines of at most 75 octets, each ending in CRLF.

	Continuation lines start with one space, which counts towards their 75 octets. A
	multi-octet UTF-8 character is never split.
	"""
	out: list[str] = []
	start = 0
	size = 0
	limit = LINE_OCTETS
	for index, char in enumerate(line):
		octets = len(char.encode("utf-8"))
		if size + octets > limit:
			out.append(line[start:index])
			start, size, limit = index, 0, LINE_OCTETS - 1
		size += octets
	out.append(line[start:])
	return "\r\n ".join(out) + "\r\n"


def _instant(value, field: str, *, required: bool = True) -> datetime | None:
	if value is None and not required:
		return None
	if not isinstance(value, datetime):
		raise NaiveDatetime(_("{0} must be a date and time"), field, field)
	if value.tzinfo is None or value.utcoffset() is None:
		raise NaiveDatetime(_("{0} must include a time zone"), field, field)
	return value.astimezone(UTC).replace(microsecond=0)


def _format_instant(value: datetime) -> str:
	return (
		f"{value.year:04d}{value.month:02d}{value.day:02d}"
		f"T{value.hour:02d}{value.minute:02d}{value.second:02d}Z"
	)


@dataclass(frozen=True, slots=True)
class IcsAttendee:
	"""One invited person. ``email`` is validated and lower-cased; ``name`` is made safe."""

	email: str
	name: str = ""
	role: str = "REQ-PARTICIPANT"
	partstat: str = "NEEDS-ACTION"
	rsvp: bool = True

	def __post_init__(self):
		object.__setattr__(self, "email", clean_email(self.email, "attendee_email"))
		object.__setattr__(self, "name", normalize_param(self.name, "attendee_name"))
		object.__setattr__(self, "role", clean_choice(self.role, "role", ROLES))
		object.__setattr__(self, "partstat", clean_choice(self.partstat, "partstat", PARTSTATS))
		if not isinstance(self.rsvp, bool):
			raise InvalidField(_("{0} must be true or false"), "rsvp", "rsvp")

	def content_line(self) -> str:
		params = f";CN={quote_param(self.name)}" if self.name else ""
		return (
			f"ATTENDEE{params};ROLE={self.role};PARTSTAT={self.partstat}"
			f";RSVP={'TRUE' if self.rsvp else 'FALSE'}:mailto:{self.email}"
		)


@dataclass(frozen=True, slots=True)
class IcsEvent:
	"""One meeting as a ``VEVENT``; validated and normalised on construction.

	``start``/``end`` are stored as UTC instants in whole seconds; text fields hold the
	normalised text (see ``normalize_text``); ``attendees`` becomes a tuple.
	"""

	uid: str
	start: datetime
	end: datetime
	summary: str
	description: str = ""
	location: str = ""
	url: str = ""
	organizer_email: str = ""
	organizer_name: str = ""
	attendees: tuple[IcsAttendee, ...] = ()
	sequence: int = 0
	status: str = "CONFIRMED"
	created: datetime | None = None
	last_modified: datetime | None = None
	properties: tuple[tuple[str, str], ...] = ()

	def __post_init__(self):
		set_ = object.__setattr__
		set_(self, "uid", clean_text(self.uid, "uid", MAX_UID, required=True))
		start = _instant(self.start, "start")
		end = _instant(self.end, "end")
		if end <= start:
			raise InvalidInterval(_("{0} must be after {1}"), "end", "end", "start")
		set_(self, "start", start)
		set_(self, "end", end)
		for name in ("summary", "description", "location"):
			set_(self, name, normalize_text(getattr(self, name), name))
		set_(self, "url", clean_url(self.url, "url"))
		set_(self, "organizer_email", clean_email(self.organizer_email, "organizer_email", required=False))
		set_(self, "organizer_name", normalize_param(self.organizer_name, "organizer_name"))
		attendees = self.attendees
		if attendees is None:
			attendees = ()
		if isinstance(attendees, IcsAttendee | str) or not isinstance(attendees, Iterable):
			raise InvalidField(_("{0} must be a list of attendees"), "attendees", "attendees")
		attendees = tuple(attendees)
		if not all(isinstance(item, IcsAttendee) for item in attendees):
			raise InvalidField(_("{0} must be a list of attendees"), "attendees", "attendees")
		set_(self, "attendees", attendees)
		set_(self, "sequence", clean_int(self.sequence, "sequence", 0, MAX_SEQUENCE, default=0))
		set_(self, "status", clean_choice(self.status, "status", STATUSES))
		set_(self, "created", _instant(self.created, "created", required=False))
		set_(self, "last_modified", _instant(self.last_modified, "last_modified", required=False))
		set_(self, "properties", _properties(self.properties))

	def content_lines(self, stamp: datetime, status: str | None = None, attendees: bool = True) -> list[str]:
		"""The ``VEVENT`` as unfolded content lines; ``status`` overrides ``self.status``;
		without ``attendees`` no ``ATTENDEE`` is written."""
		lines = [
			"BEGIN:VEVENT",
			f"UID:{escape_text(self.uid)}",
			f"SEQUENCE:{self.sequence}",
			f"DTSTAMP:{_format_instant(stamp)}",
			f"DTSTART:{_format_instant(self.start)}",
			f"DTEND:{_format_instant(self.end)}",
			f"SUMMARY:{escape_text(self.summary)}",
		]
		if self.description:
			lines.append(f"DESCRIPTION:{escape_text(self.description)}")
		if self.location:
			lines.append(f"LOCATION:{escape_text(self.location)}")
		if self.url:
			lines.append(f"URL:{self.url}")
		if self.organizer_email:
			cn = f";CN={quote_param(self.organizer_name)}" if self.organizer_name else ""
			lines.append(f"ORGANIZER{cn}:mailto:{self.organizer_email}")
		if attendees:
			lines.extend(attendee.content_line() for attendee in self.attendees)
		lines.append(f"STATUS:{status or self.status}")
		if self.created:
			lines.append(f"CREATED:{_format_instant(self.created)}")
		if self.last_modified:
			lines.append(f"LAST-MODIFIED:{_format_instant(self.last_modified)}")
		lines.extend(f"{name}:{escape_text(value)}" for name, value in self.properties)
		lines.append("END:VEVENT")
		return lines


def _properties(value) -> tuple[tuple[str, str], ...]:
	"""Extra ``X-`` properties as (NAME, one-line text) pairs."""
	if isinstance(value, dict):
		value = tuple(value.items())
	if isinstance(value, str) or not isinstance(value, Iterable):
		raise InvalidField(_("{0} must be a list of name and value pairs"), "properties", "properties")
	pairs = []
	for item in value:
		if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
			raise InvalidField(_("{0} must be a list of name and value pairs"), "properties", "properties")
		name = item[0].upper()
		if not _X_NAME.fullmatch(name):
			raise InvalidField(_("{0} must look like X-NAME: {1}"), "properties", "properties", name[:70])
		pairs.append((name, " ".join(normalize_text(item[1], name).split("\n"))))
	return tuple(pairs)


def _calendar(method: str | None, body: list[str], extra: tuple[str, ...] = ()) -> str:
	lines = [
		"BEGIN:VCALENDAR",
		f"PRODID:{PRODID}",
		"VERSION:2.0",
		"CALSCALE:GREGORIAN",
		*([f"METHOD:{method}"] if method else []),
		*extra,
		*body,
		"END:VCALENDAR",
	]
	return "".join(fold_line(line) for line in lines)


def _check_event(event) -> IcsEvent:
	if not isinstance(event, IcsEvent):
		raise InvalidField(_("{0} must be a calendar event"), "event", "event")
	return event


def build_invite(event: IcsEvent, method: str = "REQUEST", now: datetime | None = None) -> str:
	"""An iTIP message (or a one-event ``PUBLISH``) for ``event``, stamped ``now``
	(``build_message`` of one event)."""
	return build_message((_check_event(event),), method, now)


def build_message(events: Iterable[IcsEvent], method: str = "REQUEST", now: datetime | None = None) -> str:
	"""One iTIP message for ``events`` (one ``VEVENT`` each, in input order), stamped ``now``.

	``REQUEST`` and ``CANCEL`` need an organizer on every event; ``REQUEST`` needs at least
	one attendee on each (RFC 5546 §3.2). ``CANCEL`` writes ``STATUS:CANCELLED`` whatever an
	event's status says; ``PUBLISH`` leaves out every ``ATTENDEE``. UIDs must be unique in
	the message and there must be at least one event.
	"""
	if isinstance(events, IcsEvent | str) or not isinstance(events, Iterable):
		raise InvalidField(_("{0} must be a list of calendar events"), "events", "events")
	events = [_check_event(event) for event in events]
	method = clean_choice(method, "method", METHODS)
	stamp = _instant(now, "now")
	if not events:
		raise InvalidField(_("{0} is required"), "events", "events")
	body: list[str] = []
	seen: set[str] = set()
	status = "CANCELLED" if method == "CANCEL" else None
	for event in events:
		if method in ("REQUEST", "CANCEL") and not event.organizer_email:
			raise InvalidField(_("{0} is required"), "organizer_email", "organizer_email")
		if method == "REQUEST" and not event.attendees:
			raise InvalidField(_("{0} is required"), "attendees", "attendees")
		if event.uid in seen:
			raise InvalidField(_("{0} must be unique in a calendar message: {1}"), "uid", "uid", event.uid)
		seen.add(event.uid)
		body.extend(event.content_lines(stamp, status, attendees=method != "PUBLISH"))
	return _calendar(method, body)


def build_resource(event: IcsEvent, now: datetime) -> str:
	"""``event`` as a calendar object resource (what a CalDAV ``PUT`` stores): no
	``METHOD``, no organizer or attendee needed (RFC 4791 §4.1)."""
	event = _check_event(event)
	return _calendar(None, event.content_lines(_instant(now, "now")))


def build_feed(events: Iterable[IcsEvent], calendar_name: str, now: datetime) -> str:
	"""A ``METHOD:PUBLISH`` calendar (``X-WR-CALNAME``) holding every event, in input order.

	UIDs must be unique within the feed.
	"""
	stamp = _instant(now, "now")
	name = normalize_text(calendar_name, "calendar_name")
	body: list[str] = []
	seen: set[str] = set()
	for event in events:
		event = _check_event(event)
		if event.uid in seen:
			raise InvalidField(_("{0} must be unique in a calendar feed: {1}"), "uid", "uid", event.uid)
		seen.add(event.uid)
		body.extend(event.content_lines(stamp))
	extra = (f"X-WR-CALNAME:{escape_text(name)}",) if name else ()
	return _calendar("PUBLISH", body, extra)


def file_name(title: str, day, cancelled: bool = False) -> str:
	"""A calendar file's name: the meeting's title and its (first) day, so files kept side by
	side say what they are (``intro-call-2026-11-30.ics``; ``cancelled-…`` for a cancellation).
	ASCII only: every browser and mail program keeps it as it is."""
	plain = unicodedata.normalize("NFKD", str(title or "")).encode("ascii", "ignore").decode()
	slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-") or "meeting"
	name = f"cancelled-{slug}" if cancelled else slug
	return f"{name}-{day.isoformat()}.ics" if day else f"{name}.ics"
