"""What a fresh install provides, and the demo command a new user runs first."""

from __future__ import annotations

import frappe
from click.testing import CliRunner

from scheduler_integration.demo import DEMO_SLUG, DEMO_TYPES, DEMO_USER
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase


@every_site
class TestInstallDefaults(SchedulerTestCase):
	def test_roles_phases_and_settings_exist(self):
		for role in ("Scheduler Host", "Scheduler Manager"):
			self.assertTrue(frappe.db.exists("Role", role))
			self.assertTrue(frappe.db.get_value("Role", role, "desk_access"))
		self.assertEqual(
			set(frappe.get_all("Scheduler Phase", pluck="name")),
			{"Stabilize", "Organize", "Build", "Grow", "Systemic"},
		)
		settings = frappe.get_single("Scheduler Settings")
		self.assertEqual(settings.reminder_offsets, "1440,60")
		self.assertEqual(settings.crm_target, "Auto")
		self.assertGreater(settings.public_rate_limit, 0)

	def test_guests_have_no_role_permission_on_scheduler_doctypes(self):
		for doctype in frappe.get_all(
			"DocType", filters={"module": "Scheduler Integration", "istable": 0}, pluck="name"
		):
			roles = {p.role for p in frappe.get_meta(doctype).permissions}
			self.assertNotIn("Guest", roles, doctype)
			self.assertNotIn("All", roles, doctype)

	def test_booking_numbers_continue_after_every_number_given_out(self):
		"""The sequence made on migrate starts after the naming series it replaces (and
		after any booking already stored), and a second migrate leaves it alone."""
		from frappe.database.sequence import get_next_val

		from scheduler_integration.booking import numbers

		issued = get_next_val(numbers.DOCTYPE, numbers.SLUG)
		old_series = "SB-1999-"  # as the replaced series kept it
		frappe.db.sql("insert into `tabSeries` (name, current) values (%s, %s)", (old_series, issued + 40))
		frappe.db.commit()
		try:
			numbers.drop()
			numbers.ensure()  # as on the first migrate with this version
			first = numbers.next_name()
			numbers.ensure()  # a later migrate
			second = numbers.next_name()
		finally:
			frappe.db.sql("delete from `tabSeries` where name=%s", old_series)
			frappe.db.commit()
		year = frappe.utils.nowdate()[:4]
		self.assertEqual(first, f"SB-{year}-{issued + 41:05d}")
		self.assertEqual(second, f"SB-{year}-{issued + 42:05d}")


@every_site
class TestDemoCommand(SchedulerTestCase):
	@classmethod
	def tearDownClass(cls):
		from scheduler_integration.demo import create_demo
		from scheduler_integration.tests.live import cleanup

		existed = getattr(cls, "demo_existed", True)
		cleanup([DEMO_USER], delete_users=not existed, force_users=not existed)
		if getattr(cls, "demo_zone", None):  # the site's own demo host (scripts/dev-bench's): as it was
			create_demo(getattr(cls, "demo_zone", None))
			frappe.db.commit()
		super().tearDownClass()

	def test_demo_command_creates_a_bookable_host_and_prints_the_url(self):
		from scheduler_integration.commands import scheduler_demo

		type(self).demo_existed = bool(frappe.db.exists("User", DEMO_USER))
		type(self).demo_zone = frappe.db.get_value("Scheduler Profile", {"user": DEMO_USER}, "timezone")
		runner = CliRunner()
		context = frappe._dict(sites=[frappe.local.site], force=False, verbose=False, profile=False)
		site = frappe.local.site
		result = runner.invoke(scheduler_demo, ["--timezone", "Europe/Berlin"], obj=context)
		frappe.init(site)  # the command destroyed this thread's connection when it finished
		frappe.connect()
		self.assertEqual(result.exit_code, 0, result.output)
		self.assertIn(f"/book/{DEMO_SLUG}", result.output)
		profile = frappe.get_doc("Scheduler Profile", {"user": DEMO_USER})
		self.assertEqual(profile.slug, DEMO_SLUG)
		self.assertEqual(profile.timezone, "Europe/Berlin")
		types = frappe.get_all(
			"Scheduler Meeting Type", filters={"profile": profile.name, "active": 1}, pluck="slug"
		)
		self.assertEqual(sorted(types), sorted(t["slug"] for t in DEMO_TYPES))
		availability = frappe.get_doc("Scheduler Availability", profile.availability)
		self.assertEqual(len(availability.weekly_rules), 5)
		self.assertIn("Scheduler Host", frappe.get_roles(DEMO_USER))
		# running it again refreshes instead of duplicating
		runner.invoke(scheduler_demo, [], obj=context)
		frappe.init(site)
		frappe.connect()
		self.assertEqual(
			frappe.db.count("Scheduler Meeting Type", {"profile": profile.name}), len(DEMO_TYPES)
		)
