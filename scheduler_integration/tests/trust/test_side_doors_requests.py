"""Side doors of the public routes, over real HTTP (issue 26, items 11 and 12).

* a signed Calendly delivery is recorded once however often it is replayed, also without an
  invitee URI, and also when the copies arrive at once;
* every 429 of the app's methods and booking pages carries Retry-After, and the booking
  pages count per IP like the API;
* idempotency keys must be unguessable (≥ 22 characters); a long one replays its booking;
* bodies Frappe's request parsing cannot take (malformed JSON, 5,000-deep JSON, a field of
  deeply nested JSON, an object as ``cmd``) are answered 400 in the app's failure shape on
  the app's routes, never 5xx with a traceback;
* a fuzz run of hostile guest requests over every public endpoint: no 5xx, no traceback,
  nothing stored. SCHEDULER_LONG_TESTS=1 sends 2,400 requests (SCHEDULER_FUZZ_REQUESTS to
  choose), the default 400.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import quote

import frappe
import requests

from scheduler_integration.rules.tracking import calendly_signature
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
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.trust.test_hostile_input import HOSTILE
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-side-doors@example.com"
SLUG, TYPE = "side-doors-host", "side"
API = "scheduler_integration.api"
SIGNING_KEY = "side-doors-calendly-key-2026"
DEEP = "[" * 5000 + "]" * 5000
EXCEPTION_KEYS = ("exc", "exc_type", "exception", "_exc_source", "_server_messages")
# where Frappe breaks on a hostile request before the app's code runs: it writes an Error Log
# each time, and the test removes the rows its own requests caused
PARSING_FRAMES = ("in init_request", "in is_whitelisted", "in execute_cmd")

GUEST_METHODS = {  # public method → its HTTP method
	"public.get_page": "GET",
	"public.get_slots": "GET",
	"public.get_challenge": "GET",
	"public.get_booking": "GET",
	"public.ics": "GET",
	"public.book": "POST",
	"public.cancel": "POST",
	"public.reschedule": "POST",
	"tracking.go": "GET",
	"tracking.track_click": "POST",
	"tracking.track_step": "POST",
	"tracking.calendly_webhook": "POST",
	"tracking.acuity_webhook": "POST",
	"tracking.oncehub_webhook": "POST",
}


def answer(response) -> dict:
	data = response.json()
	return data.get("message") if isinstance(data, dict) else data


def problems_of(response) -> list[str]:
	"""What is wrong with an answer of the app's routes: a 5xx, a traceback, exception fields."""
	found = []
	if response.status_code >= 500:
		found.append(f"status {response.status_code}")
	if "Traceback" in response.text:
		found.append("traceback")
	if response.headers.get("Content-Type", "").startswith("application/json"):
		try:
			data = response.json()
		except ValueError:
			data = None
		if isinstance(data, dict):
			found += [f"key {key}" for key in EXCEPTION_KEYS if key in data]
	return found


class TestSideDoorsRequests(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		from frappe.utils.password import get_decrypted_password

		cls._key = get_decrypted_password(
			"Scheduler Settings", "Scheduler Settings", "calendly_signing_key", raise_exception=False
		)
		cls._saved = set_settings(**NO_RATE_LIMITS, calendly_signing_key=SIGNING_KEY)
		cls._saved["calendly_signing_key"] = cls._key or ""  # the key itself, not its mask
		cls.profile = make_host(HOST, SLUG, tz="UTC", start="09:00", end="17:00")
		cls.mt = make_type(cls.profile, TYPE, 30)
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.day = future_day(45)
		cls.started = frappe.utils.now_datetime() - timedelta(seconds=2)
		clear_bookings([HOST])

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**cls._saved)
		clear_bookings([HOST])
		cleanup([HOST], delete_users=True)
		cls.remove_parsing_errors()
		super().tearDownClass()

	@classmethod
	def remove_parsing_errors(cls):
		"""The Error Log rows Frappe made for this test's unreadable bodies (it logs them
		before any app code runs; deferred inserts are flushed first)."""
		from frappe.deferred_insert import save_to_db

		save_to_db()
		frappe.db.commit()
		for name, error in frappe.get_all(
			"Error Log", filters={"creation": (">=", cls.started)}, fields=["name", "error"], as_list=True
		):
			if any(frame in (error or "") for frame in PARSING_FRAMES):
				frappe.db.delete("Error Log", {"name": name})
		frappe.db.commit()

	def url(self, method: str) -> str:
		return method_url(self.server, f"{API}.{method}")

	def page(self, path: str) -> str:
		return f"{self.server.base}{path}"

	# --- 11 (a) Calendly replays ----------------------------------------------------------
	def calendly_payload(self, marker: str) -> dict:
		"""An invitee.created delivery without any URI (host found by the organiser's email)."""
		return {
			"event": "invitee.created",
			"created_at": f"2030-06-0{1 + len(marker) % 8}T10:00:00.000000Z",
			"payload": {
				"name": f"Replay {marker}",
				"email": "replayed@buyer.example",
				"scheduled_event": {
					"start_time": "2030-06-10T15:00:00.000000Z",
					"end_time": "2030-06-10T15:30:00.000000Z",
					"event_memberships": [{"user_email": HOST}],
				},
			},
		}

	def post_signed(self, body: bytes, header: str):
		return requests.post(
			self.url("tracking.calendly_webhook"),
			data=body,
			headers={
				"Host": self.server.site,
				"Content-Type": "application/json",
				"Calendly-Webhook-Signature": header,
			},
			timeout=60,
		)

	def engagements(self, marker: str) -> int:
		frappe.db.rollback()
		return frappe.db.count("Scheduler Engagement", {"host": HOST, "client": f"Replay {marker}"})

	def test_calendly_delivery_without_uri_is_recorded_once(self):
		# the same signed request replayed four times, one after another
		body = json.dumps(self.calendly_payload("serial")).encode()
		header = calendly_signature(body, SIGNING_KEY, int(time.time()))
		codes = [self.post_signed(body, header).status_code for _ in range(4)]
		self.assertEqual(codes, [200] * 4)
		self.assertEqual(self.engagements("serial"), 1)
		# re-serialised and signed afresh: still the same delivery
		again = json.dumps(self.calendly_payload("serial"), indent=2, sort_keys=True).encode()
		response = self.post_signed(again, calendly_signature(again, SIGNING_KEY, int(time.time())))
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertTrue(answer(response)["data"].get("duplicate"))
		self.assertEqual(self.engagements("serial"), 1)

		# four copies at once: one is recorded, the others find it
		body = json.dumps(self.calendly_payload("at-once")).encode()
		header = calendly_signature(body, SIGNING_KEY, int(time.time()))
		barrier = threading.Barrier(4)

		def post():
			barrier.wait()
			return self.post_signed(body, header)

		with ThreadPoolExecutor(4) as pool:
			responses = list(pool.map(lambda _: post(), range(4)))
		self.assertEqual([r.status_code for r in responses], [200] * 4, [r.text[:200] for r in responses])
		self.assertEqual(self.engagements("at-once"), 1)
		self.assertEqual(sum(1 for r in responses if answer(r)["data"].get("duplicate")), 3)

	# --- 11 (b), (c) Retry-After; booking pages rate-limited -------------------------------
	def assert_retry_after(self, response, what: str, most: int = 60) -> int:
		self.assertEqual(response.status_code, 429, f"{what}: {response.status_code} {response.text[:200]}")
		value = response.headers.get("Retry-After")
		self.assertIsNotNone(value, f"{what}: no Retry-After")
		self.assertTrue(value.isdigit() and 1 <= int(value) <= most, f"{what}: Retry-After {value!r}")
		self.assertEqual(problems_of(response), [], what)
		return int(value)

	def test_every_429_carries_retry_after_and_pages_count_per_ip(self):
		# the webhooks count against a limit of their own (api.webhooks): both at 2 here
		previous = set_settings(public_rate_limit=2, webhook_rate_limit=2)
		try:
			ip = {"X-Forwarded-For": "203.0.113.29"}
			for method, verb in GUEST_METHODS.items():
				params = {"profile": SLUG, "meeting_type": TYPE, "token": "x" * 43, "t": "x"}
				for _ in range(2):
					self.guest.request(verb, self.url(method), params=params, headers=ip, timeout=60)
				response = self.guest.request(verb, self.url(method), params=params, headers=ip, timeout=60)
				self.assert_retry_after(response, method)
				body = answer(response)
				self.assertEqual(body["success"], False, method)
				self.assertEqual(body["retry_after"], int(response.headers["Retry-After"]), method)
				# the words say the same wait ("in a minute" said 1 s and 600 s alike)
				wait = body["retry_after"]
				self.assertIn(f"in {wait} seconds" if wait > 1 else "in a second", body["message"], method)
			for path in (f"/book/{SLUG}", f"/book/{SLUG}/{TYPE}", f"/book/manage/{'x' * 43}"):
				codes = [
					self.guest.get(self.page(path), headers=ip, timeout=60).status_code for _ in range(2)
				]
				self.assertNotIn(429, codes, path)
				response = self.guest.get(self.page(path), params={"lang": "de"}, headers=ip, timeout=60)
				self.assert_retry_after(response, path)
				self.assertIn("text/html", response.headers.get("Content-Type", ""))
				self.assertIn("Zu viele Anfragen", response.text, "a short page in the reader's language")
				# another address has its own count
				other = self.guest.get(
					self.page(path), headers={"X-Forwarded-For": "198.51.100.4"}, timeout=60
				)
				self.assertNotEqual(other.status_code, 429, path)
		finally:
			set_settings(**previous)

	def test_a_method_counts_once_per_ip_whichever_path_and_however_parallel(self):
		"""/api/method/ and /api/v2/method/ count together per method (each method its own
		count), and simultaneous first requests of a window never pass the limit."""
		previous = set_settings(public_rate_limit=6)
		try:
			params = {"profile": SLUG, "meeting_type": TYPE, "start": "2030-01-01", "end": "2030-01-02"}
			ip = {"X-Forwarded-For": "203.0.113.61"}
			v2 = self.url("public.get_slots").replace("/api/method/", "/api/v2/method/")
			codes = [
				self.guest.get(
					self.url("public.get_slots"), params=params, headers=ip, timeout=60
				).status_code
				for _ in range(3)
			]
			codes += [self.guest.get(v2, params=params, headers=ip, timeout=60).status_code for _ in range(4)]
			self.assertEqual(codes, [200] * 6 + [429], "six per minute, whichever path")
			# another method counts on its own, on either path
			other = self.url("public.get_page").replace("/api/method/", "/api/v2/method/")
			page = {"profile": SLUG, "meeting_type": TYPE}
			self.assertEqual(self.guest.get(other, params=page, headers=ip, timeout=60).status_code, 200)
			for burst in range(3):
				ip = {"X-Forwarded-For": f"203.0.113.{70 + burst}"}

				def read(_, ip=ip):
					return requests.get(
						self.url("public.get_slots"),
						params=params,
						headers={**ip, "Host": self.server.site},
						timeout=60,
					).status_code

				with ThreadPoolExecutor(24) as pool:
					codes = list(pool.map(read, range(24)))
				self.assertEqual(codes.count(200), 6, f"burst {burst}: {codes}")
				self.assertEqual(codes.count(429), 18, f"burst {burst}: {codes}")
			# an IPv6 client counts by its /64, however its addresses are written
			spellings = ["2001:db8:7:1::1", "2001:DB8:7:1::2", "2001:0db8:0007:0001:0000:0000:0000:0003"]
			spellings += [f"2001:db8:7:1::{n}" for n in range(4, 8)]
			codes = [
				self.guest.get(
					self.url("public.get_slots"), params=params, headers={"X-Forwarded-For": a}, timeout=60
				).status_code
				for a in spellings
			]
			self.assertEqual(codes, [200] * 6 + [429])
			other = {"X-Forwarded-For": "2001:db8:7:2::1"}
			self.assertEqual(
				self.guest.get(
					self.url("public.get_slots"), params=params, headers=other, timeout=60
				).status_code,
				200,
			)
		finally:
			set_settings(**previous)

	def test_retry_after_in_a_windows_last_second_is_one(self):
		from scheduler_integration.core import limits

		key = frappe.cache.make_key("rl:scheduler:last-second:unknown")
		frappe.cache.set(key, 9, px=600)
		try:
			self.assertEqual(limits.retry_after("last-second"), 1)
			frappe.cache.set(key, 9, px=1400)  # rounded up: told 1, a client would come back too soon
			self.assertEqual(limits.retry_after("last-second"), 2)
		finally:
			frappe.cache.delete(key)
		# answered after the window ended (the count is gone): try again at once, not in 60 s
		self.assertEqual(limits.retry_after("last-second"), 1)

	def test_a_republished_webhooks_429_on_v2_says_its_real_wait(self):
		"""A webhook published under a second name (``api.tracking``) counts under its
		function's name: the Retry-After of its v2 429 is the body's wait, not the 1 s of a
		count that name never had."""
		previous = set_settings(webhook_rate_limit=1)
		try:
			ip = {"X-Forwarded-For": "203.0.113.91"}
			url = self.url("tracking.calendly_webhook").replace("/api/method/", "/api/v2/method/")
			self.guest.post(url, data="{}", headers=ip, timeout=60)  # refused unsigned, but counted
			response = self.guest.post(url, data="{}", headers=ip, timeout=60)
			wait = self.assert_retry_after(response, "v2 tracking.calendly_webhook")
			self.assertEqual(response.json()["data"]["retry_after"], wait)
			self.assertGreater(wait, 30, "the window just started")
		finally:
			set_settings(**previous)

	def test_the_old_cmd_route_answers_429_not_500(self):
		"""Frappe crashed (500) on any 429 it answers in HTML but its own site-wide limiter's
		(the old ``/?cmd=`` route, a browser's ``Accept: text/html``): the app's refusal is
		the same JSON answer on every path that reaches the method."""
		previous = set_settings(public_rate_limit=2)
		try:
			ip = {"X-Forwarded-For": "203.0.113.88"}
			params = {"cmd": f"{API}.public.get_page", "profile": SLUG, "meeting_type": TYPE}
			codes = [
				self.guest.get(self.page("/"), params=params, headers=ip, timeout=60).status_code
				for _ in range(2)
			]
			self.assertEqual(codes, [200, 200])
			response = self.guest.get(self.page("/"), params=params, headers=ip, timeout=60)
			self.assert_retry_after(response, "/?cmd=")
			body = answer(response)
			self.assertEqual((body["success"], body["code"]), (False, "RATE_LIMITED"), body)
			self.assertEqual(body["retry_after"], int(response.headers["Retry-After"]))
			# and it counts with the other paths: the API route is refused too, whatever the
			# client accepts, and so is a cmd sent to another API path (Frappe runs the cmd)
			page = {"profile": SLUG, "meeting_type": TYPE}
			for accept in ("application/json", "text/html,application/xhtml+xml", "text/plain"):
				api = self.guest.get(
					self.url("public.get_page"), params=page, headers={**ip, "Accept": accept}, timeout=60
				)
				self.assert_retry_after(api, f"/api/method/ after /?cmd=, Accept: {accept}")
				self.assertEqual(answer(api)["code"], "RATE_LIMITED", accept)
			other = self.guest.get(
				f"{self.server.base}/api/method/ping", params=params, headers=ip, timeout=60
			)
			self.assert_retry_after(other, "/api/method/ping?cmd=")
		finally:
			set_settings(**previous)

	def test_booking_cap_answers_429_with_retry_after(self):
		previous = set_settings(booking_rate_limit=1)
		try:
			guest = {
				"profile": SLUG,
				"meeting_type": TYPE,
				"name": "Capped Guest",
				"email": "capped@example.org",
				"timezone": "UTC",
			}
			first = self.guest.post(
				self.url("public.book"),
				json={**guest, "start": iso(self.day + timedelta(hours=9))},
				timeout=60,
			)
			self.assertEqual(first.status_code, 201, first.text[:300])
			second = self.guest.post(
				self.url("public.book"),
				json={**guest, "start": iso(self.day + timedelta(hours=11))},
				timeout=60,
			)
			wait = self.assert_retry_after(second, "booking cap", most=3600)
			self.assertEqual(answer(second)["retry_after"], wait)
		finally:
			set_settings(**previous)
			clear_bookings([HOST])

	# --- 11 (d) idempotency keys -------------------------------------------------------------
	def test_short_idempotency_keys_refused_long_ones_replay(self):
		frappe.db.rollback()
		before = frappe.db.count("Scheduler Booking", {"host": HOST})
		form = {
			"profile": SLUG,
			"meeting_type": TYPE,
			"start": iso(self.day + timedelta(hours=14)),
			"name": "Keyed Guest",
			"email": "keyed@example.org",
			"timezone": "UTC",
		}
		for short in ("abcdEFGH", "a1b2c3d4e5f6g7h8i9j0k"):  # 8 and 21 characters
			response = self.guest.post(
				self.url("public.book"), json={**form, "idempotency_key": short}, timeout=60
			)
			self.assertEqual(response.status_code, 400, f"{short}: {response.text[:300]}")
			self.assertIn("idempotency_key", answer(response)["errors"])
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Scheduler Booking", {"host": HOST}), before)
		key = str(uuid.uuid4())
		try:
			first = self.guest.post(
				self.url("public.book"), json={**form, "idempotency_key": key}, timeout=60
			)
			again = self.guest.post(
				self.url("public.book"), json={**form, "idempotency_key": key}, timeout=60
			)
			self.assertEqual((first.status_code, again.status_code), (201, 201), again.text[:300])
			self.assertEqual(answer(first)["data"]["id"], answer(again)["data"]["id"])
			frappe.db.rollback()
			self.assertEqual(frappe.db.count("Scheduler Booking", {"host": HOST}), before + 1)
		finally:
			clear_bookings([HOST])

	# --- 12 bodies Frappe cannot parse -------------------------------------------------------
	def unreadable_bodies(self, page: bool):
		"""(kind, body, content type) of each body Frappe's request parsing breaks on."""
		kinds = [
			("malformed JSON", b'{"profile": "x",', "application/json"),
			("5,000-deep JSON", DEEP.encode(), "application/json"),
			("object as cmd", json.dumps({"cmd": {"a": 1}, "profile": SLUG}).encode(), "application/json"),
			("JSON scalar", b"42", "application/json"),
		]
		if not page:  # pages take no whitelisted method, so Frappe never sanitises their fields
			kinds.append(
				("field of deep JSON", ("name=" + quote(DEEP)).encode(), "application/x-www-form-urlencoded")
			)
		return kinds

	def test_unreadable_bodies_answer_400_in_the_app_shape(self):
		targets = [(method, self.url(method), False) for method in GUEST_METHODS]
		targets += [
			(path, self.page(path), True)
			for path in (f"/book/{SLUG}", f"/book/{SLUG}/{TYPE}", f"/book/manage/{'x' * 43}")
		]
		for name, url, page in targets:
			for kind, body, content_type in self.unreadable_bodies(page):
				response = requests.post(
					url,
					data=body,
					headers={"Host": self.server.site, "Content-Type": content_type},
					timeout=60,
				)
				what = f"{name} with {kind}"
				self.assertEqual(response.status_code, 400, f"{what}: {response.text[:300]}")
				self.assertEqual(problems_of(response), [], what)
				data = response.json()
				self.assertEqual(list(data), ["message"], what)
				self.assertEqual(data["message"]["success"], False, what)
				self.assertEqual(data["message"]["errors"], {}, what)
				self.assertTrue(data["message"]["message"], what)
		# the rest of the site keeps Frappe's own answers
		other = requests.post(
			method_url(self.server, "frappe.auth.get_logged_user"),
			data=b'{"x": ',
			headers={"Host": self.server.site, "Content-Type": "application/json"},
			timeout=60,
		)
		self.assertNotIn("could not be read", other.text)

	# --- fuzz acceptance ---------------------------------------------------------------------
	def fuzz_requests(self, count: int, rng: random.Random) -> list[tuple]:
		"""``count`` hostile guest requests: (HTTP method, URL, headers, body or None)."""
		day = self.day
		bases = {
			"public.get_page": {"profile": SLUG, "meeting_type": TYPE},
			"public.get_slots": {
				"profile": SLUG,
				"meeting_type": TYPE,
				"start": iso(day),
				"end": iso(day + timedelta(days=2)),
				"timezone": "UTC",
			},
			"public.get_challenge": {},
			"public.get_booking": {"token": "t" * 43},
			"public.ics": {"token": "t" * 43},
			# 03:00 UTC is outside 09:00-17:00: no mutation of it can store a booking
			"public.book": {
				"profile": SLUG,
				"meeting_type": TYPE,
				"start": iso(day + timedelta(hours=3)),
				"name": "Fuzz Guest",
				"email": "fuzz@example.org",
				"timezone": "UTC",
				"answers": {},
				"idempotency_key": "k" * 32,
			},
			"public.cancel": {"token": "t" * 43, "reason": "no"},
			"public.reschedule": {"token": "t" * 43, "start": iso(day + timedelta(hours=10))},
			"tracking.go": {"t": "not-a-token"},
			"tracking.track_click": {"token": "not-a-token", "referrer": "https://example.org"},
			# an unknown step: nothing a mutation brings makes it a funnel step
			"tracking.track_step": {
				"step": "no_such_step",
				"session_id": "s" * 24,
				"profile": SLUG,
				"meeting_type": TYPE,
			},
			"tracking.calendly_webhook": self.calendly_payload("fuzz"),  # unsigned: 401
			# no account in the address: 404, whatever the body
			"tracking.acuity_webhook": {"action": "scheduled", "id": "1", "calendarID": "2"},
			"tracking.oncehub_webhook": {"type": "booking.scheduled", "data": {"id": "BKNG-1"}},
		}
		pages = [f"/book/{SLUG}", f"/book/{SLUG}/{TYPE}", f"/book/manage/{'t' * 43}"]
		page_fields = ["lang", "embed", "ref", "utm_source", "utm_campaign", "date", "month", "_lang", "cmd"]
		nested = {"a": None}
		for _ in range(99):  # as deep as the app still reads
			nested = {"a": nested}
		raw_bodies = [
			b"{",
			b'{"profile": ',
			b"[1, 2",
			b"nul",
			b"null",
			b"true",
			b'"text"',
			b"NaN",
			b"1e999999",
			b"9" * 5000,
			b'{"notes": ' + b"1" * 5000 + b"}",
			DEEP.encode(),
			("{" + '"a":{' * 3000 + "}" * 3001).encode(),
			b"[" * 100_000,
			json.dumps({"cmd": {"a": 1}}).encode(),
			json.dumps({"cmd": ["x"]}).encode(),
			json.dumps({"cmd": 5}).encode(),
			json.dumps({"cmd": True, "profile": SLUG}).encode(),
			b"\xff\xfe\x00{",
			b'{"name": "\xff\xfe"}',
			b"\xef\xbb\xbf{}",
			b'{"profile": "a", "profile": ["b"]}',
			b'{"profile": "\\ud800", "meeting_type": "\\udfff"}',
			json.dumps({"profile": "x" * 1_000_000}).encode(),
			json.dumps({"notes": DEEP, "profile": SLUG}).encode(),
			json.dumps({"answers": DEEP}).encode(),
			json.dumps([[[[]]]]).encode(),
			json.dumps([{"profile": SLUG}]).encode(),
			json.dumps({"profile": nested, "meeting_type": [nested]}).encode(),
		]
		content_types = [
			"application/json",
			"application/json; charset=utf-8",
			"application/vnd.api+json",
			"text/plain",
			"application/x-www-form-urlencoded",
			"multipart/form-data; boundary=xyz",
		]

		def text(value) -> str:
			return value if isinstance(value, str) else json.dumps(value)

		def encoded(value, limit: int | None = None) -> str:
			raw = text(value)
			raw = raw[:limit] if limit else raw
			# a lone surrogate goes out as the invalid bytes a broken client would send
			return quote(raw.encode("utf-8", "surrogatepass"))

		def mutated(base: dict) -> dict:
			payload = json.loads(json.dumps(base))
			fields = list(payload) or ["profile"]
			for field in rng.sample(fields, min(len(fields), rng.randint(1, 3))):
				payload[field] = rng.choice(HOSTILE)
			if rng.random() < 0.3:
				payload[rng.choice(["status", "host", "docstatus", "cmd", "_lang", "data", "sid"])] = (
					rng.choice(HOSTILE)
				)
			return payload

		out = []
		methods = list(bases)
		for i in range(count):
			headers = {"Host": self.server.site}
			accept = rng.choice([None, "application/json", "text/html", "*/*", "\x00"])
			if accept and accept != "\x00":
				headers["Accept"] = accept
			kind = rng.choice(
				["json", "json", "form", "query", "raw", "raw", "deep_field", "verb", "page", "page"]
			)
			method = methods[i % len(methods)]
			url = self.url(method)
			verb = GUEST_METHODS[method]
			payload = mutated(bases[method])
			if kind == "json":
				body = json.dumps(payload).encode("utf-8", "surrogatepass")
				headers["Content-Type"] = "application/json"
				if verb == "GET":
					query = "&".join(
						f"{quote(k)}={encoded(v, 1000)}" for k, v in payload.items() if v is not None
					)
					out.append(("GET", f"{url}?{query}", headers, None))
				else:
					out.append(("POST", url, headers, body))
			elif kind == "form":
				headers["Content-Type"] = "application/x-www-form-urlencoded"
				body = "&".join(f"{quote(k)}={encoded(v)}" for k, v in payload.items() if v is not None)
				if rng.random() < 0.2:
					body += "&bad=%ff%fe%c0%af&x=\xff"
				out.append(
					(
						verb if verb == "POST" else rng.choice(["GET", "POST"]),
						url,
						headers,
						body.encode("utf-8", "surrogatepass"),
					)
				)
			elif kind == "query":
				query = "&".join(f"{quote(k)}={encoded(v, 600)}" for k, v in payload.items() if v is not None)
				out.append((verb, f"{url}?{query}", headers, None))
			elif kind == "raw":
				headers["Content-Type"] = rng.choice(content_types)
				out.append((rng.choice(["POST", verb]), url, headers, rng.choice(raw_bodies)))
			elif kind == "deep_field":
				headers["Content-Type"] = "application/x-www-form-urlencoded"
				field = rng.choice(list(bases[method]) or ["name"])
				depth = rng.choice([150, 999, 5000, 20000])
				value = (
					"[" * depth + "]" * depth if rng.random() < 0.5 else '{"a":' * depth + "1" + "}" * depth
				)
				out.append(("POST", url, headers, f"{quote(field)}={quote(value)}".encode()))
			elif kind == "verb":
				wrong = rng.choice(["PUT", "DELETE", "PATCH", "GET" if verb == "POST" else "POST"])
				headers["Content-Type"] = "application/json"
				out.append((wrong, url, headers, json.dumps(payload).encode("utf-8", "surrogatepass")))
			else:  # a booking page: hostile query, hostile path segment, or a hostile body
				path = rng.choice(pages)
				choice = rng.random()
				if choice < 0.4:
					query = "&".join(
						f"{field}={encoded(rng.choice(HOSTILE), 500)}" for field in rng.sample(page_fields, 3)
					)
					out.append(("GET", f"{self.server.base}{path}?{query}", headers, None))
				elif choice < 0.7:
					segment = encoded(rng.choice(HOSTILE), 300) or "x"
					path = rng.choice(
						[f"/book/{segment}", f"/book/{SLUG}/{segment}", f"/book/manage/{segment}"]
					)
					out.append(("GET", f"{self.server.base}{path}", headers, None))
				else:
					headers["Content-Type"] = rng.choice(content_types)
					out.append(
						(
							rng.choice(["GET", "POST"]),
							f"{self.server.base}{path}",
							headers,
							rng.choice(raw_bodies),
						)
					)
		return out

	def test_fuzz_public_endpoints_no_5xx_no_traceback_nothing_stored(self):
		long_run = os.environ.get("SCHEDULER_LONG_TESTS") == "1"
		count = int(os.environ.get("SCHEDULER_FUZZ_REQUESTS") or (2400 if long_run else 400))
		rng = random.Random(20261126)
		frappe.db.rollback()
		before = {dt: frappe.db.count(dt) for dt in ("Scheduler Booking", "Scheduler Engagement")}
		cases = self.fuzz_requests(count, rng)

		def send(case):
			verb, url, headers, body = case
			try:
				response = requests.request(
					verb, url, headers=headers, data=body, timeout=120, allow_redirects=False
				)
			except requests.RequestException as exc:
				return case, None, [f"no answer: {exc}"]
			return case, response.status_code, problems_of(response)

		started = time.monotonic()
		with ThreadPoolExecutor(4) as pool:
			results = list(pool.map(send, cases))
		elapsed = time.monotonic() - started
		statuses: dict[int, int] = {}
		failures = []
		for (verb, url, _headers, body), status, problems in results:
			statuses[status] = statuses.get(status, 0) + 1
			if problems:
				failures.append(f"{verb} {url[:160]} body {body[:80] if body else None!r}: {problems}")
		print(
			f"\nside-door fuzz: {len(results)} requests in {elapsed:.1f} s, "
			f"statuses {dict(sorted(statuses.items(), key=lambda kv: kv[0] or 0))}"
		)
		self.assertGreaterEqual(len(results), count)
		self.assertEqual(failures, [], f"{len(failures)} bad answers, e.g. {failures[:5]}")
		run_background_jobs()
		frappe.db.rollback()
		after = {dt: frappe.db.count(dt) for dt in before}
		self.assertEqual(after, before, f"statuses {statuses}")
