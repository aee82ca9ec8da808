"""Each host's working hours as an engine ``Availability`` (weekly rules, date overrides,
blocked time), loaded for many hosts at once and cached (``core.versioned_cache``).

Both slot reads and the booking transaction use the cache: an entry is outdated the moment
its source changes (and again after that change commits), and what decides a booking —
the host's other bookings — is always re-read from the database under the lock.
A host's entry is outdated whenever one of its sources changes — their Scheduler Profile,
Scheduler Availability, Scheduler Blocked Time or Scheduler Out of Office, or the Holiday
List their profile names (the controllers and ``booking.leave`` call ``invalidate``): every
date of a host's leave is a day off (``engine.out_of_office.with_leave``).
"""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _

from scheduler_integration.booking import leave
from scheduler_integration.core.clock import converter
from scheduler_integration.core.hosts import host_timezones
from scheduler_integration.core.versioned_cache import VersionedCache
from scheduler_integration.engine import Availability
from scheduler_integration.engine.adapters import availability_from_rows
from scheduler_integration.engine.out_of_office import with_leave

# shared between the workers and built when a change commits: after one host's hours
# change, the next reads of a team's month load them once, not once in every worker
CACHE = VersionedCache("scheduler_integration:availability", shared=lambda users: _load(users))


def invalidate(users) -> None:
	CACHE.invalidate(users)


def holiday_list_changed(doc, method=None) -> None:
	"""``doc_events`` of Holiday List and CRM Holiday List: the hours of the hosts whose
	profile names it are read again."""
	invalidate(leave.users_of_holiday_list(doc.doctype, doc.name))


def for_users(users, fresh: bool = False) -> dict[str, Availability]:
	"""{user: Availability} of every user in ``users``; DoesNotExistError when one has no profile."""
	users = list(dict.fromkeys(users))
	if fresh:
		return _load(users)
	return CACHE.get_many(users, _load)


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
	away = leave.leaves_of(users)
	out = {}
	for user in users:
		profile = profiles[user]
		# the rules are wall-clock times of their availability's zone
		zone = availability_zone.get(profile.availability) or zones[user]
		hours = availability_from_rows(zone, weekly[user], overrides[user], blocked[user])
		out[user] = with_leave(hours, away.get(user, ()))
	return out
