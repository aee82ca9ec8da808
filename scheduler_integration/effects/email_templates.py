"""Default Email Templates of booking emails: created when missing, and brought up to
the app's newer defaults on migrate only while nobody has edited them, so admins can edit
them in the desk (Email Template list, names starting "Scheduler:") and keep their words.

Each default is a Jinja file under ``templates/emails/``: its ``subject`` block and its
``body`` block, or the blocks it fills in a layout it extends (``parts/guest_email.html``,
``parts/host_email.html``); parts several use are included from ``templates/emails/parts/``.
The texts are marked ``{{ _("…") }}``: Frappe's extractor finds them in the files, and they
are translated when an email is rendered, into the reader's language
(``core.languages.reader_language``). A record is made of the file's source with its layout
and parts written in and its line breaks dropped, so the desk shows one self-contained
template (and the records are what they were when these were Python strings).

Values arrive HTML-escaped (see effects.email.render): use them as {{ guest_name }}. Every
template gets the same values (``outputs.email_values``), under this app's names and
the alias names: contact_name, appointment_date, appointment_time, appointment_duration,
service_name, video_link, video_password, calendar_link, staff_name, location_details,
and feedback_link / rebook_link for the follow-ups; a paid booking's amount_paid, paid_on,
payment_reference, refund_due and receipt_url (``parts/payment.html``).
"""

from __future__ import annotations

import re
from pathlib import Path

import frappe

FOLDER = Path(__file__).resolve().parents[1] / "templates" / "emails"
_PATH = r'"scheduler_integration/templates/emails/([\w/]+\.html)"'
_INCLUDE = re.compile(r"\{% include " + _PATH + r" %\}")
_EXTENDS = re.compile(r"\{% extends " + _PATH + r" %\}")
_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_BLOCK = re.compile(r"\{% block (\w+) %\}(.*?)\{% endblock %\}", re.S)


def source(file: str) -> str:
	"""A template file with its comments dropped and its includes written in."""
	text = _COMMENT.sub("", (FOLDER / file).read_text(encoding="utf-8"))
	return _INCLUDE.sub(lambda found: source(found.group(1)), text)


def subject_and_body(file: str) -> tuple[str, str]:
	"""The file's subject and body as a record stores them: the layout it extends with its
	blocks filled (the layout's own text where the file fills none), each line without its
	indentation, joined (a line break in a template is only for reading it)."""
	text = source(file)
	blocks = dict(_BLOCK.findall(text))
	layout = _EXTENDS.search(text)
	if layout:
		blocks["body"] = _BLOCK.sub(
			lambda found: blocks.get(found.group(1), found.group(2)), source(layout.group(1))
		)
	return _one_line(blocks["subject"]), _one_line(blocks["body"])


def _one_line(text: str) -> str:
	return "".join(line.strip() for line in text.splitlines())


def _load(files: dict[str, str]) -> dict[str, tuple[str, str]]:
	return {name: subject_and_body(file) for name, file in files.items()}


# name -> (subject, HTML body)
DEFAULT_TEMPLATES = _load(
	{
		"Scheduler: Booking Confirmed (Guest)": "booking_confirmed_guest.html",
		"Scheduler: New Booking (Host)": "new_booking_host.html",
		"Scheduler: Booking Requested (Guest)": "booking_requested_guest.html",
		"Scheduler: Booking Request (Host)": "booking_request_host.html",
		"Scheduler: Booking Declined (Guest)": "booking_declined_guest.html",
		"Scheduler: Booking Rescheduled (Guest)": "booking_rescheduled_guest.html",
		"Scheduler: Booking Rescheduled (Host)": "booking_rescheduled_host.html",
		"Scheduler: Booking Cancelled (Guest)": "booking_cancelled_guest.html",
		"Scheduler: Booking Cancelled (Host)": "booking_cancelled_host.html",
		"Scheduler: Booking Passed On (Host)": "booking_reassigned_host.html",
		"Scheduler: Meeting Link (Guest)": "meeting_link_guest.html",
		"Scheduler: Meeting Link (Host)": "meeting_link_host.html",
		"Scheduler: Reminder (Guest)": "reminder_guest.html",
		"Scheduler: Reminder (Host)": "reminder_host.html",
		# follow-ups (Meeting Type → Follow-ups), written with the alias names (effects.email_values)
		"Scheduler: Thank You (Guest)": "thank_you_guest.html",
		"Scheduler: Sorry We Missed You (Guest)": "sorry_we_missed_you_guest.html",
		"Scheduler: Book Again (Guest)": "book_again_guest.html",
		# paid bookings (booking.payments): the hold ended unpaid; a late payment refunded
		"Scheduler: Reservation Released (Guest)": "hold_expired_guest.html",
		"Scheduler: Payment Refunded (Guest)": "payment_refunded_guest.html",
	}
)
# Plain-text SMS bodies: Email Templates too (editable in the same list), only ``response``
# (plain text, not HTML) is used; the subject only names the template in the list.
SMS_TEMPLATES = _load({"Scheduler: Reminder (SMS)": "reminder_sms.html"})


def _refresh_untouched(name: str, values: dict) -> None:
	"""A default nobody has edited (never saved since it was made) follows the app's newer
	default; an edited one is left alone."""
	row = frappe.db.get_value("Email Template", name, ["creation", "modified", *values], as_dict=True)
	if row.modified != row.creation or all(row.get(key) == value for key, value in values.items()):
		return
	frappe.db.set_value("Email Template", name, values, update_modified=False)
	frappe.clear_document_cache("Email Template", name)


def ensure_email_templates() -> None:
	for name, (subject, html) in DEFAULT_TEMPLATES.items():
		if frappe.db.exists("Email Template", name):
			_refresh_untouched(name, {"subject": subject, "response_html": html})
			continue
		frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": name,
				"subject": subject,
				"use_html": 1,
				"response_html": html,
			}
		).insert(ignore_permissions=True)
	for name, (subject, text) in SMS_TEMPLATES.items():
		if frappe.db.exists("Email Template", name):
			_refresh_untouched(name, {"subject": subject, "response": text})
			continue
		frappe.get_doc(
			{"doctype": "Email Template", "name": name, "subject": subject, "use_html": 0, "response": text}
		).insert(ignore_permissions=True)


def template_names() -> list[str]:
	"""Every template this app creates (removed again on uninstall)."""
	return [*DEFAULT_TEMPLATES, *SMS_TEMPLATES]
