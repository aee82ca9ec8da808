"""The language of a request (one per request, the explicit one first) and of a reader.

A guest's page and the API calls it makes name the reader's language with ``?lang=`` (the
page's own choice, kept in its links); Frappe picks one itself before any app code runs
(``?_lang=``, the preferred-language cookie, Accept-Language, a signed-in user's own). A
``lang`` that names a language of the site wins, so a German page in an English browser
gets German refusals from the API too. What one reader gets (an email, an SMS, a
calendar file) is rendered in their own language (``reader_language``): the guest's booking
language, a host's own.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import frappe

_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


def site_language(asked) -> str | None:
	"""The site's language ``asked`` names (``de``, ``pt-BR``, ``DE`` → ``de``), or None."""
	from frappe.translate import get_all_languages, get_parent_language

	asked = str(asked or "").strip()
	if not asked or len(asked) > 12 or not _LANG.match(asked):
		return None
	known = set(get_all_languages())
	for candidate in (asked, asked.lower(), get_parent_language(asked)):
		if candidate and candidate in known:
			return candidate
	return None


def use_asked_language() -> str:
	"""Apply the request's ``lang`` when it names a language of the site; returns the
	request's language."""
	chosen = site_language(frappe.form_dict.get("lang"))
	if chosen:
		frappe.local.lang = chosen  # Frappe's own per-request language
	return frappe.local.lang or "en"


def user_language(user: str | None) -> str | None:
	"""A host's language (User → Language), None for the site's."""
	return frappe.get_cached_value("User", user, "language") if user else None


@contextmanager
def reader_language(lang: str | None):
	"""Render in ``lang`` (the guest's booking language, a host's own), else the site's:
	``_()`` in templates, day and month names. Frappe's request language, restored after."""
	previous = frappe.local.lang
	frappe.local.lang = lang or frappe.db.get_default("lang") or "en"
	try:
		yield
	finally:
		frappe.local.lang = previous
