"""Sites with Frappe CRM or ERPNext: new guests become leads (it used to be off by default,
so prospects never reached the CRM). Runs once; the setting stays editable."""

import frappe

from scheduler_integration.install import LEAD_APPS


def execute():
	if set(LEAD_APPS) & set(frappe.get_installed_apps()):
		frappe.db.set_single_value("Scheduler Settings", "create_lead", 1)
