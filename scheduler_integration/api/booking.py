"""Host API: my bookings (filters: status, date range)."""

from __future__ import annotations

import frappe
from frappe import _

from scheduler_integration.api.utils import acting_user, iso, ok, scheduler_api
from scheduler_integration.engine.validation import clean_choice, clean_int
from scheduler_integration.services.errors import FieldValidationError
from scheduler_integration.services.timeutil import to_system, to_utc
from scheduler_integration.services.validators import BOOKING_STATUSES

LIST_FIELDS = (
	"name",
	"meeting_type",
	"host",
	"status",
	"start",
	"end",
	"booker_timezone",
	"guest_name",
	"guest_email",
	"guest_phone",
	"guest_company",
	"notes",
	"location",
	"meeting_link",
	"contact",
	"reference_doctype",
	"reference_name",
	"creation",
)


def _bound(value, field: str):
	if value in (None, ""):
		return None
	try:
		moment = to_utc(value)
	except Exception:
		moment = None
	if moment is None:
		raise FieldValidationError(
			_("Invalid date"), {field: _("Use a date (YYYY-MM-DD) or an ISO date-time")}
		)
	return to_system(moment)


@frappe.whitelist(methods=["GET"])
@scheduler_api
def list_my_bookings(
	user: str | None = None,
	status: str | None = None,
	from_date: str | None = None,
	to_date: str | None = None,
	limit: int = 100,
	start: int = 0,
):
	"""Bookings where you are the host, newest start first."""
	user = acting_user(user)
	filters: list = [["host", "=", user]]
	if status:
		statuses = [s for s in str(status).split(",") if s.strip()]
		filters.append(["status", "in", [clean_choice(s, "status", BOOKING_STATUSES) for s in statuses]])
	lower, upper = _bound(from_date, "from_date"), _bound(to_date, "to_date")
	if lower:
		filters.append(["start", ">=", lower])
	if upper:
		if len(str(to_date).strip()) == 10:  # a date: include that whole day
			upper = upper.replace(hour=23, minute=59, second=59)
		filters.append(["start", "<=", upper])
	rows = frappe.get_all(
		"Scheduler Booking",
		filters=filters,
		fields=list(LIST_FIELDS),
		order_by="start desc",
		limit_start=clean_int(start, "start", 0, 10**9, default=0),
		limit_page_length=clean_int(limit, "limit", 1, 500, default=100),
	)
	types = (
		{
			r.name: r.title
			for r in frappe.get_all(
				"Scheduler Meeting Type",
				filters={"name": ("in", list({row.meeting_type for row in rows}))},
				fields=["name", "title"],
			)
		}
		if rows
		else {}
	)
	data = []
	for row in rows:
		item = {key: row.get(key) for key in LIST_FIELDS}
		item["id"] = item.pop("name")
		item["meeting_type_name"] = types.get(row.meeting_type)
		item["start"], item["end"], item["created_at"] = iso(row.start), iso(row.end), iso(row.creation)
		item.pop("creation")
		data.append(item)
	return ok(data)


def _host_booking(booking: str):
	from scheduler_integration.api.utils import check_owner

	check_owner("Scheduler Booking", booking, "host")
	return frappe.get_doc("Scheduler Booking", booking)


@frappe.whitelist(methods=["POST"])
@scheduler_api
def confirm_booking(booking: str):
	"""Confirm a pending booking (the guest is emailed)."""
	from scheduler_integration.services import booking as service

	doc = service.confirm_booking(_host_booking(booking))
	return ok({"id": doc.name, "status": doc.status}, _("Booking confirmed"))


@frappe.whitelist(methods=["POST"])
@scheduler_api
def decline_booking(booking: str, reason: str | None = None):
	"""Decline a pending booking: it is cancelled and the guest is told."""
	from scheduler_integration.engine.validation import clean_text
	from scheduler_integration.services import booking as service

	doc = service.decline_booking(_host_booking(booking), clean_text(reason, "reason", 1000, multiline=True))
	return ok({"id": doc.name, "status": doc.status}, _("Booking declined"))


@frappe.whitelist(methods=["POST"])
@scheduler_api
def mark_no_show(booking: str):
	doc = _host_booking(booking)
	if doc.status not in ("Confirmed", "Completed"):
		raise FieldValidationError(
			_("Only confirmed or completed bookings can be marked as no-show"), {"status": _("Not allowed")}
		)
	doc.status = "No Show"
	doc.save()
	return ok({"id": doc.name, "status": doc.status}, _("Marked as no-show"))
