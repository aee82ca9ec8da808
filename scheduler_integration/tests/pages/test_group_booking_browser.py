"""Group sessions, workshops and series on the booking page in headless Chromium: the seats
left on each time, a workshop's days and a series' meetings listed before booking, a series
booked and managed; axe finds nothing serious; screenshots for the README
(<bench>/logs/scheduler-e2e/; copy them to docs/screenshots/ to refresh the docs)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import frappe

from scheduler_integration.core.clock import to_system
from scheduler_integration.tests.factory import clear_bookings, future_day, make_host, make_type
from scheduler_integration.tests.live import LiveServer, cleanup, purge_guests
from scheduler_integration.tests.pages.test_browser_e2e import missing, node_modules
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-group-e2e@example.com"
PROFILE = "group-e2e"
HERE = Path(__file__).resolve().parents[1]  # tests/, which holds e2e/ beside the areas


class TestGroupBookingBrowser(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.profile = make_host(HOST, PROFILE, tz="UTC", start="09:00", end="17:00")
		cls.seated = make_type(cls.profile, "class", 60, seats_per_slot=8, show_seats_left=1)
		cls.workshop = make_type(
			cls.profile, "workshop", "Custom", custom_duration=180, slot_interval=60, days=3
		)
		cls.series = make_type(cls.profile, "coaching", 60, allow_series=1, series_max_count=4)
		clear_bookings([HOST])
		frappe.cache.delete_keys("rl:")
		cls.day = future_day(9)
		frappe.get_doc(
			{
				"doctype": "Scheduler Booking",
				"meeting_type": cls.seated,
				"start": to_system(cls.day + timedelta(hours=10)),
				"guest_name": "First Seat",
				"guest_email": "first-seat@example.org",
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		cls.server = LiveServer.get_instance()
		cls.shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		cls.shots.mkdir(parents=True, exist_ok=True)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		clear_bookings([HOST])
		frappe.db.delete("Scheduler Booking Series", {"host": HOST})
		purge_guests(["first-seat@example.org", "sam-series@example.org"])
		cleanup([HOST], delete_users=True)
		frappe.db.commit()
		super().tearDownClass()

	def test_seats_days_and_series_on_the_page(self):
		if reason := missing():
			self.skipTest(f"browser test not run: {reason}")
		script = self.shots / "group_booking.mjs"
		shutil.copy(HERE / "e2e" / "group_booking.mjs", script)
		(self.shots / "node_modules").unlink(missing_ok=True)
		(self.shots / "node_modules").symlink_to(node_modules())
		config = {
			"base": self.server.base,
			"site": self.server.site,
			"profile": PROFILE,
			"seated": "class",
			"workshop": "workshop",
			"series": "coaching",
			"date": self.day.strftime("%Y-%m-%d"),
			"shots": str(self.shots),
		}
		run = subprocess.run(
			["node", str(script), json.dumps(config)],
			capture_output=True,
			text=True,
			timeout=300,
			env={**os.environ, "NODE_PATH": str(node_modules())},
		)
		lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
		self.assertTrue(lines, f"no result: {run.stdout[-2000:]} {run.stderr[-2000:]}")
		seen = json.loads(lines[-1])
		self.assertEqual((run.returncode, seen["errors"], seen["dialogs"]), (0, [], []), seen)
		for page, violations in seen["axe"].items():  # serious and critical ones only
			self.assertEqual(violations, [], f"axe on {page}")
		self.assertEqual([page for page, overflow in seen["overflow"].items() if overflow], [])
		self.assertIn("7 seats left", seen["seats"])  # the 10:00 class has one guest
		self.assertIn("8 seats left", seen["seats"])
		self.assertEqual(len(seen["workshop_days"]), 3)
		self.assertTrue(all("free" in day for day in seen["workshop_days"]))
		self.assertEqual(len(seen["series_meetings"]), 4)
		self.assertEqual(seen["book_status"], 201)
		self.assertEqual(seen["manage_meetings"], 4)
		self.assertEqual(seen["cancel_following"], 1)
		frappe.db.commit()
		self.assertEqual(frappe.db.count("Scheduler Booking", {"host": HOST, "series": ("is", "set")}), 4)
