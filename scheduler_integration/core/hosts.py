"""A host's time zone: one definition for pages, emails, calendars, reports and checks.

The host's Scheduler Profile zone, else the zone of their default availability, else the
site's system zone — never the zone of whoever happens to be signed in.
"""

from __future__ import annotations

import frappe
from frappe.utils import get_system_timezone


def host_timezones(users) -> dict[str, str]:
	"""{user: IANA zone} for every user in ``users`` (two queries whatever their number)."""
	users = sorted({u for u in users if u})
	if not users:
		return {}
	rows = frappe.get_all(
		"Scheduler Profile",
		filters={"user": ("in", users)},
		fields=["user", "timezone", "availability"],
	)
	availability_zone = dict(
		frappe.get_all(
			"Scheduler Availability",
			filters={"name": ("in", [r.availability for r in rows if r.availability] or [""])},
			fields=["name", "timezone"],
			as_list=True,
		)
	)
	system = get_system_timezone()
	out = {user: system for user in users}
	for row in rows:
		out[row.user] = row.timezone or availability_zone.get(row.availability) or system
	return out


def host_timezone(user: str) -> str:
	return host_timezones([user]).get(user) or get_system_timezone()


def user_timezone(user: str) -> str:
	"""The zone a new profile or availability of ``user`` starts with: their own user
	setting, else the system zone."""
	return frappe.db.get_value("User", user, "time_zone") or get_system_timezone()


def type_hosts(meeting_type) -> list[str]:
	"""Who may be booked for a Scheduler Meeting Type (the document): the profile's user of
	an individual type, else the team's hosts who accepted their invitation."""
	if (meeting_type.assignment or "Individual") == "Individual":
		return [meeting_type.user or frappe.db.get_value("Scheduler Profile", meeting_type.profile, "user")]
	return [row.user for row in meeting_type.hosts if row.accepted]
