"""Default Email Templates of booking emails: created when missing, never overwritten,
so admins can edit them in the desk (Email Template list, names starting "Scheduler:").

Values arrive HTML-escaped (see effects.email.render): use them as {{ guest_name }}. Every
template gets the same values (``booking.presentation.email_values``), under this app's
names and seed 004's: contact_name, appointment_date, appointment_time,
appointment_duration, service_name, video_link, video_password, calendar_link,
staff_name, location_details, and feedback_link / rebook_link for the follow-ups.
"""

from __future__ import annotations

import frappe

from scheduler_integration.engine.i18n import _  # marks the texts below for Frappe's extractor


def tr(text: str, *values: str) -> str:
	"""``text`` as a template expression, translated when the email is rendered (into the
	reader's language: ``effects.email.reader_language``), ``{0}``… filled with ``values``
	(template variable names). English output is the text itself."""
	literal = text.replace("\\", "\\\\").replace('"', '\\"')
	args = f".format({', '.join(values)})" if values else ""
	return '{{ _("' + literal + '")' + args + " }}"


_BOX = (
	'<div style="background:#f3f4f6;padding:16px 20px;border-radius:8px;margin:16px 0">'
	"<strong>{{ meeting_type }}</strong><br>"
	+ tr(_("{0} at {1}"), "date", "time")
	+ " ({{ timezone }})<br>"
	+ tr(_("Duration: {0} minutes"), "duration")
	+ "{% if location %}<br>"
	+ tr(_("Location: {0}"), "location")
	+ "{% endif %}"
	+ "{% if meeting_link %}<br>"
	+ tr(_("Join:"))
	+ ' <a href="{{ meeting_link }}">{{ meeting_link }}</a>{% endif %}'
	+ "{% if video_password %}<br>"
	+ tr(_("Passcode: {0}"), "video_password")
	+ "{% endif %}</div>"
)
_MANAGE = (
	"{% if manage_url %}<p>"
	+ tr(_("Need to make changes?"))
	+ ' <a href="{{ manage_url }}">'
	+ tr(_("Reschedule or cancel"))
	+ "</a>.</p>{% endif %}"
)
_ADD = (
	'{% if calendar_link %}<p><a href="{{ calendar_link }}">'
	+ tr(_("Add it to your calendar"))
	+ "</a></p>{% endif %}"
)
_REBOOK = (
	'{% if rebook_link %}<p><a href="{{ rebook_link }}">' + tr(_("Book a new time")) + "</a></p>{% endif %}"
)
_HOST_LINK = (
	'{% if booking_url %}<p><a href="{{ booking_url }}">' + tr(_("Open the booking")) + "</a></p>{% endif %}"
)
_HI = "<p>" + tr(_("Hi {0},"), "guest_name") + "</p>"
_REASON = "{% if cancel_reason %}<p>" + tr(_("Reason: {0}"), "cancel_reason") + "</p>{% endif %}"

DEFAULT_TEMPLATES = {
	"Scheduler: Booking Confirmed (Guest)": (
		tr(_("Confirmed: {0} with {1} on {2}"), "meeting_type", "host_name", "date"),
		"<h2>"
		+ tr(_("Meeting Confirmed!"))
		+ "</h2>"
		+ _HI
		+ "<p>"
		+ tr(_("Your meeting with {0} is confirmed for:"), "host_name")
		+ "</p>"
		+ _BOX
		+ _ADD
		+ _MANAGE,
	),
	"Scheduler: New Booking (Host)": (
		tr(_("New booking: {0} with {1} on {2}"), "meeting_type", "guest_name", "date"),
		"<h2>"
		+ tr(_("New booking"))
		+ "</h2><p>"
		+ tr(_("{0} ({1}) booked:"), "guest_name", "guest_email")
		+ "</p>"
		+ _BOX
		+ "{% if notes %}<p>"
		+ tr(_("Notes: {0}"), "notes")
		+ "</p>{% endif %}"
		+ _HOST_LINK,
	),
	"Scheduler: Booking Requested (Guest)": (
		tr(_("Requested: {0} with {1} on {2}"), "meeting_type", "host_name", "date"),
		"<h2>"
		+ tr(_("Request received"))
		+ "</h2>"
		+ _HI
		+ "<p>"
		+ tr(_("{0} will confirm this time soon; we will email you either way:"), "host_name")
		+ "</p>"
		+ _BOX
		+ _MANAGE,
	),
	"Scheduler: Booking Request (Host)": (
		tr(_("Please confirm: {0} with {1} on {2}"), "meeting_type", "guest_name", "date"),
		"<h2>"
		+ tr(_("Booking request"))
		+ "</h2><p>"
		+ tr(_("{0} ({1}) asked for:"), "guest_name", "guest_email")
		+ "</p>"
		+ _BOX
		+ "<p>"
		+ tr(_("The time is held for you until you confirm or decline it."))
		+ "</p>"
		+ _HOST_LINK,
	),
	"Scheduler: Booking Declined (Guest)": (
		tr(_("Not confirmed: {0} with {1}"), "meeting_type", "host_name"),
		_HI
		+ "<p>"
		+ tr(_("Unfortunately {0} could not confirm this meeting:"), "host_name")
		+ "</p>"
		+ _BOX
		+ "{% if cancel_reason %}<p>{{ cancel_reason }}</p>{% endif %}",
	),
	"Scheduler: Booking Rescheduled (Guest)": (
		tr(_("Rescheduled: {0} with {1} on {2}"), "meeting_type", "host_name", "date"),
		"<h2>"
		+ tr(_("Meeting rescheduled"))
		+ "</h2>"
		+ _HI
		+ "<p>"
		+ tr(_("Your meeting with {0} is now:"), "host_name")
		+ "</p>"
		+ _BOX
		+ _MANAGE,
	),
	"Scheduler: Booking Rescheduled (Host)": (
		tr(_("Rescheduled: {0} with {1} on {2}"), "meeting_type", "guest_name", "date"),
		"<h2>"
		+ tr(_("Booking rescheduled"))
		+ "</h2><p>"
		+ tr(_("{0} moved the meeting to:"), "guest_name")
		+ "</p>"
		+ _BOX
		+ _HOST_LINK,
	),
	"Scheduler: Booking Cancelled (Guest)": (
		tr(_("Cancelled: {0} with {1}"), "meeting_type", "host_name"),
		"<h2>"
		+ tr(_("Meeting cancelled"))
		+ "</h2>"
		+ _HI
		+ "<p>"
		+ tr(_("This meeting is cancelled:"))
		+ "</p>"
		+ _BOX
		+ _REASON,
	),
	"Scheduler: Booking Cancelled (Host)": (
		tr(_("Cancelled: {0} with {1}"), "meeting_type", "guest_name"),
		"<h2>"
		+ tr(_("Booking cancelled"))
		+ "</h2><p>"
		+ tr(_("{0} cancelled:"), "guest_name")
		+ "</p>"
		+ _BOX
		+ _REASON
		+ _HOST_LINK,
	),
	"Scheduler: Meeting Link (Guest)": (
		tr(_("Your meeting link: {0} with {1} on {2}"), "meeting_type", "host_name", "date"),
		"<h2>"
		+ tr(_("Your meeting link"))
		+ "</h2>"
		+ _HI
		+ "<p>"
		+ tr(_("Here is how to join your meeting with {0}:"), "host_name")
		+ "</p>"
		+ _BOX
		+ _MANAGE,
	),
	"Scheduler: Meeting Link (Host)": (
		tr(_("Meeting link: {0} with {1} on {2}"), "meeting_type", "guest_name", "date"),
		"<h2>"
		+ tr(_("Meeting link"))
		+ "</h2><p>"
		+ tr(_("The video link of your meeting with {0} is ready:"), "guest_name")
		+ "</p>"
		+ _BOX
		+ _HOST_LINK,
	),
	"Scheduler: Reminder (Guest)": (
		tr(_("Reminder: {0} with {1} on {2} at {3}"), "meeting_type", "host_name", "date", "time"),
		"<h2>"
		+ tr(_("Reminder"))
		+ "</h2>"
		+ _HI
		+ "<p>"
		+ tr(_("Just a reminder about your meeting:"))
		+ "</p>"
		+ _BOX
		+ _MANAGE,
	),
	"Scheduler: Reminder (Host)": (
		tr(_("Reminder: {0} with {1} on {2} at {3}"), "meeting_type", "guest_name", "date", "time"),
		"<h2>"
		+ tr(_("Reminder"))
		+ "</h2><p>"
		+ tr(_("Your meeting with {0}:"), "guest_name")
		+ "</p>"
		+ _BOX
		+ _HOST_LINK,
	),
	# follow-ups (Meeting Type → Follow-ups), written with seed 004's variable names
	"Scheduler: Thank You (Guest)": (
		tr(_("Thank you for meeting {0}"), "staff_name"),
		"<h2>"
		+ tr(_("Thank you"))
		+ "</h2><p>"
		+ tr(_("Hi {0},"), "contact_name")
		+ "</p><p>"
		+ tr(
			_("Thank you for taking the time to meet {0} for {1} on {2}."),
			"staff_name",
			"service_name",
			"appointment_date",
		)
		+ "</p>"
		+ "{% if feedback_link %}<p>"
		+ tr(_("How did it go?"))
		+ ' <a href="{{ feedback_link }}">'
		+ tr(_("Tell us in a minute"))
		+ "</a>.</p>{% endif %}"
		+ "{% if rebook_link %}<p>"
		+ tr(_("Want to talk again?"))
		+ ' <a href="{{ rebook_link }}">'
		+ tr(_("Book another time"))
		+ "</a>.</p>{% endif %}",
	),
	"Scheduler: Sorry We Missed You (Guest)": (
		tr(_("We missed you: {0} with {1}"), "service_name", "staff_name"),
		"<p>"
		+ tr(_("Hi {0},"), "contact_name")
		+ "</p><p>"
		+ tr(
			_("{0} was ready for your {1} on {2} at {3} ({4}), but we could not connect."),
			"staff_name",
			"service_name",
			"appointment_date",
			"appointment_time",
			"timezone",
		)
		+ "</p><p>"
		+ tr(_("No problem: pick a new time that suits you."))
		+ "</p>"
		+ _REBOOK,
	),
	"Scheduler: Book Again (Guest)": (
		tr(_("Still want to meet {0}?"), "staff_name"),
		"<p>"
		+ tr(_("Hi {0},"), "contact_name")
		+ "</p><p>"
		+ tr(
			_("Your {0} on {1} was cancelled. If you would still like to talk, {2} has new times for you."),
			"service_name",
			"appointment_date",
			"staff_name",
		)
		+ "</p>"
		+ _REBOOK,
	),
}

# Plain-text SMS bodies: Email Templates too (editable in the same list), only ``response``
# (plain text, not HTML) is used; the subject only names the template in the list.
SMS_TEMPLATES = {
	"Scheduler: Reminder (SMS)": (
		"SMS reminder",
		tr(
			_("Reminder: {0} with {1} on {2} at {3} ({4})."),
			"service_name",
			"staff_name",
			"appointment_date",
			"appointment_time",
			"timezone",
		)
		+ "{% if video_link %} "
		+ tr(_("Join: {0}"), "video_link")
		+ "{% endif %}",
	),
}


def ensure_email_templates() -> None:
	for name, (subject, html) in DEFAULT_TEMPLATES.items():
		if frappe.db.exists("Email Template", name):
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
			continue
		frappe.get_doc(
			{"doctype": "Email Template", "name": name, "subject": subject, "use_html": 0, "response": text}
		).insert(ignore_permissions=True)


def template_names() -> list[str]:
	"""Every template this app creates (removed again on uninstall)."""
	return [*DEFAULT_TEMPLATES, *SMS_TEMPLATES]
