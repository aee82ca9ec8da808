"""Default Email Templates of booking emails: created when missing, never overwritten,
so admins can edit them in the desk (Email Template list, names starting "Scheduler:").

Values arrive HTML-escaped (see effects.email.render): use them as {{ guest_name }}.
"""

from __future__ import annotations

import frappe

_BOX = (
	'<div style="background:#f3f4f6;padding:16px 20px;border-radius:8px;margin:16px 0">'
	"<strong>{{ meeting_type }}</strong><br>{{ date }} at {{ time }} ({{ timezone }})<br>"
	"Duration: {{ duration }} minutes"
	"{% if location %}<br>Location: {{ location }}{% endif %}"
	'{% if meeting_link %}<br>Join: <a href="{{ meeting_link }}">{{ meeting_link }}</a>{% endif %}</div>'
)
_MANAGE = '{% if manage_url %}<p>Need to make changes? <a href="{{ manage_url }}">Reschedule or cancel</a>.</p>{% endif %}'
_HOST_LINK = '{% if booking_url %}<p><a href="{{ booking_url }}">Open the booking</a></p>{% endif %}'

DEFAULT_TEMPLATES = {
	"Scheduler: Booking Confirmed (Guest)": (
		"Confirmed: {{ meeting_type }} with {{ host_name }} on {{ date }}",
		"<h2>Meeting Confirmed!</h2><p>Hi {{ guest_name }},</p><p>Your meeting with {{ host_name }} is confirmed for:</p>"
		+ _BOX
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
