"""The Scheduling workspace's figures for the signed-in user: meetings today and this week
(with last week for the trend), bookings waiting for confirmation, no-show rate, booking
page conversion, the next meetings, and a new host's set-up checklist (``setup_checklist``:
the facts loaded here, the steps decided by ``engine.onboarding``).

Every count goes through ``frappe.get_list``, so the row rules of core/permissions apply: a
host counts their own bookings (every booking they are one of the hosts of), a Scheduler
Manager everyone's. Days and weeks (Monday to Sunday) are the viewer's own, in their User
time zone; Datetime fields are compared in the system zone they are stored in.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

import frappe
from frappe import _

from scheduler_integration.connections.status import host_connections
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.hosts import user_timezone
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.engine import onboarding
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


def before(moment: datetime) -> datetime:
	"""The last stored instant before ``moment``: Frappe compares ``<`` through
	``coalesce(field, …)``, which no index serves, so windows are ``between`` their ends."""
	return moment - timedelta(microseconds=1)


def meetings_between(lo: datetime, hi: datetime) -> int:
	return count_bookings([["status", "in", HAPPENING], ["start", "between", [lo, before(hi)]]])


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


def _sessions(event_type: str, since) -> int:
	"""How many booking page sessions recorded ``event_type`` since ``since``."""
	return (
		frappe.get_list(
			"Scheduler Engagement",
			filters=[
				["event_type", "=", event_type],
				["occurred_at", ">=", since],
				["session_id", "is", "set"],
			],
			fields=["count(distinct session_id) as n"],
		)[0].n
		or 0
	)


def conversion(now: datetime | None = None) -> tuple[float, int, int]:
	"""(percent, booked, visits): booking page sessions of the last 30 days that booked."""
	since = to_system((now or utc_now()) - timedelta(days=CONVERSION_DAYS))
	visits = _sessions("page_viewed", since)
	booked = _sessions("meeting_booked", since)
	return (round(100.0 * booked / visits, 1) if visits else 0.0), booked, visits


def next_meetings(limit: int = 5) -> list[dict]:
	"""The next active meetings, soonest first, with the viewer-local start."""
	me = frappe.session.user
	zone = get_zone(user_timezone(me))
	now = to_system(utc_now())
	filters = [["status", "in", ACTIVE], ["end", ">=", now]]
	if not is_manager(me):
		# the meetings I am a host of, read from my host rows' (user, end) index: my
		# upcoming rows, never my whole history
		filters += [["Scheduler Booking Host", "user", "=", me], ["Scheduler Booking Host", "end", ">=", now]]
	rows = frappe.get_list(
		"Scheduler Booking",
		filters=filters,
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


def setup_facts(user: str) -> tuple[onboarding.SetupFacts, frappe._dict | None]:
	"""What ``user`` has set up (``engine.onboarding.SetupFacts``) and their profile row."""
	profile = frappe.db.get_value(
		"Scheduler Profile", {"user": user}, ["name", "slug", "availability", "link_shared"], as_dict=True
	)
	if not profile:
		return onboarding.SetupFacts(connections=tuple(host_connections([user])[user])), None
	hours = bool(
		profile.availability
		and frappe.db.exists(
			"Scheduler Availability Rule",
			{"parenttype": "Scheduler Availability", "parent": profile.availability},
		)
	)
	active_type = bool(frappe.db.exists("Scheduler Meeting Type", {"profile": profile.name, "active": 1}))
	shared = bool(
		profile.link_shared
		or frappe.db.exists(
			"Scheduler Engagement", {"host": user, "event_type": ("in", ["page_viewed", "link_clicked"])}
		)
		or frappe.db.exists("Scheduler Booking Host", {"parenttype": "Scheduler Booking", "user": user})
	)
	facts = onboarding.SetupFacts(
		has_profile=True,
		has_hours=hours,
		connections=tuple(host_connections([user])[user]),
		has_active_type=active_type,
		link_shared=shared,
	)
	return facts, profile


def _step_view(key: str, state: str, user: str, profile) -> dict:
	"""A step as the workspace shows it: label, what to do, and the form that does it."""
	labels = {
		"profile": (_("Create your booking profile"), _("Your name, time zone and booking link.")),
		"hours": (_("Set your working hours"), _("When guests may book you, each week.")),
		"calendar": (
			_("Connect your calendar"),
			_("Google, Microsoft 365, CalDAV or an ICS feed: busy times are never offered."),
		),
		"first_type": (_("Create your first meeting type"), _("What guests book: its length and rules.")),
		"share_link": (_("Share your booking link"), _("Copy it into an email or your signature.")),
	}
	title, hint = labels[key]
	if state == onboarding.CHECKING:
		hint = _("Waiting for the first sync of your calendar.")
	elif state == onboarding.FAILING:
		hint = _("Your calendar connection fails: open it to reconnect.")
	elif state == onboarding.WAITING:
		# with a profile only sharing can wait: for a meeting type
		hint = _("Create a meeting type first.") if profile else _("Create your booking profile first.")
	route = {
		"profile": f"/app/scheduler-profile/{profile.name}" if profile else "/app/scheduler-profile/new",
		"hours": f"/app/scheduler-availability/{profile.availability}"
		if profile and profile.availability
		else "/app/scheduler-availability/new",
		"calendar": "/app/scheduler-calendar-connection"
		+ ("?" if state == onboarding.FAILING else "/new?")
		+ urlencode({"host": user}),
		"first_type": "/app/scheduler-meeting-type/new",
		"share_link": "",
	}[key]
	return {"key": key, "state": state, "label": title, "hint": hint, "route": route}


def setup_checklist(user: str | None = None) -> dict:
	"""The set-up checklist of ``user`` (the signed-in user): ``complete``, ``next`` (the
	step to do now), ``steps`` (key, state, label, hint, route) and the ``booking_url``."""
	user = user or frappe.session.user
	facts, profile = setup_facts(user)
	steps = onboarding.checklist(facts)
	return {
		"complete": onboarding.complete(steps),
		"next": onboarding.next_step(steps),
		"steps": [_step_view(step.key, step.state, user, profile) for step in steps],
		"booking_url": frappe.utils.get_url(f"/book/{profile.slug}") if profile and profile.slug else "",
		"facts": {k: v for k, v in asdict(facts).items() if k != "connections"},
	}


def mark_link_shared(user: str) -> bool:
	"""The host copied their booking link (the checklist's last step); False: no profile."""
	name = frappe.db.get_value("Scheduler Profile", {"user": user}, "name")
	if not name:
		return False
	frappe.db.set_value("Scheduler Profile", name, "link_shared", 1, update_modified=False)
	return True
