"""One small interface for calendar and video providers, and the registry that names them.

Calendar adapters (``CalendarProvider``) answer busy time and write a booking's event;
those that can list changes incrementally (``IncrementalCalendar``) also answer
``changes``. Video adapters (``VideoProvider``) create, move and delete one meeting per
booking. Every method raises the typed errors of ``errors`` (``retryable`` tells the job
whether to try again; ``ProviderUnavailable.retry_after`` how long to wait at least). The
records they take and return (``EventDraft``, ``MeetingDraft``, ``Meeting``) are in
``model``.

Idempotency: a draft's ``uid`` (calendars) or ``key`` (video) is stable per booking, and
each adapter makes a retried create find what the first attempt made instead of
duplicating it (stable event ids, ``transactionId``, Teams ``externalId``, a reference
line in the Zoom agenda: see each adapter).

The registry holds one row per provider, calendar and video alike: whether it has a
calendar (busy time, incremental sync, writes) and a video adapter, which meeting location
types it makes a link for, what credentials its adapters take (``auth``) and, for OAuth
providers, whether it has token sources for a user's own authorisation (``user_tokens``)
and for an account-level app acting for many users (``app_tokens``). Each row's ``load``
imports the provider's adapter modules of this package (ordinary imports, inside the
function: naming a provider loads no HTTP client library). Adding a provider is one module
and one ``ProviderSpec`` row here: the Frappe side (``connections``, the video and
calendar effects, the meeting type's activation check) reads everything it needs from the
row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, TypedDict, runtime_checkable

from ..engine.model import Interval
from ..engine.validation import LocationType
from .errors import ProviderError
from .model import DialIn, EventChange, EventDraft, Meeting, MeetingDraft, generate_passcode

__all__ = [
	"REGISTRY",
	"Adapters",
	"CalendarProvider",
	"DialIn",
	"IncrementalCalendar",
	"Meeting",
	"MeetingDraft",
	"ProviderSpec",
	"VideoProvider",
	"by_label",
	"for_location",
	"generate_passcode",
	"get_spec",
	"provider_info",
	"provider_labels",
]

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


@dataclass(frozen=True)
class Adapters:
	"""What a provider's modules provide: adapter classes (called with the adapter's own
	keyword arguments) and token source factories (keyword arguments ``client_id``,
	``client_secret``, ``token_url`` and ``refresh_token`` + ``scope``, or ``account_id``)."""

	calendar: Callable | None = None
	video: Callable | None = None
	user_tokens: Callable | None = None
	app_tokens: Callable | None = None


_MISSING = {
	"calendar": "{0} has no calendar adapter",
	"video": "{0} has no video adapter",
	"user_tokens": "{0} has no user authorisation",
	"app_tokens": "{0} has no account-level app",
}


# what a provider's adapters take as credentials (``ProviderSpec.auth``)
ProviderAuth = Literal["oauth", "google", "password", "url"]


@dataclass(frozen=True)
class ProviderSpec:
	"""One provider: its label, what it has (``calendar``, ``video``, token sources), the
	location types it makes links for, and ``load``, which imports its adapters.

	``auth`` names what the adapters take as credentials: ``oauth`` a ``TokenSource``
	(``tokens=``), ``google`` google-auth ``credentials=``, ``password`` a URL, user name
	and password, ``url`` a secret feed URL. ``account_user`` is the adapter keyword naming
	whose meetings an app-level token acts on (the host's account)."""

	name: str
	label: str
	load: Callable[[], Adapters]
	calendar: bool = False
	video: bool = False
	locations: tuple[str, ...] = ()
	incremental: bool = False
	writable: bool = False
	auth: ProviderAuth = "oauth"
	user_tokens: bool = False
	app_tokens: bool = False
	account_user: str | None = None

	@property
	def kind(self) -> str:
		if self.calendar and self.video:
			return "both"
		return "calendar" if self.calendar else "video"

	def _adapter(self, part: str):
		if not getattr(self, part):
			raise ProviderError(_MISSING[part], self.label)
		return getattr(self.load(), part)

	def calendar_factory(self):
		return self._adapter("calendar")

	def video_factory(self):
		return self._adapter("video")

	def user_token_factory(self):
		return self._adapter("user_tokens")

	def app_token_factory(self):
		return self._adapter("app_tokens")

	def open_calendar(self, **kwargs) -> CalendarProvider:
		return self.calendar_factory()(**kwargs)

	def open_video(self, **kwargs) -> VideoProvider:
		return self.video_factory()(**kwargs)


def _google() -> Adapters:
	from .google import GoogleCalendar
	from .google_meet import GoogleMeet

	return Adapters(calendar=GoogleCalendar, video=GoogleMeet)


def _microsoft() -> Adapters:
	from .microsoft import MicrosoftCalendar, user_tokens
	from .teams import TeamsMeetings

	return Adapters(calendar=MicrosoftCalendar, video=TeamsMeetings, user_tokens=user_tokens)


def _caldav() -> Adapters:
	from .caldav_client import CalDAVAccount

	return Adapters(calendar=CalDAVAccount)


def _ics() -> Adapters:
	from .ics_feed import ICSFeeds

	return Adapters(calendar=ICSFeeds)


def _zoom() -> Adapters:
	from .zoom import ZoomMeetings, server_to_server_tokens, user_tokens

	return Adapters(video=ZoomMeetings, user_tokens=user_tokens, app_tokens=server_to_server_tokens)


REGISTRY: Mapping[str, ProviderSpec] = {
	spec.name: spec
	for spec in (
		ProviderSpec(
			"google",
			"Google",
			_google,
			calendar=True,
			video=True,
			locations=("Google Meet",),
			incremental=True,
			writable=True,
			auth="google",
		),
		ProviderSpec(
			"microsoft",
			"Microsoft 365",
			_microsoft,
			calendar=True,
			video=True,
			locations=("Microsoft Teams",),
			incremental=True,
			writable=True,
			user_tokens=True,
		),
		ProviderSpec("caldav", "CalDAV", _caldav, calendar=True, writable=True, auth="password"),
		ProviderSpec("ics", "ICS", _ics, calendar=True, auth="url"),
		ProviderSpec(
			"zoom",
			"Zoom",
			_zoom,
			video=True,
			locations=("Zoom",),
			user_tokens=True,
			app_tokens=True,
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


def provider_labels() -> list[str]:
	return [spec.label for spec in REGISTRY.values()]


class ProviderInfo(TypedDict):
	"""What the connection form needs to know of a provider to show the right fields."""

	label: str
	auth: ProviderAuth
	calendar: bool
	writable: bool
	video: bool
	locations: list[LocationType]  # the meeting types' location types it makes links for
	account_app: bool  # an account-level app may act for every host


def provider_info(spec: ProviderSpec) -> ProviderInfo:
	"""What the connection form needs to know of a provider to show the right fields."""
	return {
		"label": spec.label,
		"auth": spec.auth,
		"calendar": spec.calendar,
		"writable": spec.writable,
		"video": spec.video,
		"locations": list(spec.locations),
		"account_app": spec.app_tokens,
	}
