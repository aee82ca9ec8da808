"""Browser end-to-end: host in New York, booker in Tokyo, book then cancel via the manage link.

Runs Playwright (npm package playwright-core) driving Debian's /usr/bin/chromium against the
test web server. Nothing is downloaded here: ``.ci/bench-suite`` installs playwright-core
into <bench>/.scheduler-e2e beforehand (or set SCHEDULER_E2E_NODE_MODULES); without it,
Node.js or Chromium the test is skipped with one line saying what is missing.
Screenshots (desktop and 375 px) land in <bench>/logs/scheduler-e2e/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import frappe

from scheduler_integration.tests.factory import clear_bookings, make_host, make_type
from scheduler_integration.tests.live import LiveServer, cleanup
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-e2e-host@example.com"
HERE = Path(__file__).parent


def node_modules() -> Path:
	"""Where playwright-core was installed for the bench suite (never installed here)."""
	default = Path(frappe.get_site_path("..", "..", ".scheduler-e2e")).resolve() / "node_modules"
	return Path(os.environ.get("SCHEDULER_E2E_NODE_MODULES") or default)


def missing() -> str | None:
	"""What the browser test lacks on this machine, or None."""
	if not shutil.which("node"):
		return "Node.js (node) is not installed"
	chromium = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
	if not chromium.exists():
		return f"{chromium} is missing (apt-get install chromium)"
	if not (node_modules() / "playwright-core").exists():
		return f"playwright-core is not installed in {node_modules()} (.ci/bench-suite installs it)"
	return None


class TestBrowserBooking(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.profile = make_host(HOST, "e2e-host", tz="America/New_York", start="09:00", end="17:00")
		cls.mt = make_type(cls.profile, "e2e-call", 30, min_notice=60)
		clear_bookings([HOST])
		frappe.cache.delete_keys("rl:")  # earlier suites' bursts must not rate-limit this guest
		cls.server = LiveServer.get_instance()

	@classmethod
	def tearDownClass(cls):
		clear_bookings([HOST])
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def test_book_in_tokyo_time_then_cancel(self):
		if reason := missing():
			self.skipTest(f"browser test not run: {reason}")
		shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		shots.mkdir(parents=True, exist_ok=True)
		env = {**os.environ, "NODE_PATH": str(node_modules())}
		script = shots / "booking_flow.mjs"
		shutil.copy(HERE / "e2e" / "booking_flow.mjs", script)
		(shots / "node_modules").unlink(missing_ok=True)
		(shots / "node_modules").symlink_to(node_modules())  # ESM resolves packages next to the script
		run = subprocess.run(
			["node", str(script), self.server.base, self.server.site, "e2e-host", "e2e-call", str(shots)],
			capture_output=True,
			text=True,
			timeout=240,
			env=env,
		)
		lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
		self.assertTrue(lines, f"no result: {run.stdout[-2000:]} {run.stderr[-2000:]}")
		seen = json.loads(lines[-1])
		self.assertEqual(run.returncode, 0, seen)
		self.assertEqual(seen["detected_zone"], "Asia/Tokyo")
		self.assertEqual(seen["book_status"], 201)
		self.assertEqual(seen["confirm_text"], seen["expected_text"])
		self.assertEqual(seen["manage_time"], seen["expected_text"])
		self.assertEqual(seen["booking"]["timezone"], "Asia/Tokyo")
		self.assertFalse(seen["mobile_overflow"], "the page scrolls sideways at 375 px")
		self.assertEqual(seen["dialogs"], [])
		self.assertEqual(seen["errors"], [])
		self.assertIn("cancelled", seen["cancel_notice"].lower())
		frappe.db.commit()
		doc = frappe.get_doc("Scheduler Booking", seen["booking"]["id"])
		self.assertEqual(
			(doc.status, doc.cancel_reason, doc.booker_timezone), ("Cancelled", "Plans changed", "Asia/Tokyo")
		)
		for name in (
			"booking-desktop.png",
			"booking-375px.png",
			"confirmation-desktop.png",
			"confirmation-375px.png",
		):
			self.assertGreater((shots / name).stat().st_size, 5000, name)

	def test_own_page_weight_is_under_100_kb(self):
		app = Path(frappe.get_app_path("scheduler_integration"))
		js = (app / "public" / "js" / "booking_page.js").stat().st_size
		css = (app / "public" / "css" / "booking_page.css").stat().st_size
		html = self.server.get("/book/e2e-host/e2e-call", timeout=30).text
		own = html[
			html.index('<main class="sched"') : html.index("</script>", html.index('id="sched-data"')) + 9
		]
		total = js + css + len(own.encode())
		self.assertLess(total, 100 * 1024, f"js {js} + css {css} + html {len(own)} bytes")
