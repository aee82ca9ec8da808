"""SMS: every reminder carries a short manage link that leads to the manage page, and a guest
cancels by replying CANCEL, then YES, through Twilio's inbound webhook — over real HTTP,
signed as Twilio signs (``rules.sms_replies.twilio_signature``, checked there against
Twilio's published example). A local server stands in for the SMS gateway."""

from __future__ import annotations

import threading
from datetime import timedelta
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import frappe
import requests

from scheduler_integration.booking.tokens import manage_token, short_url
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.effects import reminders, sms
from scheduler_integration.outputs.email_values import guest_locale
from scheduler_integration.rules.locales import short_time
from scheduler_integration.rules.sms_replies import twilio_signature
from scheduler_integration.tests import answer_check
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	book,
	clear_bookings,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, cleanup
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-sms-host@example.com"
TOKEN = "twilio-auth-token-for-tests-0123"
PHONE = "+14155550100"  # as Twilio sends it
TYPED = "(415) 555-0100"  # as the guest typed it: no country code
OTHER_PHONE = "+14155550199"
LATE_PHONE = "+14155550177"
STRANGER = "+447700900123"
OUR_NUMBER = "+15005550006"
DOTTED = "scheduler_integration.api.sms.twilio_reply"
GUEST = {"guest_name": "Sam Texter", "guest_email": "sam.texter@example.org", "booker_timezone": "UTC"}
DIGITS = ("14155550100", "14155550199", "14155550177", "447700900123")


class Gateway:
	"""A local SMS gateway (SMS Settings' URL): records each message it is handed."""

	def __init__(self):
		self.requests: list[dict] = []
		gateway = self

		class Handler(BaseHTTPRequestHandler):
			def do_POST(self):
				length = int(self.headers.get("Content-Length") or 0)
				form = parse_qs(self.rfile.read(length).decode())
				gateway.requests.append({k: v[0] for k, v in form.items()})
				self.send_response(200)
				self.send_header("Content-Type", "text/plain")
				self.end_headers()
				self.wfile.write(b"OK")

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def close(self):
		self.server.shutdown()
		self.server.server_close()


def clear_replies():
	frappe.db.delete("Scheduler SMS Reply", {"from_number": ("in", DIGITS)})
	frappe.db.commit()


class TestSmsReplies(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.previous = set_settings(twilio_auth_token=TOKEN, sms_confirm_minutes=15, **NO_RATE_LIMITS)
		cls.profile = make_host(HOST, "sms-host")
		cls.mt = make_type(cls.profile, "sms-call", 30, sms_reminders=1, sms_reminder_offsets="120")
		cls.strict = make_type(cls.profile, "sms-strict", 30, cancel_notice=1440)
		cls.server = LiveServer.get_instance()
		cls.url = f"http://{cls.server.site}/api/method/{DOTTED}"  # the URL Twilio is given

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		clear_replies()
		cleanup([HOST], delete_users=True)
		set_settings(**cls.previous)
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		clear_replies()
		self.day = utc_now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
		self.sid = 0

	def tearDown(self):
		frappe.db.rollback()
		clear_bookings([HOST])
		clear_replies()

	def book(self, hours: int, phone: str = TYPED, meeting_type=None):
		return book(
			meeting_type or self.mt, self.day + timedelta(hours=hours), {**GUEST, "guest_phone": phone}
		)

	def text(self, body: str, sender: str = PHONE, sid: str | None = None, **options) -> requests.Response:
		"""Post an inbound SMS as Twilio does; returns the answer."""
		if sid is None:
			self.sid += 1
			sid = f"SM{frappe.generate_hash(length=24)}{self.sid:08d}"
		form = {
			"ToCountry": "US",
			"SmsMessageSid": sid,
			"NumMedia": "0",
			"SmsSid": sid,
			"SmsStatus": "received",
			"Body": body,
			"To": OUR_NUMBER,
			"NumSegments": "1",
			"MessageSid": sid,
			"AccountSid": "AC" + "0" * 32,
			"From": sender,
			"ApiVersion": "2010-04-01",
		}
		url = options.pop("signed_url", self.url)
		signature = options.pop("signature", None) or twilio_signature(
			url, options.pop("signed_form", form), options.pop("token", TOKEN)
		)
		headers = {"Host": self.server.site, "X-Twilio-Signature": signature, **options.pop("headers", {})}
		if options.pop("unsigned", False):
			headers.pop("X-Twilio-Signature")
		response = requests.post(  # Twilio's side of the contract: the documented answers
			f"{self.server.base}/api/method/{DOTTED}",
			data=form,
			headers=headers,
			timeout=60,
			hooks={"response": answer_check.hook},
		)
		response.sid = sid
		return response

	def answer(self, response) -> str:
		self.assertEqual(response.status_code, 200, response.text[:500])
		self.assertTrue(response.headers["Content-Type"].startswith("text/xml"), response.headers)
		text = response.text
		self.assertTrue(text.startswith('<?xml version="1.0" encoding="UTF-8"?><Response>'), text)
		self.assertTrue(text.endswith("</Response>"), text)
		inner = text.split("<Response>", 1)[1].removesuffix("</Response>")
		if not inner:
			return ""  # no answer
		self.assertRegex(inner, r"^<Message>[^<]+</Message>$")
		return unescape(inner.removeprefix("<Message>").removesuffix("</Message>"))

	def refused(self, response) -> None:
		"""Unsigned or wrongly signed: 401 with the app's failure, code UNAUTHORIZED, as
		docs/api.md says of every webhook (issue 51, item 6: it was a 403 in text/plain)."""
		self.assertEqual(response.status_code, 401, response.text[:300])
		self.assertTrue(response.headers["Content-Type"].startswith("application/json"), response.headers)
		failure = response.json()["message"]
		self.assertEqual((failure["success"], failure["code"]), (False, "UNAUTHORIZED"), failure)

	def statuses(self, *docs) -> list[str]:
		frappe.db.rollback()
		return [frappe.db.get_value("Scheduler Booking", doc.name, "status") for doc in docs]

	def replies(self) -> int:
		frappe.db.rollback()
		return frappe.db.count("Scheduler SMS Reply", {"from_number": ("in", DIGITS)})

	# --- CANCEL, then YES -------------------------------------------------------------------
	def test_cancel_then_yes_cancels_exactly_the_next_booking(self):
		later = self.book(30)
		first = self.book(4)
		someone_else = self.book(5, phone=OTHER_PHONE)
		run_background_jobs()
		frappe.db.rollback()
		self.assertTrue(frappe.db.count("Scheduler Reminder", {"booking": first.name, "status": "Pending"}))

		asked = self.text("CANCEL")
		when = short_time(to_utc(first.start), guest_locale(first))  # as the guest's emails write it
		self.assertIn("Reply YES to cancel your meeting on ", self.answer(asked))
		self.assertIn(f"at {when} (UTC)", self.answer(asked))
		self.assertEqual(self.statuses(first, later, someone_else), ["Confirmed"] * 3)

		done = self.text(" yes! ")
		self.assertIn("is cancelled.", self.answer(done))
		self.assertIn(f"at {when} (UTC)", self.answer(done))
		self.assertEqual(self.statuses(first, later, someone_else), ["Cancelled", "Confirmed", "Confirmed"])
		doc = frappe.get_doc("Scheduler Booking", first.name)
		self.assertEqual(doc.cancel_reason, "Cancelled by SMS reply")
		self.assertTrue(doc.cancelled_at)
		# the controller's cancel path: its effects run, e.g. the reminders are skipped
		run_background_jobs()
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.count("Scheduler Reminder", {"booking": first.name, "status": "Pending"}), 0
		)
		self.assertTrue(frappe.db.count("Scheduler Reminder", {"booking": later.name, "status": "Pending"}))
		rows = frappe.get_all(
			"Scheduler SMS Reply",
			filters={"from_number": "14155550100"},
			fields=["name", "outcome", "booking", "body", "to_number"],
			order_by="received_at asc, creation asc",
		)
		self.assertEqual(
			[(r.name, r.outcome, r.booking) for r in rows],
			[(asked.sid, "Asked to Confirm", first.name), (done.sid, "Cancelled", first.name)],
		)
		self.assertEqual((rows[0].body, rows[0].to_number), ("CANCEL", "15005550006"))

		# replays of either message change nothing and get no answer
		count = self.replies()
		self.assertEqual(self.answer(self.text("CANCEL", sid=asked.sid)), "")
		self.assertEqual(self.answer(self.text("YES", sid=done.sid)), "")
		self.assertEqual(self.replies(), count)
		# a second YES: the question was answered; nothing more is cancelled
		again = self.answer(self.text("YES"))
		self.assertIn("Reply CANCEL to cancel your meeting on ", again)
		self.assertIn(short_time(to_utc(later.start), guest_locale(later)), again)
		self.assertEqual(self.statuses(first, later, someone_else), ["Cancelled", "Confirmed", "Confirmed"])

	def test_a_late_yes_cancels_nothing(self):
		doc = self.book(5)
		self.assertIn("Reply YES", self.answer(self.text("Cancel")))
		# the question was asked 16 minutes ago (the window is 15)
		frappe.db.sql(
			"update `tabScheduler SMS Reply` set received_at=%s where from_number=%s",
			(to_system(utc_now() - timedelta(minutes=16)), "14155550100"),
		)
		frappe.db.commit()
		self.assertEqual(
			self.answer(self.text("YES")), "Your request to cancel has expired. Reply CANCEL to start again."
		)
		self.assertEqual(self.statuses(doc), ["Confirmed"])
		self.assertIn("Reply YES", self.answer(self.text("CANCEL")))  # starting again works
		self.assertIn("is cancelled", self.answer(self.text("Y")))
		self.assertEqual(self.statuses(doc), ["Cancelled"])

	def test_the_guests_notice_still_applies(self):
		doc = book(
			self.strict,
			utc_now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=3),
			{
				**GUEST,
				"guest_phone": LATE_PHONE,
			},
		)
		self.assertIn("Reply YES", self.answer(self.text("CANCEL", sender=LATE_PHONE)))
		refused = self.answer(self.text("YES", sender=LATE_PHONE))
		self.assertIn("could not be cancelled", refused)
		frappe.db.rollback()
		self.assertIn(short_url(frappe.get_doc("Scheduler Booking", doc.name)), refused)
		self.assertEqual(self.statuses(doc), ["Confirmed"])
		self.assertEqual(
			frappe.db.get_value(
				"Scheduler SMS Reply", {"from_number": "14155550177", "body": "YES"}, "outcome"
			),
			"Refused",
		)

	# --- what changes nothing ---------------------------------------------------------------
	def test_bad_signatures_unknown_senders_and_strangers_change_nothing(self):
		doc = self.book(6)
		forged = [
			self.text("CANCEL", token="not-the-token"),
			self.text("CANCEL", unsigned=True),
			self.text("CANCEL", signature="0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
			# signed for another message or another URL
			self.text("CANCEL", signed_form={"Body": "hello", "From": PHONE}),
			self.text("CANCEL", signed_url=self.url + "?x=1"),
			self.text("CANCEL", signed_url=self.url.replace("http://", "https://")),
		]
		for response in forged:
			self.refused(response)
		self.assertEqual((self.replies(), self.statuses(doc)), (0, ["Confirmed"]))

		# a sender with no booking and no history: no answer, nothing stored
		for body in ("CANCEL", "YES", "hello"):
			self.assertEqual(self.answer(self.text(body, sender=STRANGER)), "")
		self.assertEqual((self.replies(), self.statuses(doc)), (0, ["Confirmed"]))

		# behind a proxy that ends TLS: the https URL Twilio was given is accepted
		behind = self.text(
			"CANCEL",
			signed_url=self.url.replace("http://", "https://"),
			headers={"X-Forwarded-Proto": "https"},
		)
		self.assertIn("Reply YES", self.answer(behind))
		# replies are off without a token: even a request signed with the old one is refused
		set_settings(twilio_auth_token="")
		try:
			self.refused(self.text("YES"))
		finally:
			set_settings(twilio_auth_token=TOKEN, **NO_RATE_LIMITS)
		self.assertEqual(self.statuses(doc), ["Confirmed"])
		self.assertEqual(self.replies(), 1)

	# --- the short link ---------------------------------------------------------------------
	def test_every_sms_carries_a_short_link_to_the_manage_page(self):
		gateway = Gateway()
		settings = frappe.get_single("SMS Settings")
		saved = settings.as_dict()
		settings.update(
			{
				"sms_gateway_url": gateway.url,
				"message_parameter": "text",
				"receiver_parameter": "to",
				"use_post": 1,
			}
		)
		settings.save(ignore_permissions=True)
		frappe.db.commit()
		try:
			doc = self.book(5)
			run_background_jobs()
			frappe.db.rollback()
			(row,) = frappe.get_all(
				"Scheduler Reminder",
				filters={"booking": doc.name, "channel": "SMS"},
				fields=["name", "due_at"],
			)
			reminders.dispatch_due(to_utc(row.due_at) + timedelta(seconds=1))
			run_background_jobs()
			frappe.db.rollback()
			self.assertEqual(frappe.db.get_value("Scheduler Reminder", row.name, "status"), "Sent")
			(sent,) = gateway.requests
			self.assertEqual(sent["to"], "4155550100")  # as typed, less its brackets, spaces, dashes
			text = sent["text"]
			link = short_url(frappe.get_doc("Scheduler Booking", doc.name))
			self.assertIn(f"Manage: {link}", text)
			self.assertTrue(text.endswith("Reply CANCEL to cancel."), text)
			self.assertLess(len(link), 60)  # the manage link itself is longer
			path = urlsplit(link).path
			self.assertRegex(path, r"^/b/[a-z2-7]{16}$")

			# the short link redirects to the manage page, which still carries the full token
			hop = self.server.get(path, allow_redirects=False, timeout=30)
			self.assertEqual(hop.status_code, 302, hop.text[:300])
			token = manage_token(frappe.get_doc("Scheduler Booking", doc.name))
			self.assertEqual(urlsplit(hop.headers["Location"]).path, f"/book/manage/{token}")
			self.assertIn("no-store", hop.headers["Cache-Control"])
			self.assertEqual(hop.headers["Referrer-Policy"], "no-referrer")
			page = self.server.get(urlsplit(hop.headers["Location"]).path, timeout=30)
			self.assertEqual(page.status_code, 200)
			self.assertIn("Sms Call", page.text)
			# wrong, malformed and expired codes lead nowhere
			for wrong in ("/b/" + "a" * 16, "/b/" + path[3:].upper()[:15], "/b/abc", "/b/" + path[3:] + "x"):
				self.assertEqual(
					self.server.get(wrong, allow_redirects=False, timeout=30).status_code, 404, wrong
				)
			frappe.db.set_value(
				"Scheduler Booking", doc.name, "token_expires", to_system(utc_now() - timedelta(minutes=1))
			)
			frappe.db.commit()
			self.assertEqual(self.server.get(path, allow_redirects=False, timeout=30).status_code, 404)

			# a template edited without the link: the link is added
			frappe.db.set_value(
				"Email Template", sms.TEMPLATE, "response", "See you at {{ appointment_time }}!"
			)
			frappe.clear_document_cache("Email Template", sms.TEMPLATE)
			edited = sms.reminder_text(frappe.get_doc("Scheduler Booking", doc.name))
			self.assertTrue(edited.startswith("See you at "), edited)
			self.assertTrue(edited.endswith(" " + link), edited)
		finally:
			gateway.close()
			frappe.db.rollback()
			frappe.clear_document_cache("Email Template", sms.TEMPLATE)
			for field in ("sms_gateway_url", "message_parameter", "receiver_parameter", "use_post"):
				frappe.db.set_single_value("SMS Settings", field, saved.get(field))
			frappe.db.commit()
