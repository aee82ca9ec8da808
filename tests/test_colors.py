"""A host's colours made readable (rules.colors): WCAG contrast, the readable variant on the
booking page's light and dark background, and the meeting type's default colour."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.rules.colors import (
	ACCENT,
	DEFAULT_TYPE_COLOR,
	PAGE_BACKGROUNDS,
	TEXT,
	contrast,
	is_color,
	luminance,
	mix,
	on_color,
	page_variants,
	readable,
)

APP = Path(__file__).resolve().parents[1] / "scheduler_integration"
HEX = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")
NAMED = ["#FFFF00", "#ffffff", "#000000", DEFAULT_TYPE_COLOR, "#fef9c3", "#808080", "#111827", "#22c55e"]


def test_contrast_matches_wcag():
	assert contrast("#000000", "#ffffff") == pytest.approx(21)
	assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
	assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # WCAG's grey
	assert contrast("#FFFF00", "#ffffff") == pytest.approx(1.07, abs=0.01)
	assert luminance("#ffffff") == pytest.approx(1) and luminance("#000000") == 0


def test_only_hex_colours_count():
	assert is_color("#3B82F6") and is_color("#abcdef")
	for bad in ("", None, "#fff", "red", "#12345g", "#3B82F6;x", 3):
		assert not is_color(bad)
	with pytest.raises(ValueError):
		contrast("red", "#ffffff")


def test_a_colour_that_reads_already_is_kept():
	assert readable("#3B82F6", PAGE_BACKGROUNDS["light"], ACCENT) == "#3b82f6"
	assert readable("#FFFF00", PAGE_BACKGROUNDS["dark"], TEXT) == "#ffff00"
	assert mix("#ff0000", "#000000", 0) == "#ff0000" and mix("#ff0000", "#000000", 1) == "#000000"


@pytest.mark.parametrize("color", NAMED)
@pytest.mark.parametrize("theme", sorted(PAGE_BACKGROUNDS))
@pytest.mark.parametrize("minimum", [ACCENT, TEXT])
def test_named_colours_read_on_both_themes(color, theme, minimum):
	background = PAGE_BACKGROUNDS[theme]
	made = readable(color, background, minimum)
	assert is_color(made)
	assert contrast(made, background) >= minimum, (color, theme, made)


def test_pale_and_dark_colours_move_toward_the_side_that_reads():
	light, dark = PAGE_BACKGROUNDS["light"], PAGE_BACKGROUNDS["dark"]
	yellow = page_variants("#FFFF00")
	assert yellow["dark"] == "#ffff00" and yellow["light"] != "#ffff00"
	red, green, blue = (int(yellow["light"][i : i + 2], 16) for i in (1, 3, 5))
	assert red == green and blue == 0  # still a yellow, only darker
	assert readable("#ffffff", light, TEXT) != "#ffffff"
	assert readable("#000000", dark, ACCENT) != "#000000"
	assert readable("#000000", light, TEXT) == "#000000"
	assert page_variants(DEFAULT_TYPE_COLOR) == {"light": "#3b82f6", "dark": "#3b82f6"}


@given(HEX, st.sampled_from(sorted(PAGE_BACKGROUNDS)), st.sampled_from([ACCENT, TEXT]))
def test_every_colour_is_made_readable_with_the_least_change(color, theme, minimum):
	background = PAGE_BACKGROUNDS[theme]
	made = readable(color, background, minimum)
	assert contrast(made, background) >= minimum
	if contrast(color, background) >= minimum:
		assert made == color
	else:
		# one step less of the mix would not do (the least change that reads)
		extreme = "#000000" if theme == "light" else "#ffffff"
		shares = [s for s in range(101) if mix(color, extreme, s / 100) == made]
		assert shares and contrast(mix(color, extreme, (shares[0] - 1) / 100), background) < minimum


def test_a_background_nothing_reaches_gets_the_best_extreme():
	# on a mid grey neither black nor white reaches 7:1: the better one is the answer
	assert readable("#808080", "#777777", 7) == "#000000"


@given(HEX)
def test_text_on_a_colour_is_black_or_white_whichever_reads_better(color):
	text = on_color(color)
	other = "#ffffff" if text == "#000000" else "#000000"
	assert contrast(text, color) >= contrast(other, color)
	assert contrast(text, color) >= 4.5


def test_the_page_backgrounds_are_the_stylesheets():
	css = (APP / "public" / "css" / "booking_page.css").read_text(encoding="utf-8")
	light, dark = (
		re.search(r"--sched-bg: (#[0-9a-f]{3,6})", part).group(1)
		for part in css.split("prefers-color-scheme: dark", 1)
	)
	assert {"light": "#ffffff" if light == "#fff" else light, "dark": dark} == PAGE_BACKGROUNDS


def test_the_meeting_types_default_colour_is_the_engines():
	meta = json.loads(
		(
			APP
			/ "scheduler_integration"
			/ "doctype"
			/ "scheduler_meeting_type"
			/ "scheduler_meeting_type.json"
		).read_text(encoding="utf-8")
	)
	(field,) = [f for f in meta["fields"] if f["fieldname"] == "color"]
	assert field["default"] == DEFAULT_TYPE_COLOR == "#3B82F6"
	assert not field.get("read_only")  # the host still picks another
