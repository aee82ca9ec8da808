"""Only who can take a meeting is offered one (``core.hosts.bookable_hosts``; DESIGN
invariant 15; issue 50, item 2), over real HTTP with the site's workers.

A host whose User is disabled, or whose Scheduler Profile is switched off, is not offered on a
round-robin or collective type, not booked (not by a guest, nor by a host naming them), not
covering a colleague's leave; switched back, they are offered again at once. A type left with
nobody says so (404 ``NOT_CONFIGURED``) and leaves its page, as a team type nobody accepted.
"""

from __future__ import annotations

from datetime import timedelta

import frappe

from scheduler_integration.core.clock import to_system
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

A, B = "sched-able-a@example.com", "sched-able-b@example.com"
PUBLIC = "scheduler_integration.api.public"


class TestBookableHosts(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		# A works the mornings, B the afternoons (UTC): who is offered shows in the times
		cls.pa = make_host(A, "able-a", start="09:00", end="12:00")
		cls.pb = make_host(B, "able-b", start="13:00", end="17:00")
		cls.rr = make_type(cls.pa, "able-rr", 60, assignment="Round Robin", hosts=[{"user": A}, {"user": B}])
		cls.both = make_type(
			cls.pa, "able-both", 60, assignment="Collective", hosts=[{"user": A}, {"user": B}]
		)
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.day = future_day(15)
		while cls.day.weekday() != 1:  # a Tuesday
			cls.day += timedelta(days=1)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.db.delete("Scheduler Out of Office", {"user": ("in", [A, B])})
		frappe.db.commit()
		set_settings(**cls._saved)
		cleanup([A, B], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([A, B])
		self.set_user(A, enabled=1)
		self.set_user(B, enabled=1)
		self.set_profile(B, active=1)
		self.set_profile(A, active=1)

	# --- helpers ---------------------------------------------------------------------

	def at(self, hour):
		return self.day + timedelta(hours=hour)

	def set_user(self, user, enabled):
		"""Enable or disable a User as an administrator does: through the document."""
		frappe.db.rollback()
		doc = frappe.get_doc("User", user)
		if doc.enabled != enabled:
			doc.enabled = enabled
			doc.save(ignore_permissions=True)
			frappe.db.commit()

	def set_profile(self, user, active):
		frappe.db.rollback()
		doc = frappe.get_doc("Scheduler Profile", {"user": user})
		if doc.active != active:
			doc.active = active
			doc.save(ignore_permissions=True)
			frappe.db.commit()

	def slots(self, slug):
		r = self.guest.get(
			method_url(self.server, f"{PUBLIC}.get_slots"),
			params={
				"profile": "able-a",
				"meeting_type": slug,
				"start": iso(self.at(0)),
				"end": iso(self.at(23)),
				"timezone": "UTC",
			},
			timeout=60,
		)
		return r

	def offered(self, slug):
		r = self.slots(slug)
		self.assertEqual(r.status_code, 200, r.text)
		return {s["start"] for d in body(r)["data"]["days"] for s in d["slots"]}

	def book(self, slug, start, email="able-guest@example.org"):
		return self.guest.post(
			method_url(self.server, f"{PUBLIC}.book"),
			json={
				"profile": "able-a",
				"meeting_type": slug,
				"start": iso(start),
				"name": "Gus Guest",
				"email": email,
				"timezone": "UTC",
			},
			timeout=60,
		)

	def listed(self):
		r = self.guest.get(
			method_url(self.server, f"{PUBLIC}.get_page"), params={"profile": "able-a"}, timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text)
		return {t["slug"] for t in body(r)["data"]["meeting_types"]}

	def hosts_of(self, response):
		frappe.db.rollback()
		return [row.user for row in frappe.get_doc("Scheduler Booking", body(response)["data"]["id"]).hosts]

	# --- round robin -------------------------------------------------------------------

	def test_a_disabled_user_is_neither_offered_nor_booked_on_round_robin(self):
		self.assertIn(iso(self.at(14)), self.offered("able-rr"))
		self.set_user(B, enabled=0)
		offered = self.offered("able-rr")
		self.assertNotIn(iso(self.at(14)), offered)  # B's afternoon is gone at once
		self.assertIn(iso(self.at(10)), offered)  # A's morning stays
		r = self.book("able-rr", self.at(14))
		self.assertEqual(r.status_code, 409, r.text)
		r = self.book("able-rr", self.at(10))
		self.assertEqual(r.status_code, 201, r.text)
		self.assertEqual(self.hosts_of(r), [A])
		# enabled again: offered again at once (the kept answers followed the User)
		self.set_user(B, enabled=1)
		self.assertIn(iso(self.at(14)), self.offered("able-rr"))

	def test_a_switched_off_profile_is_neither_offered_nor_booked_on_round_robin(self):
		self.set_profile(B, active=0)
		self.assertNotIn(iso(self.at(14)), self.offered("able-rr"))
		self.assertEqual(self.book("able-rr", self.at(14)).status_code, 409)
		self.set_profile(B, active=1)
		self.assertIn(iso(self.at(14)), self.offered("able-rr"))

	# --- collective ------------------------------------------------------------------

	def test_a_collective_meeting_is_the_remaining_hosts_without_a_disabled_one(self):
		# A and B share no hour: together they are never free
		self.assertEqual(self.offered("able-both"), set())
		self.set_user(B, enabled=0)
		self.assertIn(iso(self.at(10)), self.offered("able-both"))
		r = self.book("able-both", self.at(10))
		self.assertEqual(r.status_code, 201, r.text)
		self.assertEqual(self.hosts_of(r), [A])

	def test_a_host_naming_a_disabled_colleague_is_refused(self):
		"""The host API and REST go through the same check: a collective meeting names every
		host who takes meetings, and a disabled one is not among them."""
		self.set_user(B, enabled=0)
		frappe.set_user(A)
		try:
			doc = frappe.get_doc(
				{
					"doctype": "Scheduler Booking",
					"meeting_type": self.both,
					"start": to_system(self.at(10)),
					"guest_name": "Gus Guest",
					"guest_email": "able-guest@example.org",
					"hosts": [{"user": A}, {"user": B}],
				}
			)
			with self.assertRaises(frappe.ValidationError) as refused:
				doc.insert()
			# "A collective meeting has every host: <who takes meetings>"
			named = str(refused.exception).split(":", 1)[-1]
			self.assertIn(A, named)
			self.assertNotIn(B, named)
		finally:
			frappe.set_user("Administrator")
			frappe.db.rollback()

	# --- nobody left ------------------------------------------------------------------

	def test_a_type_with_nobody_taking_meetings_says_so_and_leaves_the_page(self):
		self.assertTrue({"able-rr", "able-both"} <= self.listed())
		self.set_user(B, enabled=0)
		self.set_profile(A, active=0)
		try:
			self.set_profile(A, active=1)
			self.set_user(A, enabled=0)  # the page's profile is on, its user disabled
			self.assertFalse({"able-rr", "able-both"} & self.listed())
			for r in (self.slots("able-rr"), self.book("able-rr", self.at(10))):
				self.assertEqual((r.status_code, body(r)["code"]), (404, "NOT_CONFIGURED"), r.text)
		finally:
			self.set_user(A, enabled=1)
		self.assertTrue({"able-rr", "able-both"} <= self.listed())
		self.assertIn(iso(self.at(10)), self.offered("able-rr"))

	# --- covering a colleague's leave ----------------------------------------------------

	def test_a_disabled_colleague_covers_no_leave(self):
		frappe.db.rollback()
		leave = frappe.get_doc(
			{
				"doctype": "Scheduler Out of Office",
				"user": A,
				"reason": "Conference",
				"from_date": self.day.date(),
				"to_date": self.day.date(),
				"delegate": B,
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Scheduler Out of Office", leave.name, "delegate_status", "Accepted")
		frappe.db.commit()
		solo = make_type(self.pa, "able-solo", 60)
		try:
			frappe.db.rollback()
			from scheduler_integration.booking import availability

			availability.invalidate([A, B])  # the leave's acceptance was written directly
			frappe.db.commit()
			# B covers A's page on the leave day with B's own (afternoon) times
			self.assertIn(iso(self.at(14)), self.offered("able-solo"))
			self.set_user(B, enabled=0)
			self.assertEqual(self.offered("able-solo"), set())
			self.assertEqual(self.book("able-solo", self.at(14)).status_code, 409)
		finally:
			frappe.db.rollback()
			# through the document: its on_trash frees A's day for the tests after this one
			frappe.delete_doc("Scheduler Out of Office", leave.name, ignore_permissions=True, force=True)
			frappe.delete_doc("Scheduler Meeting Type", solo, ignore_permissions=True, force=True)
			frappe.db.commit()
