"""Multi-day sessions and recurring series (engine/occurrences.py): rules one by one, then
the engine against a brute-force model built on the naive slot oracle."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import oracle
import pytest
from conftest import at, every_day, hhmm, host, utc, weekdays
from hypothesis import assume, given
from hypothesis import strategies as st
from test_slots import _wall_blocked_is_simple, scenarios

from scheduler_integration.engine import (
	Assignment,
	Booking,
	HostSchedule,
	InvalidRule,
	SlotPolicy,
	find_slots,
)
from scheduler_integration.engine.occurrences import (
	MAX_OCCURRENCES,
	Occurrences,
	Repeat,
	check_occurrences,
	find_series_slots,
	occurrence_starts,
	series_hosts,
)

NY = "America/New_York"
NOW = utc(2026, 6, 1)  # a Monday
WORKSHOP = SlotPolicy(480, meeting_type="workshop")  # 09:00-17:00 each day


def nine(day: int, month: int = 6, hour: int = 9) -> datetime:
	return at(NY, 2026, month, day, hour, 0)


def starts_of(slots, zone=NY):
	return [(s.start.astimezone(ZoneInfo(zone)).date().isoformat(), hhmm(s.start, zone)) for s in slots]


def test_consecutive_days_block_each_day_and_leave_the_nights_free():
	rule = Occurrences(Repeat.DAYS, 3)
	assert occurrence_starts(rule, nine(8), NY) == [nine(8), nine(9), nine(10)]
	# a booking on the second evening does not stand in the way; one on the third day does
	evening = Booking(nine(9, hour=18), nine(9, hour=19))
	free = host(every_day(NY), bookings=(evening,))
	checks = check_occurrences([free], WORKSHOP, rule, nine(8), NOW)
	assert [c.offered for c in checks] == [True, True, True]
	taken = host(every_day(NY), bookings=(Booking(nine(10, hour=15), nine(10, hour=16)),))
	assert [c.offered for c in check_occurrences([taken], WORKSHOP, rule, nine(8), NOW)] == [
		True,
		True,
		False,
	]
	window = (nine(8, hour=0), nine(11, hour=0))
	assert starts_of(find_series_slots([taken], WORKSHOP, rule, *window, NOW)) == []
	assert starts_of(find_series_slots([free], WORKSHOP, rule, *window, NOW)) == [
		("2026-06-08", "09:00"),
		("2026-06-09", "09:00"),
		("2026-06-10", "09:00"),
	]


def test_consecutive_days_need_every_day_to_be_a_working_day():
	h = host(weekdays(NY))  # Monday to Friday
	rule = Occurrences(Repeat.DAYS, 2)
	found = starts_of(find_series_slots([h], WORKSHOP, rule, nine(8, hour=0), nine(15, hour=0), NOW))
	assert [d for d, _t in found] == ["2026-06-08", "2026-06-09", "2026-06-10", "2026-06-11"]


def test_working_days_skip_weekends_and_days_off():
	h = host(weekdays(NY))
	rule = Occurrences(Repeat.WORKING_DAYS, 3)
	assert occurrence_starts(rule, nine(11), NY, [oracle_calendar(h)]) == [nine(11), nine(12), nine(15)]
	found = starts_of(find_series_slots([h], WORKSHOP, rule, nine(8, hour=0), nine(15, hour=0), NOW))
	assert [d for d, _t in found] == ["2026-06-08", "2026-06-09", "2026-06-10", "2026-06-11", "2026-06-12"]


def oracle_calendar(h):
	from scheduler_integration.engine.availability import HostCalendar

	return HostCalendar(h.availability)


def test_weekly_biweekly_and_monthly_series():
	assert occurrence_starts(Occurrences(Repeat.WEEKLY, 3), nine(8), NY) == [nine(8), nine(15), nine(22)]
	assert occurrence_starts(Occurrences(Repeat.BIWEEKLY, 2), nine(8), NY) == [nine(8), nine(22)]
	# the 31st: months without one are skipped
	first = at(NY, 2026, 1, 31, 9, 0)
	assert [s.date().isoformat() for s in occurrence_starts(Occurrences(Repeat.MONTHLY, 3), first, NY)] == [
		"2026-01-31",
		"2026-03-31",
		"2026-05-31",
	]


def test_series_occurrences_follow_the_wall_clock_over_dst():
	first = at(NY, 2026, 10, 26, 9, 0)  # before New York falls back on November 1
	later = occurrence_starts(Occurrences(Repeat.WEEKLY, 2), first, NY)[1]
	assert hhmm(later, NY) == "09:00" and later - first == timedelta(days=7, hours=1)


def test_an_occurrence_in_a_spring_forward_gap_is_not_offered():
	first = at(NY, 2026, 3, 1, 2, 30)  # 02:30 does not exist on March 8 in New York
	starts = occurrence_starts(Occurrences(Repeat.WEEKLY, 2), first, NY)
	assert starts[1] is None
	h = host(every_day(NY, "00:00", "24:00"))
	checks = check_occurrences([h], SlotPolicy(30), Occurrences(Repeat.WEEKLY, 2), first, utc(2026, 2, 1))
	assert [c.offered for c in checks] == [True, False]


def test_the_horizon_bounds_a_workshops_first_day_and_every_occurrence_of_a_series():
	h = host(every_day(NY))
	near = SlotPolicy(480, max_advance_days=8)
	last_day = nine(8)  # the horizon ends on June 9, 00:00 UTC
	assert [c.offered for c in check_occurrences([h], near, Occurrences(Repeat.DAYS, 3), last_day, NOW)] == [
		True
	] * 3
	weekly = SlotPolicy(60, max_advance_days=8)
	assert [
		c.offered for c in check_occurrences([h], weekly, Occurrences(Repeat.WEEKLY, 2), last_day, NOW)
	] == [
		True,
		False,
	]


def test_round_robin_keeps_one_host_for_every_occurrence():
	a = HostSchedule("a", every_day(NY), (Booking(nine(9), nine(9, hour=10)),))
	b = HostSchedule("b", every_day(NY), bookings_so_far=5)
	rule = Occurrences(Repeat.DAYS, 2)
	found = find_series_slots(
		[a, b], WORKSHOP, rule, nine(8, hour=0), nine(9, hour=0), NOW, Assignment.ROUND_ROBIN
	)
	assert [s.hosts for s in found] == [("b",)]  # a is busy on the second day
	checks = check_occurrences([a, b], WORKSHOP, rule, nine(8), NOW, Assignment.ROUND_ROBIN)
	assert series_hosts(checks, [a, b]) == ["b", "a"]


def test_occurrences_are_validated():
	for bad in (0, MAX_OCCURRENCES + 1, True, "3"):
		with pytest.raises(InvalidRule):
			Occurrences(Repeat.WEEKLY, bad)
	with pytest.raises(InvalidRule):
		Occurrences("yearly", 2)


# --- the brute-force model ------------------------------------------------------------


def naive_dates(rule: Occurrences, first: date, availability_list) -> list[date] | None:
	if rule.repeat is Repeat.DAYS:
		return [first + timedelta(days=i) for i in range(rule.count)]
	if rule.repeat is Repeat.WEEKLY:
		return [first + timedelta(days=7 * i) for i in range(rule.count)]
	if rule.repeat is Repeat.BIWEEKLY:
		return [first + timedelta(days=14 * i) for i in range(rule.count)]
	if rule.repeat is Repeat.MONTHLY:
		out, y, m = [], first.year, first.month
		while len(out) < rule.count:
			if first.day <= [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]:
				out.append(date(y, m, first.day))
			y, m = (y + 1, 1) if m == 12 else (y, m + 1)
		return out
	out, day = [], first
	for _ in range(401):
		if all(oracle._day_minutes(a, day) for a in availability_list):
			out.append(day)
			if len(out) == rule.count:
				return out
		day += timedelta(days=1)
	return None


def naive_series(hosts, policy, rule, window_start, window_end, now, assignment):
	"""Every start the oracle offers in the window whose every occurrence (computed
	naively on the hosts' own wall clock) the oracle offers for one group of hosts."""
	later = policy
	if rule.multi_day:
		later = SlotPolicy(
			duration=policy.duration,
			interval=policy.interval,
			buffer_before=policy.buffer_before,
			buffer_after=policy.buffer_after,
			min_notice=policy.min_notice,
			max_advance_days=None,
			daily_limit=policy.daily_limit,
			weekly_limit=policy.weekly_limit,
			meeting_type=policy.meeting_type,
			limits_count_all_types=policy.limits_count_all_types,
			week_start=policy.week_start,
			seats=policy.seats,
		)
	# far enough for the last occurrence: a monthly series on the 31st skips the months
	# without one (up to two months between meetings); 120 days cut off a fourth one
	far = window_end + timedelta(days=max(120, 62 * (rule.count - 1) + 2))
	if assignment is Assignment.ROUND_ROBIN:
		groups = [[h] for h in hosts]
	else:
		groups = [list(hosts)]
	offered = {}
	for group in groups:
		if len(group) == 1:
			starts = set(oracle.host_starts(group[0], later, window_start, far, now))
		else:
			starts = set(oracle.collective_starts(group, later, window_start, far, now))
		for s in starts:
			if not window_start <= s < window_end:
				continue
			if policy.max_advance_days is not None and s > now + timedelta(days=policy.max_advance_days):
				continue
			if s < now + timedelta(minutes=policy.min_notice):
				continue
			zone = ZoneInfo(group[0].availability.timezone)
			wall = s.astimezone(zone).replace(tzinfo=None)
			dates = naive_dates(rule, wall.date(), [h.availability for h in group])
			if not dates:
				continue
			ok = True
			for index, day in enumerate(dates):
				w = datetime.combine(day, wall.time())
				if not oracle._exists(w, zone):
					ok = False
					break
				moment = s if index == 0 else oracle._instant(w, zone)
				if moment not in starts:
					ok = False
					break
			if ok:
				offered.setdefault(s, []).extend(h.host for h in group)
	return offered


rules = st.builds(
	Occurrences,
	st.sampled_from(list(Repeat)),
	st.integers(1, 4),
)


@given(scenarios(hosts=1), rules)
def test_series_slots_match_the_brute_force_model(scenario, rule):
	hosts, policy, window_start, window_end, now = scenario
	assume(_wall_blocked_is_simple(hosts) and policy.seats == 1)
	found = find_series_slots(hosts, policy, rule, window_start, window_end, now)
	expected = naive_series(hosts, policy, rule, window_start, window_end, now, Assignment.INDIVIDUAL)
	assert [s.start for s in found] == sorted(expected)
	for slot in found:  # what the month view shows is what a booking of it would find free
		assert all(c.offered for c in check_occurrences(hosts, policy, rule, slot.start, now))


@given(scenarios(hosts=2), rules)
def test_round_robin_series_slots_match_the_brute_force_model(scenario, rule):
	hosts, policy, window_start, window_end, now = scenario
	assume(_wall_blocked_is_simple(hosts) and policy.seats == 1)
	found = find_series_slots(hosts, policy, rule, window_start, window_end, now, Assignment.ROUND_ROBIN)
	expected = naive_series(hosts, policy, rule, window_start, window_end, now, Assignment.ROUND_ROBIN)
	assert {s.start: set(s.hosts) for s in found} == {s: set(h) for s, h in expected.items()}


def test_series_slots_of_a_month_cost_one_search():
	h = host(weekdays(NY))
	month = (nine(1, hour=0), nine(30, hour=0))
	plain = find_slots([h], SlotPolicy(30), *month, NOW)
	weekly = find_series_slots([h], SlotPolicy(30), Occurrences(Repeat.WEEKLY, 4), *month, NOW)
	assert weekly and len(weekly) == len(plain)  # nothing booked: every start repeats freely


def test_meetings_within_a_booking_window():
	from scheduler_integration.engine.occurrences import meetings_within

	# 30 days: a weekly series' 5th meeting is on day 28, its 6th on day 35 (past the window)
	assert meetings_within(Repeat.WEEKLY, 30) == 5
	assert meetings_within(Repeat.WEEKLY, 35) == 6
	assert meetings_within(Repeat.BIWEEKLY, 30) == 3
	assert meetings_within(Repeat.MONTHLY, 30) == 1  # the next month's day may be 31 days on
	assert meetings_within(Repeat.MONTHLY, 62) == 3
	assert meetings_within(Repeat.WEEKLY, 0) == 1


def test_a_page_offers_no_series_longer_than_its_window():
	from scheduler_integration.engine.occurrences import series_counts_offered

	assert series_counts_offered(6, Repeat.WEEKLY, 30) == 5  # the 6th meeting is on day 35
	assert series_counts_offered(4, Repeat.WEEKLY, 30) == 4
	assert series_counts_offered(6, Repeat.WEEKLY, 0) == 6  # no window
	assert series_counts_offered(12, Repeat.MONTHLY, 365) == 12
	assert series_counts_offered(500, Repeat.WEEKLY, 0) == MAX_OCCURRENCES
