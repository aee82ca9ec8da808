"""Booking emails through Frappe's Email Queue, from Email Templates editable in the desk.

Every value handed to a template is HTML-escaped here, before rendering, so a template
edited in the desk cannot accidentally output a guest's markup, and guest text is only
ever data in the context — never part of a template, so Jinja syntax in it is never
evaluated. Subjects are single-line (guest names cannot contain CR/LF: see guest_form).
"""

from __future__ import annotations

from datetime import datetime
from html import escape, unescape

import frappe
from frappe import _

from scheduler_integration.engine.ics import IcsAttendee, IcsEvent, build_invite
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.services.timeutil import to_utc, utc_now

# event -> ((recipient, template name), ...)
TEMPLATES = {
	"booked": (("guest", "Scheduler: Booking Confirmed (Guest)"), ("host", "Scheduler: New Booking (Host)")),
	"pending": (
		("guest", "Scheduler: Booking Requested (Guest)"),
		("host", "Scheduler: Booking Request (Host)"),
	),
	"confirmed": (("guest", "Scheduler: Booking Confirmed (Guest)"),),
	"declined": (("guest", "Scheduler: Booking Declined (Guest)"),),
	"rescheduled": (
		("guest", "Scheduler: Booking Rescheduled (Guest)"),
		("host", "Scheduler: Booking Rescheduled (Host)"),
	),
	"cancelled": (
		("guest", "Scheduler: Booking Cancelled (Guest)"),
		("host", "Scheduler: Booking Cancelled (Host)"),
	),
	"reminder": (("guest", "Scheduler: Reminder (Guest)"),),
	"reminder_host": (("host", "Scheduler: Reminder (Host)"),),
}
ICS_METHOD = {
	"booked": "REQUEST",
	"confirmed": "REQUEST",
	"rescheduled": "REQUEST",
	"cancelled": "CANCEL",
	"declined": "CANCEL",
}


def plain(value) -> str:
	"""What the guest typed, as plain text.

	Frappe bleaches Data fields that contain markup when they are saved (``<script>``
	becomes ``&lt;script&gt;``); every output here escapes once for its own format, so the
	stored value is read back as text first instead of being escaped twice.
	"""
	return unescape(str(value or ""))


def host_zone(user: str) -> str:
	return (
		frappe.db.get_value("Scheduler Profile", {"user": user}, "timezone")
		or frappe.utils.get_system_timezone()
	)


def _when(moment: datetime, zone_name: str) -> tuple[str, str]:
	local = moment.astimezone(get_zone(zone_name))
	return frappe.utils.formatdate(local.date(), "EEEE, d MMMM yyyy"), local.strftime("%H:%M")


def context(doc, recipient: str) -> dict:
	"""Escaped values for a template; times on the recipient's clock."""
	from scheduler_integration.services.booking import manage_url

	mt = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type)
	zone_name = (doc.booker_timezone if recipient == "guest" else host_zone(doc.host)) or "UTC"
	day, clock = _when(to_utc(doc.start), zone_name)
	duration = int(mt.custom_duration) if mt.duration == "Custom" else int(mt.duration)
	values = {
		"guest_name": plain(doc.guest_name),
		"guest_email": doc.guest_email,
		"guest_phone": plain(doc.guest_phone),
		"guest_company": plain(doc.guest_company),
		"host_name": frappe.utils.get_fullname(doc.host),
		"meeting_type": mt.title,
		"date": day,
		"time": clock,
		"timezone": zone_name,
		"duration": str(duration),
		"location": plain(doc.location),
		"meeting_link": doc.meeting_link or "",
		"notes": plain(doc.notes),
		"cancel_reason": plain(doc.cancel_reason),
		"manage_url": (manage_url(doc) or "") if recipient == "guest" else "",
		"booking_url": frappe.utils.get_url(f"/app/scheduler-booking/{doc.name}")
		if recipient == "host"
		else "",
		"status": _(doc.status),
	}
	return {key: escape(str(value), quote=True) for key, value in values.items()}


def subject_values(values: dict) -> dict:
	"""Subjects are plain text: the same values, unescaped, on one line."""
	return {key: unescape(value).replace("\r", " ").replace("\n", " ") for key, value in values.items()}


def booking_event(
	booking, meeting_type_title: str, cancelled: bool = False, organizer: bool = False
) -> IcsEvent:
	"""The calendar event of a booking (document or row), for invitations and feeds."""
	values = {}
	if organizer:
		values = {
			"organizer_email": frappe.db.get_value("User", booking.host, "email") or booking.host,
			"organizer_name": frappe.utils.get_fullname(booking.host),
			"url": booking.meeting_link or "",
		}
	return IcsEvent(
		uid=booking.ical_uid or f"{booking.name}@scheduler_integration",
		start=to_utc(booking.start),
		end=to_utc(booking.end),
		summary=f"{meeting_type_title}: {plain(booking.guest_name)}",
		description=plain(booking.notes)[:2000],
		location=booking.meeting_link or plain(booking.location),
		attendees=(IcsAttendee(booking.guest_email, plain(booking.guest_name)),),
		sequence=int(booking.sequence or 0),
		status="CANCELLED" if cancelled else ("TENTATIVE" if booking.status == "Pending" else "CONFIRMED"),
		**values,
	)


def invite_ics(doc, method: str = "REQUEST", now: datetime | None = None) -> str:
	title = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type).title
	event = booking_event(doc, title, cancelled=method == "CANCEL", organizer=True)
	return build_invite(event, method, now or utc_now())


def render(template_name: str, values: dict) -> tuple[str, str]:
	template = frappe.get_doc("Email Template", template_name)
	subject = (
		frappe.render_template(template.subject, subject_values(values)).replace("\r", " ").replace("\n", " ")
	)
	body = frappe.render_template(template.response_html or template.response or "", values)
	return subject.strip(), body


def send(doc, event: str) -> int:
	"""Queue the emails of ``event`` for ``doc``; returns how many were queued."""
	queued = 0
	settings_remind_host = frappe.db.get_single_value("Scheduler Settings", "remind_host")
	for recipient, template_name in TEMPLATES.get(event, ()):
		if not frappe.db.exists("Email Template", template_name):
			continue
		address = (
			doc.guest_email
			if recipient == "guest"
			else (frappe.db.get_value("User", doc.host, "email") or doc.host)
		)
		if recipient == "host" and event == "reminder_host" and not settings_remind_host:
			continue
		subject, body = render(template_name, context(doc, recipient))
		attachments = []
		if event in ICS_METHOD:
			attachments.append({"fname": "invite.ics", "fcontent": invite_ics(doc, ICS_METHOD[event])})
		frappe.sendmail(
			recipients=[address],
			subject=subject,
			message=body,
			attachments=attachments,
			reference_doctype="Scheduler Booking",
			reference_name=doc.name,
			delayed=True,
		)
		queued += 1
	return queued
