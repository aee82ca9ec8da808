"""Permission matrix of the host API and of list/REST access, over real HTTP.

Actors: host A (owns the data), host B (another host), a Scheduler Manager, a guest.
"""

from __future__ import annotations

import json

import frappe

from scheduler_integration.tests.live import LiveServer, cleanup, make_user, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

A = "sched-perm-a@example.com"
B = "sched-perm-b@example.com"
M = "sched-perm-manager@example.com"
API = "scheduler_integration.api"


def body(response):
	try:
		return response.json().get("message") or {}
	except ValueError:
		return {}


class TestHostApiPermissions(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(A)
		make_user(B)
		make_user(M, roles=("Scheduler Manager",))
		cleanup([A, B])
		cls.server = LiveServer.get_instance()
		cls.s = {
			"A": cls.server.session(A),
			"B": cls.server.session(B),
			"M": cls.server.session(M),
			"guest": cls.server.session(None),
		}
		for who, slug in (("A", "perm-host-a"), ("B", "perm-host-b")):
			r = cls.call(
				who,
				"profile.update_my_settings",
				{"display_name": f"Host {who}", "slug": slug, "timezone": "Europe/Amsterdam"},
			)
			assert r.status_code == 201, r.text
			r = cls.call(
				who,
				"availability.replace_rules",
				{"rules": [{"weekday": "Monday", "from_time": "09:00", "to_time": "17:00"}]},
			)
			assert r.status_code == 200, r.text
			r = cls.call(
				who,
				"meeting_type.create_meeting_type",
				{"name": f"Call {who}", "duration_minutes": 30, "slug": "call"},
			)
			assert r.status_code == 201, r.text
			setattr(cls, f"type_{who}", body(r)["data"]["id"])
			r = cls.call(
				who,
				"blocked_time.add_blocked_time",
				{"start": "2030-01-07T12:00:00", "end": "2030-01-07T13:00:00", "reason": "Lunch"},
			)
			assert r.status_code == 201, r.text
			setattr(cls, f"blocked_{who}", body(r)["data"]["id"])
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		cleanup([A, B, M, "sched-perm-new@example.com"], delete_users=True)
		super().tearDownClass()

	@classmethod
	def call(cls, who: str, method: str, data: dict | None = None, http: str | None = None):
		session = cls.s[who]
		url = method_url(cls.server, f"{API}.{method}")
		verb = http or ("GET" if method.split(".")[-1].startswith(("get_", "list_")) else "POST")
		if verb == "GET":
			return session.get(url, params=data or {}, timeout=30)
		return session.request(
			verb, url, data=json.dumps(data or {}), headers={"Content-Type": "application/json"}, timeout=30
		)

	def assertStatus(self, response, expected, label):
		expected = (expected,) if isinstance(expected, int) else expected
		self.assertIn(
			response.status_code, expected, f"{label}: {response.status_code} {response.text[:300]}"
		)

	def test_matrix_of_every_method(self):
		# (method, data acting on A, HTTP verb or None, status for A, B, M, guest)
		cases = [
			("profile.get_my_settings", {"user": A}, None, 200, 403, 200),
			("profile.update_my_settings", {"user": A, "description": "x"}, None, 200, 403, 200),
			("meeting_type.list_meeting_types", {"user": A}, None, 200, 403, 200),
			(
				"meeting_type.create_meeting_type",
				{"user": A, "name": "Extra", "duration_minutes": 15},
				None,
				201,
				403,
				201,
			),
			(
				"meeting_type.update_meeting_type",
				{"meeting_type": self.type_A, "priority": 3},
				None,
				200,
				403,
				200,
			),
			("booking.list_my_bookings", {"user": A}, None, 200, 403, 200),
			("availability.get_availability", {"user": A}, None, 200, 403, 200),
			(
				"availability.replace_rules",
				{"user": A, "rules": [{"weekday": "Tuesday", "from_time": "10:00", "to_time": "12:00"}]},
				None,
				200,
				403,
				200,
			),
			(
				"availability.add_override",
				{"user": A, "date": "2030-02-01", "unavailable": 1},
				None,
				201,
				403,
				201,
			),
			("availability.remove_override", {"user": A, "date": "2030-02-01"}, None, 200, 403, 404),
			("blocked_time.list_blocked_times", {"user": A}, None, 200, 403, 200),
			(
				"blocked_time.add_blocked_time",
				{"user": A, "start": "2030-01-08T12:00:00+01:00", "end": "2030-01-08T13:00:00+01:00"},
				None,
				201,
				403,
				201,
			),
		]

		def as_(who, data):  # created titles must differ per caller (slugs are unique per profile)
			return {**data, "name": f"{data['name']} {who}"} if "name" in data else data

		for method, data, verb, status_a, status_b, status_m in cases:
			self.assertStatus(self.call("B", method, as_("B", data), verb), status_b, f"B {method}")
			self.assertStatus(
				self.call("guest", method, as_("guest", data), verb), (401, 403), f"guest {method}"
			)
			self.assertStatus(self.call("A", method, as_("A", data), verb), status_a, f"A {method}")
			self.assertStatus(self.call("M", method, as_("M", data), verb), status_m, f"M {method}")
		# the refused calls changed nothing: B could not touch A's type
		frappe.db.rollback()  # end this connection's snapshot to read what the server committed
		self.assertEqual(frappe.db.get_value("Scheduler Meeting Type", self.type_A, "priority"), 3)

	def test_each_host_sees_only_their_own_without_user_argument(self):
		for who, user in (("A", A), ("B", B)):
			data = body(self.call(who, "profile.get_my_settings"))["data"]
			self.assertEqual(data["user"], user)
			self.assertEqual([t["name"] for t in data["meeting_types"]][:1], [f"Call {who}"])

	def test_delete_and_remove_are_owner_or_manager_only(self):
		self.assertStatus(
			self.call("B", "meeting_type.delete_meeting_type", {"meeting_type": self.type_A}), 403, "B delete"
		)
		self.assertStatus(
			self.call("B", "blocked_time.remove_blocked_time", {"blocked_time": self.blocked_A}),
			403,
			"B remove",
		)
		self.assertStatus(
			self.call("guest", "meeting_type.delete_meeting_type", {"meeting_type": self.type_A}),
			(401, 403),
			"guest",
		)
		self.assertTrue(frappe.db.exists("Scheduler Meeting Type", self.type_A))
		r = self.call("A", "meeting_type.create_meeting_type", {"name": "Temp", "duration_minutes": 15})
		temp = body(r)["data"]["id"]
		self.assertStatus(
			self.call("M", "meeting_type.delete_meeting_type", {"meeting_type": temp}), 200, "M delete"
		)
		self.assertStatus(
			self.call("A", "meeting_type.delete_meeting_type", {"meeting_type": "does-not-exist"}),
			404,
			"missing",
		)
		for verb in ("POST", "DELETE"):  # the owner removes their own, by either verb
			r = self.call(
				"A",
				"blocked_time.add_blocked_time",
				{"start": "2030-01-14T12:00:00", "end": "2030-01-14T13:00:00", "reason": verb},
			)
			self.assertStatus(r, 201, f"A add for {verb}")
			added = body(r)["data"]["id"]
			r = self.call("A", "blocked_time.remove_blocked_time", {"blocked_time": added}, verb)
			self.assertStatus(r, 200, f"A remove by {verb}")
			frappe.db.commit()  # a fresh snapshot: the server's delete
			self.assertFalse(frappe.db.exists("Scheduler Blocked Time", added), verb)

	def test_http_methods_are_restricted(self):
		self.assertStatus(
			self.call("A", "profile.update_my_settings", {"description": "y"}, "GET"),
			(403, 405),
			"GET on update",
		)
		self.assertStatus(self.call("A", "profile.get_my_settings", {}, "POST"), (403, 405), "POST on get")

	def test_not_configured_is_404(self):
		make_user("sched-perm-new@example.com")
		session = self.server.session("sched-perm-new@example.com")
		r = session.get(method_url(self.server, f"{API}.profile.get_my_settings"), timeout=30)
		self.assertEqual(r.status_code, 404, r.text)
		self.assertFalse(body(r)["success"])

	def test_rest_and_list_views_agree(self):
		for doctype in (
			"Scheduler Profile",
			"Scheduler Meeting Type",
			"Scheduler Availability",
			"Scheduler Blocked Time",
		):
			path = f"/api/resource/{doctype}"
			for who, user in (("A", A), ("B", B)):
				r = self.s[who].get(
					f"{self.server.base}{path}",
					params={"fields": '["name"]', "limit_page_length": 0},
					timeout=30,
				)
				self.assertEqual(r.status_code, 200, r.text)
				names = {row["name"] for row in r.json()["data"]}
				owner_field = "user"
				owners = {frappe.db.get_value(doctype, n, owner_field) for n in names}
				self.assertEqual(owners, {user}, f"{who} listed {doctype} of {owners}")
			r = self.s["M"].get(
				f"{self.server.base}{path}", params={"fields": '["name"]', "limit_page_length": 0}, timeout=30
			)
			owners = {frappe.db.get_value(doctype, row["name"], "user") for row in r.json()["data"]}
			self.assertTrue({A, B} <= owners, f"manager sees {owners} in {doctype}")
			r = self.s["guest"].get(f"{self.server.base}{path}", timeout=30)
			self.assertIn(r.status_code, (401, 403))
		# a single document of another host
		r = self.s["B"].get(
			f"{self.server.base}/api/resource/Scheduler Meeting Type/{self.type_A}", timeout=30
		)
		self.assertEqual(r.status_code, 403, r.text)
		r = self.s["B"].put(
			f"{self.server.base}/api/resource/Scheduler Meeting Type/{self.type_A}",
			json={"title": "Hijacked"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 403, r.text)
		frappe.db.rollback()
		self.assertNotEqual(frappe.db.get_value("Scheduler Meeting Type", self.type_A, "title"), "Hijacked")
		r = self.s["A"].get(
			f"{self.server.base}/api/resource/Scheduler Meeting Type/{self.type_A}", timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text)
		# frappe.client.get_list goes through the same conditions
		r = self.s["B"].get(
			method_url(self.server, "frappe.client.get_list"),
			params={"doctype": "Scheduler Profile", "fields": '["user"]', "limit_page_length": 0},
			timeout=30,
		)
		self.assertEqual({row["user"] for row in r.json()["message"]}, {B})

	def test_a_host_cannot_create_documents_for_another_host(self):
		r = self.s["B"].post(
			f"{self.server.base}/api/resource/Scheduler Blocked Time",
			json={"user": A, "start": "2030-01-09 10:00:00", "end": "2030-01-09 11:00:00"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 403, r.text)
		profile_a = frappe.db.get_value("Scheduler Profile", {"user": A}, "name")
		r = self.s["B"].post(
			f"{self.server.base}/api/resource/Scheduler Meeting Type",
			json={"profile": profile_a, "title": "Sneaky", "slug": "sneaky", "duration": "30"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 403, r.text)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Scheduler Meeting Type", {"slug": "sneaky"}))

	def test_in_process_get_list_respects_ownership(self):
		frappe.set_user(B)
		try:
			self.assertEqual(set(frappe.get_list("Scheduler Meeting Type", pluck="user")), {B})
			self.assertFalse(frappe.has_permission("Scheduler Meeting Type", "write", doc=self.type_A))
		finally:
			frappe.set_user("Administrator")

	def test_a_name_that_is_not_text_is_a_400_never_a_filter(self):
		"""Issue 51 item 5: a record's name sent as a list or object (which Frappe reads as
		filters) answered 500 with a traceback on three host methods; one parser (the
		methods' own ``str`` declarations, ``api.utils.wrong_types``) refuses it first."""
		for method, field in (
			("meeting_type.update_meeting_type", "meeting_type"),
			("blocked_time.remove_blocked_time", "blocked_time"),
			("connections.authorize", "name"),
			("connections.check", "name"),
		):
			for value in ([{"x": 1}], {"name": ["like", "%"]}, 12):
				r = self.call("A", method, {field: value})
				self.assertStatus(r, 400, f"{method} {value!r}")
				self.assertNotIn("Traceback", r.text, method)
				answer = r.json()
				errors = (
					(answer.get("message") or {}).get("errors")
					if isinstance(answer.get("message"), dict)
					else None
				)
				if errors is not None:  # the envelope's methods name the field
					self.assertIn(field, errors, r.text[:300])
		# A's own records are still there (nothing was read as a filter and changed)
		frappe.db.rollback()
		self.assertTrue(frappe.db.exists("Scheduler Blocked Time", self.blocked_A))
