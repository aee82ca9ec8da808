"""The Scheduling workspace's figures for the signed-in user: meetings today and this week
(with last week for the trend), bookings waiting for confirmation, no-show rate, booking
page conversion, bookings made per calendar month (``bookings_per_month``), the next meetings, and a new host's set-up checklist (``setup_checklist``:
the facts loaded here, the steps and the page's problems decided by ``rules.onboarding``).

Every count goes through ``frappe.get_list``, so the row rules of core/permissions apply: a
host counts their own bookings (every booking they are one of the hosts of), a Scheduler
Manager everyone's. Days and weeks (Monday to Sunday) are the viewer's own, on their
profile's clock (one zone per host, ``core.hosts``; without a profile their User zone);
Datetime fields are compared in the system zone they are stored in. Every time shown
carries its zone's name (``core.hosts.when_label``): the next meetings and a booking's or
series' times on its host's clock (``host_times``).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Literal, NotRequired, TypedDict
from urllib.parse import quote, urlencode

import frappe
from frappe import _

from scheduler_integration.booking.meeting_types import type_context
from scheduler_integration.booking.pages import active_types, share_url
from scheduler_integration.booking.slots import slots_for
from scheduler_integration.connections.status import host_connections
from scheduler_integration.core.answers import Date, DateTime, Path, Time, Url
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.hosts import host_timezone, new_hours_timezone, when_label
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.engine.booking_states import ACTIVE, FINISHED
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.statuses import BookingStatus, Status
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.rules import onboarding
from scheduler_integration.rules.analytics import last_months, per_month

# a booking that takes (or took) place: waiting, confirmed or done
HAPPENING = (*ACTIVE, *FINISHED)
NO_SHOW_DAYS = 90
CONVERSION_DAYS = 30
OFFER_WEEKS = 4  # a page "offers times" when one of its types has a time this soon
OFFER_TYPES = 5  # the types searched for one, at most (the first ones guests see)
MONTHS = 12  # "Bookings per Month" shows this month and the 11 before it


def _local_midnight(day, zone) -> datetime:
	return to_system(datetime.combine(day, time(0), tzinfo=zone))


def day_window(user: str | None = None, now: datetime | None = None) -> tuple[datetime, datetime]:
	"""[today 00:00, tomorrow 00:00) of ``user``'s clock, as naive system-zone datetimes."""
	zone = get_zone(new_hours_timezone(user or frappe.session.user))
	today = (now or utc_now()).astimezone(zone).date()
	return _local_midnight(today, zone), _local_midnight(today + timedelta(days=1), zone)


def week_window(user: str | None = None, now: datetime | None = None, weeks_back: int = 0):
	"""[Monday 00:00, next Monday 00:00) of ``user``'s week (``weeks_back`` weeks ago)."""
	zone = get_zone(new_hours_timezone(user or frappe.session.user))
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


def shown_rate(part: float, whole: float) -> float:
	"""``part`` of ``whole`` in percent as the workspace shows it: whole percents from 10 %
	up ("42%"), one decimal below ("4.2%"); 0 for nothing to count."""
	if not whole:
		return 0.0
	rate = 100.0 * part / whole
	return float(round(rate)) if round(rate, 1) >= 10 else round(rate, 1)


class PercentCard(TypedDict):
	"""A number card's rate and its format."""

	value: float
	fieldtype: Literal["Percent"]
	precision: Literal["0", "1"]


def percent_card(rate: float) -> PercentCard:
	"""A number card's value and format for a rate (``shown_rate``): Frappe's Percent formatter
	otherwise pads to the site's float precision ("0.000%"). The precision is a string: the
	formatter reads a precision of 0 as "not set"."""
	rate = shown_rate(rate, 100)
	return {"value": rate, "fieldtype": "Percent", "precision": "0" if rate == int(rate) else "1"}


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
	return shown_rate(missed, finished), missed, finished


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
	return shown_rate(booked, visits), booked, visits


def bookings_per_month(now: datetime | None = None) -> list:
	"""[(first day of the month, bookings made in it)] of the last MONTHS calendar months,
	this one last, in the system time zone (where ``creation`` is stored, as the per-day
	chart counts): every booking made, whatever its status now. Counted per day by the
	database (at most a year of rows), summed into months by ``rules.analytics.per_month``."""
	months = last_months(to_system(now or utc_now()).date(), MONTHS)
	rows = frappe.get_list(
		"Scheduler Booking",
		filters=[["creation", ">=", datetime.combine(months[0], time.min)]],
		fields=["date(creation) as day", "count(name) as n"],
		group_by="date(creation)",
		order_by="day asc",
	)
	return per_month(((row.day, row.n) for row in rows), months)


class NextMeeting(TypedDict):
	"""One of the next meetings, on the viewer's clock (``start`` with its offset, ``date``,
	``time``, ``zone``, and ``when`` as one label)."""

	name: str
	meeting_type: str  # its title
	guest: str
	company: str
	status: BookingStatus
	start: DateTime
	date: Date
	time: Time
	zone: str
	when: str


def next_meetings(limit: int = 5) -> list[NextMeeting]:
	"""The next active meetings, soonest first, on the viewer's clock (their profile's zone)
	with its name: ``when`` ("Tue 1 Dec 2026, 10:00–10:30 (Europe/Berlin)") and ``zone``."""
	me = frappe.session.user
	zone_name = new_hours_timezone(me)
	zone = get_zone(zone_name)
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
				"zone": zone_name,
				"when": when_label(row.start, row.end, zone_name),
			}
		)
	return out


def offers_times(profile: str, now: datetime | None = None, hosted: list[str] | None = None) -> bool:
	"""Does the page of ``profile`` offer a time in the next weeks (or one of the team types
	``hosted``)? The page's own search (``booking.slots``) over its first active types:
	hours, overrides, leave, busy time, notice, limits and horizon all count."""
	now = now or utc_now()
	names = [doc.name for doc in active_types(profile)[:OFFER_TYPES]] + list(hosted or [])[:OFFER_TYPES]
	for name in names:
		try:
			if slots_for(type_context(name), now, now + timedelta(weeks=OFFER_WEEKS), now):
				return True
		except (frappe.DoesNotExistError, SchedulingError):
			continue  # a type whose host cannot be booked (no profile) offers nothing
	return False


def setup_facts(user: str) -> tuple[onboarding.SetupFacts, frappe._dict | None]:
	"""What ``user`` has set up (``rules.onboarding.SetupFacts``) and their profile row."""
	profile = frappe.db.get_value(
		"Scheduler Profile",
		{"user": user},
		["name", "slug", "availability", "link_shared", "active", "custom_domain"],
		as_dict=True,
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
	# their own types, and the team types they accepted to host (a colleague who joined one
	# has a type to be booked for)
	accepted = frappe.get_all(
		"Scheduler Meeting Type Host",
		filters={"parenttype": "Scheduler Meeting Type", "user": user, "accepted": 1},
		pluck="parent",
	)
	hosted = (
		frappe.get_all(
			"Scheduler Meeting Type", filters={"name": ("in", accepted), "active": 1}, pluck="name"
		)
		if accepted
		else []
	)
	has_types = bool(frappe.db.exists("Scheduler Meeting Type", {"profile": profile.name}) or hosted)
	active_type = has_types and bool(
		frappe.db.exists("Scheduler Meeting Type", {"profile": profile.name, "active": 1}) or hosted
	)
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
		profile_active=bool(profile.active),
		has_types=has_types,
		# searched only when nothing else already keeps the page from offering times
		offers_times=not (hours and active_type and profile.active)
		or offers_times(profile.name, hosted=hosted),
	)
	return facts, profile


def hours_route(user: str, profile) -> str:
	"""The form of the host's working hours: the profile's; else hours they already made
	(opened, never made twice: saving them makes them the profile's); else a new one."""
	name = profile.availability if profile else None
	if not name:
		found = frappe.get_all(
			"Scheduler Availability", filters={"user": user}, pluck="name", order_by="modified desc", limit=1
		)
		name = found[0] if found else None
	if name:
		return f"/app/scheduler-availability/{quote(name)}"
	# for whoever follows it (an administrator fixing a host's page too): the host's hours
	return "/app/scheduler-availability/new?" + urlencode({"user": user})


def new_type_route(profile) -> str:
	"""A new meeting type of the host's profile, whoever follows the link."""
	route = "/app/scheduler-meeting-type/new"
	return f"{route}?{urlencode({'profile': profile.name})}" if profile else route


class PageProblem(TypedDict):
	"""Why a host's booking page offers no times, with the form that fixes it."""

	key: onboarding.PageProblemKey
	text: str
	fix: str  # the button's label
	route: Path


def problem_views(problems: list[str], user: str, profile) -> list[PageProblem]:
	"""Why the page offers no times, each with its fix: ``key``, ``text``, ``fix`` (a
	button's label) and ``route`` (the form that fixes it)."""
	texts = {
		onboarding.PAGE_OFF: (
			_("Your booking page is switched off: guests find no page."),
			_("Turn your profile on (Active)"),
			f"/app/scheduler-profile/{quote(profile.name)}" if profile else "",
		),
		onboarding.NO_HOURS: (
			_("Your profile has no working hours, so your page offers no times."),
			_("Set your working hours"),
			hours_route(user, profile),
		),
		onboarding.NO_TYPE: (
			_("You have no meeting type, so there is nothing to book."),
			_("Create a meeting type"),
			new_type_route(profile),
		),
		onboarding.TYPES_INACTIVE: (
			_("Every one of your meeting types is inactive, so there is nothing to book."),
			_("Activate a meeting type"),
			"/app/scheduler-meeting-type?" + urlencode({"profile": profile.name if profile else ""}),
		),
		onboarding.NO_TIMES: (
			_(
				"Your page offers no time in the next {0} weeks: your working hours, date overrides, "
				"leave or calendar leave no free time as long as your meetings, within their notice "
				"and booking window."
			).format(OFFER_WEEKS),
			_("Review your working hours"),
			hours_route(user, profile),
		),
	}
	return [
		{"key": key, "text": texts[key][0], "fix": texts[key][1], "route": texts[key][2]} for key in problems
	]


class SetupStep(TypedDict):
	"""A set-up checklist step: its state, label, what to do and the form that does it
	(``route`` empty for the link to share)."""

	key: onboarding.StepKey
	state: onboarding.StepState
	label: str
	hint: str
	route: Path


def _step_view(key: str, state: str, user: str, profile, problems: list[PageProblem]) -> SetupStep:
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
		hint = _("Your calendar connection fails: open it to see why.")
	elif state == onboarding.WAITING:
		if not profile:
			hint = _("Create your booking profile first.")
		elif key == "share_link" and problems:
			hint = _("Your page offers no times yet: {0}").format(problems[0]["text"])
	route = {
		"profile": f"/app/scheduler-profile/{quote(profile.name)}"
		if profile
		else "/app/scheduler-profile/new",
		"hours": hours_route(user, profile),
		"calendar": "/app/scheduler-calendar-connection"
		+ ("?" if state == onboarding.FAILING else "/new?")
		+ urlencode({"host": user}),
		"first_type": new_type_route(profile),
		"share_link": "",
	}[key]
	return {"key": key, "state": state, "label": title, "hint": hint, "route": route}


class SetupChecklist(TypedDict):
	"""A host's set-up checklist: the steps, the step to do now (``next``; null: none), why
	the page offers no times, the booking link (empty without a page) and the host's zone."""

	complete: bool
	next: onboarding.StepKey | None
	steps: list[SetupStep]
	problems: list[PageProblem]
	booking_url: Url | Literal[""]
	zone: str
	facts: onboarding.SetupFlags


def setup_checklist(user: str | None = None) -> SetupChecklist:
	"""The set-up checklist of ``user`` (the signed-in user): ``complete``, ``next`` (the
	step to do now), ``steps`` (key, state, label, hint, route), ``problems`` (why the page
	offers no times, with the fix: ``problem_views``) and the ``booking_url``."""
	user = user or frappe.session.user
	facts, profile = setup_facts(user)
	steps = onboarding.checklist(facts)
	problems = problem_views(onboarding.page_problems(facts), user, profile)
	return {
		"complete": onboarding.complete(steps),
		"next": onboarding.next_step(steps),
		"steps": [_step_view(step.key, step.state, user, profile, problems) for step in steps],
		"problems": problems,
		"booking_url": share_url(profile) if profile and profile.slug else "",
		"zone": new_hours_timezone(user),
		"facts": {k: v for k, v in asdict(facts).items() if k != "connections"},
	}


class PageStatus(TypedDict):
	"""Whether a profile's booking page offers times and, if not, why (with fixes)."""

	bookable: bool
	problems: list[PageProblem]
	zone: str  # the host's (their profile's)
	user_zone: str | None  # their User setting's


def page_status(profile: str) -> PageStatus:
	"""The profile form's warning: why the page of ``profile`` offers no times, with fixes."""
	user = frappe.db.get_value("Scheduler Profile", profile, "user")
	facts, row = setup_facts(user)
	return {
		"bookable": onboarding.bookable(facts),
		"problems": problem_views(onboarding.page_problems(facts), user, row),
		"zone": host_timezone(user),
		"user_zone": frappe.db.get_value("User", user, "time_zone") or None,
	}


class HostTimeLine(TypedDict):
	"""A booking's time on one person's clock, or one meeting of a series with its status."""

	label: str
	text: str
	status: NotRequired[BookingStatus]  # a series' meeting's


class HostTimes(TypedDict):
	"""A booking's or series' times on its host's clock, labelled with the zone."""

	zone: str
	lines: list[HostTimeLine]


def host_times(doctype: str, name: str) -> HostTimes:
	"""A booking's or a series' times on its host's clock, labelled with the zone, for its
	desk form: ``zone`` and ``lines`` ([{label, text}]). A co-host reading sees their own
	clock too; the guest's is shown for reference."""
	doc = frappe.get_doc(doctype, name)
	host = doc.host
	zone = host_timezone(host) if host else new_hours_timezone(frappe.session.user)
	lines = []
	if doctype == "Scheduler Booking":
		lines.append({"label": _("Host's time"), "text": when_label(doc.start, doc.end, zone)})
		me = frappe.session.user
		if me != host and me in {row.user for row in doc.get("hosts") or []}:
			mine = host_timezone(me)
			if mine != zone:
				lines.append({"label": _("Your time"), "text": when_label(doc.start, doc.end, mine)})
		if doc.booker_timezone and doc.booker_timezone != zone:
			try:
				lines.append(
					{"label": _("Guest's time"), "text": when_label(doc.start, doc.end, doc.booker_timezone)}
				)
			except Exception:
				pass  # a zone the guest's browser named and this server does not know
	else:
		rows = frappe.get_all(
			"Scheduler Booking",
			filters={"series": name},
			fields=["start", "end", "status"],
			order_by="series_index asc, start asc",
			limit_page_length=100,
		)
		for row in rows:
			lines.append(
				{"label": _(row.status), "status": row.status, "text": when_label(row.start, row.end, zone)}
			)
	return {"zone": zone, "lines": lines}


def mark_link_shared(user: str) -> bool:
	"""The host copied their booking link (the checklist's last step); False: no profile."""
	name = frappe.db.get_value("Scheduler Profile", {"user": user}, "name")
	if not name:
		return False
	frappe.db.set_value("Scheduler Profile", name, "link_shared", 1, update_modified=False)
	return True
