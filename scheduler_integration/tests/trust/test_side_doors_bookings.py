"""Side doors of a booking (issue 26), tried over real HTTP as a host or guest would:

- a meeting type's duration or buffers change: existing bookings keep the time they
  occupy, so a later save of one never grows it over the next (item 1);
- a host cannot move a booking onto another host's meeting type (item 2);
- guest text with HTML entities is decoded once and checked after: no header injection,
  no markup, no line breaks, and the CRM effect never fails on a decoded name (items 3, 4);
- a host sets only the fields that are theirs, and links only records they may read
  (item 7);
- CSV and Excel exports never carry a guest's formula (item 9);
- a reader whose snapshot predates a change never caches the old meeting type or hours
  under the new version (item 11, the stale cache).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import frappe

from scheduler_integration.booking.meeting_types import type_context
from scheduler_integration.core.clock import to_system, to_utc
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
from scheduler_integration.tests.live import LiveServer, body, cleanup, guest_book, make_user, method_url
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

A, B, M = "sched-side-a@example.com", "sched-side-b@example.com", "sched-side-m@example.com"
REST = "/api/resource/Scheduler Booking"
TYPES = "/api/resource/Scheduler Meeting Type"


def overlapping(user: str) -> list[tuple[str, str]]:
	"""Pairs of active bookings of ``user`` whose occupied times (buffers included) overlap."""
	rows = frappe.db.sql(
		"""select b.name, h.start, h.end, h.buffer_before, h.buffer_after, b.allow_overlap
		from `tabScheduler Booking Host` h join `tabScheduler Booking` b on b.name = h.parent
		where h.user = %s and b.status in ('Pending', 'Confirmed') order by h.start""",
		user,
	)
	spans = [
		(n, s - timedelta(minutes=bb or 0), e + timedelta(minutes=ba or 0), o) for n, s, e, bb, ba, o in rows
	]
	return [
		(a[0], b[0])
		for i, a in enumerate(spans)
		for b in spans[i + 1 :]
		if a[1] < b[2] and b[1] < a[2] and not (a[3] or b[3])
	]


@every_site
class TestSideDoorBookings(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.pa = make_host(A, "side-a", start="08:00", end="18:00")
		cls.pb = make_host(B, "side-b", start="08:00", end="18:00")
		make_user(M, roles=("Scheduler Host", "Scheduler Manager", "System Manager"))
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.as_a = cls.server.session(A)
		cls.as_b = cls.server.session(B)
		cls.day = future_day(12)
		while cls.day.weekday() != 1:  # a Tuesday
			cls.day += timedelta(days=1)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		cleanup([A, B, M], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([A, B])
		self.ta = make_type(self.pa, "a-call", 30)
		self.ta_long = make_type(self.pa, "a-long", 60)
		self.tb = make_type(self.pb, "b-call", 30)

	def at(self, hour, minute=0):
		return self.day + timedelta(hours=hour, minutes=minute)

	def book(self, start, profile="side-a", slug="a-call", **fields):
		return guest_book(self.server, profile, slug, iso(start), **fields)

	def booked(self, start, **kw) -> str:
		r = self.book(start, **kw)
		self.assertEqual(r.status_code, 201, r.text)
		return body(r)["data"]["id"]

	def stored(self, name, *fields):
		frappe.db.rollback()
		return frappe.db.get_value("Scheduler Booking", name, fields, as_dict=True)

	# --- item 1: a type's duration or buffers never move existing bookings ----------------

	def test_a_duration_change_never_grows_an_existing_booking(self):
		first = self.booked(self.at(11), email="g1@example.org")
		second = self.booked(self.at(11, 30), email="g2@example.org")
		r = self.as_a.put(f"{self.server.base}{TYPES}/{self.ta}", json={"duration": "60"}, timeout=30)
		self.assertEqual(r.status_code, 200, r.text)
		# the saves that used to recompute the end: a notes edit, an end set directly, a
		# confirmation-like full save from the desk
		r = self.as_a.post(
			method_url(self.server, "frappe.client.set_value"),
			json={"doctype": "Scheduler Booking", "name": first, "fieldname": "notes", "value": "prep"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		r = self.as_a.put(
			f"{self.server.base}{REST}/{first}", json={"end": str(to_system(self.at(12)))}, timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text)
		doc = self.stored(first, "start", "end", "notes")
		self.assertEqual(
			(to_utc(doc.start), to_utc(doc.end), doc.notes), (self.at(11), self.at(11, 30), "prep")
		)
		self.assertEqual(overlapping(A), [])
		# a move takes the type's duration as it is now, checked like a new booking
		r = self.as_a.put(
			f"{self.server.base}{REST}/{first}", json={"start": str(to_system(self.at(11, 15)))}, timeout=30
		)
		self.assertEqual(r.status_code, 409, r.text)
		r = self.as_a.put(
			f"{self.server.base}{REST}/{first}", json={"start": str(to_system(self.at(14)))}, timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(to_utc(self.stored(first, "end").end), self.at(15))
		self.assertEqual(to_utc(self.stored(second, "end").end), self.at(12))
		self.assertEqual(overlapping(A), [])

	def test_a_buffer_change_applies_to_new_bookings_only(self):
		self.booked(self.at(11), email="g1@example.org")
		r = self.as_a.put(
			f"{self.server.base}{TYPES}/{self.ta}", json={"buffer_before": 30, "buffer_after": 30}, timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text)
		# the 11:00 booking keeps no buffers; a new 12:00 booking brings its own 30 minutes
		# before, which reach back to 11:30, the end of the first: free
		second = self.booked(self.at(12), email="g2@example.org")
		self.assertEqual(overlapping(A), [])
		# and 13:00 would start inside the second's own buffer after it
		r = self.book(self.at(13), email="g3@example.org")
		self.assertEqual(r.status_code, 409, r.text)
		rows = frappe.get_all(
			"Scheduler Booking Host", filters={"parent": second}, fields=["buffer_before", "buffer_after"]
		)
		self.assertEqual([(r.buffer_before, r.buffer_after) for r in rows], [(30, 30)])

	# --- item 2: another host's meeting type -------------------------------------------

	def test_a_host_cannot_move_a_booking_onto_another_hosts_type(self):
		booking = self.booked(self.at(10))
		r = self.as_a.put(f"{self.server.base}{REST}/{booking}", json={"meeting_type": self.tb}, timeout=30)
		self.assertEqual(r.status_code, 403, r.text)
		self.assertEqual(self.stored(booking, "meeting_type").meeting_type, self.ta)
		self.assertFalse(frappe.db.exists("Scheduler Booking Host", {"user": B}))
		# onto one of their own types: a move, checked and re-timed
		r = self.as_a.put(
			f"{self.server.base}{REST}/{booking}", json={"meeting_type": self.ta_long}, timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text)
		doc = self.stored(booking, "meeting_type", "end", "host")
		self.assertEqual((doc.meeting_type, to_utc(doc.end), doc.host), (self.ta_long, self.at(11), A))

	# --- items 3 and 4: entities decoded once, checked after ---------------------------

	def test_entities_in_guest_text_are_decoded_before_the_check(self):
		import base64

		header = base64.b64encode(b"x\r\nReply-To: attacker@evil.example\r\nX-Injected: yes").decode()
		hostile = [
			f"Eve &#61;?utf-8?b?{header}?=",
			"&lt;img src=x onerror=alert(1)&gt;",
			"Eve&#13;&#10;Bcc: victim@example.org",
			"Eve &#x3C;b&#x3E;",
		]
		before = frappe.db.count("Scheduler Booking")
		for i, name in enumerate(hostile):
			r = self.book(self.at(9 + i), name=name, email=f"h{i}@example.org")
			self.assertEqual(r.status_code, 400, (name, r.text))
			self.assertIn("name", body(r)["errors"])
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Scheduler Booking"), before)
		# an ordinary name with an entity is what it reads as; the CRM gets it and the email
		# subject shows it as text
		booking = self.booked(
			self.at(15), name="R&amp;D Ops", email="rnd@example.org", notes="&lt;b&gt;hi&lt;/b&gt; &amp; more"
		)
		doc = self.stored(booking, "guest_name", "notes")
		self.assertEqual((doc.guest_name, doc.notes), ("R&D Ops", "\u2039b\u203ahi\u2039/b\u203a & more"))
		run_background_jobs()
		frappe.db.rollback()
		self.assertEqual(
			frappe.get_all(
				"Scheduler Booking Effect",
				filters={"booking": booking, "status": ("not in", ("Done", "Skipped"))},
				fields=["effect", "status", "last_error"],
			),
			[],
		)
		contact = frappe.db.get_value("Contact Email", {"email_id": "rnd@example.org"}, "parent")
		self.assertTrue(contact)
		self.assertEqual(frappe.db.get_value("Contact", contact, "first_name"), "R&D")
		subjects = frappe.get_all("Email Queue", filters={"reference_name": booking}, pluck="message")
		self.assertTrue(subjects)
		for message in subjects:
			self.assertNotIn("X-Injected", message)
			self.assertNotIn("&amp;amp;", message)

	# --- item 7: field ownership and links the host may read ---------------------------

	def insert_as_a(self, **fields):
		values = {
			"meeting_type": self.ta,
			"start": str(to_system(self.at(16))),
			"guest_name": "Desk Guest",
			"guest_email": "desk@example.org",
			**fields,
		}
		return self.as_a.post(f"{self.server.base}{REST}", json=values, timeout=30)

	def test_a_host_sets_only_their_fields_and_links_what_they_may_read(self):
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Private",
				"email_ids": [{"email_id": "private@example.org"}],
			}
		).insert(ignore_permissions=True)
		event = frappe.get_doc(
			{
				"doctype": "Event",
				"subject": "Not A's",
				"starts_on": to_system(self.at(8)),
				"event_type": "Private",
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		try:
			for fields in (
				{"crm_doctype": "User", "crm_name": "Administrator"},
				{"contact": contact.name},
				{"reference_doctype": "User", "reference_name": "Administrator"},
				{"source": "booking_page"},
				{"idempotency_key": "k" * 30},
				{"meeting_provider": "zoom", "meeting_id": "123"},
			):
				r = self.insert_as_a(**fields)
				self.assertEqual(r.status_code, 403, (fields, r.text))
			frappe.db.rollback()
			self.assertFalse(frappe.db.exists("Scheduler Booking", {"guest_email": "desk@example.org"}))
			# what the system derives is derived, whatever a caller sends
			sent = {
				"token_nonce": "0" * 32,
				"manage_token_hash": "f" * 64,
				"ical_uid": "chosen@evil.example",
				"sequence": 7,
				"end": str(to_system(self.at(23))),
				"host": B,
				"confirmed_at": "2020-01-01 00:00:00",
			}
			r = self.insert_as_a(**sent)
			self.assertEqual(r.status_code, 200, r.text)
			name = r.json()["data"]["name"]
			doc = self.stored(name, *sent)
			for field, value in sent.items():
				self.assertNotEqual(str(doc[field]), str(value), field)
			# system columns of the host rows: never the caller's
			r = self.as_a.put(
				f"{self.server.base}{REST}/{name}",
				json={"hosts": [{"user": A, "event": event.name, "calendar_events": '{"x": "y"}'}]},
				timeout=30,
			)
			self.assertEqual(r.status_code, 200, r.text)
			frappe.db.rollback()
			row = frappe.db.get_value(
				"Scheduler Booking Host", {"parent": name}, ["user", "event", "calendar_events"], as_dict=True
			)
			self.assertEqual(row.user, A)
			self.assertNotEqual(row.event, event.name)
			self.assertNotIn('"x"', row.calendar_events or "")
			# a manager links what a manager may read
			as_m = self.server.session(M)
			r = as_m.put(f"{self.server.base}{REST}/{name}", json={"contact": contact.name}, timeout=30)
			self.assertEqual(r.status_code, 200, r.text)
		finally:
			frappe.db.rollback()
			frappe.db.set_value("Scheduler Booking", {"contact": contact.name}, "contact", None)
			frappe.delete_doc("Contact", contact.name, ignore_permissions=True, force=True)
			frappe.delete_doc("Event", event.name, ignore_permissions=True, force=True)
			frappe.db.commit()

	# --- item 9: CSV and Excel exports ----------------------------------------------------

	def test_exports_never_carry_a_guests_formula(self):
		import openpyxl

		r = self.book(self.at(9), name="=cmd|' /C calc'!A0", email="f1@example.org")
		self.assertEqual(r.status_code, 400, r.text)
		booking = self.booked(
			self.at(10), email="f2@example.org", notes='=HYPERLINK("http://evil.example","x")'
		)
		as_m = self.server.session(M)
		params = {
			"doctype": "Scheduler Booking",
			"fields": json.dumps(["`tabScheduler Booking`.`name`", "`tabScheduler Booking`.`notes`"]),
			"filters": json.dumps([["Scheduler Booking", "name", "=", booking]]),
			"title": "Bookings",
		}
		url = method_url(self.server, "frappe.desk.reportview.export_query")
		r = as_m.post(url, data={**params, "file_format_type": "CSV"}, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:500])
		cells = [cell for row in csv.reader(io.StringIO(r.content.decode())) for cell in row]
		self.assertIn('\'=HYPERLINK("http://evil.example","x")', cells)
		self.assertFalse([c for c in cells if c.startswith("=")])
		r = as_m.post(url, data={**params, "file_format_type": "Excel"}, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:500])
		book = openpyxl.load_workbook(io.BytesIO(r.content))
		values = [c for row in book.active.iter_rows() for c in row if c.value is not None]
		self.assertFalse([c.value for c in values if c.data_type == "f"])
		self.assertIn('\'=HYPERLINK("http://evil.example","x")', [c.value for c in values])
		# any other DocType's export is Frappe's, untouched
		r = as_m.post(
			url,
			data={
				"doctype": "ToDo",
				"fields": json.dumps(["`tabToDo`.`name`"]),
				"filters": json.dumps([["ToDo", "name", "=", "none"]]),
				"file_format_type": "CSV",
				"title": "ToDo",
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:500])

	# --- item 11: a stale snapshot never caches old data under the new version -----------

	def test_a_reader_with_an_older_snapshot_never_caches_the_old_meeting_type(self):
		self.assertEqual(type_context(self.ta).policy.duration, 30)  # this process's entry
		frappe.db.rollback()
		# a transaction whose snapshot is taken now, like an effect job's
		frappe.db.sql("select name from `tabScheduler Meeting Type` where name = %s", self.ta)
		r = self.as_a.put(f"{self.server.base}{TYPES}/{self.ta}", json={"duration": "45"}, timeout=30)
		self.assertEqual(r.status_code, 200, r.text)
		# inside the old snapshot the old type is what the transaction sees…
		self.assertEqual(type_context(self.ta).policy.duration, 30)
		frappe.db.rollback()
		# …but it was not kept as the new version's value
		self.assertEqual(type_context(self.ta).policy.duration, 45)
