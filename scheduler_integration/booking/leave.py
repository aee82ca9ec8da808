"""A host's time away (rules: ``engine.out_of_office``), loaded: their Scheduler Out of
Office records and the dates of the Holiday List their profile names (ERPNext's *Holiday
List* or Frappe CRM's *CRM Holiday List*).

- ``leaves_of``: every leave of some hosts from a date on, for their working hours
  (``booking.availability`` makes each date a day off; cached with the hours, outdated by
  the Out of Office controller, the profile, and a change of a Holiday List);
- ``cover_windows`` / ``host_at`` / ``away_at``: who covers a host's leave, read fresh
  for the window a slot read or a booking looks at (one indexed query each); only a
  colleague who agreed and whose profile is active covers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import frappe

from scheduler_integration.core.hosts import host_timezones, taking_meetings
from scheduler_integration.engine.out_of_office import Leave, delegate_on, leave_windows, local_date

DOCTYPE = "Scheduler Out of Office"
# the holiday lists a profile may name: (DocType, its table of dates, the date column)
HOLIDAY_LISTS = {"Holiday List": ("Holiday", "holiday_date"), "CRM Holiday List": ("CRM Holiday", "date")}
# how far back leaves are loaded with a host's hours: a slot read never looks further
HISTORY = timedelta(days=31)


def _records(users, since: date, until: date | None = None, delegated: bool = False) -> list:
	filters = {"user": ("in", list(users) or [""]), "to_date": (">=", since)}
	if until:
		filters["from_date"] = ("<=", until)
	if delegated:
		filters["delegate"] = ("is", "set")
		filters["delegate_status"] = "Accepted"
	rows = frappe.get_all(
		DOCTYPE, filters=filters, fields=["user", "from_date", "to_date", "delegate", "delegate_status"]
	)
	active = taking_meetings({row.delegate for row in rows if row.delegate})
	for row in rows:  # a colleague covers only once they agreed, and while they take bookings
		if row.delegate_status != "Accepted" or row.delegate not in active:
			row.delegate = None
	if delegated:
		rows = [row for row in rows if row.delegate]
	return rows


def covered_by(user: str) -> list[str]:
	"""The hosts whose leave from yesterday on ``user`` agreed to cover (their hours' cache
	keeps who covers them: outdated when ``user``'s profile changes)."""
	return frappe.get_all(
		DOCTYPE,
		filters={
			"delegate": user,
			"delegate_status": "Accepted",
			"to_date": (">=", frappe.utils.add_days(frappe.utils.getdate(), -1)),
		},
		pluck="user",
		distinct=True,
	)


def _holidays(users, since: date) -> dict[str, list[Leave]]:
	out: dict[str, list[Leave]] = defaultdict(list)
	profiles = frappe.get_all(
		"Scheduler Profile",
		filters={"user": ("in", list(users) or [""]), "holiday_list": ("is", "set")},
		fields=["user", "holiday_list_type", "holiday_list"],
	)
	for row in profiles:
		table = HOLIDAY_LISTS.get(row.holiday_list_type)
		if not table or not frappe.db.exists("DocType", table[0]):
			continue
		child, column = table
		for day in frappe.get_all(
			child,
			filters={"parenttype": row.holiday_list_type, "parent": row.holiday_list, column: (">=", since)},
			pluck=column,
		):
			out[row.user].append(Leave(day, day))
	return out


def leaves_of(users, today: date | None = None) -> dict[str, list[Leave]]:
	"""{user: [Leave]} of every leave and listed holiday from a month ago on."""
	since = (today or frappe.utils.getdate()) - HISTORY
	out = _holidays(users, since)
	for row in _records(users, since):
		out[row.user].append(Leave(row.from_date, row.to_date, row.delegate or None))
	return dict(out)


def _delegating(user: str, lo: datetime, hi: datetime) -> list[Leave]:
	# written out: it runs on every slot search (a kept answer keeps its result), and
	# get_all's query building cost more than the database spent answering
	rows = frappe.db.sql(
		f"""select o.from_date, o.to_date, o.delegate from `tab{DOCTYPE}` o
		join `tabScheduler Profile` p on p.user = o.delegate and p.active = 1
		join `tabUser` u on u.name = o.delegate and u.enabled = 1
		where o.user = %(user)s and o.to_date >= %(since)s and o.from_date <= %(until)s
			and o.delegate_status = 'Accepted'""",
		{"user": user, "since": lo.date() - timedelta(days=1), "until": hi.date() + timedelta(days=1)},
	)
	return [Leave(from_date, to_date, delegate) for from_date, to_date, delegate in rows]


def cover_windows(user: str, lo: datetime, hi: datetime) -> list[tuple[str, object]]:
	"""(colleague, instants) of each leave of ``user`` a colleague covers, inside [lo, hi)."""
	leaves = _delegating(user, lo, hi)
	if not leaves:
		return []
	zone = host_timezones([user])[user]
	out = []
	for leave in leaves:
		for window in leave_windows([leave], zone):
			if window.start < hi and window.end > lo:
				out.append((leave.delegate, window))
	return out


def host_at(user: str, start: datetime) -> str:
	"""Who hosts ``user``'s own meeting at ``start``: ``user``, or the colleague covering."""
	zone = host_timezones([user])[user]
	day = local_date(start, zone)
	rows = _records([user], day, day, delegated=True)
	return delegate_on([Leave(r.from_date, r.to_date, r.delegate) for r in rows], day) or user


def away_at(users, start: datetime) -> dict[str, str | None]:
	"""{host: colleague or None} of the hosts on leave at ``start`` (each on their own clock:
	``core.hosts.host_timezones``). Every round-robin booking asks it of its whole team
	(``booking.check``): the leave near ``start`` in one query written out (``get_all``
	builds its query and reads meta on every call), the zones only of those who have some."""
	users = sorted({u for u in users if u})
	if not users:
		return {}
	rows = frappe.db.sql(
		f"""select user, from_date, to_date, delegate, delegate_status from `tab{DOCTYPE}`
		where user in %(users)s and to_date >= %(lo)s and from_date <= %(hi)s""",
		# every zone's date of ``start`` is within a day of its UTC date
		{"users": users, "lo": start.date() - timedelta(days=1), "hi": start.date() + timedelta(days=1)},
		as_dict=True,
	)
	if not rows:
		return {}
	zones = host_timezones({row.user for row in rows})
	active = taking_meetings({row.delegate for row in rows if row.delegate})
	out: dict[str, str | None] = {}
	for row in rows:
		if row.from_date <= local_date(start, zones[row.user]) <= row.to_date:
			# a colleague covers only once they agreed, and while they take bookings
			covering = row.delegate if row.delegate_status == "Accepted" and row.delegate in active else None
			out[row.user] = out.get(row.user) or covering or None
	return out


def users_of_holiday_list(doctype: str, name: str) -> list[str]:
	return frappe.get_all(
		"Scheduler Profile", filters={"holiday_list_type": doctype, "holiday_list": name}, pluck="user"
	)
