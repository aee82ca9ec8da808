"""Shared helpers for the engine suite (no frappe)."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler_integration.engine import Availability, HostSchedule, WeeklyRange

UTC = timezone.utc

settings.register_profile(
	"engine",
	deadline=None,
	max_examples=150,
	suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("engine"), max_examples=1500)
# the runs on the library versions older Frappe releases pin check that the engine and the
# adapters work with those libraries; the property search itself runs in full on the newest
settings.register_profile("compat", parent=settings.get_profile("engine"), max_examples=25)
settings.load_profile(os.environ.get("SCHEDULER_HYPOTHESIS_PROFILE", "engine"))


# Checks of the repository itself (the layer checker, the docs' references, the translation
# files): no library version decides them, so the runs on the library versions older Frappe
# releases pin leave them out (`pytest -m "not tree"`, ./run-tests).
TREE_CHECKS = {
	"test_static_checks.py",
	"test_layer_blind_spots.py",
	"test_layer_hidden_calls.py",
	"test_docs_references.py",
	"test_translation_files.py",
}


def pytest_collection_modifyitems(config, items):
	for item in items:
		if Path(str(item.fspath)).name in TREE_CHECKS:
			item.add_marker(pytest.mark.tree)


def at(zone: str, *fields: int) -> datetime:
	"""Aware datetime on ``zone``'s wall clock (fold=0), as UTC."""
	return datetime(*fields, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def utc(*fields: int) -> datetime:
	return datetime(*fields, tzinfo=UTC)


def local(value: datetime, zone: str) -> datetime:
	return value.astimezone(ZoneInfo(zone))


def hhmm(value: datetime, zone: str) -> str:
	return local(value, zone).strftime("%H:%M")


def weekdays(zone: str, start: str = "09:00", end: str = "17:00", days=range(5), **kwargs) -> Availability:
	return Availability(zone, tuple(WeeklyRange.parse(day, start, end) for day in days), **kwargs)


def every_day(zone: str, start: str = "09:00", end: str = "17:00", **kwargs) -> Availability:
	return weekdays(zone, start, end, days=range(7), **kwargs)


def host(availability: Availability, name: str = "h1", **kwargs) -> HostSchedule:
	return HostSchedule(name, availability, **kwargs)


def minutes(value: int) -> timedelta:
	return timedelta(minutes=value)
