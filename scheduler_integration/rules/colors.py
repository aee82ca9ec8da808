"""Colours people read: WCAG 2 contrast, and a host's colour made readable on a page.

A host picks a meeting type's colour (any ``#rrggbb``; ``DEFAULT_TYPE_COLOR`` when none) and
the booking page draws it in light and dark mode. ``readable`` returns the colour itself
when it already stands out enough from the background, else the least mix of it toward
black (on a light background) or white (on a dark one) that does: ``ACCENT`` (3:1) for a
mark that carries no text, ``TEXT`` (4.5:1) for text or a colour behind text. Hue is kept
as far as the mix allows, so a type stays recognisably "its" colour.

``PAGE_BACKGROUNDS`` are the booking page's own backgrounds (``--sched-bg`` in
``public/css/booking_page.css``; a test holds the two to each other).
"""

from __future__ import annotations

import re
from typing import TypedDict

DEFAULT_TYPE_COLOR = "#3B82F6"
PAGE_BACKGROUNDS = {"light": "#ffffff", "dark": "#111827"}
TEXT, ACCENT = 4.5, 3.0  # WCAG 1.4.3 (text) and 1.4.11 (marks and borders)

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
BLACK, WHITE = "#000000", "#ffffff"


def is_color(value) -> bool:
	"""A ``#rrggbb`` colour (what the page writes into its style; nothing else is)."""
	return isinstance(value, str) and bool(_HEX.match(value))


def _channels(color: str) -> tuple[int, int, int]:
	if not is_color(color):
		raise ValueError(f"not a #rrggbb colour: {str(color)[:20]!r}")
	return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def luminance(color: str) -> float:
	"""Relative luminance (WCAG 2), 0 for black to 1 for white."""

	def linear(value: int) -> float:
		c = value / 255
		return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

	red, green, blue = (linear(c) for c in _channels(color))
	return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
	"""Contrast ratio of two colours, 1 (the same) to 21 (black on white)."""
	a, b = sorted((luminance(first), luminance(second)), reverse=True)
	return (a + 0.05) / (b + 0.05)


def mix(color: str, toward: str, share: float) -> str:
	"""``color`` moved ``share`` (0..1) of the way to ``toward``, as ``#rrggbb``."""
	pairs = zip(_channels(color), _channels(toward), strict=True)
	return "#" + "".join(f"{round(c + (t - c) * share):02x}" for c, t in pairs)


def readable(color: str, background: str, minimum: float = TEXT) -> str:
	"""``color`` (lower-case) when its contrast with ``background`` is at least ``minimum``;
	else the smallest mix toward black or white (whichever stands out more from
	``background``) that reaches it, in steps of 1 %. A background no colour reaches
	``minimum`` on (a mid grey for 4.5:1) gets that extreme, the best there is."""
	color = color.lower()
	if contrast(color, background) >= minimum:
		return color
	extreme = BLACK if contrast(BLACK, background) >= contrast(WHITE, background) else WHITE
	for step in range(1, 101):
		candidate = mix(color, extreme, step / 100)
		if contrast(candidate, background) >= minimum:
			return candidate
	return extreme


def on_color(color: str) -> str:
	"""Black or white, whichever reads better as text on ``color``."""
	return BLACK if contrast(BLACK, color) >= contrast(WHITE, color) else WHITE


class PageColors(TypedDict):
	"""A colour made readable on the booking page's light and dark backgrounds."""

	light: str
	dark: str


def page_variants(color: str, minimum: float = ACCENT) -> PageColors:
	"""``color`` made readable on the booking page's light and dark backgrounds:
	{"light": …, "dark": …}."""
	return PageColors(
		light=readable(color, PAGE_BACKGROUNDS["light"], minimum),
		dark=readable(color, PAGE_BACKGROUNDS["dark"], minimum),
	)
