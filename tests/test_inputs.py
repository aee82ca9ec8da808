"""Bad input raises typed errors with a field name; parsing helpers."""

from datetime import date, datetime, timedelta

import pytest
from conftest import UTC, host, utc, weekdays

from scheduler_integration.engine import (
	Assignment,
	Availability,
	BlockedTime,
	Booking,
	DateOverride,
	HostSchedule,
	Interval,
	InvalidDuration,
	InvalidInterval,
	InvalidRecurrence,
	InvalidRule,
	InvalidTimeZone,
	LocalRange,
	NaiveDatetime,
	SchedulingError,
	SlotPolicy,
	WeeklyRange,
	check_slot,
	find_slots,
	get_zone,
	group_by_local_date,
)
from scheduler_integration.engine.model import format_hhmm, parse_hhmm
from scheduler_integration.engine.recurrence import expand_blocked, validate_rrule

NOW = utc(2026, 6, 1)
W = (utc(2026, 6, 8), utc(2026, 6, 9))


@pytest.mark.parametrize("name", ["Mars/Olympus", "", " UTC", "../../etc/passwd", "x" * 100, None, 5])
def test_unknown_time_zone(name):
	with pytest.raises(InvalidTimeZone) as err:
		get_zone(name)
	assert err.value.field == "timezone"
	with pytest.raises(InvalidTimeZone):
		Availability(name)


def test_naive_datetimes_are_refused():
	with pytest.raises(NaiveDatetime):
		Interval(datetime(2026, 1, 1), datetime(2026, 1, 2))
	with pytest.raises(NaiveDatetime):
		Interval("2026-01-01", utc(2026, 1, 2))
	with pytest.raises(NaiveDatetime):
		find_slots([host(weekdays("UTC"))], SlotPolicy(30), datetime(2026, 6, 8), W[1], NOW)


def test_other_zones_are_converted_to_utc():
	from zoneinfo import ZoneInfo

	start = datetime(2026, 6, 8, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
	assert Interval(start, start + timedelta(hours=1)).start == utc(2026, 6, 8, 0)


def test_end_before_start():
	with pytest.raises(InvalidInterval) as err:
		Booking(utc(2026, 1, 2), utc(2026, 1, 1))
	assert err.value.field == "end"
	with pytest.raises(InvalidInterval):
		find_slots([host(weekdays("UTC"))], SlotPolicy(30), W[1], W[0], NOW)
	with pytest.raises(InvalidInterval):
		find_slots([host(weekdays("UTC"))], SlotPolicy(30), W[0], W[0] + timedelta(days=5000), NOW)


@pytest.mark.parametrize(
	"kwargs",
	[
		{"duration": 0},
		{"duration": -30},
		{"duration": 30.5},
		{"duration": True},
		{"duration": 30, "interval": 0},
		{"duration": 30, "buffer_before": -1},
		{"duration": 30, "buffer_after": 100000},
		{"duration": 30, "min_notice": -5},
		{"duration": 30, "max_advance_days": -1},
		{"duration": 30, "daily_limit": -1},
		{"duration": 30, "weekly_limit": "3"},
		{"duration": 30, "week_start": 7},
	],
)
def test_policy_bounds(kwargs):
	with pytest.raises(InvalidDuration):
		SlotPolicy(**kwargs)


def test_booking_buffers_and_host_fields_are_checked():
	with pytest.raises(InvalidDuration):
		Booking(utc(2026, 1, 1), utc(2026, 1, 1, 1), buffer_before=-5)
	with pytest.raises(InvalidDuration):
		HostSchedule("a", weekdays("UTC"), weight=0)
	with pytest.raises(InvalidRule):
		HostSchedule("", weekdays("UTC"))
	with pytest.raises(InvalidRule):
		HostSchedule("a", "not availability")
	with pytest.raises(InvalidRule):
		HostSchedule("a", weekdays("UTC"), bookings=("x",))
	with pytest.raises(InvalidRule):
		HostSchedule("a", weekdays("UTC"), busy=("x",))
	assert HostSchedule("a", weekdays("UTC"), last_booked_at=utc(2026, 1, 1)).last_booked_at == utc(
		2026, 1, 1
	)


@pytest.mark.parametrize(
	("args", "field"),
	[
		((7, "09:00", "10:00"), "weekday"),
		(("funday", "09:00", "10:00"), "weekday"),
		(("mon", "10:00", "09:00"), "end"),
		(("mon", "09:00", "09:00"), "end"),
		(("mon", "24:30", "25:00"), "from"),
		(("mon", "9am", "10:00"), "from"),
		(("mon", "09:61", "10:00"), "from"),
		(("mon", "09:00:30", "10:00"), "from"),
		(("mon", True, "10:00"), "from"),
	],
)
def test_bad_weekly_rules(args, field):
	with pytest.raises(InvalidRule) as err:
		WeeklyRange.parse(*args)
	assert err.value.field == field


def test_rule_parsing_and_formatting():
	assert WeeklyRange.parse("Monday", "9:30", "24:00") == WeeklyRange(0, 570, 1440)
	assert WeeklyRange.parse(6, 0, 60) == WeeklyRange(6, 0, 60)
	assert parse_hhmm("00:00") == 0 and format_hhmm(1440) == "24:00"
	with pytest.raises(InvalidRule):
		LocalRange(-1, 30)
	with pytest.raises(InvalidRule):
		LocalRange(0, 1441)


def test_bad_override_and_availability_items():
	with pytest.raises(InvalidRule):
		DateOverride(datetime(2026, 1, 1))
	with pytest.raises(InvalidRule):
		DateOverride(date(2026, 1, 1), ("09:00-10:00",))
	with pytest.raises(InvalidRule):
		Availability("UTC", weekly=("mon 9-5",))
	with pytest.raises(InvalidRule):
		BlockedTime(utc(2026, 1, 1), utc(2026, 1, 2), rrule=5)


@pytest.mark.parametrize(
	"rule",
	[
		"FREQ=FORTNIGHTLY",
		"BYDAY=MO",
		"FREQ=MINUTELY",
		"FREQ=SECONDLY;COUNT=5",
		"FREQ=DAILY\nDTSTART:20260101T000000",
		"FREQ=DAILY;DTSTART=20260101",
		"FREQ=DAILY;UNTIL=20261399",
		"FREQ=DAILY;" + "BYHOUR=1;" * 100,
		"FREQ=DAILY;<script>",
		"FREQ=DAILY;INTERVAL=0",
	],
)
def test_bad_recurrence_rules(rule):
	zone = get_zone("UTC")
	with pytest.raises(InvalidRecurrence) as err:
		validate_rrule(rule, zone, utc(2026, 1, 1))
	assert err.value.field == "rrule"


def test_hourly_rule_is_capped_per_window():
	zone = get_zone("UTC")
	blocked = BlockedTime(utc(2020, 1, 1), utc(2020, 1, 1, 0, 1), "FREQ=HOURLY")
	assert len(expand_blocked(blocked, zone, utc(2026, 1, 1), utc(2026, 1, 2))) == 24
	with pytest.raises(InvalidRecurrence):
		expand_blocked(blocked, zone, utc(2026, 1, 1), utc(2027, 1, 2))


def test_until_in_utc_is_accepted_and_non_repeating_outside_window_is_skipped():
	zone = get_zone("Europe/Amsterdam")
	blocked = BlockedTime(utc(2026, 1, 5, 8), utc(2026, 1, 5, 9), "RRULE:FREQ=DAILY;UNTIL=20260107T080000Z")
	assert len(expand_blocked(blocked, zone, utc(2026, 1, 1), utc(2026, 2, 1))) == 3
	single = BlockedTime(utc(2026, 1, 5, 8), utc(2026, 1, 5, 9))
	assert expand_blocked(single, zone, utc(2026, 2, 1), utc(2026, 3, 1)) == []
	local_until = BlockedTime(utc(2026, 1, 5, 8), utc(2026, 1, 5, 9), "FREQ=DAILY;UNTIL=20260106T090000")
	assert len(expand_blocked(local_until, zone, utc(2026, 1, 1), utc(2026, 2, 1))) == 2


def test_blocked_time_spanning_a_dst_change_keeps_its_real_length():
	# 01:30-02:30 wall on a fall-back day in New York reads as a negative wall length
	zone = get_zone("America/New_York")
	start = datetime(2026, 11, 1, 1, 30, tzinfo=zone)
	end = datetime(2026, 11, 1, 1, 15, fold=1, tzinfo=zone)
	blocked = BlockedTime(start, end, "FREQ=DAILY;COUNT=2")
	spans = expand_blocked(blocked, zone, utc(2026, 10, 31), utc(2026, 11, 3))
	real = end.astimezone(UTC) - start.astimezone(UTC)  # same-tzinfo subtraction would read wall clocks
	assert real == timedelta(minutes=45)
	assert spans and all(b - a == real for a, b in spans)


def test_search_input_checks():
	h = host(weekdays("UTC"))
	with pytest.raises(InvalidRule):
		find_slots([], SlotPolicy(30), *W, NOW)
	with pytest.raises(InvalidRule):
		find_slots([h], "30 minutes", *W, NOW)
	with pytest.raises(InvalidRule):
		find_slots([h], SlotPolicy(30), *W, NOW, "random")
	with pytest.raises(InvalidRule):
		find_slots([h, h], SlotPolicy(30), *W, NOW, Assignment.ROUND_ROBIN)
	with pytest.raises(InvalidRule):
		find_slots([h, host(weekdays("UTC"), "b")], SlotPolicy(30), *W, NOW, Assignment.INDIVIDUAL)
	with pytest.raises(InvalidRule):
		find_slots(["h1"], SlotPolicy(30), *W, NOW)
	with pytest.raises(NaiveDatetime):
		check_slot([h], SlotPolicy(30), datetime(2026, 6, 8, 9), NOW)
	with pytest.raises(InvalidTimeZone):
		group_by_local_date([], "Nowhere/City")


def test_every_error_is_a_value_error_with_message():
	with pytest.raises(ValueError) as err:
		SlotPolicy(0)
	assert isinstance(err.value, SchedulingError) and "duration" in str(err.value)


@pytest.mark.parametrize(
	"rule",
	[
		"FREQ=DAILY;COUNT=3;UNTIL=20260301T000000Z",
		"FREQ=DAILY;BYYEARDAY=1",
		"FREQ=DAILY;BYDAY=1MO",
		"FREQ=MONTHLY;BYDAY=MON",
		"FREQ=MONTHLY;BYDAY=60MO",
		"FREQ=DAILY;WKST=XX",
		"FREQ=DAILY;INTERVAL=x",
		"FREQ=DAILY;BYMONTH=13",
		"FREQ=DAILY;BYMONTHDAY=0",
		"FREQ=DAILY;COUNT=2;COUNT=3",
		"FREQ=DAILY;=1",
		"FREQ=DAILY;UNTIL=20260230T000000Z",
	],
)
def test_unsupported_or_malformed_rule_parts_are_refused(rule):
	with pytest.raises(InvalidRecurrence) as err:
		validate_rrule(rule, get_zone("UTC"), utc(2026, 1, 1))
	assert err.value.field == "rrule"


def test_supported_rule_parts_expand():
	zone = get_zone("UTC")
	start = utc(2026, 1, 1, 9)
	for rule, expected in (
		("FREQ=YEARLY;BYDAY=1MO", [utc(2026, 1, 1, 9), utc(2026, 1, 5, 9), utc(2027, 1, 4, 9)]),
		("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=9", [utc(2026, 1, 1, 9), utc(2026, 1, 30, 9), utc(2026, 2, 27, 9)]),
		(
			"FREQ=WEEKLY;WKST=SU;BYDAY=SU,TH;COUNT=3",
			[utc(2026, 1, 1, 9), utc(2026, 1, 4, 9), utc(2026, 1, 8, 9)],
		),
		(
			"FREQ=MONTHLY;BYMONTHDAY=-1;BYSETPOS=-1",
			[utc(2026, 1, 1, 9), utc(2026, 1, 31, 9), utc(2026, 2, 28, 9)],
		),
	):
		blocked = BlockedTime(start, start + timedelta(minutes=30), rule)
		spans = expand_blocked(blocked, zone, utc(2026, 1, 1), utc(2027, 2, 1))
		assert [a for a, _b in spans[:3]] == expected, rule


def test_busy_time_is_merged_once_immutable_and_equal_to_its_spans():
	from scheduler_integration.engine import BusyTime

	def at(hour, minute=0):
		return utc(2026, 3, 2, hour, minute)

	raw = [
		Interval(at(12), at(13)),
		Interval(at(9), at(10)),
		Interval(at(10), at(11)),
		Interval(at(9, 30), at(9, 45)),
	]
	busy = BusyTime(raw)  # out of order, touching and nested
	assert list(busy) == [Interval(at(9), at(11)), Interval(at(12), at(13))]
	assert len(busy) == 2 and bool(BusyTime()) is False
	assert busy == BusyTime(iter(sorted(raw, key=lambda i: i.start)))
	assert hash(busy) == hash(BusyTime(list(busy)))
	assert busy != BusyTime(raw[:1]) and busy != "busy" and "2 spans" in repr(busy)
	with pytest.raises(AttributeError):
		busy.starts = ()
	# a schedule keeps a BusyTime it is given, and builds one from plain intervals
	assert HostSchedule("a", weekdays("UTC"), busy=busy).busy is busy
	assert HostSchedule("a", weekdays("UTC"), busy=raw).busy == busy
