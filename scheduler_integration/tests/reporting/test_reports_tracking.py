"""Report sections (Jinja in a real Print Format), tracked links, funnel, Calendly webhook,
analytics figures and engagement permissions — over real HTTP where a guest is involved."""

from __future__ import annotations

import json
import time
import typing
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import frappe

from scheduler_integration.core.clock import to_utc
from scheduler_integration.core.settings import store
from scheduler_integration.reporting import engagement
from scheduler_integration.reporting import links as report_links
from scheduler_integration.reporting.analytics import BOOKING_STATUS, SeedStatus
from scheduler_integration.reporting.links import reference_fields as reference_from_token
from scheduler_integration.reporting.section import scheduler_section, scheduler_section_markdown
from scheduler_integration.rules.tracking import calendly_signature
from scheduler_integration.tests.factory import (
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
)
from scheduler_integration.tests.live import LiveServer, cleanup, make_user, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

A = "sched-rep-a@example.com"  # native booking pages
B = "sched-rep-b@example.com"  # Calendly
M = "sched-rep-manager@example.com"
HOSTS = [A, B]
API = "scheduler_integration.api"
CAL_URL = "https://calendly.com/rep-b/30min-strategy"
SIGNING_KEY = "test-calendly-signing-key-123"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def message(response):
	try:
		data = response.json()
	except ValueError:
		return {}
	return data.get("message") if isinstance(data.get("message"), dict) else data


def clear_engagements(since):
	"""This class's engagements: its hosts', and the host-less ones (hostile or unknown links) made
	since it began; a site's own host-less engagements stay."""
	frappe.db.commit()
	frappe.db.delete("Scheduler Engagement", {"host": ("in", HOSTS)})
	frappe.db.delete("Scheduler Engagement", {"host": ("is", "not set"), "creation": (">=", since)})
	frappe.db.commit()


class TestReportsTracking(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.began = frappe.utils.add_to_date(frappe.utils.now_datetime(), seconds=-1)
		settings = frappe.get_single("Scheduler Settings")
		cls._limits = (settings.public_rate_limit, settings.booking_rate_limit, settings.anonymize_ip)
		settings.public_rate_limit = 100000
		settings.booking_rate_limit = 100000
		settings.anonymize_ip = 0
		settings.calendly_signing_key = SIGNING_KEY
		settings.save(ignore_permissions=True)
		make_user(M, roles=("Scheduler Manager",))
		cls.profile_a = make_host(A, "rep-host-a")
		cls.profile_b = make_host(B, "rep-host-b")
		for profile in (cls.profile_a, cls.profile_b):
			frappe.db.set_value(
				"Scheduler Profile", profile, {"show_in_reports": 1, "embed_in_reports": 0, "embed_code": ""}
			)
		pb = frappe.get_doc("Scheduler Profile", cls.profile_b)
		pb.update(
			{
				"scheduler_provider": "calendly",
				"scheduler_url": "https://calendly.com/rep-b",
				"embed_in_reports": 1,
				"embed_code": f'<iframe src="{CAL_URL}" width="100%" height="600" frameborder="0"></iframe>',
			}
		)
		pb.save(ignore_permissions=True)
		phase = lambda *names: [{"phase": n} for n in names]  # noqa: E731
		cls.strategy = make_type(
			cls.profile_a,
			"strategy",
			30,
			title="30-Minute Strategy Session",
			description="Review your top 3 priorities\nCreate a 90-day plan",
			recommended_phases=phase("Stabilize", "Organize", "Build"),
			priority=10,
		)
		cls.deep = make_type(
			cls.profile_a,
			"deep-dive",
			60,
			title="60-Minute Deep Dive",
			recommended_phases=phase("Build", "Grow"),
			priority=8,
		)
		cls.hostile = make_type(
			cls.profile_a,
			"hostile",
			15,
			title=HOSTILE[:100],
			description=HOSTILE,
			recommended_phases=phase("Systemic"),
			priority=1,
		)
		cls.cal_type = make_type(
			cls.profile_b,
			"cal-strategy",
			30,
			title="Calendly Strategy",
			scheduler_event_url=CAL_URL,
			recommended_phases=phase("Build"),
		)
		cls.todo = frappe.get_doc({"doctype": "ToDo", "description": "Client report for ACME"}).insert(
			ignore_permissions=True
		)
		frappe.db.commit()
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		settings = frappe.get_single("Scheduler Settings")
		settings.public_rate_limit, settings.booking_rate_limit, settings.anonymize_ip = cls._limits
		settings.calendly_signing_key = ""
		settings.save(ignore_permissions=True)
		clear_engagements(cls.began)
		clear_bookings(HOSTS)
		cleanup([*HOSTS, M], delete_users=True)
		frappe.delete_doc("ToDo", cls.todo.name, ignore_permissions=True, force=True)
		for name in frappe.get_all("Print Format", {"name": ("like", "Sched Rep Test%")}, pluck="name"):
			frappe.delete_doc("Print Format", name, ignore_permissions=True, force=True)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		clear_engagements(self.began)

	# --- the section ---------------------------------------------------------------------------
	def print_html(self, template: str) -> str:
		name = "Sched Rep Test " + frappe.generate_hash(length=6)
		frappe.get_doc(
			{
				"doctype": "Print Format",
				"name": name,
				"doc_type": "ToDo",
				"module": "Scheduler Integration",
				"standard": "No",
				"custom_format": 1,
				"print_format_type": "Jinja",
				"html": template,
			}
		).insert(ignore_permissions=True)
		return frappe.get_print("ToDo", self.todo.name, print_format=name)

	def test_print_format_renders_the_section_with_tracked_links(self):
		html = self.print_html(
			f"<h1>Report</h1>{{{{ scheduler_section('{A}', 'Build', 'D', doc.doctype, doc.name) }}}}"
		)
		self.assertIn("Let&#39;s Discuss Your Next Steps", html.replace("&#x27;", "&#39;"))
		self.assertIn("30-Minute Strategy Session", html)
		self.assertIn("60-Minute Deep Dive", html)
		self.assertNotIn("Hostile", html)
		self.assertLess(html.index("30-Minute Strategy"), html.index("60-Minute Deep Dive"))
		self.assertIn("Review your top 3 priorities<br>Create a 90-day plan", html)
		self.assertIn("30 minutes", html)
		links = [part.split('"')[0].replace("&amp;", "&") for part in html.split('href="')[1:]]
		tracked = [link for link in links if "api.tracking.go" in link]
		self.assertEqual(len(tracked), 2, links)
		query = parse_qs(urlsplit(tracked[0]).query)
		self.assertEqual(query["utm_medium"], ["report"])
		self.assertEqual(query["utm_campaign"], ["phase_build"])
		ref = report_links.read_token(query["t"][0])
		self.assertEqual(
			(ref.consultant, ref.meeting_type, ref.phase, ref.reference_doctype, ref.reference_name),
			(A, self.strategy, "Build", "ToDo", self.todo.name),
		)
		self.assertNotIn("<iframe", html)  # embed_in_reports is off for A

		md = scheduler_section_markdown(A, "Build", "S", "ToDo", self.todo.name)
		self.assertTrue(md.startswith("## Let's Work Together on Your Next Steps"))
		self.assertIn("### 30\\-Minute Strategy Session", md)
		self.assertIn("(<http", md)

	def test_external_scheduler_section_embeds_the_sanitised_iframe(self):
		html = str(scheduler_section(B, "build", "C", "ToDo", self.todo.name))
		self.assertIn("Calendly Strategy", html)
		self.assertIn("Based on your Build phase assessment", html)
		self.assertIn(f'<iframe src="{CAL_URL}" width="100%" height="600" frameborder="0"></iframe>', html)
		# the stored embed turns hostile behind the validator's back: nothing is printed
		frappe.db.set_value(
			"Scheduler Profile",
			self.profile_b,
			"embed_code",
			f'<iframe src="{CAL_URL}" onload="alert(1)"></iframe><script>alert(2)</script>',
		)
		frappe.clear_document_cache("Scheduler Profile", self.profile_b)
		try:
			html = str(scheduler_section(B, "Build", "C"))
			self.assertNotIn("<iframe", html)
			self.assertNotIn("<script", html)
			self.assertIn("Calendly Strategy", html)
		finally:
			frappe.db.rollback()
			frappe.clear_document_cache("Scheduler Profile", self.profile_b)

	def test_hostile_type_names_and_descriptions_are_escaped(self):
		# Frappe sanitises Data fields on save; write raw values the way an import or SQL would
		frappe.db.set_value(
			"Scheduler Meeting Type", self.hostile, {"title": HOSTILE[:140], "description": HOSTILE}
		)
		try:
			html = self.print_html(f"{{{{ scheduler_section('{A}', 'Systemic', 'I') }}}}")
			start = html.index('<div class="scheduler-section">')
			section = html[start : html.index('<p class="scheduler-closing">', start)]  # I closes warmly
			self.assertIn('class="scheduler-link', section)
			self.assertNotIn("<script", section)
			self.assertNotIn("<img", section)
			self.assertIn("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", section)
			self.assertIn("&lt;img src=x onerror=alert(1)&gt;", section)
			md = scheduler_section_markdown(A, "Systemic", "I")
			self.assertNotIn("<script", md)
			self.assertNotIn("<img", md)
			self.assertIn("&lt;script&gt;", md)
		finally:
			frappe.db.rollback()

	def test_nothing_when_hidden_or_unknown(self):
		self.assertEqual(str(scheduler_section("nobody@example.com", "Build", "D")), "")
		self.assertEqual(str(scheduler_section(None, "Build", "D")), "")
		frappe.db.set_value("Scheduler Profile", self.profile_a, "show_in_reports", 0)
		frappe.clear_document_cache("Scheduler Profile", self.profile_a)
		try:
			self.assertEqual(str(scheduler_section(A, "Build", "D")), "")
			self.assertEqual(scheduler_section_markdown(A, "Build", "D"), "")
			html = self.print_html(
				f"<p>before</p>{{{{ scheduler_section('{A}', 'Build', 'D') }}}}<p>after</p>"
			)
			self.assertIn("<p>before</p><p>after</p>", html)
		finally:
			frappe.db.rollback()
			frappe.clear_document_cache("Scheduler Profile", self.profile_a)

	# --- redirect ----------------------------------------------------------------------------
	def go(self, token, **headers):
		return self.guest.get(
			method_url(self.server, f"{API}.tracking.go"),
			params={"t": token},
			headers=headers,
			allow_redirects=False,
			timeout=30,
		)

	def test_redirect_records_the_click_and_passes_the_reference(self):
		token = report_links.make_token(A, self.strategy, "Build", "ToDo", self.todo.name)
		r = self.go(token, Referer="https://reports.example.com/acme", **{"User-Agent": "PDF Reader 1.0"})
		self.assertEqual(r.status_code, 302, r.text[:300])
		target = urlsplit(r.headers["Location"])
		self.assertEqual(target.path, "/book/rep-host-a/strategy")
		query = parse_qs(target.query)
		self.assertEqual(query["ref"], [token])
		self.assertEqual(query["utm_campaign"], ["phase_build"])
		self.assertEqual(query["utm_medium"], ["report"])
		frappe.db.rollback()
		rows = frappe.get_all("Scheduler Engagement", filters={"host": A}, fields=["*"])
		self.assertEqual(len(rows), 1)
		row = rows[0]
		self.assertEqual(
			(row.event_type, row.meeting_type, row.phase, row.reference_doctype, row.reference_name),
			("link_clicked", self.strategy, "Build", "ToDo", self.todo.name),
		)
		self.assertEqual(
			(row.referrer, row.user_agent), ("https://reports.example.com/acme", "PDF Reader 1.0")
		)
		self.assertEqual(row.ip_address, "127.0.0.1")
		self.assertEqual(row.utm_campaign, "phase_build")
		self.assertEqual(
			reference_from_token(token),
			{"source": "report", "reference_doctype": "ToDo", "reference_name": self.todo.name},
		)

		# external scheduler: the type's own URL with UTM (and the token for Calendly's tracking)
		token_b = report_links.make_token(B, self.cal_type, "Build")
		r = self.go(token_b)
		self.assertEqual(r.status_code, 302)
		self.assertTrue(r.headers["Location"].startswith(CAL_URL + "?utm_source="), r.headers["Location"])

	def test_anonymised_ip(self):
		store(anonymize_ip=1)
		frappe.db.commit()
		try:
			self.assertEqual(self.go(report_links.make_token(A, self.strategy, "Build")).status_code, 302)
			frappe.db.rollback()
			self.assertEqual(
				frappe.db.get_value("Scheduler Engagement", {"host": A}, "ip_address"), "127.0.0.0"
			)
		finally:
			store(anonymize_ip=0)
			frappe.db.commit()

	def test_forged_and_foreign_tokens_never_redirect(self):
		good = report_links.make_token(A, self.strategy, "Build")
		payload, mac = good.split(".")
		other = report_links.make_token(B, self.cal_type).split(".")[0]
		cases = {
			"tampered mac": f"{payload}.{mac[:-2]}xx",
			"payload of another link": f"{other}.{mac}",
			"foreign type": report_links.make_token(A, self.cal_type, "Build"),  # B's type, A's link
			"unknown consultant": report_links.make_token("nobody@example.com"),
			"garbage": "https://evil.example.com/",
			"empty": "",
		}
		for label, token in cases.items():
			r = self.go(token)
			self.assertEqual(r.status_code, 404, label)
			self.assertNotIn("Location", r.headers, label)
		r = self.guest.get(
			method_url(self.server, f"{API}.tracking.go"),
			params={"t": good, "next": "https://evil.example.com", "redirect_to": "https://evil.example.com"},
			allow_redirects=False,
			timeout=30,
		)
		self.assertEqual(urlsplit(r.headers["Location"]).netloc, urlsplit(frappe.utils.get_url()).netloc)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Scheduler Engagement", {"host": ("in", HOSTS)}), 1)
		self.assertEqual(reference_from_token(cases["tampered mac"]), {})
		self.assertEqual(reference_from_token(None), {})

	def test_track_click_endpoint(self):
		url = method_url(self.server, f"{API}.tracking.track_click")
		token = report_links.make_token(A, self.deep, "Grow", "ToDo", self.todo.name)
		r = self.guest.post(url, json={"token": token, "referrer": "https://r.example.com/x"}, timeout=30)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(message(r)["message"], "Click tracked successfully")
		self.assertEqual(self.guest.post(url, json={"token": token + "x"}, timeout=30).status_code, 404)
		self.assertIn(self.guest.get(url, params={"token": token}, timeout=30).status_code, (403, 405))
		frappe.db.rollback()
		row = frappe.get_all(
			"Scheduler Engagement", filters={"host": A}, fields=["meeting_type", "phase", "referrer"]
		)
		self.assertEqual([tuple(r.values()) for r in row], [(self.deep, "Grow", "https://r.example.com/x")])

	# --- booking from a report, funnel --------------------------------------------------------
	def test_booking_from_a_report_link_records_reference_funnel_and_outcomes(self):
		clear_bookings(HOSTS)
		token = report_links.make_token(A, self.strategy, "Build", "ToDo", self.todo.name)
		step_url = method_url(self.server, f"{API}.tracking.track_step")
		session = "sess-" + frappe.generate_hash(length=12)
		base = {"session_id": session, "profile": "rep-host-a", "meeting_type": "strategy", "ref": token}
		for step in ("page_viewed", "type_selected", "page_viewed", "slot_selected", "form_submitted"):
			r = self.guest.post(step_url, json={**base, "step": step}, timeout=30)
			self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(
			self.guest.post(step_url, json={**base, "step": "hacked"}, timeout=30).status_code, 400
		)
		self.assertEqual(
			self.guest.post(
				step_url, json={**base, "step": "page_viewed", "session_id": "x"}, timeout=30
			).status_code,
			400,
		)
		start = future_day(9).replace(hour=10)
		r = self.guest.post(
			method_url(self.server, f"{API}.public.book"),
			json={
				"profile": "rep-host-a",
				"meeting_type": "strategy",
				"start": iso(start),
				"name": "Ann Client",
				"email": "ann@acme.example",
				"company": "ACME",
				"timezone": "UTC",
				"ref": token,
				"utm_source": "scheduler_integration",
				"utm_medium": "report",
				"utm_campaign": "phase_build",
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 201, r.text[:500])
		data = message(r)["data"]
		manage_token = data["manage_url"].rsplit("/", 1)[1]
		r = self.guest.post(
			step_url, json={**base, "step": "meeting_booked", "token": manage_token}, timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(
			self.guest.post(
				step_url, json={**base, "step": "meeting_booked", "token": "nope-nope"}, timeout=30
			).status_code,
			404,
		)
		run_background_jobs()
		frappe.db.rollback()
		booking = frappe.get_doc("Scheduler Booking", data["id"])
		self.assertEqual(
			(booking.reference_doctype, booking.reference_name, booking.source),
			("ToDo", self.todo.name, "report"),
		)
		booked = frappe.get_all(
			"Scheduler Engagement",
			filters={"booking": booking.name, "event_type": "meeting_booked"},
			fields=["host", "phase", "reference_name", "session_id", "client", "scheduled_for"],
		)
		self.assertEqual(len(booked), 1)
		self.assertEqual(
			(
				booked[0].host,
				booked[0].phase,
				booked[0].reference_name,
				booked[0].session_id,
				booked[0].client,
			),
			(A, "Build", self.todo.name, session, "ACME"),
		)
		steps = frappe.get_all(
			"Scheduler Engagement", filters={"session_id": session}, pluck="event_type", order_by="creation"
		)
		self.assertEqual(
			sorted(steps),
			sorted(["page_viewed", "type_selected", "slot_selected", "form_submitted", "meeting_booked"]),
		)
		# the funnel report counts this session through every step
		from frappe.desk.query_report import run

		result = run("Scheduler Booking Funnel", filters={"host": A})
		self.assertEqual([row["sessions"] for row in result["result"]], [1, 1, 1, 1, 1])

		# outcomes follow the lifecycle
		booking.status = "No Show"
		booking.flags.ignore_permissions = True
		booking.flags.now = to_utc(booking.start) + timedelta(hours=1)  # the meeting has happened
		booking.save()
		frappe.db.commit()
		run_background_jobs()
		frappe.db.rollback()
		self.assertTrue(
			frappe.db.exists("Scheduler Engagement", {"booking": booking.name, "event_type": "no_show"})
		)
		clear_bookings(HOSTS)

	# --- Calendly ----------------------------------------------------------------------------
	def calendly(self, payload, *, key=SIGNING_KEY, stamp=None, header=True):
		body = json.dumps(payload).encode()
		headers = {"Content-Type": "application/json"}
		if header:
			headers["Calendly-Webhook-Signature"] = calendly_signature(body, key, stamp or int(time.time()))
		return self.guest.post(
			method_url(self.server, f"{API}.tracking.calendly_webhook"),
			data=body,
			headers=headers,
			timeout=30,
		)

	def invitee(self, event, uri="https://api.calendly.com/scheduled_events/E1/invitees/I1", **extra):
		return {
			"event": event,
			"created_at": "2030-05-01T10:00:00.000000Z",
			"payload": {
				"uri": uri,
				"name": "Bob Buyer",
				"email": "bob@buyer.example",
				"scheduled_event": {
					"uri": "https://api.calendly.com/scheduled_events/E1",
					"event_type": CAL_URL,
					"start_time": "2030-05-08T15:00:00.000000Z",
					"event_memberships": [{"user_email": "someone-else@example.com"}],
				},
				"tracking": {
					"utm_campaign": "phase_build",
					"utm_content": report_links.make_token(B, self.cal_type, "Build", "ToDo", self.todo.name),
				},
				**extra,
			},
		}

	def test_calendly_webhook_signature_and_events(self):
		created = self.invitee("invitee.created")
		self.assertEqual(self.calendly(created, header=False).status_code, 401)
		self.assertEqual(self.calendly(created, key="wrong-key").status_code, 401)
		self.assertEqual(self.calendly(created, stamp=int(time.time()) - 600).status_code, 400)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Scheduler Engagement", {"host": B}), 0)
		r = self.calendly(created)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(self.calendly(created).status_code, 200)  # a retry is not counted twice
		self.assertEqual(self.calendly(self.invitee("invitee.canceled")).status_code, 200)
		self.assertEqual(self.calendly({"event": "routing_form_submission.created"}).status_code, 200)
		# matched by the organizer's email when the event type is unknown
		by_email = self.invitee(
			"invitee.created", uri="https://api.calendly.com/scheduled_events/E2/invitees/I2"
		)
		by_email["payload"]["scheduled_event"]["event_type"] = "https://api.calendly.com/event_types/unknown"
		by_email["payload"]["scheduled_event"]["event_memberships"] = [{"user_email": B}]
		by_email["payload"]["tracking"] = {}
		self.assertEqual(self.calendly(by_email).status_code, 200)
		frappe.db.rollback()
		rows = frappe.get_all(
			"Scheduler Engagement",
			filters={"host": B},
			fields=[
				"event_type",
				"meeting_type",
				"phase",
				"reference_name",
				"client",
				"external_event_id",
				"scheduled_for",
			],
			order_by="creation",
		)
		self.assertEqual(
			[(r.event_type, r.meeting_type, r.phase, r.reference_name) for r in rows],
			[
				("meeting_booked", self.cal_type, "Build", self.todo.name),
				("meeting_cancelled", self.cal_type, "Build", self.todo.name),
				("meeting_booked", None, None, None),
			],
		)
		self.assertEqual(rows[0].client, "Bob Buyer")
		self.assertIsNotNone(rows[0].scheduled_for)

	# --- analytics ---------------------------------------------------------------------------
	def seed(self):
		"""Host A in March 2031 (and one event outside it), host B once."""
		t = lambda day, hour=10: datetime(2031, 3, day, hour, 0)  # noqa: E731
		e = engagement.record
		for day in range(1, 9):  # 8 clicks on strategy: 6 Build, 2 Grow
			e(
				"link_clicked",
				host=A,
				meeting_type=self.strategy,
				phase="Build" if day <= 6 else "Grow",
				occurred_at=t(day),
			)
		for day in (2, 3):  # 2 clicks on deep dive, Build
			e("link_clicked", host=A, meeting_type=self.deep, phase="Build", occurred_at=t(day))
		e(
			"meeting_booked",
			host=A,
			meeting_type=self.strategy,
			phase="Build",
			client="ACME",
			occurred_at=t(5),
			scheduled_for=t(20),
		)
		e(
			"meeting_booked",
			host=A,
			meeting_type=self.strategy,
			phase="Grow",
			client="Beta",
			occurred_at=t(7),
			scheduled_for=t(21),
		)
		e(
			"meeting_booked",
			host=A,
			meeting_type=self.deep,
			phase="Build",
			client="Gamma",
			occurred_at=t(9),
			scheduled_for=t(22),
		)
		e("meeting_completed", host=A, meeting_type=self.strategy, phase="Build", occurred_at=t(20))
		e("page_viewed", host=A, meeting_type=self.strategy, session_id="s-analytics-1", occurred_at=t(3))
		e(
			"link_clicked",
			host=A,
			meeting_type=self.strategy,
			phase="Build",
			occurred_at=datetime(2031, 4, 1, 0, 0, 1),
		)
		e("link_clicked", host=B, meeting_type=self.cal_type, phase="Build", occurred_at=t(4))
		frappe.db.commit()

	def analytics(self, session, **params):
		return session.get(
			method_url(self.server, f"{API}.analytics.get_analytics"), params=params, timeout=30
		)

	def test_analytics_figures_and_permissions(self):
		self.seed()
		a, b, m = self.server.session(A), self.server.session(B), self.server.session(M)
		dates = {"start_date": "2031-03-01", "end_date": "2031-03-31"}
		r = self.analytics(a, **dates)
		self.assertEqual(r.status_code, 200, r.text[:300])
		data = message(r)["data"]
		# hand-computed: 10 clicks, 3 bookings (30.0 %), 1 completed
		self.assertEqual(
			data["summary"],
			{"total_clicks": 10, "total_bookings": 3, "conversion_rate": 30.0, "total_completed": 1},
		)
		self.assertEqual(
			[
				(
					t["meeting_type_id"],
					t["name"],
					t["clicks"],
					t["bookings"],
					t["completed"],
					t["conversion_rate"],
				)
				for t in data["by_meeting_type"]
			],
			[
				(self.strategy, "30-Minute Strategy Session", 8, 2, 1, 25.0),
				(self.deep, "60-Minute Deep Dive", 2, 1, 0, 50.0),
			],
		)
		self.assertEqual(
			data["by_phase"], {"Build": {"clicks": 8, "bookings": 2}, "Grow": {"clicks": 2, "bookings": 1}}
		)
		self.assertEqual([x["client_name"] for x in data["recent_bookings"]], ["Gamma", "Beta", "ACME"])
		self.assertEqual(data["recent_bookings"][0]["scheduled_for"][:10], "2031-03-22")
		# a recent booking's status is one of the seed API's names, which its type lists
		self.assertEqual(set(typing.get_args(SeedStatus)), set(BOOKING_STATUS.values()))
		# the whole team's video providers (the answer held to its type, as every answer here)
		r = m.get(
			method_url(self.server, f"{API}.analytics.get_provider_analytics"),
			params={"user": "all"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertIsInstance(message(r)["data"]["providers"], list)
		# without dates the April click counts too
		self.assertEqual(message(self.analytics(a))["data"]["summary"]["total_clicks"], 11)
		# the manager sees A's figures; B may not; a guest must sign in
		self.assertEqual(message(self.analytics(m, user=A, **dates))["data"], data)
		self.assertEqual(self.analytics(b, user=A, **dates).status_code, 403)
		self.assertEqual(message(self.analytics(b, **dates))["data"]["summary"]["total_clicks"], 1)
		self.assertIn(self.analytics(self.guest, user=A).status_code, (401, 403))
		self.assertEqual(self.analytics(a, start_date="March").status_code, 400)
		self.assertEqual(self.analytics(a, start_date="2031-03-05", end_date="2031-03-01").status_code, 400)

		# row-level permissions on the documents themselves
		frappe.set_user(A)
		mine = frappe.get_list("Scheduler Engagement", pluck="host")
		self.assertTrue(mine and set(mine) == {A})
		other = frappe.get_all("Scheduler Engagement", filters={"host": B}, pluck="name")[0]
		self.assertFalse(frappe.has_permission("Scheduler Engagement", "read", other, user=A))
		self.assertFalse(
			frappe.has_permission(
				"Scheduler Engagement",
				"write",
				frappe.get_list("Scheduler Engagement", pluck="name")[0],
				user=A,
			)
		)
		frappe.set_user(M)
		self.assertEqual(
			set(frappe.get_list("Scheduler Engagement", filters={"host": ("in", HOSTS)}, pluck="host")),
			{A, B},
		)
		frappe.set_user("Administrator")
		for who, expected in ((a, {A}), (b, {B})):
			r = who.get(
				f"{self.server.base}/api/resource/Scheduler Engagement",
				params={"fields": '["host"]', "limit_page_length": 0},
				timeout=30,
			)
			self.assertEqual(r.status_code, 200, r.text[:200])
			self.assertEqual({row["host"] for row in r.json()["data"]}, expected)
		r = self.guest.get(f"{self.server.base}/api/resource/Scheduler Engagement", timeout=30)
		self.assertIn(r.status_code, (401, 403))
		r = a.post(
			f"{self.server.base}/api/resource/Scheduler Engagement",
			json={"event_type": "link_clicked", "host": A},
			timeout=30,
		)
		self.assertEqual(r.status_code, 403)

	def test_desk_reports(self):
		self.seed()
		from frappe.desk.query_report import run

		filters = {"from_date": "2031-03-01", "to_date": "2031-03-31", "host": A}
		by_type = run("Scheduler Engagement Analysis", filters={**filters, "group_by": "Meeting Type"})[
			"result"
		]
		strategy = next(row for row in by_type if row["group"] == self.strategy)
		self.assertEqual((strategy["clicks"], strategy["bookings"], strategy["completed"]), (8, 2, 1))
		# shown by title, not by the type's random name
		self.assertEqual(
			strategy["group_name"], frappe.db.get_value("Scheduler Meeting Type", self.strategy, "title")
		)
		by_phase = run("Scheduler Engagement Analysis", filters={**filters, "group_by": "Phase"})["result"]
		self.assertEqual({row["group"]: row["clicks"] for row in by_phase}, {"Build": 8, "Grow": 2})
		perf = run("Scheduler Host Performance", filters={"host": A})
		self.assertIn("avg_lead_time_hours", [c["fieldname"] for c in perf["columns"]])
