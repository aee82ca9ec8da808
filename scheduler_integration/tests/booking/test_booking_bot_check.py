"""The booking form's bot check over real HTTP: the proof of work a new site asks for by
default, and the optional CAPTCHA verified server-side against local servers that speak
Cloudflare Turnstile's and hCaptcha's siteverify protocols."""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import frappe
import requests

from scheduler_integration.core.settings import DEFAULTS
from scheduler_integration.rules.challenge import solve
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, body, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

REPO_TESTS = Path(frappe.get_app_path("scheduler_integration")).parent / "tests"
if str(REPO_TESTS / "providers") not in sys.path:
	sys.path.insert(0, str(REPO_TESTS / "providers"))

from captcha_peer import FakeCaptcha  # noqa: E402

HOST = "sched-bot-check@example.com"
SLUG, TYPE = "sched-bot-check", "talk"
PUBLIC = "scheduler_integration.api.public"
CAPTCHA_FIELDS = ("captcha_provider", "captcha_site_key", "captcha_verify_url", "booking_challenge_bits")


class TestBotCheck(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		from frappe.utils.password import get_decrypted_password

		cls._secret = get_decrypted_password(
			"Scheduler Settings", "Scheduler Settings", "captcha_secret_key", raise_exception=False
		)
		settings = frappe.get_single("Scheduler Settings")
		cls._saved = {field: settings.get(field) for field in CAPTCHA_FIELDS}
		cls._saved.update(set_settings(**NO_RATE_LIMITS))
		cls.profile = make_host(HOST, SLUG, start="09:00", end="17:00")
		cls.mt = make_type(cls.profile, TYPE, 30)
		cls.server = LiveServer.get_instance()
		cls.day = future_day(40)
		cls.slot = 0

	@classmethod
	def tearDownClass(cls):
		set_settings(**cls._saved, captcha_secret_key=cls._secret or "")
		clear_bookings([HOST])
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def next_start(self) -> str:
		"""A start no request asked for yet: half-hours of 09:00-16:30, day after day."""
		n = TestBotCheck.slot
		TestBotCheck.slot += 1
		return iso(self.day + timedelta(days=n // 16, hours=9, minutes=30 * (n % 16)))

	def book(self, start: str, **extra) -> requests.Response:
		form = {
			"profile": SLUG,
			"meeting_type": TYPE,
			"start": start,
			"name": "Bea Bot-Check",
			"email": "bea@example.org",
			"timezone": "UTC",
			**extra,
		}
		return requests.post(
			method_url(self.server, f"{PUBLIC}.book"),
			json=form,
			headers={"Host": self.server.site},
			timeout=60,
		)

	def bookings(self) -> int:
		frappe.db.commit()  # see what the web server committed
		return frappe.db.count("Scheduler Booking", {"meeting_type": self.mt})

	def assert_refused(self, response, field: str, code: str = "BOT_CHECK_FAILED", status: int = 400):
		answer = body(response)
		self.assertEqual(response.status_code, status, response.text[:300])
		self.assertEqual((answer["success"], answer["code"]), (False, code))
		if field:
			self.assertIn(field, answer["errors"])

	def test_a_new_site_asks_for_a_proof_of_work_the_page_solves_unnoticed(self):
		meta = frappe.get_meta("Scheduler Settings").get_field("booking_challenge_bits")
		self.assertEqual((DEFAULTS["booking_challenge_bits"], meta.default), (12, "12"))
		set_settings(booking_challenge_bits=DEFAULTS["booking_challenge_bits"])
		before = self.bookings()
		self.assert_refused(self.book(self.next_start()), "proof")
		challenge = body(
			requests.get(
				method_url(self.server, f"{PUBLIC}.get_challenge"),
				headers={"Host": self.server.site},
				timeout=30,
			)
		)["data"]
		self.assertEqual(challenge["bits"], 12)
		began = time.perf_counter()
		nonce = solve(challenge["challenge"], challenge["bits"])
		spent = time.perf_counter() - began  # reported, never asserted: 4,096 hashes on average
		print(f"proof of work at 12 bits: {spent * 1000:.1f} ms in Python")
		r = self.book(self.next_start(), challenge=challenge["challenge"], nonce=nonce)
		self.assertEqual(r.status_code, 201, r.text[:300])
		self.assert_refused(
			self.book(self.next_start(), challenge=challenge["challenge"], nonce=nonce), "proof"
		)
		self.assertEqual(self.bookings(), before + 1)
		set_settings(booking_challenge_bits=0)

	def captcha(self, kind: str, provider: str, secret: str, site_key: str, peer: FakeCaptcha) -> None:
		set_settings(
			booking_challenge_bits=0,
			captcha_provider=provider,
			captcha_site_key=site_key,
			captcha_secret_key=secret,
			captcha_verify_url=peer.verify_url,
		)
		# the page shows the provider's widget with the site key, never the secret
		page = body(
			requests.get(
				method_url(self.server, f"{PUBLIC}.get_page"),
				params={"profile": SLUG, "meeting_type": TYPE},
				headers={"Host": self.server.site},
				timeout=30,
			)
		)["data"]
		self.assertEqual(page["captcha"]["provider"], kind)
		self.assertEqual(page["captcha"]["site_key"], site_key)
		html = self.server.get(f"/book/{SLUG}/{TYPE}", timeout=30).text
		self.assertIn(site_key, html)
		self.assertNotIn(secret, html)

		before = self.bookings()
		self.assert_refused(self.book(self.next_start()), "captcha")  # no token: not even asked
		self.assertEqual(peer.requests, [])
		self.assert_refused(self.book(self.next_start(), captcha_token="forged-token"), "captcha")
		token = peer.issue()
		r = self.book(self.next_start(), captcha_token=token)
		self.assertEqual(r.status_code, 201, r.text[:300])
		asked = peer.requests[-1]
		form = {k: v[0] for k, v in parse_qs(asked.body.decode()).items()}
		self.assertEqual((asked.method, form["secret"], form["response"]), ("POST", secret, token))
		self.assertEqual(form["remoteip"], "127.0.0.1")
		if kind == "hcaptcha":
			self.assertEqual(form["sitekey"], site_key)
		# a token answers once: the provider refuses it again, and so does the booking
		self.assert_refused(self.book(self.next_start(), captcha_token=token), "captcha")
		self.assertEqual(self.bookings(), before + 1)
		# a provider that cannot be asked refuses the booking; it is never skipped
		peer.down = True
		self.assert_refused(
			self.book(self.next_start(), captcha_token=peer.issue()), None, "BOT_CHECK_UNAVAILABLE", 503
		)
		peer.down = False
		self.assertEqual(self.bookings(), before + 1)
		frappe.db.delete("Error Log", {"method": ("like", "%CAPTCHA%")})
		frappe.db.commit()

	def test_cloudflare_turnstile(self):
		secret = "0x4AAAAAAA-turnstile-secret"
		with FakeCaptcha("turnstile", secret) as peer:
			try:
				self.captcha("turnstile", "Cloudflare Turnstile", secret, "0x4AAAAAAA-site", peer)
			finally:
				set_settings(captcha_provider="")

	def test_hcaptcha(self):
		secret = "0x0000000000000000000000000000000000000000"
		site_key = "10000000-ffff-ffff-ffff-000000000001"
		with FakeCaptcha("hcaptcha", secret, site_key) as peer:
			try:
				self.captcha("hcaptcha", "hCaptcha", secret, site_key, peer)
			finally:
				set_settings(captcha_provider="")

	def test_settings_refuse_a_verify_url_that_is_not_http(self):
		settings = frappe.get_single("Scheduler Settings")
		settings.captcha_verify_url = "file:///etc/passwd"
		with self.assertRaises(frappe.ValidationError) as ctx:
			settings.save(ignore_permissions=True)
		self.assertIn("captcha_verify_url", json.dumps(getattr(ctx.exception, "errors", {})))
		frappe.db.rollback()
