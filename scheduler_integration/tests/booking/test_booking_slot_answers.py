"""Kept slot answers (booking.slot_answers) never miss a change: after every step of random
sequences of the changes a site sees — bookings made, moved and cancelled, working hours,
date overrides, blocked time, leave, a meeting type's rules, a calendar sync, the clock
moving on — the kept answer equals an answer searched from the database alone.

CI runs ``STEPS`` steps; ``SCHEDULER_LONG_TESTS=1`` runs ``LONG_STEPS``."""

from __future__ import annotations

import http.server
import os
import random
import threading
from collections import OrderedDict
from contextlib import contextmanager
from datetime import timedelta

import frappe

from scheduler_integration.api.shapes import days_text
from scheduler_integration.booking import availability, busy, meeting_types, slot_answers, slots
from scheduler_integration.booking.meeting_types import type_context
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.tests.factory import (
	Outbox,
	book,
	clear_bookings,
	make_host,
	make_type,
	set_settings,
)
from scheduler_integration.tests.live import cleanup
from scheduler_integration.tests.utils import SchedulerTestCase

A, B = "sched-kept-a@example.com", "sched-kept-b@example.com"
STEPS, LONG_STEPS = 40, 400
SEED = 20261126
CHANGES = (
	"book",
	"book",
	"cancel",
	"move",
	"hours",
	"override",
	"blocked",
	"leave",
	"rules",
	"busy",
	"clock",
)


class Feed:
	"""A published calendar on 127.0.0.1 whose busy events the test changes."""

	def __init__(self):
		self.events: list[tuple] = []
		feed = self

		class Handler(http.server.BaseHTTPRequestHandler):
			def do_GET(self):
				body = feed.body()
				self.send_response(200)
				self.send_header("Content-Type", "text/calendar")
				self.send_header("Content-Length", str(len(body)))
				self.end_headers()
				self.wfile.write(body)

			def log_message(self, *args):
				pass

		self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		threading.Thread(target=self.server.serve_forever, daemon=True).start()
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}/busy.ics"

	def body(self) -> bytes:
		stamp = "%Y%m%dT%H%M%SZ"
		events = "".join(
			f"BEGIN:VEVENT\r\nUID:kept-{i}\r\nDTSTART:{s.strftime(stamp)}\r\nDTEND:{e.strftime(stamp)}\r\n"
			"SUMMARY:Busy\r\nEND:VEVENT\r\n"
			for i, (s, e) in enumerate(self.events)
		)
		return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n".encode()

	def close(self):
		self.server.shutdown()


@contextmanager
def nothing_kept():
	"""Search from the database alone: this process's cached inputs and answers set aside."""
	caches = (availability.CACHE, busy.CACHE, meeting_types.CACHE)
	saved = [cache.entries for cache in caches], slot_answers._answers, slot_answers._host_parts
	try:
		for cache in caches:
			cache.entries = OrderedDict()
		slot_answers._answers = OrderedDict()
		slot_answers._host_parts = OrderedDict()
		yield
	finally:
		for cache, entries in zip(caches, saved[0], strict=True):
			cache.entries = entries
		slot_answers._answers, slot_answers._host_parts = saved[1:]


class TestKeptSlotAnswers(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(allow_private_calendar_hosts=1)  # the feed is on 127.0.0.1
		cls.outbox = Outbox()
		cls.profile_a = make_host(A, "kept-a", tz="Europe/Berlin", start="08:00", end="17:00")
		cls.profile_b = make_host(B, "kept-b", tz="America/New_York", start="09:00", end="16:00")
		cls.solo = make_type(cls.profile_a, "kept-solo", 30, max_advance_days=6)
		cls.team = make_type(
			cls.profile_a,
			"kept-team",
			45,
			assignment="Round Robin",
			# B first: a start's free hosts are listed in the team's order
			hosts=[{"user": A, "weight": 100}, {"user": B, "weight": 100, "priority": 1}],
		)
		cls.feed = Feed()
		frappe.set_user(B)
		cls.connection = (
			frappe.get_doc(
				{
					"doctype": "Scheduler Calendar Connection",
					"provider": "ICS",
					"ics_url": cls.feed.url,
					"enabled": 1,
				}
			)
			.insert()
			.name
		)
		frappe.set_user("Administrator")
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		cls.feed.close()
		for doctype, field in (
			("Scheduler Busy Time", "host"),
			("Scheduler Calendar Connection", "host"),
			("Scheduler Blocked Time", "user"),
			("Scheduler Out of Office", "user"),
		):
			for name in frappe.get_all(doctype, filters={field: ("in", [A, B])}, pluck="name"):
				frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
		frappe.db.commit()
		cls.outbox.close()
		set_settings(**cls._saved)
		cleanup([A, B], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([A, B])
		self.saw_cover = False

	def answer(self, name, start, end, now):
		"""The slots, the seats and the answer's text in two bookers' zones (a kept month's
		text is kept too: ``api.shapes.days_text``)."""
		found, seats = slots.slots_and_seats(type_context(name), start, end, now)
		texts = [days_text(found, zone, seats) for zone in ("UTC", "Asia/Kolkata")]
		return [(slot.start, slot.hosts) for slot in found], seats, texts

	def check(self, now, step, change):
		day = now.replace(hour=0, minute=0, second=0, microsecond=0)
		for name in (self.solo, self.team):
			for start, end in (
				(day, day + timedelta(days=9)),
				(day + timedelta(days=2), day + timedelta(days=3)),
			):
				kept = self.answer(name, start, end, now)
				with nothing_kept():
					fresh = self.answer(name, start, end, now)
				self.assertEqual(kept, fresh, f"step {step} ({change}), {name} {start:%m-%d}..{end:%m-%d}")
				if name == self.team:
					# joined from each host's own kept starts: the team's search, its times (a
					# team's kept answer names no hosts: engine.slot_answers.joined_starts)
					with nothing_kept():
						whole = slots.slots_for(type_context(name), start, end, now)
					self.assertEqual(
						[(at, ()) for at, _hosts in kept[0]],
						[(slot.start, ()) for slot in whole],
						f"step {step}",
					)
					self.assertTrue(all(hosts == () for _at, hosts in kept[0]))
				if name == self.solo and any(hosts == (B,) for _start, hosts in fresh[0]):
					self.saw_cover = True  # A's leave covered by B: B's times on A's page
				self.assertEqual(self.answer(name, start, end, now), fresh, f"step {step}, read again")

	def test_a_kept_months_text_is_made_once_per_zone_and_cut(self):
		"""A second read of a kept month in the same zone answers the text the first made;
		another zone, or a clock that cuts a slot off, gets its own text."""
		now = utc_now()
		day = now.replace(hour=0, minute=0, second=0, microsecond=0)
		ctx = type_context(self.solo)

		def read(at, zone="UTC"):
			found, seats = slots.slots_and_seats(ctx, day, day + timedelta(days=9), at)
			return found, days_text(found, zone, seats)

		first, text = read(now)
		self.assertTrue(first, "the solo type offers times this week")
		self.assertIs(read(now)[1], text)
		self.assertEqual(read(now, "Asia/Kolkata")[1], days_text(list(first), "Asia/Kolkata"))
		self.assertNotEqual(read(now, "Asia/Kolkata")[1], text)
		later = first[0].start + timedelta(minutes=1)  # the first offered start is past
		cut, cut_text = read(later)
		with nothing_kept():
			fresh, fresh_text = read(later)
		self.assertEqual(cut, fresh)
		self.assertEqual(cut_text, fresh_text)
		self.assertNotIn(first[0], cut)
		self.assertNotEqual(cut_text, text)

	def test_a_change_of_one_host_searches_only_that_hosts_starts_again(self):
		"""A team's answer is joined from each host's own kept starts: after A's blocked time,
		the next read searches A alone, reuses B's, and answers as a whole search does."""
		now = utc_now()
		day = now.replace(hour=0, minute=0, second=0, microsecond=0)
		ctx = type_context(self.team)
		window = (day, day + timedelta(days=9))

		def parts():
			return {key[-1]: part for key, part in slot_answers._host_parts.items() if key[1] == self.team}

		with nothing_kept():
			first, _seats = slots.slots_and_seats(ctx, *window, now)
			before = parts()
			self.assertEqual(set(before), {A, B})
			free = next(slot for slot in first if slot.start in before[A].starts)
			blocked = frappe.get_doc(
				{
					"doctype": "Scheduler Blocked Time",
					"user": A,
					"start": to_system(free.start),
					"end": to_system(free.end),
				}
			).insert(ignore_permissions=True)
			frappe.db.commit()
			try:
				again, _seats = slots.slots_and_seats(type_context(self.team), *window, now)
				after = parts()
				self.assertIsNot(after[A], before[A], "A's starts searched again")
				self.assertIs(after[B], before[B], "B's starts reused")
				self.assertNotIn(free.start, after[A].starts)
				with nothing_kept():
					whole = slots.slots_for(type_context(self.team), *window, now)
				self.assertEqual(
					[(slot.start, slot.end) for slot in again], [(slot.start, slot.end) for slot in whole]
				)
				# B is still free then: the time stays offered
				self.assertEqual(
					free.start in after[B].starts, any(slot.start == free.start for slot in again)
				)
			finally:
				blocked.delete(ignore_permissions=True)
				frappe.db.commit()

	def test_kept_answers_equal_fresh_ones_after_every_change(self):
		steps = LONG_STEPS if os.environ.get("SCHEDULER_LONG_TESTS") == "1" else STEPS
		rng = random.Random(SEED)
		now = utc_now()
		self.check(now, 0, "start")
		# from the start, A's next working day is covered by B (changed at random later)
		covered_day = next(
			day for day in (now.date() + timedelta(days=n) for n in range(1, 8)) if day.weekday() < 5
		)
		frappe.get_doc(
			{
				"doctype": "Scheduler Out of Office",
				"user": A,
				"from_date": covered_day,
				"to_date": covered_day,
				"delegate": B,
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		self.check(now, 0, "a colleague covers")
		made: list[str] = []
		seen = set()
		for step in range(1, steps + 1):
			change = rng.choice(CHANGES)
			for attempt in range(3):  # as the API does: a booking's effects may hold its rows
				try:
					self.apply(change, random.Random(rng.random()), now, made)
					break
				except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
					frappe.db.rollback()
					if attempt == 2:
						raise
			seen.add(change)
			if change == "clock":
				now += timedelta(minutes=rng.choice((7, 30, 95, 600, 1500)))
			self.check(now, step, change)
		self.assertEqual(seen, set(CHANGES), "every kind of change was made")
		self.assertTrue(self.saw_cover, "a colleague covered the solo type's owner at some step")

	# --- the changes --------------------------------------------------------------------------

	def offered(self, rng, now):
		name = rng.choice((self.solo, self.team))
		with nothing_kept():
			found = slots.slots_for(type_context(name), now, now + timedelta(days=6), utc_now())
		return name, (rng.choice(found).start if found else None)

	def apply(self, change, rng, now, made):
		day = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=rng.randrange(0, 7))
		user = rng.choice((A, B))
		if change == "book":
			name, start = self.offered(rng, now)
			if start:
				guest = {"guest_name": "Kept", "guest_email": f"kept-{len(made)}@example.com"}
				made.append(book(name, start, guest).name)
		elif change in ("cancel", "move") and made:
			doc = frappe.get_doc("Scheduler Booking", rng.choice(made))
			if doc.status in ("Cancelled", "Declined"):
				return
			if change == "cancel":
				doc.cancel("kept")
			else:
				_name, start = self.offered(rng, now)
				if not start or doc.meeting_type != _name:
					return
				doc.reschedule(start)
			frappe.db.commit()
		elif change == "hours":
			doc = frappe.get_doc(
				"Scheduler Availability",
				frappe.db.get_value("Scheduler Profile", {"user": user}, "availability"),
			)
			first = f"{rng.randrange(6, 12):02d}:{rng.choice(('00', '30'))}"
			for row in doc.weekly_rules:
				row.from_time = first
			doc.save(ignore_permissions=True)
			frappe.db.commit()
		elif change == "override":
			doc = frappe.get_doc(
				"Scheduler Availability",
				frappe.db.get_value("Scheduler Profile", {"user": user}, "availability"),
			)
			if doc.date_overrides and rng.random() < 0.5:
				doc.date_overrides.pop(rng.randrange(len(doc.date_overrides)))
			elif day.date() not in {row.date for row in doc.date_overrides}:
				doc.append("date_overrides", {"date": day.date(), "unavailable": 1})
			doc.save(ignore_permissions=True)
			frappe.db.commit()
		elif change == "blocked":
			names = frappe.get_all("Scheduler Blocked Time", filters={"user": user}, pluck="name")
			if names and rng.random() < 0.4:
				frappe.delete_doc("Scheduler Blocked Time", rng.choice(names), ignore_permissions=True)
			else:
				start = day + timedelta(hours=rng.randrange(6, 20))
				frappe.get_doc(
					{
						"doctype": "Scheduler Blocked Time",
						"user": user,
						"start": to_system(start),
						"end": to_system(start + timedelta(minutes=rng.choice((30, 90, 180)))),
					}
				).insert(ignore_permissions=True)
			frappe.db.commit()
		elif change == "leave":
			names = frappe.get_all("Scheduler Out of Office", filters={"user": user}, pluck="name")
			covered = [
				name for name in names if frappe.db.get_value("Scheduler Out of Office", name, "delegate")
			]
			roll = rng.random()
			if names and roll < 0.3:
				frappe.delete_doc("Scheduler Out of Office", rng.choice(names), ignore_permissions=True)
			elif covered and roll < 0.5:
				# the colleague takes back their yes, or gives it again (the solo type's
				# owner A is then covered by B: B's own times are offered on those dates)
				leave = frappe.get_doc("Scheduler Out of Office", rng.choice(covered))
				leave.respond_to_cover(leave.delegate, accept=rng.random() < 0.5)
			else:
				frappe.get_doc(
					{
						"doctype": "Scheduler Out of Office",
						"user": user,
						"from_date": day.date(),
						"to_date": day.date() + timedelta(days=rng.randrange(0, 2)),
						# a manager names the colleague: accepted at once
						"delegate": ({A: B, B: A}[user] if rng.random() < 0.6 else None),
					}
				).insert(ignore_permissions=True)
			frappe.db.commit()
		elif change == "rules":
			doc = frappe.get_doc("Scheduler Meeting Type", rng.choice((self.solo, self.team)))
			doc.min_notice = rng.choice((0, 0, 60, 600, 2880))
			doc.buffer_after = rng.choice((0, 0, 15))
			doc.max_advance_days = rng.choice((2, 4, 365))
			doc.save(ignore_permissions=True)
			frappe.db.commit()
		elif change == "busy":
			if self.feed.events and rng.random() < 0.3:
				self.feed.events.pop(rng.randrange(len(self.feed.events)))
			else:
				start = day + timedelta(hours=rng.randrange(8, 22), minutes=rng.choice((0, 15, 30)))
				self.feed.events.append((start, start + timedelta(minutes=rng.choice((30, 60, 120)))))
			self.assertTrue(frappe.get_doc("Scheduler Calendar Connection", self.connection).refresh_busy())
