"""Security, probed over real HTTP as an attacker would: no header from guest text, caps
that ignore a spoofed X-Forwarded-For, a proof of work, team consent, counts under row
rules, encrypted calendar secrets, invalid Unicode answered with 4xx, no markup stored,
manage links neither cached nor referred."""

from __future__ import annotations

import email
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import policy

import frappe

from scheduler_integration.rules.challenge import solve
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
from scheduler_integration.tests.live import LiveServer, cleanup, make_user, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

A, B = "sched-sec-a@example.com", "sched-sec-b@example.com"
C = "sched-sec-c@example.com"  # a third host, for the invitation races
MANAGER = "sched-sec-manager@example.com"
PUBLIC = "scheduler_integration.api.public"
ENCODED = "=?utf-8?q?Eve=0D=0AReply-To:_attacker@evil.example?="
# the headers Frappe writes on a booking email; anything else came from somewhere else
KNOWN_HEADERS = {
	"content-type",
	"mime-version",
	"from",
	"to",
	"subject",
	"date",
	"message-id",
	"x-frappe-site",
	"x-original-from",
	"reply-to",
	"x-frappe-reference-doctype",
	"x-frappe-reference-name",
	"in-reply-to",
	"references",
	"x-priority",
	"list-unsubscribe",
	"list-unsubscribe-post",
	"auto-submitted",
	"isnotification",
}


def body(response):
	data = response.json()
	return data.get("message") if isinstance(data.get("message"), dict) else data


class SecurityCase(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS, bookings_per_host_per_hour=0, bookings_per_type_per_day=0)
		cls.outbox = Outbox()
		cls.pa = make_host(A, "sec-a", tz="UTC", start="08:00", end="18:00")
		cls.pb = make_host(B, "sec-b", tz="UTC", start="08:00", end="18:00")
		cls.ta = make_type(cls.pa, "sec-call", 30)
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.day = future_day(40)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		for name in frappe.get_all(
			"Scheduler Calendar Connection", filters={"host": ("in", [A, B])}, pluck="name"
		):
			frappe.delete_doc("Scheduler Calendar Connection", name, ignore_permissions=True, force=True)
		frappe.db.commit()
		cleanup([A, B], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([A, B])

	def book(self, start, headers=None, raw=None, **fields):
		payload = {
			"profile": "sec-a",
			"meeting_type": "sec-call",
			"start": iso(start),
			"name": "Ann Guest",
			"email": "ann@example.org",
			"timezone": "UTC",
			**fields,
		}
		return self.guest.post(
			method_url(self.server, f"{PUBLIC}.book"),
			data=raw if raw is not None else json.dumps(payload),
			headers={"Content-Type": "application/json", **(headers or {})},
			timeout=60,
		)


class TestGuestText(SecurityCase):
	def test_encoded_words_never_become_headers(self):
		for field in ("name", "company"):
			r = self.book(self.day + timedelta(hours=9), **{field: ENCODED})
			self.assertEqual(r.status_code, 400, r.text)
			self.assertIn(field, body(r)["errors"])
		# nor can a host type one into the desk
		doc = frappe.get_doc(
			{
				"doctype": "Scheduler Booking",
				"meeting_type": self.ta,
				"start": self.day + timedelta(hours=11),
				"guest_name": ENCODED,
				"guest_email": "eve@example.org",
			}
		)
		with self.assertRaises(frappe.ValidationError):
			doc.insert(ignore_permissions=True)
		frappe.db.rollback()
		# the real messages of a booking carry only the headers Frappe writes
		r = self.book(self.day + timedelta(hours=10), name="Zoë O'Brien-Łukasz & Co")
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		frappe.db.rollback()
		queued = frappe.get_all(
			"Email Queue", filters={"reference_name": body(r)["data"]["id"]}, pluck="message"
		)
		self.assertEqual(len(queued), 2)
		for raw in queued:
			message = email.message_from_string(raw, policy=policy.default)
			names = {key.lower() for key in message.keys()}
			self.assertTrue(names <= KNOWN_HEADERS, names - KNOWN_HEADERS)
			self.assertIsNone(message["Bcc"])
			self.assertNotIn("evil", str(message["Reply-To"] or ""))
			self.assertEqual(len(message.get_all("Subject")), 1)
			self.assertNotIn("\n", str(message["Subject"]))

	def test_invalid_unicode_is_answered_with_4xx_everywhere(self):
		lone = "x\ud800y"
		start = self.day + timedelta(hours=12)
		for field in (
			"name",
			"company",
			"notes",
			"utm_source",
			"utm_medium",
			"utm_campaign",
			"timezone",
			"email",
		):
			r = self.book(start, **{field: lone})
			self.assertEqual(r.status_code, 400, f"{field}: {r.text[:300]}")
		make_type(self.pa, "sec-asked", 30, questions=[{"label": "Goal", "fieldtype": "Data"}])
		r = self.book(start, meeting_type="sec-asked", answers={"Goal": lone})
		self.assertEqual(r.status_code, 400, r.text[:300])
		r = self.book(start, profile=lone)
		self.assertEqual(r.status_code, 404, r.text[:300])
		for method, data in (("get_booking", None), ("cancel", {})):
			raw = json.dumps({"token": lone})
			if data is None:
				# a lone surrogate cannot be UTF-8: send the bytes a broken client would
				r = self.guest.get(
					method_url(self.server, f"{PUBLIC}.{method}") + "?token=x%ED%A0%80y", timeout=30
				)
			else:
				r = self.guest.post(
					method_url(self.server, f"{PUBLIC}.{method}"),
					data=raw,
					headers={"Content-Type": "application/json"},
					timeout=30,
				)
			self.assertEqual(r.status_code, 404, f"{method}: {r.text[:300]}")
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Scheduler Booking", {"host": A}), 0)

	def test_markup_in_free_text_is_stored_as_plain_text(self):
		r = self.book(
			self.day + timedelta(hours=13),
			notes='<img src="http://tracker.example/p.gif"><a href="x">hi</a>',
			name="Ann",
		)
		self.assertEqual(r.status_code, 201, r.text)
		frappe.db.rollback()
		notes = frappe.db.get_value("Scheduler Booking", body(r)["data"]["id"], "notes")
		self.assertNotIn("<", notes)
		self.assertNotIn(">", notes)
		self.assertIn("img src=", notes)  # the words survive, the markup does not
		run_background_jobs()  # and the CRM step still works for it
		frappe.db.rollback()
		self.assertTrue(frappe.db.get_value("Scheduler Booking", body(r)["data"]["id"], "contact"))


class TestCaps(SecurityCase):
	def test_spoofed_forwarded_for_and_rotating_emails_hit_the_host_cap(self):
		set_settings(bookings_per_host_per_hour=5)
		try:
			codes = []
			for i in range(8):
				r = self.book(
					self.day + timedelta(hours=8, minutes=30 * i),
					headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
					email=f"spoof{i}@example.org",
				)
				codes.append(r.status_code)
			self.assertEqual(codes[:5], [201] * 5, codes)
			self.assertEqual(codes[5:], [429] * 3, codes)
			self.assertIn("host", body(r)["message"].lower())
		finally:
			set_settings(bookings_per_host_per_hour=0)
		set_settings(bookings_per_type_per_day=2)
		try:
			r = self.book(self.day + timedelta(hours=15), email="t1@example.org")
			self.assertEqual(r.status_code, 429, r.text)
		finally:
			set_settings(bookings_per_type_per_day=0)

	def test_proof_of_work_when_required(self):
		set_settings(booking_challenge_bits=8)
		try:
			start = self.day + timedelta(hours=9)
			r = self.book(start)
			self.assertEqual(r.status_code, 400, r.text)
			self.assertIn("proof", body(r)["errors"])
			challenge = body(self.guest.get(method_url(self.server, f"{PUBLIC}.get_challenge"), timeout=30))[
				"data"
			]
			self.assertEqual(challenge["bits"], 8)
			nonce = solve(challenge["challenge"], 8)
			r = self.book(start, challenge=challenge["challenge"], nonce=nonce)
			self.assertEqual(r.status_code, 201, r.text)
			r = self.book(start + timedelta(hours=1), challenge=challenge["challenge"], nonce=nonce)
			self.assertEqual(r.status_code, 400, "a challenge opens one booking")
		finally:
			set_settings(booking_challenge_bits=0)


class TestConsentAndCounts(SecurityCase):
	def test_a_host_added_by_another_host_must_accept(self):
		as_b = self.server.session(B)
		r = as_b.post(
			f"{self.server.base}/api/resource/Scheduler Meeting Type",
			json={
				"profile": self.pb,
				"title": "Team",
				"slug": "team",
				"duration": "30",
				"assignment": "Round Robin",
				"hosts": [{"user": A}, {"user": B}],
				# explicit, not the defaults of new types (15 minutes after, 30 days ahead)
				"buffer_after": 0,
				"max_advance_days": 365,
			},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		team = r.json()["data"]["name"]
		frappe.db.rollback()
		self.assertEqual(
			{row.user: row.accepted for row in frappe.get_doc("Scheduler Meeting Type", team).hosts},
			{A: 0, B: 1},
		)
		self.assertTrue(
			frappe.db.exists("ToDo", {"allocated_to": A, "reference_name": team, "status": "Open"})
		)
		# A's hours are not offered and nothing lands on A before A accepts
		for i in range(3):
			r = self.book(
				self.day + timedelta(hours=9 + i),
				profile="sec-b",
				meeting_type="team",
				email=f"c{i}@example.org",
			)
			self.assertEqual(r.status_code, 201, r.text)
			frappe.db.rollback()
			self.assertEqual(frappe.db.get_value("Scheduler Booking", body(r)["data"]["id"], "host"), B)
		r = self.server.session(A).post(
			method_url(self.server, "scheduler_integration.api.meeting_type.respond_to_invitation"),
			json={"meeting_type": team, "accept": 1},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.rollback()
		self.assertEqual(frappe.get_doc("Scheduler Meeting Type", team).host_users(), [A, B])
		respond = method_url(self.server, "scheduler_integration.api.meeting_type.respond_to_invitation")
		# a value that says neither yes nor no decides nothing (a decline removes the host)
		for odd in ("abc", "2", "", None, [], 0.5):
			r = self.server.session(A).post(respond, json={"meeting_type": team, "accept": odd}, timeout=30)
			self.assertEqual(r.status_code, 400, f"{odd!r}: {r.text[:200]}")
		# the owner was never invited: their "decline" would leave the type without its owner
		r = self.server.session(B).post(respond, json={"meeting_type": team, "accept": 0}, timeout=30)
		self.assertEqual(r.status_code, 403, r.text)
		frappe.db.rollback()
		self.assertEqual(frappe.get_doc("Scheduler Meeting Type", team).host_users(), [A, B])
		r = self.book(
			self.day + timedelta(hours=9), profile="sec-b", meeting_type="team", email="after@example.org"
		)
		self.assertEqual(r.status_code, 201, r.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", body(r)["data"]["id"], "host"), A)

	def test_a_colleague_without_a_profile_is_invited_told_and_accepting_makes_it(self):
		"""Issue 50, item 19: the invitee hears of the invitation (the desk's bell, not only a
		to-do), a colleague without a Scheduler Profile can be invited (accepting makes it,
		their name and zone) and the owner hears of the answer."""
		new = make_user("sched-sec-newcomer@example.com", first_name="Nia Newcomer")
		frappe.db.set_value("User", new, "time_zone", "Europe/Vienna")
		web = make_user("sched-sec-web@example.com", roles=())
		frappe.db.set_value("User", web, "user_type", "Website User")
		frappe.db.commit()
		url = f"{self.server.base}/api/resource/Scheduler Meeting Type"
		team = None
		logs = {"document_type": "Scheduler Meeting Type", "for_user": ("in", [B, new, web])}
		try:
			# a website user cannot sign in to the desk to answer: not invited, nothing sent
			r = self.server.session(B).post(
				url,
				json={
					"profile": self.pb,
					"title": "Web team",
					"slug": "web-team",
					"duration": "30",
					"assignment": "Round Robin",
					"hosts": [{"user": B}, {"user": web}],
				},
				timeout=30,
			)
			self.assertEqual(r.status_code, 400, r.text[:500])
			self.assertIn("Only enabled desk users with the Scheduler Host role can host", r.text)
			r = self.server.session(B).post(
				url,
				json={
					"profile": self.pb,
					"title": "Newcomer team",
					"slug": "newcomer-team",
					"duration": "30",
					"assignment": "Round Robin",
					"hosts": [{"user": B}, {"user": new}],
				},
				timeout=30,
			)
			self.assertEqual(r.status_code, 200, r.text[:500])
			team = r.json()["data"]["name"]
			self.assertEqual(
				[(h["user"], h["accepted"]) for h in r.json()["data"]["hosts"]], [(B, 1), (new, 0)]
			)
			run_background_jobs()
			frappe.db.rollback()
			self.assertFalse(frappe.db.exists("Scheduler Profile", {"user": new}), "not before they accept")
			told = frappe.get_all(
				"Notification Log", filters={**logs, "document_name": team, "for_user": new}, pluck="subject"
			)
			self.assertEqual(len(told), 1, told)
			self.assertIn("invited you to host Newcomer team", told[0])
			r = self.server.session(new).post(
				method_url(self.server, "scheduler_integration.api.meeting_type.respond_to_invitation"),
				json={"meeting_type": team, "accept": 1},
				timeout=30,
			)
			self.assertEqual(r.status_code, 200, r.text[:500])
			run_background_jobs()
			frappe.db.rollback()
			profile = frappe.db.get_value(
				"Scheduler Profile",
				{"user": new},
				["display_name", "slug", "timezone", "active"],
				as_dict=True,
			)
			self.assertEqual(
				(profile.display_name, profile.slug, profile.timezone, profile.active),
				("Nia Newcomer", "nia-newcomer", "Europe/Vienna", 1),
			)
			self.assertEqual(frappe.get_doc("Scheduler Meeting Type", team).host_users(), [B, new])
			# their set-up checklist counts the team type they host: only their hours are missing
			from scheduler_integration.reporting.dashboard import setup_checklist

			checklist = setup_checklist(new)
			steps = {step["key"]: step["state"] for step in checklist["steps"]}
			self.assertEqual(steps["first_type"], "done", checklist)
			self.assertEqual([p["key"] for p in checklist["problems"]], ["no_hours"], checklist)
			# accepting again (walk: 20 at once) changes nothing and tells nobody again
			with ThreadPoolExecutor(5) as pool:
				again = list(
					pool.map(
						lambda _i: self.server.session(new).post(
							method_url(
								self.server, "scheduler_integration.api.meeting_type.respond_to_invitation"
							),
							json={"meeting_type": team, "accept": 1},
							timeout=30,
						),
						range(5),
					)
				)
			self.assertEqual([a.status_code for a in again], [200] * 5, [a.text[:200] for a in again])
			run_background_jobs()
			frappe.db.rollback()
			self.assertEqual(frappe.db.count("Scheduler Profile", {"user": new}), 1)
			answer = frappe.get_all(
				"Notification Log", filters={**logs, "document_name": team, "for_user": B}, pluck="subject"
			)
			self.assertEqual(len(answer), 1, answer)
			self.assertIn("Nia Newcomer accepted to host Newcomer team", answer[0])
		finally:
			frappe.db.rollback()
			if team:
				frappe.delete_doc("Scheduler Meeting Type", team, ignore_permissions=True, force=True)
			frappe.db.delete("Notification Log", logs)
			frappe.db.commit()
			cleanup([new, web], delete_users=True)

	def test_a_stale_host_list_never_invites_a_host_who_declined_again(self):
		"""An answer to an invitation is the invitee's: the owner's REST PUT of the hosts as it
		read them before the decline (with the rows' names, without ``modified``) leaves the
		decliner out; a row sent without a name is a new invitation (issue 50, item 4)."""
		as_b = self.server.session(B)
		url = f"{self.server.base}/api/resource/Scheduler Meeting Type"
		r = as_b.post(
			url,
			json={
				"profile": self.pb,
				"title": "Stale team",
				"slug": "stale-team",
				"duration": "30",
				"assignment": "Round Robin",
				"hosts": [{"user": B}, {"user": A}],
				"max_advance_days": 365,
			},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		team = r.json()["data"]["name"]
		read = as_b.get(f"{url}/{team}", timeout=30).json()["data"]["hosts"]
		self.assertEqual([(row["user"], row["accepted"]) for row in read], [(B, 1), (A, 0)])
		r = self.server.session(A).post(
			method_url(self.server, "scheduler_integration.api.meeting_type.respond_to_invitation"),
			json={"meeting_type": team, "accept": 0},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		todos = {"reference_type": "Scheduler Meeting Type", "reference_name": team, "allocated_to": A}
		frappe.db.rollback()
		invitations = frappe.db.count("ToDo", todos)
		# the owner's stale copy of the hosts, with a change of its own
		r = as_b.put(f"{url}/{team}", json={"description": "Stale copy", "hosts": read}, timeout=30)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.rollback()
		doc = frappe.get_doc("Scheduler Meeting Type", team)
		self.assertEqual(doc.description, "Stale copy")
		self.assertEqual([(row.user, row.accepted) for row in doc.hosts], [(B, 1)])
		self.assertEqual(frappe.db.count("ToDo", todos), invitations)  # no new invitation
		# inviting again is a new row: A is asked again, and answers again
		r = as_b.put(f"{url}/{team}", json={"hosts": [{"user": B}, {"user": A}]}, timeout=30)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.rollback()
		doc = frappe.get_doc("Scheduler Meeting Type", team)
		self.assertEqual([(row.user, row.accepted) for row in doc.hosts], [(B, 1), (A, 0)])
		self.assertEqual(frappe.db.count("ToDo", {**todos, "status": "Open"}), 1)

	def test_a_team_type_nobody_accepted_yet_is_not_offered(self):
		"""Until one invited host accepts, a team type is off its page, and its times and its
		booking say why (404 NOT_CONFIGURED), not the engine's "At least one host" (400)."""
		r = self.server.session(B).post(
			f"{self.server.base}/api/resource/Scheduler Meeting Type",
			json={
				"profile": self.pb,
				"title": "Pending team",
				"slug": "pending-team",
				"duration": "30",
				"assignment": "Round Robin",
				"hosts": [{"user": A}],  # invited; the owner does not host it
				"max_advance_days": 365,
			},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		team = r.json()["data"]["name"]
		public = f"{self.server.base}/api/method/{PUBLIC}"
		window = {"start": iso(self.day), "end": iso(self.day + timedelta(days=1)), "timezone": "UTC"}

		def listed():
			r = self.guest.get(f"{public}.get_page", params={"profile": "sec-b"}, timeout=30)
			self.assertEqual(r.status_code, 200, r.text[:300])
			return [t["slug"] for t in body(r)["data"]["meeting_types"]]

		def slots():
			return self.guest.get(
				f"{public}.get_slots",
				params={"profile": "sec-b", "meeting_type": "pending-team", **window},
				timeout=30,
			)

		self.assertNotIn("pending-team", listed())
		# a row saved on its own skips the type's rules: the owner cannot accept for A
		row = frappe.db.get_value("Scheduler Meeting Type Host", {"parent": team, "user": A}, "name")
		forged = self.server.session(B).post(
			method_url(self.server, "frappe.client.bulk_update"),
			data={
				"docs": json.dumps(
					[{"doctype": "Scheduler Meeting Type Host", "docname": row, "accepted": 1}]
				)
			},
			timeout=30,
		)
		self.assertEqual(forged.status_code, 200, forged.text[:300])
		self.assertEqual(len(forged.json()["message"]["failed_docs"]), 1)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Scheduler Meeting Type Host", row, "accepted"), 0)
		for r in (
			slots(),
			self.book(self.day + timedelta(hours=9), profile="sec-b", meeting_type="pending-team"),
			self.guest.get(f"{self.server.base}/book/sec-b/pending-team", timeout=30),
		):
			self.assertEqual(r.status_code, 404, r.text[:300])
		self.assertEqual(body(slots())["code"], "NOT_CONFIGURED")
		self.assertIn("no host yet", body(slots())["error"])
		r = self.server.session(A).post(
			method_url(self.server, "scheduler_integration.api.meeting_type.respond_to_invitation"),
			json={"meeting_type": team, "accept": 1},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertIn("pending-team", listed())
		self.assertEqual(slots().status_code, 200)
		booked = self.book(self.day + timedelta(hours=9), profile="sec-b", meeting_type="pending-team")
		self.assertEqual(booked.status_code, 201, booked.text)
		token = body(booked)["data"]["manage_url"].rsplit("/", 1)[-1]
		# the owner hands the type to C (invited): nothing bookable, the booking still managed
		make_host(C, "sec-c", tz="UTC", start="08:00", end="18:00")
		self.addCleanup(cleanup, [C], delete_users=True)
		owner = self.server.session(B)
		url = f"{self.server.base}/api/resource/Scheduler Meeting Type/{team}"
		self.assertEqual(owner.put(url, json={"hosts": [{"user": C}]}, timeout=30).status_code, 200)
		self.assertEqual(slots().status_code, 404)
		self.assertEqual(
			self.guest.get(f"{self.server.base}/book/manage/{token}", timeout=30).status_code, 200
		)
		moved = self.guest.post(
			f"{public}.reschedule",
			json={"token": token, "start": iso(self.day + timedelta(hours=10))},
			timeout=30,
		)
		self.assertEqual((moved.status_code, body(moved)["code"]), (404, "NOT_CONFIGURED"), moved.text)
		# a manager's edit of something else accepts nobody's invitation
		make_user(MANAGER, roles=("Scheduler Manager",))
		self.addCleanup(cleanup, [MANAGER], delete_users=True)
		manager = self.server.session(MANAGER)
		self.assertEqual(manager.put(url, json={"description": "Edited"}, timeout=30).status_code, 200)
		frappe.db.rollback()
		self.assertEqual(
			[(r.user, r.accepted) for r in frappe.get_doc("Scheduler Meeting Type", team).hosts], [(C, 0)]
		)
		# C declines: no host left; the owner can still switch the type off
		r = self.server.session(C).post(
			method_url(self.server, "scheduler_integration.api.meeting_type.respond_to_invitation"),
			json={"meeting_type": team, "accept": 0},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		off = owner.put(url, json={"active": 0}, timeout=30)
		self.assertEqual(off.status_code, 200, off.text[:300])

	def test_hosts_declining_at_once_leave_the_type_a_host(self):
		"""Two hosts declining a team type at the same moment: one leaves, the other is told
		it is the type's only host; an invitation taken back is cancelled, and one never
		accepted may always be declined."""
		make_host(C, "sec-c", tz="UTC", start="08:00", end="18:00")
		respond = method_url(self.server, "scheduler_integration.api.meeting_type.respond_to_invitation")
		sessions = {user: self.server.session(user) for user in (A, C)}
		try:
			for round_ in range(3):
				team = make_type(
					self.pb,
					f"sec-pair-{round_}",
					30,
					assignment="Collective",
					hosts=[{"user": A}, {"user": C}],  # saved by a manager: both accepted
				)
				barrier = threading.Barrier(2)

				def decline(user, team=team, barrier=barrier):
					barrier.wait()
					return sessions[user].post(respond, json={"meeting_type": team, "accept": 0}, timeout=60)

				with ThreadPoolExecutor(2) as pool:
					answers = list(pool.map(decline, (A, C)))
				self.assertEqual(
					sorted(r.status_code for r in answers), [200, 403], [r.text[:200] for r in answers]
				)
				frappe.db.rollback()
				self.assertEqual(len(frappe.get_doc("Scheduler Meeting Type", team).host_users()), 1)
			# B, the owner and not a host, invites A and C, then takes C's invitation back
			as_b = self.server.session(B)
			r = as_b.post(
				f"{self.server.base}/api/resource/Scheduler Meeting Type",
				json={
					"profile": self.pb,
					"title": "Pending",
					"slug": "sec-pending",
					"duration": "30",
					"assignment": "Round Robin",
					"hosts": [{"user": A}, {"user": C}],
				},
				timeout=30,
			)
			self.assertEqual(r.status_code, 200, r.text)
			pending = r.json()["data"]["name"]
			todos = {"reference_type": "Scheduler Meeting Type", "reference_name": pending}

			def set_hosts(*users):
				r = as_b.put(
					f"{self.server.base}/api/resource/Scheduler Meeting Type/{pending}",
					json={"hosts": [{"user": user} for user in users]},
					timeout=30,
				)
				self.assertEqual(r.status_code, 200, r.text)

			# C accepts and declines at the same moment: the answers take turns (one that
			# found the other's to-do closed was refused as "modified", 400)
			for _round in range(3):
				set_hosts(B, A)  # the owner hosts too: C's decline is not the last accepted host's
				set_hosts(B, A, C)  # C invited again: pending, with a new to-do
				barrier = threading.Barrier(2)

				def answer(accept, barrier=barrier):
					barrier.wait()
					return sessions[C].post(
						respond, json={"meeting_type": pending, "accept": accept}, timeout=60
					)

				with ThreadPoolExecutor(2) as pool:
					answers = list(pool.map(answer, (1, 0)))
				for r in answers:
					# an accept after the decline: C is no longer invited (404)
					self.assertIn(r.status_code, (200, 404), r.text[:300])
				frappe.db.rollback()
				self.assertNotIn(
					"Open", frappe.get_all("ToDo", filters={**todos, "allocated_to": C}, pluck="status")
				)
			set_hosts(A)
			set_hosts(A, C)
			set_hosts(A)  # the invitation taken back
			frappe.db.rollback()
			statuses = frappe.get_all(
				"ToDo", filters={**todos, "allocated_to": C}, pluck="status", order_by="creation desc"
			)
			self.assertEqual((statuses[0], "Open" in statuses), ("Cancelled", False), statuses)
			r = sessions[C].post(respond, json={"meeting_type": pending, "accept": 1}, timeout=30)
			self.assertEqual(r.status_code, 404, r.text)
			# A never accepted: declining leaves what the type offers as it was (nothing)
			r = sessions[A].post(respond, json={"meeting_type": pending, "accept": 0}, timeout=30)
			self.assertEqual(r.status_code, 200, r.text)
			frappe.db.rollback()
			self.assertEqual(frappe.get_doc("Scheduler Meeting Type", pending).hosts, [])
			self.assertEqual(
				frappe.get_all("ToDo", filters={**todos, "allocated_to": A}, pluck="status"), ["Closed"]
			)
			# answered or taken back, nobody is left assigned to the type in the desk's list
			self.assertEqual(
				json.loads(frappe.db.get_value("Scheduler Meeting Type", pending, "_assign") or "[]"), []
			)
		finally:
			frappe.db.rollback()
			cleanup([C], delete_users=True)

	def test_counts_follow_row_rules_and_calendar_secrets_are_encrypted(self):
		for i in range(3):
			self.assertEqual(
				self.book(self.day + timedelta(hours=9 + i), email=f"secret{i}@example.org").status_code, 201
			)
		as_b = self.server.session(B)
		like = json.dumps({"guest_email": ["like", "secret%"]})
		for method, params in (
			("frappe.client.get_count", {"doctype": "Scheduler Booking", "filters": like}),
			("frappe.desk.reportview.get_count", {"doctype": "Scheduler Booking", "filters": like}),
		):
			r = as_b.get(method_url(self.server, method), params=params, timeout=30)
			self.assertEqual((r.status_code, r.json().get("message")), (200, 0), f"{method}: {r.text[:200]}")
		r = self.server.session(A).get(
			method_url(self.server, "frappe.client.get_count"),
			params={"doctype": "Scheduler Booking", "filters": like},
			timeout=30,
		)
		self.assertEqual(r.json()["message"], 3, "the owner counts their own")
		for field in ("status", "assigned_to"):
			r = as_b.get(
				method_url(self.server, "frappe.desk.listview.get_group_by_count"),
				params={"doctype": "Scheduler Booking", "current_filters": like, "field": field},
				timeout=30,
			)
			self.assertEqual((r.status_code, r.json()["message"]), (200, []), f"{field}: {r.text[:200]}")
		# a published calendar URL is stored encrypted: not even a manager can filter on it
		frappe.set_user(A)
		try:
			connection = frappe.get_doc(
				{
					"doctype": "Scheduler Calendar Connection",
					"provider": "ICS",
					"ics_url": "https://calendar.example/private-7f3a9c/basic.ics",
					"enabled": 0,
				}
			).insert()
			frappe.db.commit()
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(
			frappe.db.count("Scheduler Calendar Connection", {"ics_url": ("like", "%private%")}), 0
		)
		self.assertEqual(
			frappe.get_doc("Scheduler Calendar Connection", connection.name).get_password("ics_url"),
			"https://calendar.example/private-7f3a9c/basic.ics",
		)


class TestManageLinks(SecurityCase):
	def test_manage_page_is_not_cached_nor_referred_and_is_rate_limited(self):
		r = self.book(self.day + timedelta(hours=14))
		token = body(r)["data"]["manage_url"].rsplit("/", 1)[1]
		page = self.guest.get(f"{self.server.base}/book/manage/{token}", timeout=30)
		self.assertEqual(page.status_code, 200)
		self.assertEqual(page.headers.get("Cache-Control"), "no-store")
		self.assertEqual(page.headers.get("Referrer-Policy"), "no-referrer")
		ics = self.guest.get(method_url(self.server, f"{PUBLIC}.ics"), params={"token": token}, timeout=30)
		self.assertEqual(ics.headers.get("Cache-Control"), "no-store")
		read = self.guest.get(
			method_url(self.server, f"{PUBLIC}.get_booking"), params={"token": token}, timeout=30
		)
		self.assertEqual((read.status_code, body(read)["data"]["id"]), (200, body(r)["data"]["id"]))
		self.assertEqual(read.headers.get("Cache-Control"), "no-store")
		self.assertEqual(read.headers.get("Referrer-Policy"), "no-referrer")
		set_settings(public_rate_limit=5)
		try:
			codes = [
				self.guest.get(f"{self.server.base}/book/manage/wrong{i}-token", timeout=30).status_code
				for i in range(8)
			]
		finally:
			set_settings(**NO_RATE_LIMITS)
		self.assertEqual(codes[:5], [404] * 5, codes)
		self.assertIn(429, codes[5:], codes)
