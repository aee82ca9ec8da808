"""An administrator can always clean up (``booking/deletion.py``; DESIGN invariant 16; issue
50, item 5), over real HTTP as the desk and REST delete, with the site's workers.

A booking is deleted with its effect rows and reminders, the Event and to-do it put on its
host's desk, and its personal link lets it go; its engagement history stays. A to-do deleted in
the desk leaves the booking's list of what it made. A meeting type with history (round-robin
counts, engagement, a series, a personal link) is deleted with it; one that bookings or a
routing form still name is refused, saying what to do.
"""

from __future__ import annotations

from datetime import timedelta

import frappe

from scheduler_integration.core.clock import to_system
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	clear_bookings,
	future_day,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import (
	LiveServer,
	body,
	cleanup,
	commit_elsewhere,
	guest_book,
	make_user,
	purge_guests,
)
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-delete-host@example.com"
MANAGER = "sched-delete-manager@example.com"
REST = "/api/resource"


@every_site  # on Frappe CRM a booking made a CRM Task with its notification: they go too
class TestDeletion(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.profile = make_host(HOST, "delete-host", start="08:00", end="18:00")
		cls.server = LiveServer.get_instance()
		# a Scheduler Manager cleans up as an administrator does: same link checks, same rows
		make_user(MANAGER, roles=("Scheduler Manager",))
		cls.admin = cls.server.session(MANAGER)
		cls.day = future_day(9)
		# a deleted booking leaves the guest's Contact (and CRM lead) to the CRM: the class's own go here
		cls.guests = set()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		cleanup([HOST, MANAGER], delete_users=True)
		purge_guests(cls.guests)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		clear_bookings([HOST])

	def book(self, slug: str, hour: int, email: str, **extra):
		self.guests.add(email)
		r = guest_book(
			self.server,
			"delete-host",
			slug,
			(self.day + timedelta(hours=hour)).isoformat(),
			email=email,
			**extra,
		)
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		frappe.db.rollback()
		return frappe.get_doc("Scheduler Booking", body(r)["data"]["id"])

	def delete(self, doctype: str, name: str):
		return self.admin.delete(f"{self.server.base}{REST}/{doctype}/{name}", timeout=60)

	def test_a_booking_goes_with_what_it_made_and_its_link_lets_it_go(self):
		mt = make_type(self.profile, "delete-call", 30)
		frappe.set_user(HOST)
		try:
			link = frappe.get_doc(
				{
					"doctype": "Scheduler Personal Link",
					"meeting_type": mt,
					"expires_at": to_system(self.day + timedelta(days=5)),
				}
			)
			link.flags.quiet = True
			link.insert()
			token = link.flags.token
			frappe.db.commit()
		finally:
			frappe.set_user("Administrator")
		doc = self.book("delete-call", 10, "delete-guest@example.org", link=token)
		self.assertEqual(frappe.db.get_value("Scheduler Personal Link", link.name, "last_booking"), doc.name)
		events = [row.event for row in doc.hosts if row.event]
		# the host's to-do (Frappe CRM: its task)
		todos = [
			(row.record_type, row.record_name)
			for row in doc.crm_records
			if row.record_type in ("ToDo", "CRM Task")
		]
		self.assertTrue(events and todos)
		self.assertTrue(frappe.db.exists("Scheduler Booking Effect", {"booking": doc.name}))
		self.assertTrue(frappe.db.exists("Scheduler Reminder", {"booking": doc.name}))
		engagement = frappe.db.count("Scheduler Engagement", {"booking": doc.name})

		r = self.delete("Scheduler Booking", doc.name)
		self.assertIn(r.status_code, (200, 202), r.text[:500])
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Scheduler Booking", doc.name))
		for doctype in ("Scheduler Booking Effect", "Scheduler Reminder"):
			self.assertFalse(frappe.db.exists(doctype, {"booking": doc.name}), doctype)
		for name in events:
			self.assertFalse(frappe.db.exists("Event", name))
		for doctype, name in todos:
			self.assertFalse(frappe.db.exists(doctype, name))
		self.assertIsNone(frappe.db.get_value("Scheduler Personal Link", link.name, "last_booking"))
		self.assertEqual(frappe.db.count("Scheduler Engagement", {"booking": doc.name}), engagement)
		# the guest's Contact is the CRM's, not the booking's: it stays
		self.assertTrue(frappe.db.exists("Contact Email", {"email_id": "delete-guest@example.org"}))

	def test_a_timeline_entry_committed_meanwhile_goes_with_the_meetings_event(self):
		"""A guest's Contact joining the meeting's Event gives it a timeline entry (a
		Communication) in a worker's effect. Committed after the deleting transaction began,
		it was not in that transaction's snapshot: it lost its Event and stayed behind."""
		make_type(self.profile, "delete-race", 30)
		doc = self.book("delete-race", 14, "delete-race-guest@example.org")
		event = next(row.event for row in doc.hosts if row.event)
		frappe.db.rollback()
		frappe.db.count("Communication")  # this transaction's snapshot begins
		entry = frappe.generate_hash(length=10)
		commit_elsewhere(
			(
				"""insert into `tabCommunication` (name, creation, modified, owner, modified_by,
				docstatus, communication_type, communication_medium, sent_or_received, status,
				subject, reference_doctype, reference_name)
				values (%s, now(), now(), 'Administrator', 'Administrator', 0, 'Communication',
				'Meeting', 'Sent', 'Linked', 'a participant joined', 'Event', %s)""",
				(entry, event),
			)
		)
		self.assertFalse(frappe.db.exists("Communication", entry))  # not in this snapshot
		frappe.delete_doc("Scheduler Booking", doc.name, ignore_permissions=True)
		frappe.db.commit()
		self.assertFalse(frappe.db.exists("Event", event))
		self.assertFalse(frappe.db.exists("Communication", entry))

	def test_an_event_for_a_host_who_left_meanwhile_is_never_made(self):
		"""The CRM effect makes a host's Event only while that host still has the booking,
		as committed: an Event made and deleted again gave its number back, and Frappe's
		deferred clean-up of the deleted one then cut the next Event of that number from its
		timeline entries (a left site caught one)."""
		from scheduler_integration.effects.crm.timeline import event_for

		make_type(self.profile, "delete-left", 30)
		doc = self.book("delete-left", 16, "delete-left-guest@example.org")
		row = doc.hosts[0]
		frappe.db.rollback()
		frappe.db.count("Event")  # this transaction's snapshot begins
		# the host's row goes in another transaction (a move to another host, say)
		commit_elsewhere(("delete from `tabScheduler Booking Host` where name = %s", (row.name,)))
		events = frappe.db.count("Event")
		gone = frappe.db.count("Deleted Document", {"deleted_doctype": "Event"})
		try:
			self.assertIsNone(event_for(doc, row, []))
			self.assertEqual(frappe.db.count("Event"), events)
			self.assertEqual(frappe.db.count("Deleted Document", {"deleted_doctype": "Event"}), gone)
		finally:
			frappe.db.rollback()

	def test_a_todo_deleted_in_the_desk_leaves_the_bookings_list(self):
		make_type(self.profile, "delete-todo", 30)
		doc = self.book("delete-todo", 11, "delete-todo@example.org")
		# the host's to-do (Frappe CRM: its task), deleted as the desk deletes it
		(record,) = [row for row in doc.crm_records if row.purpose in ("To Do", "Task")]
		if record.record_type == "CRM Task":  # Frappe CRM keeps a task while its notification does
			frappe.db.delete("CRM Notification", {"notification_type_doc": record.record_name})
		frappe.delete_doc(record.record_type, record.record_name)
		frappe.db.commit()
		self.assertFalse(frappe.db.exists("Scheduler Booking Record", {"record_name": record.record_name}))
		doc.reload()
		self.assertNotIn(record.record_name, [row.record_name for row in doc.crm_records])

	def test_a_meeting_type_with_history_goes_and_one_still_used_says_why(self):
		mt = make_type(self.profile, "delete-type", 30)
		doc = self.book("delete-type", 12, "delete-type@example.org")
		# still booked: refused, with what to do
		r = self.delete("Scheduler Meeting Type", mt)
		self.assertEqual(r.status_code, 417, r.text[:500])
		self.assertIn("Switch it off", r.text)
		# its bookings gone, its history (round-robin counts, engagement) goes or stays
		r = self.delete("Scheduler Booking", doc.name)
		self.assertIn(r.status_code, (200, 202), r.text[:500])
		frappe.db.rollback()
		self.assertTrue(frappe.db.exists("Scheduler Host Booking Count", {"meeting_type": mt}))
		r = self.delete("Scheduler Meeting Type", mt)
		self.assertIn(r.status_code, (200, 202), r.text[:500])
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Scheduler Meeting Type", mt))
		self.assertFalse(frappe.db.exists("Scheduler Host Booking Count", {"meeting_type": mt}))
