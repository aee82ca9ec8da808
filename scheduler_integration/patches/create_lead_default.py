"""Sites with Frappe CRM or ERPNext: new guests become leads (it used to be off by default,
so prospects never reached the CRM). Runs once; the setting stays editable."""

import frappe

from scheduler_integration.core.settings import store
from scheduler_integration.install import LEAD_APPS


def execute():
	if set(LEAD_APPS) & set(frappe.get_installed_apps()):
		store(create_lead=1)
