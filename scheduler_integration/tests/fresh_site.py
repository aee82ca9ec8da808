"""Checks run by .ci/bench-suite on a brand-new site right after install-app.

bench --site fresh.localhost execute scheduler_integration.tests.fresh_site.check
"""

import frappe


def check() -> str:
	problems = []
	if "scheduler_integration" not in frappe.get_installed_apps():
		problems.append("app not in installed apps")
	for role in ("Scheduler Host", "Scheduler Manager"):
		if not frappe.db.exists("Role", role):
			problems.append(f"role {role} missing")
	phases = set(frappe.get_all("Scheduler Phase", pluck="name"))
	if phases != {"Stabilize", "Organize", "Build", "Grow", "Systemic"}:
		problems.append(f"phases are {sorted(phases)}")
	settings = frappe.get_single("Scheduler Settings")
	if settings.reminder_offsets != "1440,60" or not settings.public_rate_limit:
		problems.append("settings defaults missing")
	if not frappe.db.exists("Workspace", "Scheduling"):
		problems.append("workspace missing")
	if not frappe.db.exists("Custom HTML Block", "Scheduler Next Meetings"):
		problems.append("the workspace's next meetings block is missing")
	for doctype in (
		"Scheduler Profile",
		"Scheduler Meeting Type",
		"Scheduler Booking",
		"Scheduler Availability",
	):
		if not frappe.db.table_exists(doctype):
			problems.append(f"table of {doctype} missing")
	if problems:
		raise AssertionError("; ".join(problems))
	return "fresh install ok"


def forget_this_app_in_the_module_cache() -> str:
	"""Cache a map of apps and modules that does not know this app, as a site whose cache
	predates the app's arrival in apps.txt has: install-app must cope with it."""
	modules = {
		app: mods for app, mods in (frappe.local.app_modules or {}).items() if app != "scheduler_integration"
	}
	frappe.cache.set_value("app_modules", modules)
	frappe.cache.set_value("installed_app_modules", modules)
	return "module cache without scheduler_integration"


def snapshot() -> str:
	"""Counts a bench-suite run must leave as it found them (compared by .ci/bench-suite)."""
	default = frappe.db.get_value("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}, "name")
	counts = {
		"users": frappe.db.count("User"),
		"email_accounts": frappe.db.count("Email Account"),
		"email_queue": frappe.db.count("Email Queue"),
		"bookings": frappe.db.count("Scheduler Booking"),
		"engagements": frappe.db.count("Scheduler Engagement"),
		"contacts": frappe.db.count("Contact"),
		"events": frappe.db.count("Event"),
	}
	return ",".join(f"{key}={value}" for key, value in counts.items()) + f",default_outgoing={default}"
