"""Random sequences of changes through random entry points by random actors (issue 26):
no host is ever double-booked, and no actor ever changes or reads a row they may not.

Each sequence starts from no bookings and takes a few steps, each one HTTP request:
a guest books, moves or cancels through a manage link; a host or a manager inserts or
changes a booking through REST, the desk's save, ``set_value``, the calendar's drag or
the host API, or changes a meeting type's duration or buffers. The values are drawn from
what the side doors were opened with: another host's type or hosts, a derived or
server-owned field, a link to a record the actor may not read, a start on top of
another booking. After every step, over the database:

- no two active bookings of a host overlap, buffers included (unless a host ticked
  Allow Overlap on one of them);
- every booking the step changed is one the actor may change (a guest: theirs by token;
  a host: one they are a host of, or the owner of its team type; a manager: any), and
  every field that changed is one the actor may set (``engine.booking_fields``), apart
  from the fields the system derives and the effects fill in later;
- each host's list of bookings and of booking host rows holds no other host's rows.

CI runs ``SIDE_DOOR_SEQUENCES`` sequences (default 15; every bench pass runs them, three
passes per CI run); ``SCHEDULER_LONG_TESTS=1`` runs 200.
"""

from __future__ import annotations

import json
import os
import random
from datetime import timedelta

import frappe

from scheduler_integration.core.clock import to_system
from scheduler_integration.engine.booking_fields import DERIVED, may_set
from scheduler_integration.engine.booking_states import Actor
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
from scheduler_integration.tests.trust.test_side_doors_bookings import overlapping
from scheduler_integration.tests.utils import SchedulerTestCase

A, B, M = "sched-prop-a@example.com", "sched-prop-b@example.com", "sched-prop-m@example.com"
PUBLIC = "scheduler_integration.api.public"
HOST_API = "scheduler_integration.api.booking"
REST = "/api/resource/Scheduler Booking"
STEPS = 6
# filled in by effects after the step, by the system: not the actor's change
EFFECT_FIELDS = {
	"contact",
	"crm_doctype",
	"crm_name",
	"crm_records",
	"meeting_link",
	"meeting_password",
	"meeting_provider",
	"meeting_id",
	"meeting_connection",
	"modified",
	"modified_by",
}
WATCHED = (
	"meeting_type",
	"start",
	"end",
	"status",
	"host",
	"guest_name",
	"guest_email",
	"notes",
	"answers",
	"source",
	"idempotency_key",
	"utm_source",
	"reference_doctype",
	"reference_name",
	"allow_overlap",
	"token_nonce",
	"manage_token_hash",
	"ical_uid",
	"sequence",
	"location",
)


def sequences() -> int:
	if os.environ.get("SCHEDULER_LONG_TESTS"):
		return 200
	return int(os.environ.get("SIDE_DOOR_SEQUENCES") or 15)


class TestSideDoorProperty(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.pa = make_host(A, "prop-a", start="08:00", end="18:00")
		cls.pb = make_host(B, "prop-b", start="08:00", end="18:00")
		make_user(M, roles=("Scheduler Host", "Scheduler Manager"))
		cls.specs = {
			"a30": (cls.pa, 30, {}),
			"a60": (cls.pa, 60, {"buffer_before": 15, "buffer_after": 15}),
			"b30": (cls.pb, 30, {}),
			"team": (cls.pa, 30, {"assignment": "Collective", "hosts": [{"user": A}, {"user": B}]}),
			"rr": (cls.pa, 45, {"assignment": "Round Robin", "hosts": [{"user": A}, {"user": B}]}),
		}
		cls.types = {slug: cls.reset_type(slug) for slug in cls.specs}
		cls.profile_of = {"a30": "prop-a", "a60": "prop-a", "b30": "prop-b", "team": "prop-a", "rr": "prop-a"}
		cls.server = LiveServer.get_instance()
		cls.sessions = {
			Actor.GUEST: cls.server.session(None),
			A: cls.server.session(A),
			B: cls.server.session(B),
			M: cls.server.session(M),
		}
		cls.day = future_day(15)
		while cls.day.weekday() != 3:  # a Thursday
			cls.day += timedelta(days=1)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		cleanup([A, B, M], delete_users=True)
		super().tearDownClass()

	@classmethod
	def reset_type(cls, slug):
		profile, duration, fields = cls.specs[slug]
		return make_type(profile, slug, duration, **{"buffer_before": 0, "buffer_after": 0, **fields})

	# --- the world ------------------------------------------------------------------

	def snapshot(self) -> dict[str, dict]:
		frappe.db.rollback()
		rows = frappe.get_all(
			"Scheduler Booking", fields=["name", *WATCHED], filters={"host": ("in", (A, B))}
		)
		hosts = {}
		for row in frappe.get_all(
			"Scheduler Booking Host", filters={"parenttype": "Scheduler Booking"}, fields=["parent", "user"]
		):
			hosts.setdefault(row.parent, []).append(row.user)
		out = {}
		for row in rows:
			row["hosts"] = tuple(sorted(hosts.get(row.name, ())))
			out[row.name] = row
		return out

	def may_change(self, actor, before: dict, tokens: dict, name: str) -> bool:
		if actor == M:
			return True
		if actor is Actor.GUEST:
			return name in tokens
		owner = frappe.db.get_value("Scheduler Meeting Type", before["meeting_type"], "user")
		return actor in before["hosts"] or actor == owner

	def check_world(self, actor, before_world, after_world, tokens, what):
		for user in (A, B):
			self.assertEqual(overlapping(user), [], f"{user} double-booked after {what}")
		role = Actor.GUEST if actor is Actor.GUEST else Actor.HOST
		for name, after in after_world.items():
			before = before_world.get(name)
			if before is None:  # a new booking: a host books only a type they may book
				if actor in (A, B):
					mt = frappe.get_cached_doc("Scheduler Meeting Type", after["meeting_type"])
					self.assertIn(actor, (mt.user, *mt.host_users()), f"{actor} booked {name} by {what}")
				if role is Actor.HOST:
					self.assertFalse(after["source"] or after["idempotency_key"], f"{name} by {what}")
				continue
			changed = {f for f in (*WATCHED, "hosts") if before[f] != after[f]} - EFFECT_FIELDS
			if not changed:
				continue
			self.assertTrue(
				self.may_change(actor, before, tokens, name), f"{actor} changed {name} ({changed}) by {what}"
			)
			refused = {f for f in changed - DERIVED if not may_set(f, role, new=False)}
			self.assertEqual(refused, set(), f"{actor} changed {refused} of {name} by {what}")
		# reads: a host's lists never hold another host's bookings or host rows
		for user in (A, B):
			other = B if user == A else A
			session = self.sessions[user]
			mine = {
				name
				for name, row in after_world.items()
				if user in row["hosts"]
				or frappe.db.get_value("Scheduler Meeting Type", row["meeting_type"], "user") == user
			}
			r = session.get(
				f"{self.server.base}{REST}",
				params={"fields": json.dumps(["name"]), "limit_page_length": 500},
				timeout=30,
			)
			self.assertEqual(r.status_code, 200, r.text)
			listed = {row["name"] for row in r.json()["data"]}
			self.assertLessEqual(listed & set(after_world), mine, f"{user} lists another host's bookings")
			r = session.post(
				method_url(self.server, "frappe.client.get_list"),
				json={
					"doctype": "Scheduler Booking Host",
					"parent": "Scheduler Booking",
					"fields": ["parent", "user"],
					"limit_page_length": 500,
				},
				timeout=30,
			)
			if r.status_code == 200:
				foreign = [
					row
					for row in r.json()["message"]
					if row["parent"] in after_world and row["parent"] not in mine and row["user"] == other
				]
				self.assertEqual(foreign, [], f"{user} reads another host's rows")
			else:
				self.assertIn(r.status_code, (403, 417), r.text)

	# --- the steps ------------------------------------------------------------------

	def at(self, rng):
		return self.day + timedelta(hours=rng.randint(8, 17), minutes=rng.choice((0, 15, 30, 45)))

	def field_value(self, rng, world):
		"""A (field, value) pair a host might send, side doors included."""
		some_type = rng.choice(list(self.types.values()))
		return rng.choice(
			[
				("start", str(to_system(self.at(rng)))),
				("start", str(to_system(self.at(rng)))),
				("end", str(to_system(self.at(rng)))),
				("meeting_type", some_type),
				("status", rng.choice(("Pending", "Confirmed", "Cancelled", "Completed", "No Show"))),
				("guest_name", rng.choice(("Ann Other", "Eve &lt;b&gt;", "=SUM(1)", "R&amp;D"))),
				("notes", rng.choice(("ok", "=HYPERLINK(1)", "&#13;&#10;x"))),
				("source", "booking_page"),
				("sequence", 99),
				("token_nonce", "0" * 32),
				("crm_doctype", "User"),
				("answers", '{"x": 1}'),
				("location", "Somewhere"),
			]
		)

	def step(self, rng, world, tokens):
		actor = rng.choice((Actor.GUEST, Actor.GUEST, A, B, M))
		session = self.sessions[actor]
		names = list(world)
		base = self.server.base
		if actor is Actor.GUEST:
			kind = rng.choice(("book", "book", "reschedule", "cancel")) if tokens else "book"
			if kind == "book":
				slug = rng.choice(list(self.types))
				r = session.post(
					method_url(self.server, f"{PUBLIC}.book"),
					json={
						"profile": self.profile_of[slug],
						"meeting_type": slug,
						"start": iso(self.at(rng)),
						"name": "Gus Guest",
						"email": f"g{rng.randint(1, 9999)}@example.org",
						"timezone": "UTC",
					},
					timeout=60,
				)
				if r.status_code == 201:
					data = r.json()["message"]["data"]
					tokens[data["id"]] = data["manage_url"].rsplit("/", 1)[1]
				return actor, f"guest book {slug}", r
			name = rng.choice(list(tokens))
			if kind == "reschedule":
				r = session.post(
					method_url(self.server, f"{PUBLIC}.reschedule"),
					json={"token": tokens[name], "start": iso(self.at(rng))},
					timeout=60,
				)
			else:
				r = session.post(
					method_url(self.server, f"{PUBLIC}.cancel"), json={"token": tokens[name]}, timeout=60
				)
			return actor, f"guest {kind} {name}", r
		kind = rng.choice(("insert", "put", "desk", "set_value", "drag", "host_api", "type"))
		if kind == "insert" or not names:
			field, value = self.field_value(rng, world)
			values = {
				"meeting_type": rng.choice(list(self.types.values())),
				"start": str(to_system(self.at(rng))),
				"guest_name": "Desk Guest",
				"guest_email": "desk@example.org",
				field: value,
			}
			if rng.random() < 0.3:
				values["hosts"] = [{"user": u} for u in rng.sample((A, B), rng.randint(1, 2))]
			return actor, f"insert {field}", session.post(f"{base}{REST}", json=values, timeout=30)
		name = rng.choice(names)
		if kind == "type":
			mt = rng.choice(list(self.types.values()))
			change = rng.choice(
				(
					{"duration": rng.choice(("30", "45", "60", "90"))},
					{"buffer_after": rng.choice((0, 15, 30))},
				)
			)
			return (
				actor,
				f"type {mt} {change}",
				session.put(f"{base}/api/resource/Scheduler Meeting Type/{mt}", json=change, timeout=30),
			)
		if kind == "host_api":
			method = rng.choice(("reschedule_booking", "cancel_booking", "confirm_booking"))
			payload = {"booking": name}
			if method == "reschedule_booking":
				payload["start"] = iso(self.at(rng))
			return (
				actor,
				f"{method} {name}",
				session.post(method_url(self.server, f"{HOST_API}.{method}"), json=payload, timeout=30),
			)
		if kind == "drag":
			start = self.at(rng)
			args = {
				"doctype": "Scheduler Booking",
				"name": name,
				"start": str(to_system(start)),
				"end": str(to_system(start + timedelta(minutes=rng.choice((30, 90))))),
			}
			return (
				actor,
				f"drag {name}",
				session.post(
					method_url(self.server, "frappe.desk.calendar.update_event"),
					data={
						"args": json.dumps(args),
						"field_map": json.dumps({"start": "start", "end": "end"}),
					},
					timeout=30,
				),
			)
		field, value = self.field_value(rng, world)
		if kind == "put":
			return (
				actor,
				f"put {field} {name}",
				session.put(f"{base}{REST}/{name}", json={field: value}, timeout=30),
			)
		if kind == "set_value":
			return (
				actor,
				f"set_value {field} {name}",
				session.post(
					method_url(self.server, "frappe.client.set_value"),
					json={"doctype": "Scheduler Booking", "name": name, "fieldname": field, "value": value},
					timeout=30,
				),
			)
		# the desk form: load the document as the desk does, change a field, save it all back
		r = session.get(
			method_url(self.server, "frappe.desk.form.load.getdoc"),
			params={"doctype": "Scheduler Booking", "name": name},
			timeout=30,
		)
		if r.status_code != 200:
			return actor, f"desk load {name}", r
		doc = r.json()["docs"][0]
		doc[field] = value
		return (
			actor,
			f"desk {field} {name}",
			session.post(
				method_url(self.server, "frappe.desk.form.save.savedocs"),
				data={"doc": json.dumps(doc), "action": "Save"},
				timeout=30,
			),
		)

	def test_random_changes_never_double_book_or_cross_a_permission(self):
		seed = int(os.environ.get("SIDE_DOOR_SEED") or random.randrange(10**6))
		rng = random.Random(seed)
		for sequence in range(sequences()):
			clear_bookings([A, B])
			for slug in self.specs:  # every type as it started
				self.reset_type(slug)
			tokens: dict[str, str] = {}
			world = self.snapshot()
			for number in range(STEPS):
				actor, what, response = self.step(rng, world, tokens)
				label = f"seed {seed}, sequence {sequence}, step {number}: {actor} {what}"
				self.assertLess(response.status_code, 500, f"{label}: {response.text[:500]}")
				after = self.snapshot()
				self.check_world(actor, world, after, tokens, label)
				world = after
		run_background_jobs()
