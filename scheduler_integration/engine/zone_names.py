"""Time zones by their current IANA names.

Browsers name some zones by names the time zone database has since replaced (Chromium:
Asia/Calcutta for Asia/Kolkata, Europe/Kiev for Europe/Kyiv). A guest reads the name the
booking keeps in every email, so the app keeps the current one. The names come from
``public/data/time_zones.json`` (``scripts/time-zones`` writes it from the IANA database),
which the booking page's time zone search reads too: one list for both.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "public" / "data" / "time_zones.json"


@functools.cache
def _data() -> dict:
	return json.loads(DATA.read_text(encoding="utf-8"))


def current_name(name: str) -> str:
	"""The current IANA name of ``name`` (``Asia/Calcutta`` → ``Asia/Kolkata``); a current or
	unknown name as it is."""
	return _data()["aliases"].get(name, name)


def country_of(name: str) -> str | None:
	"""The ISO 3166 code of the country a zone is in (``Asia/Kolkata`` → ``IN``), or None."""
	return _data()["zones"].get(current_name(name)) or None
