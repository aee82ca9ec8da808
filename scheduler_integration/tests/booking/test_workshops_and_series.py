"""Multi-day workshops and recurring series (issue 29) over real HTTP: every day blocked and
the nights free, one confirmation and one set of reminders, moving and cancelling as a
whole, a race for one workshop start, a series that skips taken meetings or books none,
and cancelling one meeting or the rest of a series."""

from __future__ import annotations

import re
from datetime import timedelta

import frappe
import requests

from scheduler_integration.core.clock import to_system, to_utc
from scheduler_integration.tests.booking.test_concurrency import fire
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	ShippedTemplates,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, body, cleanup, guest_book, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-workshop@example.com"
PROFILE = "workshop-host"
PUBLIC = "scheduler_integration.api.public"
ACTIVE = ("in", ["Pending", "Confirmed"])
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def token_of(data: dict) -> str:
	return data["manage_url"].rstrip("/").rsplit("/", 1)[-1]


class TestWorkshopsAndSeries(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.templates = ShippedTemplates(["Scheduler: Booking Confirmed (Guest)"])
		cls.profile = make_host(HOST, PROFILE, start="08:00", end="18:00", days=WEEKDAYS)
		cls.server = LiveServer.get_instance(workers=4)
		cls.monday = future_day(14)
		while cls.monday.weekday() != 0:
			cls.monday += timedelta(days=1)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.templates.restore()
		cls.outbox.close()
		set_settings(**cls._saved)
		clear_bookings([HOST])
		frappe.db.delete("Scheduler Booking Series", {"host": HOST})
		frappe.db.commit()
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([HOST])
		frappe.db.delete("Scheduler Booking Series", {"host": HOST})
		frappe.db.commit()
		self.workshop = make_type(
			self.profile,
			"workshop",
			"Custom",
			custom_duration=180,
			slot_interval=60,
			days=3,
			day_mode="Consecutive Days",
		)
		self.call = make_type(self.profile, "call", 30)
		self.coaching = make_type(
			self.profile,
			"coaching",
			60,
			allow_series=1,
			series_frequency="Weekly",
			series_max_count=4,
			series_booking="Book None",
		)

	def at(self, day: int, hour: int, minute: int = 0):
		return self.monday + timedelta(days=day, hours=hour, minutes=minute)

	def book(self, start, slug, **fields):
		return guest_book(self.server, PROFILE, slug, iso(start), **fields)

	def booked(self, start, slug, **fields) -> dict:
		r = self.book(start, slug, **fields)
		self.assertEqual(r.status_code, 201, r.text)
		return body(r)["data"]

	def active(self, meeting_type=None) -> list[tuple]:
		frappe.db.commit()
		filters = {"host": HOST, "status": ACTIVE}
		if meeting_type:
			filters["meeting_type"] = meeting_type
		rows = frappe.get_all(
			"Scheduler Booking",
			filters=filters,
			fields=["name", "start", "series", "series_index"],
			order_by="start",
		)
		return rows

	def post(self, method, **values):
		return requests.post(
			method_url(self.server, f"{PUBLIC}.{method}"),
			json=values,
			headers={"Host": self.server.site},
			timeout=60,
		)

	def test_a_workshop_blocks_every_day_and_leaves_the_nights_free(self):
		data = self.booked(self.at(0, 9), "workshop", email="ws@example.org")
		days = self.active(self.workshop)
		self.assertEqual([to_utc(d.start) for d in days], [self.at(i, 9) for i in range(3)])
		self.assertEqual(len({d.series for d in days}), 1)
		self.assertEqual(data["series"]["kind"], "Multi-day")
		self.assertEqual([m["status"] for m in data["series"]["meetings"]], ["Confirmed"] * 3)
		series = frappe.get_doc("Scheduler Booking Series", days[0].series)
		self.assertEqual((series.kind, series.occurrences, series.status), ("Multi-day", 3, "Active"))
		# each day's window is taken, the evenings are not
		self.assertEqual(self.book(self.at(1, 10), "call", email="c1@example.org").status_code, 409)
		self.booked(self.at(1, 15), "call", email="c2@example.org")
		# the host over REST cannot put a call into the third day either
		host = self.server.session(HOST)
		r = host.post(
			f"{self.server.base}/api/resource/Scheduler Booking",
			json={
				"meeting_type": self.call,
				"start": str(to_system(self.at(2, 11))),
				"guest_name": "Desk",
				"guest_email": "desk@example.org",
			},
			timeout=30,
		)
		self.assertEqual(r.status_code, 409, r.text)
		# one confirmation for the guest, listing every day; reminders before the first day only
		run_background_jobs()
		queued = frappe.get_all(
			"Email Queue Recipient", filters={"recipient": "ws@example.org"}, pluck="parent"
		)
		to_guest = frappe.get_all(
			"Email Queue",
			filters={"name": ("in", queued or [""]), "reference_name": ("in", [d.name for d in days])},
			pluck="message",
		)
		self.assertEqual(len(to_guest), 1, "one confirmation for the three days")
		# one line a day, each with its own links, and the plural (issue 50, item 15)
		import email

		message = email.message_from_string(to_guest[0])
		html = "".join(
			(part.get_payload(decode=True) or b"").decode("utf-8", "replace")
			for part in message.walk()
			if part.get_content_type() == "text/html"
		)
		self.assertIn("Every day of this booking:", html)
		self.assertIn("Your meetings with", html)
		items = re.findall(r"<li>(.*?)</li>", html, re.S)
		self.assertEqual(len(items), 3, html)
		for item in items:
			self.assertEqual(item.count("/book/manage/"), 1, item)
			self.assertEqual(item.count("api.public.ics?token="), 1, item)
		self.assertEqual(len({re.search(r"/book/manage/([^\"]+)", item).group(1) for item in items}), 3)
		reminded = frappe.get_all(
			"Scheduler Reminder", filters={"booking": ("in", [d.name for d in days])}, pluck="booking"
		)
		self.assertTrue(reminded)
		self.assertEqual(set(reminded), {days[0].name})

	def test_a_workshop_moves_and_is_cancelled_as_a_whole(self):
		data = self.booked(self.at(0, 9), "workshop", email="mover@example.org")
		days = self.active(self.workshop)
		# the guest opens the manage link of the workshop and moves it to start on Tuesday
		r = self.post("reschedule", token=token_of(data), start=iso(self.at(1, 9)), timezone="UTC")
		self.assertEqual(r.status_code, 200, r.text)
		moved = self.active(self.workshop)
		self.assertEqual([to_utc(d.start) for d in moved], [self.at(i + 1, 9) for i in range(3)])
		self.assertEqual([d.name for d in moved], [d.name for d in days], "the same bookings moved")
		# Monday is free again
		self.booked(self.at(0, 10), "call", email="monday@example.org")
		r = self.post("cancel", token=token_of(data))
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(self.active(self.workshop), [])
		frappe.db.commit()
		self.assertEqual(
			frappe.db.get_value("Scheduler Booking Series", days[0].series, "status"), "Cancelled"
		)

	def test_working_days_skip_the_weekend(self):
		make_type(
			self.profile,
			"workshop",
			"Custom",
			custom_duration=180,
			slot_interval=60,
			days=2,
			day_mode="Working Days",
		)
		self.booked(self.at(4, 9), "workshop", email="friday@example.org")  # a Friday
		self.assertEqual(
			[to_utc(d.start) for d in self.active(self.workshop)], [self.at(4, 9), self.at(7, 9)]
		)

	def test_twenty_guests_racing_for_one_workshop_start_make_one_workshop(self):
		payloads = [
			{
				"profile": PROFILE,
				"meeting_type": "workshop",
				"start": iso(self.at(0, 9)),
				"name": f"Racer {i}",
				"email": f"ws-racer{i}@example.org",
				"timezone": "UTC",
			}
			for i in range(20)
		]
		results = fire(self.server, payloads)
		codes = sorted(r.status_code if isinstance(r, requests.Response) else repr(r) for r in results)
		self.assertEqual((codes.count(201), codes.count(409)), (1, 19), codes)
		self.assertEqual(len(self.active(self.workshop)), 3)
		frappe.db.commit()
		self.assertEqual(
			frappe.db.count("Scheduler Booking Series", {"host": HOST}), 1, "no series left behind"
		)

	def test_a_series_books_only_free_meetings_when_it_skips_taken_ones(self):
		make_type(
			self.profile, "coaching", 60, allow_series=1, series_booking="Skip Taken Ones", series_max_count=4
		)
		self.booked(self.at(14, 10), "call", email="blocker@example.org")  # the third Monday
		r = requests.get(
			method_url(self.server, f"{PUBLIC}.get_meetings"),
			params={"profile": PROFILE, "meeting_type": "coaching", "start": iso(self.at(0, 10)), "count": 4},
			headers={"Host": self.server.site},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual([m["free"] for m in body(r)["data"]["meetings"]], [True, True, False, True])
		data = self.booked(self.at(0, 10), "coaching", email="series@example.org", count=4)
		meetings = self.active(self.coaching)
		self.assertEqual(
			[to_utc(m.start) for m in meetings], [self.at(0, 10), self.at(7, 10), self.at(21, 10)]
		)
		self.assertEqual([m.series_index for m in meetings], [0, 1, 3])
		# the guest manages each meeting by its own link (listed on every meeting's page);
		# cancelling one frees exactly that hour
		links = [m.get("manage_url") for m in data["series"]["meetings"]]
		self.assertEqual(len([link for link in links if link]), 3)
		r = self.post("cancel", token=links[1].rsplit("/", 1)[-1])
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(len(self.active(self.coaching)), 2)
		self.booked(self.at(7, 10), "call", email="took-it@example.org")
		# the first meeting's link takes the rest of the series with it
		r = self.post("cancel", token=token_of(data), following=1)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(self.active(self.coaching), [])
		self.assertTrue(data["series"])

	def test_a_series_that_books_none_refuses_when_one_meeting_is_taken(self):
		self.booked(self.at(7, 10), "call", email="blocker2@example.org")
		r = self.book(self.at(0, 10), "coaching", email="all-or-none@example.org", count=3)
		self.assertEqual(r.status_code, 409, r.text)
		self.assertTrue(body(r).get("alternatives"), r.text)
		self.assertEqual(self.active(self.coaching), [])
		frappe.db.commit()
		self.assertEqual(frappe.db.count("Scheduler Booking Series", {"host": HOST}), 0)
		# the month view offers only starts whose every meeting is free
		r = requests.get(
			method_url(self.server, f"{PUBLIC}.get_slots"),
			params={
				"profile": PROFILE,
				"meeting_type": "coaching",
				"start": iso(self.at(0, 0)),
				"end": iso(self.at(1, 0)),
				"timezone": "UTC",
				"count": 3,
			},
			headers={"Host": self.server.site},
			timeout=30,
		)
		starts = {s["start"] for d in body(r)["data"]["days"] for s in d["slots"]}
		self.assertNotIn(iso(self.at(0, 10)), starts)
		self.assertIn(iso(self.at(0, 11)), starts)
		self.assertEqual(self.book(self.at(0, 10), "coaching", count=9).status_code, 400)
