"""Bookings made before a booking had all its hosts: each gets a host row for its
organiser, and team hosts who were added before invitations existed count as accepted."""

import frappe


def execute():
	frappe.reload_doc("scheduler_integration", "doctype", "scheduler_booking_host")
	frappe.reload_doc("scheduler_integration", "doctype", "scheduler_meeting_type_host")
	frappe.reload_doc("scheduler_integration", "doctype", "scheduler_booking")
	have = set(
		frappe.get_all("Scheduler Booking Host", filters={"parenttype": "Scheduler Booking"}, pluck="parent")
	)
	rows = frappe.get_all("Scheduler Booking", fields=["name", "host", "creation"])
	values = [
		(
			frappe.generate_hash(length=10),
			row.name,
			"Scheduler Booking",
			"hosts",
			1,
			row.host,
			row.creation,
			row.creation,
		)
		for row in rows
		if row.host and row.name not in have
	]
	if values:
		frappe.db.bulk_insert(
			"Scheduler Booking Host",
			["name", "parent", "parenttype", "parentfield", "idx", "user", "creation", "modified"],
			values,
		)
	frappe.db.set_value("Scheduler Meeting Type Host", {"accepted": 0}, "accepted", 1, update_modified=False)
