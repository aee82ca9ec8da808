"""The booking pages' own frame, over real HTTP and in a browser: a type page, the host's and a
routing form's page and the manage page show the booking and nothing of the website around it
(no navbar, footer, newsletter box, website bundles, desk assets or inlined icon set), keep
what web.html gave them (language and direction, a description, the favicon, a signed-in
reader's CSRF token), link their scripts by version, offer a short time zone list that
grows on demand, stay axe clean in light and dark mode and still book; Scheduler
Settings → "Show the website's header and footer on booking pages" brings the site's chrome
back. A routing form's page marks every missing or refused answer at once.

Runs on every site: ERPNext adds its own chrome (the newsletter box, "Powered by ERPNext").
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import frappe
import requests

from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	set_settings,
)
from scheduler_integration.tests.live import (
	PASSWORD,
	LiveServer,
	body,
	cleanup,
	guest_book,
	method_url,
	purge_guests,
)
from scheduler_integration.tests.pages.test_browser_e2e import SERIOUS, missing, run_script
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase
from scheduler_integration.www.book.page_utils import assets_version

HOST = "sched-frame-host@example.com"
GUESTS = ["frame-guest@example.org", "frame-browser@example.org", "frame-signed-in@example.org"]
FORM = "sched-frame-route"
# what the website's chrome brings along (Frappe's web.html, ERPNext's footer and bundles)
CHROME = (
	"navbar",
	"<footer",
	"web-footer",
	"Get Updates",
	"Powered by",
	"frappe-web.bundle",
	"website.bundle",
	"/assets/frappe/dist/",
	"desk.bundle",
	'id="frappe-symbols"',
	"website_script.js",
)
ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)\"""")


@every_site
class TestPageFrame(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.remove_form()
		cls._saved = set_settings(**NO_RATE_LIMITS, booking_pages_site_chrome=0)
		cls.profile = make_host(HOST, "frame-host", tz="UTC")
		cls.mt = make_type(
			cls.profile, "frame-call", 30, description="A first call: what you need, and whether we fit."
		)
		frappe.set_user("Administrator")
		cls.form = (
			frappe.get_doc(
				{
					"doctype": "Scheduler Routing Form",
					"title": "Find your call",
					"slug": FORM,
					"user": HOST,
					"description": "Two questions and you are on your way.",
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
							"options": "1-10\n11-50",
						},
						{"question_key": "seats", "label": "Seats", "fieldtype": "Number", "required": 1},
					],
					"rules": [{"rule_name": "all", "outcome": "Meeting Type", "meeting_type": cls.mt}],
					"fallback_outcome": "Message",
					"fallback_message": "Thanks.",
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		frappe.db.commit()
		cls.server = LiveServer.get_instance()
		cls.day = future_day(9)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**getattr(cls, "_saved", {}))
		cls.remove_form()
		clear_bookings([HOST])
		purge_guests(GUESTS)
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	@classmethod
	def remove_form(cls):
		frappe.set_user("Administrator")
		for name in frappe.get_all("Scheduler Routing Form", {"slug": FORM}, pluck="name"):
			frappe.db.delete("Scheduler Routing Submission", {"form": name})
			frappe.delete_doc("Scheduler Routing Form", name, ignore_permissions=True, force=True)
		frappe.db.commit()

	def setUp(self):
		clear_bookings([HOST])

	def html(self, path: str, session: requests.Session | None = None) -> str:
		r = (session or requests).get(
			f"{self.server.base}{path}", headers={"Host": self.server.site}, timeout=60
		)
		self.assertEqual(r.status_code, 200, f"{path}: {r.text[:300]}")
		return r.text

	def assertFramed(self, html: str, path: str) -> list[str]:
		"""Only the booking: no piece of the site's chrome; returns the page's assets."""
		markup = re.sub(r"<style>.*?</style>", "", html, flags=re.S)  # the inlined CSS may name them
		for piece in CHROME:
			self.assertFalse(piece in markup, f"{path} carries {piece!r}")  # (not the whole page)
		self.assertRegex(html, r'<meta name="description" content="[^"]+">', path)
		self.assertIn('<link rel="icon" href="', html, path)
		assets = ASSET.findall(html)
		for url in assets:
			self.assertTrue(
				url.startswith("/assets/scheduler_integration/") or url == self.favicon(html),
				f"{path} loads {url}",
			)
		return assets

	def favicon(self, html: str) -> str:
		return re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)

	def manage_path(self) -> str:
		r = guest_book(
			self.server, "frame-host", "frame-call", iso(self.day + timedelta(hours=9)), email=GUESTS[0]
		)
		self.assertEqual(r.status_code, 201, r.text[:300])
		return "/book/manage/" + body(r)["data"]["manage_url"].rsplit("/", 1)[1]

	def test_booking_pages_show_the_booking_and_nothing_else(self):
		pages = ["/book/frame-host", "/book/frame-host/frame-call", f"/book/route/{FORM}", self.manage_path()]
		for path in pages:
			html = self.html(path)
			self.assertFramed(html, path)
			self.assertIn('<html lang="en" dir="ltr">', html, path)
			self.assertIn('<main class="sched"', html, path)
		html = self.html("/book/frame-host/frame-call")
		self.assertIn('content="A first call: what you need, and whether we fit."', html)
		self.assertIn("--sched-brand", html.split("</style>")[0])  # the app's CSS, inlined
		# the scripts' URLs carry their version: nginx lets browsers keep /assets a year
		self.assertRegex(html, r'src="/assets/scheduler_integration/js/booking_page\.js\?v=[0-9a-f]{10}"')
		# what a type page transfers before its times: the page and its own two scripts
		sizes = {"html": len(html.encode())}
		for url in ASSET.findall(html):
			r = requests.get(f"{self.server.base}{url}", headers={"Host": self.server.site}, timeout=30)
			self.assertEqual(r.status_code, 200, url)
			sizes[url] = len(r.content)
		self.assertLess(sum(sizes.values()), 100 * 1024, sizes)  # web.html's page: about 1.9 MB
		self.assertIn('<html lang="de" dir="ltr">', self.html("/book/frame-host/frame-call?lang=de"))
		self.assertIn('<html lang="ar" dir="rtl">', self.html("/book/frame-host/frame-call?lang=ar"))
		embedded = self.html("/book/frame-host/frame-call?embed=1")
		self.assertFramed(embedded, "embed")
		self.assertIn('data-embed="1"', embedded)

	def test_pages_that_do_not_exist_say_so_in_the_frame(self):
		"""Issue 50, item 8: an unknown profile, type, team, form, manage link, short link or
		receipt is a 404 in the booking pages' own frame that says what to do, not the
		website's 404 with its navbar and a way "home" to the login page."""
		paths = [
			"/book/frame-nobody",
			"/book/frame-host/no-such-type",
			"/book/team/sched-no-team",
			"/book/team/sched-no-team/frame-call",
			"/book/route/sched-no-form",
			f"/book/manage/{'x' * 43}",
			f"/book/link/{'x' * 43}",
			"/book/receipt?key=" + "0" * 32,
			"/b/zzzzzzzz",
		]
		for path in paths:
			r = requests.get(f"{self.server.base}{path}", headers={"Host": self.server.site}, timeout=60)
			self.assertEqual(r.status_code, 404, f"{path}: {r.text[:300]}")
			markup = re.sub(r"<style>.*?</style>", "", r.text, flags=re.S)
			for piece in (*CHROME, "Back to Home", "/login"):
				self.assertFalse(piece in markup, f"{path} carries {piece!r}")
			self.assertIn('<main class="sched"', r.text, path)
			self.assertIn("<h1>This booking page does not exist</h1>", r.text, path)
			self.assertIn("Check the link for typing mistakes", r.text, path)
			self.assertNotIn('id="sched-app"', r.text, path)
		german = requests.get(
			f"{self.server.base}/book/frame-nobody?lang=de", headers={"Host": self.server.site}, timeout=60
		)
		self.assertEqual(german.status_code, 404)
		self.assertIn('<html lang="de" dir="ltr">', german.text)
		self.assertIn("Diese Buchungsseite existiert nicht", german.text)

	def test_the_assets_version_follows_the_files(self):
		before = assets_version()
		path = Path(frappe.get_app_path("scheduler_integration", "public", "js", "guest_page.js"))
		stat = path.stat()
		try:
			os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
			self.assertNotEqual(assets_version(), before)
		finally:
			os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
		self.assertEqual(assets_version(), before)

	def test_the_setting_brings_the_sites_chrome_back(self):
		path = "/book/frame-host/frame-call"
		self.assertFramed(self.html(path), path)
		try:
			set_settings(booking_pages_site_chrome=1)
			html = self.html(path)
			self.assertIn("navbar", html)
			self.assertIn("website.bundle", html)
			self.assertIn("/assets/scheduler_integration/css/booking_page.css", html)
			self.assertIn('<main class="sched"', html)
			# the embed widget's iframe and custom domains still leave the navbar out
			self.assertFalse("navbar" in self.html(f"{path}?embed=1"), "the embedded page has a navbar")
		finally:
			set_settings(booking_pages_site_chrome=0)
		self.assertFramed(self.html(path), path)

	def test_guests_and_signed_in_readers_still_book_from_the_frame(self):
		html = self.html("/book/frame-host/frame-call")
		data = json.loads(
			re.search(r'<script type="application/json" id="sched-data">(.*?)</script>', html).group(1)
		)
		self.assertEqual((data["mode"], data["meeting_type"]["slug"]), ("book", "frame-call"))
		r = guest_book(
			self.server, "frame-host", "frame-call", iso(self.day + timedelta(hours=10)), email=GUESTS[0]
		)
		self.assertEqual(r.status_code, 201, r.text[:300])  # a guest posts without a CSRF token
		# a signed-in reader (the desk gave their session a CSRF token): the frame carries it
		session = self.server.session(HOST)
		session.get(f"{self.server.base}/app", timeout=60)
		html = self.html("/book/frame-host/frame-call", session)
		self.assertFramed(html, "signed in")
		token = re.search(r'frappe\.csrf_token = "([0-9a-f]+)";', html)
		self.assertTrue(token, "no CSRF token for a signed-in reader")
		book = {
			"profile": "frame-host",
			"meeting_type": "frame-call",
			"start": iso(self.day + timedelta(hours=11)),
			"name": "Signed In",
			"email": GUESTS[2],
			"timezone": "UTC",
		}
		url = method_url(self.server, "scheduler_integration.api.public.book")
		self.assertEqual(session.post(url, json=book, timeout=60).status_code, 400)  # no token: refused
		r = session.post(url, json=book, headers={"X-Frappe-CSRF-Token": token.group(1)}, timeout=60)
		self.assertEqual(r.status_code, 201, r.text[:300])

	def test_in_the_browser_light_dark_axe_clean_books_and_marks_every_answer(self):
		if reason := missing():
			self.skipTest(f"browser test not run: {reason}")
		shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		shots.mkdir(parents=True, exist_ok=True)
		config = {
			"base": self.server.base,
			"site": self.server.site,
			"shots": str(shots),
			"page": "/book/frame-host/frame-call",
			"form": f"/book/route/{FORM}",
			"missing": "/book/frame-host/no-such-type",
			"email": GUESTS[1],
			"password": PASSWORD,
		}
		seen = run_script(self, "page_frame.mjs", shots, config)
		self.assertEqual(seen["errors"], [])
		for name, violations in seen["axe"].items():
			self.assertEqual([v for v in violations if v["impact"] in SERIOUS], [], f"axe on {name}")
		self.assertFalse(any(seen["overflow"].values()), seen["overflow"])
		# the page's own files only, and far less of them than web.html's 2.2 MB
		for request in seen["requests"]:
			self.assertTrue(
				request["path"].startswith(
					("/book/", "/assets/scheduler_integration/", "/api/method/scheduler_integration.")
				)
				or request["path"] == seen["favicon"],
				request,
			)
		self.assertLess(seen["bytes"], 150 * 1024, seen["requests"])
		self.assertEqual(seen["dark_background"], "rgb(17, 24, 39)")
		# a page that does not exist: the frame's 404, axe clean (checked above) in both modes
		self.assertEqual(seen["missing_status"], 404)
		self.assertIn("This booking page does not exist", seen["missing_text"])
		self.assertTrue({"page not found", "page not found, dark"} <= set(seen["axe"]), seen["axe"].keys())
		# the time zone (issue 50, item 7): the browser's old name is shown and kept by its
		# current one, and a search by city, country or zone name finds it
		self.assertEqual(seen["browser_zone"], "Asia/Calcutta")  # what Chromium reports
		self.assertEqual(seen["india_zone"][0], "Asia/Kolkata")
		self.assertTrue(seen["india_zone"][1].startswith("Kolkata, India (UTC+05:30)"), seen["india_zone"])
		self.assertEqual(
			frappe.db.get_value(
				"Scheduler Booking", {"host": HOST, "guest_email": GUESTS[1]}, "booker_timezone"
			),
			"Asia/Kolkata",
		)
		self.assertEqual(seen["zone_start"]["zone"], "Europe/Paris")
		self.assertTrue(seen["zone_start"]["text"].startswith("Paris, France (UTC+0"), seen["zone_start"])
		self.assertEqual(seen["zone_open"]["state"]["expanded"], "true")
		self.assertTrue(10 < seen["zone_open"]["options"] <= 50, seen["zone_open"])
		found = seen["zone_found"]
		for query in ("Kolkata", "India", "Asia/Kol", "Calcutta", "Mumbai"):  # a city it covers too
			self.assertEqual(found[query][:1], ["Asia/Kolkata"], (query, found[query]))
		self.assertEqual(found["new york"][:1], ["America/New_York"], found["new york"])
		self.assertEqual(found["EST"][:1], ["America/New_York"], found["EST"])  # everyday speech
		self.assertEqual(found["são paulo"][:1], ["America/Sao_Paulo"], found["são paulo"])
		self.assertEqual(found["nowhere at all"], [])
		self.assertIn("0", seen["zone_count"])
		self.assertEqual(seen["zone_none"], [False, True, "false"])
		self.assertEqual(seen["zone_before_enter"]["zone"], "Europe/Paris")  # the arrows only point
		self.assertTrue(seen["zone_before_enter"]["active"])
		self.assertEqual(seen["zone_picked"]["zone"], "Asia/Tokyo")
		self.assertTrue(seen["zone_picked"]["focus"], "the focus stays on the zone to go on")
		self.assertEqual(seen["zone_picked"]["expanded"], "false")
		self.assertEqual(seen["zone_escaped"]["zone"], "Asia/Tokyo")
		self.assertTrue(seen["zone_escaped"]["text"].startswith("Tokyo, Japan"), seen["zone_escaped"])
		self.assertEqual(seen["book_status"], 201)
		self.assertEqual(
			frappe.db.count(
				"Scheduler Booking", {"host": HOST, "guest_email": GUESTS[1], "status": "Confirmed"}
			),
			1,
		)
		# every missing answer at once, then every answer the server refused
		self.assertEqual(seen["required_marked"], ["answers.0", "answers.2"])
		self.assertEqual(seen["refused_marked"], ["answers.0", "answers.2"])
		for name in (
			"frame-type-desktop",
			"frame-type-375px",
			"frame-type-dark-desktop",
			"frame-type-dark-375px",
			"frame-route-errors-desktop",
			"frame-route-errors-375px",
			"frame-route-errors-dark-375px",
			"frame-zone-list-dark-desktop",
			"frame-zone-list-dark-375px",
			"frame-not-found-desktop",
			"frame-not-found-375px",
		):
			self.assertGreater((shots / f"{name}.png").stat().st_size, 5000, name)
