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
	if not frappe.db.exists("Custom HTML Block", "Scheduler Setup Checklist"):
		problems.append("the workspace's set-up checklist block is missing")
	if int(settings.booking_challenge_bits or 0) != 12:
		problems.append("the booking form's bot check is not on by default")
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


def sweep() -> str:
	"""Remove what a test run that was killed mid-class left behind (its Outbox account, and
	Scheduler Settings pointing at it), so that the counts compared around a run start from a
	site without test fixtures. Only the suite's own fixture names are touched."""
	from scheduler_integration.core.settings import store
	from scheduler_integration.tests.factory import Outbox

	swept = []
	if frappe.db.get_single_value("Scheduler Settings", "email_account") == Outbox.NAME:
		store(email_account=None)
		swept.append("settings.email_account")
	if frappe.db.exists("Email Account", Outbox.NAME):
		frappe.delete_doc("Email Account", Outbox.NAME, ignore_permissions=True, force=True)
		swept.append(Outbox.NAME)
	# the paid bookings' test gateway (scheduler_integration/scheduler_integration/doctype/scheduler_payment/test_scheduler_payment.py)
	from scheduler_integration.scheduler_integration.doctype.scheduler_payment.test_scheduler_payment import (
		GATEWAY,
		drop_gateway,
	)

	if frappe.db.get_single_value("Scheduler Settings", "payment_gateway") == GATEWAY:
		store(payment_gateway=None)
		swept.append("settings.payment_gateway")
	if frappe.db.exists("DocType", "Payment Gateway") and frappe.db.exists("Payment Gateway", GATEWAY):
		drop_gateway()
		swept.append(GATEWAY)
	# committed now: the users' cleanup below starts with a rollback (it would bring the swept
	# account back, and the run's own Outbox would then remove it: a site "left changed")
	frappe.db.commit()
	# the fixture users of a run killed before its tearDownClass (every one is named sched-…)
	# and what they own: the next run's cleanup removes them, so they are no state of the site
	from scheduler_integration.tests.live import cleanup

	left = frappe.get_all("User", filters={"name": ("like", "sched-%")}, pluck="name")
	if left:
		cleanup(left, delete_users=True, force_users=True)
		swept += left
	frappe.db.commit()
	left_behind = [name for name in (Outbox.NAME,) if frappe.db.exists("Email Account", name)]
	left_behind += frappe.get_all("User", filters={"name": ("like", "sched-%")}, pluck="name")
	if left_behind:
		raise AssertionError(f"the sweep left {', '.join(left_behind)}")
	return "swept: " + (", ".join(swept) or "nothing")


# what each count of ``snapshot`` counts, and the fields that say where a left row came from
COUNTED = {
	"User": ["full_name"],
	"Email Account": ["email_id"],
	"Email Queue": ["reference_doctype", "reference_name", "sender"],
	"Scheduler Booking": ["host", "guest_email", "status"],
	"Scheduler Profile": ["user"],
	"Scheduler Meeting Type": ["title"],
	"Scheduler Engagement": ["booking"],
	"Contact": ["email_id"],
	"Event": ["subject", "owner"],
	"Scheduler Personal Link": ["reference_doctype", "reference_name"],
	"Communication": [
		"communication_type",
		"communication_medium",
		"reference_doctype",
		"reference_name",
		"subject",
		"sender",
	],
	"Scheduler Routing Form": ["title"],
	"Scheduler Out of Office": ["user"],
	"Scheduler Payment": ["booking"],
	"Integration Request": ["reference_doctype", "reference_docname"],
}


def clock() -> str:
	"""The site's time now (what ``made_since`` takes)."""
	return str(frappe.utils.now_datetime().replace(microsecond=0))


def made_since(since: str) -> None:
	"""Prints the rows of the counted doctypes made or changed since ``since`` and still there, one
	per line: when a run left a site changed, the failure says what it left and whose it is."""
	lines = []
	for doctype, fields in COUNTED.items():
		for row in frappe.get_all(
			doctype,
			filters={"modified": (">=", since)},
			fields=["name", "creation", "modified", "owner", *fields],
			order_by="modified asc",
			limit=20,
		):
			lines.append(f"{doctype} " + " ".join(f"{k}={v}" for k, v in row.items()))
	print("\n".join(lines) or "nothing made or changed since " + since)


def snapshot() -> str:
	"""Counts a bench-suite run must leave as it found them (compared by .ci/bench-suite)."""
	default = frappe.db.get_value("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}, "name")
	counts = {
		"users": frappe.db.count("User"),
		"email_accounts": frappe.db.count("Email Account"),
		"email_queue": frappe.db.count("Email Queue"),
		"bookings": frappe.db.count("Scheduler Booking"),
		# a developer's own hosts and types (scripts/dev-bench's demo host among them)
		"profiles": frappe.db.count("Scheduler Profile"),
		"meeting_types": frappe.db.count("Scheduler Meeting Type"),
		"engagements": frappe.db.count("Scheduler Engagement"),
		"contacts": frappe.db.count("Contact"),
		"events": frappe.db.count("Event"),
		# the sales workflow's links and what scheduling from a record sends (issue 30)
		"personal_links": frappe.db.count("Scheduler Personal Link"),
		"communications": frappe.db.count("Communication"),
		"routing_forms": frappe.db.count("Scheduler Routing Form"),
		"routing_submissions": frappe.db.count("Scheduler Routing Submission"),
		"out_of_office": frappe.db.count("Scheduler Out of Office"),
		"payments": frappe.db.count("Scheduler Payment"),
		"integration_requests": frappe.db.count("Integration Request"),
		"payment_entries": frappe.db.count("Payment Entry")
		if frappe.db.exists("DocType", "Payment Entry")
		else 0,
		"customers": frappe.db.count("Customer") if frappe.db.exists("DocType", "Customer") else 0,
		# the booking form's bot check: a run switches it off per test class and back
		"challenge_bits": frappe.db.get_single_value("Scheduler Settings", "booking_challenge_bits"),
	}
	return ",".join(f"{key}={value}" for key, value in counts.items()) + f",default_outgoing={default}"
