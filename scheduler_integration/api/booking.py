"""Host API: my bookings, and the changes a host makes to them (one method
per change): reschedule, cancel with a reason, confirm, decline, no-show,
completed.

Every change goes through the booking's checked path (``booking.check``): a move is
checked for every host like a new booking (409 with alternatives), a status change by
the state machine (403). Only the booking's hosts and Scheduler Managers may change it.
"""

from __future__ import annotations

from typing import TypedDict

import frappe
from frappe import _

from scheduler_integration.api import parse
from scheduler_integration.api.utils import acting_user, api, iso, ok
from scheduler_integration.booking.host_lists import FIELDS, host_bookings
from scheduler_integration.core.answers import Answer, DateTime, Email
from scheduler_integration.core.clock import to_system, to_utc
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.engine.booking_states import Actor
from scheduler_integration.engine.statuses import BookingStatus
from scheduler_integration.engine.validation import clean_int


class HostBooking(TypedDict):
	"""A booking in its host's list: the stored fields, its hosts and its meeting type's title."""

	id: str
	meeting_type: str
	meeting_type_name: str | None
	host: str
	hosts: list[str]
	status: BookingStatus
	start: DateTime
	end: DateTime
	booker_timezone: str | None
	guest_name: str | None
	guest_email: Email | None
	guest_phone: str | None
	guest_company: str | None
	notes: str | None
	location: str | None
	meeting_link: str | None
	contact: str | None
	reference_doctype: str | None
	reference_name: str | None
	created_at: DateTime


class ChangedBooking(TypedDict):
	"""A booking as a host's change left it: status, time, hosts and its calendar sequence."""

	id: str
	status: BookingStatus
	start: DateTime
	end: DateTime
	hosts: list[str]
	sequence: int


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
@api
def list_my_bookings(
	user: str | None = None,
	status: str | None = None,
	from_date: str | None = None,
	to_date: str | None = None,
	limit: int = 100,
	start: int = 0,
) -> Answer[list[HostBooking]]:
	"""Bookings you are a host of (collective ones too), newest start first."""
	user = acting_user(user)
	lower, upper = _bound(from_date, "from_date"), _bound(to_date, "to_date")
	if upper and len(str(to_date).strip()) == 10:  # a date: include that whole day
		upper = upper.replace(hour=23, minute=59, second=59)
	rows = host_bookings(
		user,
		parse.booking_statuses(status),
		lower,
		upper,
		start=clean_int(start, "start", 0, 10**9, default=0),
		limit=clean_int(limit, "limit", 1, 500, default=100),
	)
	data = []
	for row in rows:
		item = {key: row.get(key) for key in FIELDS}
		item["id"] = item.pop("name")
		item["hosts"], item["meeting_type_name"] = row.hosts, row.meeting_type_name
		item["start"], item["end"], item["created_at"] = iso(row.start), iso(row.end), iso(row.creation)
		item.pop("creation")
		data.append(item)
	return ok(data)


def _my_booking(booking: str):
	"""The booking, if the session may change it (one of its hosts, or a manager)."""
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Please sign in"))
	if not isinstance(booking, str) or not frappe.db.exists("Scheduler Booking", booking):
		raise frappe.DoesNotExistError(_("Booking {0} not found").format(booking))
	doc = frappe.get_doc("Scheduler Booking", booking)
	if not frappe.has_permission("Scheduler Booking", "write", doc):
		raise frappe.PermissionError(_("Only the booking's hosts can change it"))
	doc.flags.actor = Actor.HOST
	return doc


def _change(booking: str, change, message: str) -> Answer[ChangedBooking]:
	"""Make ``change(doc)`` to your booking (``_my_booking``: checked before anything the
	change reads from its arguments) and answer with the booking as it is now."""
	doc = _my_booking(booking)
	change(doc)
	return ok(
		{
			"id": doc.name,
			"status": doc.status,
			"start": iso(doc.start),
			"end": iso(doc.end),
			"hosts": [row.user for row in doc.hosts],
			"sequence": doc.sequence,
		},
		message,
	)


@frappe.whitelist(methods=["POST", "PATCH"])
@api
def reschedule_booking(booking: str, start: str, timezone: str | None = None) -> Answer[ChangedBooking]:
	"""Move your booking to ``start`` (ISO 8601 with offset): checked for every host (409
	with ``alternatives`` in ``timezone`` when taken); the guest and hosts are told."""
	return _change(
		booking, lambda doc: doc.reschedule(parse.instant(start, "start")), _("Booking rescheduled")
	)


@frappe.whitelist(methods=["POST", "PATCH"])
@api
def cancel_booking(booking: str, reason: str | None = None) -> Answer[ChangedBooking]:
	"""Cancel your booking with an optional reason (the guest and hosts are told)."""
	return _change(booking, lambda doc: doc.cancel(parse.reason(reason)), _("Booking cancelled"))


@frappe.whitelist(methods=["POST"])
@api
def confirm_booking(booking: str) -> Answer[ChangedBooking]:
	"""Confirm a pending booking (the guest is emailed)."""
	return _change(booking, lambda doc: doc.confirm(), _("Booking confirmed"))


@frappe.whitelist(methods=["POST"])
@api
def decline_booking(booking: str, reason: str | None = None) -> Answer[ChangedBooking]:
	"""Decline a pending booking: it is cancelled and the guest is told."""
	return _change(booking, lambda doc: doc.decline(parse.reason(reason)), _("Booking declined"))


@frappe.whitelist(methods=["POST"])
@api
def mark_no_show(booking: str) -> Answer[ChangedBooking]:
	return _change(booking, lambda doc: doc.mark_no_show(), _("Marked as no-show"))


@frappe.whitelist(methods=["POST"])
@api
def mark_completed(booking: str) -> Answer[ChangedBooking]:
	"""Mark your meeting as held (once it has started; a no-show corrected)."""
	return _change(booking, lambda doc: doc.mark_completed(), _("Marked as completed"))
