"""The time zone list the booking page searches and the server keeps names by
(``public/data/time_zones.json``, ``engine.zone_names``; issue 50, item 7)."""

from __future__ import annotations

import json
import zoneinfo

from scheduler_integration.engine.validation import clean_timezone
from scheduler_integration.engine.zone_names import DATA, country_of, current_name

# what Chromium's Intl reports for zones the database has renamed (ICU keeps the old ids)
BROWSER_NAMES = {
	"Asia/Calcutta": "Asia/Kolkata",
	"Asia/Saigon": "Asia/Ho_Chi_Minh",
	"Asia/Katmandu": "Asia/Kathmandu",
	"Asia/Rangoon": "Asia/Yangon",
	"Europe/Kiev": "Europe/Kyiv",
	"America/Buenos_Aires": "America/Argentina/Buenos_Aires",
	"Atlantic/Faeroe": "Atlantic/Faroe",
}


def test_every_zone_of_the_list_is_a_zone_of_the_database():
	data = json.loads(DATA.read_text(encoding="utf-8"))
	known = zoneinfo.available_timezones() | {"UTC"}
	assert len(data["zones"]) > 400
	assert set(data["zones"]) <= known, set(data["zones"]) - known
	assert set(data["aliases"].values()) <= set(data["zones"])
	assert not set(data["aliases"]) & set(data["zones"]), "an old name is never a zone of the list"
	assert data["zones"]["Asia/Kolkata"] == "IN" and "Asia/Calcutta" not in data["zones"]


def test_a_browsers_old_name_is_kept_by_its_current_one():
	for old, current in BROWSER_NAMES.items():
		assert current_name(old) == current, old
		assert clean_timezone(old) == current, old
	assert current_name("Europe/Berlin") == "Europe/Berlin"
	assert current_name("Nowhere/Special") == "Nowhere/Special"
	assert (country_of("Asia/Calcutta"), country_of("America/New_York"), country_of("UTC")) == (
		"IN",
		"US",
		None,
	)
