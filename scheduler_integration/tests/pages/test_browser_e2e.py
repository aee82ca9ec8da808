"""Browser end-to-end: host in New York, booker in Tokyo; keyboard only, in German, through the
embed widget on another website, and the host's Scheduling workspace.

Runs Playwright (npm package playwright-core) driving Debian's /usr/bin/chromium against the
test web server, with axe-core (npm) for the accessibility scans. Nothing is downloaded here:
``.ci/bench-suite`` installs both into <bench>/.scheduler-e2e beforehand (or set
SCHEDULER_E2E_NODE_MODULES); without them, Node.js or Chromium each test is skipped with one
line saying what is missing. Screenshots (desktop and 375 px) land in
<bench>/logs/scheduler-e2e/ (copy them to docs/screenshots/ to refresh the docs).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import frappe

from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.core.settings import get_settings, store
from scheduler_integration.reporting import dashboard
from scheduler_integration.tests.desk_setup import finish_setup, restore_setup
from scheduler_integration.tests.factory import clear_bookings, make_host, make_type
from scheduler_integration.tests.live import PASSWORD, LiveServer, cleanup, method_url, purge_guests
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-e2e-host@example.com"
INVITEE = "sched-e2e-invitee@example.com"  # a colleague invited to host a team type
GUESTS = [
	"hanako@example.jp",
	"greta@example.de",
	"inline-guest@example.com",
	"popup-guest@example.com",
	"sched-e2e-answers@example.com",
	"tanja-taken@example.com",
	"other-guest@example.com",
]
HERE = Path(__file__).resolve().parents[1]  # tests/, which holds e2e/ beside the areas
SERIOUS = ("serious", "critical")


def node_modules() -> Path:
	"""Where playwright-core and axe-core were installed for the bench suite (never here)."""
	default = Path(frappe.get_site_path("..", "..", ".scheduler-e2e")).resolve() / "node_modules"
	return Path(os.environ.get("SCHEDULER_E2E_NODE_MODULES") or default)


def missing() -> str | None:
	"""What the browser tests lack on this machine, or None."""
	if not shutil.which("node"):
		return "Node.js (node) is not installed"
	chromium = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
	if not chromium.exists():
		return f"{chromium} is missing (apt-get install chromium)"
	for package in ("playwright-core", "axe-core"):
		if not (node_modules() / package).exists():
			return f"{package} is not installed in {node_modules()} (.ci/bench-suite installs it)"
	return None


def run_script(testcase, name: str, shots: Path, config: dict) -> dict:
	"""Run ``e2e/<name>`` with Node from ``shots`` (where it writes its screenshots) and
	return the one JSON line it prints last; the run fails the test when it prints none or
	exits non-zero."""
	script = shots / name
	shutil.copy(HERE / "e2e" / name, script)
	(shots / "node_modules").unlink(missing_ok=True)
	(shots / "node_modules").symlink_to(node_modules())
	run = subprocess.run(
		["node", str(script), json.dumps(config)],
		capture_output=True,
		text=True,
		timeout=300,
		env={**os.environ, "NODE_PATH": str(node_modules())},
	)
	lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
	testcase.assertTrue(lines, f"no result: {run.stdout[-2000:]} {run.stderr[-2000:]}")
	seen = json.loads(lines[-1])
	testcase.assertEqual(run.returncode, 0, seen)
	return seen


def tokyo_today():
	"""Today on the browser's clock (the scenarios' guest is in Tokyo)."""
	return datetime.now(ZoneInfo("Asia/Tokyo")).date()


def free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


class TestBrowserBooking(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.profile = make_host(HOST, "e2e-host", tz="America/New_York", start="09:00", end="17:00")
		cls.mt = make_type(cls.profile, "e2e-call", 30, min_notice=60)
		clear_bookings([HOST])
		frappe.cache.delete_keys("rl:")  # earlier suites' bursts must not rate-limit this guest
		cls.server = LiveServer.get_instance()
		cls.shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		cls.shots.mkdir(parents=True, exist_ok=True)
		settings = get_settings()
		cls.saved_origins = settings.get("booking_embed_origins") or ""
		cls.setup = finish_setup()

	@classmethod
	def tearDownClass(cls):
		restore_setup(cls.setup)
		store(booking_embed_origins=cls.saved_origins)
		frappe.db.commit()
		clear_bookings([HOST])
		purge_guests(GUESTS)
		cleanup([HOST], delete_users=True)
		frappe.db.commit()
		super().tearDownClass()

	def run_with_type(self, scenario: str, key: str, slug: str, **fields) -> dict:
		"""``run_scenario`` on a meeting type of the host made for it (``key`` names its slug
		in the scenario's config), removed after."""
		name = make_type(self.profile, slug, 30, **fields)
		try:
			return self.run_scenario(scenario, **{key: slug})
		finally:
			frappe.delete_doc("Scheduler Meeting Type", name, ignore_permissions=True, force=True)
			frappe.db.commit()

	def run_scenario(self, scenario: str, **extra) -> dict:
		if reason := missing():
			self.skipTest(f"browser test not run: {reason}")
		env = {**os.environ, "NODE_PATH": str(node_modules())}
		script = self.shots / "booking_flow.mjs"
		shutil.copy(HERE / "e2e" / "booking_flow.mjs", script)
		(self.shots / "node_modules").unlink(missing_ok=True)
		(self.shots / "node_modules").symlink_to(node_modules())  # ESM resolves packages next to the script
		config = {
			"scenario": scenario,
			"base": self.server.base,
			"site": self.server.site,
			"profile": "e2e-host",
			"type": "e2e-call",
			"shots": str(self.shots),
			"user": HOST,
			"password": PASSWORD,
			**extra,
		}
		run = subprocess.run(
			["node", str(script), json.dumps(config)], capture_output=True, text=True, timeout=300, env=env
		)
		lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
		self.assertTrue(lines, f"no result: {run.stdout[-2000:]} {run.stderr[-2000:]}")
		seen = json.loads(lines[-1])
		self.assertEqual(run.returncode, 0, seen)
		self.assertEqual(seen["dialogs"], [])
		self.assertEqual(seen["errors"], [])
		for page, violations in seen["axe"].items():
			self.assertEqual([v for v in violations if v["impact"] in SERIOUS], [], f"axe on the {page} page")
		for page, overflow in (seen.get("overflow") or {}).items():
			self.assertFalse(overflow, f"the {page} page scrolls sideways at 375 px")
		frappe.db.commit()  # see what the web server committed
		return seen

	def test_keyboard_only_booking_in_tokyo_time_reschedule_and_cancel(self):
		seen = self.run_scenario("keyboard")
		self.assertEqual(seen["detected_zone"], "Asia/Tokyo")
		start = datetime.fromisoformat(seen["grid_moves"]["start"])
		self.assertEqual(datetime.fromisoformat(seen["grid_moves"]["down"]), start + timedelta(days=7))
		self.assertEqual(seen["grid_moves"]["back"], seen["grid_moves"]["start"])
		self.assertIn("sched-slot", seen["focus_after_day"])
		for ring in seen["focus_ring"]:  # a day and a time, focused by keyboard, show their focus
			self.assertNotEqual(ring["style"], "none")
			self.assertGreaterEqual(ring["width"], 2)
		self.assertTrue(set(seen["groups"]) <= {"Morning", "Afternoon", "Evening"} and seen["groups"])
		self.assertEqual(seen["focus_form"], "sched-f-name")
		self.assertTrue(seen["invalid"]["focused"])
		self.assertIn("valid email", seen["invalid"]["described"])
		self.assertEqual(seen["book_status"], 201)
		self.assertEqual(seen["confirm_text"], seen["expected_text"])
		self.assertEqual(seen["manage_time"], seen["expected_text"])
		self.assertNotIn("null", seen["manage_text"])
		self.assertEqual(seen["kept_time"], seen["expected_text"])  # "keep" moved nothing
		self.assertEqual(seen["moved_time"], seen["move_to"])
		self.assertIn("rescheduled", seen["moved_notice"].lower())
		self.assertIn("cancelled", seen["cancel_notice"].lower())
		# issue 50, items 10 and 12: the focus goes to what happened, the badges differ in colour
		# and by a mark, and a cancelled booking leads back to its type's page
		self.assertEqual((seen["moved_focus"], seen["cancel_focus"]), ("sched-notice", "sched-notice"))
		self.assertEqual(
			(seen["reschedule_focus"], seen["keep_focus"]), ("sched-current", "sched-reschedule")
		)
		self.assertEqual(seen["confirmed_badge"][0], "✓ Confirmed")
		self.assertRegex(seen["cancelled_badge"][0], r"^✕ Cancell?ed$")  # (en-US: "Canceled")
		self.assertNotEqual(seen["confirmed_badge"][1], seen["cancelled_badge"][1])
		self.assertEqual(seen["book_again"], seen["book_again_later"])
		self.assertTrue(seen["book_again"] and seen["book_again"].startswith("/book/"), seen["book_again"])
		doc = frappe.get_doc("Scheduler Booking", seen["booking"]["id"])
		self.assertEqual(
			(doc.status, doc.cancel_reason, doc.booker_timezone, doc.language.split("-")[0]),
			("Cancelled", "Plans changed", "Asia/Tokyo", "en"),  # the browser's en-US
		)
		self.assertNotEqual(seen["moved"]["start"], seen["booking"]["start"])
		# the funnel of this browser session: the list page viewed, the type chosen from it, once each
		session = frappe.db.get_value(
			"Scheduler Engagement", {"booking": doc.name, "event_type": "meeting_booked"}, "session_id"
		)
		self.assertTrue(session)
		steps = frappe.get_all(
			"Scheduler Engagement", filters={"session_id": session}, pluck="event_type", order_by="event_type"
		)
		self.assertEqual(
			steps, ["form_submitted", "meeting_booked", "page_viewed", "slot_selected", "type_selected"]
		)
		for name in ("profile", "booking", "confirmation", "manage"):
			for size in ("desktop", "375px"):
				self.assertGreater((self.shots / f"{name}-{size}.png").stat().st_size, 5000, name)

	def test_booking_in_german(self):
		seen = self.run_scenario("german")
		frappe.local.lang = "de"
		try:
			expected = {
				"zone": frappe._("Time zone"),
				"next": frappe._("Next month"),
				"book": frappe._("Book Meeting"),
				"booked": frappe._("You are booked"),
				"groups": {frappe._("Morning"), frappe._("Afternoon"), frappe._("Evening")},
			}
		finally:
			frappe.local.lang = "en"
		self.assertNotEqual(expected["zone"], "Time zone", "no German translation shipped")
		self.assertEqual(seen["html_lang"], "de")
		self.assertEqual(seen["zone_label"], expected["zone"])
		self.assertEqual(seen["next_label"], expected["next"])
		self.assertEqual(seen["submit_label"], expected["book"])
		self.assertEqual(seen["confirm_heading"], expected["booked"])
		self.assertTrue(set(seen["groups"]) <= expected["groups"])
		self.assertEqual(seen["param_zone_label"], expected["zone"])
		self.assertEqual(seen["selected_date"], seen["wanted_date"])  # ?date= preselects the day
		self.assertEqual(seen["book_status"], 201)
		self.assertEqual(frappe.db.get_value("Scheduler Booking", seen["booking"]["id"], "language"), "de")

	def test_a_time_taken_meanwhile_keeps_what_the_guest_typed(self):
		"""Another guest books the time while this one fills the form: the page offers the
		nearest times, and picking one brings back the form with the name, email and notes
		already typed (a walk found them wiped)."""
		seen = self.run_scenario("taken", guest_email=GUESTS[5], other_email=GUESTS[6])
		self.assertEqual(seen["other_status"], 201, seen)
		self.assertEqual(seen["book_status"], 409, seen)
		self.assertEqual(seen["taken_focus"], "sched-taken", "the focus goes to what happened")
		# every mistake in one round, nothing cut or sent (issue 50, item 9)
		self.assertEqual(seen["one_round"], ["company", "email", "notes", "phone"])
		self.assertEqual((seen["one_round_sent"], seen["one_round_kept"]), (0, [300, 6000]))
		# one time format per reader (issue 50, item 13): "09:30" in the grid and the offers
		self.assertTrue(seen["alternative_times"], seen)
		for text in seen["grid_times"] + seen["alternative_times"]:
			self.assertRegex(
				text, r"(^|\D)\d{2}:\d{2}(\D|$)", (seen["grid_times"][:3], seen["alternative_times"])
			)
		self.assertEqual(
			seen["values"], {"name": "Tanja Taken", "email": GUESTS[5], "notes": "About the offer"}, seen
		)

	def test_an_invited_colleague_accepts_in_the_desk(self):
		"""The owner of a team type invites a colleague; the colleague's to-do sends them to
		the type's form, which says they are invited and has Accept and Decline (a walk
		found no way to answer but the API); accepting makes them a host guests are offered."""
		make_host(INVITEE, "e2e-invitee", tz="Europe/Berlin", start="09:00", end="17:00")
		team = make_type(self.profile, "e2e-team", 30, assignment="Round Robin", hosts=[{"user": HOST}])
		try:
			doc = frappe.get_doc("Scheduler Meeting Type", team)
			doc.append("hosts", {"user": INVITEE})
			doc.save(ignore_permissions=True)
			row = next(row for row in doc.hosts if row.user == INVITEE)
			frappe.db.set_value(row.doctype, row.name, "accepted", 0)  # as when the owner invites
			frappe.db.commit()
			seen = self.run_scenario(
				"invitation",
				user=INVITEE,
				meeting_type=team,
				accept_label="Accept invitation",
				decline_label="Decline invitation",
			)
			self.assertIn("invited to host", seen["intro"])
			self.assertTrue(seen["decline_shown"])
			self.assertTrue(seen["accept_on_phone"], "the answer is in view on a phone")
			self.assertFalse(seen["save_shown"], "an invitee has nothing to save")
			self.assertEqual(frappe.db.get_value(row.doctype, row.name, "accepted"), 1)
		finally:
			frappe.delete_doc("Scheduler Meeting Type", team, ignore_permissions=True, force=True)
			frappe.db.commit()
			cleanup([INVITEE], delete_users=True)

	def test_months_asked_quickly_show_the_last_and_arrows_keep_the_focus(self):
		"""Two clicks on the next-month arrow, the first month's answer arriving last: the page
		shows the month it says, with that month's days (a walk saw December's times under
		January's title); Enter on an arrow leaves the focus on the arrow."""
		seen = self.run_with_type("months", "far_type", "e2e-far", max_advance_days=0)
		today = tokyo_today()
		month = (today.month + 1) % 12 + 1  # two months on
		year = today.year + (today.month + 2 - 1) // 12
		self.assertEqual(seen["day_months"], [f"{year}-{month:02d}"], seen)
		self.assertTrue((seen["selected"] or "").startswith(f"{year}-{month:02d}"), seen)
		self.assertEqual(seen["focus_after_prev"], "prev", seen)
		self.assertNotEqual(seen["title_after_prev"], seen["title"], seen)
		# ?month= of a month the slot API never answers opens on a month with times instead
		self.assertEqual(seen["far"]["error"], 0, seen)
		self.assertNotIn("2200", seen["far"]["title"], seen)
		self.assertGreater(seen["far"]["days"], 0, seen)

	def test_a_month_with_no_time_left_opens_on_the_next(self):
		"""A type whose notice reaches past this month's end (on the guest's clock, Tokyo), as on
		a month's last evening: the page opens on the next month with its first day chosen, not
		on an empty month; the arrow back, or ?month=, still shows this month, empty, saying so."""
		now = datetime.now(ZoneInfo("Asia/Tokyo"))
		first = (now.replace(day=1) + timedelta(days=32)).replace(
			day=1, hour=0, minute=0, second=0, microsecond=0
		)
		notice = int((first - now).total_seconds() // 60) + 1
		seen = self.run_with_type("next_month", "late_type", "e2e-late", min_notice=notice)
		following = f"{first:%Y-%m}"
		self.assertEqual(seen["opened"]["day_months"], [following], seen)
		self.assertTrue((seen["opened"]["selected"] or "").startswith(following), seen)
		self.assertIn(f"{first:%B}", seen["opened"]["title"], seen)
		self.assertFalse(seen["opened"]["prev_disabled"], seen)
		self.assertIn(f"{now:%B}", seen["back"]["title"], seen)
		self.assertEqual(seen["back"]["days"], 0, seen)
		self.assertIn("Try the next month", seen["back"]["hint"], seen)
		self.assertEqual((seen["asked"]["days"], seen["asked"]["title"]), (0, seen["back"]["title"]), seen)

	def test_the_month_picker_stops_at_the_booking_window(self):
		"""A type bookable at most 20 days ahead: every month up to the one holding its last
		bookable day (on the guest's clock, Tokyo) can be opened, no month after it, by the
		next-month button or by Page Down in the grid."""
		seen = self.run_with_type("horizon", "horizon_type", "e2e-near", max_advance_days=20)
		today = tokyo_today()
		last = today + timedelta(days=20)
		months = (last.year * 12 + last.month) - (today.year * 12 + today.month) + 1
		self.assertEqual([m["disabled"] for m in seen["months"]], [False] * (months - 1) + [True], seen)
		self.assertEqual(seen["after_page_down"], seen["months"][-1]["title"], "Page Down stays put")

	def test_embed_inline_and_popup_from_another_website(self):
		port = free_port()
		origin = f"http://127.0.0.1:{port}"
		store(booking_embed_origins=origin)
		frappe.db.commit()
		header = self.server.get("/book/e2e-host/e2e-call?embed=inline", timeout=30).headers
		self.assertEqual(header.get("Content-Security-Policy"), f"frame-ancestors 'self' {origin}")
		seen = self.run_scenario("embed", embed_port=port, type_name=self.mt)
		self.assertIn('data-scheduler-embed="inline"', seen["snippets"]["inline"])
		self.assertIn('data-scheduler-embed="popup"', seen["snippets"]["popup"])
		self.assertTrue(seen["inline_confirm"] and seen["popup_confirm"])
		self.assertNotEqual(seen["inline_height_before"], seen["inline_height_after"])  # it follows the page
		self.assertEqual(len(seen["booked_events"]), 2)
		self.assertEqual(seen["focus_after_close"], "popup")
		for guest in ("inline-guest@example.com", "popup-guest@example.com"):
			self.assertEqual(
				frappe.db.count("Scheduler Booking", {"guest_email": guest, "status": "Confirmed"}), 1, guest
			)
		store(booking_embed_origins="")
		frappe.db.commit()
		header = self.server.get("/book/e2e-host/e2e-call?embed=inline", timeout=30).headers
		self.assertEqual(header.get("Content-Security-Policy"), "frame-ancestors 'self'")

	def test_workspace_cards_match_the_database(self):
		from scheduler_integration.booking.meeting_types import type_context
		from scheduler_integration.booking.slots import slots_for
		from scheduler_integration.scheduler_integration.doctype.scheduler_booking.new_bookings import (
			book_as_guest,
		)

		# a few meetings of the host: one today-ish and one answered booking to show in the desk
		frappe.set_user("Administrator")
		now = utc_now()
		offered = slots_for(type_context(self.mt), now, now + timedelta(days=14), now)
		starts = [offered[0].start, offered[len(offered) // 2].start]
		made = []
		for i, when in enumerate(starts):
			doc, _token = book_as_guest(
				self.mt,
				when,
				{
					"guest_name": f"Answer Guest {i}",
					"guest_email": "sched-e2e-answers@example.com",
					"booker_timezone": "Europe/Berlin",
					"answers": json.dumps({"Budget <script>": "<i>10k</i>", "Team size": "12"}),
				},
				extra={"source": "test"},
			)
			made.append(doc.name)
		frappe.db.commit()
		seen = self.run_scenario("desk", booking_name=made[0], profile_name=self.profile)
		frappe.set_user(HOST)
		try:
			week_now, week_before = dashboard.week_counts()
			expected = {
				"Meetings Today": str(dashboard.today_count()),
				"Pending Confirmation": str(dashboard.pending_count()),
				"No-show Rate (90 days)": dashboard.no_show_rate()[0],
				"Booking Conversion (30 days)": dashboard.conversion()[0],
			}
			active = frappe.db.count(
				"Scheduler Booking",
				{
					"host": HOST,
					"status": ("in", ["Pending", "Confirmed"]),
					"end": (">=", to_system(utc_now())),
				},
			)
		finally:
			frappe.set_user("Administrator")
		cards = seen["cards"]
		for label, number in expected.items():
			self.assertEqual(float(cards[label].replace("%", "").strip()), float(number), label)
		self.assertTrue(cards["Meetings This Week"].startswith(f"{week_now} "), cards["Meetings This Week"])
		self.assertIn(f"({week_before})", cards["Meetings This Week"])
		# the same cards as the widget's requests get them (each answer held to the document)
		host = self.server.session(HOST)
		for method, label in (("today", "Meetings Today"), ("pending", "Pending Confirmation")):
			for verb in ("GET", "POST"):  # the widget posts; a client may get
				r = host.request(
					verb, method_url(self.server, f"scheduler_integration.api.dashboard.{method}"), timeout=30
				)
				self.assertEqual(r.status_code, 200, r.text[:200])
				self.assertEqual(r.json()["message"]["value"], float(expected[label]), (method, verb))
		for verb in ("GET", "POST"):
			r = host.request(
				verb, method_url(self.server, "scheduler_integration.api.dashboard.this_week"), timeout=30
			)
			self.assertIn(f'class="sched-week-count">{week_now}</span>', r.json()["message"], verb)
		self.assertEqual(len(seen["next"]), min(active, 5))
		self.assertEqual(seen["chart"], ["Bookings per Day", "Bookings per Month"])
		self.assertEqual(len(seen["month_labels"]), 12, seen["month_labels"])  # the last 12 months drawn
		self.assertEqual(
			seen["new_availability"],
			{
				"title": "Working Hours",
				"timezone": host_timezone(HOST),  # the profile's: one zone per host
				"rows": 5,
				"from_type": "Autocomplete",
			},
		)
		self.assertEqual(seen["rrule"], "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=6")
		self.assertIn("Every 2 week(s) on Monday, Wednesday, 6 times", seen["rrule_text"])
		self.assertIn("Budget <script>", seen["answers_table"])
		self.assertNotIn("<script>", seen["answers_markup"])
		self.assertNotIn("<i>", seen["answers_markup"])
		self.assertEqual(seen["banners"], 1)
		for name in ("workspace-desktop.png", "workspace-375px.png", "desk-booking-answers-desktop.png"):
			self.assertGreater((self.shots / name).stat().st_size, 5000, name)

	def test_own_page_weight_is_under_100_kb(self):
		app = Path(frappe.get_app_path("scheduler_integration"))
		js = sum(
			(app / "public" / "js" / name).stat().st_size for name in ("guest_page.js", "booking_page.js")
		)
		css = (app / "public" / "css" / "booking_page.css").stat().st_size
		html = self.server.get("/book/e2e-host/e2e-call", timeout=30).text
		own = html[
			html.index('<main class="sched"') : html.index("</script>", html.index('id="sched-data"')) + 9
		]
		total = js + css + len(own.encode())
		self.assertLess(total, 100 * 1024, f"js {js} + css {css} + html {len(own)} bytes")
