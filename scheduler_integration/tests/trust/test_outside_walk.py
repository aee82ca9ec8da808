"""What an outside walk of issues 37 and 38 found, over real HTTP on the bench:

1. A site without an outgoing Email Account: booking emails wait for one (the README's
   promise), re-tried every 15 minutes without using up their attempts, instead of failing
   for good after eight tries; a real failure still counts.
2. A guest calling a host method is told to sign in: 401 ``NOT_SIGNED_IN``, not 403.
3. A plain-style method called without a required argument is a 400 ``MISSING_ARGUMENTS``
   without a traceback, not a TypeError's 500; a 429 of a host method carries no traceback.
4. A routing condition's value past 1,000 characters is a field error (400), not the
   database's "Data too long" (500), also through ``/api/resource``.
5. The meetings of one series record one Contact for their guest, though their effects run
   on several workers at once (each found none and made one).
6. A booking page offers no series longer than its booking window holds.

And of issues 39 and 40:

7. A webhook re-published at its old address (``api.tracking``) answers a wrong HTTP method
   405 with ``Allow``, as at its own address, not 403.
8. A Frappe method the app overrides (``frappe.client.get_count``) refuses a guest as the
   app's own methods do (401 ``NOT_SIGNED_IN``), not with Frappe's exception text naming
   the app's function.

And of issue 41:

9. A window of booker-local dates counts calendar days: the window's 32 days across a DST
   change (32 days and an hour) are one request, not a 400.

And of issue 51 (the overridden searches and exports, their Frappe parameters documented):

10. Frappe's link search and exports failed with a 500 and a traceback on an empty or
    non-JSON ``filters``, an export without ``fields`` or a format, an unknown report or no
    ``visible_idx``: the overrides check those first (400, 404) or do the work.
11. Through those overrides a host could count, search and export every host's records: a
    ``between`` or ``timespan`` on a field that is no date leaves Frappe's ``between`` open,
    and the ``and (row rule)`` after it became its upper bound; a search's filter key was put
    into the query as it came (``name` or 1=1 or `name``); ``query`` called any whitelisted
    method with a search's arguments; a negative ``page_length``, an ``order_by`` of no
    column, a CSV option out of range were 500s with tracebacks. All are refused (417 / 400).
"""

from __future__ import annotations

from datetime import timedelta

import frappe

from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.effects import outbox
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	book,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, body, cleanup, guest_book, make_user, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-walk-host@example.com"
MANAGER = "sched-walk-manager@example.com"
EFFECT = "Scheduler Booking Effect"
NO_ACCOUNT = "Please setup default outgoing Email Account from Settings > Email Account"


class TestOutsideWalk(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup([HOST])
		try:
			cls._saved = set_settings(**NO_RATE_LIMITS)
			cls.profile = make_host(HOST, "sched-walk")
			cls.meeting_type = make_type(cls.profile, "walk-call", 30)
			make_type(cls.profile, "walk-series", 30, allow_series=1, series_max_count=4)
			make_type(cls.profile, "walk-long", 30, allow_series=1, series_max_count=6, max_advance_days=30)
			cls.server = LiveServer.get_instance()
			cls.as_host = cls.server.session(HOST)
			make_user(MANAGER, roles=("Scheduler Manager",))
			cls.as_manager = cls.server.session(MANAGER)
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		cleanup([HOST, MANAGER], delete_users=True)
		if hasattr(cls, "_saved"):
			set_settings(**cls._saved)
		frappe.db.commit()
		super().tearDownClass()

	# --- 1. emails wait for an outgoing account -------------------------------------------

	def effect_row(self, hour: int) -> str:
		frappe.set_user("Administrator")
		doc = book(
			self.meeting_type,
			future_day(6) + timedelta(hours=hour),
			{"guest_name": "Wendy Walk", "guest_email": "wendy-walk@example.com"},
		)
		run_background_jobs()
		frappe.db.rollback()
		rows = frappe.get_all(EFFECT, filters={"booking": doc.name, "effect": "email"}, pluck="name")
		self.assertTrue(rows, "the booking planned no email")
		return rows[0]

	def test_without_an_outgoing_account_emails_wait_and_use_up_no_attempt(self):
		row = self.effect_row(10)
		now = utc_now()
		status = outbox.retry_or_fail(
			EFFECT, row, frappe.OutgoingEmailError(NO_ACCOUNT), 8, 8, now, title="walk"
		)
		self.assertEqual(status, outbox.PENDING)  # the 8th of 8 attempts: a failure would give up
		stored = frappe.db.get_value(
			EFFECT, row, ["status", "attempts", "last_error", "next_attempt_at"], as_dict=True
		)
		self.assertEqual((stored.status, stored.attempts), (outbox.PENDING, 7))
		self.assertIn("Waiting for an outgoing Email Account", stored.last_error)
		self.assertEqual(
			to_utc(stored.next_attempt_at).replace(microsecond=0),
			(now + outbox.SETUP_WAIT).replace(microsecond=0),
		)
		# any other failure on its last attempt still ends it
		status = outbox.retry_or_fail(EFFECT, row, RuntimeError("SMTP said no"), 8, 8, now, title="walk")
		self.assertEqual(status, outbox.FAILED)
		self.assertEqual(frappe.db.get_value(EFFECT, row, "attempts"), 8)

	def test_a_site_without_any_outgoing_account_keeps_the_email_waiting(self):
		from frappe.email.doctype.email_account.email_account import EmailAccount

		if EmailAccount.find_outgoing() or frappe.db.get_single_value("Scheduler Settings", "email_account"):
			self.skipTest("this site has an outgoing Email Account: its emails are sent")

		row = self.effect_row(12)
		stored = frappe.db.get_value(
			EFFECT, row, ["status", "attempts", "last_error", "booking"], as_dict=True
		)
		self.assertEqual((stored.status, stored.attempts), (outbox.PENDING, 0), stored)
		self.assertIn("Waiting for an outgoing Email Account", stored.last_error)
		# and the confirmation does not claim it was sent
		self.assertEqual(frappe.get_doc("Scheduler Booking", stored.booking).email_sent_to(), "")

	# --- 2. a guest at a host method ----------------------------------------------------------

	def test_a_guest_at_a_host_method_is_asked_to_sign_in(self):
		for dotted, http in (
			("scheduler_integration.api.setup.quick_setup", "post"),
			("scheduler_integration.api.booking.mark_no_show", "post"),
			("scheduler_integration.api.analytics.get_analytics", "get"),
			("scheduler_integration.api.connections.check", "post"),
		):
			with self.subTest(dotted):
				r = getattr(self.server.session(), http)(method_url(self.server, dotted), timeout=60)
				self.assertEqual(r.status_code, 401, r.text[:300])
				self.assertEqual(body(r).get("code"), "NOT_SIGNED_IN", r.text[:300])
				self.assertNotIn("Traceback", r.text)
		# a guest's page method keeps answering guests
		r = self.server.session().get(
			method_url(self.server, "scheduler_integration.api.public.get_page"),
			params={"profile": "sched-walk"},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:300])

	def test_a_webhook_at_its_published_address_answers_a_wrong_method_405(self):
		for dotted in (
			"scheduler_integration.api.tracking.calendly_webhook",
			"scheduler_integration.api.tracking.acuity_webhook",
			"scheduler_integration.api.scheduler_webhooks.oncehub_webhook",
		):
			with self.subTest(dotted):
				r = self.server.session().get(method_url(self.server, dotted), timeout=60)
				self.assertEqual(r.status_code, 405, r.text[:300])
				self.assertEqual(r.headers.get("Allow"), "POST")
				self.assertEqual(body(r).get("code"), "METHOD_NOT_ALLOWED", r.text[:300])

	def test_a_guest_at_a_frappe_method_the_app_overrides_is_asked_to_sign_in(self):
		for dotted, data in (
			("frappe.client.get_count", {"doctype": "Scheduler Booking", "filters": "[["}),
			("frappe.desk.listview.get_group_by_count", {"current_filters": "[", "field": "status"}),
		):
			with self.subTest(dotted):
				r = self.server.session().post(method_url(self.server, dotted), data=data, timeout=60)
				self.assertEqual(r.status_code, 401, r.text[:300])
				self.assertEqual(body(r).get("code"), "NOT_SIGNED_IN", r.text[:300])
				self.assertNotIn("scheduler_integration", r.text)

	# --- 3. a missing argument, a 429 -------------------------------------------------------

	def test_a_missing_argument_is_a_400_without_a_traceback(self):
		r = self.as_host.post(
			method_url(self.server, "scheduler_integration.api.connections.check"), timeout=60
		)
		self.assertEqual(r.status_code, 400, r.text[:500])
		data = r.json()
		self.assertEqual(data.get("code"), "MISSING_ARGUMENTS", r.text[:500])
		self.assertNotIn("Traceback", r.text)

	def test_a_host_methods_429_carries_no_traceback(self):
		set_settings(**self._saved)  # the site's own limits: quick_setup takes 10 per 10 minutes
		frappe.db.commit()
		try:
			answers = [
				self.as_host.post(
					method_url(self.server, "scheduler_integration.api.setup.quick_setup"),
					json={},
					timeout=60,
				)
				for _ in range(12)
			]
		finally:
			set_settings(**NO_RATE_LIMITS)
			frappe.db.commit()
			frappe.cache.delete_keys("rl:")  # the host's window, for the next test
		limited = [r for r in answers if r.status_code == 429]
		self.assertTrue(limited, [r.status_code for r in answers])
		self.assertNotIn("Traceback", limited[0].text)
		# a per-IP refusal is the app's failure envelope on every method, plain-style ones too
		self.assertEqual(limited[0].json()["message"].get("code"), "RATE_LIMITED", limited[0].text[:300])
		self.assertTrue(limited[0].headers.get("Retry-After", "").isdigit(), limited[0].headers)

	# --- 4. a huge routing condition ----------------------------------------------------------

	def test_a_huge_routing_condition_is_a_field_error(self):
		r = self.as_host.post(
			f"{self.server.base}/api/resource/Scheduler Routing Form",
			json={
				"title": "Walk route",
				"slug": "sched-walk-route",
				"questions": [{"question_key": "size", "label": "Size", "fieldtype": "Data"}],
				"rules": [{"rule_name": "big", "outcome": "Message", "message": "Big"}],
				"conditions": [{"rule": "big", "question": "size", "operator": "is", "value": "x" * 100_000}],
				"fallback_outcome": "Message",
				"fallback_message": "Thanks",
			},
			timeout=60,
		)
		self.assertIn(r.status_code, (400, 417), r.text[:500])
		self.assertIn("at most 1000 characters", r.text)
		self.assertFalse(frappe.db.exists("Scheduler Routing Form", {"slug": "sched-walk-route"}))

	# --- 5. one Contact per guest ----------------------------------------------------------------

	def test_a_series_records_one_contact_for_its_guest(self):
		email = "sam-walk-series@example.com"
		for attempt in range(3):  # the race needs the workers to take the meetings at once
			r = guest_book(
				self.server,
				"sched-walk",
				"walk-series",
				iso(future_day(3 + attempt) + timedelta(hours=9)),
				name="Sam Series",
				email=email,
				count=4,
			)
			self.assertEqual(r.status_code, 201, r.text[:300])
			run_background_jobs()
			frappe.db.rollback()
			contacts = frappe.get_all(
				"Contact Email", filters={"email_id": email, "parenttype": "Contact"}, pluck="parent"
			)
			self.assertEqual(len(contacts), 1, contacts)
			linked = set(frappe.get_all("Scheduler Booking", filters={"guest_email": email}, pluck="contact"))
			effects = frappe.get_all(
				EFFECT,
				filters={
					"booking": (
						"in",
						frappe.get_all("Scheduler Booking", filters={"guest_email": email}, pluck="name"),
					),
					"effect": "crm",
				},
				fields=["booking", "status", "attempts", "last_error"],
			)
			self.assertEqual(linked, set(contacts), effects)

	# --- 6. no series longer than the booking window ----------------------------------------------

	def test_the_page_offers_no_series_longer_than_the_window(self):
		page = self.server.session().get(
			method_url(self.server, "scheduler_integration.api.public.get_page"),
			params={"profile": "sched-walk", "meeting_type": "walk-long"},
			timeout=60,
		)
		self.assertEqual(page.status_code, 200, page.text[:300])
		# 30 days hold 5 weekly meetings (days 0, 7, 14, 21, 28): a 6th would never be free
		self.assertEqual(body(page)["data"]["meeting_type"]["series"]["max"], 5, page.text[:500])
		page = self.server.session().get(
			method_url(self.server, "scheduler_integration.api.public.get_page"),
			params={"profile": "sched-walk", "meeting_type": "walk-series"},
			timeout=60,
		)
		self.assertEqual(body(page)["data"]["meeting_type"]["series"]["max"], 4, page.text[:500])

	# --- 9. a window of dates counts the booker's calendar days --------------------------

	def test_a_window_of_dates_across_a_dst_change_counts_calendar_days(self):
		from scheduler_integration.core.settings import window_days

		days = window_days()
		year = utc_now().year + 1
		# Berlin's clocks go back on the last Sunday of October: October 1 to November 2 and
		# on is the window's days of Berlin's calendar and an hour more
		first = frappe.utils.getdate(f"{year}-10-01")

		def ask(length: int):
			return self.server.session().get(
				method_url(self.server, "scheduler_integration.api.public.get_slots"),
				params={
					"profile": "sched-walk",
					"meeting_type": "walk-call",
					"start": str(first),
					"end": str(first + timedelta(days=length)),
					"timezone": "Europe/Berlin",
				},
				timeout=60,
			)

		self.assertEqual(ask(days).status_code, 200, ask(days).text[:300])
		too_long = ask(days + 1)
		self.assertEqual(too_long.status_code, 400, too_long.text[:300])
		self.assertIn(str(days), body(too_long)["errors"]["end"])

	# --- 10. Frappe's search and export arguments, checked before Frappe reads them ---------

	def test_the_overridden_searches_and_exports_check_frappes_arguments_first(self):
		def call(dotted: str, data: dict, verb: str = "POST"):
			url = method_url(self.server, dotted)
			if verb == "GET":
				return self.as_manager.get(url, params=data, timeout=60)
			return self.as_manager.post(url, json=data, timeout=60)

		search = {"doctype": "Scheduler Meeting Type", "txt": "walk-call"}
		for dotted in ("frappe.desk.search.search_link", "frappe.desk.search.search_widget"):
			with self.subTest(dotted):
				found = call(dotted, {**search, "filters": "", "query": ""}, "GET")  # empty: left out
				self.assertEqual(found.status_code, 200, found.text[:300])
				self.assertIn(self.meeting_type, found.text)
				for filters in ("not json", "3", "[["):
					r = call(dotted, {**search, "filters": filters}, "GET")
					self.assertEqual(r.status_code, 400, f"{filters!r}: {r.text[:300]}")
					answer = r.json()  # Frappe's own shape: a plain-style method
					self.assertEqual(answer.get("code"), "VALIDATION_ERROR", r.text[:300])
					self.assertIn("filters must be JSON", answer.get("exception", ""))
					self.assertNotIn("Traceback", r.text)
		export = {
			"doctype": "Scheduler Meeting Type",
			"fields": '["`tabScheduler Meeting Type`.`name`"]',
			"file_format_type": "CSV",
			"filters": '[["Scheduler Meeting Type", "name", "=", "%s"]]' % self.meeting_type,
		}
		r = call("frappe.desk.reportview.export_query", export)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertIn(self.meeting_type, r.content.decode())
		refused = {
			"fields": ({**export, "fields": None}, 400),
			"format": ({**export, "file_format_type": "PDF"}, 400),
			"order_by": ({**export, "order_by": [None]}, 400),
			"filters": ({**export, "filters": "{"}, 400),
		}
		for label, (data, status) in refused.items():
			with self.subTest(export=label):
				r = call("frappe.desk.reportview.export_query", data)
				self.assertEqual(r.status_code, status, r.text[:300])
				self.assertNotIn("Traceback", r.text)
		today = frappe.utils.getdate()
		report = {
			"report_name": "Scheduler Host Performance",
			"file_format_type": "CSV",
			"filters": {"from_date": str(today - timedelta(days=30)), "to_date": str(today)},
		}
		r = call("frappe.desk.query_report.export_query", report)  # no visible_idx: every column
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertIn("Host", r.content.decode().splitlines()[0])
		for label, data, status in (
			("unknown report", {**report, "report_name": "No Such Report"}, 404),
			("no format", {**report, "file_format_type": None}, 400),
			("filters a list", {**report, "filters": "[1]"}, 400),
			("visible_idx a flag", {**report, "visible_idx": False}, 400),
		):
			with self.subTest(report=label):
				r = call("frappe.desk.query_report.export_query", data)
				self.assertEqual(r.status_code, status, r.text[:300])
				self.assertNotIn("Traceback", r.text)

	# --- 11. no filter, query or option of those overrides gets past the row rules -----------

	def test_no_argument_of_the_overrides_gets_past_the_row_rules(self):
		def call(dotted: str, data: dict):
			return self.as_host.post(method_url(self.server, dotted), json=data, timeout=60)

		def refused(r, label):
			self.assertIn(r.status_code, (400, 417), f"{label}: {r.status_code} {r.text[:300]}")
			self.assertNotIn("Traceback", r.text, label)

		count = "frappe.client.get_count"
		own = call(count, {"doctype": "Scheduler Meeting Type"})
		self.assertEqual(own.status_code, 200, own.text[:300])
		self.assertEqual(own.json()["message"], 3)  # the host's own three types
		open_ended = (
			{"profile": ["timespan", "x"]},
			{"profile": ["between", ["a", "z"]]},
			{"profile": ["between", ["a"]]},
			{"name": ["timespan", "this year"]},
			[["Scheduler Meeting Type", "profile", "between", ["a", "z"]]],
		)
		for filters in open_ended:
			refused(
				call(count, {"doctype": "Scheduler Meeting Type", "filters": filters}), f"count {filters}"
			)
			for search in ("frappe.desk.search.search_link", "frappe.desk.search.search_widget"):
				refused(
					call(search, {"doctype": "Scheduler Meeting Type", "txt": "", "filters": filters}),
					f"{search} {filters}",
				)
			refused(
				call(
					"frappe.desk.reportview.export_query",
					{
						"doctype": "Scheduler Meeting Type",
						"fields": ["`tabScheduler Meeting Type`.`name`"],
						"file_format_type": "CSV",
						"filters": filters,
					},
				),
				f"export {filters}",
			)
		search = {"doctype": "Scheduler Meeting Type", "txt": ""}
		for label, extra in (
			("a key that is SQL", {"filters": {"name` or 1=1 or `name": "x"}}),
			("a method as query", {"query": "scheduler_integration.api.public.cancel"}),
			("a Frappe method as query", {"query": "frappe.client.get_value"}),
			("a negative page", {"page_length": -1}),
			("a huge page", {"page_length": 10**20}),
			("a tree operator", {"filters": {"name": ["descendants of", "x"]}}),
			("like with a list", {"filters": {"name": ["like", ["a"]]}}),
		):
			refused(call("frappe.desk.search.search_widget", {**search, **extra}), label)
		export = {
			"doctype": "Scheduler Meeting Type",
			"fields": ["`tabScheduler Meeting Type`.`name`"],
			"file_format_type": "CSV",
		}
		for label, extra in (
			("an order of no column", {"order_by": "nosuch"}),
			("an expression as order", {"order_by": "(select 1)"}),
			("an expression as column", {"fields": ["version()"]}),
			("a quoting out of range", {"csv_quoting": 99}),
			("selected rows not JSON", {"selected_items": "not json"}),
		):
			refused(call("frappe.desk.reportview.export_query", {**export, **extra}), label)
		named = call("frappe.desk.reportview.export_query", {**export, "title": "../../etc/passwd\r\nX: y"})
		self.assertEqual(named.status_code, 200, named.text[:300])
		self.assertNotIn("/", named.headers.get("Content-Disposition", "").split("filename=", 1)[1])
		self.assertNotIn("\n", named.headers.get("Content-Disposition", ""))

	def test_the_document_is_cached_publicly_only_without_a_session_cookie(self):
		url = method_url(self.server, "scheduler_integration.api.openapi.document")
		guest = self.server.session().get(url, timeout=60)
		self.assertEqual(guest.status_code, 200)
		self.assertTrue(guest.headers["Cache-Control"].startswith("public"), guest.headers)
		self.assertNotIn("Set-Cookie", guest.headers)
		signed_in = self.as_host.get(url, timeout=60)
		self.assertEqual(signed_in.status_code, 200)
		self.assertTrue(signed_in.headers["Cache-Control"].startswith("private"), signed_in.headers)
