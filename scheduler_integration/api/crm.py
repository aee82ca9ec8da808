"""Scheduling from a CRM record (the rep's side): *Schedule Meeting* on Frappe CRM's lead
and deal pages (the app's CRM Form Script) and on ERPNext's Lead, Opportunity, Customer
and Contact forms (``public/js/schedule_meeting.js``).

- ``scheduling_options``: the prospect as the record knows them (name, email, phone, the
  time zone they last booked in) and the rep's meeting types;
- ``free_times``: the rep's free times for a type, labelled on the rep's clock and, when
  known, the prospect's;
- ``book_for_record``: book one of them on the prospect's behalf, through the checked
  path, with the rep as host and organiser; the booking lands on that record and the
  prospect gets the invitation and their manage link;
- ``send_personal_link``: a personal booking link for the prospect (``Scheduler Personal
  Link``), emailed from the record so the send is on its timeline.

Every method is for signed-in users who may read the record (403 otherwise) and have a
booking profile (404 ``NOT_CONFIGURED`` otherwise); the envelope and statuses are those of
the app's API (``api.utils``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypedDict

import frappe
from frappe import _

from scheduler_integration.api import parse
from scheduler_integration.api.utils import api, iso, ok
from scheduler_integration.booking import reps
from scheduler_integration.booking.errors import NotConfigured
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.core.answers import Answer, DateTime, Email, Url
from scheduler_integration.core.clock import utc_now
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.crm.records import RECORD_DOCTYPES, Prospect, prospect_of
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.meetings import needs_phone
from scheduler_integration.engine.statuses import BookingStatus
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.engine.validation import Assignment, clean_int
from scheduler_integration.rules.guest_form import clean_booking_form
from scheduler_integration.rules.personal_links import DEFAULT_DAYS, MAX_DAYS, MAX_USES
from scheduler_integration.scheduler_integration.doctype.scheduler_booking import new_bookings
from scheduler_integration.scheduler_integration.doctype.scheduler_personal_link.scheduler_personal_link import (
	create_link,
)

DEFAULT_DAYS_AHEAD = 14


class Rep(TypedDict):
	"""The signed-in rep who books: their user and time zone."""

	user: str
	timezone: str


class RepMeetingType(TypedDict):
	"""A meeting type the rep may book for a prospect."""

	name: str
	title: str
	duration: int
	assignment: Assignment


class SchedulingOptions(TypedDict):
	"""What Schedule Meeting on a CRM record starts from: the prospect, the rep, their types."""

	prospect: Prospect
	rep: Rep
	meeting_types: list[RepMeetingType]


class FreeTime(TypedDict):
	"""A free start of the rep's, labelled on the rep's clock (and the prospect's, when known)."""

	start: DateTime
	label: str


class FreeTimes(TypedDict):
	"""The rep's free times for a meeting type over the next days."""

	timezone: str
	prospect_timezone: str | None
	days: int
	times: list[FreeTime]


class RecordRef(TypedDict):
	"""A CRM record: its DocType and name."""

	doctype: str
	name: str


class RecordBooking(TypedDict):
	"""A booking a rep made for a CRM record's prospect."""

	id: str
	status: BookingStatus
	start: DateTime
	end: DateTime
	host: str
	hosts: list[str]
	guest_email: Email
	record: RecordRef


class PersonalLinkSent(TypedDict):
	"""A personal booking link made for a prospect, and the email that sent it (None: not sent)."""

	link: str
	url: Url
	expires_at: DateTime
	max_uses: int
	sent: bool
	communication: str | None


def _record(reference_doctype, reference_name) -> tuple[str, str]:
	"""The record, when the session may read it."""
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Please sign in"))
	if (
		reference_doctype not in RECORD_DOCTYPES
		or not isinstance(reference_name, str)
		or not frappe.db.exists("DocType", reference_doctype)
		or not frappe.db.exists(reference_doctype, reference_name)
	):
		raise frappe.DoesNotExistError(
			_("{0} {1} not found").format(_(str(reference_doctype)), reference_name)
		)
	if not frappe.has_permission(reference_doctype, "read", doc=reference_name):
		raise frappe.PermissionError(
			_("You may not read {0} {1}").format(_(reference_doctype), reference_name)
		)
	return reference_doctype, reference_name


def _rep() -> str:
	user = frappe.session.user
	if not frappe.db.exists("Scheduler Profile", {"user": user}):
		raise NotConfigured(_("Create your booking profile first (Scheduling → Scheduler Profile)"))
	return user


def _type(meeting_type, user: str) -> str:
	if not isinstance(meeting_type, str) or not reps.may_book_for_prospect(meeting_type, user):
		raise frappe.DoesNotExistError(_("This meeting type does not exist"))
	return meeting_type


def _label(moment, zone: str) -> str:
	"""A start on ``zone``'s clock, in the reader's language: "Mon 2 Mar, 10:00"."""
	from babel.dates import format_datetime

	local = moment.astimezone(get_zone(zone))
	try:
		return format_datetime(
			local, "EEE d MMM, HH:mm", locale=(frappe.local.lang or "en").replace("-", "_")
		)
	except (ValueError, LookupError):
		return local.strftime("%a %d %b, %H:%M")


@frappe.whitelist(methods=["GET"])
@api
def scheduling_options(reference_doctype: str, reference_name: str) -> Answer[SchedulingOptions]:
	"""The prospect as the record knows them and the rep's meeting types."""
	doctype, name = _record(parse.record_doctype(reference_doctype), reference_name)
	rep = _rep()
	return ok(
		{
			"prospect": prospect_of(doctype, name),
			"rep": {"user": rep, "timezone": host_timezone(rep)},
			"meeting_types": [
				{
					"name": doc.name,
					"title": doc.title,
					"duration": doc.duration_minutes(),
					"assignment": doc.assignment or "Individual",
				}
				for doc in reps.rep_types(rep)
			],
		}
	)


@frappe.whitelist(methods=["GET"])
@api
def free_times(
	meeting_type: str,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	days: int | None = None,
) -> Answer[FreeTimes]:
	"""The rep's free times for ``meeting_type`` over the next ``days`` (14, at most 31),
	each labelled on the rep's clock and, when the record's prospect booked before, theirs."""
	rep = _rep()
	mt = _type(meeting_type, rep)
	prospect_zone = None
	if reference_doctype or reference_name:
		record = _record(parse.record_doctype(reference_doctype), reference_name)
		prospect_zone = prospect_of(*record).get("timezone")
	days = clean_int(days, "days", 1, reps.MAX_DAYS, default=DEFAULT_DAYS_AHEAD)
	zone = host_timezone(rep)
	now = utc_now()
	slots = reps.free_times(mt, rep, now, days, now)
	times = []
	for slot in slots:
		label = _label(slot.start, zone)
		if prospect_zone and prospect_zone != zone:
			label = f"{label} · {_label(slot.start, prospect_zone)}"
		times.append({"start": iso(slot.start), "label": label})
	return ok(
		{
			"timezone": zone,
			"prospect_timezone": prospect_zone if prospect_zone != zone else None,
			"days": days,
			"times": times,
		}
	)


def _guest(values: dict, phone_required: bool) -> dict:
	cleaned, errors = clean_booking_form(values, (), phone_required=phone_required)
	if errors:
		raise FieldValidationError(
			_("Please correct these fields"), {field: translate(exc) for field, exc in errors.items()}
		)
	cleaned.pop("attendees", None)
	cleaned.pop("answers", None)
	return cleaned


@frappe.whitelist(methods=["POST"])
@api
def book_for_record(
	reference_doctype: str,
	reference_name: str,
	meeting_type: str,
	start: str,
	name: str | None = None,
	email: str | None = None,
	phone: str | None = None,
	notes: str | None = None,
	timezone: str | None = None,
) -> Answer[RecordBooking]:
	"""Book ``start`` for the record's prospect with the rep as host and organiser: checked
	like every booking (409 with alternatives when taken). 201 with the booking."""
	doctype, docname = _record(parse.record_doctype(reference_doctype), reference_name)
	rep = _rep()
	mt = _type(meeting_type, rep)
	prospect = prospect_of(doctype, docname)
	guest = _guest(
		{
			"name": name or prospect.get("name"),
			"email": email or prospect.get("email"),
			"phone": phone if phone is not None else prospect.get("phone"),
			"notes": notes,
			"timezone": timezone or prospect.get("timezone") or host_timezone(rep),
		},
		needs_phone(meeting_type_doc(mt).get("location_type")),
	)
	start_at = parse.instant(start, "start")
	doc = new_bookings.book_for_record(mt, start_at, guest, host=rep, record=(doctype, docname))
	return ok(
		{
			"id": doc.name,
			"status": doc.status,
			"start": iso(doc.start),
			"end": iso(doc.end),
			"host": doc.host,
			"hosts": [row.user for row in doc.hosts],
			"guest_email": doc.guest_email,
			"record": {"doctype": doctype, "name": docname},
		},
		_("Meeting booked: the invitation is on its way."),
		status=201,
	)


@frappe.whitelist(methods=["POST"])
@api
def send_personal_link(
	reference_doctype: str,
	reference_name: str,
	meeting_type: str,
	email: str | None = None,
	name: str | None = None,
	phone: str | None = None,
	max_uses: int | None = None,
	days: int | None = None,
	send: int | str | None = 1,
	message: str | None = None,
) -> Answer[PersonalLinkSent]:
	"""A personal booking link for the record's prospect (``max_uses`` bookings within
	``days``), emailed to them from the record when ``send``. 201 with its URL."""
	doctype, docname = _record(parse.record_doctype(reference_doctype), reference_name)
	rep = _rep()
	mt = _type(meeting_type, rep)
	prospect = prospect_of(doctype, docname)
	guest = _guest(
		{
			"name": name or prospect.get("name") or (email or prospect.get("email") or "").split("@")[0],
			"email": email or prospect.get("email"),
			"phone": phone if phone is not None else prospect.get("phone"),
			"timezone": "UTC",
		},
		False,
	)
	try:
		uses = clean_int(max_uses, "max_uses", 1, MAX_USES, default=1)
		valid_days = clean_int(days, "days", 1, MAX_DAYS, default=DEFAULT_DAYS)
	except SchedulingError as exc:
		raise FieldValidationError(translate(exc), {exc.field or "max_uses": translate(exc)}) from None
	link, url = create_link(
		mt,
		host=rep,
		guest=guest,
		reference=(doctype, docname),
		max_uses=uses,
		expires_at=utc_now() + timedelta(days=valid_days),
	)
	communication = link.send_to_prospect(url, parse.reason(message)) if parse.flag(send) else None
	frappe.db.commit()
	return ok(
		{
			"link": link.name,
			"url": url,
			"expires_at": iso(link.expires_at),
			"max_uses": uses,
			"sent": bool(communication),
			"communication": communication,
		},
		_("Link sent") if communication else _("Link created"),
		status=201,
	)
