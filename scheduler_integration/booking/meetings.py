"""Which connection makes a booking's meeting link, loaded for ``engine.meetings``.

The provider that makes links for a location type is the registry's
(``providers.providers.for_location``); the connections that could make them are the hosts'
own enabled connections to that provider and the account-wide apps (Zoom
Server-to-Server). The rules of choosing live in ``engine.meetings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import frappe
from frappe import _

from scheduler_integration.connections import adapters
from scheduler_integration.core.hosts import bookable_hosts
from scheduler_integration.engine.meetings import Source, choose_source, missing_hosts, via_calendar
from scheduler_integration.providers.providers import ProviderSpec, for_location


@dataclass(frozen=True)
class LinkSource:
	source: Source
	spec: ProviderSpec

	@property
	def connection(self) -> str:
		return self.source.connection

	@property
	def via_calendar(self) -> bool:
		"""The booking's calendar write in this connection makes the link (one event)."""
		return via_calendar(self.source, bool(self.spec.calendar and self.spec.writable))


def sources(hosts, spec: ProviderSpec) -> list[Source]:
	"""Every enabled connection to ``spec`` of ``hosts``, and the account-wide ones."""
	names = frappe.get_all(
		"Scheduler Calendar Connection",
		filters={"provider": spec.label, "enabled": 1},
		or_filters={"host": ("in", list(hosts) or [""]), "account_wide": 1},
		pluck="name",
	)
	return [adapters.link_source(frappe.get_doc("Scheduler Calendar Connection", name)) for name in names]


def link_source(host: str, location_type: str | None) -> LinkSource | None:
	"""The connection that makes ``host``'s links for ``location_type`` (None: the location
	needs no link, or nothing can make it)."""
	spec = for_location(location_type or "")
	if spec is None:
		return None
	source = choose_source(host, spec.name, sources([host], spec))
	return LinkSource(source, spec) if source else None


def assignable_hosts(meeting_type) -> list[str]:
	"""Every host a booking of the type could be given (all of a collective team)."""
	return [u for u in bookable_hosts(meeting_type) if u]


def missing(meeting_type) -> dict[str, str]:
	"""{host: "missing" | "reconnect"} of the type's hosts who cannot get a link now."""
	spec = for_location(meeting_type.location_type or "")
	if spec is None:
		return {}
	hosts = assignable_hosts(meeting_type)
	return missing_hosts(hosts, spec.name, sources(hosts, spec))


def missing_message(meeting_type, gaps: dict[str, str]) -> str:
	"""What to connect before the type can be active, in the user's language."""
	spec = for_location(meeting_type.location_type or "")
	label = _(spec.label) if spec else ""
	names = {u: frappe.utils.get_fullname(u) for u in gaps}
	parts = []
	unconnected = [names[u] for u, state in gaps.items() if state == "missing"]
	stale = [names[u] for u, state in gaps.items() if state == "reconnect"]
	if unconnected:
		parts.append(
			_("connect {0} in a Scheduler Calendar Connection for: {1}").format(label, ", ".join(unconnected))
		)
	if stale:
		parts.append(
			_("reconnect {0} (its authorisation was refused) for: {1}").format(label, ", ".join(stale))
		)
	return _("{0} meetings need a link from {1}: {2}").format(
		_(meeting_type.location_type), label, "; ".join(parts)
	)


def connection_link(meeting_type, gaps: dict[str, str]) -> tuple[str, str]:
	"""(label, desk route) of the form that fixes ``gaps``: a new connection to the provider
	for the signed-in host when they are missing one, else the provider's connections (a
	manager sees everyone's; reconnecting is a button on the connection)."""
	spec = for_location(meeting_type.location_type or "")
	provider = spec.label if spec else ""
	me = frappe.session.user
	if gaps.get(me) == "missing":
		route = "/app/scheduler-calendar-connection/new?" + urlencode({"provider": provider, "host": me})
		return _("Add a {0} connection").format(_(provider)), route
	return (
		_("Open the {0} connections").format(_(provider)),
		f"/app/scheduler-calendar-connection?{urlencode({'provider': provider})}",
	)


def promises_link(meeting_type) -> bool:
	"""May the booking page say the meeting link will come by email?"""
	spec = for_location(meeting_type.location_type or "")
	return bool(spec) and bool(assignable_hosts(meeting_type)) and not missing(meeting_type)
