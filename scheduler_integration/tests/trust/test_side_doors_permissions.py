"""Side doors around the row rules, over real HTTP (issue 26, items 5, 6, 10 and 11).

5. Child tables: every generic list, count and value API answers a host only the rows of
   documents it may see (a row is visible exactly when its parent is).
6. A calendar connection cannot borrow another user's core Google Calendar authorisation.
10. A secret calendar link (its path and query) never shows in a connection's last error,
    the Error Log or an API answer.
11. A refused calendar URL's answer does not tell what its host name resolves to.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from datetime import timedelta

import frappe
from frappe.utils import now_datetime

from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, cleanup, make_user, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

A = "sched-side-a@example.com"
B = "sched-side-b@example.com"
M = "sched-side-manager@example.com"
CONNECTION = "Scheduler Calendar Connection"
# every child DocType of the app, with its parent and the field holding it there
CHILDREN = {
	"Scheduler Availability Rule": ("Scheduler Availability", "weekly_rules"),
	"Scheduler Date Override": ("Scheduler Availability", "date_overrides"),
	"Scheduler Booking Host": ("Scheduler Booking", "hosts"),
	"Scheduler Booking Record": ("Scheduler Booking", "crm_records"),
	"Scheduler Meeting Type Host": ("Scheduler Meeting Type", "hosts"),
	"Scheduler Meeting Type Phase": ("Scheduler Meeting Type", "recommended_phases"),
	"Scheduler Question": ("Scheduler Meeting Type", "questions"),
}
SECRET_REASON = "A-PRIVATE-REASON-dentist"
SECRET_PATH = "private-7f3e9c2a51d04b8e"
SECRET_KEY = "k3y-5ecret-0a9b"
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


class FailingFeed:
	"""127.0.0.1 answering every request with 500 (a calendar provider that is down)."""

	def __init__(self):
		class Handler(http.server.BaseHTTPRequestHandler):
			def do_GET(self):
				self.send_response(500)
				self.send_header("Content-Length", "0")
				self.end_headers()

			def log_message(self, *args):
				pass

		self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.port = self.httpd.server_address[1]
		threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

	def close(self):
		self.httpd.shutdown()
		self.httpd.server_close()


class TestSideDoorsPermissions(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS, allow_private_calendar_hosts=0)
		cls.outbox = Outbox()
		make_user(M, roles=("Scheduler Manager",))
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.day = future_day(30)
		cls.google_calendars = []
		cls.rows = {}  # {who: {child doctype: set of row names}}
		for who, user in (("A", A), ("B", B)):
			profile = make_host(user, f"side-{who.lower()}", tz="UTC", start="09:00", end="17:00")
			availability = frappe.get_doc(
				"Scheduler Availability", frappe.db.get_value("Scheduler Profile", profile, "availability")
			)
			reason = SECRET_REASON if who == "A" else "B-own-reason"
			availability.append(
				"date_overrides",
				{"date": (cls.day + timedelta(days=3)).date(), "unavailable": 1, "reason": reason},
			)
			availability.save(ignore_permissions=True)
			make_type(
				profile,
				"side-call",
				30,
				assignment="Collective",
				hosts=[{"user": user}],
				questions=[{"label": f"Question of {who}", "fieldtype": "Data"}],
				recommended_phases=[{"phase": "Grow"}],
			)
			r = cls.guest.post(
				method_url(cls.server, "scheduler_integration.api.public.book"),
				json={
					"profile": f"side-{who.lower()}",
					"meeting_type": "side-call",
					"start": iso(cls.day + timedelta(hours=10)),
					"name": f"Guest of {who}",
					"email": f"side-guest-{who.lower()}@example.org",
					"timezone": "UTC",
				},
				timeout=60,
			)
			assert r.status_code == 201, r.text
			booking = r.json()["message"]["data"]["id"]
			run_background_jobs()
			# a CRM record row as the CRM effect writes it (the site may have no CRM app)
			frappe.get_doc(
				{
					"doctype": "Scheduler Booking Record",
					"parenttype": "Scheduler Booking",
					"parentfield": "crm_records",
					"parent": booking,
					"purpose": "Note",
					"record_type": "User",
					"record_name": user,
					"user": user,
				}
			).db_insert()
			frappe.db.commit()
			cls.rows[who] = cls.child_rows(user, booking)
		cls.s = {who: cls.server.session(user) for who, user in (("A", A), ("B", B), ("M", M))}

	@classmethod
	def child_rows(cls, user: str, booking: str) -> dict[str, set[str]]:
		parents = {
			"Scheduler Availability": frappe.get_all(
				"Scheduler Availability", filters={"user": user}, pluck="name"
			),
			"Scheduler Booking": [booking],
			"Scheduler Meeting Type": frappe.get_all(
				"Scheduler Meeting Type", filters={"user": user}, pluck="name"
			),
		}
		rows = {}
		for child, (parent, field) in CHILDREN.items():
			rows[child] = set(
				frappe.get_all(
					child,
					filters={"parenttype": parent, "parentfield": field, "parent": ("in", parents[parent])},
					pluck="name",
				)
			)
			assert rows[child], f"test data: {user} has no {child} row"
		return rows

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		for name in frappe.get_all(CONNECTION, filters={"host": ("in", [A, B])}, pluck="name"):
			frappe.delete_doc(CONNECTION, name, ignore_permissions=True, force=True)
		for name in cls.google_calendars:
			if frappe.db.exists("Google Calendar", name):
				frappe.delete_doc("Google Calendar", name, ignore_permissions=True, force=True)
		frappe.db.commit()
		cleanup([A, B, M], delete_users=True)
		super().tearDownClass()

	def method(self, who: str, dotted: str, data: dict, http: str = "GET"):
		url = method_url(self.server, dotted)
		if http == "GET":
			return self.s[who].get(url, params=data, timeout=60)
		return self.s[who].post(url, data=data, timeout=60)

	# --- 5. child tables --------------------------------------------------------------------

	def listed(self, who: str, child: str, parent: str) -> dict[str, set[str]]:
		"""The row names each generic API answers ``who`` for ``child`` (by route)."""
		fields = json.dumps(["name", "parent"])
		answers = {}
		r = self.method(
			who,
			"frappe.client.get_list",
			{"doctype": child, "parent": parent, "fields": fields, "limit_page_length": 0},
		)
		self.assertEqual(r.status_code, 200, f"{who} get_list {child}: {r.text[:300]}")
		answers["frappe.client.get_list"] = {row["name"] for row in r.json()["message"]}
		r = self.s[who].get(
			f"{self.server.base}/api/resource/{child}",
			params={"parent": parent, "fields": fields, "limit_page_length": 0},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, f"{who} /api/resource {child}: {r.text[:300]}")
		answers["/api/resource"] = {row["name"] for row in r.json()["data"]}
		r = self.method(
			who,
			"frappe.desk.reportview.get",
			{"doctype": child, "parent_doctype": parent, "fields": fields, "page_length": 0},
			http="POST",
		)
		self.assertEqual(r.status_code, 200, f"{who} reportview.get {child}: {r.text[:300]}")
		message = r.json().get("message") or {}
		keys = message.get("keys") or []
		answers["frappe.desk.reportview.get"] = {
			row[keys.index("name")] for row in message.get("values") or []
		}
		return answers

	def counted(self, who: str, child: str, parent: str) -> dict[str, int]:
		counts = {}
		r = self.method(who, "frappe.client.get_count", {"doctype": child, "parent": parent})
		self.assertEqual(r.status_code, 200, f"{who} get_count {child}: {r.text[:300]}")
		counts["frappe.client.get_count"] = r.json()["message"]
		r = self.method(
			who, "frappe.desk.reportview.get_count", {"doctype": child, "parent_doctype": parent}, "POST"
		)
		self.assertEqual(r.status_code, 200, f"{who} reportview.get_count {child}: {r.text[:300]}")
		counts["frappe.desk.reportview.get_count"] = r.json()["message"]
		return counts

	def test_counts_check_permissions_and_say_why_they_cannot_count(self):
		"""Every DocType is counted as its list would show it (Frappe's own count checked no
		permission at all), and what cannot be counted says why: never a 500."""
		for doctype in ("Scheduler Settings", "System Settings"):
			r = self.method("M", "frappe.client.get_count", {"doctype": doctype})
			self.assertEqual(r.status_code, 417, f"{doctype}: {r.text[:300]}")
			self.assertIn("single record", r.text)
		r = self.method("M", "frappe.client.get_count", {"doctype": "RQ Job"})  # virtual
		self.assertEqual(r.status_code, 417, r.text[:300])
		self.assertIn("not kept in a table", r.text)
		# a host may not read the error log nor another host's to-dos: no count of them
		r = self.method("B", "frappe.client.get_count", {"doctype": "Error Log"})
		self.assertEqual(r.status_code, 403, r.text[:300])
		todos = self.method("B", "frappe.client.get_count", {"doctype": "ToDo"})
		listed = self.method("B", "frappe.desk.reportview.get_count", {"doctype": "ToDo"}, "POST")
		self.assertEqual((todos.status_code, todos.json()["message"]), (200, listed.json()["message"]))
		# a field name that is SQL: refused, not counted (``or 1=1`` would count every row)
		inject = '[["ToDo", "name` is not null or 1=1 or `name", "=", "1"]]'
		for dotted, data in (
			("frappe.client.get_count", {"doctype": "ToDo", "filters": inject}),
			("frappe.client.get_count", {"doctype": "ToDo", "filters": "{bad"}),
			(
				"frappe.desk.listview.get_group_by_count",
				{"doctype": "ToDo", "current_filters": inject, "field": "allocated_to"},
			),
			("frappe.client.get_count", {"doctype": "Scheduler Booking", "filters": '[["nofield", "=", 1]]'}),
			("frappe.client.get_count", {"doctype": "ToDo", "filters": '[["nofield", "=", 1]]'}),
			(
				"frappe.desk.listview.get_group_by_count",
				{"doctype": "Scheduler Booking", "current_filters": "[]", "field": "nofield"},
			),
			(
				"frappe.desk.listview.get_group_by_count",
				{"doctype": "Scheduler Settings", "current_filters": "[]", "field": "owner"},
			),
		):
			r = self.method("M", dotted, data)
			self.assertEqual(r.status_code, 417, f"{dotted} {data}: {r.text[:300]}")
			self.assertNotIn("Traceback", r.text)

	def test_child_rows_follow_their_parents(self):
		for child, (parent, _field) in CHILDREN.items():
			with self.subTest(child=child):
				a_rows, b_rows = self.rows["A"][child], self.rows["B"][child]
				for route, names in self.listed("B", child, parent).items():
					self.assertFalse(names & a_rows, f"B reads A's {child} rows through {route}")
					self.assertEqual(names, b_rows, f"B's own {child} rows through {route}")
				for route, names in self.listed("M", child, parent).items():
					self.assertLessEqual(a_rows | b_rows, names, f"a manager reads all through {route}")
				for route, count in self.counted("B", child, parent).items():
					self.assertEqual(count, len(b_rows), f"B counts only its own {child} rows: {route}")
				for route, count in self.counted("M", child, parent).items():
					self.assertGreaterEqual(count, len(a_rows | b_rows), f"a manager counts all: {route}")
				one = sorted(a_rows)[0]
				r = self.method(
					"B",
					"frappe.client.get_value",
					{"doctype": child, "parent": parent, "fieldname": "name", "filters": one},
				)
				self.assertNotIn(one, r.text, f"B reads A's {child} row by get_value")
				r = self.method("B", "frappe.client.get", {"doctype": child, "parent": parent, "name": one})
				self.assertEqual(r.status_code, 403, f"B reads A's {child} row by get: {r.text[:300]}")
				r = self.s["B"].get(f"{self.server.base}/api/resource/{child}/{one}", timeout=60)
				self.assertEqual(r.status_code, 403, f"B reads A's {child} row by REST: {r.text[:300]}")
				r = self.method("M", "frappe.client.get", {"doctype": child, "parent": parent, "name": one})
				self.assertEqual(r.status_code, 200, r.text[:300])
				mine = sorted(b_rows)[0]
				r = self.method("B", "frappe.client.get", {"doctype": child, "parent": parent, "name": mine})
				self.assertEqual(r.status_code, 200, f"B reads its own {child} row: {r.text[:300]}")
		# the reason of A's day off is nowhere in what B can list
		r = self.method(
			"B",
			"frappe.client.get_list",
			{
				"doctype": "Scheduler Date Override",
				"parent": "Scheduler Availability",
				"fields": json.dumps(["reason"]),
				"limit_page_length": 0,
			},
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertNotIn(SECRET_REASON, r.text)
		self.assertIn("B-own-reason", r.text)

	# --- 6. another user's Google credentials -----------------------------------------------

	def google_calendar(self, user: str, made_by: str) -> str:
		"""A core Google Calendar record for ``user``, created by ``made_by``. Core validation
		asks for an enabled Google Settings (no call to Google): skipped with ignore_validate,
		as nothing here talks to Google."""
		doc = frappe.get_doc(
			{
				"doctype": "Google Calendar",
				"calendar_name": f"Sched Side {frappe.generate_hash(length=8)}",
				"user": user,
				"enable": 1,
				"refresh_token": f"refresh-of-{user}",
				"google_calendar_id": "primary",
			}
		)
		doc.flags.ignore_validate = True
		doc.insert(ignore_permissions=True)
		frappe.db.set_value("Google Calendar", doc.name, "owner", made_by, update_modified=False)
		frappe.db.commit()
		self.google_calendars.append(doc.name)
		return doc.name

	def test_google_connection_only_with_the_hosts_own_authorisation(self):
		of_a = self.google_calendar(A, A)
		of_b = self.google_calendar(B, B)
		for_b_by_admin = self.google_calendar(B, "Administrator")  # B may not read it
		url = f"{self.server.base}/api/resource/{CONNECTION}"

		def connections_of_b():
			frappe.db.rollback()
			return frappe.get_all(CONNECTION, filters={"host": B}, fields=["name", "google_calendar"])

		for borrowed in (of_a, for_b_by_admin):
			r = self.s["B"].post(url, json={"provider": "Google", "google_calendar": borrowed}, timeout=60)
			self.assertTrue(400 <= r.status_code < 500, f"{borrowed}: {r.status_code} {r.text[:300]}")
			self.assertIn("Google", r.text)
			self.assertEqual(connections_of_b(), [])
		r = self.s["B"].post(url, json={"provider": "Google", "google_calendar": of_b}, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:300])
		name = r.json()["data"]["name"]
		r = self.s["B"].put(f"{url}/{name}", json={"google_calendar": of_a}, timeout=60)
		self.assertTrue(400 <= r.status_code < 500, f"{r.status_code} {r.text[:300]}")
		self.assertEqual(connections_of_b(), [{"name": name, "google_calendar": of_b}])
		# its own record stays usable: saving the connection again is fine
		r = self.s["B"].put(f"{url}/{name}", json={"enabled": 0}, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:300])
		frappe.delete_doc(CONNECTION, name, ignore_permissions=True, force=True)
		frappe.db.commit()

	# --- 10. a secret calendar link stays secret --------------------------------------------

	def ics_connection(self, who: str, ics_url: str) -> tuple[str, list[str]]:
		"""Connect ``ics_url`` over REST and check it now; (name, every answer's text)."""
		r = self.s[who].post(
			f"{self.server.base}/api/resource/{CONNECTION}",
			json={"provider": "ICS", "ics_url": ics_url, "enabled": 1},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		name = r.json()["data"]["name"]
		answers = [r.text]
		r = self.method(who, "scheduler_integration.api.connections.check", {"name": name}, "POST")
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertTrue(r.json()["message"]["last_error"], r.text[:300])
		answers.append(r.text)
		r = self.s[who].get(f"{self.server.base}/api/resource/{CONNECTION}/{name}", timeout=60)
		answers.append(r.text)
		return name, answers

	def test_secret_feed_link_is_never_stored_or_shown(self):
		since = now_datetime()
		feed = FailingFeed()
		try:
			secret_url = f"http://127.0.0.1:{feed.port}/{SECRET_PATH}/basic.ics?key={SECRET_KEY}"
			for allow_private, expected in ((0, "this address is not allowed"), (1, "HTTP 500")):
				set_settings(allow_private_calendar_hosts=allow_private)
				name, answers = self.ics_connection("B", secret_url)
				frappe.db.rollback()
				last_error = frappe.db.get_value(CONNECTION, name, "last_error")
				logs = frappe.get_all(
					"Error Log", filters={"creation": (">=", since)}, fields=["method", "error"]
				)
				for text in [last_error, *answers, *(f"{log.method} {log.error}" for log in logs)]:
					self.assertNotIn(SECRET_PATH, text)
					self.assertNotIn(SECRET_KEY, text)
				# still a useful message: what happened, and where
				self.assertIn(expected, last_error)
				self.assertIn(f"http://127.0.0.1:{feed.port}/…", last_error)
				frappe.delete_doc(CONNECTION, name, ignore_permissions=True, force=True)
				frappe.db.commit()
		finally:
			feed.close()
			set_settings(allow_private_calendar_hosts=0)

	# --- 11. refusals do not map the server's network ---------------------------------------

	def test_refusal_does_not_reveal_what_a_name_resolves_to(self):
		set_settings(allow_private_calendar_hosts=0)
		name, answers = self.ics_connection("A", "http://localhost:9/calendar.ics")
		frappe.db.rollback()
		last_error = frappe.db.get_value(CONNECTION, name, "last_error")
		for text in [last_error, *answers]:
			self.assertIsNone(IPV4.search(text), text[:300])
			self.assertNotIn("::1", text)
			self.assertNotIn("loopback", text)
		self.assertIn("http://localhost:9/…: this address is not allowed", last_error)
		frappe.delete_doc(CONNECTION, name, ignore_permissions=True, force=True)
		frappe.db.commit()
