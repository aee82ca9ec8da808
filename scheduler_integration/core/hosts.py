"""A host's time zone: one definition for pages, emails, calendars, reports and checks.

The host's Scheduler Profile zone, else the zone of their default availability, else the
site's system zone — never the zone of whoever happens to be signed in.

One zone per host: new working hours start in the profile's zone (``new_hours_timezone``),
the desk shows a host's times in it with its name (``when_label``), and the host's own
Frappe User follows it (``follow_profile_zone``), so the desk's Datetime fields, its
calendar view and Frappe CRM, which all show the User's zone, show the same clock.
"""

from __future__ import annotations

from datetime import datetime

import frappe
from frappe.utils import formatdate, get_system_timezone

from scheduler_integration.core.clock import to_utc
from scheduler_integration.engine.timezones import get_zone


def host_timezones(users) -> dict[str, str]:
	"""{user: IANA zone} for every user in ``users``: their profile's zone, else their
	working hours', else the system's. One query whatever their number, written out: every
	booking asks it (its fresh calendar read, its answer), and two ``get_all`` calls, each
	building its query and reading the doctypes' meta, cost a booking in a burst more than
	the database spent answering."""
	users = sorted({u for u in users if u})
	if not users:
		return {}
	rows = frappe.db.sql(
		"""select p.user, coalesce(nullif(p.timezone, ''), nullif(a.timezone, '')) as zone
		from `tabScheduler Profile` p
		left join `tabScheduler Availability` a on a.name = p.availability
		where p.user in %(users)s""",
		{"users": users},
	)
	system = get_system_timezone()
	out = dict.fromkeys(users, system)
	out.update({user: zone for user, zone in rows if zone})
	return out


def host_timezone(user: str) -> str:
	return host_timezones([user]).get(user) or get_system_timezone()


def user_timezone(user: str) -> str:
	"""The zone a new profile of ``user`` starts with: their own user setting, else the
	system zone (new hours start in the profile's: ``new_hours_timezone``)."""
	return frappe.db.get_value("User", user, "time_zone") or get_system_timezone()


def new_hours_timezone(user: str) -> str:
	"""The zone new working hours of ``user`` start in: their profile's; without a profile
	yet, their own user setting, else the system zone."""
	zone = frappe.db.get_value("Scheduler Profile", {"user": user}, "timezone")
	return zone or user_timezone(user)


def follow_profile_zone(user: str, zone: str | None = None) -> bool:
	"""Set ``user``'s own time zone (User → Time Zone) to their profile's (or ``zone``):
	the desk and Frappe CRM show every Datetime in it. True when it changed."""
	zone = zone or frappe.db.get_value("Scheduler Profile", {"user": user}, "timezone")
	if not zone or frappe.db.get_value("User", user, "time_zone") == zone:
		return False
	frappe.db.set_value("User", user, "time_zone", zone)
	frappe.clear_cache(user=user)  # the desk's boot carries the zone
	return True


def when_label(start: datetime, end: datetime | None, zone: str) -> str:
	"""A meeting's time on ``zone``'s clock with the zone's name: "Tue 1 Dec 2026,
	10:00–10:30 (Europe/Berlin)". ``start``/``end``: stored (system zone) or aware."""
	tz = get_zone(zone)
	lo = to_utc(start).astimezone(tz)
	text = f"{formatdate(lo.date(), 'EEE d MMM yyyy')}, {lo:%H:%M}"
	if end:
		hi = to_utc(end).astimezone(tz)
		text += (
			f"–{hi:%H:%M}"
			if hi.date() == lo.date()
			else f" – {formatdate(hi.date(), 'EEE d MMM yyyy')}, {hi:%H:%M}"
		)
	return f"{text} ({zone})"


def type_hosts(meeting_type) -> list[str]:
	"""The hosts of a Scheduler Meeting Type (the document): the profile's user of an
	individual type, else the team's hosts who accepted their invitation. Who may see and
	manage the type; who may be booked for it is ``bookable_hosts``."""
	if (meeting_type.assignment or "Individual") == "Individual":
		return [meeting_type.user or frappe.db.get_value("Scheduler Profile", meeting_type.profile, "user")]
	return [row.user for row in meeting_type.hosts if row.accepted]


def taking_meetings(users) -> set[str]:
	"""Those of ``users`` who take meetings now: their User is enabled and their Scheduler
	Profile active (DESIGN invariant 15). Two queries whatever their number."""
	users = sorted({u for u in users if u})
	if not users:
		return set()
	enabled = frappe.get_all("User", filters={"name": ("in", users), "enabled": 1}, pluck="name")
	if not enabled:
		return set()
	return set(
		frappe.get_all("Scheduler Profile", filters={"user": ("in", enabled), "active": 1}, pluck="user")
	)


def bookable_hosts(meeting_type) -> list[str]:
	"""Who may be offered, booked, routed to or chosen for the type (the document), in its
	order: its hosts (``type_hosts``) who take meetings now (``taking_meetings``). A host
	whose User was disabled or whose profile was switched off is never offered; a type left
	with none offers nothing, as a team type nobody accepted."""
	hosts = type_hosts(meeting_type)
	able = taking_meetings(hosts)
	return [user for user in hosts if user in able]
