"""Guest caps and the proof of work under simultaneous requests, over real HTTP against a
multi-worker web server (issue 26 item 8): a cap is never exceeded by requests that arrive
together, across hosts too; a solved challenge opens exactly one booking, and a refused
booking gives it back; losing the caps' Redis keys does not reset a cap."""

from __future__ import annotations

from datetime import timedelta

import frappe
import requests

from scheduler_integration.booking import caps
from scheduler_integration.booking.errors import TooManyBookings
from scheduler_integration.booking.meeting_types import type_context
from scheduler_integration.core.clock import utc_now
from scheduler_integration.rules.challenge import solve
from scheduler_integration.tests.booking.test_concurrency import fire
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

A, B = "sched-caps-a@example.com", "sched-caps-b@example.com"
PUBLIC = "scheduler_integration.api.public"
CAPS_OFF = {
	"booking_rate_limit": 0,
	"bookings_per_host_per_hour": 0,
	"bookings_per_type_per_day": 0,
	"booking_challenge_bits": 0,
}


def codes(results) -> list:
	return sorted(r.status_code if isinstance(r, requests.Response) else repr(r) for r in results)


class TestCapsUnderConcurrency(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(public_rate_limit=NO_RATE_LIMITS["public_rate_limit"], **CAPS_OFF)
		cls.pa = make_host(A, "caps-a", tz="UTC")
		cls.pb = make_host(B, "caps-b", tz="UTC")
		cls.ta = make_type(cls.pa, "caps-call", 30)
		cls.tb = make_type(cls.pb, "caps-call", 30)
		cls.team = make_type(
			cls.pa, "caps-team", 30, assignment="Round Robin", hosts=[{"user": A}, {"user": B}]
		)
		cls.server = LiveServer.get_instance(workers=4)
		cls.day = future_day(45)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**cls._saved)
		cleanup([A, B], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([A, B])
		set_settings(**CAPS_OFF)

	def payload(self, profile, type_slug, start, email, **extra) -> dict:
		return {
			"profile": profile,
			"meeting_type": type_slug,
			"start": iso(start),
			"name": "Cap Guest",
			"email": email,
			"timezone": "UTC",
			**extra,
		}

	def slot(self, index: int):
		return self.day + timedelta(minutes=30 * index)

	def count(self, **filters) -> int:
		frappe.db.rollback()  # a fresh snapshot: the server committed
		return frappe.db.count("Scheduler Booking", filters)

	def test_simultaneous_bookings_of_one_email_across_hosts_stop_at_the_cap(self):
		set_settings(booking_rate_limit=5)
		payloads = [
			self.payload("caps-a" if i % 2 else "caps-b", "caps-call", self.slot(i // 2), "many@example.org")
			for i in range(16)
		]
		results = fire(self.server, payloads)
		self.assertEqual(codes(results), [201] * 5 + [429] * 11, results)
		self.assertEqual(self.count(guest_email="many@example.org"), 5)
		# the full window says when it has room again (the API's Retry-After)
		with self.assertRaises(TooManyBookings) as caught:
			caps.check_guest_caps(type_context(self.ta), "many@example.org", utc_now())
		self.assertTrue(3500 < caught.exception.retry_after <= 3600, caught.exception.retry_after)

	def test_simultaneous_bookings_of_one_host_stop_at_the_cap(self):
		set_settings(bookings_per_host_per_hour=20)
		payloads = [
			self.payload("caps-a", "caps-call", self.slot(i), f"host{i}@example.org") for i in range(24)
		]
		results = fire(self.server, payloads)
		self.assertEqual(codes(results), [201] * 20 + [429] * 4, results)
		self.assertEqual(self.count(host=A), 20)

	def test_simultaneous_bookings_of_a_team_type_stop_at_the_daily_cap(self):
		set_settings(bookings_per_type_per_day=6)
		# round robin: the bookings go to both hosts, the type's count is shared
		payloads = [
			self.payload("caps-a", "caps-team", self.slot(i), f"team{i}@example.org") for i in range(12)
		]
		results = fire(self.server, payloads)
		self.assertEqual(codes(results), [201] * 6 + [429] * 6, results)
		self.assertEqual(self.count(meeting_type=self.team), 6)

	def test_a_solved_challenge_opens_one_booking_and_a_refusal_gives_it_back(self):
		set_settings(booking_challenge_bits=8)
		guest = self.server.session(None)

		def solved() -> dict:
			r = guest.get(method_url(self.server, f"{PUBLIC}.get_challenge"), timeout=30)
			data = r.json()["message"]["data"]
			return {"challenge": data["challenge"], "nonce": solve(data["challenge"], data["bits"])}

		# a few rounds: the old check-then-set let two through now and then, not every time
		for round_ in range(3):
			proof = solved()
			payloads = [
				self.payload(
					"caps-a", "caps-call", self.slot(8 * round_ + i), f"proof{i}@example.org", **proof
				)
				for i in range(8)
			]
			results = fire(self.server, payloads)
			self.assertEqual(codes(results), [201] + [400] * 7, results)
			for r in results:
				if r.status_code == 400:
					self.assertIn("proof", r.json()["message"]["errors"])
		self.assertEqual(self.count(host=A), 3)
		taken = next(p["start"] for p, r in zip(payloads, results, strict=True) if r.status_code == 201)

		proof = solved()
		book = method_url(self.server, f"{PUBLIC}.book")
		r = guest.post(book, json={**payloads[0], "start": taken, **proof}, timeout=60)
		self.assertEqual(r.status_code, 409, r.text)
		r = guest.post(book, json={**payloads[0], "start": iso(self.slot(30)), **proof}, timeout=60)
		self.assertEqual(r.status_code, 201, "the refused booking gave the challenge back: " + r.text)
		r = guest.post(book, json={**payloads[0], "start": iso(self.slot(31)), **proof}, timeout=60)
		self.assertEqual(r.status_code, 400, "and the booking spent it: " + r.text)

	def test_losing_the_redis_windows_does_not_reset_the_email_cap(self):
		set_settings(booking_rate_limit=5)
		email = "again@example.org"
		book = method_url(self.server, f"{PUBLIC}.book")
		guest = self.server.session(None)
		for i in range(3):
			r = guest.post(book, json=self.payload("caps-a", "caps-call", self.slot(i), email), timeout=60)
			self.assertEqual(r.status_code, 201, r.text)
		# a refused booking takes no place in the cap
		r = guest.post(book, json=self.payload("caps-b", "caps-call", self.slot(0), "other@example.org"))
		self.assertEqual(r.status_code, 201, r.text)
		r = guest.post(book, json=self.payload("caps-b", "caps-call", self.slot(0), email), timeout=60)
		self.assertEqual(r.status_code, 409, r.text)
		frappe.cache.delete_keys("scheduler_integration:caps:")  # Redis lost them: only ours
		payloads = [self.payload("caps-b", "caps-call", self.slot(10 + i), email) for i in range(6)]
		results = fire(self.server, payloads)
		self.assertEqual(codes(results), [201] * 2 + [429] * 4, results)
		self.assertEqual(self.count(guest_email=email), 5)
