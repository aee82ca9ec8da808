"""Slot search: rules one by one, then differential and invariant properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import oracle
import pytest
from conftest import UTC, at, every_day, hhmm, host, minutes, utc, weekdays
from hypothesis import assume, given
from hypothesis import strategies as st

from scheduler_integration.engine import (
	Assignment,
	Availability,
	BlockedTime,
	Booking,
	DateOverride,
	HostSchedule,
	Interval,
	LocalRange,
	Refusal,
	SlotPolicy,
	WeeklyRange,
	available_intervals,
	check_slot,
	find_slots,
	group_by_local_date,
	nearest_slots,
)

NY = "America/New_York"
NOW = utc(2026, 6, 1)  # a Monday, far from DST changes
MON = date(2026, 6, 8)


def day_window(zone: str, day: date):
	return at(zone, day.year, day.month, day.day, 0, 0), at(zone, day.year, day.month, day.day, 23, 59)


def starts(slots, zone=NY):
	return [hhmm(slot.start, zone) for slot in slots]


def one_day(h, policy, day=MON, zone=NY, now=NOW):
	return find_slots([h], policy, *day_window(zone, day), now)


# --- the grid -------------------------------------------------------------------------


def test_grid_steps_by_duration_from_range_start():
	slots = one_day(host(weekdays(NY)), SlotPolicy(60))
	assert starts(slots) == [f"{h:02d}:00" for h in range(9, 17)]
	assert all(slot.end - slot.start == minutes(60) for slot in slots)


def test_interval_shorter_than_duration_overlapping_options():
	slots = one_day(host(weekdays(NY, "09:00", "11:00")), SlotPolicy(60, interval=30))
	assert starts(slots) == ["09:00", "09:30", "10:00"]


def test_busy_block_never_shifts_the_grid():
	busy = (Interval(at(NY, 2026, 6, 8, 9, 10), at(NY, 2026, 6, 8, 9, 50)),)
	slots = one_day(host(weekdays(NY), busy=busy), SlotPolicy(30))
	assert starts(slots)[:3] == ["10:00", "10:30", "11:00"]
	assert all(s.endswith(":00") or s.endswith(":30") for s in starts(slots))


def test_range_not_a_multiple_of_duration_drops_the_tail():
	slots = one_day(host(weekdays(NY, "09:00", "10:45")), SlotPolicy(30))
	assert starts(slots) == ["09:00", "09:30", "10:00"]


def test_several_ranges_per_day_each_anchor_their_grid():
	availability = Availability(
		NY, (WeeklyRange.parse("mon", "09:00", "10:00"), WeeklyRange.parse("mon", "13:15", "14:15"))
	)
	assert starts(one_day(host(availability), SlotPolicy(30))) == ["09:00", "09:30", "13:15", "13:45"]


def test_overlapping_rules_are_merged_not_rejected():
	availability = Availability(
		NY, (WeeklyRange.parse("mon", "09:00", "11:00"), WeeklyRange.parse("mon", "10:00", "12:00"))
	)
	assert starts(one_day(host(availability), SlotPolicy(60))) == ["09:00", "10:00", "11:00"]


def test_range_ending_at_midnight_joins_next_day_for_meetings_that_cross_it():
	availability = Availability(
		NY, (WeeklyRange.parse("mon", "22:00", "24:00"), WeeklyRange.parse("tue", "00:00", "01:00"))
	)
	slots = find_slots([host(availability)], SlotPolicy(90, interval=30), *day_window(NY, MON), NOW)
	assert starts(slots) == ["22:00", "22:30", "23:00", "23:30"]  # 23:30 ends 01:00 on Tuesday


# --- buffers ------------------------------------------------------------------------------


def test_buffers_widen_busy_time_on_both_sides():
	booking = Booking(at(NY, 2026, 6, 8, 11, 0), at(NY, 2026, 6, 8, 11, 30), buffer_before=0, buffer_after=15)
	policy = SlotPolicy(30, buffer_before=15)
	slots = starts(one_day(host(weekdays(NY), bookings=(booking,)), policy))
	# 10:30 would end at 11:00 exactly: touching is fine. 11:30 starts inside 11:30-11:45 (+15 before).
	assert "10:30" in slots and "11:00" not in slots and "11:30" not in slots and "12:00" in slots


def test_offered_meetings_after_buffer_is_checked_against_busy():
	busy = (Interval(at(NY, 2026, 6, 8, 10, 0), at(NY, 2026, 6, 8, 10, 30)),)
	slots = starts(one_day(host(weekdays(NY), busy=busy), SlotPolicy(30, buffer_after=10)))
	assert "09:30" not in slots and "09:00" in slots and "10:30" in slots


def test_buffers_never_trim_availability_edges():
	slots = starts(one_day(host(weekdays(NY)), SlotPolicy(30, buffer_before=30, buffer_after=30)))
	assert slots[0] == "09:00" and slots[-1] == "16:30"


# --- notice, horizon, window -----------------------------------------------------------------


def test_minimum_notice_and_horizon_are_measured_from_now():
	now = at(NY, 2026, 6, 8, 10, 10)
	slots = find_slots(
		[host(every_day(NY))],
		SlotPolicy(30, min_notice=60, max_advance_days=2),
		at(NY, 2026, 6, 8, 0, 0),
		at(NY, 2026, 6, 12, 0, 0),
		now,
	)
	assert slots[0].start == at(NY, 2026, 6, 8, 11, 30)
	assert slots[-1].start == at(NY, 2026, 6, 10, 10, 0)  # now + 2 days = 10:10 on the 10th


def test_window_is_half_open_on_starts():
	h = host(weekdays(NY))
	slots = find_slots([h], SlotPolicy(30), at(NY, 2026, 6, 8, 10, 0), at(NY, 2026, 6, 8, 11, 0), NOW)
	assert starts(slots) == ["10:00", "10:30"]


# --- overrides and blocked time -----------------------------------------------------------


def test_override_replaces_weekly_ranges_and_empty_override_is_a_day_off():
	overrides = (
		DateOverride(MON, (LocalRange.parse("14:00", "15:00"),)),
		DateOverride(MON + timedelta(days=1)),
	)
	h = host(weekdays(NY, overrides=overrides))
	assert starts(one_day(h, SlotPolicy(30))) == ["14:00", "14:30"]
	assert one_day(h, SlotPolicy(30), day=MON + timedelta(days=1)) == []
	assert len(one_day(h, SlotPolicy(30), day=MON + timedelta(days=2))) == 16


def test_overrides_of_one_date_are_unioned():
	overrides = (
		DateOverride(MON, (LocalRange.parse("09:00", "10:00"),)),
		DateOverride(MON, (LocalRange.parse("12:00", "13:00"),)),
	)
	assert starts(one_day(host(weekdays(NY, overrides=overrides)), SlotPolicy(60))) == ["09:00", "12:00"]


def test_blocked_time_removes_slots_without_moving_the_grid():
	blocked = (BlockedTime(at(NY, 2026, 6, 8, 12, 0), at(NY, 2026, 6, 8, 12, 20)),)
	slots = starts(one_day(host(weekdays(NY, blocked=blocked)), SlotPolicy(30)))
	assert "11:30" in slots and "12:00" not in slots and "12:30" in slots and "12:20" not in slots


def test_repeating_blocked_time_follows_the_host_wall_clock_across_dst():
	blocked = (BlockedTime(at(NY, 2026, 3, 2, 12, 0), at(NY, 2026, 3, 2, 13, 0), "RRULE:FREQ=DAILY"),)
	h = host(weekdays(NY, blocked=blocked))
	for day in (date(2026, 3, 6), date(2026, 3, 9)):  # before and after spring-forward
		slots = starts(one_day(h, SlotPolicy(60), day=day, now=utc(2026, 3, 1)))
		assert "12:00" not in slots and "11:00" in slots and "13:00" in slots


def test_repeating_blocked_time_with_until_and_byday():
	blocked = (
		BlockedTime(
			at(NY, 2026, 6, 1, 9, 0), at(NY, 2026, 6, 1, 10, 0), "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260609"
		),
	)
	h = host(weekdays(NY, blocked=blocked))
	assert "09:00" not in starts(one_day(h, SlotPolicy(60)))
	assert "09:00" in starts(one_day(h, SlotPolicy(60), day=MON + timedelta(days=7)))


# --- limits ---------------------------------------------------------------------------------


def test_daily_limit_counts_only_the_same_meeting_type_by_default():
	bookings = (
		Booking(at(NY, 2026, 6, 8, 9, 0), at(NY, 2026, 6, 8, 9, 30), meeting_type="intro"),
		Booking(at(NY, 2026, 6, 8, 10, 0), at(NY, 2026, 6, 8, 10, 30), meeting_type="demo"),
	)
	h = host(weekdays(NY), bookings=bookings)
	assert one_day(h, SlotPolicy(30, daily_limit=1, meeting_type="intro")) == []
	assert one_day(h, SlotPolicy(30, daily_limit=2, meeting_type="intro")) != []
	assert one_day(h, SlotPolicy(30, daily_limit=2, meeting_type="intro", limits_count_all_types=True)) == []


def test_weekly_limit_blocks_the_whole_host_local_week():
	bookings = tuple(
		Booking(at(NY, 2026, 6, 8 + i, 9, 0), at(NY, 2026, 6, 8 + i, 9, 30), meeting_type="x")
		for i in range(2)
	)
	h = host(weekdays(NY), bookings=bookings)
	policy = SlotPolicy(30, weekly_limit=2, meeting_type="x")
	week = find_slots([h], policy, at(NY, 2026, 6, 8, 0, 0), at(NY, 2026, 6, 15, 0, 0), NOW)
	assert week == []
	assert find_slots([h], policy, at(NY, 2026, 6, 15, 0, 0), at(NY, 2026, 6, 16, 0, 0), NOW)
	sunday_weeks = SlotPolicy(30, weekly_limit=2, meeting_type="x", week_start=6)
	assert find_slots([h], sunday_weeks, at(NY, 2026, 6, 8, 0, 0), at(NY, 2026, 6, 13, 0, 0), NOW) == []


def test_zero_limit_offers_nothing():
	assert one_day(host(weekdays(NY)), SlotPolicy(30, daily_limit=0)) == []
	assert one_day(host(weekdays(NY)), SlotPolicy(30, weekly_limit=0)) == []


# --- teams ----------------------------------------------------------------------------------


def test_round_robin_offers_a_start_when_any_host_is_free():
	a = host(
		weekdays(NY, "09:00", "11:00"),
		"a",
		busy=(Interval(at(NY, 2026, 6, 8, 9, 0), at(NY, 2026, 6, 8, 10, 0)),),
	)
	b = host(weekdays(NY, "10:00", "12:00"), "b", weight=200)
	slots = find_slots([a, b], SlotPolicy(60), *day_window(NY, MON), NOW, Assignment.ROUND_ROBIN)
	assert [(hhmm(s.start, NY), s.hosts) for s in slots] == [("10:00", ("b", "a")), ("11:00", ("b",))]


def test_collective_needs_every_host_and_respects_each_hosts_buffers():
	ldn = "Europe/London"
	a = host(weekdays(NY), "a")  # 14:00-22:00 London in June
	booking = Booking(at(ldn, 2026, 6, 8, 15, 0), at(ldn, 2026, 6, 8, 15, 30), buffer_after=30)
	b = host(weekdays(ldn), "b", bookings=(booking,))  # 09:00-17:00 London
	slots = find_slots([a, b], SlotPolicy(30), *day_window(ldn, MON), NOW, Assignment.COLLECTIVE)
	assert [hhmm(s.start, ldn) for s in slots] == ["14:00", "14:30", "16:00", "16:30"]
	assert all(s.hosts == ("a", "b") for s in slots)


def test_collective_grid_anchors_on_intersection_start():
	a = host(Availability(NY, (WeeklyRange.parse("mon", "09:10", "12:00"),)), "a")
	b = host(Availability(NY, (WeeklyRange.parse("mon", "09:00", "11:00"),)), "b")
	slots = find_slots([a, b], SlotPolicy(45), *day_window(NY, MON), NOW, "collective")
	assert starts(slots) == ["09:10", "09:55"]


# --- checking one start, alternatives, grouping -------------------------------------------------


def test_check_slot_reasons():
	booking = Booking(at(NY, 2026, 6, 8, 11, 0), at(NY, 2026, 6, 8, 11, 30))
	h = host(weekdays(NY), bookings=(booking,))
	policy = SlotPolicy(30, min_notice=60, max_advance_days=30, daily_limit=5)
	now = at(NY, 2026, 6, 8, 9, 30)
	assert check_slot([h], policy, at(NY, 2026, 6, 8, 12, 0), now).offered
	assert check_slot([h], policy, at(NY, 2026, 6, 8, 12, 0), now).hosts == ("h1",)
	cases = {
		at(NY, 2026, 6, 8, 12, 10): Refusal.OUTSIDE_AVAILABILITY,
		at(NY, 2026, 6, 8, 18, 0): Refusal.OUTSIDE_AVAILABILITY,
		at(NY, 2026, 6, 8, 10, 0): Refusal.TOO_SOON,
		at(NY, 2026, 7, 20, 10, 0): Refusal.TOO_FAR,
		at(NY, 2026, 6, 8, 11, 0): Refusal.CONFLICT,
	}
	for start, reason in cases.items():
		result = check_slot([h], policy, start, now)
		assert (result.offered, result.reason) == (False, reason), start
	limited = SlotPolicy(30, daily_limit=1)
	assert check_slot([h], limited, at(NY, 2026, 6, 8, 14, 0), now).reason is Refusal.LIMIT_REACHED


def test_nearest_alternatives_are_closest_first_and_exclude_the_request():
	busy = (Interval(at(NY, 2026, 6, 8, 9, 0), at(NY, 2026, 6, 8, 12, 0)),)
	h = host(weekdays(NY), busy=busy)
	found = nearest_slots([h], SlotPolicy(30), at(NY, 2026, 6, 8, 10, 0), NOW, count=3)
	assert starts(found) == ["12:00", "12:30", "13:00"]
	found = nearest_slots([h], SlotPolicy(30), at(NY, 2026, 6, 8, 13, 0), NOW, count=2)
	assert starts(found) == ["12:30", "13:30"]
	assert nearest_slots([h], SlotPolicy(30), at(NY, 2026, 6, 8, 13, 0), NOW, count=0) == []


def test_nearest_alternatives_search_widens_up_to_the_horizon():
	availability = Availability(
		NY, (), (DateOverride(date(2026, 7, 20), (LocalRange.parse("09:00", "10:00"),)),)
	)
	found = nearest_slots(
		[host(availability)], SlotPolicy(30, max_advance_days=60), at(NY, 2026, 6, 8, 9, 0), NOW
	)
	assert starts(found) == ["09:00", "09:30"]


def test_group_by_booker_local_date():
	slots = one_day(host(weekdays(NY)), SlotPolicy(60))
	groups = group_by_local_date(slots, "Asia/Tokyo")
	# 09:00-16:00 New York (EDT) = 22:00 Monday .. 05:00 Tuesday in Tokyo
	assert list(groups) == [date(2026, 6, 8), date(2026, 6, 9)]
	assert [len(v) for v in groups.values()] == [2, 6]


def test_available_intervals_public_helper():
	blocked = (BlockedTime(at(NY, 2026, 6, 8, 12, 0), at(NY, 2026, 6, 8, 13, 0)),)
	found = available_intervals(weekdays(NY, blocked=blocked), *day_window(NY, MON))
	assert [(hhmm(i.start, NY), hhmm(i.end, NY)) for i in found] == [("09:00", "12:00"), ("13:00", "17:00")]


# --- properties --------------------------------------------------------------------------------

ZONES = [
	"UTC",
	"America/New_York",
	"Europe/Amsterdam",
	"Asia/Kolkata",
	"Australia/Sydney",
	"Australia/Lord_Howe",
]
BASE = utc(2026, 3, 1)  # windows below cross the March/April DST changes of several zones


@st.composite
def local_ranges(draw, max_size=3):
	out = []
	for _ in range(draw(st.integers(0, max_size))):
		start = draw(st.integers(0, 95)) * 15
		end = draw(st.integers(start // 15 + 1, 96)) * 15
		out.append((start, end))
	return out


@st.composite
def scenarios(draw, zones=ZONES, hosts=1):
	day_offset = draw(st.integers(0, 45))
	window_start = BASE + timedelta(days=day_offset, minutes=draw(st.integers(0, 1440)))
	window_end = window_start + timedelta(hours=draw(st.integers(6, 24 * 5)))
	now = window_start + timedelta(minutes=draw(st.integers(-3000, 600)))
	policy = SlotPolicy(
		duration=draw(st.sampled_from([15, 30, 45, 60, 90])),
		interval=draw(st.one_of(st.none(), st.sampled_from([10, 15, 20, 30, 45, 60]))),
		buffer_before=draw(st.sampled_from([0, 0, 5, 15])),
		buffer_after=draw(st.sampled_from([0, 0, 10, 30])),
		min_notice=draw(st.sampled_from([0, 30, 240])),
		max_advance_days=draw(st.one_of(st.none(), st.integers(0, 6))),
		daily_limit=draw(st.one_of(st.none(), st.integers(0, 3))),
		weekly_limit=draw(st.one_of(st.none(), st.integers(1, 6))),
		meeting_type=draw(st.sampled_from([None, "a"])),
		limits_count_all_types=draw(st.booleans()),
		week_start=draw(st.integers(0, 6)),
		seats=draw(st.sampled_from([1, 1, 2, 3])),
	)
	out = []
	# seated slots of type "a" (open, full, or of another length), shared by every host
	# as a collective slot's seats are
	seat_groups = []
	for _ in range(draw(st.integers(0, 2))):
		start = window_start + timedelta(minutes=draw(st.integers(-120, 5 * 1440)) // 15 * 15)
		length = draw(st.sampled_from([policy.duration, policy.duration, 30]))
		for _ in range(draw(st.integers(1, 3))):
			seat_groups.append(
				Booking(
					start,
					start + timedelta(minutes=length),
					policy.buffer_before,
					policy.buffer_after,
					"a",
				)
			)
	for index in range(hosts):
		zone = draw(st.sampled_from(zones))
		weekly = tuple(WeeklyRange(day, a, b) for day in range(7) for a, b in draw(local_ranges(max_size=2)))
		first_day = (window_start - timedelta(days=1)).date()
		overrides = tuple(
			DateOverride(
				first_day + timedelta(days=draw(st.integers(0, 6))),
				tuple(LocalRange(a, b) for a, b in draw(local_ranges(2))),
			)
			for _ in range(draw(st.integers(0, 2)))
		)

		def span(draw=draw):
			start = window_start + timedelta(minutes=draw(st.integers(-1440, 7 * 1440)) // 5 * 5)
			return start, start + timedelta(minutes=draw(st.integers(1, 240)))

		blocked = []
		for _ in range(draw(st.integers(0, 2))):
			start, end = span()
			rule = draw(
				st.sampled_from(
					[None, None, "FREQ=DAILY;COUNT=4", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=6"]
				)
			)
			blocked.append(BlockedTime(start, end, rule))
		bookings = []
		for _ in range(draw(st.integers(0, 6))):
			start, end = span()
			bookings.append(
				Booking(
					start,
					end,
					draw(st.sampled_from([0, 10])),
					draw(st.sampled_from([0, 5, 20])),
					draw(st.sampled_from([None, "a", "b"])),
				)
			)
		if draw(st.booleans()):
			bookings.extend(seat_groups)
		busy = []
		for _ in range(draw(st.integers(0, 6))):
			start, end = span()
			busy.append(Interval(start, end))
		out.append(
			HostSchedule(
				f"h{index}",
				Availability(zone, weekly, overrides, tuple(blocked)),
				tuple(bookings),
				tuple(busy),
				priority=draw(st.integers(0, 1)),
				weight=draw(st.sampled_from([50, 100, 200])),
				bookings_so_far=draw(st.integers(0, 5)),
			)
		)
	return out, policy, window_start, window_end, now


def _wall_blocked_is_simple(hosts):
	# The oracle reads repeating blocked time naively; skip blocks whose wall length a DST
	# change inside the block itself would make ambiguous.
	for h in hosts:
		for item in h.availability.blocked:
			zone = h.availability.timezone
			from zoneinfo import ZoneInfo

			z = ZoneInfo(zone)
			if item.start.astimezone(z).utcoffset() != item.end.astimezone(z).utcoffset():
				return False
	return True


@given(scenarios())
def test_engine_matches_naive_oracle(scenario):
	hosts, policy, window_start, window_end, now = scenario
	assume(_wall_blocked_is_simple(hosts))
	engine = [slot.start for slot in find_slots(hosts, policy, window_start, window_end, now)]
	assert engine == oracle.host_starts(hosts[0], policy, window_start, window_end, now)


@given(scenarios(hosts=3))
def test_round_robin_is_the_union_of_hosts(scenario):
	hosts, policy, window_start, window_end, now = scenario
	assume(_wall_blocked_is_simple(hosts))
	slots = find_slots(hosts, policy, window_start, window_end, now, Assignment.ROUND_ROBIN)
	expected = oracle.round_robin_starts(hosts, policy, window_start, window_end, now)
	assert [slot.start for slot in slots] == sorted(expected)
	for slot in slots:
		assert set(slot.hosts) == set(expected[slot.start])


def test_a_daily_block_that_falls_into_the_gap_blocks_the_gaps_end():
	"""Found by the round-robin property: a block repeating daily at 02:56-03:01 in Amsterdam
	meets the spring-forward gap (02:00-03:00) on 29 March 2026; its wall times in the gap
	stand for the gap's end, so that day it blocks 03:00-03:01 CEST (01:00Z) and the
	15-minute slot at 01:00Z is not the blocked host's."""
	amsterdam = HostSchedule(
		"h0",
		Availability(
			"Europe/Amsterdam",
			(),
			(DateOverride(date(2026, 3, 29), (LocalRange(0, 195),)),),
			(BlockedTime(utc(2026, 3, 28, 1, 56), utc(2026, 3, 28, 2, 1), "FREQ=DAILY;COUNT=4"),),
		),
	)
	sunday = HostSchedule("h2", Availability("UTC", (WeeklyRange(6, 0, 75),)))
	policy = SlotPolicy(duration=15)
	start, end = utc(2026, 3, 28, 4, 1), utc(2026, 3, 29, 1, 16)
	slots = {
		s.start: set(s.hosts)
		for s in find_slots([amsterdam, sunday], policy, start, end, start, Assignment.ROUND_ROBIN)
	}
	assert slots[utc(2026, 3, 29, 1, 0)] == {"h2"}
	assert slots[utc(2026, 3, 29, 0, 45)] == {"h0", "h2"}
	expected = oracle.round_robin_starts([amsterdam, sunday], policy, start, end, start)
	assert slots == {moment: set(names) for moment, names in expected.items()}


def test_a_collective_overlap_that_ends_in_the_repeated_hour_keeps_its_first_pass():
	"""Found by the collective property: Sydney's clocks go back at 03:00 AEDT on 5 April
	2026 (16:00Z), so its Sunday 00:00-03:00 is 13:00-17:00Z, and a UTC host's Saturday
	00:00-16:00 cuts the overlap at 16:00Z, 02:00 on the second pass of the repeated hour.
	The first pass of 02:00-02:45 (15:00-15:45Z) still lies inside the overlap, so the pair
	offers 15:00Z, as each host alone does; whichever host comes first."""
	sydney = HostSchedule("h0", Availability("Australia/Sydney", (WeeklyRange(6, 0, 180),)))
	saturday = HostSchedule("h1", Availability("UTC", (WeeklyRange(5, 0, 960),)))
	policy = SlotPolicy(duration=15)
	start, end = utc(2026, 4, 3, 0, 1), utc(2026, 4, 4, 16, 1)
	for pair in ([sydney, saturday], [saturday, sydney]):
		offered = [s.start for s in find_slots(pair, policy, start, end, start, Assignment.COLLECTIVE)]
		assert offered == [utc(2026, 4, 4, 13, 0) + minutes(15 * k) for k in range(12)]
		assert offered == oracle.collective_starts(pair, policy, start, end, start)


@given(scenarios(hosts=2))
def test_collective_matches_the_oracle_with_seats(scenario):
	hosts, policy, window_start, window_end, now = scenario
	assume(_wall_blocked_is_simple(hosts))
	slots = find_slots(hosts, policy, window_start, window_end, now, Assignment.COLLECTIVE)
	assert [slot.start for slot in slots] == oracle.collective_starts(
		hosts, policy, window_start, window_end, now
	)


def _conflicts(h: HostSchedule, policy: SlotPolicy, start: datetime) -> bool:
	"""The meeting at ``start`` collides with a booking (but the seats of its own open slot)
	or busy time."""
	s0 = start - minutes(policy.buffer_before)
	s1 = start + minutes(policy.duration + policy.buffer_after)
	own = oracle.open_seats(h, policy).get(start, ())
	for b in h.bookings:
		if any(b is seat for seat in own):
			continue
		if s0 < b.end + minutes(b.buffer_after) and s1 > b.start - minutes(b.buffer_before):
			return True
	return any(s0 < x.end and s1 > x.start for x in h.busy)


@given(scenarios(hosts=2))
def test_slot_invariants(scenario):
	hosts, policy, window_start, window_end, now = scenario
	for mode in (Assignment.ROUND_ROBIN, Assignment.COLLECTIVE):
		slots = find_slots(hosts, policy, window_start, window_end, now, mode)
		assert [s.start for s in slots] == sorted({s.start for s in slots})  # sorted, no duplicates
		for slot in slots:
			assert window_start <= slot.start < window_end
			assert slot.start >= now + minutes(policy.min_notice)
			if policy.max_advance_days is not None:
				assert slot.start <= now + timedelta(days=policy.max_advance_days)
			for name in slot.hosts:
				h = next(x for x in hosts if x.host == name)
				assert not _conflicts(h, policy, slot.start)
				inside = available_intervals(
					h.availability, slot.start - timedelta(days=2), slot.end + timedelta(days=2)
				)
				assert any(i.start <= slot.start and slot.end <= i.end for i in inside)
				if mode is Assignment.ROUND_ROBIN:
					assert check_slot([h], policy, slot.start, now).offered
			# what is shown is what is bookable
			checked = check_slot(hosts, policy, slot.start, now, mode)
			assert checked.offered and set(checked.hosts) == set(slot.hosts)


@given(scenarios(hosts=1))
def test_limits_never_exceeded_when_booking_offered_slots_greedily(scenario):
	hosts, policy, window_start, window_end, now = scenario
	assume(policy.daily_limit is not None or policy.weekly_limit is not None)
	h = hosts[0]
	booked = list(h.bookings)
	from zoneinfo import ZoneInfo

	zone = ZoneInfo(h.availability.timezone)
	initial = {}
	for b in booked:
		key = b.start.astimezone(zone).date()
		initial[key] = initial.get(key, 0) + 1
	for _ in range(12):
		current = HostSchedule(h.host, h.availability, tuple(booked), h.busy)
		slots = find_slots([current], policy, window_start, window_end, now)
		if not slots:
			break
		slot = slots[len(slots) // 2]
		booked.append(
			Booking(slot.start, slot.end, policy.buffer_before, policy.buffer_after, policy.meeting_type)
		)
	counted = [
		b
		for b in booked
		if policy.limits_count_all_types
		or policy.meeting_type is None
		or b.meeting_type == policy.meeting_type
	]
	new = booked[len(h.bookings) :]
	for index, b in enumerate(new):
		if oracle._seated(policy, b) and any(
			x.meeting_type == b.meeting_type and x.start == b.start for x in booked[: len(h.bookings) + index]
		):
			continue  # a seat taken in a slot that was already there: no meeting more (limits count slots)
		day = b.start.astimezone(zone).date()
		same_day = oracle._slots_of(policy, [x for x in counted if x.start.astimezone(zone).date() == day])
		if policy.daily_limit is not None:
			assert same_day <= max(policy.daily_limit, 0)
		if policy.weekly_limit is not None:
			week = day - timedelta(days=(day.weekday() - policy.week_start) % 7)
			same_week = oracle._slots_of(
				policy,
				[x for x in counted if week <= x.start.astimezone(zone).date() < week + timedelta(days=7)],
			)
			assert same_week <= policy.weekly_limit


@given(scenarios(zones=["UTC", "Asia/Kolkata", "Asia/Tokyo", "America/Phoenix"], hosts=2), st.integers(-3, 3))
def test_shifting_every_input_by_whole_weeks_shifts_the_output(scenario, weeks):
	hosts, policy, window_start, window_end, now = scenario
	shift = timedelta(weeks=weeks)

	def moved(h):
		a = h.availability
		return HostSchedule(
			h.host,
			Availability(
				a.timezone,
				a.weekly,
				tuple(DateOverride(o.date + shift, o.ranges) for o in a.overrides),
				tuple(BlockedTime(b.start + shift, b.end + shift, b.rrule) for b in a.blocked),
			),
			tuple(
				Booking(b.start + shift, b.end + shift, b.buffer_before, b.buffer_after, b.meeting_type)
				for b in h.bookings
			),
			tuple(Interval(x.start + shift, x.end + shift) for x in h.busy),
			h.priority,
			h.weight,
			h.bookings_so_far,
		)

	for mode in ("round_robin", "collective"):
		before = find_slots(hosts, policy, window_start, window_end, now, mode)
		after = find_slots(
			[moved(h) for h in hosts], policy, window_start + shift, window_end + shift, now + shift, mode
		)
		assert [(s.start + shift, s.hosts) for s in before] == [(s.start, s.hosts) for s in after]


def test_unsorted_busy_input_gives_the_same_answer():
	busy = [Interval(at(NY, 2026, 6, 8, h, 0), at(NY, 2026, 6, 8, h, 20)) for h in (15, 9, 12)]
	a = one_day(host(weekdays(NY), busy=tuple(busy)), SlotPolicy(30))
	b = one_day(host(weekdays(NY), busy=tuple(sorted(busy, key=lambda x: x.start))), SlotPolicy(30))
	assert a == b and "09:00" not in starts(a)


def test_slot_times_are_utc():
	slot = one_day(host(weekdays(NY)), SlotPolicy(30))[0]
	assert slot.start.tzinfo is UTC and slot.start == at(NY, 2026, 6, 8, 9, 0)


@pytest.mark.parametrize("mode", ["individual", "round_robin", "collective"])
def test_no_availability_means_no_slots(mode):
	hosts = (
		[host(Availability(NY), "a")]
		if mode == "individual"
		else [host(Availability(NY), "a"), host(Availability(NY), "b")]
	)
	assert find_slots(hosts, SlotPolicy(30), *day_window(NY, MON), NOW, mode) == []


# --- reach: how far out bookings are loaded ---------------------------------------------------


@st.composite
def far_bookings(draw):
	"""A team with bookings up to twelve days around a window, buffers up to the maximum,
	and limits that count days or weeks."""
	zone = draw(st.sampled_from(["UTC", NY, "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin"]))
	# weeks with a spring-forward or a fall-back change in them
	first = draw(st.sampled_from([utc(2026, 3, 2), utc(2026, 10, 19)]))
	w0 = first + timedelta(hours=draw(st.integers(0, 24 * 30)))
	w1 = w0 + timedelta(hours=draw(st.integers(1, 72)))
	policy = SlotPolicy(
		duration=draw(st.sampled_from([15, 30, 60, 600])),
		interval=draw(st.sampled_from([None, 15])),
		buffer_before=draw(st.sampled_from([0, 30, 1440])),
		buffer_after=draw(st.sampled_from([0, 45, 1440])),
		daily_limit=draw(st.sampled_from([None, 1, 2])),
		weekly_limit=draw(st.sampled_from([None, 1, 3])),
		week_start=draw(st.integers(0, 6)),
		meeting_type="a",
		limits_count_all_types=draw(st.booleans()),
	)

	def bookings():
		out = []
		for _ in range(draw(st.integers(0, 12))):
			start = w0 + timedelta(minutes=15 * draw(st.integers(-12 * 96, 12 * 96)))
			out.append(
				Booking(
					start,
					start + timedelta(minutes=draw(st.sampled_from([15, 30, 90]))),
					draw(st.sampled_from([0, 60, 1440])),
					draw(st.sampled_from([0, 60, 1440])),
					draw(st.sampled_from(["a", "b"])),
				)
			)
		return tuple(out)

	hours = Availability(zone, tuple(WeeklyRange(day, 0, 1440) for day in range(7)))
	team = [HostSchedule(f"h{i}", hours, bookings()) for i in range(draw(st.integers(1, 2)))]
	return team, policy, w0, w1


def within(team, lo, hi):
	"""The team as a caller loads it: only bookings overlapping [lo, hi)."""
	return [
		HostSchedule(h.host, h.availability, tuple(b for b in h.bookings if b.end > lo and b.start < hi))
		for h in team
	]


@given(far_bookings(), st.sampled_from(list(Assignment)), st.integers(0, 288))
def test_bookings_beyond_the_policys_reach_never_change_an_answer(scenario, mode, probe):
	team, policy, w0, w1 = scenario
	if mode is Assignment.INDIVIDUAL:
		team = team[:1]
	now = w0 - timedelta(days=30)
	reach = policy.reach
	assert find_slots(within(team, w0 - reach, w1 + reach), policy, w0, w1, now, mode) == find_slots(
		team, policy, w0, w1, now, mode
	)
	start = w0 + timedelta(minutes=15 * probe)
	end = start + timedelta(minutes=policy.duration)
	near = within(team, start - reach, end + reach)
	assert check_slot(near, policy, start, now, mode) == check_slot(team, policy, start, now, mode)


def test_a_day_less_of_reach_would_miss_a_weekly_limit():
	"""A host-local week with a fall-back change lasts 169 hours: a booking at its very start
	counts for a start at its very end, more than seven days later."""
	policy = SlotPolicy(30, weekly_limit=1)
	hours = Availability(NY, tuple(WeeklyRange(day, 0, 1440) for day in range(7)))
	booked = Booking(utc(2026, 10, 26, 4), utc(2026, 10, 26, 4, 15))  # Monday 00:00 New York
	start = utc(2026, 11, 2, 4, 30)  # Sunday 1 November, 23:30 New York (EST)
	team = [HostSchedule("a", hours, (booked,))]
	now = utc(2026, 10, 1)
	assert not check_slot(team, policy, start, now).offered
	end = start + timedelta(minutes=30)
	assert not check_slot(within(team, start - policy.reach, end + policy.reach), policy, start, now).offered
	week = timedelta(days=7)
	assert check_slot(within(team, start - week, end + week), policy, start, now).offered


def test_the_reach_counts_the_meeting_of_the_windows_last_start():
	"""A start just before the window's end is a meeting ending a duration after it, and a
	booking two days of buffers beyond that meeting still decides it."""
	policy = SlotPolicy(30, interval=15, buffer_after=1440)
	hours = Availability("UTC", tuple(WeeklyRange(day, 0, 1440) for day in range(7)))
	w0, w1 = utc(2026, 3, 2), utc(2026, 3, 2, 1)
	booked = Booking(utc(2026, 3, 4, 1), utc(2026, 3, 4, 1, 15), buffer_before=1440)
	team = [HostSchedule("a", hours, (booked,))]
	now = utc(2026, 2, 1)
	last = utc(2026, 3, 2, 0, 45)  # meets the booking's buffer from 3 March 01:00 to 01:15
	assert last not in {slot.start for slot in find_slots(team, policy, w0, w1, now)}
	near = within(team, w0 - policy.reach, w1 + policy.reach)
	assert near[0].bookings == (booked,)
	assert find_slots(near, policy, w0, w1, now) == find_slots(team, policy, w0, w1, now)
