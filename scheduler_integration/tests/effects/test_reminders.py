"""Reminders: created, rebuilt, skipped; exactly once under racing dispatchers; retries then
visible failure; catch-up after worker downtime; completion of past meetings. The booking
effects' job: a burst's confirmations before the CRM records behind them."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import frappe

from scheduler_integration import effects
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.effects import automations, reminders
from scheduler_integration.engine import host_changes
from scheduler_integration.jobs.bookings import complete_past_bookings
from scheduler_integration.tests.factory import (
	Outbox,
	SchedulerPaused,
	book,
	clear_bookings,
	make_host,
	make_type,
	run_background_jobs,
)
from scheduler_integration.tests.live import cleanup
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-remind@example.com"
GUEST = {"guest_name": "Rita Guest", "guest_email": "rita@example.org", "booker_timezone": "UTC"}

DISPATCH = """
import sys, frappe
frappe.init(site=sys.argv[1], sites_path=sys.argv[2]); frappe.connect()
from scheduler_integration.effects.reminders import dispatch_due
print(len(dispatch_due())); frappe.db.commit(); frappe.destroy()
"""


# another worker rebuilding another booking's reminders while this process holds its own
# rebuild uncommitted; it waits at most 3 s for a lock instead of MariaDB's 50
REBUILD = """
import sys, frappe
frappe.init(site=sys.argv[1], sites_path=sys.argv[2]); frappe.connect()
frappe.db.sql("set session innodb_lock_wait_timeout = 3")
from scheduler_integration.effects import automations, reminders
from scheduler_integration.engine import host_changes
doc = frappe.get_doc("Scheduler Booking", sys.argv[3])
try:
	reminders.build(doc)
	automations.skip_planned(doc.name, "rebuilt")
	frappe.db.commit()
	print("ok")
except Exception as exc:
	frappe.db.rollback()
	print(type(exc).__name__)
frappe.destroy()
"""


class TestReminders(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.paused = SchedulerPaused()  # these tests drive the reminder jobs themselves
		cls.outbox = Outbox()
		cls.profile = make_host(HOST, "remind-host", tz="UTC")
		cls.mt = make_type(cls.profile, "remind", 30, reminder_offsets="1440,60")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		cls.clear()
		cleanup([HOST], delete_users=True)
		cls.paused.resume()
		super().tearDownClass()

	@classmethod
	def clear(cls):
		frappe.db.commit()
		for name in frappe.get_all("Scheduler Reminder", filters={"host": HOST}, pluck="name"):
			frappe.delete_doc("Scheduler Reminder", name, ignore_permissions=True, force=True)
		clear_bookings([HOST])

	def setUp(self):
		self.clear()

	def book(self, start):
		doc = book(self.mt, start, dict(GUEST))
		run_background_jobs()  # the booked effects build the reminders
		frappe.db.commit()
		return frappe.get_doc("Scheduler Booking", doc.name)

	def pending(self, booking):
		return frappe.get_all(
			"Scheduler Reminder",
			filters={"booking": booking, "status": "Pending"},
			fields=["offset_minutes", "due_at"],
			order_by="offset_minutes desc",
		)

	def start_in(self, **delta):
		moment = utc_now() + timedelta(**delta)
		return moment.replace(minute=0 if moment.minute < 30 else 30, second=0, microsecond=0)

	def test_created_rebuilt_on_reschedule_and_skipped_on_cancel(self):
		start = self.start_in(days=3)
		doc = self.book(start)
		rows = self.pending(doc.name)
		self.assertEqual([r.offset_minutes for r in rows], [1440, 60])
		self.assertEqual(to_utc(rows[0].due_at), start - timedelta(days=1))
		new_start = start + timedelta(days=1)
		doc.reschedule(new_start)
		frappe.db.commit()
		run_background_jobs()
		frappe.db.commit()
		rows = self.pending(doc.name)
		self.assertEqual(
			[to_utc(r.due_at) for r in rows], [new_start - timedelta(days=1), new_start - timedelta(hours=1)]
		)
		frappe.get_doc("Scheduler Booking", doc.name).cancel("bye")
		frappe.db.commit()
		run_background_jobs()
		frappe.db.commit()
		self.assertEqual(self.pending(doc.name), [])
		self.assertEqual(frappe.db.count("Scheduler Reminder", {"booking": doc.name, "status": "Skipped"}), 2)
		reminders.dispatch_due(utc_now() + timedelta(days=10))
		run_background_jobs()
		self.assertEqual(
			frappe.db.count("Email Queue", {"reference_name": doc.name, "message": ("like", "%Reminder%")}), 0
		)

	def test_two_dispatchers_racing_send_each_reminder_once(self):
		bookings = [self.book(self.start_in(hours=2, minutes=30 * i)) for i in range(6)]
		# make every reminder due now
		frappe.db.sql(
			"update `tabScheduler Reminder` set due_at=%s, next_attempt_at=%s where host=%s",
			(to_system(utc_now() - timedelta(minutes=1)),) * 2 + (HOST,),
		)
		frappe.db.commit()
		due = frappe.db.count("Scheduler Reminder", {"host": HOST, "status": "Pending"})
		self.assertGreaterEqual(due, 6)
		sites = frappe.local.sites_path
		procs = [
			subprocess.Popen(
				[sys.executable, "-c", DISPATCH, frappe.local.site, sites],
				stdout=subprocess.PIPE,
				stderr=subprocess.PIPE,
				text=True,
			)
			for _ in range(2)
		]
		answers = [p.communicate(timeout=120) for p in procs]
		for (_out, err), p in zip(answers, procs, strict=True):
			self.assertEqual(p.returncode, 0, f"a dispatcher failed: {err[-2000:]}")
		claimed = [int(out.strip().splitlines()[-1]) for out, _err in answers]
		self.assertEqual(sum(claimed), due, f"each reminder claimed by exactly one dispatcher: {claimed}")
		run_background_jobs()
		# a late duplicate job (e.g. a retried RQ job) must not send again
		for name in frappe.get_all("Scheduler Reminder", filters={"host": HOST}, pluck="name"):
			self.assertIn(reminders.send(name), ("Sent",))
		frappe.db.commit()
		for doc in bookings:
			sent = frappe.db.count("Scheduler Reminder", {"booking": doc.name, "status": "Sent"})
			mails = frappe.get_all("Email Queue", filters={"reference_name": doc.name}, pluck="message")
			reminder_mails = [m for m in mails if "Reminder" in m]
			self.assertEqual(len(reminder_mails), sent, doc.name)
		self.assertEqual(frappe.db.count("Scheduler Reminder", {"host": HOST, "status": "Sent"}), due)

	def test_two_workers_rebuilding_two_bookings_reminders_wait_for_nothing(self):
		# the newest bookings' rows sit at the end of the booking index: a rebuild that
		# deleted by (booking, status) locked the gap there, and the other worker's insert
		# into it waited (two such workers deadlocked: 1213 in a burst of reschedules)
		first = self.book(self.start_in(days=3))
		second = self.book(self.start_in(days=4))
		reminders.build(first)  # held uncommitted, as by a worker still in its effect
		automations.skip_planned(first.name, "rebuilt")
		try:
			out = subprocess.run(
				[sys.executable, "-c", REBUILD, frappe.local.site, frappe.local.sites_path, second.name],
				capture_output=True,
				text=True,
				timeout=120,
			)
		finally:
			frappe.db.commit()
		self.assertEqual(out.stdout.strip().splitlines()[-1:], ["ok"], out.stderr[-2000:])
		for doc in (first, second):
			self.assertEqual(len(self.pending(doc.name)), 2, doc.name)

	def test_failing_send_retries_with_backoff_then_fails_visibly(self):
		doc = self.book(self.start_in(hours=5))
		name = "Scheduler: Reminder (Guest)"
		original = frappe.db.get_value("Email Template", name, "response_html")
		# a real failure: the template fails to render (modified untouched: not an admin's edit)
		frappe.db.set_value("Email Template", name, "response_html", "{{ (1 / 0) }}", update_modified=False)
		frappe.clear_document_cache("Email Template", name)
		frappe.db.commit()
		try:
			frappe.db.sql(
				"update `tabScheduler Reminder` set due_at=%s, next_attempt_at=%s where booking=%s",
				(to_system(utc_now()),) * 2 + (doc.name,),
			)
			frappe.db.commit()
			now = utc_now()
			for attempt in range(1, 6):
				ran_at = utc_now()
				reminders.dispatch_due(now)
				run_background_jobs()
				frappe.db.commit()
				rows = frappe.get_all(
					"Scheduler Reminder",
					filters={"booking": doc.name},
					fields=["status", "attempts", "last_error", "next_attempt_at"],
				)
				self.assertTrue(rows and all(r.attempts == attempt for r in rows), rows)
				if attempt < 5:
					self.assertTrue(all(r.status == "Pending" and r.last_error for r in rows), rows)
					backoff = timedelta(minutes=2**attempt)
					self.assertTrue(
						all(
							to_utc(r.next_attempt_at) >= ran_at + backoff - timedelta(seconds=5) for r in rows
						),
						rows,
					)
					# nothing is retried before its backoff
					self.assertEqual(reminders.dispatch_due(max(now, ran_at)), [])
					now = max(to_utc(r.next_attempt_at) for r in rows) + timedelta(seconds=1)
			rows = frappe.get_all(
				"Scheduler Reminder", filters={"booking": doc.name}, fields=["status", "last_error"]
			)
			self.assertTrue(
				rows
				and all(r.status == "Failed" and "ZeroDivisionError" in (r.last_error or "") for r in rows),
				rows,
			)
		finally:
			frappe.db.set_value("Email Template", name, "response_html", original, update_modified=False)
			frappe.clear_document_cache("Email Template", name)
			frappe.db.commit()

	def test_catch_up_after_downtime_sends_before_start_and_skips_after(self):
		upcoming = self.book(self.start_in(hours=3))
		started = self.book(self.start_in(hours=4))
		# the worker was down: the 1-hour reminders are long overdue
		past = to_system(utc_now() - timedelta(hours=6))
		frappe.db.sql(
			"update `tabScheduler Reminder` set due_at=%s, next_attempt_at=%s where host=%s and offset_minutes=60",
			(past, past, HOST),
		)
		frappe.db.sql(
			"update `tabScheduler Reminder` set status='Skipped' where host=%s and offset_minutes!=60",
			(HOST,),
		)
		frappe.db.commit()
		# the second meeting has meanwhile started
		when = to_utc(started.start) + timedelta(minutes=1)
		frappe.db.set_value(
			"Scheduler Booking", started.name, "start", to_system(utc_now() - timedelta(minutes=5))
		)
		frappe.db.commit()
		reminders.dispatch_due(min(when, utc_now()))
		run_background_jobs()
		frappe.db.commit()
		self.assertEqual(
			frappe.db.get_value(
				"Scheduler Reminder", {"booking": upcoming.name, "offset_minutes": 60}, "status"
			),
			"Sent",
		)
		status, reason = frappe.db.get_value(
			"Scheduler Reminder", {"booking": started.name, "offset_minutes": 60}, ["status", "skip_reason"]
		)
		self.assertEqual(status, "Skipped")
		self.assertIn("started", reason)

	def test_stale_claims_are_released(self):
		doc = self.book(self.start_in(hours=6))
		frappe.db.sql(
			"update `tabScheduler Reminder` set status='Queued', claimed_at=%s, due_at=%s, next_attempt_at=%s where booking=%s",
			(to_system(utc_now() - timedelta(minutes=30)),) * 3 + (doc.name,),
		)
		frappe.db.commit()
		stuck = frappe.db.count("Scheduler Reminder", {"booking": doc.name, "status": "Queued"})
		self.assertGreaterEqual(stuck, 1)
		claimed = reminders.dispatch_due()
		self.assertEqual(len(claimed), stuck, "a lost job's claim is released and claimed again")

	def test_past_meetings_complete_but_no_show_stays(self):
		a = self.book(self.start_in(hours=7))
		b = self.book(self.start_in(hours=8))
		frappe.db.set_value("Scheduler Booking", b.name, "status", "No Show")
		frappe.db.commit()
		complete_past_bookings(utc_now() + timedelta(days=1))
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", a.name, "status"), "Completed")
		self.assertEqual(frappe.db.get_value("Scheduler Booking", b.name, "status"), "No Show")

	def test_a_burst_sends_every_confirmation_before_the_crm_records_behind_it(self):
		docs = [self.book(self.start_in(hours=10 + 2 * index)) for index in range(4)]
		names = [doc.name for doc in docs]
		# a burst: every effect of the four bookings waiting at once; due only in an hour,
		# so the site's worker and the (paused) scheduler leave them to this job
		later = utc_now() + timedelta(hours=1)
		frappe.db.sql(
			"""update `tabScheduler Booking Effect` set status = 'Pending', attempts = 0,
			claimed_at = null, next_attempt_at = %s where booking in %s""",
			(to_system(later), names),
		)
		# …and their hosts have heard of none of them yet (engine.host_changes)
		frappe.db.sql(
			"update `tabScheduler Booking` set host_changes = %s where name in %s",
			(json.dumps(host_changes.fresh()), names),
		)
		frappe.db.commit()
		queued = frappe.get_all("Email Queue", filters={"reference_name": ("in", names)}, pluck="name")
		outcomes = effects.run_booking(names[0], later + timedelta(minutes=1))
		rows = {
			row.name: row
			for row in frappe.get_all(
				"Scheduler Booking Effect",
				filters={"booking": ("in", names)},
				fields=["name", "booking", "effect", "status"],
			)
		}
		self.assertEqual(sorted(outcomes), sorted(rows), "every row ran once")
		self.assertEqual({row.status for row in rows.values()}, {"Done"})
		ran = [(rows[name].booking, rows[name].effect) for name in outcomes]
		own = [effect for booking, effect in ran if booking == names[0]]
		self.assertLess(own.index("email"), own.index("crm"))
		behind = [effect for booking, effect in ran if booking != names[0]]
		self.assertEqual(behind[:3], ["email"] * 3, behind)
		self.assertNotIn("email", behind[3:])
		self.assertIn("crm", behind[3:])
		# one more confirmation for each guest and host, handed over by this job
		again = frappe.get_all(
			"Email Queue",
			filters={"reference_name": ("in", names), "name": ("not in", queued)},
			pluck="status",
		)
		self.assertEqual(again, ["Sent"] * 2 * len(names))

	def test_a_booking_whose_due_row_must_wait_does_not_stop_the_drain(self):
		"""The longest-waiting booking's due row waits behind an earlier row of its effect
		(its confirmation waits for its retry): the job passes it over and runs the rows of
		the bookings behind it, not only their confirmations."""
		stuck, other, runner = (self.book(self.start_in(hours=20 + 2 * index)) for index in range(3))
		later = utc_now() + timedelta(hours=1)
		frappe.db.sql(
			"""update `tabScheduler Booking Effect` set status = 'Done', claimed_at = null
			where booking in %s""",
			((stuck.name, runner.name),),
		)
		# the stuck booking: its confirmation waits for an hour, the cancellation's email
		# behind it has been due the longest
		frappe.db.sql(
			"""update `tabScheduler Booking Effect` set status = 'Pending', attempts = 1,
			next_attempt_at = %s where booking = %s and effect = 'email'""",
			(to_system(later + timedelta(hours=1)), stuck.name),
		)
		frappe.db.sql(
			"""insert into `tabScheduler Booking Effect` (name, creation, modified, booking,
			lifecycle_event, effect, status, seq, attempts, next_attempt_at)
			values (%s, now(6), now(6), %s, 'cancelled', 'email', 'Pending', 2, 0, %s)""",
			(frappe.generate_hash(length=12), stuck.name, to_system(later - timedelta(minutes=5))),
		)
		frappe.db.sql(
			"""update `tabScheduler Booking Effect` set status = 'Pending', attempts = 0,
			claimed_at = null, next_attempt_at = %s where booking = %s""",
			(to_system(later), other.name),
		)
		frappe.db.commit()
		effects.run_booking(runner.name, later + timedelta(minutes=1))
		rows = frappe.get_all(
			"Scheduler Booking Effect", filters={"booking": other.name}, fields=["effect", "status"]
		)
		self.assertGreater(len(rows), 2)
		self.assertEqual({row.status for row in rows}, {"Done"}, rows)
		waiting = frappe.get_all(
			"Scheduler Booking Effect",
			filters={"booking": stuck.name, "status": "Pending"},
			pluck="lifecycle_event",
		)
		self.assertEqual(sorted(waiting), ["booked", "cancelled"], "the stuck booking's rows still wait")

	def test_a_crm_row_waits_while_another_worker_sends_its_bookings_email(self):
		doc = self.book(self.start_in(hours=9))
		later = utc_now() + timedelta(hours=1)
		frappe.db.sql(
			"""update `tabScheduler Booking Effect` set status = 'Pending', attempts = 0,
			claimed_at = null, next_attempt_at = %s where booking = %s""",
			(to_system(later), doc.name),
		)
		# the email is another worker's right now: it may be carrying a fresh meeting link
		frappe.db.sql(
			"""update `tabScheduler Booking Effect` set status = 'Running', claimed_at = %s
			where booking = %s and effect = 'email'""",
			(to_system(utc_now()), doc.name),
		)
		frappe.db.commit()
		self.assertEqual(effects.run_booking(doc.name, later, drain=False), {})
		status = dict(
			frappe.get_all(
				"Scheduler Booking Effect",
				filters={"booking": doc.name},
				fields=["effect", "status"],
				as_list=True,
			)
		)
		self.assertEqual(status["crm"], "Pending")
		frappe.db.sql(
			"update `tabScheduler Booking Effect` set status = 'Done' where booking = %s and effect = 'email'",
			(doc.name,),
		)
		frappe.db.commit()
		effects.run_booking(doc.name, later, drain=False)
		self.assertEqual(
			frappe.db.get_value("Scheduler Booking Effect", {"booking": doc.name, "effect": "crm"}, "status"),
			"Done",
		)
