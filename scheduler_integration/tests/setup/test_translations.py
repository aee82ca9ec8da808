"""Every user-facing string of the app has a translation in German, French, Spanish and
Portuguese (gettext: scheduler_integration/locale/<lang>.po), and Frappe serves them.

The strings are what Frappe's own extractor finds in this app (``get_messages_for_app``:
DocType labels, descriptions and options, reports, ``_()`` in Python and Jinja, ``__()`` in
JavaScript): a string added without its translations fails here, naming it. The site's
navbar items (not this app's) are left out. Frappe reads the translations from the .mo files
compiled from the .po files (``bench build``, and this app's ``after_migrate``).
"""

from __future__ import annotations

import re
from pathlib import Path

import frappe
from babel.messages.pofile import read_po
from frappe.translate import get_messages_for_app

from scheduler_integration.tests.utils import SchedulerTestCase

APP = "scheduler_integration"
LANGUAGES = ("de", "fr", "es", "pt")
PLACEHOLDER = re.compile(r"\{\d+\}")
# words that are the same in a language (names of products, cognates like "Status")
MAX_IDENTICAL_SHARE = 0.06


def app_messages() -> dict[str, str]:
	"""{lookup key: English} of every translatable string of the app."""
	frappe.flags.scanned_files = set()  # the extractor skips files it scanned before
	out = {}
	for message in get_messages_for_app(APP):
		where, text = message[0] or "", message[1]
		context = message[2] if len(message) >= 3 and isinstance(message[2], str) else None
		if where.startswith("Navbar"):
			continue
		out[f"{text}:{context}" if context else text] = text
	return out


def table(lang: str) -> dict[str, str]:
	"""{lookup key: translation} of ``locale/<lang>.po``, keyed as Frappe keys them."""
	with open(Path(frappe.get_app_path(APP, "locale", f"{lang}.po")), "rb") as handle:
		catalog = read_po(handle)
	return {
		f"{message.id}:{message.context}" if message.context else message.id: message.string
		for message in catalog
		if message.id
	}


class TestTranslations(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.messages = app_messages()

	def test_every_string_has_a_translation_in_each_language(self):
		self.assertGreater(len(self.messages), 300)
		for lang in LANGUAGES:
			translations = table(lang)
			missing = sorted(key for key in self.messages if not translations.get(key, "").strip())
			self.assertEqual(missing, [], f"{len(missing)} strings have no {lang} translation")

	def test_translations_keep_placeholders_and_are_not_copies(self):
		for lang in LANGUAGES:
			translations = table(lang)
			for key, english in self.messages.items():
				translated = translations.get(key) or ""
				self.assertEqual(
					sorted(PLACEHOLDER.findall(translated)),
					sorted(PLACEHOLDER.findall(english)),
					f"{lang}: {english!r} -> {translated!r}",
				)
			identical = [key for key in self.messages if translations.get(key) == self.messages[key]]
			self.assertLess(len(identical) / len(self.messages), MAX_IDENTICAL_SHARE, f"{lang}: {identical}")

	def test_frappe_serves_them_in_the_readers_language(self):
		english = ("Time zone", "Book Meeting", "You are booked", "Morning", "Scheduler Booking")
		try:
			for lang in LANGUAGES:
				frappe.local.lang = lang
				translations = table(lang)
				for text in english:
					self.assertEqual(frappe._(text), translations[text], f"{lang}: {text}")
					self.assertNotEqual(frappe._(text), text, f"{lang}: {text}")
		finally:
			frappe.local.lang = "en"
