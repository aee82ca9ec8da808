"""Languages over real HTTP: the booking pages in the reader's language (?lang=, the
browser's Accept-Language), the booking remembers the guest's language, the guest's emails
are written in it and each host's in the host's own language."""

from __future__ import annotations

from datetime import timedelta

import frappe

from scheduler_integration.core.clock import to_utc
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.rules.locales import full_date
from scheduler_integration.tests.booking.test_booking_flow import BookingFlowCase, body, mail_text
from scheduler_integration.tests.factory import (
	clear_bookings,
	future_day,
	make_host,
	make_type,
	run_background_jobs,
)
from scheduler_integration.tests.live import purge_guests

HOST = "sched-lang-host@example.com"
GUEST = "sched-lang-guest@example.org"


def in_language(lang: str, fn, *args):
	previous = frappe.local.lang
	frappe.local.lang = lang
	try:
		return fn(*args)
	finally:
		frappe.local.lang = previous


class TestLanguages(BookingFlowCase):
	HOSTS = (HOST,)

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.profile = make_host(HOST, "lang-host", tz="Europe/Paris", start="09:00", end="17:00")
		cls.mt = make_type(cls.profile, "gespraech", 30)
		frappe.db.set_value("User", HOST, "language", "fr")
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		purge_guests([GUEST])
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		clear_bookings([HOST])

	def slot(self):
		day = future_day(9)
		while day.weekday() != 2:  # a Wednesday
			day += timedelta(days=1)
		return day.replace(hour=9, minute=0, second=0, microsecond=0)  # 10:00 or 11:00 in Paris

	def page(self, path, **headers):
		import requests

		return requests.get(
			f"{self.server.base}{path}", headers={"Host": self.server.site, **headers}, timeout=30
		)

	def test_pages_follow_lang_parameter_then_the_browser(self):
		german = self.page("/book/lang-host/gespraech", **{"Accept-Language": "de-DE,de;q=0.9"})
		self.assertIn('<html lang="de"', german.text)
		self.assertIn('"lang": "de"', german.text)
		self.assertIn(in_language("de", frappe._, "Time zone"), german.text)  # the script's strings ship
		french = self.page("/book/lang-host?lang=fr", **{"Accept-Language": "de-DE,de;q=0.9"})
		self.assertIn('<html lang="fr"', french.text)
		self.assertIn(
			in_language("fr", frappe._, "Schedule time with {0}").format("sched-lang-host"), french.text
		)
		unknown = self.page("/book/lang-host/gespraech?lang=%22%3E%3Cx", **{"Accept-Language": "es"})
		self.assertIn('<html lang="es"', unknown.text)  # a bad ?lang= is ignored, not echoed
		self.assertNotIn('"><x', unknown.text)

	def test_the_api_answers_in_the_asked_language_before_the_browsers(self):
		"""Issue 50, item 11: ``lang`` (what a German page sends with each call) wins over an
		English browser's Accept-Language; without it the browser's language is used."""
		import requests

		start = self.slot()
		self.assertEqual(self.book("lang-host", "gespraech", start, email=GUEST).status_code, 201)
		url = f"{self.server.base}/api/method/scheduler_integration.api.public.book"
		again = {
			"profile": "lang-host",
			"meeting_type": "gespraech",
			"start": start.isoformat(),
			"name": "Late Guest",
			"email": "late-" + GUEST,
			"timezone": "UTC",
		}
		english = {"Host": self.server.site, "Accept-Language": "en-US,en;q=0.9"}
		browser = requests.post(url, json=again, headers=english, timeout=60)
		self.assertEqual(browser.status_code, 409, browser.text)
		refusal = body(browser)["message"]  # in English
		german = in_language("de", frappe._, refusal)
		self.assertNotEqual(german, refusal)
		asked = requests.post(url, json={**again, "lang": "de"}, headers=english, timeout=60)
		self.assertEqual((asked.status_code, body(asked)["message"]), (409, german), asked.text)
		german_browser = {"Host": self.server.site, "Accept-Language": "de-DE,de;q=0.9"}
		nonsense = requests.post(url, json={**again, "lang": "xx-nope"}, headers=german_browser, timeout=60)
		self.assertEqual(body(nonsense)["message"], german)  # no such language: the browser's

	def test_guest_emails_in_the_booking_language_host_emails_in_the_hosts(self):
		start = self.slot()
		r = self.book(
			"lang-host",
			"gespraech",
			start,
			email=GUEST,
			name="Greta",
			timezone="Europe/Berlin",
			language="de",
		)
		self.assertEqual(r.status_code, 201, r.text)
		data = body(r)["data"]
		run_background_jobs()
		self.fresh()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", data["id"], "language"), "de")
		mails = {}
		for row in frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Scheduler Booking", "reference_name": data["id"]},
			fields=["name", "message"],
		):
			recipient = frappe.db.get_value("Email Queue Recipient", {"parent": row.name}, "recipient")
			mails[recipient] = mails.get(recipient, "") + mail_text(row.message)
		guest_day = to_utc(start).astimezone(get_zone("Europe/Berlin")).date()
		host_day = to_utc(start).astimezone(get_zone("Europe/Paris")).date()
		# each reader's full date, in their language with their zone's region (rules.locales)
		german_day = full_date(guest_day, "de-DE")
		french_day = full_date(host_day, "fr-FR")
		self.assertNotEqual(german_day, full_date(guest_day, "en"))
		self.assertIn(german_day, mails[GUEST])
		self.assertIn(french_day, mails[HOST])
		# the confirmation page shows the start in the words of the guest's email (one date
		# format per reader, whatever dates the browser's own data would write)
		self.assertTrue(data["when_text"].startswith(german_day + " "), data["when_text"])
		self.assertIn(data["when_text"], mails[GUEST])
		self.assertNotIn(french_day, mails[GUEST])
		# the default templates' own words too (a template an admin rewrote may have none)
		template = frappe.db.get_value(
			"Email Template", "Scheduler: Booking Confirmed (Guest)", "response_html"
		)
		if "_(" in (template or ""):
			words = in_language("de", frappe._, "Your meeting with {0} is confirmed for:").split("{0}")[0]
			self.assertNotIn("Your meeting with", words)
			self.assertIn(words, mails[GUEST])
		# the manage page opens in the language the guest booked in
		token = data["manage_url"].rsplit("/", 1)[1]
		manage = self.page(f"/book/manage/{token}", **{"Accept-Language": "en-US"})
		self.assertIn('<html lang="de"', manage.text)
		self.assertIn(in_language("de", frappe._, "Your booking"), manage.text)
		# read in another language (``?lang=en``, which the page passes on to every call), the
		# start is written in that one: the page never mixes an English page and German dates
		import requests

		url = f"{self.server.base}/api/method/scheduler_integration.api.public.get_booking"
		for lang, day in (("en", full_date(guest_day, "en-DE")), (None, german_day)):
			r = requests.get(
				url,
				params={"token": token, **({"lang": lang} if lang else {})},
				headers={"Host": self.server.site},
				timeout=60,
			)
			self.assertEqual(r.status_code, 200, r.text)
			self.assertTrue(body(r)["data"]["when_text"].startswith(day + " "), (lang, body(r)["data"]))

	def test_unknown_languages_are_not_stored(self):
		for value in ("xx", "de-DE-x-evil", "<b>", "d" * 300):
			clear_bookings([HOST])
			r = self.book("lang-host", "gespraech", self.slot(), email=GUEST, language=value)
			self.assertEqual(r.status_code, 201, r.text)
			self.fresh()
			stored = frappe.db.get_value("Scheduler Booking", body(r)["data"]["id"], "language")
			# nothing, or the site's own default language (a site-wide "language" default fills it)
			self.assertIn(stored or "", ("", frappe.db.get_default("language") or ""), value)
