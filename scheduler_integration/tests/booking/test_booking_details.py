"""The details a seed's user would miss, over real HTTP: per-type calendar event title and
description templates (the .ics invitation and the host's feed), the seeds' defaults for new
meeting types, the host's photo or initial on the booking page, and a machine-readable
``code`` in every error answer of the app's API."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import frappe

from scheduler_integration.api.refusals import FRAPPE_CODES
from scheduler_integration.api.utils import code_for
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
	body,
	cleanup,
	guest_book,
	make_user,
	method_url,
	offered_starts,
	purge_guests,
)
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-details@example.com"
OTHER = "sched-details-other@example.com"
SLUG = "sched-details"
API = "scheduler_integration.api"
GUESTS = ["dora@example.org", "taken@example.org"]


def ics_property(text: str, name: str) -> str:
	"""One property of the (single) VEVENT, unfolded and unescaped."""
	unfolded = re.sub(r"\r?\n[ \t]", "", text)
	match = re.search(rf"^{name}(?:;[^:]*)?:(.*)$", unfolded, re.M)
	value = match.group(1).rstrip("\r") if match else ""
	return value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


class TestBookingDetails(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.profile = make_host(HOST, SLUG, start="09:00", end="17:00")
		make_user(OTHER)
		cls.server = LiveServer.get_instance()
		cls.host = cls.server.session(HOST)
		cls.day = future_day(12)
		clear_bookings([HOST])

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**cls._saved)
		clear_bookings([HOST])
		purge_guests(GUESTS)
		frappe.db.set_value("User", HOST, "user_image", None)
		cleanup([HOST, OTHER], delete_users=True)
		super().tearDownClass()

	def booked(self, slug: str, start, **fields) -> dict:
		r = guest_book(self.server, SLUG, slug, iso(start), email="dora@example.org", **fields)
		self.assertEqual(r.status_code, 201, r.text[:500])
		return body(r)["data"]

	def invitation(self, booking: dict) -> str:
		"""The booking's event as its host's calendar has it (the host's feed, the same event
		as the hosts' invitations): the type's templates are the host's; the guest's own .ics
		is titled for the guest (``outputs.invitations``)."""
		url = urlsplit(
			body(self.host.get(method_url(self.server, f"{API}.calendar_feed.get_feed_url"), timeout=30))[
				"data"
			]["url"]
		)
		r = self.server.get(f"{url.path}?{url.query}", timeout=30)
		self.assertEqual(r.status_code, 200, r.text[:300])
		frappe.db.commit()  # see what the web server committed
		uid = frappe.db.get_value("Scheduler Booking", booking["id"], "ical_uid")
		events = re.sub(r"\r?\n[ \t]", "", r.text).split("BEGIN:VEVENT")[1:]
		found = [event for event in events if f"\r\nUID:{uid}\r\n" in event]
		self.assertEqual(len(found), 1, r.text[:2000])
		return found[0]

	# --- event templates -----------------------------------------------------------------
	def test_event_title_and_description_come_from_the_type_templates(self):
		make_type(
			self.profile,
			"templated",
			30,
			event_title_template="{{ meeting_type }} with {{ guest_company or guest_name }}",
			event_description_template=(
				"Budget: {{ answers['Budget'] }}\n{{ answers_text }}\nCall {{ guest_phone }} · {{ duration }} min"
			),
			questions=[{"label": "Budget", "fieldtype": "Data", "required": 1}],
		)
		booking = self.booked(
			"templated",
			self.day + timedelta(hours=10),
			name="Dora Guest",
			company="Acme Ltd",
			phone="+1 555 010 0199",
			answers={"Budget": "10k, maybe 20k"},
		)
		ics = self.invitation(booking)
		self.assertEqual(ics_property(ics, "SUMMARY"), "Templated with Acme Ltd")
		self.assertEqual(
			ics_property(ics, "DESCRIPTION"),
			"Budget: 10k, maybe 20k\nBudget: 10k, maybe 20k\nCall +1 555 010 0199 · 30 min",
		)
		# the host's subscribed feed shows the same event
		url = body(self.host.get(method_url(self.server, f"{API}.calendar_feed.get_feed_url"), timeout=30))[
			"data"
		]["url"]
		feed = self.server.get(urlsplit(url).path + "?" + urlsplit(url).query, timeout=30).text
		self.assertIn("SUMMARY:Templated with Acme Ltd", feed)

	def test_a_type_without_templates_keeps_the_default_and_a_template_reads_no_database(self):
		make_type(self.profile, "plain", 30)
		booking = self.booked(
			"plain", self.day + timedelta(hours=11), name="Dora Guest", notes="Agenda first"
		)
		ics = self.invitation(booking)
		self.assertEqual(ics_property(ics, "SUMMARY"), "Plain: Dora Guest")
		self.assertEqual(ics_property(ics, "DESCRIPTION"), "Agenda first")
		# a host's template sees its context only: Frappe's globals (frappe.db, …) are not there
		make_type(
			self.profile,
			"nosy",
			30,
			event_title_template="{{ frappe.db.sql('select name from tabUser') }}",
			event_description_template="{{ frappe.get_doc('User', 'Administrator').email }}x",
		)
		booking = self.booked("nosy", self.day + timedelta(hours=12), name="Dora Guest", notes="n")
		ics = self.invitation(booking)
		self.assertEqual(ics_property(ics, "SUMMARY"), "Nosy: Dora Guest")  # the default
		self.assertNotIn("Administrator", ics)
		self.assertNotIn("admin@", ics)
		# a broken template is refused when the type is saved
		r = self.host.post(
			method_url(self.server, f"{API}.meeting_type.update_meeting_type"),
			json={
				"meeting_type": frappe.db.get_value("Scheduler Meeting Type", {"slug": "plain"}),
				"event_title_template": "{{ guest_name ",
			},
			timeout=30,
		)
		answer = body(r)
		self.assertEqual((r.status_code, answer["code"]), (400, "VALIDATION_ERROR"), r.text[:300])
		self.assertIn("event_title_template", answer["errors"])

	# --- defaults of new types -------------------------------------------------------------
	def test_new_types_start_with_the_seeds_defaults(self):
		r = self.host.post(
			method_url(self.server, f"{API}.meeting_type.create_meeting_type"),
			json={"name": "Fresh Call", "duration_minutes": 30},
			timeout=30,
		)
		self.assertEqual(r.status_code, 201, r.text[:300])
		name = body(r)["data"]["id"]
		values = frappe.db.get_value(
			"Scheduler Meeting Type",
			name,
			["buffer_before", "buffer_after", "max_advance_days", "min_notice"],
			as_dict=True,
		)
		self.assertEqual(
			(values.buffer_before, values.buffer_after, values.max_advance_days, values.min_notice),
			(0, 15, 30, 240),
		)
		slug = frappe.db.get_value("Scheduler Meeting Type", name, "slug")
		# 15 minutes between meetings: after a 10:00–10:30 booking the next start is 11:00
		day = future_day(5)
		self.booked(slug, day + timedelta(hours=10), name="Dora Guest")
		starts = offered_starts(
			self.server, SLUG, slug, iso(day + timedelta(hours=9)), iso(day + timedelta(hours=12))
		)
		offered = {s[11:16] for s in starts}
		self.assertIn("09:00", offered)
		self.assertNotIn("09:30", offered)  # its 15 minutes after would reach into 10:00
		self.assertNotIn("10:30", offered)  # inside the booking's buffer
		self.assertIn("11:00", offered)
		# 30 days ahead, not 60
		far = offered_starts(self.server, SLUG, slug, iso(future_day(31)), iso(future_day(33)))
		self.assertEqual(far, set())

	# --- the host's photo or initial ------------------------------------------------------
	def test_the_page_shows_the_hosts_photo_or_initial(self):
		make_type(self.profile, "face", 30)
		avatar = re.compile(r'<span class="sched-avatar"[^>]*>(.*?)</span>', re.S)
		for image, expected in (
			(None, "S"),  # display name "sched-details": its initial
			("/files/sched-details-photo.png", '<img src="/files/sched-details-photo.png"'),
			("/private/files/secret.png", "S"),  # guests cannot load a private file
		):
			# set directly: a save would try to attach the (missing) file and log an error
			frappe.db.set_value("User", HOST, "user_image", image)
			frappe.db.commit()
			# no job still running on an older snapshot may put the old User back into Frappe's
			# document cache after it is cleared (the CI run saw the previous photo once)
			run_background_jobs()
			frappe.clear_document_cache("User", HOST)
			for path in (f"/book/{SLUG}", f"/book/{SLUG}/face"):
				html = self.server.get(path, timeout=30).text
				shown = avatar.search(html)
				self.assertTrue(shown, path)
				self.assertTrue(shown.group(1).strip().startswith(expected), (path, shown.group(1)))
				self.assertNotIn("/private/files/", html)

	# --- error codes ------------------------------------------------------------------------
	def test_a_request_nested_too_deep_is_refused_without_an_error_log(self):
		"""A guest's booking with answers nested 900 deep (under Python's own limit, which
		Frappe's parsing meets first and logs) is refused as unreadable, and no Error Log
		(traceback and variables) is written for it: a guest could fill the log otherwise."""
		nested = "x"
		for _level in range(900):
			nested = [nested]

		def logged() -> int:
			"""Error logs of this request: written, or queued in Redis for the scheduler to write."""
			queued = frappe.cache.lrange("insert_queue_for_Error Log", 0, -1)
			return frappe.db.count("Error Log", {"error": ("like", "%Deep Guest%")}) + sum(
				b"Deep Guest" in item for item in queued
			)

		before = logged()
		r = self.server.session(None).post(
			method_url(self.server, f"{API}.public.book"),
			json={
				"profile": SLUG,
				"meeting_type": "nested",
				"start": iso(self.day + timedelta(hours=15)),
				"name": "Deep Guest",
				"email": "deep@example.org",
				"timezone": "UTC",
				"answers": {"Topic": nested},
			},
			timeout=30,
		)
		self.assertEqual(
			(r.status_code, r.json()["message"]["code"]), (400, "UNREADABLE_REQUEST"), r.text[:300]
		)
		time.sleep(1)  # (after the answer's last byte)
		frappe.db.rollback()
		self.assertEqual(logged(), before)

	def test_every_error_answer_carries_a_code(self):
		make_type(self.profile, "codes", 30)
		guest = self.server.session(None)
		start = self.day + timedelta(hours=14)
		self.booked("codes", start, name="Dora Guest")
		book = method_url(self.server, f"{API}.public.book")
		cases = [
			(
				"unknown page",
				guest.get(
					method_url(self.server, f"{API}.public.get_page"),
					params={"profile": "nobody-here"},
					timeout=30,
				),
				404,
				"NOT_FOUND",
			),
			(
				"taken slot",
				guest.post(
					book,
					json={
						"profile": SLUG,
						"meeting_type": "codes",
						"start": iso(start),
						"name": "Tak En",
						"email": "taken@example.org",
						"timezone": "UTC",
					},
					timeout=30,
				),
				409,
				"SLOT_UNAVAILABLE",
			),
			(
				"bad email",
				guest.post(
					book,
					json={
						"profile": SLUG,
						"meeting_type": "codes",
						"start": iso(start + timedelta(hours=1)),
						"name": "Tak En",
						"email": "not-an-email",
						"timezone": "UTC",
					},
					timeout=30,
				),
				400,
				"VALIDATION_ERROR",
			),
			(
				"missing arguments",
				guest.post(book, json={"profile": SLUG}, timeout=30),
				400,
				"MISSING_ARGUMENTS",
			),
			(
				"unreadable body",
				guest.post(
					book, data='{"profile": ', headers={"Content-Type": "application/json"}, timeout=30
				),
				400,
				"UNREADABLE_REQUEST",
			),
			(
				"another host's figures",
				self.server.session(OTHER).get(
					method_url(self.server, f"{API}.analytics.get_connection_rate"),
					params={"user": HOST},
					timeout=30,
				),
				403,
				"FORBIDDEN",
			),
			(
				"a plain-style method of the desk, unknown document",
				self.host.post(
					method_url(self.server, f"{API}.connections.check"),
					json={"name": "no-such-connection"},
					timeout=30,
				),
				404,
				"NOT_FOUND",
			),
			(
				"a guest at a desk method: sign in first",
				guest.get(method_url(self.server, f"{API}.dashboard.setup_checklist"), timeout=30),
				401,
				"NOT_SIGNED_IN",
			),
			(
				"a wrong HTTP method",
				self.host.get(method_url(self.server, f"{API}.dashboard.link_copied"), timeout=30),
				405,
				"METHOD_NOT_ALLOWED",
			),
		]
		for label, response, status, code in cases:
			with self.subTest(label):
				self.assertGreaterEqual(response.status_code, 400, response.text[:300])
				data = response.json()
				answer = data.get("message") if isinstance(data.get("message"), dict) else data
				self.assertEqual(response.status_code, status, response.text[:300])
				self.assertIsInstance(answer.get("code"), str, response.text[:300])
				self.assertRegex(answer["code"], r"^[A-Z][A-Z_]+$")
				self.assertEqual(answer["code"], code)
				if "exc_type" in answer:  # Frappe's own answer (a signed-in user's): the code beside it
					self.assertEqual(answer["code"], FRAPPE_CODES.get(answer["exc_type"]) or code_for(status))
				else:  # the app's envelope
					self.assertEqual((answer["success"], answer["error"]), (False, answer["message"]))
		self.assertTrue(body(cases[1][1])["alternatives"])  # the 409 keeps its alternatives
		clear_bookings([HOST])
