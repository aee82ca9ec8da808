"""Provider-neutral records the adapters take and return."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..engine.ics import IcsAttendee, IcsEvent
from ..engine.model import Interval
from ..engine.timezones import get_zone
from .errors import ProviderError

__all__ = ["Attendee", "EventChange", "EventDraft", "clean_text", "stable_event_id"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]+@[^@\s<>\"'(),;:\\]+$")
MAX_SUMMARY = 500
MAX_LOCATION = 1000
MAX_DESCRIPTION = 20_000


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
