"""Guest input is hostile: fuzzing the public endpoints, and escaping everywhere it shows."""

from __future__ import annotations

import email
import json
import random
import time
from datetime import timedelta
from urllib.parse import quote

import frappe

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
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-fuzz@example.com"
API = "scheduler_integration.api.public"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
JINJA = "{{ 7*7 }}{% for x in range(3) %}boom{% endfor %}{{ frappe.db.sql('select 1') }}"

HOSTILE = [
	XSS,
	JINJA,
	"' OR 1=1 --",
	"Robert'); DROP TABLE `tabScheduler Booking`;--",
	"a" * 100_000,
	"line\r\nBcc: victim@example.org",
	"x\nSubject: injected",
	"\x00\x01\x02",
	"😀" * 500,
	"../../etc/passwd",
	"%00%0d%0a",
	"javascript:alert(1)",
	"2026-13-45T99:99:99Z",
	"2026-02-30",
	"not-a-date",
	"1e309",
	"-1",
	"9" * 400,
	"Mars/Olympus",
	"UTC\r\nX: y",
	"",
	" ",
	None,
	True,
	12345,
	-3.5,
	[],
	["a", {"b": 1}],
	{"$gt": ""},
	{"__proto__": {"x": 1}},
	# invalid Unicode, encoded words, controls, separators, bidi, oversized and odd types
	"x\ud800y",
	"\udfff",
	"=?utf-8?q?Eve=0D=0AReply-To:_attacker@evil.example?=",
	"=?UTF-8?B?RXZlDQpCY2M6IHZAZXZpbC5leGFtcGxl?=",
	"tab\tand\x0bvt\x1bescape",
	"a\u2028b\u2029c\x85d",
	"\u202eevil.exe",
	"\ufeff\u200b",
	"Z" * 5001,
	"\U0001f600" * 2000,
	1e308,
	float("nan") if False else "NaN",
	{"a": [1, 2, {"b": None}]},
	[[[[[]]]]],
	False,
	0,
]
FIELDS = [
	"profile",
	"meeting_type",
	"start",
	"end",
	"timezone",
	"name",
	"email",
	"phone",
	"company",
	"notes",
	"answers",
	"idempotency_key",
	"website",
	"utm_source",
	"ref",
]


class TestHostileInput(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.profile = make_host(HOST, "fuzz-host", tz="UTC", start="09:00", end="17:00")
		cls.mt = make_type(cls.profile, "fuzz", 30, questions=[{"label": "Goal", "fieldtype": "Text"}])
		cls.outbox = Outbox()
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.day = future_day(40)
		clear_bookings([HOST])

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		clear_bookings([HOST])
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def valid(self):
		return {
			"profile": "fuzz-host",
			"meeting_type": "fuzz",
			# 03:00 UTC is outside 09:00-17:00: even a valid-looking payload cannot store a booking
			"start": iso(self.day + timedelta(hours=3)),
			"end": iso(self.day + timedelta(days=2)),
			"timezone": "UTC",
			"name": "Valid Name",
			"email": "valid@example.org",
			"answers": {"Goal": "ok"},
		}

	def test_fuzz_slots_and_book_only_4xx_nothing_stored(self):
		rng = random.Random(20261122)
		before = frappe.db.count("Scheduler Booking")
		statuses: dict[int, int] = {}
		cases = 0
		for _ in range(1000):
			for method in ("get_slots", "book"):
				payload = self.valid()
				for field in rng.sample(FIELDS, rng.randint(1, 4)):
					payload[field] = rng.choice(HOSTILE)
				if rng.random() < 0.2:
					payload[f"unknown_{rng.randint(0, 9)}"] = rng.choice(HOSTILE)
					payload["status"] = "Confirmed"
					payload["host"] = "Administrator"
				url = method_url(self.server, f"{API}.{method}")
				if method == "get_slots":
					# percent-encoded by hand: a lone surrogate goes out as the (invalid) bytes
					# a broken client would send
					query = "&".join(
						f"{quote(k)}={quote((v if isinstance(v, str) else json.dumps(v)).encode('utf-8', 'surrogatepass'))}"
						for k, v in payload.items()
						if v is not None
					)
					response = self.guest.get(f"{url}?{query}", timeout=60)
				else:
					response = self.guest.post(
						url,
						data=json.dumps(payload),
						headers={"Content-Type": "application/json"},
						timeout=60,
					)
				statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
				cases += 1
				self.assertLess(
					response.status_code, 500, f"{method} {payload!r:.300}: {response.text[:300]}"
				)
				if method == "book":
					self.assertGreaterEqual(response.status_code, 400, f"{payload!r:.300}")
		self.assertGreaterEqual(cases, 2000)
		frappe.db.commit()
		self.assertEqual(frappe.db.count("Scheduler Booking"), before, f"statuses {statuses}")
		print(f"\nfuzz: {cases} requests, statuses {dict(sorted(statuses.items()))}")

	def test_guest_cannot_set_document_fields(self):
		payload = {
			**self.valid(),
			"start": iso(self.day + timedelta(hours=10)),
			"status": "Cancelled",
			"host": "Administrator",
			"manage_token_hash": "x",
			"meeting_link": "https://evil.example",
			"sequence": 99,
		}
		response = self.guest.post(method_url(self.server, f"{API}.book"), json=payload, timeout=60)
		self.assertEqual(response.status_code, 201, response.text)
		frappe.db.commit()
		doc = frappe.get_doc("Scheduler Booking", response.json()["message"]["data"]["id"])
		self.assertEqual(
			(doc.status, doc.host, doc.meeting_link or "", doc.sequence), ("Confirmed", HOST, "", 0)
		)
		self.assertNotEqual(doc.manage_token_hash, "x")

	def test_xss_and_jinja_render_escaped_in_page_email_and_ics_and_crlf_adds_no_header(self):
		start = self.day + timedelta(hours=11)
		payload = {
			**self.valid(),
			"start": iso(start),
			"name": f"Eve {JINJA}",
			"notes": f"{XSS}\n{JINJA}",
			"company": "Evil & Co {{ 7*7 }}",
			"answers": {"Goal": XSS},
			"email": "xss@example.org",
		}
		response = self.guest.post(method_url(self.server, f"{API}.book"), json=payload, timeout=60)
		self.assertEqual(response.status_code, 201, response.text)
		data = response.json()["message"]["data"]
		token = data["manage_url"].rsplit("/", 1)[1]
		# page: the manage page never contains the raw markup, and Jinja was not evaluated
		page = self.guest.get(f"{self.server.base}/book/manage/{token}", timeout=60).text
		self.assertNotIn("<script>alert", page)
		self.assertNotIn("<img src=x", page)
		self.assertNotIn(">49<", page)
		# ICS: the guest's own file invites nobody, text escaped, no injected properties
		ics = self.guest.get(method_url(self.server, f"{API}.ics"), params={"token": token}, timeout=60).text
		unfolded = ics.replace("\r\n ", "")
		self.assertEqual(unfolded.count("\r\nATTENDEE"), 0, "a file to add, no invitation")
		self.assertEqual(unfolded.count("\r\nORGANIZER"), 1, "the host")
		self.assertEqual(unfolded.count("BEGIN:VEVENT"), 1)
		# email: escaped markup, Jinja shown as text, and delivered with no injected header
		run_background_jobs()
		frappe.db.commit()
		queued = frappe.get_all("Email Queue", filters={"reference_name": data["id"]}, pluck="name")
		self.assertEqual(len(queued), 2)
		for _ in range(100):  # the effects job hands them to SMTP right after its commit
			frappe.db.rollback()
			if {frappe.db.get_value("Email Queue", n, "status") for n in queued} <= {"Sent", "Error"}:
				break
			time.sleep(0.1)
		# this booking's two messages, by their Message-Id (earlier tests' mail to the same host
		# reaches the sink too when a site worker sends it)
		ids = {frappe.db.get_value("Email Queue", n, "message_id").strip("<>") for n in queued}

		def of_this_booking():
			return [m for m in self.outbox.messages if any(i in m for i in ids)]

		delivered = of_this_booking()
		if len(delivered) < 2:
			# a worker forked by this test process mutes SMTP (in_test): hand the very queued
			# messages to the local sink for real (a site worker already did)
			frappe.flags.testing_email = True
			try:
				for name in queued:
					frappe.db.set_value("Email Queue Recipient", {"parent": name}, "status", "Not Sent")
					frappe.get_doc("Email Queue", name).send(force_send=True)
			finally:
				frappe.flags.testing_email = False
			frappe.db.commit()
		delivered = of_this_booking()
		self.assertEqual(len(delivered), 2, [m[:300] for m in self.outbox.messages])
		escaped = 0
		for raw in delivered:
			message = email.message_from_string(raw)
			self.assertIsNone(message.get("Bcc"))
			text = "".join(
				(part.get_payload(decode=True) or b"").decode(
					part.get_content_charset() or "utf-8", "replace"
				)
				for part in message.walk()
				if part.get_content_type() == "text/html"
			)
			self.assertNotIn("<script>alert", text)
			self.assertNotIn(" 49", text)
			escaped += "\u2039script\u203a" in text  # decoded once, markup never forms
		self.assertEqual(escaped, 1, "the host's email shows the guest's notes, escaped")
		# markup, CR/LF or an encoded word in a name, or CR/LF in an email, is refused before
		# anything is stored or sent
		for field, value in (
			("name", XSS),
			("company", XSS),
			("name", "=?utf-8?q?Eve=0D=0AReply-To:_attacker@evil.example?="),
			("name", "Eve\r\nBcc: victim@example.org"),
			("email", "eve@example.org\r\nBcc: victim@example.org"),
		):
			bad = {**self.valid(), "start": iso(start + timedelta(hours=1)), field: value}
			response = self.guest.post(method_url(self.server, f"{API}.book"), json=bad, timeout=60)
			self.assertEqual(response.status_code, 400, response.text)

	def test_public_rate_limit_answers_429(self):
		previous = set_settings(public_rate_limit=5)
		try:
			codes = [
				self.guest.get(
					method_url(self.server, f"{API}.get_page"), params={"profile": "fuzz-host"}, timeout=60
				).status_code
				for _ in range(8)
			]
		finally:
			set_settings(**previous)
		self.assertEqual(codes[:5], [200] * 5)
		self.assertIn(429, codes[5:])
