"""How each provider and meeting location looks in the desk: its mark, name and colour.

One row per value a host sees: a connection's provider (``ProviderSpec.label``, what a
Scheduler Calendar Connection stores) and a meeting type's location (``location_type``).
Zoom is both and has one row. ``label`` is the name the mark stands for, also its alt text
(marked for translation; the desk translates it), ``color`` the brand colour (``#rrggbb``,
the mark's background and the accent beside it; white glyphs on it read at 4.5:1 or more)
and ``icon`` the mark's file under ``public/images/providers/``. The marks are simple
drawings of this app (a coloured rounded square with a white glyph), not the providers'
logos. ``tests/test_branding.py`` holds every registry provider and location option to a
row, and each file to its row's colour.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from scheduler_integration.engine.i18n import _

ICON_DIR = "/assets/scheduler_integration/images/providers/"


@dataclass(frozen=True)
class Brand:
	label: str
	color: str
	icon: str


BRANDS: dict[str, Brand] = {
	# calendar (and video) providers, by the label a connection stores
	"Google": Brand(_("Google Calendar"), "#1a73e8", "google-calendar.svg"),
	"Microsoft 365": Brand(_("Microsoft 365"), "#0f6cbd", "microsoft-365.svg"),
	"CalDAV": Brand(_("CalDAV"), "#4f46e5", "caldav.svg"),
	"ICS": Brand(_("ICS feed"), "#b45309", "ics.svg"),
	"Zoom": Brand(_("Zoom"), "#0b5cff", "zoom.svg"),
	# meeting locations (Zoom above)
	"Google Meet": Brand(_("Google Meet"), "#00796b", "google-meet.svg"),
	"Microsoft Teams": Brand(_("Microsoft Teams"), "#5b5fc7", "microsoft-teams.svg"),
	"Phone": Brand(_("Phone"), "#15803d", "phone.svg"),
	"In Person": Brand(_("In Person"), "#b91c1c", "in-person.svg"),
	"Custom": Brand(_("Custom"), "#4b5563", "custom.svg"),
}


def brand(value: str | None) -> Brand | None:
	"""The row of a provider label or location type; None for anything else (no mark)."""
	return BRANDS.get(value or "")


def for_desk() -> dict:
	"""What the desk's scripts read (``frappe.boot.scheduler_branding``): the marks' folder
	and every row by its value."""
	return {"icon_dir": ICON_DIR, "brands": {value: asdict(row) for value, row in BRANDS.items()}}
