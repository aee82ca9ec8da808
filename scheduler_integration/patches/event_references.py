"""The hosts' Events of bookings still ahead, made before Events named their record: they
get ``reference_doctype`` / ``reference_docname`` (the booking's CRM record, else its
Contact), where Frappe CRM's Events tab and Calendar look, and their core reminder goes
off where this app reminds the hosts itself (effects.crm.timeline)."""

import frappe

from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.effects.crm.timeline import app_reminds_hosts, event_reference


def execute():
	rows = frappe.db.sql(
		"""select h.event, b.name
		from `tabScheduler Booking` b force index (status_start)
		join `tabScheduler Booking Host` h on h.parent = b.name and h.parenttype = 'Scheduler Booking'
		where b.status in ('Pending', 'Confirmed') and b.start >= %(now)s and ifnull(h.event, '') != ''""",
		{"now": to_system(utc_now())},
	)
	for event, booking in rows:
		if not frappe.db.exists("Event", event):
			continue
		doc = frappe.get_doc("Scheduler Booking", booking)
		doctype, name = event_reference(doc)
		values = {"send_reminder": 0 if app_reminds_hosts(doc) else 1}
		if doctype and not frappe.db.get_value("Event", event, "reference_docname"):
			values.update(reference_doctype=doctype, reference_docname=name)
		frappe.db.set_value("Event", event, values, update_modified=False)
