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
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count, Max

from scheduler_integration.booking import availability, busy
from scheduler_integration.booking.meeting_types import TypeContext
from scheduler_integration.core.clock import converter, to_system
from scheduler_integration.engine import Assignment, Booking, HostSchedule
from scheduler_integration.engine.booking_states import ACTIVE
from scheduler_integration.engine.statuses import Status

# Written out rather than built with frappe.qb: it runs on every slot read and booking,
# and building the query cost more CPU than the database spent answering it.
# straight_join and the (user, end) index of the hosts' rows, which carry their booking's
# start and end: the rows of these hosts ending after the window's start, then their
# bookings by primary key. Left to itself MariaDB scanned every booking, and as a locking
# read that locked every booking of the site (all hosts' bookings waited for each other);
# by the user index alone it read and locked every booking a host ever had.
_BOOKINGS = """
	select straight_join h.user, b.meeting_type, b.start, b.end, t.buffer_before, t.buffer_after
	from `tabScheduler Booking Host` h force index (user_end)
	join `tabScheduler Booking` b on b.name = h.parent
	left join `tabScheduler Meeting Type` t on t.name = b.meeting_type
	where h.parenttype = 'Scheduler Booking' and h.user in %(users)s
		and h.end > %(start)s and h.start < %(end)s and b.status in %(active)s"""


def bookings_of(
	users, start: datetime, end: datetime, exclude: str | None = None, lock: bool = False
) -> dict[str, list[Booking]]:
	"""Active bookings of each of ``users`` overlapping [start, end), with their buffers."""
	out: dict[str, list[Booking]] = {user: [] for user in users}
	if not out:
		return out
	rows = frappe.db.sql(
		_BOOKINGS
		+ (" and b.name != %(exclude)s" if exclude else "")
		+ " order by b.start"
		+ (" for update" if lock else ""),
		{
			"users": tuple(out),
			"active": tuple(ACTIVE),
			"start": to_system(start),
			"end": to_system(end),
			"exclude": exclude or "",
		},
	)
	to_utc = converter()
	for user, meeting_type, s, e, before, after in rows:
		out[user].append(Booking(to_utc(s), to_utc(e), int(before or 0), int(after or 0), meeting_type))
	return out


def round_robin_stats(meeting_type: str, users) -> dict[str, tuple[int, datetime | None]]:
	"""Fairness input: each host's bookings of this type so far and when they last got one."""
	users = list(users)
	if not users:
		return {}
	b, h = DocType("Scheduler Booking"), DocType("Scheduler Booking Host")
	rows = (
		frappe.qb.from_(h)
		.join(b)
		.on(b.name == h.parent)
		.select(h.user, Count(b.name), Max(b.creation))
		.where(h.parenttype == "Scheduler Booking")
		.where(h.user.isin(users))
		.where(b.meeting_type == meeting_type)
		.where(b.status != Status.CANCELLED.value)
		.groupby(h.user)
		.run()
	)
	to_utc = converter()
	return {user: (int(n), to_utc(last) if last else None) for user, n, last in rows}


def schedules(
	ctx: TypeContext,
	start: datetime,
	end: datetime,
	*,
	users=None,
	exclude: str | None = None,
	lock: bool = False,
	fresh: busy.FreshBusy = busy.NO_FRESH,
) -> list[HostSchedule]:
	"""The engine's view of ``users`` (default: the type's candidate hosts) around [start, end)."""
	users = list(users if users is not None else ctx.hosts)
	lo, hi = start - ctx.policy.reach, end + ctx.policy.reach  # bookings further out never matter
	# working hours may come from the cache even under the lock (DESIGN, invariant 9: a
	# cache may show a stale slot, but bookings are always re-read with a locking read)
	hours = availability.for_users(users)
	bookings = bookings_of(users, lo, hi, exclude, lock)
	external = busy.intervals(users, lo, hi, fresh, cached=not lock)
	stats = round_robin_stats(ctx.name, users) if ctx.assignment is Assignment.ROUND_ROBIN else {}
	out = []
	for user in users:
		row = ctx.host_row(user)
		count, last = stats.get(user, (0, None))
		out.append(
			HostSchedule(
				user,
				hours[user],
				tuple(bookings[user]),
				external.get(user, ()),
				priority=int(row.priority or 0) if row else 0,
				weight=max(1, int(row.weight or 100)) if row else 100,
				bookings_so_far=count,
				last_booked_at=last,
			)
		)
	return out
