"""The Scheduling workspace's figures for the signed-in user: meetings today and this week
(with last week for the trend), bookings waiting for confirmation, no-show rate, booking
page conversion, and the next meetings.

Every count goes through ``frappe.get_list``, so the row rules of core/permissions apply: a
host counts their own bookings (every booking they are one of the hosts of), a Scheduler
Manager everyone's. Days and weeks (Monday to Sunday) are the viewer's own, in their User
time zone; Datetime fields are compared in the system zone they are stored in.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import frappe

from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.hosts import user_timezone
from scheduler_integration.engine.booking_states import ACTIVE, FINISHED
from scheduler_integration.engine.statuses import Status
from scheduler_integration.engine.timezones import get_zone

# a booking that takes (or took) place: waiting, confirmed or done
HAPPENING = (*ACTIVE, *FINISHED)
NO_SHOW_DAYS = 90
CONVERSION_DAYS = 30


def _local_midnight(day, zone) -> datetime:
	return to_system(datetime.combine(day, time(0), tzinfo=zone))


def day_window(user: str | None = None, now: datetime | None = None) -> tuple[datetime, datetime]:
	"""[today 00:00, tomorrow 00:00) of ``user``'s clock, as naive system-zone datetimes."""
	zone = get_zone(user_timezone(user or frappe.session.user))
	today = (now or utc_now()).astimezone(zone).date()
	return _local_midnight(today, zone), _local_midnight(today + timedelta(days=1), zone)


def week_window(user: str | None = None, now: datetime | None = None, weeks_back: int = 0):
	"""[Monday 00:00, next Monday 00:00) of ``user``'s week (``weeks_back`` weeks ago)."""
	zone = get_zone(user_timezone(user or frappe.session.user))
	today = (now or utc_now()).astimezone(zone).date()
	monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks_back)
	return _local_midnight(monday, zone), _local_midnight(monday + timedelta(days=7), zone)


def count_bookings(filters: list) -> int:
	return frappe.get_list("Scheduler Booking", filters=filters, fields=["count(name) as n"])[0].n or 0


def meetings_between(lo: datetime, hi: datetime) -> int:
	return count_bookings([["status", "in", HAPPENING], ["start", ">=", lo], ["start", "<", hi]])


def today_count() -> int:
	return meetings_between(*day_window())


def week_counts() -> tuple[int, int]:
	"""(this week, last week) meetings."""
	return meetings_between(*week_window()), meetings_between(*week_window(weeks_back=1))


def pending_count() -> int:
	"""Requests still waiting for the host, for meetings that have not started."""
	return count_bookings([["status", "=", Status.PENDING.value], ["start", ">=", to_system(utc_now())]])


def no_show_rate(now: datetime | None = None) -> tuple[float, int, int]:
	"""(percent, no-shows, finished meetings) over the last 90 days."""
	since = to_system((now or utc_now()) - timedelta(days=NO_SHOW_DAYS))
	rows = frappe.get_list(
		"Scheduler Booking",
		filters=[["status", "in", FINISHED], ["start", ">=", since]],
		fields=["status", "count(name) as n"],
		group_by="status",
	)
	counts = {row.status: row.n for row in rows}
	finished = sum(counts.values())
	missed = counts.get(Status.NO_SHOW.value, 0)
	return (round(100.0 * missed / finished, 1) if finished else 0.0), missed, finished


def conversion(now: datetime | None = None) -> tuple[float, int, int]:
	"""(percent, booked, visits): booking page sessions of the last 30 days that booked."""
	since = to_system((now or utc_now()) - timedelta(days=CONVERSION_DAYS))
	visits = (
		frappe.get_list(
			"Scheduler Engagement",
			filters=[
				["event_type", "=", "page_viewed"],
				["occurred_at", ">=", since],
				["session_id", "is", "set"],
			],
			fields=["count(distinct session_id) as n"],
		)[0].n
		or 0
	)
	booked = (
		frappe.get_list(
			"Scheduler Engagement",
			filters=[
				["event_type", "=", "meeting_booked"],
				["occurred_at", ">=", since],
				["session_id", "is", "set"],
			],
			fields=["count(distinct session_id) as n"],
		)[0].n
		or 0
	)
	return (round(100.0 * booked / visits, 1) if visits else 0.0), booked, visits


def next_meetings(limit: int = 5) -> list[dict]:
	"""The next active meetings, soonest first, with the viewer-local start."""
	zone = get_zone(user_timezone(frappe.session.user))
	rows = frappe.get_list(
		"Scheduler Booking",
		filters=[["status", "in", ACTIVE], ["end", ">=", to_system(utc_now())]],
		fields=["name", "meeting_type", "guest_name", "guest_company", "start", "end", "status"],
		order_by="start asc",
		limit_page_length=limit,
	)
	titles = dict(
		frappe.get_all(
			"Scheduler Meeting Type",
			filters={"name": ("in", [r.meeting_type for r in rows] or [""])},
			fields=["name", "title"],
			as_list=True,
		)
	)
	out = []
	for row in rows:
		start = to_utc(row.start).astimezone(zone)
		out.append(
			{
				"name": row.name,
				"meeting_type": titles.get(row.meeting_type) or row.meeting_type,
				"guest": row.guest_name or "",
				"company": row.guest_company or "",
				"status": row.status,
				"start": start.isoformat(),
				"date": start.date().isoformat(),
				"time": start.strftime("%H:%M"),
			}
		)
	return out
