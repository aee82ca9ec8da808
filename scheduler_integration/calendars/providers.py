"""One small interface for calendar and video providers, and the registry that names them.

Calendar adapters (``CalendarProvider``) answer busy time and write a booking's event;
those that can list changes incrementally (``IncrementalCalendar``) also answer
``changes``. Video adapters (``VideoProvider``) create, move and delete one meeting per
booking. Every method raises the typed errors of ``errors`` (``retryable`` tells the job
whether to try again; ``ProviderUnavailable.retry_after`` how long to wait at least).

Idempotency: a draft's ``uid`` (calendars) or ``key`` (video) is stable per booking, and
each adapter makes a retried create find what the first attempt made instead of
duplicating it (stable event ids, ``transactionId``, Teams ``externalId``, a reference
line in the Zoom agenda: see each adapter).

The registry maps a provider name to its adapters' factories (imported lazily, so naming a
provider imports nothing heavy) and says which meeting location types it can make a link
for, what credentials its adapters take (``auth``) and, for OAuth providers, the factories
of their token sources (``user_tokens`` for a user's own authorisation, ``app_tokens`` for
an account-level app acting for many users). Adding a provider is one module and one
``ProviderSpec`` row here: the Frappe side (connections, the video and calendar effects,
the meeting type's activation check) reads everything it needs from the row.
"""

from __future__ import annotations

import importlib
import re
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from ..engine.model import Interval
from ..engine.timezones import get_zone
from .errors import ProviderError
from .model import Attendee, EventChange, EventDraft, clean_text

__all__ = [
	"REGISTRY",
	"CalendarProvider",
	"DialIn",
	"IncrementalCalendar",
	"Meeting",
	"MeetingDraft",
	"ProviderSpec",
	"VideoProvider",
	"by_label",
	"for_location",
	"get_spec",
]

MAX_TOPIC = 300
MAX_AGENDA = 10_000
PASSWORD_POLICIES = ("provider", "generate")
_KEY = re.compile(r"[A-Za-z0-9._@-]{1,200}")


# --- records -------------------------------------------------------------------------------


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


# --- interfaces ----------------------------------------------------------------------------


@runtime_checkable
class CalendarProvider(Protocol):
	name: str

	def busy(self, calendars: Sequence[str], start: datetime, end: datetime, zone: str) -> list[Interval]:
		"""Busy time of the calendars in [start, end), merged; all-day events block whole
		days on ``zone``'s clock."""
		...

	def write(
		self, calendar: str, draft: EventDraft, event_id: str | None = None, with_meeting: bool = False
	) -> tuple[str, Meeting | None]:
		"""Create the event, or replace the one with ``event_id``; (event id, meeting or None).
		``with_meeting`` asks the provider's own video link (Meet, Teams) on the event;
		None when it has none (yet)."""
		...

	def delete(self, calendar: str, draft: EventDraft | None = None, event_id: str | None = None) -> bool:
		"""Delete the event; False when it was already gone."""
		...


@runtime_checkable
class IncrementalCalendar(CalendarProvider, Protocol):
	def changes(self, calendar: str, token: str | None, zone: str) -> tuple[list[EventChange], str | None]:
		"""Events changed since ``token`` (everything without one) and the next token.
		``FullSyncRequired`` when the token is no longer valid: call again without it and
		replace everything stored for the calendar."""
		...


@runtime_checkable
class VideoProvider(Protocol):
	name: str

	def create_meeting(self, draft: MeetingDraft) -> Meeting: ...

	def update_meeting(self, meeting_id: str, draft: MeetingDraft) -> Meeting:
		"""Move / rename the meeting; ``MeetingNotFound`` when it is gone."""
		...

	def delete_meeting(self, meeting_id: str) -> bool:
		"""Delete the meeting; False when it was already gone."""
		...


# --- registry --------------------------------------------------------------------------------


def _load(path: str):
	module, _, attribute = path.partition(":")
	return getattr(importlib.import_module(module), attribute)


@dataclass(frozen=True)
class ProviderSpec:
	"""One provider: its label, its adapters (``module:attribute`` factories, called with
	the adapter's own keyword arguments) and the location types it makes links for.

	``auth`` names what the adapters take as credentials: ``oauth`` a ``TokenSource``
	(``tokens=``), ``google`` google-auth ``credentials=``, ``password`` a URL, user name
	and password, ``url`` a secret feed URL. ``user_tokens`` / ``app_tokens`` are
	factories of token sources (keyword arguments ``client_id``, ``client_secret``,
	``token_url`` and ``refresh_token`` + ``scope``, or ``account_id``);
	``account_user`` is the adapter keyword naming whose meetings an app-level token
	acts on (the host's account)."""

	name: str
	label: str
	calendar: str | None = None
	video: str | None = None
	locations: tuple[str, ...] = ()
	incremental: bool = False
	writable: bool = False
	auth: str = "oauth"  # oauth | google | password | url
	user_tokens: str | None = None
	app_tokens: str | None = None
	account_user: str | None = None

	@property
	def kind(self) -> str:
		if self.calendar and self.video:
			return "both"
		return "calendar" if self.calendar else "video"

	def calendar_factory(self):
		if not self.calendar:
			raise ProviderError("{0} has no calendar adapter", self.label)
		return _load(self.calendar)

	def video_factory(self):
		if not self.video:
			raise ProviderError("{0} has no video adapter", self.label)
		return _load(self.video)

	def user_token_factory(self):
		if not self.user_tokens:
			raise ProviderError("{0} has no user authorisation", self.label)
		return _load(self.user_tokens)

	def app_token_factory(self):
		if not self.app_tokens:
			raise ProviderError("{0} has no account-level app", self.label)
		return _load(self.app_tokens)

	def open_calendar(self, **kwargs) -> CalendarProvider:
		return self.calendar_factory()(**kwargs)

	def open_video(self, **kwargs) -> VideoProvider:
		return self.video_factory()(**kwargs)


_APP = "scheduler_integration"
REGISTRY: Mapping[str, ProviderSpec] = {
	spec.name: spec
	for spec in (
		ProviderSpec(
			"google",
			"Google",
			calendar=f"{_APP}.calendars.google:GoogleCalendar",
			video=f"{_APP}.video.google_meet:GoogleMeet",
			locations=("Google Meet",),
			incremental=True,
			writable=True,
			auth="google",
		),
		ProviderSpec(
			"microsoft",
			"Microsoft 365",
			calendar=f"{_APP}.calendars.microsoft:MicrosoftCalendar",
			video=f"{_APP}.video.teams:TeamsMeetings",
			locations=("Microsoft Teams",),
			incremental=True,
			writable=True,
			user_tokens=f"{_APP}.calendars.microsoft:user_tokens",
		),
		ProviderSpec(
			"caldav",
			"CalDAV",
			calendar=f"{_APP}.calendars.caldav_client:CalDAVAccount",
			writable=True,
			auth="password",
		),
		ProviderSpec("ics", "ICS", calendar=f"{_APP}.calendars.ics_feed:ICSFeeds", auth="url"),
		ProviderSpec(
			"zoom",
			"Zoom",
			video=f"{_APP}.video.zoom:ZoomMeetings",
			locations=("Zoom",),
			user_tokens=f"{_APP}.video.zoom:user_tokens",
			app_tokens=f"{_APP}.video.zoom:server_to_server_tokens",
			account_user="user_id",
		),
	)
}


def get_spec(name: str) -> ProviderSpec:
	try:
		return REGISTRY[name]
	except KeyError:
		raise ProviderError("Unknown provider {0!r}", str(name)[:50]) from None


def by_label(label: str) -> ProviderSpec:
	"""The provider whose label is ``label`` (what a connection stores)."""
	for spec in REGISTRY.values():
		if spec.label == label:
			return spec
	raise ProviderError("Unknown provider {0!r}", str(label)[:50])


def for_location(location_type: str) -> ProviderSpec | None:
	"""The provider that makes links for a meeting location type ("Zoom", "Google Meet"...)."""
	for spec in REGISTRY.values():
		if location_type in spec.locations:
			return spec
	return None
