"""Custom domains of profiles and teams: which one a request's host name serves, and where
the links the app builds for a meeting type or booking point (its domain when it has one).

A request reaches this site under a custom domain once the domain is added to the site
(``bench setup add-domain``; nginx then passes the site's name in ``X-Frappe-Site-Name``
and the domain in ``Host``). Which page a path on it leads to is ``engine.domains``; the
page renderer that serves it is ``www/book/custom_domain.py``.

Which profile or team a host name belongs to is kept per worker process
(``core.versioned_cache``), outdated by the profile and team controllers when a domain is
taken, given up or its owner made (in)active; unknown names are cached as unknown, so a
request for the site's own host name costs one Redis round trip and no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import frappe

from scheduler_integration.core.replica import cached_doc
from scheduler_integration.core.versioned_cache import VersionedCache
from scheduler_integration.engine.domains import request_host

PROFILE = "Scheduler Profile"
TEAM = "Scheduler Team"


@dataclass(frozen=True)
class Scope:
	"""What a custom domain serves: one active profile's or team's pages."""

	doctype: str  # PROFILE or TEAM
	name: str
	slug: str


CACHE = VersionedCache("scheduler_integration:custom_domain")


def invalidate(domains) -> None:
	"""Outdate these host names (old and new on a change). Frappe remembers URLs that were
	404 (``website_404``): a domain that answered 404 before it was taken must not keep
	doing so."""
	domains = [domain for domain in domains if domain]
	if domains:
		CACHE.invalidate(domains)
		frappe.cache.delete_value("website_404")


def _build(hosts: list[str]) -> dict[str, Scope | None]:
	"""Two queries for any number of host names."""
	found: dict[str, Scope] = {}
	for doctype in (PROFILE, TEAM):
		for row in frappe.get_all(
			doctype,
			filters={"custom_domain": ("in", hosts), "active": 1},
			fields=["name", "slug", "custom_domain"],
		):
			found.setdefault(row.custom_domain, Scope(doctype, row.name, row.slug))
	return {host: found.get(host) for host in hosts}


def scope_for_host(host) -> Scope | None:
	"""The profile or team whose custom domain ``host`` (a ``Host`` header) is, or None."""
	name = request_host(host)
	if not name or name in _site_names():  # the site's own names are never custom domains
		return None
	return CACHE.get_many([name], _build)[name]


def _site_names() -> set[str]:
	names = {frappe.local.site}
	for key in ("host_name", "hostname"):
		if value := frappe.local.conf.get(key):
			names.add(request_host(urlsplit(value).netloc if "://" in value else value))
	return names


def request_scope() -> Scope | None:
	request = getattr(frappe.local, "request", None)
	return scope_for_host(request.host) if request is not None else None


def _domain_of(doctype: str, name: str | None) -> str:
	if not name:
		return ""
	row = frappe.db.get_value(doctype, name, ["custom_domain", "active"], as_dict=True)
	return (row.custom_domain or "") if row and row.active else ""


def type_domain(meeting_type) -> str:
	"""The custom domain that serves ``meeting_type`` (a document): its team's for a team
	type, else its profile's; '' when it has none."""
	if meeting_type.get("team"):
		return _domain_of(TEAM, meeting_type.team)
	return _domain_of(PROFILE, meeting_type.profile)


def site_url(path: str = "") -> str:
	"""The site's own URL. Frappe's ``get_url`` names the request's host when the site has
	no ``host_name``: under a custom domain that is the domain, which serves no other page."""
	if request_scope() is None:
		return frappe.utils.get_url(path)
	host = frappe.local.conf.host_name or frappe.local.conf.hostname or frappe.local.site
	if "://" not in host:
		host = f"{urlsplit(frappe.utils.get_url()).scheme or 'https'}://{host}"
	return host.rstrip("/") + path


def origin(domain: str | None = None) -> str:
	"""``scheme://domain`` (the site's scheme: a custom domain is served like the site), or
	the site's own URL without one."""
	if not domain:
		return site_url()
	return f"{urlsplit(frappe.utils.get_url()).scheme or 'https'}://{domain}"


def profile_url(profile) -> str:
	"""A profile's public page (a Scheduler Profile document)."""
	domain = profile.custom_domain if profile.get("active") else ""
	return origin(domain) + "/" if domain else site_url(f"/book/{profile.slug}")


def team_url(team) -> str:
	"""A team's public page (a Scheduler Team document)."""
	domain = team.custom_domain if team.get("active") else ""
	return origin(domain) + "/" if domain else site_url(f"/book/team/{team.slug}")


def type_url(meeting_type) -> str:
	"""Where ``meeting_type`` (a document) is booked: ``/<slug>`` on its custom domain, else
	its team's or its profile's page; '' when its profile is gone."""
	domain = type_domain(meeting_type)
	if domain:
		return f"{origin(domain)}/{meeting_type.slug}"
	if meeting_type.get("team"):
		team = frappe.db.get_value(TEAM, meeting_type.team, "slug")
		if team:
			return site_url(f"/book/team/{team}/{meeting_type.slug}")
	slug = frappe.db.get_value(PROFILE, meeting_type.profile, "slug")
	return site_url(f"/book/{slug}/{meeting_type.slug}") if slug else ""


def booking_origin(booking) -> str:
	"""The origin of a booking's links (manage page, .ics): its meeting type's domain."""
	if not booking.get("meeting_type"):
		return origin()
	meeting_type = cached_doc("Scheduler Meeting Type", booking.meeting_type)
	return origin(type_domain(meeting_type))


def serves(scope: Scope, meeting_type) -> bool:
	"""Is ``meeting_type`` (a document) one of the pages of ``scope``'s domain? A profile's
	domain serves its types without a team, a team's domain the team's types."""
	if scope.doctype == TEAM:
		return meeting_type.get("team") == scope.name
	return meeting_type.profile == scope.name and not meeting_type.get("team")


def taken_elsewhere(domain: str | None, doctype: str, name: str | None) -> bool:
	"""Is ``domain`` another profile's or team's? One domain serves one page."""
	if not domain:
		return False
	return any(
		frappe.db.exists(
			other,
			{"custom_domain": domain, "name": ("!=", name or "")}
			if other == doctype
			else {"custom_domain": domain},
		)
		for other in (PROFILE, TEAM)
	)
