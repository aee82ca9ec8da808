"""The public booking flow over real HTTP: book, 409s, policies, reschedule, cancel, tokens,
teams, confirmation, and the side effects a real RQ worker runs (email, Contact, Event)."""

from __future__ import annotations

import re
from datetime import timedelta

import frappe

from scheduler_integration.core.clock import to_utc
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
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

H = "sched-flow-host@example.com"
R1, R2, R3 = "sched-rr-1@example.com", "sched-rr-2@example.com", "sched-rr-3@example.com"
API = "scheduler_integration.api.public"


def mail_text(raw: str) -> str:
	"""Decoded text of every part of a queued MIME message."""
	import email

	message = email.message_from_string(raw)
	parts = []
	for part in message.walk():
		payload = part.get_payload(decode=True)
		if payload:
			parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
	return "\n".join(parts)


def body(response):
	data = response.json()
	return data.get("message") if isinstance(data.get("message"), dict) else data


class BookingFlowCase(SchedulerTestCase):
	HOSTS = (H,)

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		clear_bookings(list(cls.HOSTS))
		cleanup(list(cls.HOSTS), delete_users=True)
		super().tearDownClass()

	def get(self, method, **params):
		return self.guest.get(method_url(self.server, f"{API}.{method}"), params=params, timeout=60)

	def post(self, method, **data):
		return self.guest.post(method_url(self.server, f"{API}.{method}"), json=data, timeout=60)

	def book(
		self, profile_slug, type_slug, start, email="guest@example.org", name="Guest", timezone="UTC", **extra
	):
		return self.post(
			"book",
			profile=profile_slug,
			meeting_type=type_slug,
			start=iso(start),
			name=name,
			email=email,
			timezone=timezone,
			**extra,
		)

	def fresh(self):
		frappe.db.rollback()  # see what the server committed


@every_site
class TestBookingFlow(BookingFlowCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# what the emails say is the app's (a site may keep older, edited templates)
		cls.templates = ShippedTemplates(
			["Scheduler: Booking Cancelled (Guest)", "Scheduler: Booking Cancelled (Host)"]
		)
		cls.profile = make_host(H, "flow-host", tz="Europe/Amsterdam", start="09:00", end="17:00")
		cls.t30 = make_type(
			cls.profile,
			"talk",
			30,
			buffer_after=15,
			questions=[{"label": "Topic", "fieldtype": "Data", "required": 1}],
		)
		cls.t60 = make_type(cls.profile, "deep", 60)
		clear_bookings([H])
		cls.day = future_day(14)
		while cls.day.weekday() != 1:  # a Tuesday
			cls.day += timedelta(days=1)

	@classmethod
	def tearDownClass(cls):
		cls.templates.restore()
		super().tearDownClass()

	def setUp(self):
		clear_bookings([H])

	def at(self, hour, minute=0):
		"""Tuesday ``hour:minute`` Amsterdam time as UTC."""
		from zoneinfo import ZoneInfo

		local = (
			self.day.replace(tzinfo=None)
			.replace(hour=hour, minute=minute)
			.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
		)
		return local.astimezone(to_utc(self.day).tzinfo)

	def test_page_data_and_slots(self):
		r = self.get("get_page", profile="flow-host", meeting_type="talk")
		self.assertEqual(r.status_code, 200, r.text)
		data = body(r)["data"]
		self.assertEqual(data["meeting_type"]["questions"][0]["label"], "Topic")
		r = self.get(
			"get_slots",
			profile="flow-host",
			meeting_type="talk",
			start=self.day.date().isoformat(),
			end=(self.day + timedelta(days=1)).date().isoformat(),
			timezone="Europe/Amsterdam",
		)
		days = body(r)["data"]["days"]
		self.assertEqual(days[0]["slots"][0]["time"], "09:00")
		self.assertEqual(days[0]["slots"][-1]["time"], "16:30")
		for status, params in (
			(404, {"profile": "nobody", "meeting_type": "talk"}),
			(404, {"profile": "flow-host", "meeting_type": "nothing"}),
			(400, {"profile": "flow-host", "meeting_type": "talk", "timezone": "Mars/Base"}),
		):
			r = self.get("get_slots", start="2030-01-01", end="2030-01-02", **{"timezone": "UTC", **params})
			self.assertEqual(r.status_code, status, r.text)
		r = self.get(
			"get_slots",
			profile="flow-host",
			meeting_type="talk",
			start="2030-01-01",
			end="2030-06-01",
			timezone="UTC",
		)
		self.assertEqual(r.status_code, 400, "a window longer than the maximum is refused")

	def test_a_custom_location_says_no_word_before_booking_and_its_details_after(self):
		"""Issue 50, item 18: guests read "30 min · Custom" on the pages; the details may be a
		door code, for those who booked."""
		make_type(
			self.profile, "custom-place", 30, location_type="Custom", location_details="Room 12, code 4711"
		)
		for path in ("/book/flow-host", "/book/flow-host/custom-place"):
			page = self.guest.get(f"{self.server.base}{path}", timeout=60)
			self.assertEqual(page.status_code, 200, path)
			self.assertNotIn("· Custom", page.text, path)
			self.assertNotIn("4711", page.text, path)
			self.assertIn("· Location given after booking", page.text, path)
		r = self.book("flow-host", "custom-place", self.at(10))
		self.assertEqual(r.status_code, 201, r.text)
		self.assertEqual(body(r)["data"]["location"], "Room 12, code 4711")

	def test_book_then_double_book_gives_409_with_alternatives(self):
		r = self.book(
			"flow-host", "talk", self.at(10), answers={"Topic": "Pricing"}, email="first@example.org"
		)
		self.assertEqual(r.status_code, 201, r.text)
		first = body(r)["data"]
		self.assertEqual(first["status"], "Confirmed")
		self.assertIn("/book/manage/", first["manage_url"])
		r = self.book("flow-host", "talk", self.at(10), answers={"Topic": "x"}, email="second@example.org")
		self.assertEqual(r.status_code, 409, r.text)
		alternatives = body(r)["alternatives"]
		self.assertEqual(len(alternatives), 3)
		self.assertNotIn(iso(self.at(10)), [a["start"] for a in alternatives])
		# the 15-minute buffer after 10:00-10:30 also takes 10:30; a 60-minute type can't start at 09:30
		r = self.book("flow-host", "talk", self.at(10, 30), answers={"Topic": "x"}, email="third@example.org")
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "conflict"))
		r = self.book("flow-host", "deep", self.at(9, 0), email="fourth@example.org")
		self.assertEqual(r.status_code, 201, "09:00-10:00 only touches the 10:00 booking")
		self.fresh()
		self.assertEqual(frappe.db.count("Scheduler Booking", {"host": H, "status": "Confirmed"}), 2)

	def test_shown_is_bookable_and_refusals_name_the_reason(self):
		make_type(self.profile, "strict", 30, min_notice=60 * 24 * 300)
		r = self.book("flow-host", "strict", self.at(10))
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "too_soon"))
		make_type(self.profile, "near", 30, max_advance_days=1)
		r = self.book("flow-host", "near", self.at(10))
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "too_far"))
		r = self.book("flow-host", "deep", self.at(10, 15))
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "outside_availability"))
		r = self.book("flow-host", "deep", self.at(20))
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "outside_availability"))
		make_type(self.profile, "daily", 30, daily_limit=1)
		r = self.book("flow-host", "daily", self.at(9), email="d1@example.org")
		self.assertEqual(r.status_code, 201, r.text)
		r = self.book("flow-host", "daily", self.at(14), email="d2@example.org")
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "limit_reached"))
		make_type(self.profile, "weekly", 30, weekly_limit=1)
		r = self.book("flow-host", "weekly", self.at(11), email="w1@example.org")
		self.assertEqual(r.status_code, 201, r.text)
		r = self.book("flow-host", "weekly", self.at(11) + timedelta(days=1), email="w2@example.org")
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "limit_reached"))
		make_type(self.profile, "buffered", 30, buffer_before=30)
		r = self.book(
			"flow-host", "buffered", self.at(11, 30), email="b1@example.org"
		)  # 11:00-11:30 weekly booking
		self.assertEqual((r.status_code, body(r)["reason"]), (409, "conflict"))

	def test_a_60_minute_type_sees_the_30_minute_bookings(self):
		self.assertEqual(self.book("flow-host", "talk", self.at(13), answers={"Topic": "a"}).status_code, 201)
		r = self.get(
			"get_slots",
			profile="flow-host",
			meeting_type="deep",
			start=iso(self.at(0)),
			end=iso(self.at(23)),
			timezone="UTC",
		)
		starts = [s["start"] for d in body(r)["data"]["days"] for s in d["slots"]]
		self.assertIn(iso(self.at(12)), starts)  # 12:00-13:00 only touches the 13:00 booking
		self.assertNotIn(iso(self.at(13)), starts)  # 13:00-13:30 + 15 minutes buffer after
		self.assertIn(iso(self.at(14)), starts)

	def test_idempotent_resubmit_returns_the_same_booking(self):
		key = "k" * 22  # keys shorter than 22 characters are refused as guessable
		a = self.book("flow-host", "deep", self.at(15), idempotency_key=key)
		b = self.book("flow-host", "deep", self.at(15), idempotency_key=key)
		self.assertEqual((a.status_code, b.status_code), (201, 201))
		self.assertEqual(body(a)["data"]["id"], body(b)["data"]["id"])
		self.fresh()
		self.assertEqual(frappe.db.count("Scheduler Booking", {"host": H, "status": "Confirmed"}), 1)

	def test_reschedule_and_cancel_through_the_manage_link(self):
		r = self.book("flow-host", "deep", self.at(9), timezone="Asia/Tokyo")
		token = body(r)["data"]["manage_url"].rsplit("/", 1)[1]
		page = self.server.session(None).get(f"{self.server.base}/book/manage/{token}", timeout=30)
		self.assertEqual(page.status_code, 200)
		r = self.post("reschedule", token=token, start=iso(self.at(11)))
		self.assertEqual(r.status_code, 200, r.text)
		self.fresh()
		doc = frappe.get_doc(
			"Scheduler Booking", {"manage_token_hash": ("is", "set"), "host": H, "status": "Confirmed"}
		)
		self.assertEqual(to_utc(doc.start), self.at(11))
		self.assertEqual(doc.sequence, 1)
		# its own time again is no move: nothing changes and the answer says so (issue 50, item 12)
		run_background_jobs()
		self.fresh()
		mails = frappe.db.count("Email Queue", {"reference_name": doc.name})
		r = self.post("reschedule", token=token, start=iso(self.at(11)))
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(r.json()["message"]["message"], "Your booking already has this time")
		run_background_jobs()
		self.fresh()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", doc.name, "sequence"), 1)
		self.assertEqual(frappe.db.count("Email Queue", {"reference_name": doc.name}), mails)
		# 09:00 is free again; a 409 when rescheduling onto a taken time
		self.assertEqual(self.book("flow-host", "deep", self.at(9), email="x@example.org").status_code, 201)
		r = self.post("reschedule", token=token, start=iso(self.at(9)))
		self.assertEqual(r.status_code, 409, r.text)
		r = self.post("cancel", token=token, reason="Something came up")
		self.assertEqual(r.status_code, 200, r.text)
		r = self.post("cancel", token=token)
		self.assertEqual(r.status_code, 403, "already cancelled")
		self.fresh()
		self.assertEqual(
			frappe.db.get_value("Scheduler Booking", doc.name, ["status", "cancel_reason"]),
			("Cancelled", "Something came up"),
		)
		self.assertEqual(self.book("flow-host", "deep", self.at(11), email="y@example.org").status_code, 201)

	def test_wrong_and_expired_tokens(self):
		for token in ("nope", "x" * 43, "", "' or 1=1 --"):
			self.assertEqual(self.get("get_booking", token=token).status_code, 404)
			self.assertEqual(self.post("cancel", token=token).status_code, 404)
		r = self.book("flow-host", "deep", self.at(16))
		token = body(r)["data"]["manage_url"].rsplit("/", 1)[1]
		self.fresh()
		name = body(r)["data"]["id"]
		frappe.db.set_value(
			"Scheduler Booking",
			name,
			"token_expires",
			frappe.utils.add_to_date(frappe.utils.now_datetime(), hours=-1),
		)
		frappe.db.commit()
		self.assertEqual(self.get("get_booking", token=token).status_code, 404)
		self.assertEqual(
			self.server.session(None).get(f"{self.server.base}/book/manage/{token}", timeout=30).status_code,
			404,
		)

	def test_cancel_and_reschedule_notice_policy(self):
		make_type(self.profile, "firm", 30, cancel_notice=60 * 24 * 300, reschedule_notice=60 * 24 * 300)
		r = self.book("flow-host", "firm", self.at(12))
		token = body(r)["data"]["manage_url"].rsplit("/", 1)[1]
		self.assertEqual(self.post("cancel", token=token).status_code, 403)
		self.assertEqual(self.post("reschedule", token=token, start=iso(self.at(12, 30))).status_code, 403)

	def mails(self, name: str) -> list[tuple[str, str]]:
		"""(subject, decoded HTML) of each email queued for booking ``name``."""
		import email
		from email.header import decode_header, make_header

		found = []
		for row in frappe.get_all("Email Queue", {"reference_name": name}, ["message"]):
			message = email.message_from_string(row.message)
			subject = str(make_header(decode_header(message["Subject"] or "")))
			html = "".join(
				(part.get_payload(decode=True) or b"").decode(
					part.get_content_charset() or "utf-8", "replace"
				)
				for part in message.walk()
				if part.get_content_type() == "text/html"
			)
			found.append((subject, html))
		return found

	def test_side_effects_contact_event_email_and_ics(self):
		r = self.book(
			"flow-host",
			"deep",
			self.at(10),
			name="Ada Lovelace",
			email="ada@example.org",
			timezone="America/New_York",
		)
		name = body(r)["data"]["id"]
		run_background_jobs()
		self.fresh()
		doc = frappe.get_doc("Scheduler Booking", name)
		self.assertTrue(doc.contact and doc.hosts[0].event, "the worker linked a Contact and an Event")
		self.assertEqual(
			frappe.db.get_value("Contact Email", {"parent": doc.contact}, "email_id"), "ada@example.org"
		)
		event = frappe.get_doc("Event", doc.hosts[0].event)
		self.assertEqual((event.event_category, event.owner), ("Meeting", H))
		self.assertIn("Contact", [p.reference_doctype for p in event.event_participants])
		mails = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Scheduler Booking", "reference_name": name},
			fields=["name", "message"],
		)
		self.assertEqual(len(mails), 2, "guest and host emails are queued")
		self.assertTrue(any("BEGIN:VCALENDAR" in m.message or ".ics" in m.message for m in mails))
		token = body(r)["data"]["manage_url"].rsplit("/", 1)[1]
		ics = self.get("ics", token=token)
		self.assertEqual(ics.status_code, 200)
		self.assertIn("METHOD:PUBLISH", ics.text)  # the guest's file to add; the hosts' is a REQUEST
		self.assertIn(doc.ical_uid, ics.text.replace("\r\n ", ""))
		# named after the meeting and its day on the guest's clock (issue 50, item 14)
		from zoneinfo import ZoneInfo

		from scheduler_integration.engine.ics import file_name

		title = frappe.db.get_value("Scheduler Meeting Type", doc.meeting_type, "title")
		day = self.at(10).astimezone(ZoneInfo("America/New_York")).date()
		self.assertRegex(
			ics.headers.get("Content-Disposition", ""), rf'filename="?{re.escape(file_name(title, day))}"?$'
		)
		self.assertNotIn("meeting.ics", ics.headers.get("Content-Disposition", ""))
		# cancel: the event is cancelled and the guest is told with METHOD:CANCEL
		self.post("cancel", token=token, reason="Conflict")
		run_background_jobs()
		self.fresh()
		# the cancellation emails carry the meeting's date in their subject, and the guest's a
		# way to book a new time (issue 50, items 10 and 16)
		cancelled = [mail for mail in self.mails(name) if mail[0].startswith("Cancelled:")]
		self.assertEqual(len(cancelled), 2, [mail[0] for mail in self.mails(name)])
		for subject, _text in cancelled:
			self.assertRegex(subject, r"^Cancelled: .+ with .+ on .+\d")
		self.assertTrue(
			any("/book/flow-host/deep" in text and "Book a new time" in text for _s, text in cancelled),
			"the guest's cancellation links to the type's page",
		)
		again = self.get("ics", token=token)
		self.assertIn("METHOD:CANCEL", again.text)
		self.assertRegex(
			again.headers.get("Content-Disposition", ""),
			rf'filename="?{re.escape(file_name(title, day, cancelled=True))}"?$',
		)
		self.assertEqual(frappe.db.get_value("Event", doc.hosts[0].event, "status"), "Cancelled")
		self.assertGreaterEqual(frappe.db.count("Email Queue", {"reference_name": name}), 4)
		# the timeline of the guest's lead (sites with ERPNext or Frappe CRM), else the Contact's
		target = (doc.crm_doctype, doc.crm_name) if doc.crm_name else ("Contact", doc.contact)
		comments = frappe.get_all(
			"Comment",
			filters={"reference_doctype": target[0], "reference_name": target[1], "comment_type": "Comment"},
			pluck="content",
		)
		self.assertTrue(
			any("booked" in c for c in comments) and any("cancelled" in c for c in comments), comments
		)

	def test_crm_record_is_linked_on_erpnext_or_frappe_crm_sites(self):
		"""Plain Frappe: Contact + Event (above). With ERPNext / Frappe CRM: the Lead or Deal too."""
		apps = frappe.get_installed_apps()
		if "crm" in apps:
			doctype = "CRM Lead"
			record = frappe.get_doc(
				{
					"doctype": doctype,
					"first_name": "Grace",
					"last_name": "Hopper",
					"email": "grace@example.org",
				}
			).insert(ignore_permissions=True)
		elif "erpnext" in apps:
			doctype = "Lead"
			record = frappe.get_doc(
				{"doctype": doctype, "lead_name": "Grace Hopper", "email_id": "grace@example.org"}
			).insert(ignore_permissions=True)
		else:
			self.assertFalse(frappe.db.exists("DocType", "CRM Lead") and "crm" in apps)
			return  # plain Frappe: covered by test_side_effects_contact_event_email_and_ics
		frappe.db.commit()
		try:
			r = self.book("flow-host", "deep", self.at(15), name="Grace Hopper", email="grace@example.org")
			self.assertEqual(r.status_code, 201, r.text)
			run_background_jobs()
			self.fresh()
			doc = frappe.get_doc("Scheduler Booking", body(r)["data"]["id"])
			self.assertEqual((doc.crm_doctype, doc.crm_name), (doctype, record.name))
			participants = frappe.get_all(
				"Event Participants",
				filters={"parent": doc.hosts[0].event},
				fields=["reference_doctype", "reference_docname"],
			)
			self.assertIn(
				{"reference_doctype": doctype, "reference_docname": record.name},
				[dict(p) for p in participants],
			)
			comments = frappe.get_all(
				"Comment",
				filters={
					"reference_doctype": doctype,
					"reference_name": record.name,
					"comment_type": "Comment",
				},
				pluck="content",
			)
			self.assertTrue(any("booked" in c for c in comments), comments)
		finally:
			frappe.db.rollback()
			for name in frappe.get_all(
				"Comment", filters={"reference_doctype": doctype, "reference_name": record.name}, pluck="name"
			):
				frappe.delete_doc("Comment", name, ignore_permissions=True, force=True)
			clear_bookings([H])
			frappe.delete_doc(doctype, record.name, ignore_permissions=True, force=True)
			frappe.db.commit()

	def test_pending_booking_holds_the_slot_until_declined(self):
		make_type(self.profile, "vetted", 30, requires_confirmation=1)
		r = self.book("flow-host", "vetted", self.at(14), email="p@example.org")
		self.assertEqual(body(r)["data"]["status"], "Pending")
		self.assertEqual(
			self.book("flow-host", "vetted", self.at(14), email="q@example.org").status_code, 409
		)
		self.fresh()
		name = body(r)["data"]["id"]
		frappe.set_user(H)
		try:
			from scheduler_integration.api.booking import decline_booking

			result = decline_booking(name, "Fully booked that week")
			self.assertTrue(result["success"], result)
		finally:
			frappe.set_user("Administrator")
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", name, "status"), "Cancelled")
		run_background_jobs()
		self.fresh()
		declined = frappe.get_all("Email Queue", filters={"reference_name": name}, pluck="message")
		self.assertTrue(any("could not confirm" in mail_text(m) for m in declined), declined)
		self.assertEqual(
			self.book("flow-host", "vetted", self.at(14), email="q@example.org").status_code, 201
		)

	def test_guest_input_is_validated_and_honeypot_refuses(self):
		r = self.book("flow-host", "talk", self.at(9), answers={}, email="bad", name="")
		self.assertEqual(r.status_code, 400)
		self.assertTrue({"email", "name", "answers.0"} <= set(body(r)["errors"]))
		r = self.book("flow-host", "deep", self.at(9), website="http://spam.example")
		self.assertEqual(r.status_code, 400)
		self.fresh()
		self.assertEqual(frappe.db.count("Scheduler Booking", {"host": H}), 0)


class TestTeams(BookingFlowCase):
	HOSTS = (R1, R2, R3)

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.profiles = [
			make_host(u, f"team-{i}", tz="UTC", start="09:00", end="17:00") for i, u in enumerate(cls.HOSTS)
		]
		clear_bookings(list(cls.HOSTS))
		cls.rr = make_type(
			cls.profiles[0],
			"round",
			30,
			assignment="Round Robin",
			hosts=[{"user": R1, "weight": 200}, {"user": R2, "weight": 100}, {"user": R3, "weight": 100}],
		)
		cls.co = make_type(
			cls.profiles[0], "together", 60, assignment="Collective", hosts=[{"user": R1}, {"user": R2}]
		)
		cls.day = future_day(20)

	def test_round_robin_spreads_bookings_by_weight(self):
		starts = [self.day + timedelta(hours=9, minutes=30 * i) for i in range(16)]
		for i, start in enumerate(starts):
			r = self.book("team-0", "round", start, email=f"rr{i}@example.org")
			self.assertEqual(r.status_code, 201, r.text)
		self.fresh()
		counts = {
			u: frappe.db.count("Scheduler Booking", {"meeting_type": self.rr, "host": u}) for u in self.HOSTS
		}
		self.assertEqual(counts, {R1: 8, R2: 4, R3: 4})

	def test_collective_needs_every_host_free(self):
		start = self.day + timedelta(days=1, hours=10)
		from scheduler_integration.core.clock import to_system

		frappe.get_doc(
			{
				"doctype": "Scheduler Blocked Time",
				"user": R2,
				"start": to_system(start),
				"end": to_system(start + timedelta(hours=1)),
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		try:
			r = self.get(
				"get_slots",
				profile="team-0",
				meeting_type="together",
				start=iso(start - timedelta(hours=1)),
				end=iso(start + timedelta(hours=3)),
				timezone="UTC",
			)
			starts = [s["start"] for d in body(r)["data"]["days"] for s in d["slots"]]
			self.assertNotIn(iso(start), starts)
			self.assertIn(iso(start + timedelta(hours=1)), starts)
			self.assertEqual(self.book("team-0", "together", start, email="c1@example.org").status_code, 409)
			r = self.book("team-0", "together", start + timedelta(hours=1), email="c2@example.org")
			self.assertEqual(r.status_code, 201, r.text)
		finally:
			for name in frappe.get_all("Scheduler Blocked Time", filters={"user": R2}, pluck="name"):
				frappe.delete_doc("Scheduler Blocked Time", name, ignore_permissions=True, force=True)
			frappe.db.commit()
