"""Video meetings on a real site, against local peers that speak Zoom API v2, Microsoft
Graph v1.0 (with the identity platform's token endpoint) and Google Calendar v3:

- Zoom, Microsoft Teams and Google Meet each: a booking gets its link (stored on the
  booking, in the guest's email, in the .ics and on the manage page), a reschedule moves
  the meeting, a cancel deletes it at the provider;
- an outage per provider: the booking commits, the effect retries (not before the
  provider's Retry-After), the link arrives later and a follow-up email carries it, once;
- OAuth through the core Connected App / Token Cache: a 401 refreshes the token and the
  rotated refresh token is saved; a refused refresh shows "Needs Reconnect" and the page
  stops promising a link; the authorisation-code flow through Connected App's callback;
- Microsoft busy time by delta sync blocks slots; a Zoom Server-to-Server app serves a
  host without a connection of their own;
- a video meeting type cannot be activated without a connection; a phone meeting type
  requires the booker's phone number.
"""

from __future__ import annotations

import email
import json
import sys
from datetime import timedelta
from email import policy
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import frappe
import icalendar
from markupsafe import escape

from scheduler_integration import effects
from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	ShippedTemplates,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, cleanup, make_user, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

REPO_TESTS = Path(frappe.get_app_path("scheduler_integration")).parent / "tests"
for folder in ("providers", "video"):
	if str(REPO_TESTS / folder) not in sys.path:
		sys.path.insert(0, str(REPO_TESTS / folder))

from calendar_peers import FakeGoogle  # noqa: E402
from graph_peer import DEFAULT_CAL, FakeGraph, graph_error  # noqa: E402
from zoom_peer import FakeZoom, zoom_error  # noqa: E402

ZOOM_HOST = "sched-video-zoom@example.com"
MS_HOST = "sched-video-ms@example.com"
GOOGLE_HOST = "sched-video-google@example.com"
BARE_HOST = "sched-video-bare@example.com"  # no connection of their own
ADMIN = "sched-video-admin@example.com"
HOSTS = (ZOOM_HOST, MS_HOST, GOOGLE_HOST, BARE_HOST, ADMIN)
API = "scheduler_integration.api.public"
CONNECTION = "Scheduler Calendar Connection"
CONFIG_KEYS = ("scheduler_provider_api", "scheduler_google_api_base", "scheduler_google_token_uri")
TEMPLATES = (
	"Scheduler: Booking Confirmed (Guest)",
	"Scheduler: Booking Rescheduled (Guest)",
	"Scheduler: Meeting Link (Guest)",
	"Scheduler: Meeting Link (Host)",
)


def set_config(key, value) -> None:
	from frappe.installer import update_site_config

	update_site_config(key, value if value is not None else "None")
	if value is None:
		frappe.local.conf.pop(key, None)
	else:
		frappe.local.conf[key] = value


def messages_to(booking: str, address: str) -> list:
	"""The queued MIME messages of a booking to one recipient, oldest first (parsed)."""
	names = frappe.get_all(
		"Email Queue", filters={"reference_name": booking}, pluck="name", order_by="creation asc"
	)
	out = []
	for name in names:
		if frappe.db.exists("Email Queue Recipient", {"parent": name, "recipient": address}):
			raw = frappe.db.get_value("Email Queue", name, "message")
			out.append(email.message_from_string(raw, policy=policy.default))
	return out


def path_of(url: str) -> str:
	parts = urlsplit(url)
	return f"{parts.path}?{parts.query}" if parts.query else parts.path


def html_of(message) -> str:
	part = message.get_body(preferencelist=("html", "plain"))
	return part.get_content() if part else ""


def ics_of(message):
	for part in message.walk():
		if (part.get_filename() or "").endswith(".ics"):
			payload = part.get_payload(decode=True)
			return icalendar.Calendar.from_ical(payload)
	return None


def vevent(calendar):
	return next(iter(calendar.walk("VEVENT")))


def effect_row(booking: str, key: str):
	frappe.db.commit()
	return frappe.get_all(
		"Scheduler Booking Effect",
		filters={"booking": booking, "effect": key},
		fields=["name", "status", "attempts", "last_error", "next_attempt_at", "lifecycle_event", "result"],
		order_by="creation desc",
		limit=1,
	)[0]


def log_rows(booking: str) -> list:
	frappe.db.commit()
	return frappe.get_all(
		"Scheduler Video Meeting Log",
		filters={"booking": booking},
		fields=["action", "result", "provider", "via", "retryable", "http_status", "meeting_id"],
		order_by="creation asc",
	)


class VideoCase(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.zoom = FakeZoom().__enter__()
		cls.graph = FakeGraph().__enter__()
		cls.google = FakeGoogle().__enter__()
		cls.google.token = "token-2"  # what refreshing the core refresh token hands out
		set_config(
			"scheduler_provider_api",
			{"zoom": cls.zoom.url + "/v2", "microsoft": cls.graph.url + "/v1.0"},
		)
		set_config("scheduler_google_api_base", cls.google.url)
		set_config("scheduler_google_token_uri", cls.google.url + "/token")
		cls.day = future_day(30)
		cls.profiles = {
			ZOOM_HOST: make_host(ZOOM_HOST, "video-zoom", tz="UTC", start="08:00", end="18:00"),
			MS_HOST: make_host(MS_HOST, "video-ms", tz="UTC", start="08:00", end="18:00"),
			GOOGLE_HOST: make_host(GOOGLE_HOST, "video-google", tz="UTC", start="08:00", end="18:00"),
			BARE_HOST: make_host(BARE_HOST, "video-bare", tz="UTC", start="08:00", end="18:00"),
		}
		make_user(ADMIN, roles=("Scheduler Host", "Scheduler Manager"))
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.templates = ShippedTemplates(TEMPLATES)  # (a site may keep older, edited ones)
		cls.apps = {
			"zoom": cls.connected_app(
				"Sched Test Zoom",
				cls.zoom.client_id,
				cls.zoom.client_secret,
				cls.zoom.url + "/oauth/authorize",
				cls.zoom.url + "/oauth/token",
				["meeting:write", "meeting:read"],
			),
			"microsoft": cls.connected_app(
				"Sched Test Microsoft",
				cls.graph.client_id,
				cls.graph.client_secret,
				f"{cls.graph.url}/{cls.graph.tenant}/oauth2/v2.0/authorize",
				f"{cls.graph.url}/{cls.graph.tenant}/oauth2/v2.0/token",
				["offline_access", "Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read"],
			),
		}
		settings = frappe.get_single("Google Settings")
		cls.google_saved = (
			settings.enable,
			settings.client_id,
			settings.get_password("client_secret", raise_exception=False),
		)
		settings.enable, settings.client_id, settings.client_secret = 1, "client", "secret"
		settings.save(ignore_permissions=True)
		frappe.db.commit()
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)

	@classmethod
	def connected_app(cls, title, client_id, secret, authorize, token, scopes) -> str:
		doc = frappe.get_doc(
			{
				"doctype": "Connected App",
				"provider_name": title,
				"client_id": client_id,
				"client_secret": secret,
				"authorization_uri": authorize,
				"token_uri": token,
				"scopes": [{"scope": s} for s in scopes],
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		return doc.name

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		cls.clear()
		for app in cls.apps.values():
			frappe.db.delete("Token Cache", {"connected_app": app})
			frappe.delete_doc("Connected App", app, ignore_permissions=True, force=True)
		cls.templates.restore()
		settings = frappe.get_single("Google Settings")
		settings.enable, settings.client_id, settings.client_secret = cls.google_saved
		settings.save(ignore_permissions=True)
		frappe.db.commit()
		cls.outbox.close()
		set_settings(**cls._saved)
		for key in CONFIG_KEYS:
			set_config(key, None)
		cleanup(list(HOSTS), delete_users=True)
		for peer in (cls.zoom, cls.graph, cls.google):
			peer.__exit__(None, None, None)
		super().tearDownClass()

	@classmethod
	def clear(cls):
		frappe.db.commit()
		clear_bookings(list(HOSTS))
		for name in frappe.get_all(CONNECTION, filters={"host": ("in", HOSTS)}, pluck="name"):
			frappe.delete_doc(CONNECTION, name, ignore_permissions=True, force=True)
		frappe.db.delete("Token Cache", {"user": ("in", HOSTS)})
		for app in cls.apps.values():
			frappe.db.delete("Token Cache", {"connected_app": app, "user": ("is", "not set")})
		for name in frappe.get_all("Google Calendar", filters={"user": ("in", HOSTS)}, pluck="name"):
			frappe.delete_doc("Google Calendar", name, ignore_permissions=True, force=True)
		for name in frappe.get_all("Scheduler Meeting Type", filters={"user": ("in", HOSTS)}, pluck="name"):
			frappe.delete_doc("Scheduler Meeting Type", name, ignore_permissions=True, force=True)
		frappe.db.commit()
		frappe.cache.delete_keys("scheduler_integration:")

	def setUp(self):
		frappe.set_user("Administrator")
		self.clear()
		for peer in (self.zoom, self.graph, self.google):  # each test starts with empty providers
			peer.calls.clear()
			peer.failures.clear()
		self.zoom.meetings.clear()
		self.graph.events.clear()
		self.graph.meetings.clear()
		self.google.events.clear()

	# --- fixtures ---------------------------------------------------------------------------

	def authorised(self, app_key: str, host: str, peer, refresh: str) -> None:
		"""The host has authorised the Connected App: a Token Cache as its callback leaves it."""
		frappe.get_doc(
			{
				"doctype": "Token Cache",
				"connected_app": self.apps[app_key],
				"user": host,
				"access_token": peer.issue(),
				"refresh_token": refresh,
				"expires_in": 3599,
				"token_type": "Bearer",
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()

	def connection(self, host: str, provider: str, **values) -> str:
		doc = frappe.get_doc(
			{"doctype": CONNECTION, "host": host, "provider": provider, "enabled": 1, **values}
		)
		doc.insert(ignore_permissions=True)
		frappe.db.commit()
		return doc.name

	def zoom_connection(self) -> str:
		self.zoom.refresh_tokens.add("zoom-refresh-test")
		self.authorised("zoom", ZOOM_HOST, self.zoom, "zoom-refresh-test")
		return self.connection(ZOOM_HOST, "Zoom", connected_app=self.apps["zoom"])

	def ms_connection(self, write: bool) -> str:
		self.graph.refresh_tokens.add("graph-refresh-test")
		self.authorised("microsoft", MS_HOST, self.graph, "graph-refresh-test")
		return self.connection(
			MS_HOST,
			"Microsoft 365",
			connected_app=self.apps["microsoft"],
			write_bookings=int(write),
			destination_calendar=DEFAULT_CAL if write else None,
		)

	def google_connection(self) -> str:
		core = frappe.get_doc(
			{
				"doctype": "Google Calendar",
				"calendar_name": "Sched Video Calendar",
				"user": GOOGLE_HOST,
				"enable": 1,
				"refresh_token": "refresh-1",
				"google_calendar_id": "primary",
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		return self.connection(GOOGLE_HOST, "Google", google_calendar=core.name)

	# --- the guest's side -------------------------------------------------------------------

	def post(self, method, **data):
		return self.guest.post(method_url(self.server, f"{API}.{method}"), json=data, timeout=60)

	def book(self, host: str, type_slug: str, hour: float, guest: str, **extra):
		profile = frappe.db.get_value("Scheduler Profile", self.profiles[host], "slug")
		r = self.post(
			"book",
			profile=profile,
			meeting_type=type_slug,
			start=iso(self.day + timedelta(hours=hour)),
			name="Vera Guest",
			email=guest,
			timezone="UTC",
			**extra,
		)
		return r

	def booked(self, host: str, type_slug: str, hour: float, guest: str) -> dict:
		r = self.book(host, type_slug, hour, guest)
		self.assertEqual(r.status_code, 201, r.text)
		return r.json()["message"]["data"]

	def token_of(self, data: dict) -> str:
		return data["manage_url"].rsplit("/", 1)[1]

	def check_link_everywhere(self, data: dict, guest: str, link: str, passcode: str | None = None):
		"""The link (and passcode) in the guest's confirmation email, its .ics, the .ics
		download and the manage page."""
		booking = data["id"]
		mails = messages_to(booking, guest)
		self.assertTrue(mails, "the guest got an email")
		self.assertIn(link, html_of(mails[0]), "the confirmation email carries the join link")
		if passcode:
			self.assertIn(passcode, html_of(mails[0]), "and the passcode")
		event = vevent(ics_of(mails[0]))
		self.assertEqual(str(event["LOCATION"]), link)
		self.assertEqual(str(event["URL"]), link)
		self.assertIn(link, str(event["DESCRIPTION"]))
		if passcode:
			self.assertIn(passcode, str(event["DESCRIPTION"]))
		download = self.server.get(path_of(data["ics_url"]), timeout=60)
		self.assertEqual(download.status_code, 200)
		self.assertEqual(str(vevent(icalendar.Calendar.from_ical(download.content))["URL"]), link)
		page = self.server.get(f"/book/manage/{self.token_of(data)}", timeout=60)
		self.assertEqual(page.status_code, 200)
		self.assertIn(str(escape(link)), page.text)
		if passcode:
			self.assertIn(passcode, page.text)

	def reschedule(self, data: dict, hour: float):
		r = self.post(
			"reschedule",
			token=self.token_of(data),
			start=iso(self.day + timedelta(hours=hour)),
			timezone="UTC",
		)
		self.assertEqual(r.status_code, 200, r.text)
		run_background_jobs()

	def cancel(self, data: dict):
		r = self.post("cancel", token=self.token_of(data), reason="Plans changed")
		self.assertEqual(r.status_code, 200, r.text)
		run_background_jobs()

	def doc(self, name: str):
		frappe.db.commit()
		return frappe.get_doc("Scheduler Booking", name)


class TestZoom(VideoCase):
	def test_zoom_meeting_follows_the_booking_and_reaches_email_ics_and_manage_page(self):
		self.zoom_connection()
		make_type(self.profiles[ZOOM_HOST], "zoom-call", 30, location_type="Zoom")
		data = self.booked(ZOOM_HOST, "zoom-call", 9, "zoe@example.org")
		run_background_jobs()
		booking = self.doc(data["id"])
		self.assertEqual(effect_row(booking.name, "video").status, "Done", effect_row(booking.name, "video"))
		meeting = self.zoom.meetings[booking.meeting_id]
		self.assertEqual(
			(booking.meeting_link, booking.meeting_password, booking.meeting_provider),
			(meeting["join_url"], meeting["password"], "Zoom"),
		)
		self.assertEqual(meeting["start_time"], iso(self.day + timedelta(hours=9)))
		self.assertEqual((meeting["duration"], meeting["timezone"]), (30, "UTC"))
		self.assertIn("Vera Guest", meeting["topic"])
		self.check_link_everywhere(data, "zoe@example.org", meeting["join_url"], meeting["password"])
		# reschedule: the same meeting moves, the link and passcode stay
		self.reschedule(data, 11)
		moved = self.doc(data["id"])
		self.assertEqual(moved.meeting_id, booking.meeting_id)
		self.assertEqual(
			self.zoom.meetings[booking.meeting_id]["start_time"], iso(self.day + timedelta(hours=11))
		)
		self.assertEqual(self.zoom.meetings[booking.meeting_id]["password"], meeting["password"])
		# cancel: deleted at Zoom, no longer shown
		self.cancel(data)
		self.assertNotIn(booking.meeting_id, self.zoom.meetings)
		gone = self.doc(data["id"])
		self.assertFalse(gone.meeting_link)
		self.assertEqual(gone.meeting_provider, "Zoom")
		self.assertEqual(
			[(r.action, r.result) for r in log_rows(data["id"])],
			[("Create", "Success"), ("Update", "Success"), ("Delete", "Success")],
		)
		self.assertEqual(len(self.zoom.calls_of("create")), 1)

	def test_zoom_outage_commits_the_booking_and_the_late_link_is_emailed_once(self):
		name = self.zoom_connection()
		make_type(self.profiles[ZOOM_HOST], "zoom-call", 30, location_type="Zoom")
		# the first call (looking for an earlier attempt's meeting) meets an outage
		self.zoom.fail("list", zoom_error(503, 503, "Service unavailable", {"Retry-After": "600"}))
		before = utc_now()
		data = self.booked(ZOOM_HOST, "zoom-call", 13, "otto@example.org")
		run_background_jobs()
		row = effect_row(data["id"], "video")
		self.assertEqual((row.status, row.attempts), ("Pending", 1))
		self.assertGreaterEqual(
			to_utc(row.next_attempt_at) - before, timedelta(seconds=590), "Retry-After is honoured"
		)
		self.assertEqual(effect_row(data["id"], "email").status, "Done", "the confirmation went out")
		self.assertFalse(self.doc(data["id"]).meeting_link)
		conn = frappe.db.get_value(CONNECTION, name, ["status", "last_error", "next_retry_at"], as_dict=True)
		self.assertEqual(conn.status, "Error")
		self.assertTrue(conn.last_error and conn.next_retry_at)
		self.assertEqual(
			[(r.action, r.result, r.retryable, r.http_status) for r in log_rows(data["id"])],
			[("Create", "Failed", 1, 503)],
		)
		# Zoom is back: the retry makes the meeting, a follow-up email carries the link once
		effects.run_booking(data["id"], utc_now() + timedelta(hours=1), drain=False)
		run_background_jobs()
		effects.run_booking(data["id"], utc_now() + timedelta(hours=2), drain=False)
		booking = self.doc(data["id"])
		self.assertEqual(effect_row(data["id"], "video").status, "Done")
		link = self.zoom.meetings[booking.meeting_id]["join_url"]
		mails = messages_to(data["id"], "otto@example.org")
		self.assertEqual(len(mails), 2, [m["Subject"] for m in mails])
		self.assertNotIn(link, html_of(mails[0]))
		self.assertIn(link, html_of(mails[1]))
		self.assertIn("meeting link", mails[1]["Subject"].lower())
		self.assertEqual(str(vevent(ics_of(mails[1]))["URL"]), link)
		self.assertEqual(len(messages_to(data["id"], ZOOM_HOST)), 2, "the host is told too, once")
		self.assertEqual(frappe.db.get_value(CONNECTION, name, "status"), "Connected")
		# the analytics count the meeting and the failed call against Zoom's reliability
		from scheduler_integration.reporting.analytics import provider_analytics

		(zoom,) = provider_analytics(ZOOM_HOST)
		self.assertEqual(
			(zoom["provider"], zoom["meetings"], zoom["calls"], zoom["failures"], zoom["reliability"]),
			("Zoom", 1, 2, 1, 50.0),
		)

	def test_expired_token_is_refreshed_and_a_refused_one_asks_for_a_reconnect(self):
		name = self.zoom_connection()
		make_type(self.profiles[ZOOM_HOST], "zoom-call", 30, location_type="Zoom")
		cache = f"{self.apps['zoom']}-{ZOOM_HOST}"
		self.zoom.expire_tokens()  # the cached access token is rejected with 401 (code 124)
		first = self.booked(ZOOM_HOST, "zoom-call", 9, "ada@example.org")
		run_background_jobs()
		self.assertTrue(self.doc(first["id"]).meeting_link, effect_row(first["id"], "video").last_error)
		token_cache = frappe.get_doc("Token Cache", cache)
		rotated = token_cache.get_password("refresh_token")
		self.assertNotEqual(rotated, "zoom-refresh-test", "Zoom rotated the refresh token")
		self.assertEqual(self.zoom.refresh_tokens & {rotated, "zoom-refresh-test"}, {rotated})
		self.assertIn(token_cache.get_password("access_token"), self.zoom.valid_tokens)
		# the grant is revoked: the refresh is refused, the connection needs a reconnect
		page = self.guest.get(
			method_url(self.server, f"{API}.get_page"),
			params={"profile": "video-zoom", "meeting_type": "zoom-call"},
			timeout=60,
		)
		self.assertTrue(page.json()["message"]["data"]["meeting_type"]["video_link"])
		self.zoom.expire_tokens()
		self.zoom.refresh_tokens.clear()
		second = self.booked(ZOOM_HOST, "zoom-call", 10, "bob@example.org")
		run_background_jobs()
		self.assertEqual(self.doc(second["id"]).status, "Confirmed", "the booking is never lost")
		self.assertFalse(self.doc(second["id"]).meeting_link)
		conn = frappe.db.get_value(CONNECTION, name, ["status", "last_error"], as_dict=True)
		self.assertEqual(conn.status, "Needs Reconnect")
		self.assertIn("reconnect", conn.last_error.lower())
		page = self.guest.get(
			method_url(self.server, f"{API}.get_page"),
			params={"profile": "video-zoom", "meeting_type": "zoom-call"},
			timeout=60,
		)
		self.assertFalse(
			page.json()["message"]["data"]["meeting_type"]["video_link"], "no link is promised any more"
		)

	def test_account_level_app_serves_a_host_without_a_connection(self):
		self.assertRaises(
			frappe.ValidationError, make_type, self.profiles[BARE_HOST], "zoom-call", 30, location_type="Zoom"
		)
		frappe.db.rollback()
		self.zoom.users[BARE_HOST] = BARE_HOST
		frappe.set_user(ADMIN)
		try:
			self.connection(
				ADMIN,
				"Zoom",
				connected_app=self.apps["zoom"],
				account_wide=1,
				account_id=self.zoom.account_id,
			)
		finally:
			frappe.set_user("Administrator")
		make_type(self.profiles[BARE_HOST], "zoom-call", 30, location_type="Zoom")
		data = self.booked(BARE_HOST, "zoom-call", 9, "sam@example.org")
		run_background_jobs()
		booking = self.doc(data["id"])
		self.assertTrue(booking.meeting_link, effect_row(data["id"], "video").last_error)
		self.assertEqual(self.zoom.meetings[booking.meeting_id]["host_email"], BARE_HOST)
		created = self.zoom.calls_of("create")[-1]
		self.assertIn(f"/users/{BARE_HOST}/meetings", created.path)
		self.assertTrue(frappe.db.exists("Token Cache", f"{self.apps['zoom']}-"), "the app's own token")


class TestMicrosoft(VideoCase):
	def test_busy_time_by_delta_sync_blocks_slots(self):
		name = self.ms_connection(write=False)
		make_type(self.profiles[MS_HOST], "ms-call", 30)
		at = self.day + timedelta(hours=10)
		self.graph.add_event(DEFAULT_CAL, at, at + timedelta(hours=1), subject="Dentist")
		doc = frappe.get_doc(CONNECTION, name)
		self.assertTrue(doc.refresh_busy(), frappe.db.get_value(CONNECTION, name, "last_error"))
		self.assertEqual(frappe.db.count("Scheduler Busy Time", {"connection": name}), 1)
		self.assertNotIn(iso(at), self.slots("video-ms", "ms-call"))
		self.assertIn(iso(at - timedelta(minutes=30)), self.slots("video-ms", "ms-call"))
		later = self.graph.add_event(
			DEFAULT_CAL, at + timedelta(hours=3), at + timedelta(hours=4), subject="Gym"
		)
		self.assertTrue(frappe.get_doc(CONNECTION, name).refresh_busy())
		tokens = json.loads(frappe.db.get_value(CONNECTION, name, "sync_token"))
		self.assertIn("/delta", tokens["primary"])
		last = self.graph.calls_of("delta")[-1]
		self.assertIsNotNone(last.q("$deltatoken"), "the second pull follows the delta link")
		self.assertEqual(frappe.db.count("Scheduler Busy Time", {"connection": name}), 2)
		self.graph.remove(later["id"])
		self.assertTrue(frappe.get_doc(CONNECTION, name).refresh_busy())
		self.assertEqual(frappe.db.count("Scheduler Busy Time", {"connection": name}), 1)
		self.assertIn(iso(at + timedelta(hours=3)), self.slots("video-ms", "ms-call"))
		self.assertEqual(frappe.db.get_value(CONNECTION, name, "status"), "Connected")

	def slots(self, profile: str, type_slug: str) -> list[str]:
		r = self.guest.get(
			method_url(self.server, f"{API}.get_slots"),
			params={
				"profile": profile,
				"meeting_type": type_slug,
				"start": iso(self.day),
				"end": iso(self.day + timedelta(days=1)),
				"timezone": "UTC",
			},
			timeout=60,
		)
		return [s["start"] for d in r.json()["message"]["data"]["days"] for s in d["slots"]]

	def test_teams_link_on_the_host_calendar_event(self):
		self.ms_connection(write=True)
		make_type(self.profiles[MS_HOST], "teams-call", 30, location_type="Microsoft Teams")
		data = self.booked(MS_HOST, "teams-call", 9, "tia@example.org")
		run_background_jobs()
		booking = self.doc(data["id"])
		self.assertEqual(effect_row(data["id"], "video").result, "made by the calendar write")
		events = self.graph.live(DEFAULT_CAL)
		self.assertEqual(len(events), 1, "one event, carrying the Teams meeting")
		event = events[0]
		self.assertTrue(event["isOnlineMeeting"])
		self.assertEqual(event["onlineMeetingProvider"], "teamsForBusiness")
		link = event["onlineMeeting"]["joinUrl"]
		self.assertEqual((booking.meeting_link, booking.meeting_id), (link, event["id"]))
		self.assertEqual(booking.meeting_provider, "Microsoft 365")
		self.check_link_everywhere(data, "tia@example.org", link)
		self.reschedule(data, 12)
		self.assertEqual(len(self.graph.live(DEFAULT_CAL)), 1)
		self.assertEqual(event["start_utc"], self.day + timedelta(hours=12))
		self.assertEqual(self.doc(data["id"]).meeting_link, link, "the Teams link stays")
		self.cancel(data)
		self.assertEqual(self.graph.live(DEFAULT_CAL), [], "the event and its meeting are deleted")
		self.assertEqual(
			[(r.action, r.result, r.via) for r in log_rows(data["id"])],
			[("Create", "Success", "Calendar Event"), ("Delete", "Success", "Calendar Event")],
		)

	def test_standalone_teams_meeting_with_an_outage(self):
		name = self.ms_connection(write=False)
		make_type(self.profiles[MS_HOST], "teams-call", 30, location_type="Microsoft Teams")
		self.graph.fail(
			"meetings.createOrGet",
			graph_error(429, "TooManyRequests", "Too many requests", {"Retry-After": "900"}),
		)
		before = utc_now()
		data = self.booked(MS_HOST, "teams-call", 14, "uma@example.org")
		run_background_jobs()
		row = effect_row(data["id"], "video")
		self.assertEqual(row.status, "Pending")
		self.assertGreaterEqual(to_utc(row.next_attempt_at) - before, timedelta(seconds=890))
		self.assertEqual(frappe.db.get_value(CONNECTION, name, "status"), "Error")
		effects.run_booking(data["id"], utc_now() + timedelta(hours=1), drain=False)
		run_background_jobs()
		booking = self.doc(data["id"])
		meeting = self.graph.meetings[booking.meeting_id]
		self.assertEqual(meeting["externalId"], data["id"])
		self.assertEqual(booking.meeting_link, meeting["joinWebUrl"])
		self.assertEqual(booking.meeting_password, "qH3xyz")
		mails = messages_to(data["id"], "uma@example.org")
		self.assertEqual(len(mails), 2)
		self.assertIn(meeting["joinWebUrl"], html_of(mails[1]))
		self.assertEqual(self.graph.live(DEFAULT_CAL), [], "no calendar event was written")
		self.reschedule(data, 15)
		self.assertEqual(meeting["startDateTime"], iso(self.day + timedelta(hours=15)))
		self.cancel(data)
		self.assertNotIn(booking.meeting_id, self.graph.meetings)

	def test_connect_through_the_connected_app_flow(self):
		name = self.connection(MS_HOST, "Microsoft 365", connected_app=self.apps["microsoft"])
		self.assertFalse(frappe.get_doc(CONNECTION, name).is_authorised())
		# the activation guard: no authorised connection yet
		with self.assertRaises(frappe.ValidationError) as caught:
			make_type(self.profiles[MS_HOST], "teams-call", 30, location_type="Microsoft Teams")
		self.assertIn("Microsoft 365", str(caught.exception))
		frappe.db.rollback()
		host = self.server.session(MS_HOST)
		r = host.post(
			method_url(self.server, "scheduler_integration.api.connections.authorize"),
			json={"name": name},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text)
		url = r.json()["message"]["url"]
		query = parse_qs(urlsplit(url).query)
		self.assertTrue(url.startswith(self.graph.url))
		self.assertEqual(query["client_id"], [self.graph.client_id])
		self.assertIn(
			"/api/method/frappe.integrations.doctype.connected_app.connected_app.callback/",
			query["redirect_uri"][0],
		)
		# the user consents; the provider sends the browser back to Connected App's callback
		consent = host.get(url, allow_redirects=False, timeout=30)
		self.assertEqual(consent.status_code, 302)
		back = urlsplit(consent.headers["Location"])
		callback = host.get(f"{self.server.base}{back.path}?{back.query}", allow_redirects=False, timeout=60)
		self.assertEqual(callback.status_code, 302, callback.text[:500])
		landing = urlsplit(callback.headers["Location"])
		self.assertIn("scheduler_integration.api.connections.connected", landing.path + landing.query)
		done = host.get(
			f"{self.server.base}{landing.path}?{landing.query}", allow_redirects=False, timeout=60
		)
		self.assertEqual(done.status_code, 302, done.text[:500])
		frappe.db.commit()
		cache = frappe.get_doc("Token Cache", f"{self.apps['microsoft']}-{MS_HOST}")
		self.assertIn(cache.get_password("refresh_token"), self.graph.refresh_tokens)
		self.assertEqual(frappe.db.get_value(CONNECTION, name, "status"), "Connected")
		make_type(self.profiles[MS_HOST], "teams-call", 30, location_type="Microsoft Teams")


class TestGoogleMeet(VideoCase):
	def test_meet_link_without_a_calendar_write_and_an_outage(self):
		self.google_connection()
		make_type(self.profiles[GOOGLE_HOST], "meet-call", 30, location_type="Google Meet")
		self.google.fail("calendar.events.insert", 503)
		data = self.booked(GOOGLE_HOST, "meet-call", 9, "mia@example.org")
		run_background_jobs()
		self.assertEqual(effect_row(data["id"], "video").status, "Pending")
		self.assertFalse(self.doc(data["id"]).meeting_link)
		effects.run_booking(data["id"], utc_now() + timedelta(hours=1), drain=False)
		run_background_jobs()
		booking = self.doc(data["id"])
		self.assertTrue(booking.meeting_link.startswith("https://meet.google.com/"), booking.meeting_link)
		event = self.google.events["primary"][booking.meeting_id]
		self.assertEqual(event["attendees"][0]["email"], "mia@example.org")
		self.assertEqual(booking.meeting_provider, "Google")
		mails = messages_to(data["id"], "mia@example.org")
		self.assertEqual(len(mails), 2, "confirmation without the link, then the link")
		self.assertIn(booking.meeting_link, html_of(mails[1]))
		self.assertEqual(str(vevent(ics_of(mails[1]))["LOCATION"]), booking.meeting_link)
		self.reschedule(data, 10)
		self.assertTrue(
			event["start"]["dateTime"].startswith((self.day + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"))
		)
		self.cancel(data)
		self.assertEqual(self.google.events["primary"][booking.meeting_id]["status"], "cancelled")
		self.assertEqual(
			[(r.action, r.result) for r in log_rows(data["id"])],
			[("Create", "Failed"), ("Create", "Success"), ("Update", "Success"), ("Delete", "Success")],
		)

	def test_meet_link_reaches_email_ics_and_manage_page(self):
		self.google_connection()
		make_type(self.profiles[GOOGLE_HOST], "meet-call", 30, location_type="Google Meet")
		data = self.booked(GOOGLE_HOST, "meet-call", 11, "max@example.org")
		run_background_jobs()
		booking = self.doc(data["id"])
		self.assertTrue(booking.meeting_link, effect_row(data["id"], "video").last_error)
		self.check_link_everywhere(data, "max@example.org", booking.meeting_link)


class TestLocations(VideoCase):
	def test_video_type_needs_a_connection_and_phone_type_needs_a_phone(self):
		with self.assertRaises(frappe.ValidationError) as caught:
			make_type(self.profiles[BARE_HOST], "zoom-call", 30, location_type="Zoom")
		self.assertIn("Zoom", str(caught.exception))
		self.assertIn("connect", str(caught.exception).lower())
		frappe.db.rollback()
		# an inactive one may be prepared before connecting
		make_type(self.profiles[BARE_HOST], "zoom-later", 30, location_type="Zoom", active=0)
		make_type(self.profiles[BARE_HOST], "phone-call", 30, location_type="Phone")
		page = self.guest.get(
			method_url(self.server, f"{API}.get_page"),
			params={"profile": "video-bare", "meeting_type": "phone-call"},
			timeout=60,
		)
		self.assertTrue(page.json()["message"]["data"]["meeting_type"]["phone_required"])
		r = self.book(BARE_HOST, "phone-call", 9, "pat@example.org")
		self.assertEqual(r.status_code, 400, r.text)
		self.assertIn("phone", r.json()["message"]["errors"])
		r = self.book(BARE_HOST, "phone-call", 9, "pat@example.org", phone="+1 555 0100")
		self.assertEqual(r.status_code, 201, r.text)
		self.assertEqual(self.doc(r.json()["message"]["data"]["id"]).guest_phone, "+1 555 0100")
