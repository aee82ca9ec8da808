"""Install hooks: everything a fresh site needs before the first host signs in.

Nothing here loads a controller or relies on a warm DocType cache: right after
``install-app`` the caches may still describe the site before the app's DocTypes existed.
"""

import frappe

from scheduler_integration.booking import numbers
from scheduler_integration.core.settings import DEFAULTS

# apps whose lead a new guest becomes (Settings → Create a Lead for New Guests)
LEAD_APPS = ("crm", "erpnext")


def before_install():
	"""Rebuild this process's map of apps and modules before Frappe syncs the DocTypes.

	``install-app`` reads that map once, when the site is opened, from the cache; a map
	cached before this app was added to apps.txt names none of its modules, so Frappe
	would create none of its DocTypes yet record the app as installed (and later look for
	them in frappe's own modules). ``install_app`` has just cleared the cache, so this
	reads the apps from disk."""
	frappe.setup_module_map()
	if "scheduler_integration" not in (frappe.local.app_modules or {}):
		raise frappe.ValidationError("scheduler_integration is not in sites/apps.txt")


def after_install():
	# Roles and phases come from fixtures (synced by install-app and migrate); settings
	# get their defaults here so every reader sees real values from the first request.
	# What is stored is read raw: a typed read says 0 for an Int or Check never set.
	stored = frappe.db.get_singles_dict("Scheduler Settings", cast=False)
	for field, value in DEFAULTS.items():
		if stored.get(field) in (None, ""):
			frappe.db.set_single_value("Scheduler Settings", field, value)
	# with a CRM on the site a new guest is a new lead (as with ERPNext's own Appointment)
	if set(LEAD_APPS) & set(frappe.get_installed_apps()):
		frappe.db.set_single_value("Scheduler Settings", "create_lead", 1)
	frappe.clear_cache(doctype="Scheduler Settings")
	after_migrate()


def after_app_install(app_name):
	"""ERPNext or Frappe CRM installed after this app: new guests become leads there."""
	if app_name in LEAD_APPS and "scheduler_integration" in frappe.get_installed_apps():
		frappe.db.set_single_value("Scheduler Settings", "create_lead", 1)
		frappe.clear_cache(doctype="Scheduler Settings")


def after_migrate():
	"""Create the booking number sequence and the default email templates that are missing
	(edited ones are left alone)."""
	from scheduler_integration.effects.email_templates import ensure_email_templates

	numbers.ensure()
	ensure_email_templates()


def before_uninstall():
	"""Remove what the app made outside its own DocTypes: its email templates, the workspace's
	HTML block and caches."""
	from scheduler_integration.effects.email_templates import template_names

	for name in template_names():
		frappe.delete_doc("Email Template", name, ignore_missing=True, ignore_permissions=True, force=True)
	# the workspace's "My Next Meetings" block (a fixture, but Custom HTML Blocks have no module)
	frappe.delete_doc(
		"Custom HTML Block",
		"Scheduler Next Meetings",
		ignore_missing=True,
		ignore_permissions=True,
		force=True,
	)
	frappe.cache.delete_keys("scheduler_integration:")
	numbers.drop()
