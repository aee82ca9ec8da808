"""Each host's working hours as an engine ``Availability`` (weekly rules, date overrides,
blocked time), loaded for many hosts at once and cached in Redis.

Slot reads use the cache; the booking transaction reads fresh from the database
(``fresh=True``), so a stale cache can show a wrong slot but never decide a booking.
The cache entry of a host is dropped whenever one of its sources changes — their
Scheduler Profile, Scheduler Availability or Scheduler Blocked Time (the controllers call
``invalidate``) — at once and again after the commit, so a reader that filled it from the
old rows in between does not keep them.
"""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _

from scheduler_integration.core.clock import converter
from scheduler_integration.core.hosts import host_timezones
from scheduler_integration.engine import Availability
from scheduler_integration.engine.adapters import availability_from_rows

CACHE = "scheduler_integration:availability"


def invalidate(users) -> None:
	users = [u for u in {*users} if u]
	if not users:
		return

	def drop():
		for user in users:
			frappe.cache.hdel(CACHE, user)

	drop()
	frappe.db.after_commit.add(drop)


def for_users(users, fresh: bool = False) -> dict[str, Availability]:
	"""{user: Availability} of every user in ``users``; DoesNotExistError when one has no profile."""
	users = list(dict.fromkeys(users))
	out: dict[str, Availability] = {}
	if not fresh:
		for user in users:
			value = frappe.cache.hget(CACHE, user)
			if value is not None:
				out[user] = value
	missing = [u for u in users if u not in out]
	if missing:
		loaded = _load(missing)
		for user, availability in loaded.items():
			out[user] = availability
			if not fresh:
				frappe.cache.hset(CACHE, user, availability)
	return out


def _load(users: list[str]) -> dict[str, Availability]:
	"""Four queries for any number of hosts."""
	profiles = {
		row.user: row
		for row in frappe.get_all(
			"Scheduler Profile", filters={"user": ("in", users)}, fields=["user", "availability"]
		)
	}
	lacking = [u for u in users if u not in profiles]
	if lacking:
		raise frappe.DoesNotExistError(_("{0} has no Scheduler Profile").format(", ".join(lacking)))
	zones = host_timezones(users)
	availability_names = {row.availability: user for user, row in profiles.items() if row.availability}
	availability_zone = dict(
		frappe.get_all(
			"Scheduler Availability",
			filters={"name": ("in", list(availability_names) or [""])},
			fields=["name", "timezone"],
			as_list=True,
		)
	)
	weekly, overrides, blocked = defaultdict(list), defaultdict(list), defaultdict(list)
	for row in frappe.get_all(
		"Scheduler Availability Rule",
		filters={"parenttype": "Scheduler Availability", "parent": ("in", list(availability_names) or [""])},
		fields=["parent", "weekday", "from_time", "to_time"],
	):
		weekly[availability_names[row.parent]].append(row)
	for row in frappe.get_all(
		"Scheduler Date Override",
		filters={"parenttype": "Scheduler Availability", "parent": ("in", list(availability_names) or [""])},
		fields=["parent", "date", "from_time", "to_time", "unavailable"],
	):
		overrides[availability_names[row.parent]].append(row)
	to_utc = converter()
	for row in frappe.get_all(
		"Scheduler Blocked Time", filters={"user": ("in", users)}, fields=["user", "start", "end", "rrule"]
	):
		if row.start and row.end and row.end > row.start:
			blocked[row.user].append({"start": to_utc(row.start), "end": to_utc(row.end), "rrule": row.rrule})
	out = {}
	for user in users:
		profile = profiles[user]
		# the rules are wall-clock times of their availability's zone
		zone = availability_zone.get(profile.availability) or zones[user]
		out[user] = availability_from_rows(zone, weekly[user], overrides[user], blocked[user])
	return out
