"""Rows as frappe.get_all returns them -> engine records."""

from datetime import date, datetime

import pytest
from conftest import utc

from scheduler_integration.engine.adapters import (
	availability_from_rows,
	overrides_from_rows,
	parse_offsets,
	policy_from_row,
	weekday_index,
	weekly_from_rows,
)
from scheduler_integration.engine.errors import InvalidDuration, InvalidField


def test_weekly_rows():
	rules = weekly_from_rows(
		[
			{"weekday": "Monday", "from_time": "09:00", "to_time": "17:00"},
			{"weekday": "sun", "from_time": "22:00", "to_time": "24:00"},
		]
	)
	assert [(r.weekday, r.start, r.end) for r in rules] == [(0, 540, 1020), (6, 1320, 1440)]
	assert weekday_index(3) == 3
	with pytest.raises(InvalidField):
		weekday_index("Funday")
	for bad in (
		{"weekday": "Monday", "from_time": "17:00", "to_time": "09:00"},
		{"weekday": "Monday", "from_time": "x", "to_time": "09:00"},
	):
		with pytest.raises(InvalidField):
			weekly_from_rows([bad])


def test_override_rows_union_and_unavailable():
	overrides = overrides_from_rows(
		[
			{"date": "2030-01-01", "from_time": "09:00", "to_time": "10:00"},
			{"date": date(2030, 1, 1), "from_time": "12:00", "to_time": "13:00"},
			{"date": datetime(2030, 1, 2, 0, 0), "unavailable": 1},
		]
	)
	assert [(o.date, len(o.ranges)) for o in overrides] == [(date(2030, 1, 1), 2), (date(2030, 1, 2), 0)]
	with pytest.raises(InvalidField):
		overrides_from_rows([{"date": None}])


def test_availability_rows_with_blocked():
	availability = availability_from_rows(
		"Asia/Kolkata",
		[{"weekday": "Tuesday", "from_time": "09:00", "to_time": "12:00"}],
		[],
		[
			{"start": utc(2030, 1, 1, 4), "end": utc(2030, 1, 1, 5), "rrule": " FREQ=DAILY "},
			{"start": utc(2030, 1, 2), "end": utc(2030, 1, 2, 1), "rrule": ""},
		],
	)
	assert availability.timezone == "Asia/Kolkata" and [b.rrule for b in availability.blocked] == [
		"FREQ=DAILY",
		None,
	]


def test_policy_rows_zero_means_none():
	policy = policy_from_row(
		{
			"name": "mt1",
			"duration": "Custom",
			"custom_duration": 25,
			"slot_interval": 0,
			"buffer_before": 5,
			"max_advance_days": 0,
			"daily_limit": 2,
			"weekly_limit": None,
		}
	)
	assert (
		policy.duration,
		policy.interval,
		policy.buffer_before,
		policy.max_advance_days,
		policy.daily_limit,
		policy.weekly_limit,
		policy.meeting_type,
	) == (25, None, 5, None, 2, None, "mt1")
	assert policy_from_row({"duration": "60", "min_notice": 240}, "x").min_notice == 240
	with pytest.raises(InvalidField):
		policy_from_row({"duration": "7"})
	with pytest.raises(InvalidDuration):
		policy_from_row({"duration": "30", "buffer_before": -1})


def test_offsets():
	assert parse_offsets("60, 1440,60") == (1440, 60)
	assert (
		parse_offsets(None) == (1440, 60)
		and parse_offsets("  ") == (1440, 60)
		and parse_offsets(",") == (1440, 60)
	)
	assert parse_offsets("15;5", default=()) == (15, 5)
	for bad in ("24h", "0", "-5", "999999"):
		with pytest.raises(InvalidField):
			parse_offsets(bad)
