"""Conversions between Frappe's naive Datetime fields (system time zone) and UTC instants.

The one place where naive database values become aware datetimes and back: the engine
only ever sees aware UTC datetimes, pages and emails convert to the reader's zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from frappe.utils import get_datetime, get_system_timezone

from scheduler_integration.engine.timezones import get_zone

UTC = timezone.utc


def system_zone():
	return get_zone(get_system_timezone())


def to_utc(value) -> datetime | None:
	"""A Datetime field value (naive, system zone) or aware datetime -> aware UTC."""
	if value in (None, ""):
		return None
	if not isinstance(value, datetime):
		value = get_datetime(value)
	if value.tzinfo is None:
		value = value.replace(tzinfo=system_zone())
	return value.astimezone(UTC)


def converter():
	"""A fast ``to_utc`` for many values read in one query: the zone is looked up once.

	Rows from the database are already ``datetime`` objects, so no parsing is needed."""
	zone = system_zone()

	def convert(value: datetime) -> datetime:
		return value.replace(tzinfo=zone).astimezone(UTC) if value.tzinfo is None else value.astimezone(UTC)

	return convert


def to_system(value: datetime) -> datetime:
	"""An aware datetime -> naive system-zone datetime for a Datetime field."""
	return value.astimezone(system_zone()).replace(tzinfo=None)


def utc_now() -> datetime:
	return datetime.now(UTC)


def iso(value) -> str | None:
	"""A Datetime field value as an ISO 8601 UTC instant (``…Z``), None when empty."""
	moment = to_utc(value) if value not in (None, "") else None
	return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


# the bounds a ``between`` filter reads history with: Frappe compares ``<`` and ``>`` through
# ``coalesce(field, …)``, which no index serves; a range on (status, time) reads only the
# rows it names
EVER, FAR = datetime(2000, 1, 1), datetime(2200, 1, 1)


def since_ever(moment: datetime, inclusive: bool = False) -> list[datetime]:
	"""[2000-01-01, ``moment``) (``inclusive``: ``moment]``) as a ``between`` filter."""
	hi = to_system(moment)
	return [EVER, hi if inclusive else hi - timedelta(microseconds=1)]
