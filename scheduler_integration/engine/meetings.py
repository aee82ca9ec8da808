"""Meeting links and locations: which connection makes a booking's video link, whether a
booking page may promise one, and which locations need the booker's phone number.

- A location type that is a video service (Zoom, Google Meet, Microsoft Teams) needs a
  connection to the provider that makes its links (``providers.providers.for_location``;
  the caller passes the provider's name in, the engine knows no providers).
- The link of a booking is made in the organiser host's account, by ``choose_source``:
  the host's own usable connection (one that also writes bookings to its calendar first,
  so the host gets one event carrying the link, not two), else an account-wide app of an
  admin (Zoom Server-to-Server), else the host's own connection that waits for a
  reconnect (trying it costs nothing and works again once the host reconnected).
- A connection is usable when it is enabled and its authorisation was not refused.
- Through a calendar write (``via_calendar``) when the chosen connection writes bookings
  to a calendar of a provider that can put its own link on an event (Meet, Teams);
  otherwise the provider's video adapter makes a standalone meeting.
- A meeting type may be activated only when every host who could be assigned has a usable
  source (``missing_hosts``); a booking page promises a link only then (``promises_link``).
- Phone locations ask the booker for a phone number, required (``needs_phone``).
- What guests read of the place: its kind ("Zoom", "In Person"), never the word "Custom": a
  Custom location is its details, once booked (``location_label`` on the booking pages,
  ``location_text`` on the booking).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .i18n import _

__all__ = [
	"CUSTOM_LOCATION",
	"PHONE_LOCATIONS",
	"Source",
	"choose_source",
	"location_label",
	"location_text",
	"missing_hosts",
	"needs_phone",
	"promises_link",
	"via_calendar",
]

PHONE_LOCATIONS = ("Phone",)
CUSTOM_LOCATION = "Custom"


@dataclass(frozen=True)
class Source:
	"""A connection that may make meeting links (loaded by the Frappe side)."""

	connection: str
	provider: str  # the registry name: "zoom", "google", "microsoft"
	host: str  # the user it belongs to
	usable: bool = True  # enabled, and its authorisation was not refused
	writes_bookings: bool = False  # bookings are written to its calendar
	account_wide: bool = False  # an account-level app making meetings for every host


def choose_source(host: str, provider: str, sources: Iterable[Source]) -> Source | None:
	"""The connection that makes ``host``'s meeting links for ``provider`` (None: none)."""
	mine, shared = [], []
	for source in sources:
		if source.provider != provider:
			continue
		if source.host == host and not source.account_wide:
			mine.append(source)
		elif source.account_wide:
			shared.append(source)

	def rank(source: Source):
		return (not source.writes_bookings, source.connection)

	for candidates in (
		[s for s in mine if s.usable],
		[s for s in shared if s.usable],
		mine,
	):
		if candidates:
			return min(candidates, key=rank)
	return None


def via_calendar(source: Source | None, calendar_makes_links: bool) -> bool:
	"""Does the booking's calendar write make the link (rather than a standalone meeting)?
	``calendar_makes_links``: the provider puts its own video link on a calendar event."""
	return bool(source and source.writes_bookings and calendar_makes_links)


def missing_hosts(hosts: Sequence[str], provider: str, sources: Iterable[Source]) -> dict[str, str]:
	"""{host: "missing" | "reconnect"} for each host without a usable source."""
	sources = list(sources)
	out = {}
	for host in hosts:
		source = choose_source(host, provider, sources)
		if source is None:
			out[host] = "missing"
		elif not source.usable:
			out[host] = "reconnect"
	return out


def promises_link(hosts: Sequence[str], provider: str | None, sources: Iterable[Source]) -> bool:
	"""May a booking page say the meeting link will come? Only when a provider makes links
	for the location and every host who could be assigned has a usable source."""
	return bool(provider) and bool(hosts) and not missing_hosts(hosts, provider, sources)


def needs_phone(location_type: str | None) -> bool:
	"""Must the booker give a phone number (the host calls them)?"""
	return (location_type or "") in PHONE_LOCATIONS


def location_label(location_type: str | None, translate: Callable[[str], str]) -> str:
	"""The place as a booking page lists it beside the length, before anyone booked: the
	kind, translated. A Custom location says that its place comes with the booking: its
	details are the host's own words for those who booked (a room's code, a private address),
	shown on the confirmation and in the emails; the word "Custom" means nothing to a guest."""
	if not location_type:
		return ""
	if location_type == CUSTOM_LOCATION:
		return translate(_("Location given after booking"))
	return translate(location_type)


def location_text(location_type: str | None, details: str | None, translate: Callable[[str], str]) -> str:
	"""The place as a booking stores it (emails, calendars, the desk): "Zoom — details"; a
	Custom location is its details alone."""
	kind = translate(location_type) if location_type and location_type != CUSTOM_LOCATION else ""
	return " — ".join(part for part in (kind, (details or "").strip()) if part)
