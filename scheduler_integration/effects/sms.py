"""SMS reminders through Frappe's core SMS Settings (any HTTP gateway; Setup → SMS Settings).

- Sent only for meeting types with "Send SMS Reminders" on, to the phone number the guest
  gave (checked by ``engine.validation.clean_phone``), and only while SMS Settings name a
  gateway; the number goes to the gateway as Frappe sends it (spaces, dashes and brackets
  removed).
- The text is the Email Template "Scheduler: Reminder (SMS)" (its plain-text response),
  rendered with the same values as the emails; editable in the desk. Every SMS carries the
  booking's short manage link (``short_manage_url``, ``/b/<code>``): a template edited
  without it gets it appended. ``reply_cancel`` is set while Scheduler Settings hold a
  Twilio auth token, i.e. a reply CANCEL is read (``api.sms``).
- The request is Frappe's own (``sms_settings.send_request`` with the parameters and headers
  of SMS Settings: the same form, JSON, POST or GET as ``send_sms``), and an SMS Log is
  written where that DocType exists (it comes with ERPNext). ``send_sms`` itself is not
  called: on plain Frappe it fails *after* the gateway accepted the message, writing the
  missing SMS Log, and every retry would text the guest again.
- A gateway that answers with an error raises, so the reminder is retried like a failed
  email. Each SMS handed to the gateway is written to the automation log in the
  reminder's transaction.
"""

from __future__ import annotations

import frappe
from frappe import _

from scheduler_integration.core import jinja
from scheduler_integration.effects import automation_log
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.validation import clean_phone
from scheduler_integration.outputs.email_values import email_values
from scheduler_integration.rules.matching import phone_digits

TEMPLATE = "Scheduler: Reminder (SMS)"
MAX_LENGTH = 612  # four concatenated SMS segments
MIN_DIGITS = 6


def configured() -> bool:
	return bool(frappe.db.get_single_value("SMS Settings", "sms_gateway_url"))


def number(booking) -> str | None:
	"""The guest's phone number when it can take an SMS, else None."""
	try:
		phone = clean_phone(booking.guest_phone or "", "guest_phone")
	except SchedulingError:
		return None
	return phone if len(phone_digits(phone)) >= MIN_DIGITS else None


def replies_on() -> bool:
	"""Are replies read (a Twilio auth token is set)?"""
	from frappe.utils.password import get_decrypted_password

	return bool(
		get_decrypted_password(
			"Scheduler Settings", "Scheduler Settings", "twilio_auth_token", raise_exception=False
		)
	)


def reminder_text(booking) -> str:
	template = frappe.get_cached_doc("Email Template", TEMPLATE)
	values = {**email_values(booking, "guest"), "reply_cancel": replies_on()}
	text = " ".join(jinja.render(template.response, values).split())
	link = values["short_manage_url"]
	if link and link not in text[:MAX_LENGTH]:
		text = f"{text[: MAX_LENGTH - len(link) - 1].rstrip()} {link}".lstrip()
	return text[:MAX_LENGTH]


def skip_reason(booking) -> str | None:
	if not configured():
		return _("SMS Settings have no gateway")
	if not number(booking):
		return _("The guest gave no phone number that can take an SMS")
	if not frappe.db.exists("Email Template", TEMPLATE):
		return _("The Email Template {0} is missing").format(TEMPLATE)
	return None


def send_reminder(booking) -> str:
	"""Hand the reminder SMS to the gateway; returns the number it went to."""
	from frappe.core.doctype.sms_settings.sms_settings import (
		create_sms_log,
		get_headers,
		send_request,
		validate_receiver_nos,
	)

	phone = validate_receiver_nos([number(booking)])[0]
	text = reminder_text(booking)
	settings = frappe.get_doc("SMS Settings")
	headers = get_headers(settings)
	params = {settings.message_parameter: text}
	params.update({row.parameter: row.value for row in settings.get("parameters") or [] if not row.header})
	params[settings.receiver_parameter] = phone
	send_request(
		settings.sms_gateway_url,
		params,
		headers,
		settings.use_post,
		headers.get("Content-Type") == "application/json",
	)
	log = []
	if frappe.db.exists("DocType", "SMS Log"):
		create_sms_log({"message": text.encode(), "receiver_list": [phone]}, [phone])
		log = frappe.get_all(
			"SMS Log", filters={"sent_to": phone}, order_by="creation desc", limit=1, pluck="name"
		)
	automation_log.record(
		booking,
		"reminder",
		TEMPLATE,
		channel="SMS",
		recipient=phone,
		reference=("SMS Log", log[0]) if log else None,
	)
	return phone
