"""Team pages and custom domains, over real HTTP against the live test server.

A team (Scheduler Team) lists its round-robin and collective types on /book/team/<slug>
and books them through the same page and API as a host's page, headed with the team; each
round-robin type assigns by its own mode. A profile's or team's custom domain serves that
page at its root (``Host`` the domain and ``X-Frappe-Site-Name`` the site, as nginx sends
them once ``bench setup add-domain`` added it), its links and emails use the domain, and
nothing else is reachable through it. The team's own rules (members, admins, who may put
a type on its page) are checked in-process against the real database.
"""

from __future__ import annotations

import email
import json
import re
from datetime import timedelta

import frappe
import requests

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
from scheduler_integration.tests.live import LiveServer, body, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase, no_test_records

# Beside its DocType, Frappe's runner would make the stock test records of every DocType this
# one links to (test users among them) and leave them on the site: none is made
# (tests/utils.no_test_records). Frappe 16 reads the second name.
test_ignore = IGNORE_TEST_RECORD_DEPENDENCIES = no_test_records("Scheduler Team")

A, B, C = "sched-team-a@example.com", "sched-team-b@example.com", "sched-team-c@example.com"
TEAM_SLUG = "sched-sales"
TEAM_DOMAIN = "sales.sched-team.example"
HOST_DOMAIN = "ada.sched-team.example"
PUBLIC = "scheduler_integration.api.public"


def page_json(html: str) -> dict:
	found = re.search(r'<script type="application/json" id="sched-data">(.*?)</script>', html, re.S)
	return json.loads(found.group(1))


def text(raw: str) -> str:
	"""Every text part of a queued email, decoded (quoted-printable would break a link)."""
	parts = email.message_from_string(raw).walk()
	return "".join(
		(part.get_payload(decode=True) or b"").decode(part.get_content_charset() or "utf-8", "replace")
		for part in parts
		if part.get_content_maintype() == "text"
	)


def delete_teams() -> None:
	names = frappe.get_all("Scheduler Team", filters={"slug": ("like", "sched-%")}, pluck="name")
	for name in names:
		frappe.delete_doc(
			"Scheduler Team", name, ignore_permissions=True, force=True, delete_permanently=True
		)
	for doctype in ("Comment", "Version"):  # the team's timeline
		field = "reference_doctype" if doctype == "Comment" else "ref_doctype"
		name_field = "reference_name" if doctype == "Comment" else "docname"
		frappe.db.delete(doctype, {field: "Scheduler Team", name_field: ("in", names or [""])})
	# the "deleted" feed entry names the team in its subject only
	deleted = [f"Scheduler Team {name}" for name in names] or [""]
	frappe.db.delete("Comment", {"comment_type": "Deleted", "subject": ("in", deleted)})
	frappe.db.commit()


class TestTeamPages(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS, booking_challenge_bits=0)
		cls.outbox = Outbox()
		cls.pa = make_host(A, "sched-team-ada")
		cls.pb = make_host(B, "sched-team-bo")
		cls.pc = make_host(C, "sched-team-cy")
		delete_teams()
		frappe.set_user(A)  # a host starts the team: they become its admin
		team = frappe.get_doc(
			{
				"doctype": "Scheduler Team",
				"title": "Sales Team",
				"slug": TEAM_SLUG,
				"description": "Talk to sales",
				"brand_color": "#112233",
				"members": [{"user": B}],
			}
		).insert()
		frappe.set_user("Administrator")
		frappe.db.commit()
		cls.team = team.name
		pair = [{"user": A, "weight": 300}, {"user": B, "weight": 100}]
		cls.fair = make_type(cls.pa, "rr-fair", 30, assignment="Round Robin", team=cls.team, hosts=pair)
		cls.max = make_type(
			cls.pa,
			"rr-max",
			30,
			assignment="Round Robin",
			round_robin_mode="Maximize Availability",
			team=cls.team,
			hosts=pair,
		)
		cls.panel = make_type(
			cls.pa, "panel", 60, assignment="Collective", team=cls.team, hosts=[{"user": A}, {"user": B}]
		)
		cls.solo = make_type(cls.pa, "solo", 30)
		cls.server = LiveServer.get_instance()
		cls.day = future_day(14)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		cls.outbox.close()
		set_settings(**cls._saved)
		cleanup([A, B, C])
		frappe.db.delete("Scheduler Host Booking Count", {"user": ("in", [A, B])})
		delete_teams()
		cleanup([A, B, C], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		clear_bookings([A, B])
		# round robin's fairness counts outlive the purged bookings: each test starts from none
		frappe.db.delete("Scheduler Host Booking Count", {"meeting_type": ("in", [self.fair, self.max])})
		frappe.db.commit()

	def desk_links(self) -> dict:
		"""The link each desk form's buttons show (its onload, as the desk loads it) and the
		host's set-up checklist's, as host A sees them."""
		session = self.server.session(A)
		links = {}
		for doctype, name in (
			("Scheduler Team", self.team),
			("Scheduler Profile", self.pa),
			("Scheduler Meeting Type", self.solo),
			("Scheduler Meeting Type", self.fair),
		):
			r = session.get(
				f"{self.server.base}/api/method/frappe.desk.form.load.getdoc",
				params={"doctype": doctype, "name": name},
				timeout=60,
			)
			self.assertEqual(r.status_code, 200, r.text[:300])
			links[name] = r.json()["docs"][0]["__onload"]["booking_url"]
		r = session.get(
			method_url(self.server, "scheduler_integration.api.dashboard.setup_checklist"), timeout=60
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		links["checklist"] = r.json()["message"]["booking_url"]
		return links

	def get(self, path: str, host: str | None = None) -> requests.Response:
		headers = {"Host": host or self.server.site}
		if host:  # what nginx sends for a domain added with `bench setup add-domain`
			headers["X-Frappe-Site-Name"] = self.server.site
		return requests.get(self.server.base + path, headers=headers, timeout=60, allow_redirects=False)

	def book(self, start, host: str | None = None, **where) -> requests.Response:
		headers = {"Host": host or self.server.site}
		if host:
			headers["X-Frappe-Site-Name"] = self.server.site
		values = {"name": "Tia Team", "email": "tia@example.org", "timezone": "UTC", "start": iso(start)}
		return requests.post(
			method_url(self.server, f"{PUBLIC}.book"), json={**values, **where}, headers=headers, timeout=60
		)

	# --- team pages ----------------------------------------------------------------------------

	def test_team_page_lists_its_types_headed_with_the_team(self):
		r = self.get(f"/book/team/{TEAM_SLUG}")
		self.assertEqual(r.status_code, 200, r.text[:300])
		data = page_json(r.text)
		self.assertEqual(data["team"], TEAM_SLUG)
		self.assertEqual(data["profile"]["display_name"], "Sales Team")
		self.assertEqual(data["profile"]["brand_color"], "#112233")
		self.assertEqual(
			sorted(t["url"] for t in data["meeting_types"]),
			[f"/book/team/{TEAM_SLUG}/{slug}" for slug in ("panel", "rr-fair", "rr-max")],
		)
		self.assertIn("Schedule time with Sales Team", r.text)
		self.assertIn(f'href="/book/team/{TEAM_SLUG}/rr-fair"', r.text)
		# the owner's own page lists only their types without a team
		mine = page_json(self.get("/book/sched-team-ada").text)
		self.assertEqual([t["slug"] for t in mine["meeting_types"]], ["solo"])
		self.assertEqual(self.get(f"/book/team/{TEAM_SLUG}/solo").status_code, 404)
		self.assertEqual(self.get("/book/team/sched-nobody").status_code, 404)
		# the desk's links: a team type's is on the team's page (not on its owner's)
		site = frappe.utils.get_url()  # the site's own address, as the server names it
		self.assertEqual(
			self.desk_links(),
			{
				self.team: f"{site}/book/team/{TEAM_SLUG}",
				self.pa: f"{site}/book/sched-team-ada",
				self.solo: f"{site}/book/sched-team-ada/solo",
				self.fair: f"{site}/book/team/{TEAM_SLUG}/rr-fair",
				"checklist": f"{site}/book/sched-team-ada/solo",  # her one type of her own
			},
		)

		page = self.get(f"/book/team/{TEAM_SLUG}/panel")
		self.assertEqual(page.status_code, 200)
		data = page_json(page.text)
		self.assertEqual(
			(data["mode"], data["team"], data["meeting_type"]["slug"]), ("book", TEAM_SLUG, "panel")
		)
		self.assertIn(f'class="sched-back" href="/book/team/{TEAM_SLUG}"', page.text)
		self.assertIn(">Sales Team</a>", page.text)

	def test_team_types_book_through_the_public_api_by_each_round_robin_mode(self):
		slots = requests.get(
			method_url(self.server, f"{PUBLIC}.get_slots"),
			params={
				"team": TEAM_SLUG,
				"meeting_type": "rr-fair",
				"start": iso(self.day)[:10],
				"end": iso(self.day + timedelta(days=1))[:10],
			},
			headers={"Host": self.server.site},
			timeout=60,
		)
		self.assertEqual(slots.status_code, 200, slots.text[:300])
		self.assertEqual(len(body(slots)["data"]["days"][0]["slots"]), 48)  # both free all day

		def hosts_of(type_slug, day):
			chosen = []
			for i in range(4):  # both hosts free at each of these times
				r = self.book(day + timedelta(hours=9 + i), team=TEAM_SLUG, meeting_type=type_slug)
				self.assertEqual(r.status_code, 201, r.text[:300])
				frappe.db.rollback()  # a fresh snapshot: the server committed it
				chosen.append(frappe.db.get_value("Scheduler Booking", body(r)["data"]["id"], "host"))
			return chosen

		# weights 300 : 100: A, A, then B (3/300 ties 1/100: B was never booked), then A
		self.assertEqual(hosts_of("rr-fair", self.day), [A, A, B, A])
		# whoever waited longest, weights ignored: a rotation
		self.assertEqual(hosts_of("rr-max", self.day + timedelta(days=1)), [A, B, A, B])
		# a collective team type has both hosts
		r = self.book(self.day + timedelta(hours=15), team=TEAM_SLUG, meeting_type="panel")
		self.assertEqual(r.status_code, 201, r.text[:300])
		frappe.db.rollback()
		users = frappe.get_all("Scheduler Booking Host", {"parent": body(r)["data"]["id"]}, pluck="user")
		self.assertEqual(sorted(users), [A, B])
		# a team names only its own types; the owner's personal type is not the team's
		self.assertEqual(
			self.book(self.day + timedelta(hours=16), team=TEAM_SLUG, meeting_type="solo").status_code, 404
		)

	# --- custom domains ------------------------------------------------------------------------

	def test_custom_domains_serve_their_page_and_only_their_page(self):
		from frappe.installer import update_site_config

		team = frappe.get_doc("Scheduler Team", self.team)
		team.custom_domain = "Sales.Sched-Team.example."  # kept as the browser sends it
		team.save(ignore_permissions=True)
		self.assertEqual(team.custom_domain, TEAM_DOMAIN)
		profile = frappe.get_doc("Scheduler Profile", self.pa)
		profile.custom_domain = HOST_DOMAIN
		profile.save(ignore_permissions=True)
		frappe.db.commit()
		previous = frappe.get_site_config().get("domains")
		update_site_config("domains", [*(previous or []), TEAM_DOMAIN, HOST_DOMAIN])  # bench setup add-domain
		try:
			self._check_domains()
		finally:
			update_site_config("domains", previous if previous is not None else "None")
			for doctype, name in (("Scheduler Team", self.team), ("Scheduler Profile", self.pa)):
				doc = frappe.get_doc(doctype, name)
				doc.custom_domain = None
				doc.save(ignore_permissions=True)
			frappe.db.commit()

	def _check_domains(self):
		root = self.get("/", TEAM_DOMAIN)
		self.assertEqual(root.status_code, 200, root.text[:300])
		data = page_json(root.text)
		self.assertEqual((data["profile"]["display_name"], data["home_url"]), ("Sales Team", "/"))
		self.assertIn('href="/rr-fair"', root.text)
		kind = self.get("/rr-max", TEAM_DOMAIN)
		self.assertEqual(kind.status_code, 200)
		self.assertEqual(page_json(kind.text)["meeting_type"]["slug"], "rr-max")
		self.assertIn('class="sched-back" href="/"', kind.text)
		# nothing but the team's own pages through its domain
		for path in (
			"/solo",
			"/book/sched-team-ada",
			"/book/sched-team-ada/solo",
			f"/book/team/{TEAM_SLUG}",
			"/book/sched-team-bo",
			"/login",
			"/rr-fair/extra",
		):
			self.assertEqual(self.get(path, TEAM_DOMAIN).status_code, 404, path)
		# the domain decides whose page it is, never the query string
		spoofed = self.get("/rr-fair?team=sched-other&profile=sched-team-bo", TEAM_DOMAIN)
		self.assertEqual(page_json(spoofed.text)["team"], TEAM_SLUG)

		mine = self.get("/", HOST_DOMAIN)
		self.assertEqual(mine.status_code, 200)
		self.assertEqual([t["url"] for t in page_json(mine.text)["meeting_types"]], ["/solo"])
		self.assertEqual(self.get("/solo", HOST_DOMAIN).status_code, 200)
		self.assertEqual(self.get("/rr-fair", HOST_DOMAIN).status_code, 404)  # the team's, not hers

		# the site's own host name keeps every page
		self.assertEqual(self.get("/book/sched-team-ada/solo").status_code, 200)
		self.assertEqual(self.get(f"/book/team/{TEAM_SLUG}/rr-fair").status_code, 200)

		# the desk's links and the host's checklist name the domains
		self.assertEqual(
			self.desk_links(),
			{
				self.team: f"http://{TEAM_DOMAIN}/",
				self.pa: f"http://{HOST_DOMAIN}/",
				self.solo: f"http://{HOST_DOMAIN}/solo",
				self.fair: f"http://{TEAM_DOMAIN}/rr-fair",
				"checklist": f"http://{HOST_DOMAIN}/solo",
			},
		)

		# a booking made on the team's domain: its links and emails use the domain
		r = self.book(self.day + timedelta(hours=10), TEAM_DOMAIN, team=TEAM_SLUG, meeting_type="rr-fair")
		self.assertEqual(r.status_code, 201, r.text[:300])
		manage = body(r)["data"]["manage_url"]
		self.assertTrue(manage.startswith(f"http://{TEAM_DOMAIN}/book/manage/"), manage)
		path = manage.split(TEAM_DOMAIN, 1)[1]
		self.assertEqual(self.get(path, TEAM_DOMAIN).status_code, 200)
		self.assertEqual(self.get(path, HOST_DOMAIN).status_code, 404)  # another page's booking
		self.assertEqual(self.get(path).status_code, 200)  # the site's own name: every manage link
		run_background_jobs()
		frappe.db.rollback()  # a fresh snapshot: the worker committed the emails
		to_guest = [
			text(row.message)
			for row in frappe.get_all(
				"Email Queue", filters={"reference_name": body(r)["data"]["id"]}, fields=["name", "message"]
			)
			if frappe.db.exists("Email Queue Recipient", {"parent": row.name, "recipient": "tia@example.org"})
		]
		self.assertTrue(to_guest, "the guest's confirmation was not queued")
		self.assertIn(f"http://{TEAM_DOMAIN}/book/manage/", to_guest[0])

	# --- the team's rules ------------------------------------------------------------------------

	def test_members_admins_and_who_may_put_a_type_on_the_team_page(self):
		team = frappe.get_doc("Scheduler Team", self.team)
		self.assertEqual({(r.user, r.is_admin) for r in team.members}, {(A, 1), (B, 0)})
		frappe.set_user(B)  # a member reads the team, an admin flag she set herself is refused
		self.assertTrue(frappe.has_permission("Scheduler Team", "read", team.name))
		self.assertFalse(frappe.has_permission("Scheduler Team", "write", team.name))
		mine = frappe.get_doc("Scheduler Team", team.name)
		for row in mine.members:
			row.is_admin = 1
		self.assertRaises(frappe.PermissionError, mine.save)
		frappe.db.rollback()
		# a member's own round-robin type cannot join the team's page without an admin
		with self.assertRaises(frappe.ValidationError) as caught:
			frappe.get_doc(
				{
					"doctype": "Scheduler Meeting Type",
					"profile": self.pb,
					"title": "Bo Pair",
					"slug": "bo-pair",
					"duration": "30",
					"assignment": "Round Robin",
					"team": team.name,
					"hosts": [{"user": B}],
				}
			).insert()
		self.assertIn("Only an admin of the team", str(caught.exception))
		frappe.db.rollback()
		frappe.set_user(C)  # an outsider sees no team at all
		self.assertEqual(frappe.get_list("Scheduler Team", pluck="name"), [])
		self.assertEqual(
			frappe.get_list("Scheduler Team Member", parent_doctype="Scheduler Team", pluck="name"), []
		)
		self.assertFalse(frappe.has_permission("Scheduler Team", "read", team.name))
		frappe.set_user(A)
		fair = frappe.get_doc("Scheduler Meeting Type", self.fair)
		fair.append("hosts", {"user": C, "weight": 100})
		with self.assertRaises(frappe.ValidationError) as caught:
			fair.save()
		self.assertIn("must be a member of the team", str(caught.exception))
		frappe.db.rollback()
		solo = frappe.get_doc("Scheduler Meeting Type", self.solo)
		solo.team = team.name
		self.assertRaises(frappe.ValidationError, solo.save)
		frappe.db.rollback()
		team = frappe.get_doc("Scheduler Team", self.team)
		team.members = [row for row in team.members if row.user != B]
		with self.assertRaises(frappe.ValidationError) as caught:
			team.save()  # B hosts the team's types
		self.assertIn("remove them from it first", str(caught.exception))
		frappe.db.rollback()
		# a team's admin does not give out domains (a Scheduler Manager does): the change is
		# dropped, whatever it names
		team = frappe.get_doc("Scheduler Team", self.team)
		team.custom_domain = "sales.example.com"
		team.save()
		self.assertFalse(frappe.db.get_value("Scheduler Team", self.team, "custom_domain"))
		frappe.db.rollback()
		frappe.set_user("Administrator")
		team = frappe.get_doc("Scheduler Team", self.team)
		team.custom_domain = "https://sales.example.com/"  # not a host name
		self.assertRaises(frappe.ValidationError, team.save)
		frappe.db.rollback()
