"""Engagement analytics of one host, video meetings per provider, and booking revenue: rows
loaded here, figures computed by rules.analytics.

Revenue counts each booking at its meeting type's price and currency (Meeting Type →
Price): Completed bookings are revenue, Confirmed bookings still ahead are the forecast;
a booking counts for its organiser. Paid bookings add what their guests paid and what went
back to them (``paid``, ``refunded``, ``net``), in the booking's own currency. Date ranges
for revenue apply to the meetings' start.

The calendar connection rate is taken over the active hosts: users with an
active Scheduler Profile whose User is enabled; a host with a working calendar connection
(``rules.onboarding.connection_works``) counts as connected.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal, TypedDict

import frappe
from frappe import _

from scheduler_integration.connections.status import host_connections
from scheduler_integration.core.answers import DateTime
from scheduler_integration.core.clock import converter, iso, utc_now
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.engine.booking_states import Status
from scheduler_integration.reporting.phases import phase_names
from scheduler_integration.rules.analytics import (
	ConnectionRate,
	EngagementFigures,
	HostMoney,
	MeetingTypeMoney,
	MoneyTotals,
	ProviderStats,
	connection_rate,
	provider_stats,
	revenue,
	summarize,
)

# the seed API's names for booking statuses (an external meeting's Scheduled, Cancelled,
# Completed and No Show read the same); the same names as SeedStatus (test_reports_tracking)
SeedStatus = Literal["pending", "scheduled", "cancelled", "completed", "no_show"]
BOOKING_STATUS: dict[str, SeedStatus] = {
	Status.PENDING.value: "pending",
	Status.CONFIRMED.value: "scheduled",
	Status.CANCELLED.value: "cancelled",
	Status.COMPLETED.value: "completed",
	Status.NO_SHOW.value: "no_show",
}
RECENT = 10


def parse_day(value, field: str) -> date | None:
	if value in (None, ""):
		return None
	if isinstance(value, date) and not isinstance(value, datetime):
		return value
	try:
		return date.fromisoformat(str(value).strip())
	except ValueError:
		raise FieldValidationError(_("Invalid date"), {field: _("Use YYYY-MM-DD")}) from None


def occurred_filter(start_date=None, end_date=None) -> list:
	"""Filters on ``occurred_at`` for the inclusive date range (system time zone)."""
	lo, hi = parse_day(start_date, "start_date"), parse_day(end_date, "end_date")
	if lo and hi and hi < lo:
		raise FieldValidationError(_("Invalid date range"), {"end_date": _("End must not be before start")})
	out = []
	if lo:
		out.append(["occurred_at", ">=", datetime.combine(lo, time.min)])
	if hi:
		out.append(["occurred_at", "<=", datetime.combine(hi, time.max)])
	return out


class MeetingTypeRevenue(MeetingTypeMoney):
	"""A meeting type's money in one currency, with the type's title (``name``)."""

	name: str


class BookingRevenue(MoneyTotals):
	"""Revenue (completed bookings at their type's price), forecast (confirmed ones still
	ahead), what guests paid, got back and net, per currency; and per host and meeting type."""

	by_host: list[HostMoney]
	by_meeting_type: list[MeetingTypeRevenue]


class RecentBooking(TypedDict):
	"""A meeting booked through a host's links (here or on an external scheduler) and its
	status now, in the seed API's names."""

	booking: str | None  # a booking of this site; null: an external scheduler's meeting
	reference_doctype: str | None
	reference_name: str | None
	assessment_id: str | None  # the reference's name, as the seed API called it
	client_name: str
	meeting_type: str  # its title
	booked_at: DateTime | None
	scheduled_for: DateTime | None
	status: SeedStatus


class HostAnalytics(EngagementFigures):
	"""A host's engagement figures (totals, per meeting type, per phase), the latest
	bookings and the revenue of their bookings."""

	recent_bookings: list[RecentBooking]
	revenue: BookingRevenue


def host_analytics(host: str, start_date=None, end_date=None) -> HostAnalytics:
	filters = [["host", "=", host], *occurred_filter(start_date, end_date)]
	rows = frappe.get_all(
		"Scheduler Engagement",
		filters=filters,
		fields=["event_type", "meeting_type", "phase"],
	)
	types = {r.meeting_type for r in rows if r.meeting_type}
	names = (
		dict(
			frappe.get_all(
				"Scheduler Meeting Type",
				filters={"name": ("in", list(types))},
				fields=["name", "title"],
				as_list=True,
			)
		)
		if types
		else {}
	)
	return {
		**summarize(rows, names, phase_names()),
		"recent_bookings": recent_bookings(filters, names),
		"revenue": booking_revenue(host=host, start_date=start_date, end_date=end_date),
	}


def start_filter(start_date=None, end_date=None, field: str = "start") -> list:
	"""Filters on a booking's ``start`` for the inclusive date range (system time zone)."""
	lo, hi = parse_day(start_date, "start_date"), parse_day(end_date, "end_date")
	if lo and hi and hi < lo:
		raise FieldValidationError(_("Invalid date range"), {"end_date": _("End must not be before start")})
	out = []
	if lo:
		out.append([field, ">=", datetime.combine(lo, time.min)])
	if hi:
		out.append([field, "<=", datetime.combine(hi, time.max)])
	return out


def priced_bookings(filters: list, permission_aware: bool = False) -> list[dict]:
	"""Booking rows with their meeting type's price and currency, times as aware UTC."""
	load = frappe.get_list if permission_aware else frappe.get_all
	rows = load(
		"Scheduler Booking",
		filters=filters,
		fields=[
			"name",
			"host",
			"meeting_type",
			"status",
			"start",
			"creation",
			"currency",
			"amount_paid",
			"amount_refunded",
		],
		limit_page_length=0,
	)
	types = {row.meeting_type for row in rows if row.meeting_type}
	prices = {
		row.name: row
		for row in frappe.get_all(
			"Scheduler Meeting Type",
			filters={"name": ("in", list(types) or [""])},
			fields=["name", "title", "price", "currency"],
		)
	}
	to_utc = converter()
	out = []
	for row in rows:
		mt = prices.get(row.meeting_type) or frappe._dict()
		out.append(
			{
				**row,
				"start": to_utc(row.start) if row.start else None,
				"creation": to_utc(row.creation) if row.creation else None,
				"price": float(mt.price or 0),
				# a paid booking's own currency (its price when booked), else its type's
				"currency": row.currency or mt.currency or "",
				"amount_paid": float(row.amount_paid or 0),
				"amount_refunded": float(row.amount_refunded or 0),
				"meeting_type_title": mt.title or row.meeting_type,
			}
		)
	return out


def booking_revenue(host: str | None = None, start_date=None, end_date=None, now=None) -> BookingRevenue:
	"""Revenue, forecast, and both per host and per meeting type (``rules.analytics.revenue``)
	of one host's bookings (every host's: None)."""
	filters = start_filter(start_date, end_date)
	if host:
		filters.append(["host", "=", host])
	rows = priced_bookings(filters)
	data = revenue(rows, now or utc_now())
	titles = {row["meeting_type"]: row["meeting_type_title"] for row in rows}
	return {
		**data,
		"by_meeting_type": [
			{**row, "name": titles.get(row["meeting_type"]) or row["meeting_type"]}
			for row in data["by_meeting_type"]
		],
	}


def _statuses(doctype: str, key: str, values: set) -> dict:
	"""{key: status} of the ``doctype`` rows whose ``key`` is one of ``values`` (one query)."""
	if not values:
		return {}
	return dict(
		frappe.get_all(doctype, filters={key: ("in", list(values))}, fields=[key, "status"], as_list=True)
	)


def recent_bookings(filters: list, names: dict) -> list[RecentBooking]:
	"""The latest booked engagements with each meeting's status now: a native booking's
	status, an external scheduler's meeting's (Scheduler External Meeting, by its
	``external_key``), in BOOKING_STATUS's names; a query per kind for the whole page."""
	rows = frappe.get_all(
		"Scheduler Engagement",
		filters=[*filters, ["event_type", "=", "meeting_booked"]],
		fields=[
			"name",
			"booking",
			"meeting_type",
			"client",
			"reference_doctype",
			"reference_name",
			"occurred_at",
			"scheduled_for",
			"external_event_id",
		],
		order_by="occurred_at desc, creation desc",
		limit_page_length=RECENT,
	)
	native = _statuses("Scheduler Booking", "name", {row.booking for row in rows if row.booking})
	external = _statuses(  # external_key is unique: one meeting per key
		"Scheduler External Meeting",
		"external_key",
		{row.external_event_id for row in rows if row.external_event_id and not row.booking},
	)
	out = []
	for row in rows:
		stored = native.get(row.booking) if row.booking else external.get(row.external_event_id)
		out.append(
			{
				"booking": row.booking,
				"reference_doctype": row.reference_doctype,
				"reference_name": row.reference_name,
				"assessment_id": row.reference_name,
				"client_name": row.client or "",
				"meeting_type": names.get(row.meeting_type) or row.meeting_type or "",
				"booked_at": iso(row.occurred_at),
				"scheduled_for": iso(row.scheduled_for),
				"status": BOOKING_STATUS.get(stored, "scheduled"),
			}
		)
	return out


def provider_analytics(host: str | None = None, start_date=None, end_date=None) -> list[ProviderStats]:
	"""Video meetings per provider (``rules.analytics.provider_stats``) of one host's
	bookings (every host's: None) that start in the date range, with the provider calls
	logged in it."""
	lo, hi = parse_day(start_date, "start_date"), parse_day(end_date, "end_date")
	if lo and hi and hi < lo:
		raise FieldValidationError(_("Invalid date range"), {"end_date": _("End must not be before start")})
	bookings = [["meeting_provider", "is", "set"]]
	calls = []
	if host:
		bookings.append(["host", "=", host])
		calls.append(["host", "=", host])
	for field, rows in (("start", bookings), ("occurred_at", calls)):
		if lo:
			rows.append([field, ">=", datetime.combine(lo, time.min)])
		if hi:
			rows.append([field, "<=", datetime.combine(hi, time.max)])
	return provider_stats(
		frappe.get_all("Scheduler Booking", filters=bookings, fields=["meeting_provider", "status"]),
		frappe.get_all("Scheduler Video Meeting Log", filters=calls, fields=["provider", "result"]),
	)


def active_hosts(host: str | None = None) -> list[str]:
	"""Users with an active Scheduler Profile and an enabled User (only ``host``, if given)."""
	filters = {"active": 1, **({"user": host} if host else {})}
	users = frappe.get_all("Scheduler Profile", filters=filters, pluck="user")
	enabled = set(frappe.get_all("User", filters={"name": ("in", users or [""]), "enabled": 1}, pluck="name"))
	return [user for user in users if user in enabled]


def calendar_connection_rate(host: str | None = None) -> ConnectionRate:
	"""{"rate", "connected", "hosts", "unconnected"} of the active hosts (one: ``host``)."""
	return connection_rate(host_connections(active_hosts(host)))
