"""Custom domains of profiles and teams: which one a request's host name serves, and where
the links the app builds for a meeting type or booking point (its domain when it has one).

A request reaches this site under a custom domain once the domain is added to the site:
behind nginx (``bench setup add-domain``; nginx then passes the site's name in
``X-Frappe-Site-Name`` and the domain in ``Host``), or on a bare gunicorn through a link
``sites/<domain> → <site>`` (Frappe then calls the site by the link's name: ``real_site``
is the folder it leads to). Domains are the site administrator's to give (a Scheduler
Manager sets them), never a name the site or the bench already serves
(``served_elsewhere``). Which page a path on it leads to is ``rules.domains``; the page
renderer that serves it is ``www/book/custom_domain.py``.

Which profile or team a host name belongs to is kept per worker process
(``core.versioned_cache``), outdated by the profile and team controllers when a domain is
taken, given up or its owner made (in)active; unknown names are cached as unknown, so a
request for the site's own host name costs one Redis round trip and no query.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import frappe
from frappe import _

from scheduler_integration.core.permissions import is_manager
from scheduler_integration.core.replica import cached_doc
from scheduler_integration.core.versioned_cache import VersionedCache
from scheduler_integration.rules.domains import request_host

PROFILE = "Scheduler Profile"
TEAM = "Scheduler Team"
BOOKING_PAGE = "Scheduler Booking Page"  # a host's extra page
OWNERS = (PROFILE, TEAM, BOOKING_PAGE)  # what a custom domain may serve


@dataclass(frozen=True)
class Scope:
	"""What a custom domain serves: one active profile's, team's or booking page's pages."""

	doctype: str  # one of OWNERS
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
	"""Three queries for any number of host names."""
	found: dict[str, Scope] = {}
	for doctype in OWNERS:
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
	if not name or name in site_names():  # the site's own names are never custom domains
		return None
	return CACHE.get_many([name], _build)[name]


def _host_of(value: str | None) -> str:
	return request_host(urlsplit(value).netloc if value and "://" in value else value)


def real_site() -> str:
	"""The site's own folder name. Served under a custom domain without nginx, the request
	reaches the site through a link ``sites/<domain> → <site>`` and Frappe calls the site
	by the link's name (``frappe.local.site`` is the domain then); the folder it resolves to
	is the site."""
	return os.path.basename(os.path.realpath(frappe.get_site_path()))


def site_names() -> set[str]:
	"""The names this site answers as itself (its folder name and ``host_name``)."""
	names = {real_site()}
	for key in ("host_name", "hostname"):
		if value := frappe.local.conf.get(key):
			names.add(_host_of(value))
	return names - {""}


def served_elsewhere(domain: str) -> bool:
	"""Does the site or the bench already serve ``domain`` as a site: this site's own
	names, the request's host if it is no custom domain, and every other site of the bench
	(its folder, its ``host_name`` and its ``domains``)? A link in the sites folder that
	leads to this site is a custom domain set up for it, not another site."""
	if domain in site_names():
		return True
	request = getattr(frappe.local, "request", None)
	if request is not None and request_host(request.host) == domain and scope_for_host(domain) is None:
		return True  # the name the manager reaches the site's desk by
	sites = frappe.local.sites_path
	me = os.path.realpath(frappe.get_site_path())
	for entry in os.listdir(sites):
		path = os.path.join(sites, entry)
		if not os.path.isfile(os.path.join(path, "site_config.json")) or os.path.realpath(path) == me:
			continue
		if entry.lower() == domain:
			return True
		config = frappe.get_site_config(sites_path=sites, site_path=path)
		names = {_host_of(config.get("host_name")), _host_of(config.get("hostname"))}
		for item in config.get("domains") or []:
			names.add(_host_of(item.get("domain") if isinstance(item, dict) else item))
		if domain in names:
			return True
	return False


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
	type, its booking page's for a type on one of the host's extra pages, else its
	profile's; '' when it has none."""
	if meeting_type.get("team"):
		return _domain_of(TEAM, meeting_type.team)
	if meeting_type.get("booking_page"):
		return _domain_of(BOOKING_PAGE, meeting_type.booking_page)
	return _domain_of(PROFILE, meeting_type.profile)


def site_url(path: str = "") -> str:
	"""The site's own URL. Frappe's ``get_url`` names the request's host when the site has
	no ``host_name``: under a custom domain that is the domain, which serves no other page."""
	if request_scope() is None:
		return frappe.utils.get_url(path)
	host = frappe.local.conf.host_name or frappe.local.conf.hostname or real_site()
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


def booking_page_url(page) -> str:
	"""One of a host's extra pages (a Scheduler Booking Page document)."""
	domain = page.custom_domain if page.get("active") else ""
	return origin(domain) + "/" if domain else site_url(f"/book/{page.slug}")


def type_url(meeting_type) -> str:
	"""Where ``meeting_type`` (a document) is booked: ``/<slug>`` on its custom domain, else
	its team's, its booking page's or its profile's page; '' when its profile is gone."""
	domain = type_domain(meeting_type)
	if domain:
		return f"{origin(domain)}/{meeting_type.slug}"
	if meeting_type.get("team"):
		team = frappe.db.get_value(TEAM, meeting_type.team, "slug")
		if team:
			return site_url(f"/book/team/{team}/{meeting_type.slug}")
	if meeting_type.get("booking_page"):
		page = frappe.db.get_value(BOOKING_PAGE, meeting_type.booking_page, "slug")
		if page:
			return site_url(f"/book/{page}/{meeting_type.slug}")
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
	domain serves its types without a team, a team's domain the team's types, a booking
	page's the types on that page."""
	if scope.doctype == TEAM:
		return meeting_type.get("team") == scope.name
	if scope.doctype == BOOKING_PAGE:
		return meeting_type.get("booking_page") == scope.name and not meeting_type.get("team")
	return meeting_type.profile == scope.name and not meeting_type.get("team")


def taken_elsewhere(domain: str | None, doctype: str, name: str | None) -> bool:
	"""Is ``domain`` another profile's, team's or booking page's? One domain serves one page."""
	if not domain:
		return False
	return any(
		frappe.db.exists(
			other,
			{"custom_domain": domain, "name": ("!=", name or "")}
			if other == doctype
			else {"custom_domain": domain},
		)
		for other in OWNERS
	)


def check_custom_domain(doc, errors) -> None:
	"""A profile's, team's or booking page's ``custom_domain`` on save: set or changed only by a Scheduler
	Manager (a domain takes over every page of that host name), one booking page's each,
	never a name the site or the bench already serves. Errors go to ``errors``."""
	before = doc.get_doc_before_save()
	old = before.custom_domain if before else None
	if (doc.custom_domain or None) == (old or None):
		return
	if not is_manager():
		errors.add(
			"custom_domain",
			_("Only a Scheduler Manager sets custom domains: ask your site administrator"),
		)
		return
	if not doc.custom_domain:
		return
	if taken_elsewhere(doc.custom_domain, doc.doctype, doc.name):
		errors.add("custom_domain", _("This domain is already used by another booking page"))
	elif served_elsewhere(doc.custom_domain):
		errors.add(
			"custom_domain",
			_("{0} is a name this site or another site of this server already answers to").format(
				doc.custom_domain
			),
		)
