"""Issue 37 over real HTTP with the site's workers: scoped series and who effect jobs run as.

- A personal link's or a routing decision's hosts hold for every meeting of a series
  (item 3): a time its host is busy is not offered and not booked (409), never given to a
  colleague; a free one is booked with that host for every meeting.
- Effect jobs run as the system (item 17): a guest's booking never writes its emails and
  logs as Guest, and a seat's effects (planned while working as its host) never make a job
  that writes another host's bookings' emails and logs as that host.
- Guests of one name booking at once (item 18) each get their own Contact, at the first
  attempt of the CRM effect (no duplicate name, no retry two minutes later).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import frappe
import requests

from scheduler_integration.core.clock import to_system
from scheduler_integration.tests.factory import (
	Outbox,
	book,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, body, cleanup, method_url, purge_guests
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.trust.test_trust_races import NO_CAPS, race
from scheduler_integration.tests.utils import SchedulerTestCase

A, B = "sched-trust-scope-a@example.com", "sched-trust-scope-b@example.com"
H1, H2 = "sched-trust-job-a@example.com", "sched-trust-job-b@example.com"
FORM = "sched-trust-scope"
PUBLIC = "scheduler_integration.api.public"
SAME_NAME = "Sam Samename"
ACTIVE = ("in", ["Pending", "Confirmed"])


def post(server: LiveServer, method: str, **values) -> requests.Response:
	return requests.post(
		method_url(server, f"{PUBLIC}.{method}"), json=values, headers={"Host": server.site}, timeout=120
	)


class TestScopedSeries(SchedulerTestCase):
	"""Item 3: round robin between A and B, a series of two weekly meetings; the link and
	the decision are A's alone."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cls.remove_scopes()
			cleanup([A, B], delete_users=True)  # what a killed run left
			cls._saved = set_settings(**NO_CAPS)
			cls.a = make_host(A, "trust-scope-a", start="08:00", end="18:00")
			make_host(B, "trust-scope-b", start="08:00", end="18:00")
			cls.team = make_type(
				cls.a,
				"team-series",
				30,
				assignment="Round Robin",
				hosts=[{"user": A}, {"user": B}],
				allow_series=1,
				series_frequency="Weekly",
				series_max_count=2,
				series_booking="Book None",
			)
			cls.a_call = make_type(cls.a, "a-call", 30)
			cls.server = LiveServer.get_instance()
			cls.day = future_day(16)
		except Exception:  # leave the site as found even when setting up failed
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**getattr(cls, "_saved", {}))
		clear_bookings([A, B])
		cls.remove_scopes()
		frappe.db.commit()  # cleanup() starts with a rollback
		cleanup([A, B], delete_users=True)
		super().tearDownClass()

	@classmethod
	def remove_scopes(cls):
		frappe.db.delete("Scheduler Booking Series", {"host": ("in", [A, B])})
		links = frappe.get_all("Scheduler Personal Link", {"host": A}, pluck="name")
		frappe.db.delete(
			"Version", {"ref_doctype": "Scheduler Personal Link", "docname": ("in", links or [""])}
		)
		frappe.db.delete("Scheduler Personal Link", {"name": ("in", links or [""])})
		for form in frappe.get_all("Scheduler Routing Form", {"slug": FORM}, pluck="name"):
			frappe.db.delete("Scheduler Routing Submission", {"form": form})
			frappe.db.delete("Version", {"ref_doctype": "Scheduler Routing Form", "docname": form})
			frappe.delete_doc("Scheduler Routing Form", form, ignore_permissions=True, force=True)
		frappe.db.commit()

	def setUp(self):
		clear_bookings([A, B])
		frappe.db.delete("Scheduler Booking Series", {"host": ("in", [A, B])})
		frappe.db.delete("Scheduler Blocked Time", {"user": A})
		# deleted past the controller: outdate A's hours as its on_trash would
		from scheduler_integration.booking import availability

		availability.invalidate([A])
		# A has had a meeting of the type, B none: round robin alone would give B the next
		book(
			self.team,
			self.day + timedelta(days=40, hours=9),
			{"guest_name": "Earlier Guest", "guest_email": "scope-earlier@example.org"},
			hosts=[{"user": A}],
		)
		frappe.db.commit()

	def at(self, hour: int):
		return self.day + timedelta(hours=hour)

	def link_token(self, email: str) -> str:
		"""A personal link of A's for the team type (its token)."""
		from scheduler_integration.scheduler_integration.doctype.scheduler_personal_link.scheduler_personal_link import (
			create_link,
		)

		frappe.set_user("Administrator")
		_link, url = create_link(
			self.team,
			host=A,
			guest={"guest_name": "Scoped Guest", "guest_email": email},
			reference=None,
			max_uses=5,
			expires_at=self.day + timedelta(days=60),
		)
		return url.rsplit("/", 1)[1]

	def slots(self, **params) -> requests.Response:
		return requests.get(
			method_url(self.server, f"{PUBLIC}.get_slots"),
			params={
				"profile": "trust-scope-a",
				"meeting_type": "team-series",
				"start": iso(self.day),
				"end": iso(self.day + timedelta(days=1)),
				"timezone": "UTC",
				**params,
			},
			headers={"Host": self.server.site},
			timeout=60,
		)

	def offered(self, **scope) -> set[str]:
		r = self.slots(count=2, **scope)
		self.assertEqual(r.status_code, 200, r.text)
		return {s["start"] for d in body(r)["data"]["days"] for s in d["slots"]}

	def book_series(self, start, email: str, **scope) -> requests.Response:
		return post(
			self.server,
			"book",
			profile="trust-scope-a",
			meeting_type="team-series",
			start=iso(start),
			name="Scoped Guest",
			email=email,
			timezone="UTC",
			count=2,
			**scope,
		)

	def assert_busy_time_refused(self, start, email: str, **scope):
		"""``start`` is not offered within the scope, and booking it is refused: not given to
		another host of the type."""
		self.assertNotIn(iso(start), self.offered(**scope), "a time the scope's host is busy is not shown")
		response = self.book_series(start, email, **scope)
		self.assertEqual(response.status_code, 409, f"not booked with another host: {response.text}")
		self.assertEqual(body(response)["code"], "SLOT_UNAVAILABLE", response.text)
		frappe.db.commit()
		self.assertFalse(
			frappe.db.exists("Scheduler Booking", {"meeting_type": self.team, "start": to_system(start)})
		)

	def assert_booked_with_a(self, response):
		self.assertEqual(response.status_code, 201, response.text)
		frappe.db.commit()
		series = frappe.db.get_value("Scheduler Booking", body(response)["data"]["id"], "series")
		self.assertTrue(series, response.text)
		meetings = frappe.get_all("Scheduler Booking", filters={"series": series}, pluck="name")
		self.assertEqual(len(meetings), 2, "both meetings of the series")
		for name in meetings:
			hosts = frappe.get_all(
				"Scheduler Booking Host",
				filters={"parent": name, "parenttype": "Scheduler Booking"},
				pluck="user",
			)
			self.assertEqual((frappe.db.get_value("Scheduler Booking", name, "host"), hosts), (A, [A]), name)

	def test_a_personal_links_series_keeps_its_host(self):
		token = self.link_token("scope-link@example.org")
		frappe.get_doc(
			{
				"doctype": "Scheduler Blocked Time",
				"user": A,
				"start": to_system(self.at(10)),
				"end": to_system(self.at(11)),
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		self.assertIn(iso(self.at(10)), self.offered(), "B is free then: the type's own page offers it")
		self.assert_busy_time_refused(self.at(10), "scope-link@example.org", link=token)
		self.assertIn(iso(self.at(14)), self.offered(link=token))
		self.assert_booked_with_a(self.book_series(self.at(14), "scope-link@example.org", link=token))

	def test_a_link_whose_host_left_the_type_is_gone(self):
		"""The owner takes the link's host off the type: its times and its booking answer 410
		LINK_GONE (as a used-up link), not the engine's 400 "At least one host"."""
		token = self.link_token("scope-left@example.org")
		team = frappe.get_doc("Scheduler Meeting Type", self.team)
		team.set("hosts", [row for row in team.hosts if row.user == B])
		team.save(ignore_permissions=True)
		frappe.db.commit()
		try:
			slots = self.slots(link=token)
			booked = self.book_series(self.at(14), "scope-left@example.org", link=token)
			for response in (slots, booked):
				self.assertEqual(response.status_code, 410, response.text[:300])
				self.assertEqual(body(response)["code"], "LINK_GONE", response.text[:300])
				self.assertIn("no longer hosts", body(response)["error"])
		finally:
			team = frappe.get_doc("Scheduler Meeting Type", self.team)
			team.append("hosts", {"user": A})
			team.save(ignore_permissions=True)
			frappe.db.commit()

	def test_a_routing_decisions_series_keeps_its_hosts(self):
		frappe.get_doc(
			{
				"doctype": "Scheduler Routing Form",
				"title": "Trust scope",
				"slug": FORM,
				"user": A,
				"questions": [
					{
						"question_key": "email",
						"label": "Work email",
						"fieldtype": "Email",
						"required": 1,
						"maps_to": "Email",
					}
				],
				"rules": [
					{"rule_name": "a-only", "outcome": "Team Hosts", "meeting_type": self.team, "hosts": A}
				],
				"fallback_outcome": "Message",
				"fallback_message": "Thanks.",
			}
		).insert(ignore_permissions=True)
		# A is busy at 10:00: a meeting of another type
		book(self.a_call, self.at(10), {"guest_name": "Busy Maker", "guest_email": "scope-busy@example.org"})
		frappe.db.commit()
		r = requests.post(
			method_url(self.server, "scheduler_integration.api.routing.submit"),
			json={"form": FORM, "answers": {"email": "scope-routed@example.org"}},
			headers={"Host": self.server.site},
			timeout=60,
		)
		self.assertEqual(r.status_code, 201, r.text)
		self.assertEqual(body(r)["data"]["action"], "book", r.text)
		routed = parse_qs(urlsplit(body(r)["data"]["url"]).query)["routed"][0]
		self.assert_busy_time_refused(self.at(10), "scope-routed@example.org", routed=routed)
		# the refused booking did not use the decision up
		self.assertIn(iso(self.at(14)), self.offered(routed=routed))
		self.assert_booked_with_a(self.book_series(self.at(14), "scope-routed@example.org", routed=routed))


@every_site
class TestEffectRaces(SchedulerTestCase):
	"""Items 17 and 18: H1 has a seated class, H2 plain calls."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cleanup([H1, H2], delete_users=True)  # what a killed run left
			cls.remove_same_name()
			cls._saved = set_settings(**NO_CAPS)
			cls.outbox = Outbox()
			cls.p1 = make_host(H1, "trust-job-a")
			cls.p2 = make_host(H2, "trust-job-b")
			cls.seated = make_type(cls.p1, "class", 60, seats_per_slot=3)
			cls.call = make_type(cls.p2, "call", 30)
			cls.server = LiveServer.get_instance()
			cls.day = future_day(18)
		except Exception:  # leave the site as found even when setting up failed
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		if getattr(cls, "outbox", None):
			cls.outbox.close()
		set_settings(**getattr(cls, "_saved", {}))
		clear_bookings([H1, H2])
		cls.remove_same_name()
		cleanup([H1, H2], delete_users=True)
		super().tearDownClass()

	@classmethod
	def remove_same_name(cls):
		"""The Contacts of the guests of one name, and the one made before them."""
		purge_guests([f"same-name-{i}@example.org" for i in range(6)])
		frappe.db.commit()

	def setUp(self):
		clear_bookings([H1, H2])
		self.remove_same_name()

	def guest(self, profile: str, slug: str, start, email: str, name: str = "Job Guest"):
		return lambda: post(
			self.server,
			"book",
			profile=profile,
			meeting_type=slug,
			start=iso(start),
			name=name,
			email=email,
			timezone="UTC",
		)

	def bookings_of(self, host: str) -> list[str]:
		frappe.db.commit()
		return frappe.get_all("Scheduler Booking", filters={"host": host, "status": ACTIVE}, pluck="name")

	def owners(self, doctype: str, field: str, bookings: list[str]) -> dict[str, str]:
		return {
			row.name: row.owner
			for row in frappe.get_all(doctype, filters={field: ("in", bookings)}, fields=["name", "owner"])
		}

	def test_effect_jobs_run_as_the_system_never_as_a_guest_or_another_host(self):
		slot = self.day + timedelta(hours=10)
		r = self.guest("trust-job-a", "class", slot, "job-seat-0@example.org")()
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()  # the slot's leader and its effects
		# a second seat (its effects plan the slot's, working as H1) while guests book H2
		calls = [self.guest("trust-job-a", "class", slot, "job-seat-1@example.org")]
		calls += [
			self.guest("trust-job-b", "call", self.day + timedelta(hours=9 + i), f"job-b-{i}@example.org")
			for i in range(6)
		]
		results = race(calls)
		self.assertEqual([x.status_code for x in results], [201] * len(calls), [x.text for x in results])
		run_background_jobs()
		seats, others = self.bookings_of(H1), self.bookings_of(H2)
		self.assertEqual((len(seats), len(others)), (2, 6))
		mails = self.owners("Email Queue", "reference_name", seats + others)
		logs = self.owners("Scheduler Automation Log", "booking", seats + others)
		self.assertTrue(mails and logs, "the bookings' emails were queued and logged")
		for owner in [*mails.values(), *logs.values()]:
			self.assertNotEqual(owner, "Guest", "a guest's booking never runs its effects as Guest")
		for doctype, field in (("Email Queue", "reference_name"), ("Scheduler Automation Log", "booking")):
			owned = self.owners(doctype, field, others)
			self.assertTrue(owned, doctype)
			self.assertNotIn(H1, owned.values(), f"{doctype} of H2's bookings written as H1: {owned}")

	def test_guests_of_one_name_booking_at_once_each_get_their_contact_at_once(self):
		first, _sep, last = SAME_NAME.partition(" ")
		frappe.get_doc(  # the name is taken: the guests' Contacts are numbered ("… -1")
			{
				"doctype": "Contact",
				"first_name": first,
				"last_name": last,
				"email_ids": [{"email_id": "same-name-5@example.org", "is_primary": 1}],
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		calls = [
			self.guest(
				"trust-job-b",
				"call",
				self.day + timedelta(hours=9 + i),
				f"same-name-{i}@example.org",
				SAME_NAME,
			)
			for i in range(5)
		]
		results = race(calls)
		self.assertEqual([x.status_code for x in results], [201] * 5, [x.text for x in results])
		run_background_jobs()
		frappe.db.commit()
		names = [body(x)["data"]["id"] for x in results]
		contacts = [frappe.db.get_value("Scheduler Booking", name, "contact") for name in names]
		self.assertTrue(all(contacts), contacts)
		self.assertEqual(len(set(contacts)), 5, f"each guest their own Contact: {contacts}")
		for name, contact in zip(names, contacts, strict=True):
			email = frappe.db.get_value("Scheduler Booking", name, "guest_email")
			self.assertTrue(
				frappe.db.exists("Contact Email", {"parent": contact, "email_id": email}), (contact, email)
			)
		rows = frappe.get_all(
			"Scheduler Booking Effect",
			filters={"booking": ("in", names), "effect": "crm"},
			fields=["booking", "status", "attempts", "last_error"],
		)
		self.assertEqual(len(rows), 5, rows)
		for row in rows:
			self.assertEqual((row.status, row.attempts, row.last_error), ("Done", 1, None), row)
