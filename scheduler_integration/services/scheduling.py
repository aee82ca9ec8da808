"""Load scheduler documents into engine inputs, and ask the engine for slots.

Frappe Datetime values are naive in the system time zone; they are converted to UTC
instants here (services/timeutil) and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import frappe
from frappe import _

from scheduler_integration.engine import (
	Assignment,
	Availability,
	Booking,
	HostSchedule,
	Slot,
	SlotPolicy,
	check_slot,
	find_slots,
	nearest_slots,
)
from scheduler_integration.engine.adapters import availability_from_rows, policy_from_row
from scheduler_integration.services.timeutil import to_system, to_utc

ACTIVE_STATUSES = ("Pending", "Confirmed")
ASSIGNMENTS = {
	"Individual": Assignment.INDIVIDUAL,
	"Round Robin": Assignment.ROUND_ROBIN,
	"Collective": Assignment.COLLECTIVE,
}
# how far around a window bookings are loaded: the longest buffer plus a day for limits
MARGIN = timedelta(days=8)


@dataclass
class TypeContext:
	"""A meeting type with everything the engine needs about it."""

	doc: object
	policy: SlotPolicy
	assignment: Assignment
	host_users: list[str]
	profile: object


def host_availability(user: str) -> Availability:
	profile = frappe.db.get_value(
		"Scheduler Profile", {"user": user}, ["timezone", "availability"], as_dict=True
	)
	if not profile:
		raise frappe.DoesNotExistError(_("{0} has no Scheduler Profile").format(user))
	timezone = profile.timezone
	weekly, overrides = [], []
	if profile.availability:
		availability = frappe.get_doc("Scheduler Availability", profile.availability)
		timezone = availability.timezone or timezone
		weekly = [row.as_dict() for row in availability.weekly_rules]
		overrides = [row.as_dict() for row in availability.date_overrides]
	blocked = [
		{"start": to_utc(row.start), "end": to_utc(row.end), "rrule": row.rrule}
		for row in frappe.get_all(
			"Scheduler Blocked Time", filters={"user": user}, fields=["start", "end", "rrule"]
		)
		if row.start and row.end and row.end > row.start
	]
	return availability_from_rows(timezone, weekly, overrides, blocked)


def type_buffers() -> dict[str, tuple[int, int]]:
	rows = frappe.get_all("Scheduler Meeting Type", fields=["name", "buffer_before", "buffer_after"])
	return {row.name: (int(row.buffer_before or 0), int(row.buffer_after or 0)) for row in rows}


def load_bookings(
	users: list[str], start: datetime, end: datetime, exclude: str | None = None, lock: bool = False
) -> dict[str, list[Booking]]:
	"""Active bookings of ``users`` overlapping [start, end] (± margin), as engine records.

	``lock`` reads with FOR UPDATE: inside the booking transaction this returns the latest
	committed rows (not the transaction's snapshot) and keeps them locked until commit.
	"""
	out: dict[str, list[Booking]] = {user: [] for user in users}
	if not users:
		return out
	buffers = type_buffers()
	rows = frappe.db.sql(
		f"""select name, host, meeting_type, start, end from `tabScheduler Booking`
		where host in %(users)s and status in %(statuses)s and end > %(lo)s and start < %(hi)s
		{"and name != %(exclude)s" if exclude else ""}
		order by start {"for update" if lock else ""}""",
		{
			"users": tuple(users),
			"statuses": ACTIVE_STATUSES,
			"lo": to_system(start - MARGIN),
			"hi": to_system(end + MARGIN),
			"exclude": exclude,
		},
		as_dict=True,
	)
	for row in rows:
		before, after = buffers.get(row.meeting_type, (0, 0))
		out[row.host].append(Booking(to_utc(row.start), to_utc(row.end), before, after, row.meeting_type))
	return out


def booking_stats(meeting_type: str, users: list[str]) -> dict[str, tuple[int, datetime | None]]:
	"""Round-robin fairness input: bookings of this type so far and the latest booking time."""
	rows = frappe.db.sql(
		"""select host, count(*) as n, max(creation) as last from `tabScheduler Booking`
		where meeting_type = %s and host in %s and status != 'Cancelled' group by host""",
		(meeting_type, tuple(users) or ("",)),
		as_dict=True,
	)
	return {row.host: (int(row.n), to_utc(row.last)) for row in rows}


def type_context(meeting_type) -> TypeContext:
	doc = (
		frappe.get_doc("Scheduler Meeting Type", meeting_type)
		if isinstance(meeting_type, str)
		else meeting_type
	)
	profile = frappe.get_doc("Scheduler Profile", doc.profile)
	assignment = ASSIGNMENTS.get(doc.assignment or "Individual", Assignment.INDIVIDUAL)
	if assignment is Assignment.INDIVIDUAL:
		users = [profile.user]
	else:
		users = [row.user for row in doc.hosts]
	return TypeContext(doc, policy_from_row(doc.as_dict(), doc.name), assignment, users, profile)


def host_schedules(
	ctx: TypeContext, start: datetime, end: datetime, exclude: str | None = None, lock: bool = False
) -> list[HostSchedule]:
	bookings = load_bookings(ctx.host_users, start, end, exclude, lock)
	stats = booking_stats(ctx.doc.name, ctx.host_users) if ctx.assignment is Assignment.ROUND_ROBIN else {}
	rows = {row.user: row for row in ctx.doc.hosts} if ctx.assignment is not Assignment.INDIVIDUAL else {}
	out = []
	for user in ctx.host_users:
		row = rows.get(user)
		count, last = stats.get(user, (0, None))
		out.append(
			HostSchedule(
				user,
				host_availability(user),
				tuple(bookings[user]),
				busy_intervals(user, start, end),
				priority=int(row.priority or 0) if row else 0,
				weight=max(1, int(row.weight or 100)) if row else 100,
				bookings_so_far=count,
				last_booked_at=last,
			)
		)
	return out


def busy_intervals(user: str, start: datetime, end: datetime) -> tuple:
	"""External calendar busy time for ``user`` (from the calendar sync cache, when present)."""
	hook = frappe.get_hooks("scheduler_busy_source")
	out = []
	for path in hook:
		out.extend(frappe.get_attr(path)(user, start - MARGIN, end + MARGIN))
	return tuple(out)


def slots_for(ctx: TypeContext, start: datetime, end: datetime, now: datetime) -> list[Slot]:
	return find_slots(host_schedules(ctx, start, end), ctx.policy, start, end, now, ctx.assignment)


def check_for(
	ctx: TypeContext, start: datetime, now: datetime, exclude: str | None = None, lock: bool = False
):
	schedules = host_schedules(ctx, start, start + timedelta(minutes=ctx.policy.duration), exclude, lock)
	return schedules, check_slot(schedules, ctx.policy, start, now, ctx.assignment)


def alternatives_for(ctx: TypeContext, start: datetime, now: datetime, count: int = 3) -> list[Slot]:
	wide = host_schedules(ctx, start - timedelta(days=31), start + timedelta(days=31))
	return nearest_slots(wide, ctx.policy, start, now, ctx.assignment, count)
