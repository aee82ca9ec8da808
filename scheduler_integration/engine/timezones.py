"""Time zone lookup and conversions between host-local wall clock and UTC instants.

Conventions used across the engine:

* an *instant* is an aware ``datetime`` in UTC (``tzinfo is UTC``); inputs in other zones
  are converted once at the boundary;
* a *wall time* is a naive ``datetime`` read on a host's clock;
* a wall time that occurs twice (fall-back) means its first occurrence (PEP 495 ``fold=0``);
* a wall time that does not occur (spring-forward gap) is read with the offset in force
  before the gap, as RFC 5545 does for DTSTART: 02:30 on a New York spring-forward day is
  03:30 EDT. Slot *grids* never offer such times (see ``slots``); ranges merely shift.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InvalidTimeZone, NaiveDatetime

UTC = timezone.utc  # datetime.UTC only exists from Python 3.11

__all__ = ["UTC", "get_zone", "to_instant", "wall_exists", "wall_to_instant"]


@lru_cache(maxsize=512)
def get_zone(name: str) -> tzinfo:
	"""Return the zone for an IANA name, or raise InvalidTimeZone."""
	if not isinstance(name, str) or not name or len(name) > 64 or name != name.strip():
		raise InvalidTimeZone(f"Unknown time zone: {name!r}", "timezone")
	try:
		return ZoneInfo(name)
	except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
		raise InvalidTimeZone(f"Unknown time zone: {name!r}", "timezone") from None


def to_instant(value: datetime, field: str = "datetime") -> datetime:
	"""Return ``value`` as a UTC instant; refuse naive datetimes."""
	if not isinstance(value, datetime):
		raise NaiveDatetime(f"{field} must be a datetime, got {type(value).__name__}", field)
	if value.tzinfo is UTC:
		return value
	if value.tzinfo is None or value.utcoffset() is None:
		raise NaiveDatetime(f"{field} must be timezone-aware: {value.isoformat()}", field)
	return value.astimezone(UTC)


def wall_to_instant(wall: datetime, zone: tzinfo) -> datetime:
	"""Read a naive wall time on ``zone``'s clock (fold=0) and return the UTC instant."""
	return wall.replace(tzinfo=zone).astimezone(UTC)


def wall_exists(wall: datetime, zone: tzinfo) -> bool:
	"""False for wall times inside a spring-forward gap."""
	return wall_to_instant(wall, zone).astimezone(zone).replace(tzinfo=None) == wall
