"""SMS reminders carry the booking's short manage link and, while replies are read, "Reply
CANCEL to cancel." (``templates/emails/reminder_sms.html``). A stored SMS template that
nobody changed (never saved since it was made, or still the previous default word for
word) becomes the new default; an edited one is left alone, and ``effects.sms`` appends
the link to what it says."""

import frappe

from scheduler_integration.effects.email_templates import SMS_TEMPLATES

PREVIOUS = (
	'{{ _("Reminder: {0} with {1} on {2} at {3} ({4}).").format(service_name, staff_name, '
	"appointment_date, appointment_time, timezone) }}"
	'{% if video_link %} {{ _("Join: {0}").format(video_link) }}{% endif %}'
)


def execute():
	for name, (_subject, text) in SMS_TEMPLATES.items():
		row = frappe.db.get_value("Email Template", name, ["response", "creation", "modified"], as_dict=True)
		if not row or row.response == text:
			continue
		if row.modified == row.creation or (row.response or "").strip() == PREVIOUS:
			frappe.db.set_value("Email Template", name, "response", text, update_modified=False)
			frappe.clear_document_cache("Email Template", name)
