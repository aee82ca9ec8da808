"""Install hooks: everything a fresh site needs before the first host signs in."""

import frappe

from scheduler_integration.services.settings import DEFAULTS


def after_install():
	# Roles and phases come from fixtures (synced by install-app and migrate); settings
	# get their defaults here so every reader sees real values from the first request.
	settings = frappe.get_single("Scheduler Settings")
	for field, value in DEFAULTS.items():
		if settings.get(field) in (None, ""):
			settings.set(field, value)
	settings.flags.ignore_permissions = True
	settings.save()
	after_migrate()


def after_migrate():
	"""Create default email templates that are missing (edited ones are left alone)."""
	from scheduler_integration.services.email_templates import ensure_email_templates

	ensure_email_templates()
