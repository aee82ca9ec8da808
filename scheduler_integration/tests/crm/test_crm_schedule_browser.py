"""Browser end-to-end in Frappe CRM's own UI: on /crm/leads/<name> the rep clicks *Schedule
Meeting* (the app's CRM Form Script), books one of their free times for the prospect, and
the meeting appears on the lead (its task and the comment in the activity); the same action
makes a personal link, whose page opens prefilled on a phone.

Runs Playwright (playwright-core from npm) driving Debian's chromium against the test web
server, as tests/pages/test_browser_e2e.py does; skipped with one line without Node.js, Chromium,
the npm packages or Frappe CRM. Screenshots land in <bench>/logs/scheduler-e2e/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import frappe

from scheduler_integration.api.crm import _label
from scheduler_integration.core.clock import to_utc
from scheduler_integration.tests.crm.test_crm_scheduling import purge_communications
from scheduler_integration.tests.desk_setup import finish_setup, restore_setup
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	clear_bookings,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import PASSWORD, LiveServer, cleanup, make_user, purge_guests
from scheduler_integration.tests.pages import test_browser_e2e as e2e
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

REP = "sched-crm-ui-rep@example.com"
PROSPECT = "crm-ui-prospect@example.org"
ERP_PROSPECT = "erp-ui-prospect@example.org"


@every_site
class TestCrmScheduleBrowser(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.ready = "crm" in frappe.get_installed_apps() and not e2e.missing()
		if not cls.ready:
			return
		try:
			cls.set_up()
		except Exception:  # leave the site as found even when setting up failed
			cls.tearDownClass()
			raise

	@classmethod
	def set_up(cls):
		cls._saved = set_settings(**NO_RATE_LIMITS, create_lead=1, crm_target="Auto")
		cls.outbox = Outbox()  # the personal link is emailed from the lead
		cls.profile = make_host(REP, "crm-ui-rep", tz="Europe/Berlin", start="08:00", end="18:00")
		make_user(REP, roles=("Scheduler Host", "Sales User"), first_name="Rita")
		cls.mt = make_type(cls.profile, "discovery", 30, send_thank_you=0)
		lead = frappe.get_doc(
			{"doctype": "CRM Lead", "first_name": "Lena", "last_name": "Prospect", "email": PROSPECT}
		).insert(ignore_permissions=True)
		frappe.db.set_value("CRM Lead", lead.name, "lead_owner", REP)
		frappe.share.add_docshare(
			"CRM Lead", lead.name, REP, read=1, write=1, flags={"ignore_share_permission": True}
		)
		cls.lead = lead.name
		cls.erp_lead = None
		if "erpnext" in frappe.get_installed_apps():
			cls.erp_lead = (
				frappe.get_doc({"doctype": "Lead", "lead_name": "Erik Desk", "email_id": ERP_PROSPECT})
				.insert(ignore_permissions=True)
				.name
			)
		# what the desk screenshots show: a routing form of the rep, and their time away (one a
		# killed run left goes first)
		for stale in frappe.get_all("Scheduler Routing Form", {"slug": "crm-ui-talk"}, pluck="name"):
			frappe.delete_doc("Scheduler Routing Form", stale, ignore_permissions=True, force=True)
		frappe.set_user(REP)
		cls.form = frappe.get_doc(
			{
				"doctype": "Scheduler Routing Form",
				"title": "Talk to us",
				"slug": "crm-ui-talk",
				"questions": [
					{
						"question_key": "email",
						"label": "Work email",
						"fieldtype": "Email",
						"required": 1,
						"maps_to": "Email",
					},
					{
						"question_key": "size",
						"label": "Company size",
						"fieldtype": "Select",
						"options": "1-10\n11-50\n51-200",
						"crm_field": "no_of_employees",
					},
				],
				"rules": [{"rule_name": "known", "outcome": "Meeting Type", "meeting_type": cls.mt}],
				"conditions": [{"rule": "known", "operator": "known record", "value": "CRM Lead"}],
				"fallback_outcome": "Message",
				"fallback_message": "Thank you!",
			}
		).insert()
		cls.away = frappe.get_doc(
			{
				"doctype": "Scheduler Out of Office",
				"reason": "Trade fair",
				"from_date": frappe.utils.add_days(frappe.utils.today(), 40),
				"to_date": frappe.utils.add_days(frappe.utils.today(), 42),
			}
		).insert()
		frappe.set_user("Administrator")
		cls.setup = finish_setup()
		cls.server = LiveServer.get_instance()
		cls.shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		cls.shots.mkdir(parents=True, exist_ok=True)

	@classmethod
	def tearDownClass(cls):
		if getattr(cls, "ready", False):
			frappe.db.rollback()
			restore_setup(getattr(cls, "setup", None))
			if getattr(cls, "outbox", None):
				cls.outbox.close()
			set_settings(**getattr(cls, "_saved", {}))
			clear_bookings([REP])
			purge_communications({"sender": ("like", f"%{Outbox.ADDRESS}%")})
			form = getattr(cls, "form", None)
			if form:
				for table, field in (
					("Scheduler Routing Form", "name"),
					("Scheduler Routing Question", "parent"),
					("Scheduler Routing Rule", "parent"),
					("Scheduler Routing Condition", "parent"),
				):
					frappe.db.delete(table, {field: form.name})
			links = frappe.get_all("Scheduler Personal Link", {"host": REP}, pluck="name")
			frappe.db.delete("Scheduler Personal Link", {"name": ("in", links or [""])})
			away = [row.name for row in [getattr(cls, "away", None)] if row]
			frappe.db.delete(
				"Version", {"docname": ("in", [*links, *away, *([form.name] if form else [])] or [""])}
			)
			frappe.db.delete("Scheduler Out of Office", {"user": REP})
			purge_guests([PROSPECT, ERP_PROSPECT, Outbox.ADDRESS])
			frappe.db.commit()  # cleanup() starts with a rollback
			cleanup([REP], delete_users=True)
		super().tearDownClass()

	def test_schedule_meeting_in_frappe_crm_books_and_the_meeting_appears_on_the_lead(self):
		if "crm" not in frappe.get_installed_apps():
			self.skipTest("Frappe CRM is not installed on this site")
		if reason := e2e.missing():
			self.skipTest(f"browser test not run: {reason}")
		script = self.shots / "crm_schedule.mjs"
		shutil.copy(Path(__file__).resolve().parents[1] / "e2e" / "crm_schedule.mjs", script)
		(self.shots / "node_modules").unlink(missing_ok=True)
		(self.shots / "node_modules").symlink_to(e2e.node_modules())
		config = {
			"base": self.server.base,
			"site": self.server.site,
			"shots": str(self.shots),
			"user": REP,
			"password": PASSWORD,
			"lead": self.lead,
			"zone": "Europe/Berlin",
			"erp_lead": self.erp_lead,
			"desk_forms": [
				[f"/app/scheduler-routing-form/{self.form.name}", "routing-form-desk-desktop.png"],
				[f"/app/scheduler-out-of-office/{self.away.name}", "out-of-office-desk-desktop.png"],
			],
		}
		node = subprocess.Popen(
			["node", str(script), json.dumps(config)],
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			text=True,
			env={**os.environ, "NODE_PATH": str(e2e.node_modules())},
		)
		deadline = time.monotonic() + 300
		while node.poll() is None and time.monotonic() < deadline:
			run_background_jobs()  # the booking's effects, while the page waits for them
			time.sleep(1)
		if node.poll() is None:
			node.kill()
		stdout, stderr = node.communicate()
		lines = [line for line in stdout.splitlines() if line.startswith("{")]
		self.assertTrue(lines, f"no result: {stdout[-2000:]} {stderr[-2000:]}")
		seen = json.loads(lines[-1])
		self.assertEqual(node.returncode, 0, seen)
		self.assertEqual((seen["dialogs"], seen["errors"]), ([], []))
		self.assertIn("Meeting Type", seen["first_dialog"])
		self.assertIn(PROSPECT, seen["prefilled"])
		self.assertIn("Lena Prospect", seen["prefilled"])
		frappe.db.commit()  # see what the web server committed
		booking = frappe.get_doc(
			"Scheduler Booking", frappe.db.get_value("Scheduler Booking", {"guest_email": PROSPECT}, "name")
		)
		# booked at the time the dialog offered (on the rep's clock), for the lead, with the rep as
		# host and organiser
		self.assertIn(_label(to_utc(booking.start), "Europe/Berlin"), seen["book_dialog"])
		self.assertEqual((booking.crm_doctype, booking.crm_name), ("CRM Lead", self.lead))
		self.assertEqual((booking.host, [row.user for row in booking.hosts]), (REP, [REP]))
		self.assertIn("Meeting: Discovery", seen["task_text"])
		self.assertIn("Meeting booked", seen["activity"])
		# the personal link's page on a phone: prefilled from the lead, no sideways scroll
		self.assertIn("/book/link/", seen["link_text"])
		self.assertEqual(seen["link_prefill"], {"name": "Lena Prospect", "email": PROSPECT})
		self.assertFalse(seen["link_overflow"])
		if self.erp_lead:  # the desk's dialog on ERPNext's Lead booked for that lead
			self.assertGreater(seen["desk_times"], 1)
			self.assertEqual((seen["desk_email"], seen["desk_booked"]), (ERP_PROSPECT, True))
			self.assertEqual(
				frappe.db.get_value(
					"Scheduler Booking", {"guest_email": ERP_PROSPECT}, ["crm_doctype", "crm_name", "host"]
				),
				("Lead", self.erp_lead, REP),
			)
		for name in (
			"crm-schedule-action-desktop.png",
			"crm-schedule-lead-task-desktop.png",
			"personal-link-form-375px.png",
			"routing-form-desk-desktop.png",
		):
			self.assertGreater((self.shots / name).stat().st_size, 5000, name)
