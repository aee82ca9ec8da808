"""Provider-neutral records the adapters take and return: events (``EventDraft``,
``EventChange``) and video meetings (``MeetingDraft``, ``Meeting``)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..engine.ics import IcsAttendee, IcsEvent
from ..engine.model import Interval
from ..engine.timezones import get_zone
from .errors import ProviderError

__all__ = [
	"Attendee",
	"DialIn",
	"EventChange",
	"EventDraft",
	"Meeting",
	"MeetingDraft",
	"clean_text",
	"free_busy_batches",
	"generate_passcode",
	"stable_event_id",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]+@[^@\s<>\"'(),;:\\]+$")
MAX_SUMMARY = 500
MAX_LOCATION = 1000
MAX_DESCRIPTION = 20_000
MAX_TOPIC = 300
MAX_AGENDA = 10_000
PASSWORD_POLICIES = ("provider", "generate")
_KEY = re.compile(r"[A-Za-z0-9._@-]{1,200}")


def clean_text(value, limit: int) -> str:
	"""Text for a calendar field: no control characters (tabs and newlines kept), clipped."""
	text = _CONTROL.sub("", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
	return text[:limit]


@dataclass(frozen=True)
class Attendee:
	email: str
	name: str = ""

	def __post_init__(self):
		email = str(self.email or "").strip()
		if len(email) > 254 or not _EMAIL.match(email):
			raise ProviderError("Invalid attendee email address: {0!r}", email[:100])
		object.__setattr__(self, "email", email)
		# a display name ends up inside a quoted iCalendar parameter: no quotes, no line breaks
		name = clean_text(self.name, 200).replace("\n", " ").replace("\t", " ").replace('"', "'")
		object.__setattr__(self, "name", name.strip())


@dataclass(frozen=True)
class EventDraft:
	"""An event to write to a host's calendar (a booking).

	``uid`` should be stable per booking (e.g. derived from the booking name): the CalDAV
	adapter stores the event under it and the Google adapter derives the event id from it,
	so a retried write updates the same event instead of creating a duplicate.
	``timezone`` is the zone the provider shows the event in (the host's).
	``private`` holds provider-private key/values (Google extendedProperties.private,
	``X-SCHEDULER-*`` properties in iCalendar), e.g. the booking name.
	"""

	start: datetime
	end: datetime
	summary: str
	description: str = ""
	location: str = ""
	timezone: str = "UTC"
	attendees: tuple[Attendee, ...] = ()
	uid: str | None = None
	url: str | None = None
	status: str = "confirmed"  # confirmed | tentative
	sequence: int = 0
	private: Mapping[str, str] = field(default_factory=dict)

	def __post_init__(self):
		span = Interval(self.start, self.end)  # aware, end after start
		object.__setattr__(self, "start", span.start)
		object.__setattr__(self, "end", span.end)
		get_zone(self.timezone)
		object.__setattr__(self, "summary", clean_text(self.summary, MAX_SUMMARY).replace("\n", " "))
		object.__setattr__(self, "description", clean_text(self.description, MAX_DESCRIPTION))
		object.__setattr__(self, "location", clean_text(self.location, MAX_LOCATION).replace("\n", " "))
		attendees = tuple(
			a if isinstance(a, Attendee) else Attendee(*a) if isinstance(a, tuple) else Attendee(a)
			for a in self.attendees
		)
		object.__setattr__(self, "attendees", attendees)
		if self.status not in ("confirmed", "tentative"):
			raise ProviderError("Event status must be confirmed or tentative, got {0!r}", self.status)
		if self.uid is not None and not re.fullmatch(r"[A-Za-z0-9._@-]{1,200}", self.uid):
			raise ProviderError("Event uid may hold letters, digits and . _ @ - only: {0!r}", self.uid[:50])
		if self.url is not None and not re.match(r"^https?://[^\s\"<>]+$", self.url):
			raise ProviderError("Event url must be an http(s) URL")
		private = {
			str(k): clean_text(v, 1000).replace("\n", " ").replace("\t", " ")
			for k, v in dict(self.private).items()
		}
		for key in private:
			if not re.fullmatch(r"[A-Za-z0-9_]{1,40}", key):
				raise ProviderError(
					"Private property names may hold letters, digits and _ only: {0!r}", key[:50]
				)
		object.__setattr__(self, "private", private)

	@property
	def interval(self) -> Interval:
		return Interval(self.start, self.end)

	@classmethod
	def from_event(
		cls, event: IcsEvent, *, timezone: str, private: Mapping[str, str] | None = None, without=()
	) -> EventDraft:
		"""The meeting ``event`` (``engine.ics``, the app's one event model) as it goes into a
		host's calendar: shown in ``timezone``, attendees but those in ``without`` (the host
		whose calendar it is)."""
		skip = {email.lower() for email in without if email}
		return cls(
			start=event.start,
			end=event.end,
			summary=event.summary,
			description=event.description,
			location=event.location,
			timezone=timezone,
			attendees=tuple(Attendee(a.email, a.name) for a in event.attendees if a.email not in skip),
			uid=event.uid,
			url=event.url or None,
			status="tentative" if event.status == "TENTATIVE" else "confirmed",
			sequence=event.sequence,
			private=dict(private or {}),
		)

	def as_event(self, uid: str) -> IcsEvent:
		"""This draft as an ``engine.ics`` event (for the one iCalendar writer); ``private``
		values become ``X-SCHEDULER-*`` properties."""
		return IcsEvent(
			uid=uid,
			start=self.start,
			end=self.end,
			summary=self.summary,
			description=self.description,
			location=self.location,
			url=self.url or "",
			attendees=tuple(IcsAttendee(a.email, a.name, rsvp=False) for a in self.attendees),
			sequence=self.sequence,
			status=self.status.upper(),
			properties=tuple(
				("X-SCHEDULER-" + key.upper().replace("_", "-"), value) for key, value in self.private.items()
			),
		)


@dataclass(frozen=True)
class EventChange:
	"""One event reported by an incremental listing (Google events.list with a sync token).

	``busy`` False means the event no longer blocks time (cancelled, deleted, transparent,
	declined): the caller drops whatever it stored for ``id``. When ``busy``, ``interval``
	is the time it blocks.
	"""

	id: str
	busy: bool
	interval: Interval | None = None
	status: str = "confirmed"
	all_day: bool = False
	recurring_event_id: str | None = None
	ical_uid: str | None = None
	updated: datetime | None = None
	private: Mapping[str, str] = field(default_factory=dict)


def stable_event_id(seed: str) -> str:
	"""A Google-compatible event id (base32hex: a-v, 0-9; 32 characters) derived from ``seed``."""
	digest = hashlib.sha256(str(seed).encode("utf-8")).digest()[:20]
	return base64.b32hexencode(digest).decode("ascii").lower().rstrip("=")


@dataclass(frozen=True)
class MeetingDraft:
	"""A video meeting to create for a booking.

	Give ``end`` or ``duration`` (minutes); both are filled in. ``timezone`` is the zone the
	provider shows the meeting in (the host's). ``password`` sets the passcode; without one,
	``password_policy`` ``provider`` leaves it to the provider account's rules (Zoom makes
	one when the account requires it) and ``generate`` makes a random one here.
	``key`` is stable per booking (e.g. the booking name): a retried create finds the
	meeting the first attempt made. ``attendees`` may be given to providers that admit
	invited people directly (Google Meet); nobody is emailed by the provider.
	"""

	topic: str
	start: datetime
	end: datetime | None = None
	duration: int | None = None
	timezone: str = "UTC"
	agenda: str = ""
	password: str | None = None
	password_policy: str = "provider"
	key: str | None = None
	attendees: tuple[Attendee, ...] = ()

	def __post_init__(self):
		if self.end is None:
			if self.duration is None or isinstance(self.duration, bool) or int(self.duration) <= 0:
				raise ProviderError("A meeting needs an end or a positive duration")
			end = self.start + timedelta(minutes=int(self.duration))
		else:
			end = self.end
		span = Interval(self.start, end)  # aware, end after start
		object.__setattr__(self, "start", span.start)
		object.__setattr__(self, "end", span.end)
		minutes = -(-int((span.end - span.start).total_seconds()) // 60)
		object.__setattr__(self, "duration", minutes)
		get_zone(self.timezone)
		topic = clean_text(self.topic, MAX_TOPIC).replace("\n", " ").replace("\t", " ").strip()
		object.__setattr__(self, "topic", topic or "Meeting")
		object.__setattr__(self, "agenda", clean_text(self.agenda, MAX_AGENDA))
		if self.password_policy not in PASSWORD_POLICIES:
			raise ProviderError(
				"password_policy must be one of {0}, got {1!r}",
				", ".join(PASSWORD_POLICIES),
				self.password_policy,
			)
		if self.password is not None and not re.fullmatch(r"[A-Za-z0-9@_*-]{1,10}", self.password):
			raise ProviderError("A meeting passcode has 1-10 letters, digits or @ _ * - characters")
		if self.key is not None and not _KEY.fullmatch(self.key):
			raise ProviderError("Meeting key may hold letters, digits and . _ @ - only: {0!r}", self.key[:50])
		attendees = tuple(
			a if isinstance(a, Attendee) else Attendee(*a) if isinstance(a, tuple) else Attendee(a)
			for a in self.attendees
		)
		object.__setattr__(self, "attendees", attendees)

	def passcode(self) -> str | None:
		"""The passcode to send: the given one, a new random one (``generate``), or None."""
		if self.password:
			return self.password
		if self.password_policy == "generate":
			return generate_passcode()
		return None


def generate_passcode(length: int = 10) -> str:
	"""Random letters and digits (at least one of each): fits Zoom's passcode rules."""
	alphabet = string.ascii_letters + string.digits
	while True:
		code = "".join(secrets.choice(alphabet) for _ in range(length))
		if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
			return code


@dataclass(frozen=True)
class DialIn:
	number: str
	country: str = ""
	pin: str = ""
	label: str = ""


@dataclass(frozen=True)
class Meeting:
	"""A video meeting as the provider made it. Store ``provider`` and ``id`` with the
	booking: they are what ``update_meeting`` / ``delete_meeting`` need."""

	provider: str
	id: str
	join_url: str
	password: str | None = None
	dial_in: tuple[DialIn, ...] = ()
	extra: Mapping[str, str] = field(default_factory=dict)


def free_busy_batches(ids: Iterable[str], start: datetime, end: datetime, max_span: timedelta, max_ids: int):
	"""The requests a free/busy read of a provider takes: [start, end) in spans of at most
	``max_span`` and, in each span, the ids (each once, in order) in chunks of at most
	``max_ids``; yields (span start, span end, chunk)."""
	ids = list(dict.fromkeys(str(i) for i in ids))
	cursor = start
	while cursor < end and ids:
		until = min(cursor + max_span, end)
		for offset in range(0, len(ids), max_ids):
			yield cursor, until, ids[offset : offset + max_ids]
		cursor = until
