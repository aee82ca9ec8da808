"""Every provider and meeting location has a mark (rules.branding): a row in the one table,
an SVG file that parses, says what it is and is drawn in the row's colour, with white
glyphs that read on it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scheduler_integration.engine.validation import LOCATION_TYPES
from scheduler_integration.providers.providers import REGISTRY
from scheduler_integration.rules.branding import BRANDS, ICON_DIR, brand, for_desk
from scheduler_integration.rules.colors import TEXT, contrast, is_color

APP = Path(__file__).resolve().parents[1] / "scheduler_integration"
MARKS = APP / "public" / "images" / "providers"
SVG = "{http://www.w3.org/2000/svg}"
DOCTYPES = APP / "scheduler_integration" / "doctype"


def options(doctype: str, fieldname: str) -> list[str]:
	meta = json.loads((DOCTYPES / doctype / f"{doctype}.json").read_text(encoding="utf-8"))
	(field,) = [f for f in meta["fields"] if f["fieldname"] == fieldname]
	return [o for o in field["options"].split("\n") if o]


def test_every_provider_and_location_has_a_row():
	values = {spec.label for spec in REGISTRY.values()} | set(LOCATION_TYPES)
	assert values <= set(BRANDS), sorted(values - set(BRANDS))
	# what the desk's Selects offer: the connection's provider and the type's location
	assert set(options("scheduler_calendar_connection", "provider")) <= set(BRANDS)
	assert set(options("scheduler_meeting_type", "location_type")) <= set(BRANDS)
	assert brand("Zoom") is BRANDS["Zoom"] and brand("") is None and brand(None) is None


@pytest.mark.parametrize("value", sorted(BRANDS))
def test_each_mark_exists_parses_and_is_drawn_in_its_colour(value):
	row = BRANDS[value]
	assert row.label.strip() and is_color(row.color)
	root = ET.parse(MARKS / row.icon).getroot()  # well-formed XML
	assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 32 32"
	assert root.get("role") == "img"
	assert root.find(f"{SVG}title").text == row.label  # its name for whoever opens it alone
	background = root.find(f"{SVG}rect")
	assert background.get("width") == background.get("height") == "32"
	assert background.get("fill") == row.color  # the table's colour, defined once, drawn here
	# nothing else: white glyphs, cut-outs in the mark's own colour; no remote or embedded image
	paints = {el.get(attr) for el in root.iter() for attr in ("fill", "stroke") if el.get(attr)}
	assert paints <= {row.color, "#fff", "none"}, paints
	assert not [el for el in root.iter() if el.tag in (f"{SVG}image", f"{SVG}script", f"{SVG}use")]
	assert "href" not in (MARKS / row.icon).read_text(encoding="utf-8")
	assert contrast("#ffffff", row.color) >= TEXT, value  # the white glyph reads on it


def test_no_mark_without_a_row():
	assert {p.name for p in MARKS.glob("*.svg")} == {row.icon for row in BRANDS.values()}


def test_the_desk_gets_the_table_with_the_marks_folder():
	desk = for_desk()
	assert desk["icon_dir"] == ICON_DIR == "/assets/scheduler_integration/images/providers/"
	assert desk["brands"]["Google Meet"] == {
		"label": "Google Meet",
		"color": BRANDS["Google Meet"].color,
		"icon": "google-meet.svg",
	}
	assert set(desk["brands"]) == set(BRANDS)
