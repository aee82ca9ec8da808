"""What the effects do after a booking's answer, against the site's real RQ workers (issue 50,
items 1 and 3): a desk form opened before the CRM effect stored the guest's Contact keeps it
when it is saved after (``booking.fields.store_after_answer``, rule 0), and rows a change
planned while a job ran the booking's earlier rows run when that job finishes, not at the
minute's sweep (``effects.table.run_booking``).

The local SMTP sink holds the first job at its confirmation email (``SmtpSink.hold``): the
CRM effect, which runs after the email, waits there, so "before the effect" is a fixed point,
not a race. The site's scheduler is paused, so no per-minute sweep runs what the jobs leave.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import frappe
from frappe.utils.background_jobs import get_workers

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
from scheduler_integration.tests.live import LiveServer, body, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-after-host@example.com"
PUBLIC = "scheduler_integration.api.public"
EFFECT = "Scheduler Booking Effect"


class TestEffectsAfterTheAnswer(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.paused = SchedulerPaused()
		cls.outbox = Outbox()
		cls.profile = make_host(HOST, "after-host", start="08:00", end="18:00")
		cls.mt = make_type(cls.profile, "after-call", 30)
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.as_host = cls.server.session(HOST)
		cls.day = future_day(12)

	@classmethod
	def tearDownClass(cls):
		cls.outbox.sink.release()
		frappe.db.rollback()
		cls.paused.resume()
		cls.outbox.close()
		set_settings(**cls._saved)
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		if not get_workers():
			self.skipTest("needs the site's RQ workers (the bench suite runs them)")
		clear_bookings([HOST])
		self.outbox.sink.release()

	def tearDown(self):
		self.outbox.sink.release()
		run_background_jobs()

	# --- helpers ---------------------------------------------------------------------

	def book(self, hour: int, email: str) -> dict:
		r = self.guest.post(
			method_url(self.server, f"{PUBLIC}.book"),
			json={
				"profile": "after-host",
				"meeting_type": "after-call",
				"start": iso(self.day + timedelta(hours=hour)),
				"name": "Aft Guest",
				"email": email,
				"timezone": "UTC",
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 201, r.text)
		return body(r)["data"]

	def until(self, what, condition, timeout: float = 45) -> None:
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			frappe.db.rollback()  # a fresh snapshot
			if condition():
				return
			time.sleep(0.2)
		self.fail(f"{what}: not within {timeout:.0f} s")

	def rows(self, booking: str) -> list:
		return frappe.get_all(
			EFFECT, {"booking": booking}, ["lifecycle_event", "effect", "status"], order_by="creation, seq"
		)

	def held_at_the_email(self, booking: str) -> None:
		"""The booking's first job sent its confirmation and waits for the mail server; its
		CRM row is claimed and not run yet."""
		self.until("the first job at its email", lambda: self.outbox.sink.waiting >= 1)
		(crm,) = [row for row in self.rows(booking) if row.effect == "crm"]
		self.assertEqual(crm.status, "Running")
		self.assertFalse(frappe.db.get_value("Scheduler Booking", booking, "contact"))

	# --- item 1: a desk form opened before the effect ----------------------------------

	def test_a_desk_form_opened_before_the_crm_effect_keeps_its_contact(self):
		self.outbox.sink.hold()
		booking = self.book(10, "after-form@example.org")["id"]
		self.held_at_the_email(booking)
		# the host opens the booking in the desk now: no Contact yet
		r = self.as_host.get(
			method_url(self.server, "frappe.desk.form.load.getdoc"),
			params={"doctype": "Scheduler Booking", "name": booking},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		form = r.json()["docs"][0]
		self.assertFalse(form.get("contact"))
		self.outbox.sink.release()
		self.until(
			"the CRM effect",
			lambda: (
				all(row.status == "Done" for row in self.rows(booking))
				and frappe.db.get_value("Scheduler Booking", booking, "contact")
			),
		)
		stored = frappe.db.get_value(
			"Scheduler Booking", booking, ["contact", "crm_doctype", "crm_name"], as_dict=True
		)
		# … and saves the form opened before: the host's change is stored, the effect's kept
		form["notes"] = "Bring the Q3 figures"
		r = self.as_host.post(
			method_url(self.server, "frappe.desk.form.save.savedocs"),
			data={"doc": json.dumps(form), "action": "Save"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text[:500])
		frappe.db.rollback()
		after = frappe.db.get_value(
			"Scheduler Booking", booking, ["contact", "crm_doctype", "crm_name", "notes"], as_dict=True
		)
		self.assertEqual(after.notes, "Bring the Q3 figures")
		self.assertEqual(
			(after.contact, after.crm_doctype, after.crm_name),
			(stored.contact, stored.crm_doctype, stored.crm_name),
		)
		# the form opened after the effect, saved with the Contact cleared by its user: cleared
		r = self.as_host.get(
			method_url(self.server, "frappe.desk.form.load.getdoc"),
			params={"doctype": "Scheduler Booking", "name": booking},
			timeout=30,
		)
		form = r.json()["docs"][0]
		form["contact"] = None
		r = self.as_host.post(
			method_url(self.server, "frappe.desk.form.save.savedocs"),
			data={"doc": json.dumps(form), "action": "Save"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text[:500])
		frappe.db.rollback()
		self.assertFalse(frappe.db.get_value("Scheduler Booking", booking, "contact"))

	# --- item 3: rows planned while a job ran -----------------------------------------------

	def test_a_move_planned_while_a_job_ran_is_run_when_that_job_finishes(self):
		self.outbox.sink.hold()
		data = self.book(11, "after-move@example.org")
		booking, token = data["id"], data["manage_url"].rsplit("/", 1)[1]
		self.held_at_the_email(booking)
		new_start = self.day + timedelta(hours=15)
		r = self.guest.post(
			method_url(self.server, f"{PUBLIC}.reschedule"),
			json={"token": token, "start": iso(new_start), "timezone": "UTC"},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text)
		# the move's CRM row waits for the booking's, which the held job has claimed
		self.until(
			"the move's rows planned",
			lambda: any(row.lifecycle_event == "rescheduled" for row in self.rows(booking)),
		)
		self.outbox.sink.release()
		# no sweep runs (the scheduler is paused): the jobs themselves finish every row
		self.until(
			"every effect row of the booking and its move",
			lambda: all(row.status == "Done" for row in self.rows(booking)),
			timeout=30,
		)
		event = frappe.db.get_value(
			"Scheduler Booking Host", {"parent": booking, "parenttype": "Scheduler Booking"}, "event"
		)
		self.assertTrue(event)
		self.assertEqual(
			frappe.db.get_value("Event", event, "starts_on"),
			frappe.db.get_value("Scheduler Booking", booking, "start"),
		)

	# --- the hosts' emails, an effect of their own -------------------------------------

	def test_the_guests_email_is_its_own_row_and_goes_before_the_hosts(self):
		self.outbox.sink.hold()
		hosts_before = self.outbox.sink.counts.get(HOST, 0)
		booking = self.book(16, "after-first@example.org")["id"]
		self.held_at_the_email(booking)
		self.assertEqual([row.effect for row in self.rows(booking)][:3], ["email", "host_email", "crm"])
		self.outbox.sink.release()
		self.until("every row", lambda: all(row.status == "Done" for row in self.rows(booking)))
		sink = self.outbox.sink  # a row is done once its mail is queued; it arrives after that
		self.until(
			"both emails",
			lambda: "after-first@example.org" in sink.received and sink.counts.get(HOST, 0) > hosts_before,
		)
		guest, host = sink.received["after-first@example.org"], sink.received[HOST]
		self.assertLess(guest, host, "the guest's confirmation was handed over before the host's email")

	def test_a_guests_email_waiting_from_before_the_split_still_tells_the_host(self):
		"""patches.host_email_rows: an email row not done when the hosts' emails got their
		own effect gets the host's row it would have been followed by, once."""
		from scheduler_integration.patches import host_email_rows

		before = self.outbox.sink.counts.get(HOST, 0)
		booking = self.book(14, "after-split@example.org")["id"]
		self.until("every row", lambda: all(row.status == "Done" for row in self.rows(booking)))
		# a row is done once its mail is queued; a worker hands it to the server after that
		self.until("the host's first email", lambda: self.outbox.sink.counts.get(HOST, 0) > before)
		hosts_mails = self.outbox.sink.counts.get(HOST, 0)
		# as a site had it before the split: the email row waiting (for its retry in an hour),
		# no host_email row, and no record of what the hosts heard
		frappe.db.sql(
			f"update `tab{EFFECT}` set status = 'Pending', next_attempt_at = now() + interval 1 hour"
			" where booking = %s and effect = 'email'",
			booking,
		)
		frappe.db.set_value("Scheduler Booking", booking, "host_changes", None, update_modified=False)
		frappe.db.delete(EFFECT, {"booking": booking, "effect": "host_email"})
		frappe.db.commit()
		host_email_rows.execute()
		frappe.db.commit()
		host_email_rows.execute()  # run twice: still one row
		frappe.db.commit()
		self.until(
			"the host's row",
			lambda: (
				[
					(row.lifecycle_event, row.status)
					for row in self.rows(booking)
					if row.effect == "host_email"
				]
				== [("booked", "Done")]
			),
		)
		self.until("the host's email", lambda: self.outbox.sink.counts.get(HOST, 0) > hosts_mails)
		time.sleep(2)  # and no second one
		self.assertEqual(self.outbox.sink.counts.get(HOST, 0), hosts_mails + 1)
		email_row = [row for row in self.rows(booking) if row.effect == "email"]
		self.assertEqual([row.status for row in email_row], ["Pending"], "the guest's waits for its retry")
