"""Time zone lookup and conversions between host-local wall clock and UTC instants.

Conventions used across the engine:

* an *instant* is an aware ``datetime`` in UTC (``tzinfo is UTC``); inputs in other zones
  are converted once at the boundary;
* a *wall time* is a naive ``datetime`` read on a host's clock;
* a wall time that occurs twice (fall-back) means its first occurrence (PEP 495 ``fold=0``);
* a wall time that does not occur (spring-forward gap) stands for the end of the gap
  (``wall_to_instant_gapless``): a working range 02:30-03:15 on New York's spring-forward
  day is 03:00-03:15 EDT, and a range wholly inside the gap is empty. Slot *grids* never
  offer a wall time inside a gap (see ``slots``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InvalidInterval, InvalidTimeZone, NaiveDatetime

UTC = timezone.utc  # datetime.UTC only exists from Python 3.11
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def to_tick(instant: datetime) -> int:
	"""An instant as whole microseconds since 1970: exact (datetimes have µs resolution),
	and integers are made, compared and hashed far faster than datetimes in hot loops."""
	return (instant - EPOCH) // MICROSECOND


def from_tick(tick: int) -> datetime:
	return EPOCH + timedelta(microseconds=tick)


__all__ = [
	"UTC",
	"check_range",
	"get_zone",
	"to_instant",
	"wall_exists",
	"wall_to_instant",
	"wall_to_instant_gapless",
]


def get_zone(name: str) -> tzinfo:
	"""Return the zone for an IANA name, or raise InvalidTimeZone."""
	if not isinstance(name, str) or not name or len(name) > 64 or name != name.strip():
		raise InvalidTimeZone(f"Unknown time zone: {name!r}", "timezone")
	return _zone(name)


@lru_cache(maxsize=512)
def _zone(name: str) -> tzinfo:
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


# instants the engine works with: far enough from datetime.min/max that every margin,
# buffer and horizon it adds or subtracts stays representable
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def check_range(value: datetime, field: str) -> datetime:
	"""Refuse instants outside [1900, 9000) with a typed error (not an OverflowError later)."""
	if not EARLIEST <= value < LATEST:
		raise InvalidInterval(f"{field} must lie between the years 1900 and 9000", field)
	return value


def wall_to_instant(wall: datetime, zone: tzinfo) -> datetime:
	"""Read a naive wall time on ``zone``'s clock (fold=0) and return the UTC instant."""
	return wall.replace(tzinfo=zone).astimezone(UTC)


def wall_exists(wall: datetime, zone: tzinfo) -> bool:
	"""False for wall times inside a spring-forward gap."""
	return wall_to_instant(wall, zone).astimezone(zone).replace(tzinfo=None) == wall


def wall_to_instant_gapless(wall: datetime, zone: tzinfo) -> datetime:
	"""Like ``wall_to_instant``, but a wall time inside a spring-forward gap stands for the
	end of the gap (the first instant after it), so the order of wall times is kept and a
	span wholly inside a gap has no length."""
	instant = wall_to_instant(wall, zone)
	if instant.astimezone(zone).replace(tzinfo=None) == wall:
		return instant
	# in a gap: fold=0 read it with the offset before the gap (too late), fold=1 with the
	# offset after it (too early); the gap ends at the change of offset between the two
	early = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
	late_offset = instant.astimezone(zone).utcoffset()
	lo, hi = 0, int((instant - early) / timedelta(microseconds=1))
	while lo < hi:  # the first microsecond whose offset is the post-gap one
		mid = (lo + hi) // 2
		if (early + timedelta(microseconds=mid)).astimezone(zone).utcoffset() == late_offset:
			hi = mid
		else:
			lo = mid + 1
	return early + timedelta(microseconds=lo)
