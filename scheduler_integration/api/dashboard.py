"""The Scheduling workspace's number cards (type Custom), its "Bookings per Month" chart
(a Custom chart: ``bookings_per_month``) and its "next meetings" block.

Each card method answers what Frappe's number card widget reads: ``{"value", "fieldtype",
"route", "route_options"}``; "This Week" answers its number with last week's beside it (the
widget shows a Custom card's text as it is). Figures are the signed-in user's own
(reporting/dashboard.py); desk users only. The calendar connection rate is the team's for
a Scheduler Manager, the host's own (0 or 100 %) for a host. ``setup_checklist`` is the
signed-in host's set-up checklist (the workspace's first block until it is complete);
``link_copied`` (POST) records that the host copied their booking link, the only change
made here.
"""

from __future__ import annotations

from html import escape
from typing import Literal, NotRequired, TypedDict

import frappe
from frappe import _
from frappe.utils import formatdate

from scheduler_integration.core.permissions import is_manager
from scheduler_integration.engine.statuses import BookingStatus, Status
from scheduler_integration.reporting import dashboard
from scheduler_integration.reporting.analytics import calendar_connection_rate
from scheduler_integration.reporting.dashboard import NextMeeting, SetupChecklist


class CardFilters(TypedDict, total=False):
	"""The list filters a number card opens its list with."""

	start: tuple[Literal["between"], tuple[str, str]]  # system-zone "YYYY-MM-DD HH:MM:SS"
	status: BookingStatus
	host: str


class NumberCard(TypedDict):
	"""What Frappe's number card widget reads: the number, its format and the list or
	report it opens."""

	value: float
	fieldtype: Literal["Int", "Percent"]
	precision: NotRequired[Literal["0", "1"]]  # of a rate
	route: list[str]
	route_options: NotRequired[CardFilters]


class ChartDataset(TypedDict):
	"""One series of a chart: its name and a value per label."""

	name: str
	values: list[int]


class ChartData(TypedDict):
	"""What Frappe's chart widget reads: the labels and the series."""

	labels: list[str]
	datasets: list[ChartDataset]


class LinkCopied(TypedDict):
	"""Whether the copy was recorded (false: the user has no profile)."""

	recorded: bool


def _desk_user():
	user = frappe.session.user
	if user == "Guest" or frappe.get_cached_value("User", user, "user_type") != "System User":
		raise frappe.PermissionError(_("Please sign in"))


def _bookings(value, fieldtype="Int", **route_options) -> NumberCard:
	return {
		"value": value,
		"fieldtype": fieldtype,
		"route": ["List", "Scheduler Booking"],
		"route_options": route_options,
	}


@frappe.whitelist(methods=["GET", "POST"])
def today(filters=None) -> NumberCard:
	_desk_user()
	lo, hi = dashboard.day_window()
	return _bookings(dashboard.today_count(), start=["between", [str(lo), str(hi)]])


@frappe.whitelist(methods=["GET", "POST"])
def this_week(filters=None) -> str:
	"""'12' and, smaller, the change against last week ('▲ 3 vs last week')."""
	_desk_user()
	now, before = dashboard.week_counts()
	change = now - before
	arrow = "▲" if change > 0 else ("▼" if change < 0 else "=")
	color = "var(--green-600)" if change > 0 else ("var(--red-600)" if change < 0 else "var(--text-muted)")
	trend = _("{0} vs last week ({1})").format(f"{arrow} {abs(change)}" if change else arrow, before)
	return (
		f'<span class="sched-week-count">{now}</span> '
		f'<span class="sched-week-trend" style="font-size: var(--text-sm); color: {color}">{escape(trend)}</span>'
	)


@frappe.whitelist(methods=["GET", "POST"])
def pending(filters=None) -> NumberCard:
	_desk_user()
	return _bookings(dashboard.pending_count(), status=Status.PENDING.value)


@frappe.whitelist(methods=["GET", "POST"])
def no_show_rate(filters=None) -> NumberCard:
	_desk_user()
	rate, _missed, _finished = dashboard.no_show_rate()
	return {**_bookings(rate, status=Status.NO_SHOW.value), **dashboard.percent_card(rate)}


@frappe.whitelist(methods=["GET", "POST"])
def conversion(filters=None) -> NumberCard:
	_desk_user()
	rate, _booked, _visits = dashboard.conversion()
	return {**dashboard.percent_card(rate), "route": ["query-report", "Scheduler Booking Funnel"]}


@frappe.whitelist(methods=["GET", "POST"])
def bookings_per_month(chart_name=None, filters=None, **chart_args) -> ChartData:
	"""The "Bookings per Month" chart (Dashboard Chart Source "Scheduler Bookings per Month"):
	the bookings made in each of the last 12 calendar months, labelled in the reader's
	language ("Mar 2026"). The chart widget's other arguments (timespan, refresh) change
	nothing."""
	_desk_user()
	counts = dashboard.bookings_per_month()
	return {
		"labels": [formatdate(month, "MMM yyyy") for month, _count in counts],
		"datasets": [{"name": _("Bookings"), "values": [count for _month, count in counts]}],
	}


@frappe.whitelist(methods=["GET", "POST"])
def next_meetings(limit: int = 5) -> list[NextMeeting]:
	_desk_user()
	try:
		count = int(limit or 5)
	except (TypeError, ValueError):
		frappe.throw(_("Limit must be a whole number"))
	return dashboard.next_meetings(min(max(count, 1), 20))


@frappe.whitelist(methods=["GET", "POST"])
def connection_rate(filters=None) -> NumberCard:
	_desk_user()
	me = frappe.session.user
	figures = calendar_connection_rate(None if is_manager(me) else me)
	route_options = {} if is_manager(me) else {"host": me}
	return {
		**dashboard.percent_card(figures["rate"]),
		"route": ["List", "Scheduler Calendar Connection"],
		"route_options": route_options,
	}


@frappe.whitelist(methods=["GET", "POST"])  # frappe.xcall posts; it changes nothing either way
def setup_checklist() -> SetupChecklist:
	_desk_user()
	return dashboard.setup_checklist(frappe.session.user)


@frappe.whitelist(methods=["POST"])
def link_copied() -> LinkCopied:
	_desk_user()
	return {"recorded": dashboard.mark_link_shared(frappe.session.user)}
