"""The sales workflow from the CRM record: meetings on the record, scheduling from it.

Over real HTTP (a live server; effects run by a real RQ worker):

- every meeting's Events carry the record (``reference_doctype`` / ``reference_docname``:
  Frappe CRM's Events tab and Calendar) and its participants (ERPNext's Open Activities);
  a host is reminded once — by this app when it reminds hosts, else by the core Event;
- a rep books from a lead on the prospect's behalf: the booking lands on that lead with
  the rep as host and organiser, the prospect gets the invitation and their manage link;
- a personal link is made and sent from the record (the send is on its timeline), opens
  the booking page prefilled, books once, and then answers 410; two simultaneous bookings
  through its last use make one booking;
- any booking link prefills its form from the URL, escaped like all guest input.

Tests that need Frappe CRM or ERPNext skip with one line on sites without them.
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import frappe
import requests

from scheduler_integration.core.clock import to_utc
from scheduler_integration.tests.booking.test_booking_flow import mail_text
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
from scheduler_integration.tests.live import (
	LiveServer,
	body,
	cleanup,
	guest_book,
	make_user,
	method_url,
	purge_guests,
)
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

REP = "sched-sales-rep@example.com"
OTHER = "sched-sales-other@example.com"
CRM_API = "scheduler_integration.api.crm"
GUESTS = [f"sales-guest-{i}@example.org" for i in range(8)]


def purge_communications(filters: dict) -> None:
	"""The emails scheduling from a record sent (personal links), with their timeline links."""
	names = frappe.get_all("Communication", filters=filters, pluck="name")
	frappe.db.delete("Communication Link", {"parent": ("in", names or [""])})
	frappe.db.delete("Email Queue", {"communication": ("in", names or [""])})
	frappe.db.delete("Communication", {"name": ("in", names or [""])})


def apps() -> list[str]:
	return frappe.get_installed_apps()


@every_site
class TestCrmScheduling(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cls._saved = set_settings(**NO_RATE_LIMITS, create_lead=1, crm_target="Auto", remind_host=1)
			cls.outbox = Outbox()
			roles = ["Scheduler Host"] + [r for r in ("Sales User",) if frappe.db.exists("Role", r)]
			cls.profile = make_host(REP, "sales-rep", tz="Europe/Berlin", start="08:00", end="18:00")
			make_user(REP, roles=roles, first_name="Rita")
			# a host with no sales role: may not read the reps' leads
			cls.other = make_host(OTHER, "sales-other", tz="UTC")
			cls.demo = make_type(cls.profile, "demo", 30, reminder_offsets="60", send_thank_you=0)
			cls.server = LiveServer.get_instance()
			cls.rep = cls.server.session(REP)
			cls.other_session = cls.server.session(OTHER)
			cls.day = future_day(9)
		except Exception:  # leave the site as found even when setting up failed
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		if getattr(cls, "outbox", None):
			cls.outbox.close()
		set_settings(**getattr(cls, "_saved", {}))
		clear_bookings([REP, OTHER])
		purge_guests([*GUESTS, Outbox.ADDRESS])
		purge_communications({"sender": ("like", f"%{Outbox.ADDRESS}%")})
		links = frappe.get_all("Scheduler Personal Link", {"host": ("in", [REP, OTHER])}, pluck="name")
		frappe.db.delete(
			"Version", {"ref_doctype": "Scheduler Personal Link", "docname": ("in", links or [""])}
		)
		frappe.db.delete("Scheduler Personal Link", {"name": ("in", links or [""])})
		frappe.db.commit()  # cleanup() starts with a rollback
		cleanup([REP, OTHER], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		set_settings(remind_host=1)
		clear_bookings([REP, OTHER])
		purge_guests(GUESTS)
		frappe.db.commit()

	# --- helpers ---

	def at(self, hour: int) -> str:
		return iso(self.day + timedelta(hours=hour))

	def booking(self, name):
		frappe.db.rollback()
		return frappe.get_doc("Scheduler Booking", name)

	def crm_lead(self, email: str, owner: str | None = REP, **values) -> str:
		lead = frappe.get_doc(
			{"doctype": "CRM Lead", "first_name": "Lena", "last_name": "Prospect", "email": email, **values}
		).insert(ignore_permissions=True)
		if owner:
			frappe.db.set_value("CRM Lead", lead.name, "lead_owner", owner)
			frappe.share.add_docshare(
				"CRM Lead", lead.name, owner, read=1, write=1, flags={"ignore_share_permission": True}
			)
		frappe.db.commit()
		return lead.name

	def queued(self, reference: str, recipient: str) -> list[str]:
		"""The raw messages queued for ``recipient`` about ``reference`` (a forked worker
		mutes SMTP in tests, so the queue is where they are read)."""
		names = frappe.get_all("Email Queue", filters={"reference_name": reference}, pluck="name")
		sent_to = set(
			frappe.get_all(
				"Email Queue Recipient",
				filters={"parent": ("in", names or [""]), "recipient": recipient},
				pluck="parent",
			)
		)
		return [frappe.db.get_value("Email Queue", name, "message") for name in names if name in sent_to]

	def host_events(self, doc) -> list:
		return [frappe.get_doc("Event", row.event) for row in doc.hosts if row.event]

	# --- 1. meetings on the record ---

	def test_events_name_the_record_and_a_host_is_reminded_once(self):
		r = guest_book(self.server, "sales-rep", "demo", self.at(10), email=GUESTS[0], name="Ada Byron")
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		doc = self.booking(body(r)["data"]["id"])
		# the CRM record found or made (the Contact on plain Frappe)
		record = (doc.crm_doctype, doc.crm_name) if doc.crm_name else ("Contact", doc.contact)
		self.assertTrue(record[1], "the booking found or made no record")
		(event,) = self.host_events(doc)
		self.assertEqual((event.reference_doctype, event.reference_docname), record)
		self.assertIn(record, [(p.reference_doctype, p.reference_docname) for p in event.event_participants])
		# Frappe CRM's Events tab (develop) asks for exactly this
		self.assertEqual(
			frappe.get_all(
				"Event",
				filters={"reference_doctype": record[0], "reference_docname": record[1]},
				pluck="name",
			),
			[event.name],
		)
		# the app reminds the host (one row: the type's one offset), the core digest does not
		from frappe.desk.doctype.event.event import get_events

		host_reminders = frappe.get_all(
			"Scheduler Reminder", filters={"booking": doc.name, "recipient": "Host"}, pluck="host"
		)
		self.assertEqual(host_reminders, [REP])
		self.assertEqual(event.send_reminder, 0)
		day = to_utc(doc.start).date()
		digest = get_events(day, day, user=REP, for_reminder=True)
		self.assertNotIn(event.name, [e.name for e in digest])

		# where the app does not remind hosts, the core Event is the host's one reminder
		set_settings(remind_host=0)
		r = guest_book(self.server, "sales-rep", "demo", self.at(12), email=GUESTS[1], name="Bo Byron")
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		doc = self.booking(body(r)["data"]["id"])
		(event,) = self.host_events(doc)
		self.assertEqual(event.send_reminder, 1)
		self.assertFalse(frappe.db.exists("Scheduler Reminder", {"booking": doc.name, "recipient": "Host"}))
		self.assertIn(event.name, [e.name for e in get_events(day, day, user=REP, for_reminder=True)])

	def test_erpnext_lead_shows_the_meeting_under_open_activities(self):
		if "erpnext" not in apps():
			self.skipTest("ERPNext is not installed on this site")
		from erpnext.crm.utils import get_open_activities

		lead = frappe.get_doc({"doctype": "Lead", "lead_name": "Erna Lead", "email_id": GUESTS[2]}).insert(
			ignore_permissions=True
		)
		frappe.db.commit()
		r = guest_book(self.server, "sales-rep", "demo", self.at(11), email=GUESTS[2], name="Erna Lead")
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		doc = self.booking(body(r)["data"]["id"])
		self.assertEqual((doc.crm_doctype, doc.crm_name), ("Lead", lead.name))
		(event,) = self.host_events(doc)
		self.assertEqual((event.reference_doctype, event.reference_docname), ("Lead", lead.name))
		open_events = [row.name for row in get_open_activities("Lead", lead.name)["events"]]
		self.assertIn(event.name, open_events)

	# --- 2. schedule from the record ---

	def api(self, session, method, post=False, **params):
		url = method_url(self.server, f"{CRM_API}.{method}")
		if post:
			return session.post(url, json=params, timeout=60)
		return session.get(url, params=params, timeout=60)

	def require_crm(self):
		if "crm" not in apps():
			self.skipTest("Frappe CRM is not installed on this site")

	def test_a_booking_from_the_lead_lands_on_it_with_the_rep_as_host_and_organiser(self):
		self.require_crm()
		lead = self.crm_lead(GUESTS[3], mobile_no="+49 30 1234567")
		ref = {"reference_doctype": "CRM Lead", "reference_name": lead}
		r = self.api(self.rep, "scheduling_options", **ref)
		self.assertEqual(r.status_code, 200, r.text)
		options = body(r)["data"]
		self.assertEqual(options["prospect"]["email"], GUESTS[3])
		self.assertEqual(options["prospect"]["name"], "Lena Prospect")
		self.assertEqual([t["name"] for t in options["meeting_types"]], [self.demo])
		r = self.api(self.rep, "free_times", meeting_type=self.demo, **ref)
		self.assertEqual(r.status_code, 200, r.text)
		times = body(r)["data"]
		self.assertEqual(times["timezone"], "Europe/Berlin")
		start = times["times"][3]["start"]
		# what Frappe CRM's pages hear (its socket.js reloads a cached resource on
		# "refetch_resource"): the lead's page reloads its tasks and activities by itself
		from frappe.utils.background_jobs import get_redis_connection_without_auth

		heard = get_redis_connection_without_auth().pubsub(ignore_subscribe_messages=True)
		heard.subscribe("events")
		r = self.api(self.rep, "book_for_record", post=True, meeting_type=self.demo, start=start, **ref)
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		messages, quiet_until = [], time.monotonic() + 2
		while time.monotonic() < quiet_until:  # what arrived, until two quiet seconds
			if message := heard.get_message(timeout=0.5):  # (None: nothing, or a subscription)
				messages.append(json.loads(message["data"]))
				quiet_until = time.monotonic() + 2
		heard.close()
		refetch = [
			m for m in messages if m["event"] == "refetch_resource" and m["namespace"] == frappe.local.site
		]
		self.assertIn(
			({"cache_key": ["activity", lead]}, f"user:{REP}"),
			[(m["message"], m["room"]) for m in refetch],
			messages[-5:],
		)
		doc = self.booking(body(r)["data"]["id"])
		self.assertEqual((doc.crm_doctype, doc.crm_name, doc.status), ("CRM Lead", lead, "Confirmed"))
		self.assertEqual((doc.host, [row.user for row in doc.hosts]), (REP, [REP]))
		self.assertEqual((doc.guest_email, doc.guest_phone), (GUESTS[3], "+49 30 1234567"))
		# on the lead: the CRM task (assigned to the rep) and the Event naming it
		task = frappe.get_all(
			"CRM Task",
			filters={"reference_doctype": "CRM Lead", "reference_docname": lead},
			fields=["assigned_to", "status"],
		)
		self.assertEqual([(t.assigned_to, t.status) for t in task], [(REP, "Todo")])
		(event,) = self.host_events(doc)
		self.assertEqual(
			(event.reference_doctype, event.reference_docname, event.owner), ("CRM Lead", lead, REP)
		)
		# the prospect got the invitation with their own manage link and the .ics
		mails = [mail_text(m) for m in self.queued(doc.name, GUESTS[3])]
		self.assertTrue(any("/book/manage/" in text and "BEGIN:VCALENDAR" in text for text in mails), mails)
		# the same time again is taken: 409 with alternatives, nothing booked
		r = self.api(self.rep, "book_for_record", post=True, meeting_type=self.demo, start=start, **ref)
		self.assertEqual((r.status_code, body(r)["code"]), (409, "SLOT_UNAVAILABLE"), r.text)
		self.assertTrue(body(r)["alternatives"])

	def test_only_who_may_read_the_record_schedules_from_it(self):
		self.require_crm()
		lead = self.crm_lead(GUESTS[4])
		ref = {"reference_doctype": "CRM Lead", "reference_name": lead}
		r = self.api(self.other_session, "scheduling_options", **ref)
		self.assertEqual((r.status_code, body(r)["code"]), (403, "FORBIDDEN"), r.text)
		r = self.api(
			self.other_session, "book_for_record", post=True, meeting_type=self.demo, start=self.at(9), **ref
		)
		self.assertEqual(r.status_code, 403, r.text)
		r = self.api(self.server.session(None), "scheduling_options", **ref)
		self.assertIn(r.status_code, (401, 403), r.text)  # Frappe refuses a guest before the method runs
		# another host's meeting type is no type of the rep's
		other_type = make_type(self.other, "other-call", 30)
		r = self.api(self.rep, "free_times", meeting_type=other_type, **ref)
		self.assertEqual((r.status_code, body(r)["code"]), (404, "NOT_FOUND"), r.text)
		# a DocType outside the records a rep books from: refused by name (the document's enum)
		r = self.api(self.rep, "scheduling_options", reference_doctype="User", reference_name=REP)
		self.assertEqual((r.status_code, body(r)["code"]), (400, "VALIDATION_ERROR"), r.text)
		self.assertIn("reference_doctype", body(r)["errors"])
		self.assertFalse(frappe.db.exists("Scheduler Booking", {"guest_email": GUESTS[4]}))

	def test_erpnext_records_and_contacts(self):
		if "erpnext" not in apps():
			self.skipTest("ERPNext is not installed on this site")
		lead = frappe.get_doc({"doctype": "Lead", "lead_name": "Erik Lead", "email_id": GUESTS[5]}).insert(
			ignore_permissions=True
		)
		frappe.db.commit()
		ref = {"reference_doctype": "Lead", "reference_name": lead.name}
		r = self.api(self.rep, "book_for_record", post=True, meeting_type=self.demo, start=self.at(9), **ref)
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		doc = self.booking(body(r)["data"]["id"])
		self.assertEqual((doc.crm_doctype, doc.crm_name, doc.host), ("Lead", lead.name, REP))
		from erpnext.crm.utils import get_open_activities

		(event,) = self.host_events(doc)
		self.assertIn(event.name, [row.name for row in get_open_activities("Lead", lead.name)["events"]])

	def test_scheduling_from_a_contact_works_on_plain_frappe_too(self):
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Cora",
				"last_name": "Contact",
				"email_ids": [{"email_id": GUESTS[1], "is_primary": 1}],
				"phone_nos": [{"phone": "+1 555 0100 777", "is_primary_phone": 1}],
			}
		).insert(ignore_permissions=True)
		frappe.share.add_docshare(
			"Contact", contact.name, REP, read=1, flags={"ignore_share_permission": True}
		)
		frappe.db.commit()
		ref = {"reference_doctype": "Contact", "reference_name": contact.name}
		options = body(self.api(self.rep, "scheduling_options", **ref))["data"]
		self.assertEqual(
			(options["prospect"]["name"], options["prospect"]["email"], options["prospect"]["phone"]),
			("Cora Contact", GUESTS[1], "+1 555 0100 777"),
		)
		r = self.api(self.rep, "book_for_record", post=True, meeting_type=self.demo, start=self.at(11), **ref)
		self.assertEqual(r.status_code, 201, r.text)
		r = self.api(self.rep, "send_personal_link", post=True, meeting_type=self.demo, send=0, **ref)
		self.assertEqual((r.status_code, body(r)["data"]["sent"]), (201, False), r.text)
		token = body(r)["data"]["url"].rsplit("/", 1)[1]
		r = guest_book(
			self.server, "sales-rep", "demo", self.at(12), email=GUESTS[1], name="Cora Contact", link=token
		)
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		frappe.db.rollback()
		for doc in [
			frappe.get_doc("Scheduler Booking", name)
			for name in frappe.get_all("Scheduler Booking", {"guest_email": GUESTS[1]}, pluck="name")
		]:
			self.assertEqual((doc.contact, doc.host), (contact.name, REP))
			(event,) = self.host_events(doc)
			record = (doc.crm_doctype, doc.crm_name) if doc.crm_name else ("Contact", contact.name)
			self.assertEqual((event.reference_doctype, event.reference_docname), record)

	def test_a_personal_link_books_once_then_answers_410(self):
		self.require_crm()
		lead = self.crm_lead(GUESTS[6], mobile_no="+49 30 7654321")
		ref = {"reference_doctype": "CRM Lead", "reference_name": lead}
		r = self.api(
			self.rep,
			"send_personal_link",
			post=True,
			meeting_type=self.demo,
			message="Looking forward!",
			**ref,
		)
		self.assertEqual(r.status_code, 201, r.text)
		made = body(r)["data"]
		self.assertTrue(made["sent"] and made["url"].startswith("http"))
		token = made["url"].rsplit("/", 1)[1]
		self.assertGreaterEqual(len(token), 43)  # 256 bits
		link = frappe.get_doc("Scheduler Personal Link", made["link"])
		self.assertNotIn(token, json.dumps(link.as_dict(), default=str))  # only its hash is kept
		self.assertEqual(
			(link.host, link.reference_name, link.guest_email, link.max_uses), (REP, lead, GUESTS[6], 1)
		)
		# the send is on the lead's timeline (what Frappe CRM's lead page reads)
		comm = frappe.get_doc("Communication", made["communication"])
		self.assertEqual(
			(comm.reference_doctype, comm.reference_name, comm.recipients), ("CRM Lead", lead, GUESTS[6])
		)
		self.assertIn(made["url"], comm.content)
		self.assertTrue(frappe.db.exists("Email Queue", {"communication": comm.name}))
		from crm.api.activities import get_activities

		activities = get_activities(lead)[0]
		self.assertIn(
			comm.subject, [a["data"]["subject"] for a in activities if a["activity_type"] == "communication"]
		)

		# the page is the type's booking page, prefilled, and never cached
		guest = self.server.session(None)
		page = guest.get(f"{self.server.base}/book/link/{token}", timeout=30)
		self.assertEqual(page.status_code, 200, page.text[:300])
		self.assertEqual(page.headers.get("Cache-Control"), "no-store")
		data = json.loads(re.search(r'id="sched-data">(.*?)</script>', page.text, re.S).group(1))
		self.assertEqual(
			(data["link"], data["prefill"]["email"], data["prefill"]["phone"]),
			(token, GUESTS[6], "+49 30 7654321"),
		)

		def book(hour, email=GUESTS[6]):
			return guest_book(
				self.server, "sales-rep", "demo", self.at(hour), email=email, name="Lena Prospect", link=token
			)

		r = book(13)
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		doc = self.booking(body(r)["data"]["id"])
		self.assertEqual(
			(doc.personal_link, doc.crm_doctype, doc.crm_name, doc.host), (link.name, "CRM Lead", lead, REP)
		)
		self.assertEqual(
			frappe.db.get_value("Scheduler Personal Link", link.name, ["uses", "status"]), (1, "Used")
		)
		r = book(15)
		self.assertEqual((r.status_code, body(r)["code"]), (410, "LINK_GONE"), r.text)
		page = guest.get(f"{self.server.base}/book/link/{token}", timeout=30)
		self.assertEqual(page.status_code, 410)
		self.assertIn("already been used", page.text)
		self.assertEqual(guest.get(f"{self.server.base}/book/link/{'x' * 43}", timeout=30).status_code, 404)

	def test_two_bookings_through_a_links_last_use_make_one(self):
		self.require_crm()
		lead = self.crm_lead(GUESTS[7])
		ref = {"reference_doctype": "CRM Lead", "reference_name": lead}
		r = self.api(
			self.rep, "send_personal_link", post=True, meeting_type=self.demo, send=0, max_uses=2, **ref
		)
		self.assertEqual(r.status_code, 201, r.text)
		token = body(r)["data"]["url"].rsplit("/", 1)[1]
		r = guest_book(self.server, "sales-rep", "demo", self.at(8), email=GUESTS[7], link=token)
		self.assertEqual(r.status_code, 201, r.text)

		def book(hour):
			return guest_book(self.server, "sales-rep", "demo", self.at(hour), email=GUESTS[7], link=token)

		with ThreadPoolExecutor(4) as pool:
			codes = sorted(r.status_code for r in pool.map(book, (10, 11, 12, 13)))
		self.assertEqual(codes, [201, 410, 410, 410])
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.count("Scheduler Booking", {"guest_email": GUESTS[7], "status": "Confirmed"}), 2
		)

	def test_any_booking_link_prefills_its_form_and_nothing_runs(self):
		query = {
			"name": "<script>alert(1)</script>",
			"email": "Pre@Fill.Example",
			"phone": "+1 555 0100 222",
			"notes": "&lt;img src=x onerror=alert(1)&gt; see you",
		}
		page = requests.get(
			f"{self.server.base}/book/sales-rep/demo",
			params=query,
			headers={"Host": self.server.site},
			timeout=30,
		)
		self.assertEqual(page.status_code, 200)
		self.assertNotIn("<script>alert(1)", page.text)
		self.assertNotIn("<img src=x", page.text)
		data = json.loads(re.search(r'id="sched-data">(.*?)</script>', page.text, re.S).group(1))
		prefill = data["prefill"]
		self.assertNotIn("name", prefill)  # a name with markup is no name: dropped, not shown
		self.assertEqual((prefill["email"], prefill["phone"]), ("pre@fill.example", "+1 555 0100 222"))
		self.assertEqual(prefill["notes"], "‹img src=x onerror=alert(1)› see you")

	# --- 4. more people, better questions ---

	def test_colleagues_get_the_invitation_and_answers_land_on_the_record(self):
		sizes = "1-10\n11-50\n51-200\n201-500\n501-1000\n1000+"
		workshop = make_type(
			self.profile,
			"workshop",
			60,
			max_attendees=2,
			send_thank_you=0,
			questions=[
				{
					"label": "Company size",
					"fieldtype": "Radio",
					"options": sizes,
					"required": 1,
					"crm_field": "no_of_employees",
				},
				{"label": "Budget", "fieldtype": "Number", "crm_field": "annual_revenue"},
				{"label": "Interests", "fieldtype": "Multi Select", "options": "Pricing\nSecurity\nAPI"},
				{"label": "Mobile", "fieldtype": "Phone"},
				{"label": "Also inform", "fieldtype": "Multi Email"},
			],
		)
		self.assertTrue(workshop)
		answers = {
			"Company size": "51-200",
			"Budget": "5000",
			"Interests": ["API", "Security"],
			"Mobile": "+44 20 7946 0001",
			"Also inform": "cfo@example.org",
		}
		colleagues = ["ana@example.org", "ben@example.org"]
		r = guest_book(
			self.server,
			"sales-rep",
			"workshop",
			self.at(10),
			email=GUESTS[0],
			answers=answers,
			attendees=", ".join([*colleagues, "cy@example.org"]),
		)
		self.assertEqual((r.status_code, set(body(r)["errors"])), (400, {"attendees"}), r.text)
		r = guest_book(
			self.server,
			"sales-rep",
			"workshop",
			self.at(10),
			email=GUESTS[0],
			answers={**answers, "Budget": "lots"},
			attendees=colleagues,
		)
		self.assertEqual((r.status_code, set(body(r)["errors"])), (400, {"answers.1"}), r.text)
		r = guest_book(
			self.server,
			"sales-rep",
			"workshop",
			self.at(10),
			email=GUESTS[0],
			answers=answers,
			attendees=f"{colleagues[0]}; {colleagues[1]}; {GUESTS[0]}",
		)
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		doc = self.booking(body(r)["data"]["id"])
		self.assertEqual(doc.attendees.splitlines(), colleagues)  # the guest is not their own colleague
		self.assertEqual(
			json.loads(doc.answers),
			{**answers, "Budget": 5000, "Interests": ["API", "Security"], "Also inform": ["cfo@example.org"]},
		)
		# each colleague gets the invitation with the .ics, never the guest's manage link
		for email in colleagues:
			(mail,) = [mail_text(m) for m in self.queued(doc.name, email)]
			self.assertIn("BEGIN:VCALENDAR", mail)
			self.assertIn(f"mailto:{email}", mail.replace("\r\n ", "").lower())
			self.assertNotIn("/book/manage/", mail)
		(guest_mail,) = [mail_text(m) for m in self.queued(doc.name, GUESTS[0])]
		self.assertIn("/book/manage/", guest_mail)
		# mapped answers on the guest's new record, where its fields were unset
		if doc.crm_doctype in ("CRM Lead", "Lead"):
			self.assertEqual(
				frappe.db.get_value(doc.crm_doctype, doc.crm_name, ["no_of_employees", "annual_revenue"]),
				("51-200", 5000),
			)
