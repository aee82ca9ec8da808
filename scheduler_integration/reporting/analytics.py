"""Engagement analytics of one host: rows loaded here, figures computed by engine.analytics."""

from __future__ import annotations

from datetime import date, datetime, time

import frappe
from frappe import _

from scheduler_integration.core.clock import iso
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.engine.analytics import summarize
from scheduler_integration.engine.booking_states import Status
from scheduler_integration.reporting.phases import phase_names

# the seed API's names for booking statuses
BOOKING_STATUS = {
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


def host_analytics(host: str, start_date=None, end_date=None) -> dict:
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
	data = summarize(rows, names, phase_names())
	data["recent_bookings"] = recent_bookings(filters, names)
	return data


def recent_bookings(filters: list, names: dict) -> list[dict]:
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
	out = []
	for row in rows:
		status = "scheduled"
		if row.booking:
			status = BOOKING_STATUS.get(
				frappe.db.get_value("Scheduler Booking", row.booking, "status"), "scheduled"
			)
		elif row.external_event_id and frappe.db.exists(
			"Scheduler Engagement",
			{"external_event_id": row.external_event_id, "event_type": "meeting_cancelled"},
		):
			status = "cancelled"
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
				"status": status,
			}
		)
	return out
