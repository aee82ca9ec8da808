"""Out of office over real HTTP: a host's leave hides their times; a colleague who covers it
takes the meetings of the host's own page on those dates and the host's round-robin share
(never the whole team's); the dates of a Holiday List the profile names are days off too
(ERPNext's Holiday List; skipped with one line without ERPNext)."""

from __future__ import annotations

from datetime import timedelta

import frappe
import requests

from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, body, cleanup, guest_book, method_url
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

A, B, C = "sched-away-a@example.com", "sched-away-b@example.com", "sched-away-c@example.com"
HOLIDAYS = "Sched Away Test Holidays"


@every_site
class TestOutOfOffice(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cls._saved = set_settings(**NO_RATE_LIMITS)
			cls.a = make_host(A, "away-a", tz="UTC", start="09:00", end="17:00")
			cls.b = make_host(B, "away-b", tz="UTC", start="13:00", end="21:00")
			cls.c = make_host(C, "away-c", tz="UTC", start="09:00", end="21:00")
			cls.consult = make_type(cls.a, "consult", 60)
			cls.team = make_type(
				cls.a,
				"team",
				30,
				assignment="Round Robin",
				hosts=[{"user": A}, {"user": B}, {"user": C}],
			)
			cls.day = future_day(15)  # A away, B covers
			cls.quiet = future_day(17)  # A away, nobody covers
			frappe.set_user("Administrator")
			cls.leaves = [
				frappe.get_doc(
					{
						"doctype": "Scheduler Out of Office",
						"user": A,
						"reason": "Conference",
						"from_date": cls.day.date(),
						"to_date": cls.day.date(),
						"delegate": B,
					}
				).insert(),
				frappe.get_doc(
					{
						"doctype": "Scheduler Out of Office",
						"user": A,
						"reason": "Holiday",
						"from_date": cls.quiet.date(),
						"to_date": cls.quiet.date(),
					}
				).insert(),
			]
			frappe.db.commit()
			cls.server = LiveServer.get_instance()
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**getattr(cls, "_saved", {}))
		clear_bookings([A, B, C])
		frappe.db.delete("Scheduler Host Booking Count", {"meeting_type": getattr(cls, "team", "")})
		frappe.db.delete(
			"Version",
			{
				"ref_doctype": "Scheduler Out of Office",
				"docname": ("in", [d.name for d in getattr(cls, "leaves", [])] or [""]),
			},
		)
		frappe.db.delete("Scheduler Out of Office", {"user": A})
		frappe.db.set_value(
			"Scheduler Profile", {"user": A}, {"holiday_list": None, "holiday_list_type": None}
		)
		if frappe.db.exists("DocType", "Holiday List") and frappe.db.exists("Holiday List", HOLIDAYS):
			frappe.delete_doc("Holiday List", HOLIDAYS, ignore_permissions=True, force=True)
		frappe.db.commit()
		cleanup([A, B, C], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([A, B, C])
		# round robin's counts so far start at nothing for each test (bookings purged above
		# leave them behind; they are the fair share's input)
		frappe.db.delete("Scheduler Host Booking Count", {"meeting_type": self.team})
		frappe.db.commit()

	def starts(self, type_slug: str, day) -> list:
		r = requests.get(
			method_url(self.server, "scheduler_integration.api.public.get_slots"),
			params={
				"profile": "away-a",
				"meeting_type": type_slug,
				"start": iso(day),
				"end": iso(day + timedelta(days=1)),
				"timezone": "UTC",
			},
			headers={"Host": self.server.site},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		return sorted(s["start"] for d in body(r)["data"]["days"] for s in d["slots"])

	def book(self, type_slug: str, moment, email: str):
		r = guest_book(self.server, "away-a", type_slug, iso(moment), email=email)
		self.assertEqual(r.status_code, 201, r.text)
		return body(r)["data"]

	def test_a_covered_day_offers_and_books_the_colleague(self):
		covered = self.starts("consult", self.day)
		# B's hours (13-21), not A's (9-17): the page shows the colleague's free times
		self.assertEqual((covered[0][11:16], covered[-1][11:16]), ("13:00", "20:00"))
		own = self.starts("consult", self.day + timedelta(days=1))
		self.assertEqual((own[0][11:16], own[-1][11:16]), ("09:00", "16:00"))
		self.assertEqual(self.starts("consult", self.quiet), [])  # away, nobody covers
		on_leave = self.book("consult", self.day + timedelta(hours=14), "away-guest-1@example.org")
		back = self.book("consult", self.day + timedelta(days=1, hours=10), "away-guest-2@example.org")
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", on_leave["id"], "host"), B)
		self.assertEqual(frappe.db.get_value("Scheduler Booking", back["id"], "host"), A)
		# A's time off stays off even for a request the page never offered
		r = guest_book(
			self.server, "away-a", "consult", iso(self.quiet + timedelta(hours=10)), email="x@example.org"
		)
		self.assertEqual(r.status_code, 409, r.text)

	def test_round_robin_hands_the_absent_hosts_share_to_the_colleague(self):
		hosts = []
		for i, hour in enumerate((13, 14, 15, 16)):
			data = self.book("team", self.day + timedelta(hours=hour), f"away-rr-{i}@example.org")
			frappe.db.rollback()  # see what the web server committed
			hosts.append(frappe.db.get_value("Scheduler Booking", data["id"], "host"))
		run_background_jobs()
		# B takes A's share as well as their own (weights 200 : 100), C only their own, A
		# nothing: 3 : 1 (without the hand-over B and C would take turns, 2 : 2)
		self.assertEqual(sorted(hosts), sorted([B, B, B, C]), hosts)

	def test_a_holiday_list_day_is_a_day_off(self):
		if not frappe.db.exists("DocType", "Holiday List"):
			self.skipTest("ERPNext is not installed on this site")
		holiday = future_day(19)
		self.assertTrue(self.starts("consult", holiday))
		frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": HOLIDAYS,
				"from_date": holiday.date() - timedelta(days=30),
				"to_date": holiday.date() + timedelta(days=30),
				"holidays": [{"holiday_date": holiday.date(), "description": "Company day"}],
			}
		).insert(ignore_permissions=True)
		profile = frappe.get_doc("Scheduler Profile", self.a)
		profile.update({"holiday_list_type": "Holiday List", "holiday_list": HOLIDAYS})
		profile.save(ignore_permissions=True)
		frappe.db.commit()
		self.assertEqual(self.starts("consult", holiday), [])
		self.assertTrue(self.starts("consult", holiday + timedelta(days=1)))
		# a day added to the list later is off at once (the list's change outdates the hours)
		later = holiday + timedelta(days=2)
		holidays = frappe.get_doc("Holiday List", HOLIDAYS)
		holidays.append("holidays", {"holiday_date": later.date(), "description": "Another"})
		holidays.save(ignore_permissions=True)
		frappe.db.commit()
		self.assertEqual(self.starts("consult", later), [])
