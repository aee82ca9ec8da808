"""Conversions between Frappe's naive Datetime fields (system time zone) and UTC instants."""

from __future__ import annotations

from datetime import datetime, timezone

from frappe.utils import get_datetime, get_system_timezone

from scheduler_integration.engine.timezones import get_zone

UTC = timezone.utc


def system_zone():
	return get_zone(get_system_timezone())


def to_utc(value) -> datetime | None:
	"""A Datetime field value (naive, system zone) or aware datetime -> aware UTC."""
	if value in (None, ""):
		return None
	value = get_datetime(value)
	if value.tzinfo is None:
		value = value.replace(tzinfo=system_zone())
	return value.astimezone(UTC)


def to_system(value: datetime) -> datetime:
	"""An aware datetime -> naive system-zone datetime for a Datetime field."""
	return value.astimezone(system_zone()).replace(tzinfo=None)


def utc_now() -> datetime:
	return datetime.now(UTC)
