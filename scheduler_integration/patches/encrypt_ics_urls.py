"""Published calendar URLs are secrets: move them from plain text into Frappe's encrypted
password store (the column keeps only the mask, so it can neither be read nor filtered)."""

import frappe
from frappe.utils.password import set_encrypted_password


def execute():
	frappe.reload_doc("scheduler_integration", "doctype", "scheduler_calendar_connection")
	for row in frappe.get_all("Scheduler Calendar Connection", fields=["name", "ics_url"]):
		url = row.ics_url or ""
		if url and set(url) != {"*"}:
			set_encrypted_password("Scheduler Calendar Connection", row.name, url, "ics_url")
			frappe.db.set_value(
				"Scheduler Calendar Connection", row.name, "ics_url", "*" * len(url), update_modified=False
			)
