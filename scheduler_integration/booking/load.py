"""Every candidate host's schedule for a window, in a constant number of queries.

A host's bookings are every active booking they are *one of the hosts of* (the Scheduler
Booking Host rows), so a collective booking occupies each of its hosts. Bookings are read
from the database on every call; with ``lock`` they are read with a locking read, which
inside the booking transaction returns the latest committed rows (not the transaction's
snapshot) and keeps them locked until commit.
"""

from __future__ import annotations

from datetime import datetime

import frappe

from scheduler_integration.booking import availability, busy, round_robin
from scheduler_integration.booking.meeting_types import TypeContext
from scheduler_integration.core.clock import converter, to_system
from scheduler_integration.engine import Assignment, Booking, HostSchedule
from scheduler_integration.engine.booking_states import ACTIVE
from scheduler_integration.engine.intervals import subtract
from scheduler_integration.engine.model import MAX_BOOKING, Interval

# Written out rather than built with frappe.qb: it runs on every slot read and booking,
# and building the query cost more CPU than the database spent answering it.
# straight_join and the (user, end) index of the hosts' rows, which carry their booking's
# start, end and buffers: the rows of these hosts ending inside a bounded range, then
# their bookings by primary key. A booking lasts at most ``MAX_BOOKING``, so a row that
# overlaps the window ends before the window's end plus that: both ends of the range are
# bounded and the read never grows with a host's history (left open at the top it read
# every later booking of the host; left to itself MariaDB scanned every booking, and as a
# locking read that locked every booking of the site).
_BOOKINGS = """
	select straight_join h.user, b.meeting_type, h.start, h.end, h.buffer_before, h.buffer_after
	from `tabScheduler Booking Host` h force index (user_end)
	join `tabScheduler Booking` b on b.name = h.parent
	where h.parenttype = 'Scheduler Booking' and h.user in %(users)s
		and h.end > %(start)s and h.end <= %(last_end)s and h.start < %(end)s
		and b.status in %(active)s"""


def bookings_of(
	users, start: datetime, end: datetime, exclude: str | tuple | None = None, lock: bool = False
) -> dict[str, list[Booking]]:
	"""Active bookings of each of ``users`` overlapping [start, end), with their buffers;
	``exclude``: a booking (or several, moving together) left out."""
	out: dict[str, list[Booking]] = {user: [] for user in users}
	if not out:
		return out
	rows = frappe.db.sql(
		_BOOKINGS
		+ (" and b.name not in %(exclude)s" if exclude else "")
		+ " order by b.start"
		+ (" for update" if lock else ""),
		{
			"users": tuple(out),
			"active": tuple(ACTIVE),
			"start": to_system(start),
			"end": to_system(end),
			"last_end": to_system(end + MAX_BOOKING),
			"exclude": (exclude,) if isinstance(exclude, str) else tuple(exclude or ("",)),
		},
	)
	to_utc = converter()
	for user, meeting_type, s, e, before, after in rows:
		out[user].append(Booking(to_utc(s), to_utc(e), int(before or 0), int(after or 0), meeting_type))
	return out


def _without_own_events(external: dict, exclude) -> dict:
	"""The hosts' busy time without the calendar events of the bookings being moved: a
	provider's free/busy answer (Google's) cannot tell the app's own events from others, so
	a booking's own old event would stand in the way of its new time. (Reads of single
	events skip the app's own events already: ``providers``.)"""
	names = (exclude,) if isinstance(exclude, str) else tuple(exclude)
	rows = frappe.db.sql(
		"select user, start, `end` from `tabScheduler Booking Host`"
		" where parenttype = 'Scheduler Booking' and parent in %(names)s",
		{"names": names},
	)
	if not rows:
		return external
	to_utc = converter()
	own: dict[str, list[Interval]] = {}
	for user, s, e in rows:
		if user in external and s and e and e > s:
			own.setdefault(user, []).append(Interval(to_utc(s), to_utc(e)))
	return {
		user: subtract(list(busy_time), own[user]) if user in own else busy_time
		for user, busy_time in external.items()
	}


def schedules(
	ctx: TypeContext,
	start: datetime,
	end: datetime,
	*,
	users=None,
	exclude: str | tuple | None = None,
	lock: bool = False,
	fresh: busy.FreshBusy = busy.NO_FRESH,
	fairness: bool = False,
) -> list[HostSchedule]:
	"""The engine's view of ``users`` (default: the type's candidate hosts) around [start, end).
	With ``fairness`` (a round-robin booking picking its host) each host's count so far."""
	users = list(users if users is not None else ctx.hosts)
	lo, hi = start - ctx.policy.reach, end + ctx.policy.reach  # bookings further out never matter
	# working hours may come from the cache even under the lock (caches never decide a
	# booking: a cache may show a stale slot, but bookings are always re-read with a locking read)
	hours = availability.for_users(users)
	bookings = bookings_of(users, lo, hi, exclude, lock)
	external = busy.intervals(users, lo, hi, fresh, cached=not lock)
	if exclude:
		external = _without_own_events(external, exclude)
	rr = fairness and ctx.assignment is Assignment.ROUND_ROBIN
	stats = round_robin.stats(ctx.name, users) if rr else {}
	out = []
	for user, priority, weight in ranks(ctx, users):
		count, last = stats.get(user, (0, None))
		out.append(
			HostSchedule(
				user,
				hours[user],
				tuple(bookings[user]),
				external.get(user, ()),
				priority=priority,
				weight=weight,
				bookings_so_far=count,
				last_booked_at=last,
			)
		)
	return out


def ranks(ctx: TypeContext, users) -> list[tuple[str, int, int]]:
	"""(user, priority, weight) of each of ``users`` on the type: what round robin ranks them by."""
	out = []
	for user in users:
		row = ctx.host_row(user)
		out.append(
			(user, int(row.priority or 0) if row else 0, max(1, int(row.weight or 100)) if row else 100)
		)
	return out
