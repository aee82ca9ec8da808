"""Presenting slots to a booker: group by date on the booker's clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .model import Slot
from .timezones import get_zone


def group_by_local_date(slots: Iterable[Slot], timezone: str) -> dict[date, list[Slot]]:
	"""Slots keyed by the booker-local date of their start, dates and slots in time order."""
	zone = get_zone(timezone)
	groups: dict[date, list[Slot]] = {}
	for slot in sorted(slots, key=lambda item: item.start):
		groups.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
	return groups
