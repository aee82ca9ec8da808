"""No double booking under concurrent requests, against a running multi-worker web server.

Requests go to 127.0.0.1 only, in bounded numbers, all released together by a barrier.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from itertools import pairwise

import frappe
import requests

from scheduler_integration.core.clock import to_utc
from scheduler_integration.effects import calendar, video
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
from scheduler_integration.tests.live import LiveServer, cleanup, method_url, waiting_for_lock
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-race@example.com"
BOOK = "scheduler_integration.api.public.book"


def fire(server: LiveServer, payloads: list[dict]) -> list[requests.Response]:
	"""POST every payload at once (one thread each, released by a barrier)."""
	barrier = threading.Barrier(len(payloads))
	results: list = [None] * len(payloads)

	def worker(index: int, payload: dict):
		session = requests.Session()
		session.headers["Host"] = server.site
		barrier.wait(timeout=30)
		try:
			results[index] = session.post(method_url(server, BOOK), json=payload, timeout=120)
		except requests.RequestException as exc:  # recorded, asserted below
			results[index] = exc

	threads = [threading.Thread(target=worker, args=(i, p)) for i, p in enumerate(payloads)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(180)
	return results


class TestConcurrentBooking(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.profile = make_host(HOST, "race-host", tz="UTC", start="08:00", end="18:00")
		cls.t30 = make_type(cls.profile, "race-30", 30, buffer_after=10)
		cls.t60 = make_type(cls.profile, "race-60", 60, slot_interval=15)
		frappe.db.commit()
		cls.server = LiveServer.get_instance(workers=4)
		cls.day = future_day(30)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**cls._saved)
		clear_bookings([HOST])
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([HOST])

	def payload(self, type_slug: str, start, index: int) -> dict:
		return {
			"profile": "race-host",
			"meeting_type": type_slug,
			"start": iso(start),
			"name": f"Racer {index}",
			"email": f"racer{index}@example.org",
			"timezone": "UTC",
		}

	def test_fifty_requests_for_one_slot_make_one_booking(self):
		start = self.day + timedelta(hours=10)
		results = fire(self.server, [self.payload("race-30", start, i) for i in range(50)])
		statuses = sorted(r.status_code if isinstance(r, requests.Response) else repr(r) for r in results)
		self.assertEqual(statuses.count(201), 1, statuses)
		self.assertEqual(statuses.count(409), 49, statuses)
		for response in results:
			if response.status_code == 409:
				self.assertEqual(len(response.json()["message"]["alternatives"]), 3)
		frappe.db.commit()
		self.assertEqual(
			frappe.db.count("Scheduler Booking", {"host": HOST, "status": ("in", ["Pending", "Confirmed"])}),
			1,
		)

	def test_30_and_60_minute_types_racing_never_overlap(self):
		payloads = []
		base = self.day + timedelta(hours=12)
		for i in range(24):  # overlapping starts every 15 minutes over two hours, both types
			start = base + timedelta(minutes=15 * (i % 8))
			payloads.append(self.payload("race-30" if i % 2 else "race-60", start, 100 + i))
		results = fire(self.server, payloads)
		codes = [r.status_code for r in results if isinstance(r, requests.Response)]
		self.assertEqual(len(codes), len(payloads), results)
		self.assertTrue(set(codes) <= {201, 409}, codes)
		self.assertGreaterEqual(codes.count(201), 1)
		frappe.db.commit()
		rows = frappe.get_all(
			"Scheduler Booking",
			filters={"host": HOST, "status": ("in", ["Pending", "Confirmed"])},
			fields=["start", "end", "meeting_type"],
			order_by="start",
		)
		self.assertEqual(len(rows), codes.count(201))
		after = {self.t30: timedelta(minutes=10), self.t60: timedelta(0)}
		spans = sorted((to_utc(r.start), to_utc(r.end) + after[r.meeting_type]) for r in rows)
		for (_a_start, a_end), (b_start, _b_end) in pairwise(spans):
			self.assertLessEqual(a_end, b_start, f"bookings overlap (buffers included): {spans}")

	def test_a_guest_change_chosen_as_deadlock_victim_runs_again(self):
		"""The database breaks a deadlock by aborting the lighter transaction; the API runs
		that request's body again instead of answering 500. Made deterministic here: this
		test's own transaction writes rows (so it is the heavier one), holds the booking's
		host rows, waits until the reschedule request waits for them, then asks for the
		booking row the request already holds."""
		start = self.day + timedelta(hours=9)
		data = self.booked(start, 900)
		token = data["manage_url"].rsplit("/", 1)[1]
		name = data["id"]
		# the booking's own effects (CRM, emails …) first: a worker that writes to this
		# booking while we hold its rows would make a different deadlock than the one meant
		run_background_jobs()

		# heavier than the request: a few hundred written rows, rolled back at the end
		for i in range(300):
			frappe.db.sql(
				"insert into `tabScheduler Booking Effect` (name, booking, effect, status) values (%s, %s, 'x', 'Done')",
				(f"deadlock-test-{i}", name),
			)
		frappe.db.sql("select name from `tabScheduler Booking Host` where parent=%s for update", name)
		answer = {}

		def reschedule():
			answer["r"] = requests.post(
				method_url(self.server, "scheduler_integration.api.public.reschedule"),
				json={"token": token, "start": iso(start + timedelta(hours=2))},
				headers=self.host_header(),
				timeout=120,
			)

		thread = threading.Thread(target=reschedule)
		thread.start()
		self.assertTrue(
			waiting_for_lock("%tabScheduler Booking Host%for update%"),
			"the request never waited for the host rows",
		)
		try:
			# the request holds the booking row (token lookup) and waits for our host rows:
			# asking for the booking row closes the circle, and the database aborts the request
			frappe.db.sql("select name from `tabScheduler Booking` where name=%s for update", name)
		finally:
			frappe.db.rollback()
		thread.join(120)
		self.assertEqual(answer["r"].status_code, 200, answer["r"].text)
		self.assertEqual(
			to_utc(frappe.db.get_value("Scheduler Booking", name, "start")), start + timedelta(hours=2)
		)
		self.assertEqual(frappe.db.get_value("Scheduler Booking", name, "sequence"), 1)

	def test_an_effect_writing_a_booking_and_its_host_row_never_deadlocks_with_a_new_booking(self):
		"""An effect stores a meeting link on a booking and then its calendar event ids on the
		host row (``effects.calendar``, ``effects.video``) while a guest books the next slot of
		that host; the guest's check locks the host rows and then their bookings. Played here
		step by step in this test's transaction: written booking first, the request waits,
		then the host row. Without the hosts' profiles taken first the two closed a circle and
		the database aborted one of them (found by CI: a test's booking died of it)."""
		first = self.day + timedelta(hours=9)
		name = self.booked(first, 901)["id"]
		run_background_jobs()  # the booking's own effects first: only the steps below race
		deadlocks = innodb_deadlocks()
		booking = frappe.get_doc("Scheduler Booking", name)
		video._set(booking, {"meeting_link": "https://meet.example.org/race"})
		answer = {}

		def book_next():
			answer["r"] = requests.post(
				method_url(self.server, BOOK),
				json=self.payload("race-30", first + timedelta(hours=1), 902),
				headers=self.host_header(),
				timeout=120,
			)

		thread = threading.Thread(target=book_next)
		thread.start()
		try:
			self.assertTrue(waiting_for_lock("%for update%"), "the guest's booking never waited for this one")
			calendar.keep_event_ids(booking, booking.hosts[0], {"race-connection": "event-1"})
			frappe.db.commit()
		finally:
			frappe.db.rollback()
			thread.join(120)
		self.assertEqual(answer["r"].status_code, 201, answer["r"].text)
		self.assertEqual(innodb_deadlocks(), deadlocks, "a deadlock was broken meanwhile")
		self.assertEqual(
			frappe.db.get_value("Scheduler Booking", name, "meeting_link"), "https://meet.example.org/race"
		)
		row = frappe.db.get_value("Scheduler Booking Host", {"parent": name}, "calendar_events")
		self.assertEqual(row, '{"race-connection": "event-1"}')

	def test_a_guest_moving_their_booking_is_offered_the_times_next_to_it(self):
		"""The manage page's picker sends the booking's token: its own time and buffer do not
		hide the times around it (they did: a guest could not move a meeting by 30 min)."""
		start = self.day + timedelta(hours=10)
		token = self.booked(start, 903)["manage_url"].rsplit("/", 1)[1]
		around = {iso(start + timedelta(minutes=m)) for m in (-30, 0, 30)}

		def day_slots(**extra):
			return requests.get(
				method_url(self.server, "scheduler_integration.api.public.get_slots"),
				params={
					"profile": "race-host",
					"meeting_type": "race-30",
					"start": iso(self.day),
					"end": iso(self.day + timedelta(days=1)),
					**extra,
				},
				headers=self.host_header(),
				timeout=60,
			)

		def offered(**extra) -> set:
			r = day_slots(**extra)
			self.assertEqual(r.status_code, 200, r.text[:300])
			return {slot["start"] for day in r.json()["message"]["data"]["days"] for slot in day["slots"]}

		self.assertEqual(offered() & around, set())  # to everyone else, taken with its buffer
		self.assertEqual(offered(token=token) & around, around)
		r = day_slots(token="x" * 43)
		self.assertEqual(r.status_code, 404, r.text[:300])
		r = requests.post(
			method_url(self.server, "scheduler_integration.api.public.reschedule"),
			json={"token": token, "start": iso(start + timedelta(minutes=30))},
			headers=self.host_header(),
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:300])

	def host_header(self) -> dict:
		return {"Host": self.server.site}

	def booked(self, start, index: int) -> dict:
		"""A guest's 30-minute booking at ``start`` (201), as the API answered it."""
		r = requests.post(
			method_url(self.server, BOOK),
			json=self.payload("race-30", start, index),
			headers=self.host_header(),
		)
		self.assertEqual(r.status_code, 201, r.text)
		return r.json()["message"]["data"]


def innodb_deadlocks() -> int:
	"""Deadlocks the database server broke since it started."""
	return int(frappe.db.sql("show global status like 'Innodb_deadlocks'")[0][1])


TEAM = ("sched-race-team-a@example.com", "sched-race-team-b@example.com", "sched-race-team-c@example.com")


class TestConcurrentTeamBooking(SchedulerTestCase):
	"""A round-robin booking locks and reads fresh only the host it picks
	(``booking.check._pick_and_hold``): bookings of one team's different hosts run side by
	side, and a pick taken meanwhile falls back to the whole team under every lock."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup(list(TEAM))
		cls._saved = set_settings(**NO_RATE_LIMITS)
		profiles = [
			make_host(user, f"race-team-{user[16]}", tz="UTC", start="08:00", end="18:00") for user in TEAM
		]
		cls.rr = make_type(
			profiles[0], "race-rr", 30, assignment="Round Robin", hosts=[{"user": user} for user in TEAM]
		)
		frappe.db.commit()
		cls.server = LiveServer.get_instance(workers=4)
		cls.day = future_day(31)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**cls._saved)
		clear_bookings(list(TEAM))
		cleanup(list(TEAM), delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings(list(TEAM))

	def payload(self, start, index: int) -> dict:
		return {
			"profile": "race-team-a",
			"meeting_type": "race-rr",
			"start": iso(start),
			"name": f"Team Racer {index}",
			"email": f"team-racer{index}@example.org",
			"timezone": "UTC",
		}

	def active(self) -> list:
		frappe.db.rollback()
		return frappe.get_all(
			"Scheduler Booking",
			filters={"meeting_type": self.rr, "status": ("in", ["Pending", "Confirmed"])},
			fields=["host", "start"],
		)

	def test_five_guests_at_once_for_one_start_get_the_three_hosts_once_each(self):
		# all five pick the same least-booked host: one holds them, the others find them
		# taken under the lock and fall back to the whole team
		start = self.day + timedelta(hours=10)
		results = fire(self.server, [self.payload(start, i) for i in range(5)])
		codes = sorted(r.status_code if isinstance(r, requests.Response) else repr(r) for r in results)
		self.assertEqual(codes, [201, 201, 201, 409, 409], [getattr(r, "text", r)[:200] for r in results])
		self.assertEqual(sorted(row.host for row in self.active()), sorted(TEAM))

	def test_distinct_starts_at_once_are_all_booked_and_no_host_overlaps(self):
		starts = [self.day + timedelta(hours=9, minutes=30 * i) for i in range(12)]
		results = fire(self.server, [self.payload(start, 10 + i) for i, start in enumerate(starts)])
		codes = [r.status_code if isinstance(r, requests.Response) else repr(r) for r in results]
		self.assertEqual(codes, [201] * 12, [getattr(r, "text", r)[:200] for r in results])
		rows = self.active()
		self.assertEqual(len(rows), 12)
		taken = [(row.host, row.start) for row in rows]
		self.assertEqual(
			len(set(taken)), 12, taken
		)  # 30-minute starts 30 minutes apart: a repeat is an overlap

	def test_a_booking_does_not_wait_for_a_colleague_held_by_another_change(self):
		session = requests.Session()
		session.headers["Host"] = self.server.site
		first = session.post(
			method_url(self.server, BOOK), json=self.payload(self.day + timedelta(hours=14), 30), timeout=60
		)
		self.assertEqual(first.status_code, 201, first.text)
		held = self.active()[0].host  # booked once now: fair share picks a colleague next
		frappe.db.rollback()
		frappe.db.sql(
			"select name from `tabScheduler Profile` where user = %s for update", (held,)
		)  # another change of that host, running
		try:
			answer = session.post(
				method_url(self.server, BOOK),
				json=self.payload(self.day + timedelta(hours=15), 31),
				timeout=20,
			)
		finally:
			frappe.db.rollback()
		self.assertEqual(answer.status_code, 201, answer.text)
		hosts = {row.host for row in self.active()}
		self.assertEqual(len(hosts), 2)
		self.assertIn(held, hosts)
