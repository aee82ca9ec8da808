"""Install hooks: everything a fresh site needs before the first host signs in.

Nothing here loads a controller or relies on a warm DocType cache: right after
``install-app`` the caches may still describe the site before the app's DocTypes existed.
"""

import frappe

from scheduler_integration.core.settings import DEFAULTS


def after_install():
	# Roles and phases come from fixtures (synced by install-app and migrate); settings
	# get their defaults here so every reader sees real values from the first request.
	frappe.clear_cache(doctype="Scheduler Settings")
	for field, value in DEFAULTS.items():
		if frappe.db.get_single_value("Scheduler Settings", field) in (None, ""):
			frappe.db.set_single_value("Scheduler Settings", field, value)
	after_migrate()


def after_migrate():
	"""Create default email templates that are missing (edited ones are left alone)."""
	from scheduler_integration.effects.email_templates import ensure_email_templates

	ensure_email_templates()


def before_uninstall():
	"""Remove what the app made outside its own DocTypes: its email templates and caches."""
	from scheduler_integration.effects.email_templates import DEFAULT_TEMPLATES

	for name in DEFAULT_TEMPLATES:
		frappe.delete_doc("Email Template", name, ignore_missing=True, ignore_permissions=True, force=True)
	frappe.cache.delete_keys("scheduler_integration:")
