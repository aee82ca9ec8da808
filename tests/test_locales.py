"""One date and clock format per reader (rules.locales): a browser's locale cleaned, the
reader's locale chosen from language and region, and times written as the booking page's
Intl writes them (full date, short time)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from scheduler_integration.rules.locales import (
	clean_locale,
	full_date,
	reader_locale,
	short_time,
	zone_region,
)

EVENING = datetime(2026, 11, 30, 19, 0)


@pytest.mark.parametrize(
	("given", "cleaned"),
	[
		("en-US", "en-US"),
		("en_us", "en-US"),
		(" de-de ", "de-DE"),
		("zh-hant-tw", "zh-Hant-TW"),
		("sr-Latn-RS", "sr-Latn-RS"),
		("es-419", "es-419"),
		("fr", "fr"),
		# what a browser may add after the region is not the language's
		("en-US-u-ca-buddhist", "en-US"),
		("en-GB-oxendict", "en-GB"),
		("de-x-private", "de"),
		# a pairing CLDR has no data for falls back to the language
		("de-US", "de"),
	],
)
def test_browser_locales_are_cleaned_to_what_babel_knows(given, cleaned):
	assert clean_locale(given) == cleaned


@pytest.mark.parametrize(
	"given",
	[
		None,
		"",
		42,
		["en-US"],
		"xx-YY",  # no such language
		"i-klingon",
		"en--US",
		"en-US;q=0.9",  # an Accept-Language entry, not a tag
		"<script>alert(1)</script>",
		"en-US\r\nX-Header: 1",
		"e",
		"en-" + "a" * 40,  # past the length a tag may have
	],
)
def test_anything_else_is_no_locale(given):
	assert clean_locale(given) is None


def test_the_region_of_a_zone():
	assert zone_region("Europe/Berlin") == "DE"
	assert zone_region("America/New_York") == "US"
	# Babel's data names some zones by their old names (Asia/Calcutta): both are found
	assert zone_region("Asia/Kolkata") == "IN"
	assert zone_region("Asia/Calcutta") == "IN"
	for nowhere in ("UTC", "Etc/UTC", "Nowhere/Atlantis", "", None):
		assert zone_region(nowhere) is None


def test_a_guest_reads_in_their_browsers_locale_when_it_speaks_their_language():
	assert reader_locale(locale="en-US", language="en", zone="Europe/Berlin") == "en-US"
	assert reader_locale(locale="en-GB", language="en", zone="America/New_York") == "en-GB"
	assert reader_locale(locale="en-US", language="en-GB") == "en-US"
	assert reader_locale(locale="de-AT", zone="Europe/Berlin") == "de-AT"  # no language given


def test_a_browser_locale_of_another_language_gives_way_to_the_emails_language():
	# the emails are written in German: German dates, with the region of the guest's zone
	assert reader_locale(locale="en-US", language="de", zone="Europe/Berlin") == "de-DE"
	assert reader_locale(locale="bogus", language="fr", zone="Europe/Paris") == "fr-FR"


def test_without_a_browser_locale_the_language_takes_the_region_of_the_zone_then_the_country():
	assert reader_locale(language="en", zone="Europe/Berlin") == "en-DE"
	assert reader_locale(language="en", zone="Asia/Kolkata") == "en-IN"
	assert reader_locale(language="en", zone="UTC", country="gb") == "en-GB"
	assert reader_locale(language="en", zone="Europe/London", country="US") == "en-GB"  # the zone first
	# a language that names its region keeps it
	assert reader_locale(language="en-GB", zone="America/New_York", country="US") == "en-GB"
	assert reader_locale(language="pt-BR", zone="Europe/Lisbon") == "pt-BR"
	# a pairing CLDR lacks is skipped: the next region, else the language alone
	assert reader_locale(language="de", zone="America/New_York", country="AT") == "de-AT"
	assert reader_locale(language="de", zone="America/New_York") == "de"
	assert reader_locale(language="en", zone="UTC", country="United States") == "en"  # not a code
	assert reader_locale(language="en", zone="UTC") == "en"
	assert reader_locale() == "en"
	assert reader_locale(language="bogus", zone="Europe/Berlin") == "en-DE"


# The booking page's Intl (dateStyle "full", timeStyle "short") writes these, in Chromium and
# in Node alike; the browser test (scheduler_integration/tests/effects/test_host_emails.py) compares
# the live page with these functions.
@pytest.mark.parametrize(
	("locale", "day", "clock"),
	[
		("en-US", "Monday, November 30, 2026", "7:00 PM"),
		("en-GB", "Monday, 30 November 2026", "19:00"),
		("de-DE", "Montag, 30. November 2026", "19:00"),
		("fr-FR", "lundi 30 novembre 2026", "19:00"),
		("en-DE", "Monday, 30 November 2026", "19:00"),
		("ja-JP", "2026年11月30日月曜日", "19:00"),
	],
)
def test_full_date_and_short_time_per_locale(locale, day, clock):
	assert full_date(EVENING, locale) == day
	assert short_time(EVENING, locale) == clock


def test_times_are_the_wall_clock_given_and_use_plain_spaces():
	aware = datetime(2026, 11, 30, 19, 0, tzinfo=timezone.utc)
	assert short_time(aware, "en-US") == "7:00 PM"  # no narrow no-break space (SMS, old clients)
	assert "\u202f" not in short_time(aware, "en-US") and "\u00a0" not in full_date(aware, "fr-FR")
	assert full_date(date(2026, 11, 30), "en-US") == "Monday, November 30, 2026"


def test_an_unknown_locale_reads_as_english():
	assert full_date(EVENING, "bogus") == full_date(EVENING, None) == "Monday, November 30, 2026"
	assert short_time(EVENING, "xx-YY") == "7:00 PM"
