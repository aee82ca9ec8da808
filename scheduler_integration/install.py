"""Install hooks: everything a fresh site needs before the first host signs in.

Nothing here loads a controller or relies on a warm DocType cache: right after
``install-app`` the caches may still describe the site before the app's DocTypes existed.
"""

import frappe

from scheduler_integration.booking import numbers
from scheduler_integration.core.settings import DEFAULTS, store

APP = "scheduler_integration"
# apps whose lead a new guest becomes (Settings → Create a Lead for New Guests)
LEAD_APPS = ("crm", "erpnext")
# Frappe CRM's lead and deal pages: "Schedule Meeting" (crm_scripts/schedule_meeting.js)
CRM_FORM_SCRIPTS = {
	"CRM Lead": "Scheduler: Schedule Meeting (CRM Lead)",
	"CRM Deal": "Scheduler: Schedule Meeting (CRM Deal)",
}


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
	missing = {field: value for field, value in DEFAULTS.items() if stored.get(field) in (None, "")}
	# with a CRM on the site a new guest is a new lead (as with ERPNext's own Appointment)
	if set(LEAD_APPS) & set(frappe.get_installed_apps()):
		missing["create_lead"] = 1
	store(**missing)
	frappe.clear_cache(doctype="Scheduler Settings")
	after_migrate()


def after_app_install(app_name):
	"""ERPNext or Frappe CRM installed after this app: new guests become leads there (and
	Frappe CRM's pages get Schedule Meeting)."""
	if app_name in LEAD_APPS and "scheduler_integration" in frappe.get_installed_apps():
		store(create_lead=1)
		frappe.clear_cache(doctype="Scheduler Settings")
		sync_crm_form_scripts()


def sync_crm_form_scripts():
	"""Give Frappe CRM's lead and deal pages *Schedule Meeting*: a standard CRM Form Script
	per DocType (CRM runs these in its own UI; an app cannot add to CRM's bundle), made from
	``crm_scripts/schedule_meeting.js`` with the DocType's class name, after what the desk's
	"Schedule Meeting" shares with it (``public/js/scheduler_shared.js``). A missing one is
	inserted, enabled; a changed file updates the script's text with ``set_value`` (CRM
	refuses saving a standard script outside developer mode) and leaves it enabled or
	disabled as an administrator set it."""
	if not frappe.db.exists("DocType", "CRM Form Script"):
		return
	with open(frappe.get_app_path(APP, "public", "js", "scheduler_shared.js"), encoding="utf-8") as handle:
		shared = handle.read()
	with open(frappe.get_app_path(APP, "crm_scripts", "schedule_meeting.js"), encoding="utf-8") as handle:
		template = handle.read()
	for doctype, name in CRM_FORM_SCRIPTS.items():
		script = shared + "\n" + template.replace("__CLASS__", doctype.replace(" ", ""))
		if not frappe.db.exists("CRM Form Script", name):
			frappe.get_doc(
				{
					"doctype": "CRM Form Script",
					"name": name,
					"dt": doctype,
					"view": "Form",
					"enabled": 1,
					"is_standard": 1,
					"script": script,
				}
			).insert(ignore_permissions=True)
		elif frappe.db.get_value("CRM Form Script", name, "script") != script:
			frappe.db.set_value("CRM Form Script", name, "script", script)


def after_migrate():
	"""Create the booking number sequence and the default email templates that are missing
	(edited ones are left alone), bring Frappe CRM's Schedule Meeting script up to date;
	compile the translations."""
	from scheduler_integration.effects.email_templates import ensure_email_templates

	numbers.ensure()
	ensure_email_templates()
	sync_crm_form_scripts()
	compile_translations()


def compile_translations():
	"""Compile ``locale/<lang>.po`` into the ``.mo`` files Frappe reads translations from
	(``sites/assets/locale``), as ``bench build`` does: a migrate after an update, or on a
	bench that never built this app, serves the translations of the code it runs. Each file
	is replaced whole, so a server reading it meanwhile never sees half of one."""
	import os

	from babel.messages.mofile import write_mo
	from babel.messages.pofile import read_po
	from frappe.gettext.translate import get_locales, get_mo_path, get_po_path
	from frappe.translate import clear_cache

	for locale in get_locales(APP):
		with open(get_po_path(APP, locale), "rb") as po:
			catalog = read_po(po)
		target = get_mo_path(APP, locale)
		target.parent.mkdir(parents=True, exist_ok=True)
		partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
		with open(partial, "wb") as mo:
			write_mo(mo, catalog)
		os.replace(partial, target)
	clear_cache()


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
	for name in CRM_FORM_SCRIPTS.values():
		if frappe.db.exists("DocType", "CRM Form Script"):
			frappe.delete_doc(
				"CRM Form Script", name, ignore_missing=True, ignore_permissions=True, force=True
			)
	frappe.cache.delete_keys("scheduler_integration:")
	numbers.drop()
