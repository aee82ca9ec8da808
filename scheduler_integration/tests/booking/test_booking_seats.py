"""Group sessions (seats, issue 29) over real HTTP: the last seats of a slot under a race,
seated slots beside ordinary bookings at every entry point, each guest's own manage link,
and one calendar event per slot on a real CalDAV server (Radicale)."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import frappe
import requests

from scheduler_integration.core.clock import to_system
from scheduler_integration.scheduler_integration.doctype.scheduler_calendar_connection.test_scheduler_calendar_connection import (
	radicale_class,
	writing_caldav,
)
from scheduler_integration.tests.booking.test_concurrency import fire
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
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

HOST = "sched-seats@example.com"
PROFILE = "seats-host"
REST = "/api/resource/Scheduler Booking"
ACTIVE = ("in", ["Pending", "Confirmed"])


class TestGroupSessions(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS, allow_private_calendar_hosts=1)
		cls.outbox = Outbox()
		cls.profile = make_host(HOST, PROFILE, start="08:00", end="18:00")
		cls.server = LiveServer.get_instance(workers=4)
		cls.day = future_day(21)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		cls.clear_connections()
		clear_bookings([HOST])
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	@classmethod
	def clear_connections(cls):
		frappe.db.commit()
		for doctype in ("Scheduler Busy Time", "Scheduler Calendar Connection"):
			for name in frappe.get_all(doctype, filters={"host": HOST}, pluck="name"):
				frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
		frappe.db.commit()

	def setUp(self):
		clear_bookings([HOST])
		self.clear_connections()
		self.seated = make_type(self.profile, "class", 60, seats_per_slot=5, show_seats_left=1)
		self.call = make_type(self.profile, "call", 30)

	def at(self, hour, minute=0):
		return self.day + timedelta(hours=hour, minutes=minute)

	def book(self, start, slug="class", **fields):
		return guest_book(self.server, PROFILE, slug, iso(start), **fields)

	def booked(self, start, slug="class", **fields) -> dict:
		r = self.book(start, slug, **fields)
		self.assertEqual(r.status_code, 201, r.text)
		return body(r)["data"]

	def active(self, start=None, slug="class") -> list[str]:
		frappe.db.commit()
		filters = {
			"host": HOST,
			"status": ACTIVE,
			"meeting_type": self.seated if slug == "class" else self.call,
		}
		if start is not None:
			filters["start"] = to_system(start)
		return frappe.get_all("Scheduler Booking", filters=filters, pluck="name")

	def seats_left(self, start) -> int | None:
		r = requests.get(
			method_url(self.server, "scheduler_integration.api.public.get_slots"),
			params={
				"profile": PROFILE,
				"meeting_type": "class",
				"start": iso(self.day),
				"end": iso(self.day + timedelta(days=1)),
				"timezone": "UTC",
			},
			headers={"Host": self.server.site},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text)
		rows = {s["start"]: s for d in body(r)["data"]["days"] for s in d["slots"]}
		slot = rows.get(iso(start))
		return None if slot is None else slot["seats_left"]

	def test_the_last_seats_of_a_slot_go_to_exactly_as_many_guests(self):
		start = self.at(10)
		for i in range(2):
			self.booked(start, email=f"early{i}@example.org")
		self.assertEqual(self.seats_left(start), 3)
		payloads = [
			{
				"profile": PROFILE,
				"meeting_type": "class",
				"start": iso(start),
				"name": f"Racer {i}",
				"email": f"seat-racer{i}@example.org",
				"timezone": "UTC",
			}
			for i in range(33)
		]
		results = fire(self.server, payloads)
		codes = sorted(r.status_code if isinstance(r, requests.Response) else repr(r) for r in results)
		self.assertEqual((codes.count(201), codes.count(409)), (3, 30), codes)
		for response in results:
			if response.status_code == 409:
				self.assertTrue(response.json()["message"]["alternatives"], response.text)
		self.assertEqual(len(self.active(start)), 5)
		self.assertIsNone(self.seats_left(start), "a full slot is no longer offered")
		leaders = frappe.get_all(
			"Scheduler Booking", filters={"name": ("in", self.active(start)), "seat_leader": 1}, pluck="name"
		)
		self.assertEqual(len(leaders), 1, "one seat holds the slot's event")

	def test_a_guest_takes_one_seat_per_slot(self):
		self.booked(self.at(10), email="twice@example.org")
		r = self.book(self.at(10), email="TWICE@example.org")
		# the slot is taken for this guest: a conflict (issue 50, item 28), not a refusal
		self.assertEqual((r.status_code, r.json()["message"]["code"]), (409, "CONFLICT"), r.text)
		self.assertEqual(len(self.active(self.at(10))), 1)

	def test_seated_slots_and_other_bookings_never_overlap_at_any_entry_point(self):
		self.booked(self.at(10), email="s1@example.org")
		# a guest: another type inside the class is refused, its neighbour hour is not
		self.assertEqual(self.book(self.at(10, 30), "call", email="c1@example.org").status_code, 409)
		call = self.booked(self.at(12), "call", email="c2@example.org")["id"]
		# a class overlapping the call is refused: no slot of the class may start at 11:30
		self.assertEqual(self.book(self.at(11, 30), email="s2@example.org").status_code, 409)
		host = self.server.session(HOST)
		# the host over REST: moving the call into the class is refused, a seat joins
		r = host.put(
			f"{self.server.base}{REST}/{call}", json={"start": str(to_system(self.at(10)))}, timeout=30
		)
		self.assertEqual(r.status_code, 409, r.text)
		r = host.post(
			f"{self.server.base}{REST}",
			json={
				"meeting_type": self.seated,
				"start": str(to_system(self.at(10))),
				"guest_name": "Desk Seat",
				"guest_email": "desk-seat@example.org",
			},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		# the host API and the desk's set_value: a class moved onto the call is refused
		seat = r.json()["data"]["name"]
		r = host.post(
			method_url(self.server, "scheduler_integration.api.booking.reschedule_booking"),
			json={"booking": seat, "start": iso(self.at(12))},
			timeout=30,
		)
		self.assertEqual(r.status_code, 409, r.text)
		r = host.post(
			method_url(self.server, "frappe.client.set_value"),
			json={
				"doctype": "Scheduler Booking",
				"name": seat,
				"fieldname": "start",
				"value": str(to_system(self.at(11, 45))),
			},
			timeout=30,
		)
		self.assertEqual(r.status_code, 409, r.text)
		self.assertEqual(len(self.active(self.at(10))), 2)
		self.assertEqual(len(self.active(self.at(12), "call")), 1)

	def test_each_guest_cancels_or_moves_only_their_own_seat(self):
		first = self.booked(self.at(10), email="g1@example.org")
		second = self.booked(self.at(10), email="g2@example.org")
		self.assertNotEqual(first["manage_url"], second["manage_url"])
		self.assertEqual(self.seats_left(self.at(10)), 3)
		guest = self.server.session(None)
		token = first["manage_url"].rstrip("/").rsplit("/", 1)[-1]
		r = guest.post(
			method_url(self.server, "scheduler_integration.api.public.cancel"),
			json={"token": token},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(self.active(self.at(10)), [second["id"]])
		self.assertEqual(self.seats_left(self.at(10)), 4, "a cancelled seat is free again")
		token = second["manage_url"].rstrip("/").rsplit("/", 1)[-1]
		r = guest.post(
			method_url(self.server, "scheduler_integration.api.public.reschedule"),
			json={"token": token, "start": iso(self.at(14)), "timezone": "UTC"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(self.active(self.at(10)), [])
		self.assertEqual(self.active(self.at(14)), [second["id"]])
		self.assertEqual(self.seats_left(self.at(10)), 5)
		self.assertEqual(self.seats_left(self.at(14)), 4)

	def slot_records(self, start) -> tuple[list, list, list]:
		"""(leaders, bookings holding a desk event, bookings holding the task or to-dos) of the
		slot's seats, active or not."""
		frappe.db.commit()
		names = frappe.get_all(
			"Scheduler Booking",
			filters={"meeting_type": self.seated, "start": to_system(start)},
			pluck="name",
		)
		leaders = frappe.get_all(
			"Scheduler Booking",
			filters={"name": ("in", names), "seat_leader": 1, "status": ACTIVE},
			pluck="name",
		)
		events = frappe.get_all(
			"Scheduler Booking Host",
			filters={"parent": ("in", names), "parenttype": "Scheduler Booking", "event": ("is", "set")},
			fields=["parent", "event"],
		)
		records = frappe.get_all(
			"Scheduler Booking Record",
			filters={"parent": ("in", names), "purpose": ("in", ["Task", "To Do"])},
			pluck="parent",
		)
		return leaders, events, sorted(set(records))

	def test_the_hosts_get_one_desk_event_and_task_per_slot_that_follows_its_guests(self):
		seats = [self.booked(self.at(10), name=f"Crm {i}", email=f"crm{i}@example.org") for i in range(3)]
		run_background_jobs()
		leaders, events, records = self.slot_records(self.at(10))
		self.assertEqual(len(leaders), 1)
		self.assertEqual([row.parent for row in events], leaders, "one desk event, kept by the leading seat")
		self.assertEqual(records, leaders, "one task or to-do set, kept by the leading seat")
		event = frappe.get_doc("Event", events[0].event)
		self.assertIn("3 of 5 seats", event.subject)
		contacts = {p.reference_docname for p in event.event_participants if p.reference_doctype == "Contact"}
		self.assertEqual(len(contacts), 3, "every guest's contact takes part in the slot's event")
		# the leading guest leaves: the next seat keeps the same event, task and to-dos
		guest = self.server.session(None)
		token = seats[0]["manage_url"].rstrip("/").rsplit("/", 1)[-1]
		r = guest.post(
			method_url(self.server, "scheduler_integration.api.public.cancel"),
			json={"token": token},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		run_background_jobs()
		new_leaders, new_events, new_records = self.slot_records(self.at(10))
		self.assertEqual(len(new_leaders), 1)
		self.assertNotEqual(new_leaders, leaders)
		self.assertEqual([(row.parent, row.event) for row in new_events], [(new_leaders[0], events[0].event)])
		self.assertEqual(new_records, new_leaders)
		event.reload()
		self.assertEqual(event.status, "Open")
		self.assertIn("2 of 5 seats", event.subject)

	def test_the_hosts_get_one_calendar_event_per_slot_with_every_guest(self):
		Radicale = radicale_class()
		radicale = Radicale(Path(tempfile.mkdtemp(prefix="radicale-")))
		radicale.start()
		try:
			account, calendar_url, connection = writing_caldav(
				HOST, radicale, "Classes", "classes", checked=True
			)

			def events():
				run_background_jobs()
				found = account.busy([calendar_url], self.day, self.day + timedelta(days=1), "UTC")
				texts = [account.get_event(calendar_url, uid) for uid in self.uids()]
				return found, [t.replace("\r\n ", "").replace("\n ", "") for t in texts if t]

			seats = [
				self.booked(self.at(10), name=f"Guest {i}", email=f"cal{i}@example.org") for i in range(3)
			]
			_busy, texts = events()
			self.assertEqual(len(texts), 1, "one event for the slot")
			self.assertIn("3 of 5 seats", texts[0])
			for i in range(3):
				self.assertIn(f"cal{i}@example.org", texts[0])
			# its own event read back is no busy time: the slot stays open for more guests
			self.assertTrue(frappe.get_doc("Scheduler Calendar Connection", connection.name).refresh_busy())
			self.assertEqual(frappe.db.count("Scheduler Busy Time", {"connection": connection.name}), 0)
			self.assertEqual(self.seats_left(self.at(10)), 2)
			# the first guest (who held the event) cancels: the event stays, without them
			guest = self.server.session(None)
			token = seats[0]["manage_url"].rstrip("/").rsplit("/", 1)[-1]
			r = guest.post(
				method_url(self.server, "scheduler_integration.api.public.cancel"),
				json={"token": token},
				timeout=30,
			)
			self.assertEqual(r.status_code, 200, r.text)
			_busy, texts = events()
			self.assertEqual(len(texts), 1, texts)
			self.assertIn("2 of 5 seats", texts[0])
			self.assertNotIn("cal0@example.org", texts[0])
			# the others leave too: no event is left
			for seat in seats[1:]:
				token = seat["manage_url"].rstrip("/").rsplit("/", 1)[-1]
				guest.post(
					method_url(self.server, "scheduler_integration.api.public.cancel"),
					json={"token": token},
					timeout=30,
				)
			_busy, texts = events()
			self.assertEqual(texts, [])
			account.close()
		finally:
			radicale.stop()

	def uids(self) -> list[str]:
		frappe.db.commit()
		return frappe.get_all(
			"Scheduler Booking", filters={"host": HOST, "meeting_type": self.seated}, pluck="ical_uid"
		)
