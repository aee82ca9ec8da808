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

_BOX = (
	'<div style="background:#f3f4f6;padding:16px 20px;border-radius:8px;margin:16px 0">'
	"<strong>{{ meeting_type }}</strong><br>{{ date }} at {{ time }} ({{ timezone }})<br>"
	"Duration: {{ duration }} minutes"
	"{% if location %}<br>Location: {{ location }}{% endif %}"
	'{% if meeting_link %}<br>Join: <a href="{{ meeting_link }}">{{ meeting_link }}</a>{% endif %}'
	"{% if video_password %}<br>Passcode: {{ video_password }}{% endif %}</div>"
)
_MANAGE = '{% if manage_url %}<p>Need to make changes? <a href="{{ manage_url }}">Reschedule or cancel</a>.</p>{% endif %}'
_ADD = '{% if calendar_link %}<p><a href="{{ calendar_link }}">Add it to your calendar</a></p>{% endif %}'
_REBOOK = '{% if rebook_link %}<p><a href="{{ rebook_link }}">Book a new time</a></p>{% endif %}'
_HOST_LINK = '{% if booking_url %}<p><a href="{{ booking_url }}">Open the booking</a></p>{% endif %}'

DEFAULT_TEMPLATES = {
	"Scheduler: Booking Confirmed (Guest)": (
		"Confirmed: {{ meeting_type }} with {{ host_name }} on {{ date }}",
		"<h2>Meeting Confirmed!</h2><p>Hi {{ guest_name }},</p><p>Your meeting with {{ host_name }} is confirmed for:</p>"
		+ _BOX
		+ _ADD
		+ _MANAGE,
	),
	"Scheduler: New Booking (Host)": (
		"New booking: {{ meeting_type }} with {{ guest_name }} on {{ date }}",
		"<h2>New booking</h2><p>{{ guest_name }} ({{ guest_email }}) booked:</p>"
		+ _BOX
		+ "{% if notes %}<p>Notes: {{ notes }}</p>{% endif %}"
		+ _HOST_LINK,
	),
	"Scheduler: Booking Requested (Guest)": (
		"Requested: {{ meeting_type }} with {{ host_name }} on {{ date }}",
		"<h2>Request received</h2><p>Hi {{ guest_name }},</p><p>{{ host_name }} will confirm this time soon; "
		"we will email you either way:</p>" + _BOX + _MANAGE,
	),
	"Scheduler: Booking Request (Host)": (
		"Please confirm: {{ meeting_type }} with {{ guest_name }} on {{ date }}",
		"<h2>Booking request</h2><p>{{ guest_name }} ({{ guest_email }}) asked for:</p>"
		+ _BOX
		+ "<p>The time is held for you until you confirm or decline it.</p>"
		+ _HOST_LINK,
	),
	"Scheduler: Booking Declined (Guest)": (
		"Not confirmed: {{ meeting_type }} with {{ host_name }}",
		"<p>Hi {{ guest_name }},</p><p>Unfortunately {{ host_name }} could not confirm this meeting:</p>"
		+ _BOX
		+ "{% if cancel_reason %}<p>{{ cancel_reason }}</p>{% endif %}",
	),
	"Scheduler: Booking Rescheduled (Guest)": (
		"Rescheduled: {{ meeting_type }} with {{ host_name }} on {{ date }}",
		"<h2>Meeting rescheduled</h2><p>Hi {{ guest_name }},</p><p>Your meeting with {{ host_name }} is now:</p>"
		+ _BOX
		+ _MANAGE,
	),
	"Scheduler: Booking Rescheduled (Host)": (
		"Rescheduled: {{ meeting_type }} with {{ guest_name }} on {{ date }}",
		"<h2>Booking rescheduled</h2><p>{{ guest_name }} moved the meeting to:</p>" + _BOX + _HOST_LINK,
	),
	"Scheduler: Booking Cancelled (Guest)": (
		"Cancelled: {{ meeting_type }} with {{ host_name }}",
		"<h2>Meeting cancelled</h2><p>Hi {{ guest_name }},</p><p>This meeting is cancelled:</p>"
		+ _BOX
		+ "{% if cancel_reason %}<p>Reason: {{ cancel_reason }}</p>{% endif %}",
	),
	"Scheduler: Booking Cancelled (Host)": (
		"Cancelled: {{ meeting_type }} with {{ guest_name }}",
		"<h2>Booking cancelled</h2><p>{{ guest_name }} cancelled:</p>"
		+ _BOX
		+ "{% if cancel_reason %}<p>Reason: {{ cancel_reason }}</p>{% endif %}"
		+ _HOST_LINK,
	),
	"Scheduler: Meeting Link (Guest)": (
		"Your meeting link: {{ meeting_type }} with {{ host_name }} on {{ date }}",
		"<h2>Your meeting link</h2><p>Hi {{ guest_name }},</p><p>Here is how to join your meeting "
		"with {{ host_name }}:</p>" + _BOX + _MANAGE,
	),
	"Scheduler: Meeting Link (Host)": (
		"Meeting link: {{ meeting_type }} with {{ guest_name }} on {{ date }}",
		"<h2>Meeting link</h2><p>The video link of your meeting with {{ guest_name }} is ready:</p>"
		+ _BOX
		+ _HOST_LINK,
	),
	"Scheduler: Reminder (Guest)": (
		"Reminder: {{ meeting_type }} with {{ host_name }} on {{ date }} at {{ time }}",
		"<h2>Reminder</h2><p>Hi {{ guest_name }},</p><p>Just a reminder about your meeting:</p>"
		+ _BOX
		+ _MANAGE,
	),
	"Scheduler: Reminder (Host)": (
		"Reminder: {{ meeting_type }} with {{ guest_name }} on {{ date }} at {{ time }}",
		"<h2>Reminder</h2><p>Your meeting with {{ guest_name }}:</p>" + _BOX + _HOST_LINK,
	),
	# follow-ups (Meeting Type → Follow-ups), written with seed 004's variable names
	"Scheduler: Thank You (Guest)": (
		"Thank you for meeting {{ staff_name }}",
		"<h2>Thank you</h2><p>Hi {{ contact_name }},</p><p>Thank you for taking the time to meet "
		"{{ staff_name }} for {{ service_name }} on {{ appointment_date }}.</p>"
		'{% if feedback_link %}<p>How did it go? <a href="{{ feedback_link }}">Tell us in a minute</a>.</p>{% endif %}'
		'{% if rebook_link %}<p>Want to talk again? <a href="{{ rebook_link }}">Book another time</a>.</p>{% endif %}',
	),
	"Scheduler: Sorry We Missed You (Guest)": (
		"We missed you: {{ service_name }} with {{ staff_name }}",
		"<p>Hi {{ contact_name }},</p><p>{{ staff_name }} was ready for your {{ service_name }} on "
		"{{ appointment_date }} at {{ appointment_time }} ({{ timezone }}), but we could not connect.</p>"
		"<p>No problem: pick a new time that suits you.</p>" + _REBOOK,
	),
	"Scheduler: Book Again (Guest)": (
		"Still want to meet {{ staff_name }}?",
		"<p>Hi {{ contact_name }},</p><p>Your {{ service_name }} on {{ appointment_date }} was cancelled. "
		"If you would still like to talk, {{ staff_name }} has new times for you.</p>" + _REBOOK,
	),
}

# Plain-text SMS bodies: Email Templates too (editable in the same list), only ``response``
# (plain text, not HTML) is used; the subject only names the template in the list.
SMS_TEMPLATES = {
	"Scheduler: Reminder (SMS)": (
		"SMS reminder",
		"Reminder: {{ service_name }} with {{ staff_name }} on {{ appointment_date }} at "
		"{{ appointment_time }} ({{ timezone }}).{% if video_link %} Join: {{ video_link }}{% endif %}",
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
