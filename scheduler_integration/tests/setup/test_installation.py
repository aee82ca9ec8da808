"""The app is installed on the test site and its hooks are live."""

from datetime import datetime, timedelta, timezone

import frappe

from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase


@every_site
class TestInstallation(SchedulerTestCase):
	def test_app_is_installed_on_the_site(self):
		self.assertIn("scheduler_integration", frappe.get_installed_apps())
		self.assertTrue(frappe.db.exists("Module Def", "Scheduler Integration"))
		module_app = frappe.db.get_value("Module Def", "Scheduler Integration", "app_name")
		self.assertEqual(module_app, "scheduler_integration")

	def test_hooks_load_from_this_checkout(self):
		hooks = frappe.get_hooks(app_name="scheduler_integration")
		self.assertEqual(hooks.get("app_title"), ["Scheduler Integration"])
		self.assertIn("scheduler_integration.install.after_install", hooks.get("after_install"))
		# the after_install hook is importable as Frappe will call it
		self.assertTrue(callable(frappe.get_attr(hooks["after_install"][0])))

	def test_engine_runs_inside_the_bench_environment(self):
		# The engine imported with the bench's own pinned libraries (dateutil, zoneinfo data).
		from scheduler_integration.engine import (
			Availability,
			HostSchedule,
			SlotPolicy,
			WeeklyRange,
			find_slots,
		)

		host = HostSchedule("h", Availability("Asia/Kolkata", (WeeklyRange.parse("mon", "09:00", "10:00"),)))
		monday = datetime(2026, 6, 8, tzinfo=timezone.utc)
		slots = find_slots(
			[host],
			SlotPolicy(30),
			monday - timedelta(days=1),
			monday + timedelta(days=1),
			monday - timedelta(days=7),
		)
		self.assertEqual([s.start.strftime("%H:%M") for s in slots], ["03:30", "04:00"])
