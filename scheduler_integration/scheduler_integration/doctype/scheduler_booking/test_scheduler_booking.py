"""A booking belongs to every host, and every change goes through one checked path.

Over real HTTP against a multi-worker web server, with real effects run by RQ workers:
collective bookings occupy each co-host (slots, 409s, permissions, emails, Events,
reminders, .ics), concurrent mixed requests never double-book a host, and REST, desk and
host-API changes are held to the same rules as the guest's (overlaps, the past, the state
machine), with a recorded override.
"""

from __future__ import annotations

import email
from datetime import timedelta
from itertools import pairwise

import frappe
import requests

from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.engine.booking_states import ACTIVE, STATUSES, TRANSITIONS, Actor, Status
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
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase, no_test_records

# Beside its DocType, Frappe's runner would make the stock test records of every DocType this
# one links to (test users among them) and leave them on the site: none is made
# (tests/utils.no_test_records). Frappe 16 reads the second name.
test_ignore = IGNORE_TEST_RECORD_DEPENDENCIES = no_test_records("Scheduler Booking")

A, B = "sched-multi-a@example.com", "sched-multi-b@example.com"
PUBLIC = "scheduler_integration.api.public"
REST = "/api/resource/Scheduler Booking"


def body(response):
	data = response.json()
	return data.get("message") if isinstance(data.get("message"), dict) else data


class TestMultiHost(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS, remind_host=1)
		cls.outbox = Outbox()
		cls.pa = make_host(A, "multi-a", tz="UTC", start="09:00", end="17:00")
		cls.pb = make_host(B, "multi-b", tz="Europe/Berlin", start="09:00", end="18:00")
		cls.team = make_type(
			cls.pa, "together", 60, assignment="Collective", hosts=[{"user": A}, {"user": B}]
		)
		cls.solo_b = make_type(cls.pb, "b-call", 30)
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.as_b = cls.server.session(B)
		cls.as_a = cls.server.session(A)
		cls.day = future_day(21)
		while cls.day.weekday() != 2:  # a Wednesday
			cls.day += timedelta(days=1)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		cleanup([A, B], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([A, B])

	def at(self, hour, minute=0):
		return self.day + timedelta(hours=hour, minutes=minute)

	def book(self, profile, type_slug, start, email="guest@example.org", **extra):
		return self.guest.post(
			method_url(self.server, f"{PUBLIC}.book"),
			json={
				"profile": profile,
				"meeting_type": type_slug,
				"start": iso(start),
				"name": "Gus Guest",
				"email": email,
				"timezone": "UTC",
				**extra,
			},
			timeout=60,
		)

	def slots(self, profile, type_slug):
		r = self.guest.get(
			method_url(self.server, f"{PUBLIC}.get_slots"),
			params={
				"profile": profile,
				"meeting_type": type_slug,
				"start": iso(self.at(0)),
				"end": iso(self.at(23)),
				"timezone": "UTC",
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text)
		return {s["start"] for d in body(r)["data"]["days"] for s in d["slots"]}

	def fresh(self):
		frappe.db.rollback()

	# --- a collective booking is every co-host's -------------------------------------

	def test_collective_booking_occupies_and_informs_every_host(self):
		t = self.at(14)
		self.assertIn(iso(t), self.slots("multi-b", "b-call"))
		r = self.book("multi-a", "together", t, email="team@example.org")
		self.assertEqual(r.status_code, 201, r.text)
		booking = body(r)["data"]["id"]
		token = body(r)["data"]["manage_url"].rsplit("/", 1)[1]
		# B's own meeting type no longer offers 14:00 (nor 14:30, inside the hour) and refuses it
		offered = self.slots("multi-b", "b-call")
		self.assertNotIn(iso(t), offered)
		self.assertNotIn(iso(t + timedelta(minutes=30)), offered)
		self.assertIn(iso(t + timedelta(hours=1)), offered)
		r = self.book("multi-b", "b-call", t, email="other@example.org")
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "conflict"), r.text)
		# both are hosts of it; B reads it over REST and in the host API's list
		self.fresh()
		doc = frappe.get_doc("Scheduler Booking", booking)
		self.assertEqual([row.user for row in doc.hosts], [A, B])
		r = self.as_b.get(f"{self.server.base}{REST}/{booking}", timeout=30)
		self.assertEqual(r.status_code, 200, r.text)
		r = self.as_b.get(
			method_url(self.server, "scheduler_integration.api.booking.list_my_bookings"), timeout=30
		)
		self.assertIn(booking, [item["id"] for item in body(r)["data"]])
		# every host gets the email, an Event of their own and reminders
		run_background_jobs()
		self.fresh()
		doc = frappe.get_doc("Scheduler Booking", booking)
		queued = frappe.get_all("Email Queue", filters={"reference_name": booking}, pluck="name")
		recipients = set(
			frappe.get_all("Email Queue Recipient", filters={"parent": ("in", queued)}, pluck="recipient")
		)
		self.assertEqual(recipients, {"team@example.org", A, B})
		events = {row.user: row.event for row in doc.hosts}
		self.assertTrue(all(events.values()), events)
		self.assertEqual(
			{u: frappe.db.get_value("Event", e, "owner") for u, e in events.items()}, {A: A, B: B}
		)
		reminded = set(
			frappe.get_all(
				"Scheduler Reminder", filters={"booking": booking, "recipient": "Host"}, pluck="host"
			)
		)
		self.assertEqual(reminded, {A, B})
		# the hosts' invitation names both hosts as attendees; the guest's .ics says it is with both
		for host in (A, B):
			(name,) = frappe.get_all(
				"Email Queue Recipient",
				filters={"parent": ("in", queued), "recipient": host},
				pluck="parent",
			)
			message = email.message_from_string(frappe.db.get_value("Email Queue", name, "message"))
			(ics,) = [
				p.get_payload(decode=True).decode()
				for p in message.walk()
				if (p.get_filename() or "").endswith(".ics")
			]
			unfolded = ics.replace("\r\n ", "")
			self.assertIn("METHOD:REQUEST", unfolded)
			for attendee in (A, B):
				self.assertIn(f"mailto:{attendee}", unfolded)
		ics = self.guest.get(method_url(self.server, f"{PUBLIC}.ics"), params={"token": token}, timeout=30)
		unfolded = ics.text.replace("\r\n ", "")
		names = [frappe.utils.get_fullname(host) for host in (A, B)]
		self.assertIn(f"SUMMARY:Together with {names[0]}\\, {names[1]}", unfolded)
		# cancelling frees 14:00 for both
		r = self.guest.post(
			method_url(self.server, f"{PUBLIC}.cancel"), json={"token": token, "reason": "x"}, timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertIn(iso(t), self.slots("multi-b", "b-call"))
		self.assertIn(iso(t), self.slots("multi-a", "together"))
		run_background_jobs()
		self.fresh()
		self.assertEqual({frappe.db.get_value("Event", e, "status") for e in events.values()}, {"Cancelled"})

	def test_fifty_concurrent_requests_mixing_collective_and_solo_never_double_book(self):
		base = self.at(10)
		payloads = []
		for i in range(50):
			start = base + timedelta(minutes=30 * (i % 6))
			collective = i % 2 == 0
			payloads.append(
				{
					"profile": "multi-a" if collective else "multi-b",
					"meeting_type": "together" if collective else "b-call",
					"start": iso(start),
					"name": f"Racer {i}",
					"email": f"mixed{i}@example.org",
					"timezone": "UTC",
				}
			)
		results = fire(self.server, payloads)
		codes = [r.status_code if isinstance(r, requests.Response) else repr(r) for r in results]
		self.assertTrue(set(codes) <= {201, 409}, codes)
		self.assertGreaterEqual(codes.count(201), 2)
		self.fresh()
		for host in (A, B):
			names = frappe.get_all(
				"Scheduler Booking Host",
				filters={"parenttype": "Scheduler Booking", "user": host},
				pluck="parent",
			)
			rows = frappe.get_all(
				"Scheduler Booking",
				filters={"name": ("in", names or [""]), "status": ("in", list(ACTIVE))},
				fields=["start", "end"],
			)
			spans = sorted((to_utc(r.start), to_utc(r.end)) for r in rows)
			for (_s, a_end), (b_start, _e) in pairwise(spans):
				self.assertLessEqual(a_end, b_start, f"{host} is double-booked: {spans}")
		self.assertEqual(
			codes.count(201),
			frappe.db.count("Scheduler Booking", {"meeting_type": ("in", [self.team, self.solo_b])}),
		)

	# --- REST, desk and host API go through the same check ---------------------------------

	def solo_booking(self, hour, email):
		r = self.book("multi-b", "b-call", self.at(hour), email=email)
		self.assertEqual(r.status_code, 201, r.text)
		return body(r)["data"]["id"]

	def test_rest_and_desk_changes_are_checked_like_the_guests(self):
		first = self.solo_booking(10, "one@example.org")
		second = self.solo_booking(12, "two@example.org")
		url = f"{self.server.base}{REST}/{second}"
		# onto another booking: refused with a message, nothing changed
		r = self.as_b.put(url, json={"start": str(self.local_b(self.at(10)))}, timeout=30)
		self.assertEqual(r.status_code, 409, r.text)
		self.assertIn("taken", r.text)
		# into the past: refused
		r = self.as_b.put(url, json={"start": str(self.local_b(utc_now() - timedelta(days=1)))}, timeout=30)
		self.assertIn(r.status_code, (403, 409), r.text)
		# a new overlapping booking over REST: refused
		r = self.as_b.post(
			f"{self.server.base}{REST}",
			json={
				"meeting_type": self.solo_b,
				"start": str(self.local_b(self.at(10, 0))),
				"guest_name": "Desk Guest",
				"guest_email": "desk@example.org",
			},
			timeout=30,
		)
		self.assertEqual(r.status_code, 409, r.text)
		self.fresh()
		self.assertEqual(to_utc(frappe.db.get_value("Scheduler Booking", second, "start")), self.at(12))
		# an allowed move from the desk is the guest's reschedule: end, sequence, token expiry,
		# invitations and reminders all follow
		run_background_jobs()
		before = frappe.get_doc("Scheduler Booking", second)
		mails_before = frappe.db.count("Email Queue", {"reference_name": second})
		frappe.set_user(B)
		try:
			doc = frappe.get_doc("Scheduler Booking", second)
			doc.start = self.local_b(self.at(15))
			doc.end = self.local_b(self.at(23))  # a drag that also stretched it: end follows the type
			doc.save()
			frappe.db.commit()
		finally:
			frappe.set_user("Administrator")
		doc.reload()
		self.assertEqual((to_utc(doc.start), to_utc(doc.end)), (self.at(15), self.at(15, 30)))
		self.assertEqual(doc.sequence, before.sequence + 1)
		self.assertEqual(doc.token_expires, doc.end)
		run_background_jobs()
		self.fresh()
		self.assertGreater(frappe.db.count("Email Queue", {"reference_name": second}), mails_before)
		due = [
			to_utc(r)
			for r in frappe.get_all(
				"Scheduler Reminder", filters={"booking": second, "status": "Pending"}, pluck="due_at"
			)
		]
		self.assertIn(self.at(15) - timedelta(hours=1), due)
		self.assertNotIn(self.at(12) - timedelta(hours=1), due)
		# a deliberate overlap needs the flag, and is recorded
		r = self.as_b.put(
			url,
			json={
				"start": str(self.local_b(self.at(10))),
				"allow_overlap": 1,
				"overlap_reason": "Same guest",
			},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.fresh()
		self.assertTrue(
			frappe.db.exists(
				"Comment", {"reference_name": second, "content": ("like", "%Overlap allowed%Same guest%")}
			)
		)
		self.assertTrue(frappe.db.exists("Scheduler Booking", first))

	def local_b(self, moment):
		"""A UTC instant as the naive system-zone value the REST API and desk use."""
		from scheduler_integration.core.clock import to_system

		return to_system(moment)

	def test_host_api_reschedules_and_cancels_with_alternatives_on_conflict(self):
		first = self.solo_booking(10, "h1@example.org")
		second = self.solo_booking(11, "h2@example.org")
		api = "scheduler_integration.api.booking"
		r = self.as_b.post(
			method_url(self.server, f"{api}.reschedule_booking"),
			json={"booking": second, "start": iso(self.at(10)), "timezone": "Europe/Berlin"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 409, r.text)
		self.assertFalse(body(r)["success"])
		self.assertEqual(len(body(r)["alternatives"]), 3)
		r = self.as_b.post(
			method_url(self.server, f"{api}.reschedule_booking"),
			json={"booking": second, "start": iso(self.at(13))},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual((body(r)["data"]["start"], body(r)["data"]["sequence"]), (iso(self.at(13)), 1))
		# A is not a host of B's booking: no changes
		r = self.as_a.post(
			method_url(self.server, f"{api}.cancel_booking"), json={"booking": first}, timeout=30
		)
		self.assertEqual(r.status_code, 403, r.text)
		r = self.as_b.post(
			method_url(self.server, f"{api}.cancel_booking"),
			json={"booking": first, "reason": "Off sick"},
			timeout=30,
		)
		self.assertEqual((r.status_code, body(r)["data"]["status"]), (200, "Cancelled"), r.text)
		self.fresh()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", first, "cancel_reason"), "Off sick")

	def test_a_moved_booking_holds_its_new_time_and_frees_the_old_for_every_host(self):
		# a host's bookings are read by the copies of start and end on their host rows
		from scheduler_integration.patches import booking_host_times

		r = self.book("multi-a", "together", self.at(10), email="moved@example.org")
		self.assertEqual(r.status_code, 201, r.text)
		booking = body(r)["data"]["id"]
		self.assertEqual(
			self.host_times(booking), {A: (self.at(10), self.at(11)), B: (self.at(10), self.at(11))}
		)
		r = self.as_b.post(
			method_url(self.server, "scheduler_integration.api.booking.reschedule_booking"),
			json={"booking": booking, "start": iso(self.at(13))},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(
			self.host_times(booking), {A: (self.at(13), self.at(14)), B: (self.at(13), self.at(14))}
		)
		r = self.book("multi-b", "b-call", self.at(13, 30), email="late@example.org")
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "conflict"), r.text)
		r = self.book("multi-b", "b-call", self.at(10), email="early@example.org")
		self.assertEqual(r.status_code, 201, r.text)
		# rows of bookings made before the copies existed get them from the patch
		frappe.db.sql(
			"update `tabScheduler Booking Host` set start = null, end = null where parent = %s", booking
		)
		frappe.db.commit()
		self.assertEqual(self.host_times(booking), {A: (None, None), B: (None, None)})
		booking_host_times.execute()
		frappe.db.commit()
		self.assertEqual(
			self.host_times(booking), {A: (self.at(13), self.at(14)), B: (self.at(13), self.at(14))}
		)
		r = self.book("multi-a", "together", self.at(13), email="again@example.org")
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "conflict"), r.text)

	def host_times(self, booking):
		self.fresh()
		rows = frappe.get_all(
			"Scheduler Booking Host", filters={"parent": booking}, fields=["user", "start", "end"]
		)
		return {
			row.user: (to_utc(row.start) if row.start else None, to_utc(row.end) if row.end else None)
			for row in rows
		}

	def test_every_transition_the_state_machine_refuses_is_refused_at_every_entry_point(self):
		name = self.solo_booking(16, "states@example.org")
		host_may = {pair for pair, actors in TRANSITIONS.items() if Actor.HOST in actors and pair[0]}
		url = f"{self.server.base}{REST}/{name}"
		checked = 0
		for before in STATUSES:
			for after in STATUSES:
				if before == after or (before, after) in host_may:
					continue
				frappe.db.set_value("Scheduler Booking", name, "status", before)  # the starting state
				frappe.db.commit()
				# REST
				r = self.as_b.put(url, json={"status": after}, timeout=30)
				self.assertEqual(r.status_code, 403, f"REST {before} -> {after}: {r.text[:200]}")
				# desk save as a host of the booking
				frappe.set_user(B)
				try:
					doc = frappe.get_doc("Scheduler Booking", name)
					doc.status = after
					with self.assertRaises(frappe.ValidationError, msg=f"desk {before} -> {after}"):
						doc.save()
				finally:
					frappe.db.rollback()
					frappe.set_user("Administrator")
				self.assertEqual(frappe.db.get_value("Scheduler Booking", name, "status"), before)
				checked += 1
		self.assertEqual(checked, 22, "30 changes of status, 8 of which a host may make")
		# the host API's own two answers to a request: confirmed, or declined (cancelled)
		api = "scheduler_integration.api.booking"
		for method, after in (("confirm_booking", Status.CONFIRMED), ("decline_booking", Status.CANCELLED)):
			frappe.db.set_value("Scheduler Booking", name, "status", Status.PENDING.value)
			frappe.db.commit()
			r = self.as_b.post(
				method_url(self.server, f"{api}.{method}"),
				json={"booking": name, **({"reason": "That week is full"} if "decline" in method else {})},
				timeout=30,
			)
			self.assertEqual(r.status_code, 200, f"{method}: {r.text[:200]}")
			self.assertEqual(body(r)["data"]["status"], after.value)
			frappe.db.commit()
			self.assertEqual(frappe.db.get_value("Scheduler Booking", name, "status"), after.value)
		# the host API and the guest's manage link on a booking that is no longer active
		frappe.db.set_value("Scheduler Booking", name, "status", "Cancelled")
		frappe.db.commit()
		for method, data in (
			("confirm_booking", {}),
			("decline_booking", {}),
			("cancel_booking", {}),
			("mark_no_show", {}),
			("reschedule_booking", {"start": iso(self.at(9))}),
		):
			r = self.as_b.post(
				method_url(self.server, f"{api}.{method}"), json={"booking": name, **data}, timeout=30
			)
			self.assertEqual(r.status_code, 403, f"{method}: {r.text[:200]}")
		token_doc = frappe.get_doc("Scheduler Booking", name)
		from scheduler_integration.booking.tokens import manage_token

		token = manage_token(token_doc)
		for method, data in (("cancel", {}), ("reschedule", {"start": iso(self.at(9))})):
			r = self.guest.post(
				method_url(self.server, f"{PUBLIC}.{method}"), json={"token": token, **data}, timeout=30
			)
			self.assertEqual(r.status_code, 403, f"guest {method}: {r.text[:200]}")
