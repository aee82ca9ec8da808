"""A new host finds where to connect a calendar, over real HTTP: the set-up checklist from
the first visit to done, the profile form's connection status, the error of a video type
leading to the connection form, and the calendar connection rate (workspace card and
analytics API). The calendar is an ICS subscription served on 127.0.0.1."""

from __future__ import annotations

import json
import typing

import frappe

from scheduler_integration.connections.status import ConnectionStatus
from scheduler_integration.providers.providers import provider_labels
from scheduler_integration.reporting.dashboard import percent_card
from scheduler_integration.scheduler_integration.doctype.scheduler_calendar_connection.test_scheduler_calendar_connection import (
	FeedServer,
)
from scheduler_integration.tests.factory import NO_RATE_LIMITS, make_host, set_settings
from scheduler_integration.tests.live import LiveServer, cleanup, make_user, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

NEW = "sched-setup-new@example.com"
OTHER = "sched-setup-other@example.com"
MANAGER = "sched-setup-manager@example.com"
API = "scheduler_integration.api"
FEED = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


def message(response):
	data = response.json()
	return data.get("message", data)


class TestHostSetup(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup([NEW, OTHER, MANAGER], delete_users=True, force_users=True)
		cls._saved = set_settings(**NO_RATE_LIMITS, allow_private_calendar_hosts=1)
		make_user(NEW)
		make_user(MANAGER, roles=("Scheduler Host", "Scheduler Manager"))
		make_host(OTHER, "sched-setup-other", start="09:00", end="17:00")
		cls.server = LiveServer.get_instance()
		cls.host = cls.server.session(NEW)
		cls.feed = FeedServer(FEED)

	@classmethod
	def tearDownClass(cls):
		cls.feed.close()
		set_settings(**cls._saved)
		cleanup([NEW, OTHER, MANAGER], delete_users=True)
		super().tearDownClass()

	def call(self, session, method, http="GET", **params):
		url = method_url(self.server, f"{API}.{method}")
		if http == "GET":
			return session.get(url, params=params, timeout=60)
		return session.post(url, json=params, timeout=60)

	def checklist(self) -> dict:
		r = self.call(self.host, "dashboard.setup_checklist")
		self.assertEqual(r.status_code, 200, r.text)
		return message(r)

	def states(self) -> dict:
		return {step["key"]: step["state"] for step in self.checklist()["steps"]}

	def insert(self, doctype: str, values: dict) -> dict:
		r = self.host.post(f"{self.server.base}/api/resource/{doctype}", json=values, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:500])
		return r.json()["data"]

	def card(self, session) -> dict:
		return message(self.call(session, "dashboard.connection_rate", "POST"))

	def test_a_new_host_is_led_from_nothing_to_a_working_calendar_and_a_shared_link(self):
		# first visit: nothing set up; the profile or a calendar can come first
		first = self.checklist()
		self.assertFalse(first["complete"])
		self.assertEqual(first["next"], "profile")
		self.assertEqual(
			self.states(),
			{
				"profile": "todo",
				"hours": "waiting",
				"calendar": "todo",
				"first_type": "waiting",
				"share_link": "waiting",
			},
		)
		routes = {step["key"]: step["route"] for step in first["steps"]}
		self.assertEqual(routes["profile"], "/app/scheduler-profile/new")
		self.assertEqual(
			routes["calendar"], f"/app/scheduler-calendar-connection/new?host={NEW.replace('@', '%40')}"
		)
		self.assertEqual(self.card(self.host)["value"], 0)  # no active profile yet: no host counted

		# the profile and its hours, as the desk saves them
		hours = self.insert(
			"Scheduler Availability",
			{
				"user": NEW,
				"title": "Working Hours",
				"timezone": "UTC",
				"weekly_rules": [{"weekday": "Monday", "from_time": "09:00", "to_time": "17:00"}],
			},
		)
		profile = self.insert(
			"Scheduler Profile",
			{
				"user": NEW,
				"display_name": "Sam Setup",
				"slug": "sched-setup-new",
				"timezone": "UTC",
				"availability": hours["name"],
			},
		)
		self.assertEqual(
			self.states(),
			{
				"profile": "done",
				"hours": "done",
				"calendar": "todo",
				"first_type": "todo",
				"share_link": "waiting",
			},
		)
		self.assertEqual(self.checklist()["next"], "calendar")

		# the profile form says no calendar is connected (and offers to add one)
		form = self.host.get(
			f"{self.server.base}/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": "Scheduler Profile", "name": profile["name"]},
			timeout=60,
		)
		self.assertEqual(form.status_code, 200, form.text[:300])
		self.assertEqual(form.json()["docs"][0]["__onload"]["connections"], [])

		# a Zoom type cannot be active without Zoom: the error leads to the connection form
		r = self.call(
			self.host, "meeting_type.create_meeting_type", "POST", title="Video Call", location_type="Zoom"
		)
		self.assertEqual(r.status_code, 400, r.text[:500])
		answer = message(r)
		self.assertEqual((answer["success"], answer["code"]), (False, "VALIDATION_ERROR"))
		self.assertIn("location_type", answer["errors"])
		self.assertEqual(
			answer["links"]["location_type"],
			f"/app/scheduler-calendar-connection/new?provider=Zoom&host={NEW.replace('@', '%40')}",
		)

		# an ICS subscription: set up, then checked by the form's Check button
		connection = self.insert(
			"Scheduler Calendar Connection", {"host": NEW, "provider": "ICS", "ics_url": self.feed.url}
		)
		self.assertEqual(self.states()["calendar"], "checking")
		r = self.call(self.host, "connections.check", "POST", name=connection["name"])
		self.assertEqual((r.status_code, message(r)["status"]), (200, "Connected"), r.text[:300])
		self.assertEqual(self.states()["calendar"], "done")
		form = self.host.get(
			f"{self.server.base}/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": "Scheduler Profile", "name": profile["name"]},
			timeout=60,
		)
		[shown] = form.json()["docs"][0]["__onload"]["connections"]
		self.assertEqual(
			(shown["name"], shown["provider"], shown["status"], shown["calendar"]),
			(connection["name"], "ICS", "Connected", True),
		)
		self.assertEqual(self.card(self.host)["value"], 100.0)

		# a first type, then the link copied from the desk
		r = self.call(
			self.host, "meeting_type.create_meeting_type", "POST", title="Intro Call", duration_minutes=30
		)
		self.assertEqual(r.status_code, 201, r.text[:500])
		state = self.checklist()
		self.assertEqual((state["next"], state["complete"]), ("share_link", False))
		# its only type's page is the link to share (issue 50, item 29)
		self.assertTrue(
			state["booking_url"].endswith("/book/sched-setup-new/intro-call"), state["booking_url"]
		)
		r = self.call(self.host, "dashboard.link_copied", "POST")
		self.assertEqual(message(r), {"recorded": True})
		done = self.checklist()
		self.assertTrue(done["complete"])
		self.assertIsNone(done["next"])

		# a connection that breaks undoes the calendar step and the rate
		frappe.db.set_value("Scheduler Calendar Connection", connection["name"], "status", "Needs Reconnect")
		frappe.db.commit()
		self.assertEqual(self.states()["calendar"], "failing")
		self.assertEqual(self.checklist()["next"], "calendar")
		self.assertEqual(self.card(self.host)["value"], 0)

	def test_the_connection_rate_of_the_team(self):
		connection = frappe.get_doc(
			{
				"doctype": "Scheduler Calendar Connection",
				"host": OTHER,
				"provider": "ICS",
				"ics_url": self.feed.url,
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		manager = self.server.session(MANAGER)
		figures = message(self.call(manager, "analytics.get_connection_rate", user="all"))["data"]
		self.assertIn(OTHER, figures["unconnected"])  # set up, never synced: not working yet
		self.assertNotIn(MANAGER, figures["unconnected"])  # no profile: not an active host
		self.assertEqual(figures["rate"], round(figures["connected"] * 100.0 / figures["hosts"], 2))
		frappe.db.set_value("Scheduler Calendar Connection", connection.name, "status", "Connected")
		frappe.db.commit()
		after = message(self.call(manager, "analytics.get_connection_rate", user="all"))["data"]
		self.assertNotIn(OTHER, after["unconnected"])
		self.assertEqual((after["connected"], after["hosts"]), (figures["connected"] + 1, figures["hosts"]))
		# the workspace card is the team's, as the workspace shows a rate ("33%")
		self.assertEqual(self.card(manager)["value"], percent_card(after["rate"])["value"])
		# one host's own figure; another host's is refused
		own = message(self.call(self.server.session(OTHER), "analytics.get_connection_rate"))["data"]
		self.assertEqual((own["rate"], own["hosts"]), (100.0, 1))
		r = self.call(self.server.session(OTHER), "analytics.get_connection_rate", user=MANAGER)
		self.assertEqual((r.status_code, message(r)["code"]), (403, "FORBIDDEN"))
		# a guest reads none of it
		guest = self.server.session(None)
		r = self.call(guest, "dashboard.setup_checklist")
		self.assertIn(r.status_code, (401, 403))
		self.assertTrue(json.loads(r.text).get("code") or message(r).get("code"))

	def test_a_connection_status_the_answers_declare_is_one_of_the_doctypes(self):
		"""``ConnectionStatus`` (``connections.check``'s answer type) is the Select's options,
		in their order: one definition, each side checked against the other."""
		field = frappe.get_meta("Scheduler Calendar Connection").get_field("status")
		self.assertEqual(tuple(field.options.split("\n")), typing.get_args(ConnectionStatus))

	def test_the_connection_form_learns_every_provider(self):
		"""``connections.providers``: one entry per registry row, as its type declares it
		(the session's answer check holds it to the document)."""
		r = self.call(self.host, "connections.providers")
		self.assertEqual(r.status_code, 200, r.text)
		found = message(r)
		self.assertEqual(list(found), provider_labels())
		self.assertEqual(found["ICS"]["auth"], "url")
		self.assertTrue(found["ICS"]["calendar"])
