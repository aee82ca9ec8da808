"""Calendar connections on a real site: an ICS subscription blocks slots, private URLs are
refused, bookings are written to a real CalDAV server (Radicale), a provider outage never
loses a booking and the write is retried, and the host's ICS feed parses back."""

from __future__ import annotations

import http.server
import json
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import frappe

from scheduler_integration import effects
from scheduler_integration.core.clock import utc_now
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase, no_test_records

# Beside its DocType, Frappe's runner would make the stock test records of every DocType this
# one links to (test users among them) and leave them on the site: none is made
# (tests/utils.no_test_records). Frappe 16 reads the second name.
test_ignore = IGNORE_TEST_RECORD_DEPENDENCIES = no_test_records("Scheduler Calendar Connection")

HOST = "sched-cal@example.com"


def calendar_effect(booking: str):
	"""The latest calendar write of a booking (a Scheduler Booking Effect row)."""
	frappe.db.commit()
	return frappe.get_all(
		"Scheduler Booking Effect",
		filters={"booking": booking, "effect": "calendar"},
		fields=["status", "attempts", "last_error"],
		order_by="creation desc",
		limit=1,
	)[0]


REPO_TESTS = Path(frappe.get_app_path("scheduler_integration")).parent / "tests" / "providers"


def radicale_class():
	sys.path.insert(0, str(REPO_TESTS))
	from calendar_peers import Radicale

	return Radicale


def writing_caldav(host: str, radicale, title: str, cal_id: str, checked: bool = False):
	"""(CalDAV account, calendar URL, connection) of a calendar made on a running local
	Radicale that ``host``'s bookings are written to (committed); ``checked``: its busy
	time is read too."""
	from scheduler_integration.providers.caldav_client import CalDAVAccount
	from scheduler_integration.providers.urlguard import URLGuard

	peer = type(radicale)
	account = CalDAVAccount(
		radicale.url, username=peer.user, password=peer.password, guard=URLGuard(allow_private=True)
	)
	calendar_url = account.make_calendar(title, cal_id=cal_id).url
	connection = frappe.get_doc(
		{
			"doctype": "Scheduler Calendar Connection",
			"host": host,
			"enabled": 1,
			"provider": "CalDAV",
			"caldav_url": radicale.url,
			"caldav_username": peer.user,
			"caldav_password": peer.password,
			"write_bookings": 1,
			"destination_calendar": calendar_url,
			"check_calendars": calendar_url if checked else None,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	return account, calendar_url, connection


class FeedServer:
	"""Serves one ICS body on 127.0.0.1 (a host's calendar subscription)."""

	def __init__(self, body: str, delay: float = 0):
		self.body = body.encode()
		owner = self

		class Handler(http.server.BaseHTTPRequestHandler):
			def do_GET(self):
				if delay:
					time.sleep(delay)  # a provider that hangs
				self.send_response(200)
				self.send_header("Content-Type", "text/calendar")
				self.send_header("Content-Length", str(len(owner.body)))
				self.end_headers()
				self.wfile.write(owner.body)

			def log_message(self, *args):
				pass

		self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
		self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/calendar.ics"

	def close(self):
		self.httpd.shutdown()


class CalendarCase(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.profile = make_host(HOST, "cal-host", tz="UTC", start="09:00", end="17:00")
		cls.mt = make_type(cls.profile, "cal-call", 30)
		cls.day = future_day(25)
		cls._saved = set_settings(**NO_RATE_LIMITS, allow_private_calendar_hosts=0)
		cls.outbox = Outbox()
		cls.server = LiveServer.get_instance()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		cls.clear()
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	@classmethod
	def clear(cls):
		frappe.db.commit()
		for doctype in ("Scheduler Busy Time", "Scheduler Calendar Connection"):
			for name in frappe.get_all(doctype, filters={"host": HOST}, pluck="name"):
				frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
		clear_bookings([HOST])

	def setUp(self):
		self.clear()

	def allow_private(self, value: int):
		set_settings(allow_private_calendar_hosts=value)

	def connection(self, **values) -> str:
		doc = frappe.get_doc(
			{"doctype": "Scheduler Calendar Connection", "host": HOST, "enabled": 1, **values}
		)
		doc.insert(ignore_permissions=True)
		frappe.db.commit()
		return doc.name

	def slots(self):
		guest = self.server.session(None)
		r = guest.get(
			method_url(self.server, "scheduler_integration.api.public.get_slots"),
			params={
				"profile": "cal-host",
				"meeting_type": "cal-call",
				"start": iso(self.day),
				"end": iso(self.day + timedelta(days=1)),
				"timezone": "UTC",
			},
			timeout=60,
		)
		return [s["start"] for d in r.json()["message"]["data"]["days"] for s in d["slots"]]

	def feed(self, hour: int = 10) -> str:
		start = (self.day + timedelta(hours=hour)).strftime("%Y%m%dT%H%M%SZ")
		end = (self.day + timedelta(hours=hour + 1)).strftime("%Y%m%dT%H%M%SZ")
		free_start = (self.day + timedelta(hours=14)).strftime("%Y%m%dT%H%M%SZ")
		free_end = (self.day + timedelta(hours=15)).strftime("%Y%m%dT%H%M%SZ")
		return (
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
			f"BEGIN:VEVENT\r\nUID:busy-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\n"
			f"BEGIN:VEVENT\r\nUID:free-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{free_start}\r\nDTEND:{free_end}\r\nTRANSP:TRANSPARENT\r\nSUMMARY:FYI\r\nEND:VEVENT\r\n"
			"END:VCALENDAR\r\n"
		)


class TestCalendarSync(CalendarCase):
	def test_ics_subscription_blocks_slots_and_private_urls_are_refused(self):
		feed = FeedServer(self.feed())
		try:
			name = self.connection(provider="ICS", ics_url=feed.url)
			before = self.slots()
			self.assertIn(iso(self.day + timedelta(hours=10)), before)
			# private address refused while the setting is off: error recorded, nothing cached
			self.allow_private(0)
			self.assertFalse(frappe.get_doc("Scheduler Calendar Connection", name).refresh_busy())
			row = frappe.db.get_value(
				"Scheduler Calendar Connection",
				name,
				["status", "error_count", "last_error", "next_retry_at"],
				as_dict=True,
			)
			self.assertEqual((row.status, row.error_count), ("Error", 1))
			self.assertTrue(row.last_error and row.next_retry_at)
			self.assertEqual(frappe.db.count("Scheduler Busy Time", {"connection": name}), 0)
			# allowed: the busy event blocks 10:00 and 10:30, the transparent one blocks nothing
			self.allow_private(1)
			self.assertTrue(frappe.get_doc("Scheduler Calendar Connection", name).refresh_busy())
			self.assertEqual(frappe.db.count("Scheduler Busy Time", {"connection": name}), 1)
			after = self.slots()
			self.assertNotIn(iso(self.day + timedelta(hours=10)), after)
			self.assertNotIn(iso(self.day + timedelta(hours=10, minutes=30)), after)
			self.assertIn(iso(self.day + timedelta(hours=9, minutes=30)), after)
			self.assertIn(iso(self.day + timedelta(hours=14)), after)
			r = self.server.session(None).post(
				method_url(self.server, "scheduler_integration.api.public.book"),
				json={
					"profile": "cal-host",
					"meeting_type": "cal-call",
					"start": iso(self.day + timedelta(hours=10)),
					"name": "X",
					"email": "x@example.org",
					"timezone": "UTC",
				},
				timeout=60,
			)
			self.assertEqual(r.status_code, 409, "the booking endpoint refuses external busy time too")
		finally:
			feed.close()

	def book(self, hour: int):
		started = time.monotonic()
		r = self.server.session(None).post(
			method_url(self.server, "scheduler_integration.api.public.book"),
			json={
				"profile": "cal-host",
				"meeting_type": "cal-call",
				"start": iso(self.day + timedelta(hours=hour)),
				"name": "Fresh",
				"email": f"fresh{hour}@example.org",
				"timezone": "UTC",
			},
			timeout=60,
		)
		return r, time.monotonic() - started

	def test_booking_reads_the_calendar_fresh_and_never_waits_long_for_it(self):
		self.allow_private(1)
		feed = FeedServer(self.feed(11))
		try:
			self.connection(provider="ICS", ics_url=feed.url)  # never refreshed: the cache is empty
			self.assertIn(
				iso(self.day + timedelta(hours=11)), self.slots(), "slot searches read only the cache"
			)
			r, _elapsed = self.book(11)
			self.assertEqual(
				(r.status_code, r.json()["message"].get("reason")),
				(409, "conflict"),
				"the booking read it fresh",
			)
		finally:
			feed.close()
		self.clear()
		slow = FeedServer(self.feed(13), delay=20)
		try:
			self.connection(provider="ICS", ics_url=slow.url)
			r, elapsed = self.book(13)
			self.assertEqual(r.status_code, 201, r.text)  # fell back to the (empty) cache
			self.assertLess(elapsed, 12, "a hanging provider held the booking (limit: 2 s fresh read)")
		finally:
			slow.close()

	def test_an_unreadable_invitation_hides_none_of_the_rest_of_the_feed(self):
		# anyone who can invite the host can plant an event no parser reads (month 13): the
		# feed's other events still count, for the sync and for a booking's fresh read
		self.allow_private(1)
		planted = (
			"BEGIN:VEVENT\r\nUID:planted<img src=x onerror=alert(1)>\r\nDTSTAMP:20260101T000000Z\r\n"
			"DTSTART:20261322T100000Z\r\nDTEND:20261322T110000Z\r\nEND:VEVENT\r\n"
		)
		text = self.feed(12).replace("END:VCALENDAR", planted + "END:VCALENDAR")
		feed = FeedServer(text)
		try:
			name = self.connection(provider="ICS", ics_url=feed.url)
			self.assertTrue(frappe.get_doc("Scheduler Calendar Connection", name).refresh_busy())
			row = frappe.db.get_value(
				"Scheduler Calendar Connection", name, ["status", "last_error"], as_dict=True
			)
			self.assertEqual(row.status, "Connected")
			self.assertIn("cannot be read", row.last_error)
			self.assertIn("planted", row.last_error)  # the host can find it in their calendar
			# the event's text is the inviter's: the desk renders this field as HTML
			self.assertNotIn("<", row.last_error)
			self.assertIn("‹img src=x onerror=alert(1)›", row.last_error)
			self.assertNotIn(iso(self.day + timedelta(hours=12)), self.slots())
			# the cache emptied: only the fresh read at booking can see the busy hour
			frappe.db.delete("Scheduler Busy Time", {"connection": name})
			frappe.db.commit()
			from scheduler_integration.booking import busy

			busy.invalidate([HOST])
			frappe.db.commit()
			r, _elapsed = self.book(12)
			self.assertEqual((r.status_code, r.json()["message"].get("reason")), (409, "conflict"), r.text)
		finally:
			feed.close()

	def test_bookings_go_to_caldav_and_an_outage_is_retried_without_losing_the_booking(self):
		self.allow_private(1)
		Radicale = radicale_class()
		folder = Path(tempfile.mkdtemp(prefix="radicale-"))
		radicale = Radicale(folder)
		calendar_url = None
		# the server is down when the guest books
		name = self.connection(
			provider="CalDAV",
			caldav_url=radicale.url,
			caldav_username=Radicale.user,
			caldav_password=Radicale.password,
			write_bookings=1,
			destination_calendar=f"{radicale.url}{Radicale.user}/work/",
		)
		r = self.server.session(None).post(
			method_url(self.server, "scheduler_integration.api.public.book"),
			json={
				"profile": "cal-host",
				"meeting_type": "cal-call",
				"start": iso(self.day + timedelta(hours=12)),
				"name": "Olga",
				"email": "olga@example.org",
				"timezone": "UTC",
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 201, r.text)
		booking = r.json()["message"]["data"]["id"]
		run_background_jobs()
		frappe.db.commit()
		doc = frappe.get_doc("Scheduler Booking", booking)
		self.assertEqual(doc.status, "Confirmed")
		write = calendar_effect(booking)
		self.assertEqual((write.status, write.attempts), ("Pending", 1))
		self.assertTrue(write.last_error)
		try:
			radicale.start()
			from scheduler_integration.providers.caldav_client import CalDAVAccount
			from scheduler_integration.providers.urlguard import URLGuard

			account = CalDAVAccount(
				radicale.url,
				username=Radicale.user,
				password=Radicale.password,
				guard=URLGuard(allow_private=True),
			)
			calendar_url = account.make_calendar("Work", cal_id="work").url
			frappe.db.set_value("Scheduler Calendar Connection", name, "destination_calendar", calendar_url)
			# the retry job runs once the backoff passed
			effects.run_booking(booking, utc_now() + timedelta(hours=1))
			frappe.db.commit()
			doc.reload()
			self.assertEqual(calendar_effect(booking).status, "Done", calendar_effect(booking).last_error)
			stored = account.get_event(calendar_url, doc.ical_uid)
			self.assertIsNotNone(stored)
			self.assertIn("Olga", stored)
			# the same connection reads the calendar back as busy time (CalDAV time-range query):
			# the host's other event, not the app's own event of this booking (it is the booking)
			from scheduler_integration.core.clock import to_utc
			from scheduler_integration.providers.model import EventDraft

			dentist = EventDraft(
				start=to_utc(doc.end) + timedelta(hours=1),
				end=to_utc(doc.end) + timedelta(hours=2),
				summary="Dentist",
			)
			account.create_event(calendar_url, dentist)
			frappe.db.set_value("Scheduler Calendar Connection", name, "check_calendars", calendar_url)
			frappe.db.commit()
			self.assertTrue(
				frappe.get_doc("Scheduler Calendar Connection", name).refresh_busy(),
				frappe.db.get_value("Scheduler Calendar Connection", name, "last_error"),
			)
			busy = frappe.get_all(
				"Scheduler Busy Time", filters={"connection": name}, fields=["start", "end"]
			)
			self.assertEqual([(to_utc(b.start), to_utc(b.end)) for b in busy], [(dentist.start, dentist.end)])
			# cancelling removes it from the calendar
			doc.cancel("")
			frappe.db.commit()
			run_background_jobs()
			self.assertIsNone(account.get_event(calendar_url, doc.ical_uid))
			# the busy side of the same connection reads the calendar back
			account.close()
		finally:
			radicale.stop()

	def test_host_ics_feed_parses_with_icalendar_and_vobject(self):
		import icalendar
		import vobject

		r = self.server.session(None).post(
			method_url(self.server, "scheduler_integration.api.public.book"),
			json={
				"profile": "cal-host",
				"meeting_type": "cal-call",
				"start": iso(self.day + timedelta(hours=15)),
				"name": "Feed, Reader; \\ &amp;",
				"email": "feed@example.org",
				"timezone": "UTC",
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 201, r.text)
		frappe.set_user(HOST)
		try:
			from scheduler_integration.api.calendar_feed import get_feed_url

			url = get_feed_url()["data"]["url"]
		finally:
			frappe.set_user("Administrator")
		frappe.db.commit()
		key = url.split("key=", 1)[1]
		feed = self.server.get(
			"/api/method/scheduler_integration.api.calendar_feed.ics", params={"key": key}, timeout=60
		)
		self.assertEqual(feed.status_code, 200)
		self.assertIn("text/calendar", feed.headers.get("Content-Type", ""))
		calendar = icalendar.Calendar.from_ical(feed.text)
		events = [c for c in calendar.walk("VEVENT")]
		self.assertEqual(len(events), 1)
		self.assertIn("Feed, Reader;", str(events[0]["SUMMARY"]))
		parsed = vobject.readOne(feed.text)
		self.assertEqual(len(parsed.vevent_list), 1)
		self.assertEqual(
			self.server.get(
				"/api/method/scheduler_integration.api.calendar_feed.ics", params={"key": "nope"}, timeout=60
			).status_code,
			404,
		)


class TestGoogleConnection(CalendarCase):
	"""Google through the core Google Calendar authorisation, against a local server that
	speaks Calendar v3 as the client library's bundled discovery document describes it."""

	def test_google_busy_by_sync_token_and_bookings_with_meet_links(self):
		from frappe.installer import update_site_config

		sys.path.insert(0, str(REPO_TESTS))
		from calendar_peers import FakeGoogle

		settings = frappe.get_single("Google Settings")
		saved = (
			settings.enable,
			settings.client_id,
			settings.get_password("client_secret", raise_exception=False),
		)
		with FakeGoogle() as google:
			google.token = "token-2"  # what refreshing the core refresh token hands out
			update_site_config("scheduler_google_api_base", google.url)
			update_site_config("scheduler_google_token_uri", google.url + "/token")
			frappe.local.conf.scheduler_google_api_base = google.url
			frappe.local.conf.scheduler_google_token_uri = google.url + "/token"
			try:
				settings.enable, settings.client_id, settings.client_secret = 1, "client", "secret"
				settings.save(ignore_permissions=True)
				core = frappe.get_doc(
					{
						"doctype": "Google Calendar",
						"calendar_name": "Sched Test Calendar",
						"user": HOST,
						"enable": 1,
						"refresh_token": "refresh-1",
						"google_calendar_id": "primary",
					}
				).insert(ignore_permissions=True)
				frappe.db.commit()

				def at(hour):
					return (self.day + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")

				google.add_event(
					"primary",
					{"summary": "Dentist", "start": {"dateTime": at(10)}, "end": {"dateTime": at(11)}},
				)
				name = self.connection(
					provider="Google",
					google_calendar=core.name,
					check_calendars="primary",
					write_bookings=1,
					destination_calendar="primary",
				)
				self.assertTrue(
					frappe.get_doc("Scheduler Calendar Connection", name).refresh_busy(),
					frappe.db.get_value("Scheduler Calendar Connection", name, "last_error"),
				)
				self.assertEqual(frappe.db.count("Scheduler Busy Time", {"connection": name}), 1)
				self.assertNotIn(iso(self.day + timedelta(hours=10)), self.slots())
				# incremental: the next pull sends the sync token and adds only the change
				google.add_event(
					"primary",
					{
						"summary": "Gym",
						"start": {"dateTime": at(13)},
						"end": {"dateTime": at(14)},
						"updated": "2026-01-02T10:00:00.000Z",
					},
				)
				self.assertTrue(frappe.get_doc("Scheduler Calendar Connection", name).refresh_busy())
				lists = google.calls_of("calendar.events.list")
				self.assertTrue(lists[-1].q("syncToken"), "the second pull is incremental")
				self.assertEqual(frappe.db.count("Scheduler Busy Time", {"connection": name}), 2)
				# an expired token (410) falls back to a full listing, nothing lost or doubled
				google.valid_sync_tokens.clear()
				self.assertTrue(frappe.get_doc("Scheduler Calendar Connection", name).refresh_busy())
				self.assertEqual(frappe.db.count("Scheduler Busy Time", {"connection": name}), 2)
				# a Google Meet meeting type: the event is inserted with a Meet link, stored and emailed
				make_type(self.profile, "meet-call", 30, location_type="Google Meet")
				r = self.server.session(None).post(
					method_url(self.server, "scheduler_integration.api.public.book"),
					json={
						"profile": "cal-host",
						"meeting_type": "meet-call",
						"start": iso(self.day + timedelta(hours=15)),
						"name": "Mei",
						"email": "mei@example.org",
						"timezone": "UTC",
					},
					timeout=60,
				)
				self.assertEqual(r.status_code, 201, r.text)
				run_background_jobs()
				frappe.db.commit()
				booking = frappe.get_doc("Scheduler Booking", r.json()["message"]["data"]["id"])
				self.assertEqual(
					calendar_effect(booking.name).status, "Done", calendar_effect(booking.name).last_error
				)
				event_id = next(iter(json.loads(booking.hosts[0].calendar_events).values()))
				self.assertIn(event_id, google.events["primary"])
				self.assertTrue(
					booking.meeting_link.startswith("https://meet.google.com/"), booking.meeting_link
				)
				inserts = google.calls_of("calendar.events.insert")
				self.assertEqual(inserts[-1].q("conferenceDataVersion"), "1")
				mails = frappe.get_all(
					"Email Queue", filters={"reference_name": booking.name}, pluck="message"
				)
				self.assertTrue(
					any("meet.google.com" in m for m in mails), "the confirmation email carries the Meet link"
				)
				# cancel: the Google event is removed
				booking.cancel("")
				frappe.db.commit()
				run_background_jobs()
				gone = google.events["primary"].get(event_id)
				self.assertTrue(gone is None or gone.get("status") == "cancelled")
			finally:
				frappe.db.rollback()
				for key in ("scheduler_google_api_base", "scheduler_google_token_uri"):
					update_site_config(key, "None")
					frappe.local.conf.pop(key, None)
				settings.reload()
				settings.enable, settings.client_id, settings.client_secret = saved
				settings.save(ignore_permissions=True)
				for n in frappe.get_all("Google Calendar", filters={"user": HOST}, pluck="name"):
					frappe.delete_doc("Google Calendar", n, ignore_permissions=True, force=True)
				frappe.db.commit()
