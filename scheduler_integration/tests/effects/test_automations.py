"""Lifecycle automations: follow-up emails after the meeting, the host's no-show task, SMS
reminders through Frappe's SMS Settings, and the automation log.

Real RQ workers, a local SMTP sink, and a local HTTP SMS gateway on 127.0.0.1 speaking what
Frappe's ``send_sms`` sends (a form POST). The tests drive the per-minute dispatcher
themselves with the site's scheduler paused, as the reminder tests do.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import frappe

from scheduler_integration.booking.presentation import plain
from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.effects import reminders
from scheduler_integration.outputs.email_values import email_values
from scheduler_integration.rules.locales import short_time
from scheduler_integration.tests.factory import (
	Outbox,
	SchedulerPaused,
	book,
	clear_bookings,
	make_host,
	make_type,
	run_background_jobs,
)
from scheduler_integration.tests.live import cleanup, purge_guests
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-auto-host@example.com"
GUEST_EMAIL = "flo-follow@example.org"
GUEST = {"guest_name": "Flo Follow", "guest_email": GUEST_EMAIL, "booker_timezone": "Europe/Berlin"}
SEED_004 = (
	"contact_name",
	"appointment_date",
	"appointment_time",
	"appointment_duration",
	"service_name",
	"video_link",
	"video_password",
	"calendar_link",
	"staff_name",
	"location_details",
)


class Gateway:
	"""A local SMS gateway: records each request's form and answers ``status``."""

	def __init__(self):
		self.requests: list[dict] = []
		self.status = 200
		gateway = self

		class Handler(BaseHTTPRequestHandler):
			def do_POST(self):
				length = int(self.headers.get("Content-Length") or 0)
				form = parse_qs(self.rfile.read(length).decode())
				gateway.requests.append({"path": self.path, "form": {k: v[0] for k, v in form.items()}})
				self.send_response(gateway.status)
				self.send_header("Content-Type", "text/plain")
				self.end_headers()
				self.wfile.write(b"OK" if gateway.status < 300 else b"refused")

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def close(self):
		self.server.shutdown()
		self.server.server_close()


@every_site
class TestAutomations(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cls.paused = SchedulerPaused()  # these tests drive the dispatcher themselves
			cls.outbox = Outbox()
			cls.profile = make_host(HOST, "auto-host", tz="UTC")
			cls.mt = make_type(
				cls.profile,
				"consult",
				30,
				send_thank_you=1,
				thank_you_delay=90,
				feedback_url="https://survey.example.com/f/1",
				send_no_show_follow_up=1,
				no_show_delay=15,
				no_show_task=1,
				send_win_back=1,
				win_back_delay=120,
			)
		except Exception:  # leave the site as found even when setting up failed
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		if getattr(cls, "outbox", None):
			cls.outbox.close()
		clear_bookings([HOST])
		purge_guests([GUEST_EMAIL])
		cleanup([HOST], delete_users=True)
		if getattr(cls, "paused", None):
			cls.paused.resume()
		super().tearDownClass()

	def setUp(self):
		clear_bookings([HOST])
		purge_guests([GUEST_EMAIL])
		frappe.db.commit()

	# --- helpers ---

	def start_in(self, **delta):
		moment = utc_now() + timedelta(**delta)
		return moment.replace(minute=0 if moment.minute < 30 else 30, second=0, microsecond=0)

	def book(self, start, meeting_type=None, **guest):
		doc = book(meeting_type or self.mt, start, {**GUEST, **guest})
		run_background_jobs()
		frappe.db.commit()
		return frappe.get_doc("Scheduler Booking", doc.name)

	def settle(self):
		frappe.db.commit()
		run_background_jobs()
		frappe.db.rollback()

	def row(self, booking, kind):
		rows = frappe.get_all(
			"Scheduler Reminder",
			filters={"booking": booking, "kind": kind},
			fields=["name", "status", "due_at", "skip_reason", "attempts", "last_error", "next_attempt_at"],
		)
		self.assertEqual(len(rows), 1, rows)
		return rows[0]

	def mails(self, booking, text):
		return [
			m
			for m in frappe.get_all("Email Queue", filters={"reference_name": booking}, pluck="message")
			if text in m
		]

	def dispatch(self, moment):
		claimed = reminders.dispatch_due(moment)
		run_background_jobs()
		frappe.db.rollback()
		return claimed

	def log(self, booking, automation, result=None):
		filters = {"booking": booking, "automation": automation}
		if result:
			filters["result"] = result
		return frappe.get_all(
			"Scheduler Automation Log",
			filters=filters,
			fields=["result", "channel", "recipient", "reference_doctype", "reference_name", "error"],
		)

	# --- follow-ups ---

	def test_thank_you_once_after_its_delay_with_the_feedback_link(self):
		doc = self.book(self.start_in(hours=3))
		end = to_utc(doc.end)
		doc.mark_completed(now=end + timedelta(minutes=1))
		self.settle()
		row = self.row(doc.name, "Thank You")
		self.assertEqual((row.status, to_utc(row.due_at)), ("Pending", end + timedelta(minutes=90)))
		self.assertEqual(self.dispatch(end + timedelta(minutes=89)), [], "not before its delay")
		claimed = self.dispatch(end + timedelta(minutes=91))
		self.assertEqual(claimed, [row.name])
		self.assertEqual(self.dispatch(end + timedelta(minutes=92)), [], "claimed once")
		self.assertEqual(reminders.send(row.name), "Sent", "a late duplicate job sends nothing")
		frappe.db.rollback()
		mails = self.mails(doc.name, "Thank you")
		self.assertEqual(len(mails), 1)
		self.assertIn("https://survey.example.com/f/1", mails[0])
		self.assertIn("/book/auto-host/consult", mails[0])
		self.assertEqual(
			frappe.db.get_value(
				"Email Queue", {"reference_name": doc.name, "message": ("like", "%Thank you%")}, "status"
			),
			"Sent",
			"handed to the mail server right after its commit",
		)
		(entry,) = self.log(doc.name, "thank_you")
		self.assertEqual((entry.result, entry.channel, entry.recipient), ("Success", "Email", GUEST_EMAIL))
		self.assertTrue(frappe.db.exists(entry.reference_doctype, entry.reference_name))

	def test_no_show_follow_up_the_hosts_task_and_a_corrected_outcome(self):
		missed = self.book(self.start_in(hours=3))
		end = to_utc(missed.end)
		missed.mark_no_show(now=end)
		self.settle()
		row = self.row(missed.name, "No-show Follow-up")
		self.assertEqual(to_utc(row.due_at), end + timedelta(minutes=15))
		missed = frappe.get_doc("Scheduler Booking", missed.name)
		(task,) = [r for r in missed.crm_records if r.purpose == "No-show Task"]
		self.assertEqual(
			frappe.db.get_value(task.record_type, task.record_name, ["priority", "owner"]), ("High", HOST)
		)
		(entry,) = self.log(missed.name, "no_show", "Success")
		self.assertEqual((entry.channel, entry.reference_name), ("Task", task.record_name))
		self.dispatch(end + timedelta(minutes=16))
		mails = self.mails(missed.name, "We missed you")
		self.assertEqual(len(mails), 1)
		self.assertIn("/book/auto-host/consult", mails[0])
		self.assertEqual(len(self.log(missed.name, "no_show", "Success")), 2)  # the task, the email

		# a host marks a no-show, then corrects it to completed before the follow-up went out
		other = self.book(self.start_in(hours=5))
		end = to_utc(other.end)
		other.mark_no_show(now=end)
		self.settle()
		other = frappe.get_doc("Scheduler Booking", other.name)
		other.mark_completed(now=end + timedelta(minutes=5))
		self.settle()
		skipped = self.row(other.name, "No-show Follow-up")
		self.assertEqual(skipped.status, "Skipped")
		self.assertEqual(self.row(other.name, "Thank You").status, "Pending")
		(task,) = [
			r
			for r in frappe.get_doc("Scheduler Booking", other.name).crm_records
			if r.purpose == "No-show Task"
		]
		self.assertIn(
			frappe.db.get_value(task.record_type, task.record_name, "status"), ("Canceled", "Cancelled")
		)
		self.dispatch(end + timedelta(days=1))
		self.assertEqual(self.mails(other.name, "We missed you"), [])
		self.assertEqual(len(self.mails(other.name, "Thank you")), 1)

	def test_win_back_with_a_rebooking_link_unless_the_guest_booked_again(self):
		doc = self.book(self.start_in(hours=6))
		doc.cancel("Something came up")
		self.settle()
		doc = frappe.get_doc("Scheduler Booking", doc.name)
		row = self.row(doc.name, "Win-back")
		self.assertEqual(to_utc(row.due_at), to_utc(doc.cancelled_at) + timedelta(minutes=120))
		self.dispatch(to_utc(row.due_at) + timedelta(seconds=1))
		mails = self.mails(doc.name, "Still want to meet")
		self.assertEqual(len(mails), 1)
		self.assertIn("/book/auto-host/consult", mails[0])

		# cancelled, then booked again before the win-back fell due: no win-back
		second = self.book(self.start_in(hours=8))
		second.cancel("Wrong day")
		self.settle()
		self.book(self.start_in(hours=10))
		due = to_utc(self.row(second.name, "Win-back").due_at)
		self.dispatch(due + timedelta(seconds=1))
		row = self.row(second.name, "Win-back")
		self.assertEqual(row.status, "Skipped")
		self.assertIn("booked again", row.skip_reason)
		self.assertEqual(self.mails(second.name, "Still want to meet"), [])
		(entry,) = self.log(second.name, "win_back")
		self.assertEqual(entry.result, "Skipped")

	def test_each_follow_up_can_be_switched_off_per_meeting_type(self):
		quiet = make_type(
			self.profile,
			"quiet",
			30,
			send_thank_you=0,
			send_no_show_follow_up=0,
			no_show_task=0,
			send_win_back=0,
		)
		held = self.book(self.start_in(hours=3), quiet)
		held.mark_completed(now=to_utc(held.end))
		missed = self.book(self.start_in(hours=4), quiet)
		missed.mark_no_show(now=to_utc(missed.end))
		gone = self.book(self.start_in(hours=5), quiet)
		gone.cancel("no")
		self.settle()
		for doc in (held, missed, gone):
			self.assertEqual(
				frappe.db.count("Scheduler Reminder", {"booking": doc.name, "kind": ("!=", "Reminder")}), 0
			)
		self.assertFalse(
			[
				r
				for r in frappe.get_doc("Scheduler Booking", missed.name).crm_records
				if r.purpose == "No-show Task"
			]
		)

	# --- variables ---

	def test_email_values_carry_seed_004_variables(self):
		doc = self.book(self.start_in(hours=30))
		doc.meeting_link = "https://meet.example.com/abc-defg-hij"
		doc.meeting_password = "481516"  # the video providers' field, read with .get()
		guest = email_values(doc, "guest")
		host = email_values(doc, "host", HOST)
		self.assertTrue(set(SEED_004) <= set(guest) and set(SEED_004) <= set(host))
		self.assertEqual(guest["contact_name"], "Flo Follow")
		self.assertEqual(guest["service_name"], "Consult")
		self.assertEqual(guest["appointment_duration"], "30")
		self.assertEqual((guest["video_link"], guest["video_password"]), (doc.meeting_link, "481516"))
		self.assertEqual(guest["staff_name"], frappe.utils.get_fullname(HOST))
		self.assertEqual(guest["location_details"], plain(doc.location))
		self.assertIn("scheduler_integration.api.public.ics?token=", guest["calendar_link"])
		self.assertEqual(host["calendar_link"], "", "the guest's token is only the guest's")
		# each on the reader's clock: the guest in Berlin, the host in UTC
		from zoneinfo import ZoneInfo

		start = to_utc(doc.start)
		self.assertEqual(
			guest["appointment_time"], start.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
		)
		# the host in UTC reads English's own clock (no region in the zone: 12-hour)
		self.assertEqual(host["appointment_time"], short_time(start, "en"))
		self.assertNotEqual(guest["appointment_time"], host["appointment_time"])
		text = frappe.render_template(" | ".join("{{ %s }}" % name for name in SEED_004), guest)
		self.assertEqual(text.count("|"), len(SEED_004) - 1)
		self.assertIn("481516", text)

	# --- SMS ---

	def test_sms_reminder_reaches_the_local_gateway(self):
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
		settings.set("parameters", [{"parameter": "api_key", "value": "k-123", "header": 0}])
		settings.save(ignore_permissions=True)
		frappe.db.commit()
		texting = make_type(
			self.profile, "sms-call", 30, sms_reminders=1, sms_reminder_offsets="120", reminder_offsets="1440"
		)
		try:
			doc = self.book(self.start_in(hours=5), texting, guest_phone="+49 (30) 1234-5678")
			silent = self.book(self.start_in(hours=6), texting)  # no phone: no SMS
			self.assertEqual(
				frappe.db.count("Scheduler Reminder", {"booking": silent.name, "channel": "SMS"}), 0
			)
			rows = frappe.get_all(
				"Scheduler Reminder",
				filters={"booking": doc.name, "channel": "SMS"},
				fields=["name", "due_at", "offset_minutes", "status"],
			)
			self.assertEqual(len(rows), 1, rows)
			self.assertEqual(to_utc(rows[0].due_at), to_utc(doc.start) - timedelta(minutes=120))
			self.dispatch(to_utc(rows[0].due_at) + timedelta(seconds=1))
			self.assertEqual(len(gateway.requests), 1, gateway.requests)
			form = gateway.requests[0]["form"]
			self.assertEqual((form["to"], form["api_key"]), ("+493012345678", "k-123"))
			self.assertIn("Sms Call", form["text"])
			sent = frappe.db.get_value(
				"Scheduler Reminder", rows[0].name, ["status", "last_error"], as_dict=True
			)
			self.assertEqual(sent.status, "Sent", sent.last_error)
			(entry,) = self.log(doc.name, "reminder", "Success")
			self.assertEqual((entry.channel, entry.recipient), ("SMS", "+493012345678"))
			if frappe.db.exists("DocType", "SMS Log"):  # ERPNext's
				self.assertEqual(entry.reference_doctype, "SMS Log")
				self.assertTrue(frappe.db.exists("SMS Log", {"sent_to": "+493012345678"}))

			# the gateway refuses: retried with backoff, the failure logged, then sent
			gateway.status = 500
			other = self.book(self.start_in(hours=7), texting, guest_phone="+1 555 010 0123")
			row = frappe.get_all(
				"Scheduler Reminder", filters={"booking": other.name, "channel": "SMS"}, pluck="name"
			)[0]
			due = to_utc(frappe.db.get_value("Scheduler Reminder", row, "due_at"))
			self.dispatch(due)
			failed = frappe.db.get_value(
				"Scheduler Reminder", row, ["status", "attempts", "last_error"], as_dict=True
			)
			self.assertEqual((failed.status, failed.attempts), ("Pending", 1))
			self.assertIn("500", failed.last_error)
			(entry,) = self.log(other.name, "reminder", "Failed")
			self.assertIn("500", entry.error)
			gateway.status = 200
			retry_at = to_utc(frappe.db.get_value("Scheduler Reminder", row, "next_attempt_at"))
			# (the backoff counts from the real clock, the test's dispatcher from the due time)
			claimed = self.dispatch(max(due, retry_at) + timedelta(seconds=1))
			retried = frappe.db.get_value(
				"Scheduler Reminder", row, ["status", "last_error", "attempts"], as_dict=True
			)
			self.assertEqual(retried.status, "Sent", (retried, claimed, retry_at, len(gateway.requests)))
			self.assertEqual(
				[r["form"]["to"] for r in gateway.requests], ["+493012345678", "+15550100123", "+15550100123"]
			)
		finally:
			gateway.close()
			frappe.db.rollback()
			# SMS Settings as they were (empty ones cannot be saved through the form's checks)
			for field in ("sms_gateway_url", "message_parameter", "receiver_parameter", "use_post"):
				frappe.db.set_single_value("SMS Settings", field, saved.get(field))
			frappe.db.delete("SMS Parameter", {"parenttype": "SMS Settings"})
			for index, row in enumerate(saved.get("parameters") or [], start=1):
				frappe.get_doc(
					{
						"doctype": "SMS Parameter",
						"parent": "SMS Settings",
						"parenttype": "SMS Settings",
						"parentfield": "parameters",
						"idx": index,
						**{k: row.get(k) for k in ("parameter", "value", "header")},
					}
				).db_insert()
			frappe.clear_document_cache("SMS Settings", "SMS Settings")
			if frappe.db.exists("DocType", "SMS Log"):
				frappe.db.delete("SMS Log", {"sent_to": ("in", ["+493012345678", "+15550100123"])})
			frappe.db.commit()
