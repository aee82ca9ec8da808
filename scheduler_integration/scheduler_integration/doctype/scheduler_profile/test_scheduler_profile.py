"""A host's first hour, over real HTTP (issue 38, items 1, 2 and 5).

- The quick set-up makes a page that offers times in one request: profile, working hours
  that are the profile's (in its zone), a first type and an ICS calendar whose first sync
  is queued at once; the checklist follows it; a second set-up is refused.
- Hours a host saves become the profile's when it has none; the checklist opens the hours
  that exist (never a second set); new hours start in the profile's zone, not the User's.
- A page that offers no times says why, with the fix, on the checklist and for the profile
  form, and sharing waits until it offers some.
- One zone, the profile's, in the desk's time views: the workspace's next meetings, a
  booking's and a series' times, the day the cards count and, on a Frappe CRM site, the
  task's date are on the profile's clock and name its zone; the host's User follows it.
- A calendar that cannot be read says why in words (DNS, refused, TLS, 404, not iCalendar,
  server error), keeping the secret link secret; a provider an administrator must set up
  says so, and the administrators are told once.
"""

from __future__ import annotations

import http.server
import re
import socket
import threading
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import frappe
from frappe.utils import formatdate

from scheduler_integration.core.clock import to_utc
from scheduler_integration.providers.errors import FetchTimeout
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import (
	LiveServer,
	cleanup,
	guest_book,
	make_user,
	method_url,
	offered_starts,
	purge_guests,
)
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase, no_test_records

# Beside its DocType, Frappe's runner would make the stock test records of every DocType this
# one links to (test users among them) and leave them on the site: none is made
# (tests/utils.no_test_records). Frappe 16 reads the second name.
test_ignore = IGNORE_TEST_RECORD_DEPENDENCIES = no_test_records("Scheduler Profile")

QUICK = "sched-first-quick@example.com"
HOURS = "sched-first-hours@example.com"
EARLY = "sched-first-early@example.com"
PAGE = "sched-first-page@example.com"
ZONE = "sched-first-zone@example.com"
ERRORS = "sched-first-errors@example.com"
ADMIN = "sched-first-admin@example.com"
USERS = [QUICK, HOURS, EARLY, PAGE, ZONE, ERRORS, ADMIN]
GUESTS = ["sched-first-guest@example.org", "sched-first-series@example.org"]
API = "scheduler_integration.api"
USER_ZONE, PROFILE_ZONE = "Asia/Kolkata", "Europe/Berlin"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
SECRET = "s3cr3t-feed-key"
FEED = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


def message(response):
	data = response.json()
	return data.get("message", data)


class Feeds:
	"""A calendar host on 127.0.0.1: /calendar.ics is a calendar, /page.html a web page,
	/down.ics a server error, anything else 404."""

	def __init__(self):
		class Handler(http.server.BaseHTTPRequestHandler):
			def do_GET(self):
				path = self.path.split("?")[0]
				status, kind, text = {
					"/calendar.ics": (200, "text/calendar", FEED),
					"/page.html": (200, "text/html", "<!doctype html><html><body>Sign in</body></html>"),
					"/down.ics": (503, "text/plain", "down"),
				}.get(path, (404, "text/plain", "not found"))
				data = text.encode()
				self.send_response(status)
				self.send_header("Content-Type", kind)
				self.send_header("Content-Length", str(len(data)))
				self.end_headers()
				self.wfile.write(data)

			def log_message(self, *args):
				pass

		self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.port = self.httpd.server_address[1]
		threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

	def url(self, path: str, scheme: str = "http") -> str:
		return f"{scheme}://127.0.0.1:{self.port}{path}?key={SECRET}"

	def close(self):
		self.httpd.shutdown()
		self.httpd.server_close()


def closed_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


@every_site
class TestFirstHour(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.remove()
		cls._saved = set_settings(**NO_RATE_LIMITS, allow_private_calendar_hosts=1)
		frappe.cache.delete_keys("rl:")  # the set-up's own limit counts per address
		for user in USERS:
			make_user(
				user, roles=("Scheduler Host", "Scheduler Manager") if user == ADMIN else ("Scheduler Host",)
			)
			# the User's own zone differs from the one the profile will have
			frappe.db.set_value("User", user, "time_zone", USER_ZONE)
		frappe.db.commit()
		frappe.clear_cache()
		google = frappe.get_single("Google Settings")
		cls.google = (
			google.enable,
			google.client_id,
			google.get_password("client_secret", raise_exception=False),
		)
		cls.feeds = Feeds()
		cls.server = LiveServer.get_instance()
		cls.sessions = {}

	@classmethod
	def remove(cls):
		frappe.set_user("Administrator")
		clear_bookings(USERS)
		purge_guests(GUESTS)
		frappe.db.delete("Notification Log", {"from_user": ("in", USERS)})
		frappe.db.delete("Notification Log", {"for_user": ("in", USERS)})
		cleanup(USERS, delete_users=True, force_users=True)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.feeds.close()
		cls.set_google(*cls.google)
		set_settings(**cls._saved)
		cls.remove()
		super().tearDownClass()

	@classmethod
	def set_google(cls, enable, client_id, secret):
		settings = frappe.get_single("Google Settings")
		settings.enable, settings.client_id, settings.client_secret = enable, client_id, secret
		settings.flags.ignore_mandatory = True
		settings.save(ignore_permissions=True)
		frappe.db.commit()

	# --- helpers ---

	def session(self, user):
		if user not in self.sessions:
			self.sessions[user] = self.server.session(user)
		return self.sessions[user]

	def call(self, user, method, http="GET", **params):
		url = method_url(self.server, f"{API}.{method}")
		s = self.session(user) if user else self.server.session(None)
		if http == "GET":
			return s.get(url, params=params, timeout=60)
		return s.post(url, json=params, timeout=60)

	def ok(self, user, method, http="GET", status=200, **params):
		r = self.call(user, method, http, **params)
		self.assertEqual(r.status_code, status, r.text[:500])
		return message(r)

	def checklist(self, user) -> dict:
		return self.ok(user, "dashboard.setup_checklist")

	def states(self, user) -> dict:
		return {step["key"]: step["state"] for step in self.checklist(user)["steps"]}

	def rest(self, user, doctype, values, name=None) -> dict:
		url = f"{self.server.base}/api/resource/{doctype}"
		s = self.session(user)
		r = s.put(f"{url}/{name}", json=values, timeout=60) if name else s.post(url, json=values, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:500])
		return r.json()["data"]

	def getdoc(self, user, doctype, name) -> dict:
		r = self.session(user).get(
			f"{self.server.base}/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": doctype, "name": name},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		return r.json()["docs"][0]

	def profile_of(self, user):
		frappe.db.rollback()
		return frappe.db.get_value(
			"Scheduler Profile", {"user": user}, ["name", "availability", "timezone"], as_dict=True
		)

	# --- 1. the quick set-up -----------------------------------------------------------

	def test_the_quick_setup_makes_a_page_that_offers_times_in_one_request(self):
		defaults = self.ok(QUICK, "setup.setup_defaults")["data"]
		self.assertFalse(defaults["has_profile"])
		self.assertTrue(defaults["slug"].startswith("sched-first-quick"), defaults)
		made = self.ok(
			QUICK,
			"setup.quick_setup",
			"POST",
			status=201,
			display_name="Quinn Quick",
			slug="sched-first-quick",
			timezone=PROFILE_ZONE,
			days=WEEKDAYS,
			from_time="09:00",
			to_time="17:00",
			title="Intro Call",
			duration=30,
			buffer_after="5",  # the dialog shows the free time after each meeting (issue 50, item 21)
			ics_url=self.feeds.url("/calendar.ics"),
		)["data"]
		self.assertTrue(made["booking_url"].endswith("/book/sched-first-quick/intro-call"), made)
		profile = self.profile_of(QUICK)
		# the hours are the profile's, in the profile's zone; nothing was made twice
		self.assertEqual(profile.availability, made["availability"])
		hours = frappe.get_doc("Scheduler Availability", profile.availability)
		self.assertEqual(hours.timezone, PROFILE_ZONE)
		self.assertEqual(
			[(r.weekday, r.from_time, r.to_time) for r in hours.weekly_rules],
			[(day, "09:00", "17:00") for day in WEEKDAYS],
		)
		self.assertEqual(frappe.db.count("Scheduler Availability", {"user": QUICK}), 1)
		self.assertEqual(
			frappe.get_all(
				"Scheduler Meeting Type",
				filters={"profile": profile.name},
				fields=["slug", "duration", "active", "buffer_after"],
			),
			[{"slug": "intro-call", "duration": "30", "active": 1, "buffer_after": 5}],
		)
		# one zone per host: the host's desk (their User) now shows the profile's clock
		self.assertEqual(frappe.db.get_value("User", QUICK, "time_zone"), PROFILE_ZONE)
		first = self.checklist(QUICK)
		states = {step["key"]: step["state"] for step in first["steps"]}
		self.assertEqual(
			{k: v for k, v in states.items() if k != "calendar"},
			{"profile": "done", "hours": "done", "first_type": "done", "share_link": "todo"},
		)
		self.assertIn(states["calendar"], ("checking", "done"))
		self.assertEqual(first["problems"], [])
		# the calendar's first sync was queued with the set-up, not left to the next quarter hour
		run_background_jobs()
		deadline = time.monotonic() + 30
		while self.states(QUICK)["calendar"] != "done" and time.monotonic() < deadline:
			time.sleep(0.5)
		self.assertEqual(self.states(QUICK)["calendar"], "done")
		# the page offers times
		start = future_day(1)
		self.assertTrue(
			offered_starts(
				self.server, "sched-first-quick", "intro-call", iso(start), iso(start + timedelta(days=14))
			)
		)
		# a second set-up makes nothing
		again = self.call(
			QUICK, "setup.quick_setup", "POST", display_name="Q", slug="sched-first-quick-2", timezone="UTC"
		)
		self.assertEqual((again.status_code, message(again)["code"]), (409, "CONFLICT"), again.text[:300])
		self.assertEqual(frappe.db.count("Scheduler Profile", {"user": QUICK}), 1)
		# only a signed-in desk user sets up
		r = self.call(
			None, "setup.quick_setup", "POST", display_name="X", slug="sched-first-x", timezone="UTC"
		)
		self.assertIn(r.status_code, (401, 403))
		# sharing the link finishes it
		self.ok(QUICK, "dashboard.link_copied", "POST")
		done = self.checklist(QUICK)
		self.assertTrue(done["complete"], done)

	# --- 2. hours become the profile's -------------------------------------------------

	def test_hours_become_the_profiles_and_start_in_its_zone(self):
		profile = self.rest(
			HOURS,
			"Scheduler Profile",
			{
				"user": HOURS,
				"display_name": "Hana Hours",
				"slug": "sched-first-hours",
				"timezone": PROFILE_ZONE,
			},
		)
		first = self.checklist(HOURS)
		steps = {step["key"]: step for step in first["steps"]}
		self.assertEqual(steps["hours"]["state"], "todo")
		# the forms the fixes open are the host's, whoever follows them (an administrator too)
		self.assertEqual(
			steps["hours"]["route"], "/app/scheduler-availability/new?" + urlencode({"user": HOURS})
		)
		self.assertEqual([p["key"] for p in first["problems"]], ["no_hours", "no_type"])
		self.assertEqual(
			first["problems"][1]["route"],
			"/app/scheduler-meeting-type/new?" + urlencode({"profile": profile["name"]}),
		)
		self.assertEqual(steps["share_link"]["state"], "waiting")
		# the new hours form starts in the profile's zone, not the User's
		zone = self.ok(HOURS, "setup.host_zone")["data"]["timezone"]
		self.assertEqual(zone, PROFILE_ZONE)
		# saved as the desk's form saves it (no zone given): the profile's hours, its zone
		hours = self.rest(
			HOURS,
			"Scheduler Availability",
			{
				"user": HOURS,
				"title": "Working Hours",
				"weekly_rules": [{"weekday": "Monday", "from_time": "09:00", "to_time": "17:00"}],
			},
		)
		self.assertEqual(hours["timezone"], PROFILE_ZONE)
		self.assertEqual(self.profile_of(HOURS).availability, hours["name"])
		steps = {step["key"]: step for step in self.checklist(HOURS)["steps"]}
		self.assertEqual(steps["hours"]["state"], "done")
		self.assertEqual(steps["hours"]["route"], f"/app/scheduler-availability/{quote(hours['name'])}")
		# other hours do not take their place; the form says which are the page's
		other = self.rest(
			HOURS,
			"Scheduler Availability",
			{
				"user": HOURS,
				"title": "Summer Hours",
				"weekly_rules": [{"weekday": "Tuesday", "from_time": "10:00", "to_time": "12:00"}],
			},
		)
		self.assertEqual(self.profile_of(HOURS).availability, hours["name"])
		self.assertEqual(
			self.getdoc(HOURS, "Scheduler Availability", other["name"])["__onload"]["profile"],
			{"name": profile["name"], "is_default": False},
		)
		self.assertTrue(
			self.getdoc(HOURS, "Scheduler Availability", hours["name"])["__onload"]["profile"]["is_default"]
		)
		# "Use as My Working Hours"
		self.ok(HOURS, "setup.use_hours", "POST", availability=other["name"])
		self.assertEqual(self.profile_of(HOURS).availability, other["name"])
		# nobody else's hours: another host may not make them theirs
		r = self.call(PAGE, "setup.use_hours", "POST", availability=hours["name"])
		self.assertEqual(r.status_code, 403, r.text[:300])

	def test_hours_made_before_the_profile_are_opened_not_made_again(self):
		hours = self.rest(
			EARLY,
			"Scheduler Availability",
			{
				"user": EARLY,
				"title": "Working Hours",
				"weekly_rules": [{"weekday": "Monday", "from_time": "09:00", "to_time": "17:00"}],
			},
		)
		self.assertEqual(hours["timezone"], USER_ZONE)  # no profile yet: the User's own zone
		self.rest(
			EARLY,
			"Scheduler Profile",
			{"user": EARLY, "display_name": "Eli Early", "slug": "sched-first-early", "timezone": USER_ZONE},
		)
		route = {s["key"]: s for s in self.checklist(EARLY)["steps"]}["hours"]["route"]
		self.assertEqual(route, f"/app/scheduler-availability/{quote(hours['name'])}")
		# saving them (the step's form) makes them the profile's
		self.rest(EARLY, "Scheduler Availability", {"title": "My Hours"}, name=hours["name"])
		self.assertEqual(self.profile_of(EARLY).availability, hours["name"])
		self.assertEqual(self.states(EARLY)["hours"], "done")
		self.assertEqual(frappe.db.count("Scheduler Availability", {"user": EARLY}), 1)

	# --- 3. a page that offers no times says why -----------------------------------------

	def test_a_page_without_times_says_why_and_sharing_waits(self):
		frappe.set_user("Administrator")
		profile = make_host(PAGE, "sched-first-page", tz=PROFILE_ZONE, start="09:00", end="17:00")
		frappe.db.set_value("Scheduler Profile", profile, "link_shared", 1)
		frappe.db.commit()

		def problems():
			answer = self.checklist(PAGE)
			steps = {step["key"]: step for step in answer["steps"]}
			return [p["key"] for p in answer["problems"]], steps["share_link"]

		found, share = problems()
		self.assertEqual(found, ["no_type"])
		self.assertEqual(share["state"], "waiting")
		meeting_type = make_type(profile, "sched-page-call", 30, active=0)
		found, share = problems()
		self.assertEqual(found, ["types_inactive"])
		self.assertIn("inactive", share["hint"])
		make_type(profile, "sched-page-call", 30, active=1)
		found, share = problems()
		self.assertEqual((found, share["state"]), ([], "done"))
		# hours too short for the meeting: no time in the next weeks, though all is "set up"
		hours = frappe.get_doc(
			"Scheduler Availability", frappe.db.get_value("Scheduler Profile", profile, "availability")
		)
		for row in hours.weekly_rules:
			row.to_time = "09:15"
		hours.save(ignore_permissions=True)
		frappe.db.commit()
		found, share = problems()
		self.assertEqual((found, share["state"]), (["no_times"], "waiting"))
		status = self.ok(PAGE, "setup.page_status", profile=profile)["data"]
		self.assertFalse(status["bookable"])
		[problem] = status["problems"]
		self.assertEqual(problem["key"], "no_times")
		self.assertEqual(problem["route"], f"/app/scheduler-availability/{quote(hours.name)}")
		self.assertTrue(problem["fix"])
		# switched off, the page is no page
		for row in hours.weekly_rules:
			row.to_time = "17:00"
		hours.save(ignore_permissions=True)
		frappe.get_doc("Scheduler Profile", profile).update({"active": 0}).save(ignore_permissions=True)
		frappe.db.commit()
		self.assertEqual(problems()[0], ["page_off"])
		frappe.get_doc("Scheduler Profile", profile).update({"active": 1}).save(ignore_permissions=True)
		frappe.db.commit()
		status = self.ok(PAGE, "setup.page_status", profile=profile)["data"]
		self.assertEqual((status["bookable"], status["problems"]), (True, []))
		self.assertTrue(meeting_type)
		# another host reads no one else's page status
		r = self.call(ERRORS, "setup.page_status", profile=profile)
		self.assertEqual(r.status_code, 403, r.text[:300])

	# --- 4. one zone, the profile's, in the desk's time views -----------------------------

	def test_one_zone_in_the_desks_time_views(self):
		frappe.set_user("Administrator")
		profile = make_host(ZONE, "sched-first-zone", tz=PROFILE_ZONE)
		make_type(profile, "zone-call", 30)
		make_type(profile, "zone-series", 30, allow_series=1, series_max_count=4)
		day = future_day(9)
		start = day + timedelta(hours=9)
		r = guest_book(
			self.server,
			"sched-first-zone",
			"zone-call",
			iso(start),
			name="Gus Guest",
			email=GUESTS[0],
			timezone="Asia/Tokyo",
		)
		self.assertEqual(r.status_code, 201, r.text[:300])
		booking = message(r)["data"]["id"]
		berlin, kolkata = ZoneInfo(PROFILE_ZONE), ZoneInfo(USER_ZONE)
		local = start.astimezone(berlin)
		expected = (
			f"{formatdate(local.date(), 'EEE d MMM yyyy')}, {local:%H:%M}–"
			f"{(local + timedelta(minutes=30)):%H:%M} ({PROFILE_ZONE})"
		)
		# the workspace's next meetings: the profile's clock, with its name
		[row] = [m for m in self.ok(ZONE, "dashboard.next_meetings") if m["name"] == booking]
		self.assertEqual((row["when"], row["zone"], row["time"]), (expected, PROFILE_ZONE, f"{local:%H:%M}"))
		self.assertNotIn(f"{start.astimezone(kolkata):%H:%M}", row["when"])
		# the booking form: the host's time named, the guest's for reference
		times = self.ok(ZONE, "setup.host_times", doctype="Scheduler Booking", name=booking)["data"]
		self.assertEqual(times["zone"], PROFILE_ZONE)
		self.assertEqual(times["lines"][0]["text"], expected)
		self.assertTrue(times["lines"][1]["text"].endswith("(Asia/Tokyo)"), times)
		# a series: each meeting on the host's clock
		r = guest_book(
			self.server,
			"sched-first-zone",
			"zone-series",
			iso(start + timedelta(hours=2)),
			name="Sue Series",
			email=GUESTS[1],
			count=2,
		)
		self.assertEqual(r.status_code, 201, r.text[:300])
		frappe.db.rollback()
		series = frappe.db.get_value("Scheduler Booking", message(r)["data"]["id"], "series")
		lines = self.ok(ZONE, "setup.host_times", doctype="Scheduler Booking Series", name=series)["data"][
			"lines"
		]
		self.assertEqual(len(lines), 2)
		for i, line in enumerate(lines):
			at = (start + timedelta(hours=2, weeks=i)).astimezone(berlin)
			self.assertTrue(
				line["text"].startswith(formatdate(at.date(), "EEE d MMM yyyy") + f", {at:%H:%M}"), line
			)
			self.assertTrue(line["text"].endswith(f"({PROFILE_ZONE})"), line)
		# the day the cards count is the profile's day
		from scheduler_integration.reporting import dashboard

		lo, _hi = dashboard.day_window(ZONE, now=start)
		self.assertEqual(to_utc(lo), datetime.combine(local.date(), dtime(0), berlin))
		# the host's own desk follows the profile: Datetime fields, calendar view and CRM
		# saving the profile's zone made it the User's; a User zone changed since then comes back
		self.assertEqual(frappe.db.get_value("User", ZONE, "time_zone"), PROFILE_ZONE)
		frappe.db.set_value("User", ZONE, "time_zone", USER_ZONE)
		frappe.db.commit()
		frappe.clear_cache(user=ZONE)
		answer = self.ok(ZONE, "setup.follow_profile_zone", "POST")["data"]
		self.assertEqual(answer, {"timezone": PROFILE_ZONE, "changed": True})
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("User", ZONE, "time_zone"), PROFILE_ZONE)
		desk = self.server.session(ZONE).get(f"{self.server.base}/app/scheduling", timeout=60).text
		boot_zone = re.search(r'"time_zone":\s*\{[^}]*"user":\s*"([^"]+)"', desk)
		self.assertTrue(boot_zone, desk[:300])
		self.assertEqual(boot_zone.group(1), PROFILE_ZONE)
		# no one reads the times of a booking that is not theirs
		r = self.call(ERRORS, "setup.host_times", doctype="Scheduler Booking", name=booking)
		self.assertEqual(r.status_code, 403, r.text[:300])
		r = self.call(ERRORS, "setup.host_times", doctype="User", name=ZONE)  # not one with times
		self.assertEqual(r.status_code, 400, r.text[:300])
		self.assertIn("doctype", r.json()["message"]["errors"])

	def test_the_crm_task_is_dated_on_the_hosts_clock(self):
		if "crm" not in frappe.get_installed_apps():
			self.skipTest("Frappe CRM is not installed on this site (its CRM Task carries the date)")
		saved = set_settings(create_lead=1, crm_target="Auto")
		try:
			frappe.set_user("Administrator")
			profile = make_host(ZONE, "sched-first-zone", tz=PROFILE_ZONE)
			make_type(profile, "zone-call", 30, send_thank_you=0, send_no_show_follow_up=0)
			clear_bookings([ZONE])
			# 23:30 UTC is half past midnight in Berlin: the host's day is the next one
			start = future_day(10) + timedelta(hours=23, minutes=30)
			r = guest_book(
				self.server, "sched-first-zone", "zone-call", iso(start), email=GUESTS[0], name="Late Lead"
			)
			self.assertEqual(r.status_code, 201, r.text[:300])
			data = message(r)["data"]
			run_background_jobs()
			frappe.db.rollback()
			doc = frappe.get_doc("Scheduler Booking", data["id"])
			[task] = [row.record_name for row in doc.crm_records if row.purpose == "Task"]
			berlin = ZoneInfo(PROFILE_ZONE)
			self.assertEqual(
				str(frappe.db.get_value("CRM Task", task, "start_date")), str(start.astimezone(berlin).date())
			)
			# moved two days on: the task's day follows on the host's clock
			moved = start + timedelta(days=2)
			r = self.server.session(None).post(
				method_url(self.server, f"{API}.public.reschedule"),
				json={"token": data["manage_url"].rsplit("/", 1)[1], "start": iso(moved)},
				timeout=60,
			)
			self.assertEqual(r.status_code, 200, r.text[:300])
			run_background_jobs()
			frappe.db.rollback()
			values = frappe.db.get_value("CRM Task", task, ["start_date", "due_date"], as_dict=True)
			self.assertEqual(str(values.start_date), str(moved.astimezone(berlin).date()))
			self.assertEqual(to_utc(values.due_date), moved)
		finally:
			set_settings(**saved)
			clear_bookings([ZONE])

	# --- 5. connections: errors in words, and the administrator's part --------------------

	def test_a_calendar_that_cannot_be_read_says_why_in_words(self):
		cases = {
			"dns": ("http://sched-nowhere.invalid/calendar.ics?key=" + SECRET, "cannot be found"),
			"refused": (
				f"http://127.0.0.1:{closed_port()}/calendar.ics?key={SECRET}",
				"refused the connection",
			),
			"tls": (self.feeds.url("/calendar.ics", "https"), "secure connection"),
			"not_found": (self.feeds.url("/gone.ics"), "has no calendar at this address (HTTP 404)"),
			"not_calendar": (self.feeds.url("/page.html"), "not iCalendar"),
			"server": (self.feeds.url("/down.ics"), "has a problem right now (HTTP 503)"),
		}
		for kind, (url, words) in cases.items():
			with self.subTest(kind):
				made = self.rest(ERRORS, "Scheduler Calendar Connection", {"provider": "ICS", "ics_url": url})
				answer = self.ok(ERRORS, "connections.check", "POST", name=made["name"])
				frappe.db.rollback()
				stored = frappe.db.get_value(
					"Scheduler Calendar Connection", made["name"], ["status", "last_error"], as_dict=True
				)
				self.assertEqual(stored.status, "Error")
				for text in (stored.last_error, answer["last_error"]):
					self.assertIn(words, text)
					for raw in ("Errno", "[SSL", "gaierror", "_ssl.c", "Traceback", SECRET, "calendar.ics?"):
						self.assertNotIn(raw, text)
				frappe.delete_doc(
					"Scheduler Calendar Connection", made["name"], ignore_permissions=True, force=True
				)
				frappe.db.commit()
		# a calendar that does not answer in time (no need to wait 20 seconds for it here)
		from scheduler_integration.connections.status import in_words

		late = FetchTimeout("Fetching {0} took longer than {1} seconds", "https://calendar.example.com/…", 20)
		self.assertEqual(
			in_words(late),
			"https://calendar.example.com/… did not answer in time. We will try again shortly.",
		)

	def test_a_host_waiting_for_google_is_told_what_and_the_administrators_once(self):
		self.set_google(0, None, None)
		frappe.db.delete("Notification Log", {"from_user": ERRORS})
		frappe.db.commit()
		needed = self.ok(ERRORS, "setup.provider_setup", provider="Google")["data"]
		self.assertTrue(needed["needed"])
		self.assertIn("Google Settings", needed["text"])
		self.assertIn("ICS", needed["text"])  # what the host can do meanwhile
		self.assertEqual(needed["route"], "/app/google-settings")
		first = self.ok(ERRORS, "setup.ask_admins", "POST", provider="Google")["data"]
		self.assertGreaterEqual(first["told"], 1)
		frappe.db.rollback()
		logs = frappe.get_all(
			"Notification Log", filters={"from_user": ERRORS, "for_user": ADMIN}, fields=["subject", "link"]
		)
		self.assertEqual(len(logs), 1)
		self.assertIn("Google", logs[0].subject)
		self.assertEqual(logs[0].link, "/app/google-settings")
		# told once: asking again (the form opened again) tells no one
		again = self.ok(ERRORS, "setup.ask_admins", "POST", provider="Google")["data"]
		self.assertEqual(again["told"], 0)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Notification Log", {"from_user": ERRORS, "for_user": ADMIN}), 1)
		# Google set up: nothing is missing any more
		self.set_google(1, "client-id", "client-secret")
		self.assertFalse(self.ok(ERRORS, "setup.provider_setup", provider="Google")["data"]["needed"])
		self.assertEqual(self.ok(ERRORS, "setup.ask_admins", "POST", provider="Google")["data"]["told"], 0)
		# an ICS feed needs no administrator; Microsoft 365 needs its Connected App
		self.assertFalse(self.ok(ERRORS, "setup.provider_setup", provider="ICS")["data"]["needed"])
		microsoft = self.ok(ERRORS, "setup.provider_setup", provider="Microsoft 365")["data"]
		apps = " ".join(
			f"{a.provider_name} {a.authorization_uri}".lower()
			for a in frappe.get_all("Connected App", fields=["provider_name", "authorization_uri"])
		)
		if "microsoft" not in apps:
			self.assertTrue(microsoft["needed"])
			self.assertIn("Connected App", microsoft["text"])
		# a saved connection's form carries the same (nothing missing for ICS)
		made = self.rest(
			ERRORS,
			"Scheduler Calendar Connection",
			{"provider": "ICS", "ics_url": self.feeds.url("/calendar.ics")},
		)
		self.assertIsNone(
			self.getdoc(ERRORS, "Scheduler Calendar Connection", made["name"])["__onload"]["admin_setup"]
		)
