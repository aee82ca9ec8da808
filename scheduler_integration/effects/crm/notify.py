"""The bell in Frappe CRM: a CRM Notification to each host when a meeting is booked,
moved or cancelled (Frappe CRM tells co-hosts of a new task itself)."""

from __future__ import annotations

from html import escape

import frappe
from frappe import _

from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import host_users, plain
from scheduler_integration.effects.crm.describe import when
from scheduler_integration.effects.crm.timeline import remember
from scheduler_integration.outputs.email_values import booked_by

NOTICE = {
	"booked": "{0} booked {1} for {2}",
	"pending": "{0} asked for {1} on {2}",
	"rescheduled": "{0} moved {1} to {2}",
	"cancelled": "{0} cancelled {1} on {2}",
}


def notify(doc, event: str, task: str | None) -> int:
	"""A CRM Notification to each host not told already (Frappe CRM tells co-hosts of their
	new task itself)."""
	if event not in NOTICE:
		return 0
	mt = meeting_type_doc(doc.meeting_type)
	guest = f'<span class="font-medium text-ink-gray-9">{escape(plain(doc.guest_name))}</span>'
	what = f'<span class="font-medium text-ink-gray-9">{escape(mt.title)}</span>'
	text = _(NOTICE[event]).format(guest, what, escape(when(doc)))
	if event == "booked" and (rep := booked_by(doc)):  # a rep booked it for the guest
		rep = f'<span class="font-medium text-ink-gray-9">{escape(rep)}</span>'
		text = _("{0} booked {1} with {2} for {3}").format(rep, what, guest, escape(when(doc)))
	sent = 0
	for user in host_users(doc):
		if (
			event in ("booked", "pending")
			and task
			and frappe.db.exists("CRM Notification", {"to_user": user, "notification_type_doc": task})
		):
			continue
		note = frappe.get_doc(
			{
				"doctype": "CRM Notification",
				"from_user": doc.host,
				"to_user": user,
				"type": "Assignment",
				"message": frappe.utils.strip_html(text),
				"notification_text": f'<div class="mb-2 leading-5 text-ink-gray-5">{text}</div>',
				"notification_type_doctype": "CRM Task" if task else None,
				"notification_type_doc": task,
				"reference_doctype": doc.crm_doctype,
				"reference_name": doc.crm_name,
			}
		).insert(ignore_permissions=True)
		remember(doc, "Notification", "CRM Notification", note.name, user)
		sent += 1
	return sent
