"""The hosts' emails say how to reach the guest, and every reader reads times their way.

Over real HTTP, with the site's workers sending through a local SMTP sink (``factory.Outbox``):

- a guest books a Phone meeting of two hosts with phone, company, answers, notes and
  colleagues: each host's *New booking* and *Reminder* carry every one of them (the phone
  as a ``tel:`` link, the answers in the type's question order, a multi-select joined),
  escaped once, and nothing of the guest's text runs as markup or template code;
- each reader gets one date and clock format, from their language and region
  (``rules.locales``): the guest the locale their browser booked in (en-US, even from
  London), a host their User language with their zone's region (en-IN, de-DE);
- a rep's booking for a prospect from the record says the rep booked it with them, in the
  New booking email and on the record's timeline;
- in Chromium, the booking page writes a date and a time exactly as the emails do for the
  same locale (en-US, en-GB, de-DE, fr-FR), and the locale it books in is the booking's.
"""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import subprocess
import time
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path

import frappe

from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.effects import reminders
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.rules.locales import full_date, short_time
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
from scheduler_integration.tests.live import (
	LiveServer,
	body,
	cleanup,
	guest_book,
	make_user,
	method_url,
	purge_guests,
)
from scheduler_integration.tests.pages.test_browser_e2e import missing, node_modules
from scheduler_integration.tests.pages.test_languages import in_language
from scheduler_integration.tests.utils import SchedulerTestCase

A = "sched-hostmail-a@example.com"  # English, in Kolkata: en-IN
B = "sched-hostmail-b@example.com"  # German, in Berlin: de-DE
C = "sched-hostmail-c@example.com"  # the browser test's host, in UTC
GUEST = "gus-hostmail@example.org"
LEAD = "walk-lead-hostmail@example.org"
BROWSER_GUEST = "lena-locale@example.org"
COLLEAGUES = ["ann-hostmail@example.org", "ben-hostmail@example.org"]
GUESTS = [GUEST, LEAD, BROWSER_GUEST, *COLLEAGUES]
HERE = Path(__file__).resolve().parents[1]  # tests/, which holds e2e/ beside the areas
QUESTIONS = [
	{"label": "What should we cover?", "fieldtype": "Data"},
	{"label": "Topics", "fieldtype": "Multi Select", "options": "Pricing\nOnboarding\nSupport"},
	{"label": "First call?", "fieldtype": "Check"},
	{"label": "Team size", "fieldtype": "Select", "options": "1-10\n11-50"},
	{"label": "Anything else?", "fieldtype": "Data"},  # left empty: not shown
]


def spaces(text: str) -> str:
	"""CLDR's no-break spaces as plain ones, runs of white space as one."""
	return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def en_us(moment) -> tuple[str, str]:
	"""en-US's full date and short time, written out without Babel."""
	hour = moment.hour % 12 or 12
	day = f"{moment:%A}, {moment:%B} {moment.day}, {moment.year}"
	return day, f"{hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


class Mail:
	"""One email as the SMTP sink received it (its HTML without the style attributes
	Frappe inlines into every tag)."""

	def __init__(self, raw: str):
		message = email.message_from_string(raw)
		self.to = message["To"].strip().lower()
		self.id = message["Message-Id"]
		self.subject = str(make_header(decode_header(message["Subject"])))
		html = "".join(
			(part.get_payload(decode=True) or b"").decode(part.get_content_charset() or "utf-8", "replace")
			for part in message.walk()
			if part.get_content_type() == "text/html"
		)
		self.html = re.sub(r' style="[^"]*"', "", html)


def delivered(outbox: Outbox, booking: str) -> list[Mail]:
	"""Every email about ``booking`` as the SMTP sink received it. A site worker hands each
	to the sink after its job's commit; one that a worker forked by this test process sent
	(SMTP muted in tests) is handed over here, for real."""
	queued = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Scheduler Booking", "reference_name": booking},
		pluck="name",
	)
	for _ in range(100):
		frappe.db.rollback()
		if {frappe.db.get_value("Email Queue", n, "status") for n in queued} <= {"Sent", "Error"}:
			break
		time.sleep(0.1)
	ids = {name: frappe.db.get_value("Email Queue", name, "message_id").strip("<>") for name in queued}

	def received(message_id):
		return next((raw for raw in outbox.messages if message_id in raw), None)

	unsent = [name for name, message_id in ids.items() if received(message_id) is None]
	if unsent:
		frappe.flags.testing_email = True
		try:
			for name in unsent:
				frappe.db.set_value("Email Queue Recipient", {"parent": name}, "status", "Not Sent")
				frappe.get_doc("Email Queue", name).send(force_send=True)
		finally:
			frappe.flags.testing_email = False
		frappe.db.commit()
	found = [received(message_id) for message_id in ids.values()]
	if None in found:
		raise AssertionError(f"{found.count(None)} of {len(found)} emails never reached the sink")
	return [Mail(raw) for raw in found]


class TestHostEmails(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cleanup([A, B], delete_users=True)  # what a killed run left
			purge_guests(GUESTS)
			cls._saved = set_settings(**NO_RATE_LIMITS, remind_host=1)
			cls.outbox = Outbox()
			make_user(A, first_name="Asha")
			cls.pa = make_host(A, "hostmail-a", tz="Asia/Kolkata")
			cls.pb = make_host(B, "hostmail-b", tz="Europe/Berlin")
			frappe.db.set_value("User", A, "language", "en")
			frappe.db.set_value("User", B, "language", "de")
			cls.call = make_type(
				cls.pa,
				"hostmail-call",
				30,
				location_type="Phone",
				assignment="Collective",
				hosts=[{"user": A}, {"user": B}],
				questions=QUESTIONS,
				max_attendees=2,
				reminder_offsets="1440",
			)
			cls.rep_call = make_type(cls.pa, "hostmail-rep", 30, location_type="In Person")
			frappe.db.commit()
			cls.server = LiveServer.get_instance()
			cls.day = future_day(6)
			clear_bookings([A, B])
		except Exception:  # leave the site as found even when setting up failed
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		if getattr(cls, "outbox", None):
			cls.outbox.close()
		set_settings(**getattr(cls, "_saved", {}))
		clear_bookings([A, B])
		purge_guests(GUESTS)
		frappe.db.commit()
		cleanup([A, B], delete_users=True)
		super().tearDownClass()

	def assert_reads(self, mail: Mail, start, zone: str, locale: str):
		local = to_utc(start).astimezone(get_zone(zone))
		day, clock = full_date(local, locale), short_time(local, locale)
		# "{0} at {1}" is translated for a German host: the date and the time, each as read
		self.assertIn(day, spaces(mail.html), f"{mail.to} reads {locale}")
		self.assertIn(f"{clock} ({zone})", spaces(mail.html), f"{mail.to} reads {locale}")

	def assert_tells_the_guest(self, mail: Mail, lang: str):
		html = mail.html
		yes = in_language(lang, frappe._, "Yes")  # a checkbox's answer, in the host's language
		self.assertIn("Gus Guest &lt;", html)
		self.assertIn(f'<a href="mailto:{GUEST}">{GUEST}</a>', html)
		self.assertIn('<a href="tel:+442079460958">+44 (20) 7946-0958</a>', html)
		self.assertIn("Evil &amp; Co", html)  # the company, escaped once
		answers = (
			'What should we cover?: Tom &amp; Jerry "now" {{ 7*7 }} ‹b›bold‹/b›<br>'
			"Topics: Support, Pricing<br>"
			f"First call?: {yes}<br>"
			"Team size: 11-50"
		)
		self.assertIn(answers, html)  # in the type's question order, a multi-select joined
		self.assertNotIn("Anything else?", html)  # unanswered
		self.assertIn("Call me after lunch<br>on my mobile", html)
		self.assertIn(", ".join(COLLEAGUES), html)
		for raw in ("<b>bold", " 49", "&amp;amp;", "Tom & Jerry"):
			self.assertNotIn(raw, html)  # no markup formed, no template ran, escaped once

	def test_new_booking_and_reminder_tell_every_host_how_to_reach_the_guest(self):
		start = self.day + timedelta(hours=9)  # 14:30 in Kolkata, 10:00 in Berlin
		r = guest_book(
			self.server,
			"hostmail-a",
			"hostmail-call",
			iso(start),
			name="Gus Guest",
			email=GUEST,
			phone="+44 (20) 7946-0958",
			company="Evil & Co",
			notes="Call me after lunch\non my mobile",
			timezone="Europe/London",
			language="en",
			locale="en-US",  # their browser's: it wins over London's region
			attendees=COLLEAGUES,
			answers={
				# given in another order: shown in the type's
				"Team size": "11-50",
				"First call?": True,
				"Topics": ["Support", "Pricing"],
				# entities decoded once at the boundary (to "&"), markup turned to ‹ › there
				"What should we cover?": 'Tom &amp;amp; Jerry "now" {{ 7*7 }} <b>bold</b>',
			},
		)
		self.assertEqual(r.status_code, 201, r.text)
		booking = body(r)["data"]["id"]
		run_background_jobs()
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", booking, "locale"), "en-US")
		mails = delivered(self.outbox, booking)
		new = {m.to: m for m in mails if m.to in (A, B)}  # each host's New booking, alone
		self.assertEqual((sorted(new), len(mails)), ([A, B], 5), [(m.to, m.subject) for m in mails])
		self.assertIn("Gus Guest (gus-hostmail@example.org) booked:", new[A].html)
		for host, zone, locale in ((A, "Asia/Kolkata", "en-IN"), (B, "Europe/Berlin", "de-DE")):
			self.assert_tells_the_guest(new[host], locale[:2])
			self.assert_reads(new[host], start, zone, locale)
		# the guest reads their browser's en-US in London, on every line that tells a time
		(confirmed,) = [m for m in mails if m.to == GUEST]
		day, clock = en_us(to_utc(start).astimezone(get_zone("Europe/London")))
		self.assertIn(f"{day} at {clock}", spaces(confirmed.html))
		self.assertIn(day, spaces(confirmed.subject))
		self.assertNotIn("7946", confirmed.html, "the guest's own email is no contact card")

		# the hosts' reminders (one day before): due now, sent by the real dispatch
		rows = frappe.get_all(
			"Scheduler Reminder", filters={"booking": booking, "recipient": "Host"}, pluck="name"
		)
		self.assertEqual(len(rows), 2)
		past = to_system(utc_now() - timedelta(minutes=1))
		for name in rows:
			frappe.db.set_value("Scheduler Reminder", name, {"due_at": past, "next_attempt_at": past})
		frappe.db.commit()
		reminders.dispatch_due()
		run_background_jobs()
		frappe.db.rollback()
		self.assertEqual(
			frappe.get_all("Scheduler Reminder", filters={"name": ("in", rows)}, pluck="status"),
			["Sent", "Sent"],
		)
		before = {m.id for m in mails}
		later = [m for m in delivered(self.outbox, booking) if m.id not in before]
		reminded = {m.to: m for m in later}
		self.assertEqual((sorted(reminded), len(later)), ([A, B], 2), [(m.to, m.subject) for m in later])
		for host, zone, locale in ((A, "Asia/Kolkata", "en-IN"), (B, "Europe/Berlin", "de-DE")):
			self.assert_tells_the_guest(reminded[host], locale[:2])
			self.assert_reads(reminded[host], start, zone, locale)

	def test_a_reps_booking_for_a_prospect_says_the_rep_booked_it(self):
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Walk",
				"last_name": "Lead",
				"email_ids": [{"email_id": LEAD, "is_primary": 1}],
			}
		).insert(ignore_permissions=True)
		frappe.share.add_docshare(
			"Contact", contact.name, A, read=1, write=1, flags={"ignore_share_permission": True}
		)
		frappe.db.commit()
		rep = self.server.session(A)
		r = rep.post(
			method_url(self.server, "scheduler_integration.api.crm.book_for_record"),
			json={
				"reference_doctype": "Contact",
				"reference_name": contact.name,
				"meeting_type": self.rep_call,
				"start": iso(self.day + timedelta(hours=6)),
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 201, r.text)
		booking = body(r)["data"]["id"]
		run_background_jobs()
		frappe.db.rollback()
		doc = frappe.get_doc("Scheduler Booking", booking)
		self.assertEqual((doc.owner, doc.guest_email), (A, LEAD))
		(new,) = [m for m in delivered(self.outbox, booking) if m.to == A]
		self.assertIn(f"Asha booked this meeting with {doc.guest_name} ({LEAD}):", new.html)
		self.assertNotIn(f"({LEAD}) booked:", new.html)
		# the record's timeline (the CRM record the booking landed on, else the Contact)
		record = (doc.crm_doctype, doc.crm_name) if doc.crm_name else ("Contact", doc.contact)
		comments = frappe.get_all(
			"Comment",
			filters={"reference_doctype": record[0], "reference_name": record[1], "comment_type": "Comment"},
			pluck="content",
		)
		self.assertTrue(
			any(
				f"Meeting booked by Asha with {doc.guest_name}: Hostmail Rep on" in text for text in comments
			),
			comments,
		)


class TestPageAndEmailAgree(SchedulerTestCase):
	"""The booking page in Chromium and the emails write a date and a time alike."""

	LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR")

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup([C], delete_users=True)
		purge_guests([BROWSER_GUEST])
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.profile = make_host(C, "hostmail-c", tz="UTC", start="13:00", end="17:00")
		make_type(cls.profile, "hostmail-page", 30, location_type="In Person")
		clear_bookings([C])
		cls.server = LiveServer.get_instance()
		cls.day = future_day(8)
		cls.shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		cls.shots.mkdir(parents=True, exist_ok=True)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		clear_bookings([C])
		purge_guests([BROWSER_GUEST])
		frappe.db.commit()
		cleanup([C], delete_users=True)
		super().tearDownClass()

	def test_the_page_writes_times_as_the_emails_do(self):
		if reason := missing():
			self.skipTest(f"browser test not run: {reason}")
		script = self.shots / "locale_formats.mjs"
		shutil.copy(HERE / "e2e" / "locale_formats.mjs", script)
		(self.shots / "node_modules").unlink(missing_ok=True)
		(self.shots / "node_modules").symlink_to(node_modules())
		config = {
			"base": self.server.base,
			"site": self.server.site,
			"profile": "hostmail-c",
			"slug": "hostmail-page",
			"date": self.day.strftime("%Y-%m-%d"),
			"locales": list(self.LOCALES),
			"book": "en-US",
			"email": BROWSER_GUEST,
		}
		run = subprocess.run(
			["node", str(script), json.dumps(config)],
			capture_output=True,
			text=True,
			timeout=240,
			env={**os.environ, "NODE_PATH": str(node_modules())},
		)
		lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
		self.assertTrue(lines, f"no result: {run.stdout[-2000:]} {run.stderr[-2000:]}")
		seen = json.loads(lines[-1])
		self.assertEqual((run.returncode, seen["errors"]), (0, []), seen)
		first = self.day + timedelta(hours=13)  # the first time offered, on the page's UTC clock
		for locale in self.LOCALES:
			page = seen["pages"][locale]
			day, clock = full_date(first, locale), short_time(first, locale)
			self.assertEqual(spaces(page["heading"]), day, locale)
			self.assertEqual(spaces(page["slot"]), clock, locale)
			self.assertIn(day, spaces(page["when"]), locale)
			self.assertIn(clock, spaces(page["when"]), locale)
		# en-US as the issue saw it: "Monday, November 30, 2026 / 7:00 PM" on the page
		self.assertEqual(
			(spaces(seen["pages"]["en-US"]["heading"]), spaces(seen["pages"]["en-US"]["slot"])), en_us(first)
		)
		# the booking keeps the page's locale, and the guest's email reads like the page
		self.assertEqual(seen["book_status"], 201, seen)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", seen["booking"], "locale"), "en-US")
		run_background_jobs()
		frappe.db.rollback()
		(mail,) = [m for m in delivered(self.outbox, seen["booking"]) if m.to == BROWSER_GUEST]
		day, clock = en_us(first)
		self.assertIn(f"{day} at {clock}", spaces(mail.html))
		self.assertIn(day, spaces(mail.subject))
