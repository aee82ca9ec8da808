"""One date and clock format per reader: their locale (language and region) and how a time
reads in it. Pure: Babel's CLDR data, no frappe import.

A reader's locale, as a BCP 47 tag (``en-US``, ``de``, ``zh-Hant-TW``):

- **a guest**: the locale their browser formatted the booking page in (``navigator.language``
  of the page's language, sent with the booking and kept on it), when it is of the language
  their emails are written in; else that language with the region of the zone they booked
  in (``en`` in Europe/Berlin reads ``en-DE``: English words, a 24-hour clock);
- **a host**: their Frappe User language (its region when it names one, ``en-GB``), else
  with the region of their one time zone (the profile's), else of the site's country
  (System Settings); a language without any region reads as CLDR's default for it
  (``en``: United States).

A region is only added when CLDR has that pairing (``en-DE`` yes, ``de-US`` no: ``de``).

The page and the emails say a time the same way: the full date and the short time of the
reader's locale, which are Intl's ``dateStyle: "full"`` and ``timeStyle: "short"`` in the
browser and Babel's ``"full"`` date and ``"short"`` time here (the same CLDR patterns):
``Monday, November 30, 2026`` / ``7:00 PM`` in en-US, ``Montag, 30. November 2026`` /
``19:00`` in de-DE. CLDR's narrow and plain no-break spaces ("7:00\u202fPM") come out
as plain spaces: an SMS in GSM-7 has neither, and old mail clients show them as boxes.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_time

DEFAULT = "en"
MAX_LENGTH = 35  # a language, script and region with room for what a browser adds
_SUBTAG = re.compile(r"^[A-Za-z0-9]{1,8}$")
_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


def _known(tag: str) -> Locale | None:
	try:
		return Locale.parse(tag, sep="-")
	except (UnknownLocaleError, ValueError, TypeError):
		return None


def _cased(parts: list[str]) -> list[str]:
	"""language lower, script title, region upper (BCP 47's conventional case)."""
	out = [parts[0].lower()]
	for part in parts[1:]:
		out.append(part.title() if len(part) == 4 else part.upper())
	return out


def clean_locale(value) -> str | None:
	"""A browser's locale tag as one Babel knows, in BCP 47 case (``en_us`` → ``en-US``), or
	None for anything else. Extensions and private use (``-u-ca-buddhist``, ``-x-…``) and
	variants are dropped; a pairing CLDR lacks falls back to less (``de-US`` → ``de``)."""
	if not isinstance(value, str):
		return None
	text = value.strip().replace("_", "-")
	if not text or len(text) > MAX_LENGTH:
		return None
	parts = text.split("-")
	if not all(_SUBTAG.match(part) for part in parts):
		return None
	language, rest = parts[0], parts[1:]
	if not (language.isalpha() and 2 <= len(language) <= 3):
		return None
	script = region = None
	for part in rest:
		if len(part) == 1:
			break  # an extension or private use: the rest is not language, script or region
		if len(part) == 4 and part.isalpha() and script is None and region is None:
			script = part
		elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
			region = region or part
	for wanted in ([language, script, region], [language, region], [language, script], [language]):
		tag = "-".join(_cased([part for part in wanted if part]))
		if _known(tag):
			return tag
	return None


def language_of(tag: str | None) -> str:
	return (tag or "").split("-")[0].lower()


def _has_region(tag: str) -> bool:
	return any(len(part) in (2, 3) for part in tag.split("-")[1:])


def zone_region(zone: str | None) -> str | None:
	"""The country of an IANA zone (``Europe/Berlin`` → ``DE``), None for UTC and the like."""
	if not zone:
		return None
	territories = get_global("zone_territories")
	region = territories.get(zone) or territories.get(get_global("zone_aliases").get(zone, ""))
	return region if region and region.isalpha() and region != "ZZ" else None


def reader_locale(
	*, locale: str | None = None, language: str | None = None, zone: str | None = None, country=None
) -> str:
	"""The locale a reader's times are formatted in (see the module's docstring): ``locale``
	(their browser's) when it is of ``language``; else ``language`` with its own region, or
	the region of ``zone``, or ``country`` (an ISO 3166 code); else ``language`` alone."""
	words = clean_locale(language)
	own = clean_locale(locale)
	if own and (not words or language_of(own) == language_of(words)):
		return own
	words = words or DEFAULT
	if _has_region(words):
		return words
	for region in (zone_region(zone), str(country or "").strip().upper() or None):
		if region and region.isalpha() and len(region) == 2:
			tag = f"{words}-{region}"
			if clean_locale(tag) == tag:
				return tag
	return words


def _babel(tag: str | None) -> Locale:
	return _known(clean_locale(tag) or DEFAULT) or Locale.parse(DEFAULT)


def full_date(day: date | datetime, tag: str | None) -> str:
	"""The reader's full date of a wall-clock day: ``Monday, November 30, 2026`` (en-US)."""
	if isinstance(day, datetime):
		day = day.date()
	return format_date(day, "full", locale=_babel(tag)).translate(_SPACES)


def short_time(moment: datetime, tag: str | None) -> str:
	"""The reader's short clock time of a wall-clock moment: ``7:00 PM`` (en-US), ``19:00``."""
	return format_time(moment.replace(tzinfo=None).time(), "short", locale=_babel(tag)).translate(_SPACES)
