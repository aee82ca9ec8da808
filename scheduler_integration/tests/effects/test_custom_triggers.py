"""Custom automation triggers, as docs/automations.md describes them: core Webhook and
Notification records on Scheduler Booking, saved as the desk saves them, follow a booking
through the app's own paths (a guest books and reschedules and cancels on the public API, the
host confirms and marks a no-show on the host API, all over real HTTP; the scheduler's job
completes a meeting that is over).

The Webhooks post to a local HTTP server on 127.0.0.1 from a background job, as Frappe runs
them (the site's workers, or this process's own worker); the Notification's emails are
Email Queue rows, sent from a non-default outgoing account to a local SMTP sink. Everything
made is deleted again, with the request log and the communications Frappe kept.
"""

from __future__ import annotations

import email
import email.policy
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import frappe

from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	SchedulerPaused,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, body, cleanup, guest_book, method_url, purge_guests
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-triggers-host@example.com"
GUEST = "tina-trigger@example.org"
PREFIX = "Scheduler Test Trigger"
PAGE = "triggers-host"
WAIT = 120  # seconds at most for the webhook jobs to reach the receiver


class Receiver:
	"""A local HTTP endpoint that keeps each request's path, headers and JSON body."""

	def __init__(self):
		self.requests: list[dict] = []
		receiver = self

		class Handler(BaseHTTPRequestHandler):
			def do_POST(self):
				length = int(self.headers.get("Content-Length") or 0)
				raw = self.rfile.read(length).decode()
				receiver.requests.append(
					{"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)}
				)
				self.send_response(200)
				self.send_header("Content-Type", "text/plain")
				self.end_headers()
				self.wfile.write(b"OK")

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def posts(self, path: str) -> list[dict]:
		return [r["body"] for r in self.requests if r["path"] == path]

	def close(self):
		self.server.shutdown()
		self.server.server_close()


class TestCustomTriggers(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cls.remove_triggers()
			cleanup([HOST], delete_users=True)  # what a run that stopped half-way left
			# the completion job runs when the test says (a tick between a meeting's start and
			# its no-show would complete it first)
			cls.paused = SchedulerPaused()
			cls.settings = set_settings(**NO_RATE_LIMITS)
			cls.outbox = Outbox()
			cls.receiver = Receiver()
			cls.profile = make_host(HOST, PAGE, tz="UTC")
			cls.mt = make_type(cls.profile, "trigger-call", 30, requires_confirmation=1)
			cls.slug = frappe.db.get_value("Scheduler Meeting Type", cls.mt, "slug")
			cls.make_triggers()
			cls.server = LiveServer.get_instance()
			cls.host = cls.server.session(HOST)
		except Exception:  # leave the site as found even when setting up failed
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		run_background_jobs()
		cls.remove_triggers()
		bookings = frappe.get_all("Scheduler Booking", filters={"host": HOST}, pluck="name")
		cls.remove_communications(bookings)
		clear_bookings([HOST])
		purge_guests([GUEST])
		cleanup([HOST], delete_users=True)
		if getattr(cls, "outbox", None):
			cls.outbox.close()
		if getattr(cls, "settings", None):
			set_settings(**cls.settings)
		if getattr(cls, "receiver", None):
			cls.receiver.close()
		if getattr(cls, "paused", None):
			cls.paused.resume()
		super().tearDownClass()

	# --- the triggers, as a host admin saves them in the desk ---

	@classmethod
	def make_triggers(cls):
		frappe.set_user("Administrator")
		hooks = {
			# every new booking (insert runs after_insert once; on_change never fires on insert)
			"booked": ("after_insert", "", '"status": "{{ doc.status }}", "guest": "{{ doc.guest_email }}"'),
			# the docs' example: every cancellation, with its reason
			"cancelled": (
				"on_update",
				'doc.status == "Cancelled"',
				'"guest": "{{ doc.guest_email }}", "reason": "{{ doc.cancel_reason }}"',
			),
			# every change after the booking was made: status, time and reschedule count
			"changed": (
				"on_change",
				"",
				'"status": "{{ doc.status }}", "start": "{{ doc.start }}", "sequence": {{ doc.sequence or 0 }}',
			),
		}
		for path, (event, condition, fields) in hooks.items():
			frappe.get_doc(
				{
					"doctype": "Webhook",
					"__newname": f"{PREFIX} {path}",  # the name the desk's new-record prompt asks for
					"webhook_doctype": "Scheduler Booking",
					"webhook_docevent": event,
					"condition": condition,
					"request_url": f"{cls.receiver.url}/{path}",
					"request_method": "POST",
					"request_structure": "JSON",
					"webhook_json": '{"booking": "{{ doc.name }}", ' + fields + "}",
					"enabled": 1,
				}
			).insert()
		frappe.get_doc(
			{
				"doctype": "Notification",
				"name": f"{PREFIX} Status",
				"subject": "Booking {{ doc.name }} is {{ doc.status }}",
				"document_type": "Scheduler Booking",
				"event": "Value Change",
				"value_changed": "status",
				"channel": "Email",
				# the account and its address, as the desk fills them in: without an address
				# Frappe sends from the default outgoing account, which a site may not have
				"sender": Outbox.NAME,
				"sender_email": Outbox.ADDRESS,
				"recipients": [{"receiver_by_document_field": "guest_email"}],
				"message": "<p>{{ doc.guest_name }}: your meeting is now {{ doc.status }}.</p>",
				"enabled": 1,
			}
		).insert()
		frappe.db.commit()

	@classmethod
	def remove_triggers(cls):
		frappe.set_user("Administrator")
		hooks = frappe.get_all("Webhook", filters={"name": ("like", f"{PREFIX} %")}, pluck="name")
		frappe.db.delete("Webhook Request Log", {"webhook": ("in", hooks or [""])})
		for name in hooks:
			frappe.delete_doc("Webhook", name, ignore_permissions=True, force=True)
		# Frappe's Webhook drops its cached list of webhooks on save, not on delete: every
		# later save of a booking (here, in the web server, in the workers) would still queue
		# the deleted ones until something cleared the cache
		frappe.cache.delete_value("webhooks")
		# a failed send is logged against the Notification
		frappe.db.delete(
			"Error Log", {"reference_doctype": "Notification", "reference_name": f"{PREFIX} Status"}
		)
		if frappe.db.exists("Notification", f"{PREFIX} Status"):
			frappe.delete_doc("Notification", f"{PREFIX} Status", ignore_permissions=True, force=True)
		frappe.db.commit()

	@classmethod
	def remove_communications(cls, bookings):
		"""The Communications Frappe keeps of each Notification email, with their links."""
		names = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Scheduler Booking", "reference_name": ("in", bookings or [""])},
			pluck="name",
		)
		frappe.db.delete("Communication Link", {"parent": ("in", names or [""])})
		frappe.db.delete("Communication", {"name": ("in", names or [""])})
		frappe.db.commit()

	# --- helpers ---

	def api(self, session, dotted: str, **data) -> dict:
		r = session.post(
			method_url(self.server, f"scheduler_integration.api.{dotted}"), json=data, timeout=60
		)
		self.assertLess(r.status_code, 300, r.text[:300])
		return body(r)["data"]

	def book(self, start) -> tuple[str, str]:
		r = guest_book(self.server, PAGE, self.slug, iso(start), name="Tina Trigger", email=GUEST)
		self.assertEqual(r.status_code, 201, r.text[:300])
		data = body(r)["data"]
		return data["id"], data["manage_url"].rsplit("/", 1)[1]

	def started(self, name: str) -> None:
		"""The meeting began two hours ago (as if the clock had moved on)."""
		start = utc_now().replace(microsecond=0) - timedelta(hours=2)
		frappe.db.set_value(
			"Scheduler Booking",
			name,
			{"start": to_system(start), "end": to_system(start + timedelta(minutes=30))},
			update_modified=False,
		)
		frappe.db.commit()

	def wait_for(self, path: str, booking: str, count: int) -> list[dict]:
		"""The posts to ``path`` about ``booking`` once there are ``count`` (the webhook jobs
		run on the site's workers, or here), within WAIT seconds."""
		deadline = time.monotonic() + WAIT
		while True:
			found = [post for post in self.receiver.posts(f"/{path}") if post["booking"] == booking]
			if len(found) >= count or time.monotonic() > deadline:
				return found
			run_background_jobs()
			time.sleep(0.2)

	def mails(self, booking: str) -> list[tuple[str, list[str]]]:
		"""The Notification's Email Queue rows of ``booking``: (subject, recipients)."""
		frappe.db.commit()  # a fresh snapshot
		rows = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Scheduler Booking", "reference_name": booking},
			fields=["name", "message", "creation"],
			order_by="creation asc",
		)
		out = []
		for row in rows:
			subject = str(email.message_from_string(row.message, policy=email.policy.default)["Subject"])
			if not subject.startswith(f"Booking {booking} is "):
				continue  # the app's own booking emails
			recipients = frappe.get_all(
				"Email Queue Recipient", filters={"parent": row.name}, pluck="recipient", order_by="idx asc"
			)
			out.append((subject, recipients))
		return out

	# --- the test ---

	def test_webhooks_and_notifications_follow_a_booking(self):
		guest = self.server.session(None)
		day = future_day(5)
		name, token = self.book(day + timedelta(hours=9))  # Pending: the type asks the host first
		self.api(self.host, "booking.confirm_booking", booking=name)
		self.api(guest, "public.reschedule", token=token, start=iso(day + timedelta(hours=11)))
		self.api(guest, "public.cancel", token=token, reason="Plans changed")
		missed, _token = self.book(day + timedelta(hours=14))
		self.api(self.host, "booking.confirm_booking", booking=missed)
		self.started(missed)
		self.api(self.host, "booking.mark_no_show", booking=missed)
		done, _token = self.book(day + timedelta(hours=16))
		self.api(self.host, "booking.confirm_booking", booking=done)
		self.started(done)
		# the scheduler's job that completes meetings whose end has passed, run as a job
		frappe.enqueue("scheduler_integration.jobs.bookings.complete_past_bookings", queue="short")
		run_background_jobs()

		# after_insert: once per booking, as it was made
		for booking in (name, missed, done):
			self.assertEqual(
				self.wait_for("booked", booking, 1),
				[{"booking": booking, "status": "Pending", "guest": GUEST}],
			)
		# on_update with a condition on the status: the cancellation, with its reason
		self.assertEqual(
			self.wait_for("cancelled", name, 1),
			[{"booking": name, "guest": GUEST, "reason": "Plans changed"}],
		)
		# on_change: every change after the insert, one request per change (jobs may run side
		# by side on two workers, so in any order)
		when = lambda hour: f"{to_system(day + timedelta(hours=hour)):%Y-%m-%d %H:%M:%S}"  # noqa: E731
		changes = self.wait_for("changed", name, 3)
		self.assertEqual(
			sorted((c["status"], c["sequence"], c["start"]) for c in changes),
			[("Cancelled", 1, when(11)), ("Confirmed", 0, when(9)), ("Confirmed", 1, when(11))],
		)
		changes = self.wait_for("changed", missed, 2)
		self.assertEqual(sorted(c["status"] for c in changes), ["Confirmed", "No Show"])
		changes = self.wait_for("changed", done, 2)
		self.assertEqual(sorted(c["status"] for c in changes), ["Completed", "Confirmed"])
		# and nothing more came: a booking's effects (emails, calendar, CRM) post nothing
		run_background_jobs()
		self.assertEqual(len(self.receiver.requests), 11, self.receiver.requests)
		self.assertEqual(self.receiver.posts("/cancelled"), [self.wait_for("cancelled", name, 1)[0]])
		# Frappe logs each request it made, with the receiver's answer
		logs = frappe.get_all(
			"Webhook Request Log",
			filters={"webhook": ("like", f"{PREFIX} %"), "reference_document": ("in", [name, missed, done])},
			pluck="response",
		)
		self.assertEqual(logs, ["OK"] * 11)

		# the Notification (Value Change of status): one email per change of status, to the
		# guest, none for the new booking (no change yet) nor for the reschedule (same status)
		self.assertEqual(
			sorted(self.mails(name)),
			[(f"Booking {name} is Cancelled", [GUEST]), (f"Booking {name} is Confirmed", [GUEST])],
		)
		self.assertEqual(
			sorted(self.mails(missed)),
			[(f"Booking {missed} is Confirmed", [GUEST]), (f"Booking {missed} is No Show", [GUEST])],
		)
		self.assertEqual(
			sorted(self.mails(done)),
			[(f"Booking {done} is Completed", [GUEST]), (f"Booking {done} is Confirmed", [GUEST])],
		)
		self.assertFalse(
			frappe.db.exists(
				"Error Log", {"reference_doctype": "Notification", "reference_name": f"{PREFIX} Status"}
			)
		)
