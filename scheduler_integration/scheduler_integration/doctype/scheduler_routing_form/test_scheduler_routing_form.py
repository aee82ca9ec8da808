"""Routing forms over real HTTP: answers decide where a prospect goes; a prospect the CRM
already knows goes to their record's owner; the answers prefill the booking, land on the
CRM record and stay with the booking; every decision is logged and counted in the funnel;
hostile answers only ever get 4xx (a fuzz run: 200 submissions, 2,000 with
SCHEDULER_LONG_TESTS=1). Tests that need Frappe CRM skip with one line without it."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import frappe
import requests

from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
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
from scheduler_integration.tests.trust.test_hostile_input import HOSTILE
from scheduler_integration.tests.trust.test_side_doors_requests import problems_of
from scheduler_integration.tests.utils import E2E, SchedulerTestCase, no_test_records

# Beside its DocType, Frappe's runner would make the stock test records of every DocType this
# one links to (test users among them) and leave them on the site: none is made
# (tests/utils.no_test_records). Frappe 16 reads the second name.
test_ignore = IGNORE_TEST_RECORD_DEPENDENCIES = no_test_records("Scheduler Routing Form")

A, B = "sched-route-a@example.com", "sched-route-b@example.com"
FORM = "sched-route-demo"
PROSPECTS = [f"route-prospect-{i}@example.org" for i in range(6)]
SIZES = "1-10\n11-50\n51-200\n201-500\n501-1000\n1000+"


@every_site
class TestRoutingForms(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cls._saved = set_settings(**NO_RATE_LIMITS, create_lead=1, crm_target="Auto")
			cls.a = make_host(A, "route-a", tz="UTC")
			cls.b = make_host(B, "route-b", tz="UTC")
			cls.demo = make_type(
				cls.a,
				"team-demo",
				30,
				assignment="Round Robin",
				hosts=[{"user": A}, {"user": B}],
				max_attendees=2,
				questions=[
					{
						"label": "Topics",
						"fieldtype": "Multi Select",
						"options": "Pricing\nSecurity\nIntegrations",
					},
					{"label": "Seats", "fieldtype": "Number"},
				],
			)
			cls.intro = make_type(cls.a, "intro", 15)
			frappe.set_user("Administrator")
			for stale in frappe.get_all("Scheduler Routing Form", {"slug": FORM}, pluck="name"):
				# left by a run that was killed before its tearDownClass
				frappe.db.delete("Scheduler Routing Submission", {"form": stale})
				frappe.delete_doc("Scheduler Routing Form", stale, ignore_permissions=True, force=True)
			form = frappe.get_doc(
				{
					"doctype": "Scheduler Routing Form",
					"title": "Talk to sales",
					"slug": FORM,
					"user": A,
					"description": "Three questions, and we find the right person.",
					"questions": [
						{
							"question_key": "email",
							"label": "Work email",
							"fieldtype": "Email",
							"required": 1,
							"maps_to": "Email",
						},
						{
							"question_key": "name",
							"label": "Your name",
							"fieldtype": "Data",
							"maps_to": "Name",
						},
						{
							"question_key": "size",
							"label": "Company size",
							"fieldtype": "Select",
							"options": SIZES,
							"crm_field": "no_of_employees",
						},
						{"question_key": "seats", "label": "Seats", "fieldtype": "Number"},
						{
							"question_key": "tools",
							"label": "Tools",
							"fieldtype": "Multi Select",
							"options": "Slack\nJira",
						},
						{"question_key": "country", "label": "Country", "fieldtype": "Country"},
					],
					"rules": [
						{"rule_name": "account", "outcome": "Record Owner", "meeting_type": cls.demo},
						{
							"rule_name": "enterprise",
							"outcome": "Team Hosts",
							"meeting_type": cls.demo,
							"hosts": A,
						},
						{
							"rule_name": "students",
							"outcome": "External URL",
							"url": "https://example.com/students",
						},
						{"rule_name": "small", "outcome": "Meeting Type", "meeting_type": cls.intro},
					],
					"conditions": [
						{"rule": "account", "operator": "known record", "value": "CRM Lead\nCRM Deal"},
						{"rule": "enterprise", "question": "seats", "operator": "at least", "value": "100"},
						{"rule": "students", "question": "size", "operator": "is", "value": "1-10"},
						{
							"rule": "small",
							"question": "size",
							"operator": "is one of",
							"value": "11-50\n51-200",
						},
					],
					"fallback_outcome": "Message",
					"fallback_message": "Thanks, we will write to you.",
				}
			).insert(ignore_permissions=True)
			cls.form = form.name
			frappe.db.commit()
			cls.server = LiveServer.get_instance()
			cls.day = future_day(11)
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**getattr(cls, "_saved", {}))
		clear_bookings([A, B])
		purge_guests(PROSPECTS)
		frappe.db.delete("Scheduler Routing Submission", {"form": getattr(cls, "form", "")})
		if getattr(cls, "form", None):
			frappe.delete_doc("Scheduler Routing Form", cls.form, ignore_permissions=True, force=True)
			frappe.db.delete("Version", {"ref_doctype": "Scheduler Routing Form", "docname": cls.form})
		frappe.db.commit()  # cleanup() starts with a rollback
		cleanup([A, B], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([A, B])
		purge_guests(PROSPECTS)
		frappe.db.delete("Scheduler Routing Submission", {"form": self.form})
		frappe.db.commit()

	def submit(self, **answers):
		return requests.post(
			method_url(self.server, "scheduler_integration.api.routing.submit"),
			json={"form": FORM, "answers": answers},
			headers={"Host": self.server.site},
			timeout=60,
		)

	def decision(self, **answers) -> dict:
		r = self.submit(**answers)
		self.assertEqual(r.status_code, 201, r.text)
		return body(r)["data"]

	def book_routed(self, url: str, email: str, hour: int):
		parts = urlsplit(url)
		profile, type_slug = parts.path.split("/")[-2:]
		token = parse_qs(parts.query)["routed"][0]
		return requests.post(
			method_url(self.server, "scheduler_integration.api.public.book"),
			json={
				"profile": profile,
				"meeting_type": type_slug,
				"start": iso(self.day + timedelta(hours=hour)),
				"name": "Pat Prospect",
				"email": email,
				"timezone": "UTC",
				"routed": token,
			},
			headers={"Host": self.server.site},
			timeout=60,
		)

	def test_answers_decide_and_every_decision_is_logged_and_counted(self):
		big = self.decision(email=PROSPECTS[0], seats="250", size="1000+")
		self.assertEqual(big["action"], "book")
		self.assertIn("/book/route-a/team-demo?routed=", big["url"])
		row = frappe.get_doc("Scheduler Routing Submission", big["submission"])
		self.assertEqual(
			(row.status, row.rule, row.outcome, row.hosts), ("Routed", "enterprise", "Team Hosts", A)
		)
		self.assertEqual(json.loads(row.answers)["seats"], 250)
		students = self.decision(email=PROSPECTS[1], size="1-10")
		self.assertEqual((students["action"], students["url"]), ("redirect", "https://example.com/students"))
		small = self.decision(email=PROSPECTS[2], size="51-200")
		self.assertIn("/book/route-a/intro?routed=", small["url"])
		nothing = self.decision(email=PROSPECTS[3])
		self.assertEqual(
			(nothing["action"], nothing["message"]), ("message", "Thanks, we will write to you.")
		)
		# only the subset's hosts are offered and booked: the round robin never picks B
		for hour in (9, 10):
			r = self.book_routed(big["url"], PROSPECTS[0], hour)
			if hour == 9:
				self.assertEqual(r.status_code, 201, r.text)
				booking = body(r)["data"]
			else:  # the decision books once
				self.assertEqual((r.status_code, body(r)["code"]), (410, "LINK_GONE"), r.text)
		# and its page says so as the API does (issue 50, item 24), not a page to book again
		parts = urlsplit(big["url"])
		page = requests.get(
			f"{self.server.base}{parts.path}?{parts.query}", headers={"Host": self.server.site}, timeout=60
		)
		self.assertEqual(page.status_code, 410, page.text[:300])
		self.assertIn("Ask the person who sent it for a new one.", page.text)
		self.assertNotIn('id="sched-app"', page.text)
		frappe.db.rollback()  # see what the web server committed
		doc = frappe.get_doc("Scheduler Booking", booking["id"])
		self.assertEqual((doc.host, doc.routing_submission), (A, big["submission"]))
		self.assertEqual(json.loads(doc.answers)["Seats"], 250)  # the form's answers stay with it
		self.assertEqual(
			frappe.db.get_value("Scheduler Routing Submission", big["submission"], "status"), "Booked"
		)
		# the funnel: 4 submitted, 3 routed somewhere, 1 booked (the host's own forms)
		frappe.set_user(A)
		try:
			from scheduler_integration.scheduler_integration.report.scheduler_routing_funnel import (
				scheduler_routing_funnel as report,
			)

			_columns, data, _message, chart = report.execute({"form": self.form})
		finally:
			frappe.set_user("Administrator")
		top = data[0]
		self.assertEqual((top["submitted"], top["routed"], top["booked"]), (4, 3, 1))
		self.assertEqual(chart["data"]["datasets"][0]["values"], [4, 3, 1])
		self.assertIn("enterprise", [row["rule"] for row in data])
		# the same counts through the API (get_funnel, its answer held to its type)
		r = self.server.session(A).get(
			method_url(self.server, "scheduler_integration.api.routing.get_funnel"),
			params={"form": self.form},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text)
		counts = body(r)["data"][self.form]
		self.assertEqual((counts["submitted"], counts["routed"], counts["booked"]), (4, 3, 1))

	def test_a_known_crm_lead_owned_by_rep_b_is_routed_to_b(self):
		if "crm" not in frappe.get_installed_apps():
			self.skipTest("Frappe CRM is not installed on this site")
		lead = frappe.get_doc(
			{"doctype": "CRM Lead", "first_name": "Kim", "last_name": "Known", "email": PROSPECTS[4]}
		).insert(ignore_permissions=True)
		frappe.db.set_value("CRM Lead", lead.name, "lead_owner", B)
		frappe.db.commit()
		# even a big company goes to its account owner, before any other rule
		routed = self.decision(email=PROSPECTS[4].upper(), name="Kim Known", seats="900", size="51-200")
		row = frappe.get_doc("Scheduler Routing Submission", routed["submission"])
		self.assertEqual(
			(row.rule, row.record_doctype, row.record_name, row.record_owner, row.hosts),
			("account", "CRM Lead", lead.name, B, B),
		)
		# the booking page: prefilled from the answers, booking with B only
		page = requests.get(
			routed["url"].replace(frappe.utils.get_url(), self.server.base),
			headers={"Host": self.server.site},
			timeout=30,
		)
		self.assertEqual(page.status_code, 200)
		data = json.loads(re.search(r'id="sched-data">(.*?)</script>', page.text, re.S).group(1))
		self.assertEqual((data["prefill"]["email"], data["prefill"]["name"]), (PROSPECTS[4], "Kim Known"))
		self.assertTrue(data["routed"])
		token = data["routed"]
		slots = requests.get(
			method_url(self.server, "scheduler_integration.api.public.get_slots"),
			params={
				"profile": "route-a",
				"meeting_type": "team-demo",
				"start": iso(self.day),
				"end": iso(self.day + timedelta(days=1)),
				"routed": token,
			},
			headers={"Host": self.server.site},
			timeout=30,
		)
		self.assertEqual(slots.status_code, 200, slots.text)
		r = self.book_routed(routed["url"], PROSPECTS[4], 14)
		self.assertEqual(r.status_code, 201, r.text)
		run_background_jobs()
		frappe.db.rollback()
		doc = frappe.get_doc("Scheduler Booking", body(r)["data"]["id"])
		self.assertEqual((doc.host, doc.crm_doctype, doc.crm_name), (B, "CRM Lead", lead.name))
		# the mapped answer landed on the lead (its field was empty), as B
		self.assertEqual(frappe.db.get_value("CRM Lead", lead.name, "no_of_employees"), "51-200")

	def test_hostile_answers_only_ever_get_4xx(self):
		long_run = os.environ.get("SCHEDULER_LONG_TESTS") == "1"
		count = 2000 if long_run else 200
		rng = random.Random(20261130)
		keys = ["email", "name", "size", "seats", "tools", "country", "", "__proto__", "x" * 300]

		def value():
			return rng.choice(
				[
					rng.choice(HOSTILE),
					[rng.choice(HOSTILE) for _ in range(rng.randint(0, 4))],
					{"$gt": rng.choice(HOSTILE)},
					rng.randint(-(10**30), 10**30),
					rng.random() * 1e308,
					None,
					True,
					"x" * rng.choice([1, 2001, 70000]),
				]
			)

		def case(i):
			kind = i % 5
			if kind == 0:  # hostile answers to the real form
				payload = {
					"form": FORM,
					"answers": {rng.choice(keys): value() for _ in range(rng.randint(0, 6))},
				}
			elif kind == 1:  # answers that are no object
				payload = {"form": FORM, "answers": value()}
			elif kind == 2:  # a hostile form slug
				payload = {"form": value(), "answers": {"email": "a@b.org"}}
			elif kind == 3:  # answers as a JSON string, possibly broken
				payload = {"form": FORM, "answers": json.dumps({"email": value()})[: rng.randint(0, 60)]}
			else:  # a good-looking submission with one hostile field
				payload = {
					"form": FORM,
					"answers": {"email": f"fuzz{i}@example.org", "seats": "5", rng.choice(keys): value()},
				}
			return json.dumps(payload, default=str).encode("utf-8", "surrogatepass")

		bodies = [case(i) for i in range(count)]

		def send(data):
			response = requests.post(
				method_url(self.server, "scheduler_integration.api.routing.submit"),
				data=data,
				headers={"Host": self.server.site, "Content-Type": "application/json"},
				timeout=120,
			)
			return response.status_code, problems_of(response)

		with ThreadPoolExecutor(4) as pool:
			results = list(pool.map(send, bodies))
		statuses = sorted({status for status, _problems in results})
		tally = {status: sum(1 for s, _p in results if s == status) for status in statuses}
		print(f"\nrouting form fuzz: {len(results)} submissions, statuses {tally}")
		bad = [(status, problems) for status, problems in results if problems or not 200 <= status < 500]
		self.assertEqual(bad, [], f"statuses {statuses}")
		self.assertTrue({400, 404} <= set(statuses), statuses)  # the hostile ones were refused

	def test_the_page_is_embeddable_and_its_form_checks_every_answer(self):
		page = requests.get(
			f"{self.server.base}/book/route/{FORM}?embed=1", headers={"Host": self.server.site}, timeout=30
		)
		self.assertEqual(page.status_code, 200)
		self.assertIn("frame-ancestors", page.headers.get("Content-Security-Policy", ""))
		data = json.loads(re.search(r'id="sched-data">(.*?)</script>', page.text, re.S).group(1))
		self.assertEqual(
			[q["key"] for q in data["form"]["questions"]],
			["email", "name", "size", "seats", "tools", "country"],
		)
		self.assertIn("Germany", data["form"]["questions"][5]["options"])  # the site's countries
		r = self.submit(
			email="not an email", size="huge", seats="many", tools=["Slack", "Notion"], country="Atlantis"
		)
		self.assertEqual(r.status_code, 400)
		self.assertEqual(
			set(body(r)["errors"]), {"answers.0", "answers.2", "answers.3", "answers.4", "answers.5"}
		)
		self.assertEqual(
			requests.get(
				f"{self.server.base}/book/route/no-such-form", headers={"Host": self.server.site}, timeout=30
			).status_code,
			404,
		)
		self.assertFalse(frappe.db.exists("Scheduler Routing Submission", {"form": self.form}))

	def test_in_the_browser_the_answers_lead_to_a_prefilled_booking(self):
		from scheduler_integration.tests.pages import test_browser_e2e as e2e

		if reason := e2e.missing():
			self.skipTest(f"browser test not run: {reason}")
		shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		shots.mkdir(parents=True, exist_ok=True)
		script = shots / "routing_form.mjs"
		shutil.copy(E2E / "routing_form.mjs", script)
		(shots / "node_modules").unlink(missing_ok=True)
		(shots / "node_modules").symlink_to(e2e.node_modules())
		config = {
			"base": self.server.base,
			"site": self.server.site,
			"shots": str(shots),
			"form": FORM,
			"email": PROSPECTS[5],
			"colleague": "colleague@example.org",
		}
		run = subprocess.run(
			["node", str(script), json.dumps(config)],
			capture_output=True,
			text=True,
			timeout=300,
			env={**os.environ, "NODE_PATH": str(e2e.node_modules())},
		)
		lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
		self.assertTrue(lines, f"no result: {run.stdout[-2000:]} {run.stderr[-2000:]}")
		seen = json.loads(lines[-1])
		self.assertEqual(run.returncode, 0, seen)
		self.assertEqual((seen["dialogs"], seen["errors"]), ([], []))
		self.assertEqual(seen["required_error"], "This answer is required.")
		self.assertFalse(seen["overflow"])
		self.assertEqual(seen["prefilled_size"], "201-500")  # ?size= in the form's link
		self.assertIn("/book/route-a/team-demo?routed=", seen["routed_url"])
		self.assertEqual(seen["booking_prefill"], {"name": "Noor Prospect", "email": PROSPECTS[5]})
		self.assertEqual(seen["book_status"], 201)
		frappe.db.rollback()
		doc = frappe.get_doc("Scheduler Booking", seen["booking"]["id"])
		self.assertEqual(doc.host, A)  # 400 seats: the enterprise rule's host only
		self.assertEqual(json.loads(doc.answers)["Tools"], ["Slack"])
		# the booking's own questions: the routed answer to the same question, and the guest's
		self.assertEqual(seen["seats_prefill"], "400")
		self.assertFalse(seen["overflow_booking"])
		self.assertEqual(
			(json.loads(doc.answers)["Topics"], doc.attendees), (["Security"], "colleague@example.org")
		)
		for name in (
			"routing-form-375px.png",
			"routing-form-desktop.png",
			"routing-booking-prefilled-desktop.png",
			"routing-booking-prefilled-375px.png",
		):
			self.assertGreater((shots / name).stat().st_size, 5000, name)
