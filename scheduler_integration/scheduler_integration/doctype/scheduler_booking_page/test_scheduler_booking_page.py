"""A host's extra booking pages (Scheduler Booking Page; seed 001's ``/scheduling/pages``),
over real HTTP against the live test server: made, changed, listed and deleted through the
host API by their host only; each page at ``/book/<slug>`` lists its own meeting types with
its own title, words and brand, books them on the host's one diary, and serves its custom
domain; the host's main page keeps the rest; deleting a page puts its types back there.
"""

from __future__ import annotations

from datetime import timedelta

import frappe
import requests

from scheduler_integration.scheduler_integration.doctype.scheduler_team.test_scheduler_team import page_json
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	set_settings,
)
from scheduler_integration.tests.live import (
	LiveServer,
	body,
	cleanup,
	guest_book,
	make_user,
	method_url,
	offered_starts,
)
from scheduler_integration.tests.utils import SchedulerTestCase, no_test_records

# Beside its DocType, Frappe's runner would make the stock test records of every DocType this
# one links to (test users among them) and leave them on the site: none is made
# (tests/utils.no_test_records). Frappe 16 reads the second name.
test_ignore = IGNORE_TEST_RECORD_DEPENDENCIES = no_test_records("Scheduler Booking Page")

A, B, M = "sched-pages-a@example.com", "sched-pages-b@example.com", "sched-pages-m@example.com"
API = "scheduler_integration.api.booking_pages"
PAGE_DOMAIN = "partners.sched-pages.example"


class TestBookingPages(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS, booking_challenge_bits=0)
		cls.pa = make_host(A, "sched-pages-ada")
		cls.pb = make_host(B, "sched-pages-bo")
		make_user(M, roles=("Scheduler Manager",))
		cls.intro = make_type(cls.pa, "intro", 30)
		cls.review = make_type(cls.pa, "review", 60)
		cls.other = make_type(cls.pb, "call", 30)
		cls.server = LiveServer.get_instance()
		cls.s = {
			who: cls.server.session(user) for who, user in (("A", A), ("B", B), ("M", M), ("guest", None))
		}
		cls.day = future_day(12)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		set_settings(**cls._saved)
		cleanup([A, B, M], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		clear_bookings([A, B])
		for name in frappe.get_all("Scheduler Booking Page", filters={"user": ("in", [A, B])}, pluck="name"):
			frappe.delete_doc("Scheduler Booking Page", name, ignore_permissions=True, force=True)
		frappe.db.commit()

	def call(
		self, who: str, method: str, payload: dict | None = None, http: str = "POST"
	) -> requests.Response:
		session = self.s[who]
		url = method_url(self.server, f"{API}.{method}")
		if http == "GET":
			return session.get(url, params=payload or {}, timeout=60)
		return session.request(http, url, json=payload or {}, timeout=60)

	def get(self, path: str, host: str | None = None) -> requests.Response:
		headers = {"Host": host or self.server.site}
		if host:  # what nginx sends for a domain added with `bench setup add-domain`
			headers["X-Frappe-Site-Name"] = self.server.site
		return requests.get(self.server.base + path, headers=headers, timeout=60, allow_redirects=False)

	def make_page(self, **fields) -> dict:
		values = {
			"title": "Partners",
			"slug": "sched-pages-partners",
			"description": "For partners",
			**fields,
		}
		r = self.call("A", "create_booking_page", values)
		self.assertEqual(r.status_code, 201, r.text[:400])
		frappe.db.rollback()
		return body(r)["data"]

	def test_a_page_lists_its_own_types_and_books_them_on_the_hosts_diary(self):
		page = self.make_page(brand_color="#224466", meeting_types=[self.review])
		self.assertEqual(page["meeting_types"], [self.review])
		self.assertTrue(page["url"].endswith("/book/sched-pages-partners"), page["url"])
		r = self.get("/book/sched-pages-partners")
		self.assertEqual(r.status_code, 200, r.text[:300])
		data = page_json(r.text)
		self.assertEqual(data["profile"]["page_title"], "Partners")
		self.assertEqual(data["profile"]["display_name"], "sched-pages-a")  # the host's face
		self.assertEqual(
			(data["profile"]["description"], data["profile"]["brand_color"]), ("For partners", "#224466")
		)
		self.assertEqual([t["url"] for t in data["meeting_types"]], ["/book/sched-pages-partners/review"])
		self.assertIn("<title>Partners · Book time with sched-pages-a", r.text)
		# the main page keeps the other type, and no longer lists the page's
		main = page_json(self.get("/book/sched-pages-ada").text)
		self.assertEqual([t["slug"] for t in main["meeting_types"]], ["intro"])
		# a type of the main page is not on the extra page
		self.assertEqual(self.get("/book/sched-pages-partners/intro").status_code, 404)
		self.assertEqual(self.get("/book/sched-pages-partners/review").status_code, 200)

		# slots and a booking through the page's slug: one diary with the main page
		start = self.day.replace(hour=10)
		day, end = iso(self.day)[:10], iso(self.day + timedelta(days=1))[:10]
		self.assertIn(
			iso(start), offered_starts(self.server, "sched-pages-partners", "review", day, end, times=2)
		)
		r = guest_book(self.server, "sched-pages-partners", "review", iso(start))
		self.assertEqual(r.status_code, 201, r.text[:300])
		frappe.db.rollback()
		booking = frappe.db.get_value(
			"Scheduler Booking", body(r)["data"]["id"], ["host", "meeting_type"], as_dict=True
		)
		self.assertEqual((booking.host, booking.meeting_type), (A, self.review))
		# the hour the page's booking took is not offered on the main page's type either
		offered = offered_starts(self.server, "sched-pages-ada", "intro", day, end, times=2)
		self.assertNotIn(iso(start), offered)
		self.assertNotIn(iso(start.replace(minute=30)), offered)

	def test_only_the_host_changes_their_pages_and_links_are_one_namespace(self):
		page = self.make_page()
		# another host neither lists, changes, deletes nor fills it with their types
		self.assertEqual(body(self.call("B", "list_booking_pages", http="GET"))["data"], [])
		r = self.call(
			"B", "update_booking_page", {"booking_page": page["id"], "title": "Mine now"}, http="PUT"
		)
		self.assertEqual((r.status_code, body(r)["code"]), (403, "FORBIDDEN"))
		self.assertEqual(self.call("B", "delete_booking_page", {"booking_page": page["id"]}).status_code, 403)
		r = self.call(
			"A",
			"update_booking_page",
			{"booking_page": page["id"], "meeting_types": [self.other]},
			http="PUT",
		)
		self.assertEqual(r.status_code, 400, r.text[:300])
		self.assertIn("meeting_types", body(r)["errors"])
		# B's own type cannot be put on A's page through the type either
		r = self.s["B"].post(
			method_url(self.server, "scheduler_integration.api.meeting_type.update_meeting_type"),
			json={"meeting_type": self.other, "booking_page": page["id"]},
			timeout=60,
		)
		self.assertEqual(r.status_code, 400, r.text[:300])
		self.assertIn("booking_page", body(r)["errors"])
		# a guest is told to sign in
		r = self.call("guest", "list_booking_pages", http="GET")
		self.assertEqual((r.status_code, body(r)["code"]), (401, "NOT_SIGNED_IN"))
		# a name that is not a string is a 400, never a filter
		r = self.call("A", "delete_booking_page", {"booking_page": [{"x": 1}]})
		self.assertEqual(r.status_code, 400, r.text[:300])
		# one namespace with profiles' links and the routes' own words
		for slug in ("sched-pages-bo", "manage", "team", page["slug"]):
			r = self.call("A", "create_booking_page", {"title": "Again", "slug": slug})
			self.assertEqual(r.status_code, 400, (slug, r.text[:300]))
			reserved = slug in ("manage", "team")  # said as such: nobody holds them
			self.assertEqual("own addresses" in body(r)["errors"]["slug"], reserved, r.text[:300])
		frappe.set_user(B)
		profile = frappe.get_doc("Scheduler Profile", self.pb)
		profile.slug = page["slug"]
		with self.assertRaises(frappe.ValidationError):
			profile.save()
		frappe.set_user("Administrator")
		frappe.db.rollback()
		# only a Scheduler Manager gives a page a custom domain (a host cannot write the field)
		r = self.call(
			"A", "update_booking_page", {"booking_page": page["id"], "custom_domain": PAGE_DOMAIN}, http="PUT"
		)
		self.assertIsNone(body(r)["data"]["custom_domain"], r.text[:300])
		frappe.db.rollback()
		self.assertIsNone(frappe.db.get_value("Scheduler Booking Page", page["id"], "custom_domain"))
		# the host lists theirs; the manager anyone's
		mine = body(self.call("A", "list_booking_pages", http="GET"))["data"]
		self.assertEqual([row["id"] for row in mine], [page["id"]])
		theirs = body(self.call("M", "list_booking_pages", {"user": A}, http="GET"))["data"]
		self.assertEqual([row["id"] for row in theirs], [page["id"]])

	def test_inactive_page_is_gone_and_deleting_puts_its_types_back(self):
		page = self.make_page(meeting_types=[self.review])
		r = self.call("A", "update_booking_page", {"booking_page": page["id"], "is_active": 0}, http="PUT")
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(self.get("/book/sched-pages-partners").status_code, 404)
		self.assertEqual(self.get("/book/sched-pages-partners/review").status_code, 404)
		r = self.call("A", "update_booking_page", {"booking_page": page["id"], "is_active": 1}, http="PUT")
		self.assertEqual(self.get("/book/sched-pages-partners/review").status_code, 200)
		r = self.call("A", "delete_booking_page", {"booking_page": page["id"]}, http="DELETE")
		self.assertEqual(r.status_code, 200, r.text[:300])
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Scheduler Booking Page", page["id"]))
		self.assertIsNone(frappe.db.get_value("Scheduler Meeting Type", self.review, "booking_page"))
		self.assertEqual(self.get("/book/sched-pages-partners").status_code, 404)
		main = page_json(self.get("/book/sched-pages-ada").text)
		self.assertEqual(sorted(t["slug"] for t in main["meeting_types"]), ["intro", "review"])

	def test_a_pages_custom_domain_serves_that_page_only(self):
		from frappe.installer import update_site_config

		page = self.make_page(meeting_types=[self.review])
		r = self.call(
			"M", "update_booking_page", {"booking_page": page["id"], "custom_domain": PAGE_DOMAIN}, http="PUT"
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(body(r)["data"]["url"], f"http://{PAGE_DOMAIN}/")
		previous = frappe.get_site_config().get("domains")
		update_site_config("domains", [*(previous or []), PAGE_DOMAIN])
		try:
			root = self.get("/", PAGE_DOMAIN)
			self.assertEqual(root.status_code, 200, root.text[:300])
			data = page_json(root.text)
			self.assertEqual((data["profile"]["page_title"], data["home_url"]), ("Partners", "/"))
			self.assertEqual([t["url"] for t in data["meeting_types"]], ["/review"])
			self.assertEqual(self.get("/review", PAGE_DOMAIN).status_code, 200)
			self.assertEqual(self.get("/intro", PAGE_DOMAIN).status_code, 404)  # the main page's type
		finally:
			update_site_config("domains", previous if previous is not None else "None")

	def test_inactive_pages_types_take_no_booking_through_the_main_link_either(self):
		page = self.make_page(meeting_types=[self.review])
		start = iso(self.day.replace(hour=11))
		self.call("A", "update_booking_page", {"booking_page": page["id"], "is_active": 0}, http="PUT")
		self.assertEqual(self.get("/book/sched-pages-ada/review").status_code, 404)
		self.assertEqual(guest_book(self.server, "sched-pages-ada", "review", start).status_code, 404)
		self.call("A", "update_booking_page", {"booking_page": page["id"], "is_active": 1}, http="PUT")
		# links shared before the type moved onto the page keep working while it is active
		self.assertEqual(self.get("/book/sched-pages-ada/review").status_code, 200)

	def test_a_slug_claimed_at_once_by_a_page_and_a_profile_goes_to_one(self):
		"""Walk finding: a page and another host's profile saved at the same moment both took
		the slug (4 of 4 tries), and two pages at once answered 500 (IntegrityError)."""
		from concurrent.futures import ThreadPoolExecutor

		profile_url = method_url(self.server, "scheduler_integration.api.profile.update_my_settings")
		for attempt in range(3):
			slug = f"sched-pages-race-{attempt}"
			calls = [
				lambda slug=slug: self.call("A", "create_booking_page", {"title": "Race", "slug": slug}),
				lambda slug=slug: self.s["B"].post(profile_url, json={"slug": slug}, timeout=60),
				lambda slug=slug: self.call("A", "create_booking_page", {"title": "Race 2", "slug": slug}),
			]
			with ThreadPoolExecutor(3) as pool:
				answers = list(pool.map(lambda call: call(), calls))
			self.assertNotIn(500, [r.status_code for r in answers], [r.text[:200] for r in answers])
			won = [r for r in answers if r.status_code in (200, 201)]
			self.assertEqual(len(won), 1, [(r.status_code, r.text[:200]) for r in answers])
			frappe.db.rollback()
			holders = frappe.db.count("Scheduler Profile", {"slug": slug}) + frappe.db.count(
				"Scheduler Booking Page", {"slug": slug}
			)
			self.assertEqual(holders, 1)
			self.s["B"].post(profile_url, json={"slug": "sched-pages-bo"}, timeout=60)

	def test_logos_are_public_files_and_colours_are_colours(self):
		"""Walk finding: a host who named another user's private file as their page's or
		profile's logo got it attached to their record, and so could download it."""
		frappe.set_user("Administrator")
		secret = frappe.get_doc(
			{"doctype": "File", "file_name": "sched-pages-secret.txt", "content": "SECRET", "is_private": 1}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		try:
			page = self.make_page()
			r = self.call(
				"A", "update_booking_page", {"booking_page": page["id"], "logo": secret.file_url}, http="PUT"
			)
			self.assertEqual(r.status_code, 400, r.text[:300])
			self.assertIn("logo", body(r)["errors"])
			r = self.s["A"].put(
				f"{self.server.base}/api/resource/Scheduler Profile/{self.pa}",
				json={"logo": secret.file_url},
				timeout=60,
			)
			self.assertEqual(r.status_code, 400, r.text[:300])
			self.assertEqual(
				self.s["A"].get(f"{self.server.base}{secret.file_url}", timeout=60).status_code, 403
			)
			for logo in ("https://tracker.example/p.gif", "javascript:alert(1)", "/files/../private/x.png"):
				r = self.call(
					"A", "update_booking_page", {"booking_page": page["id"], "logo": logo}, http="PUT"
				)
				self.assertEqual(r.status_code, 400, (logo, r.text[:300]))
			r = self.call(
				"A",
				"update_booking_page",
				{"booking_page": page["id"], "logo": "/files/sched-logo.png"},
				http="PUT",
			)
			self.assertEqual(body(r)["data"]["logo"], "/files/sched-logo.png")
			# colours: a number is a 400 (was a 500 on a meeting type), spaces around one dropped
			r = self.s["A"].post(
				method_url(self.server, "scheduler_integration.api.meeting_type.update_meeting_type"),
				json={"meeting_type": self.intro, "color": 123},
				timeout=60,
			)
			self.assertEqual(r.status_code, 400, r.text[:300])
			r = self.call(
				"A",
				"update_booking_page",
				{"booking_page": page["id"], "brand_color": " #abcdef\n"},
				http="PUT",
			)
			self.assertEqual(body(r)["data"]["brand_color"], "#abcdef", r.text[:300])
		finally:
			frappe.set_user("Administrator")
			frappe.db.rollback()
			for name in frappe.get_all("File", filters={"file_name": "sched-pages-secret.txt"}, pluck="name"):
				frappe.delete_doc("File", name, ignore_permissions=True, force=True)
			frappe.db.commit()
