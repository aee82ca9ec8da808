"""Browser end-to-end: a brand-new host (a user with the Scheduler Host role and nothing set
up) opens the Scheduling workspace, sees the set-up checklist, reaches the calendar
connection form from it, connects an ICS calendar, and sees the checklist move on; the
workspace's Setup card leads to the connections as well.

Runs like test_browser_e2e (Playwright from <bench>/.scheduler-e2e driving Debian's
chromium; skipped with one line when either is missing). Screenshots land in
<bench>/logs/scheduler-e2e/ (setup-checklist-desktop.png, setup-connection-form-desktop.png).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import frappe

from scheduler_integration.scheduler_integration.doctype.scheduler_calendar_connection.test_scheduler_calendar_connection import (
	FeedServer,
)
from scheduler_integration.tests.desk_setup import finish_setup, restore_setup
from scheduler_integration.tests.factory import NO_RATE_LIMITS, set_settings
from scheduler_integration.tests.live import PASSWORD, LiveServer, cleanup, make_user
from scheduler_integration.tests.pages import test_browser_e2e as e2e
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-brand-new-host@example.com"
FEED = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


class TestNewHostInTheBrowser(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup([HOST], delete_users=True, force_users=True)
		make_user(HOST)  # a brand-new host: the role, no profile, no hours, no calendar
		cls._saved = set_settings(**NO_RATE_LIMITS, allow_private_calendar_hosts=1)
		cls.server = LiveServer.get_instance()
		cls.feed = FeedServer(FEED)
		cls.shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		cls.shots.mkdir(parents=True, exist_ok=True)
		cls.setup = finish_setup()

	@classmethod
	def tearDownClass(cls):
		restore_setup(cls.setup)
		cls.feed.close()
		set_settings(**cls._saved)
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def test_a_brand_new_host_finds_the_connection_form_from_the_workspace(self):
		if reason := e2e.missing():
			self.skipTest(f"browser test not run: {reason}")
		script = self.shots / "new_host.mjs"
		shutil.copy(Path(__file__).resolve().parents[1] / "e2e" / "new_host.mjs", script)
		(self.shots / "node_modules").unlink(missing_ok=True)
		(self.shots / "node_modules").symlink_to(e2e.node_modules())
		config = {
			"base": self.server.base,
			"site": self.server.site,
			"shots": str(self.shots),
			"user": HOST,
			"password": PASSWORD,
			"feed": self.feed.url,
		}
		run = subprocess.run(
			["node", str(script), json.dumps(config)],
			capture_output=True,
			text=True,
			timeout=300,
			env={**os.environ, "NODE_PATH": str(e2e.node_modules())},
		)
		lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
		self.assertTrue(lines, f"no result: {run.stdout[-2000:]} {run.stderr[-2000:]}")
		seen = json.loads(lines[-1])
		self.assertEqual(run.returncode, 0, seen)
		self.assertEqual((seen["dialogs"], seen["errors"]), ([], []))

		# the first visit: every step left, the profile or a calendar to do now
		first = {step["key"]: step["state"] for step in seen["first"]["steps"]}
		self.assertEqual(
			first,
			{
				"profile": "todo",
				"hours": "waiting",
				"calendar": "todo",
				"first_type": "waiting",
				"share_link": "waiting",
			},
		)
		self.assertIn("0 of 5", seen["first"]["title"])
		self.assertEqual(
			[step["label"] for step in seen["first"]["steps"]],
			[
				"Create your booking profile",
				"Set your working hours",
				"Connect your calendar",
				"Create your first meeting type",
				"Share your booking link",
			],
		)
		self.assertIn("Calendar and Video Connections", [text.strip() for text in seen["setup_links"]])
		self.assertEqual(float(seen["rate_card"].replace("%", "").strip()), 0)

		# the checklist's calendar step opened a new connection of this host
		self.assertEqual(seen["form"]["route"][:2], ["Form", "Scheduler Calendar Connection"])
		self.assertEqual(seen["form"]["host"], HOST)
		self.assertEqual(seen["saved"]["host"], HOST)
		frappe.db.commit()  # see what the web server committed
		self.assertEqual(
			frappe.db.get_value("Scheduler Calendar Connection", seen["saved"]["name"], ["host", "provider"]),
			(HOST, "ICS"),
		)
		# after connecting: the calendar is being checked (the form checks it at once, so it
		# may be done already); the rest is still to do
		after = {step["key"]: step["state"] for step in seen["after"]["steps"]}
		self.assertIn(after["calendar"], ("checking", "done"))
		self.assertEqual(after["profile"], "todo")
		# the Setup card's link leads to the connections list, where the new one is
		self.assertEqual(seen["list_route"][:2], ["List", "Scheduler Calendar Connection"])
		self.assertEqual(seen["list_rows"], 1)
		for name in ("setup-checklist-desktop.png", "setup-connection-form-desktop.png"):
			self.assertGreater((self.shots / name).stat().st_size, 5000, name)
