"""Regressions for the defects an independent oracle found (A-H, the DST rule, unbounded
output), and the properties behind them, checked against ``oracle.py`` on hard inputs:
meetings longer than a day, ranges that touch at midnight, ranges inside DST gaps (also
in zones whose gap is at midnight: Santiago, Havana, Beirut), collective teams.

The differential runs ``ENGINE_EXAMPLES`` examples (default 150; run it once with 20000).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

import oracle
import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scheduler_integration.engine import (
	Assignment,
	Availability,
	BlockedTime,
	DateOverride,
	HostSchedule,
	InvalidInterval,
	InvalidRecurrence,
	InvalidTimeZone,
	LocalRange,
	SlotPolicy,
	WeeklyRange,
	available_intervals,
	check_slot,
	find_slots,
	nearest_slots,
	recurrence,
)
from scheduler_integration.engine.slots import MAX_SLOTS
from scheduler_integration.engine.timezones import get_zone

U = timezone.utc
NOW = datetime(2026, 1, 1, tzinfo=U)
EXAMPLES = int(os.environ.get("ENGINE_EXAMPLES", settings.default.max_examples))
HARD = settings(
	max_examples=EXAMPLES,
	deadline=None,
	suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def h(name, availability, **kwargs):
	return HostSchedule(name, availability, **kwargs)


def starts(slots):
	return [s.start for s in slots]


# --- A. meetings longer than a day --------------------------------------------------------


def test_a_long_meetings_do_not_depend_on_the_window():
	av = Availability("UTC", tuple(WeeklyRange(d, 0, 1440) for d in range(7)))
	policy = SlotPolicy(1560, interval=60)
	t = datetime(2026, 3, 2, 23, tzinfo=U)
	assert t in starts(find_slots([h("a", av)], policy, t - timedelta(days=1), t + timedelta(days=3), NOW))
	assert check_slot([h("a", av)], policy, t, NOW).offered


# --- B. collective never merges ranges before intersecting ------------------------------


def test_b_collective_of_identical_hosts_is_each_host_alone():
	av = Availability("UTC", (WeeklyRange(0, 1320, 1440), WeeklyRange(1, 0, 120)))
	policy = SlotPolicy(45)
	w0, w1 = datetime(2026, 3, 2, tzinfo=U), datetime(2026, 3, 4, tzinfo=U)
	alone = starts(find_slots([h("a", av)], policy, w0, w1, NOW))
	together = starts(find_slots([h("a", av), h("b", av)], policy, w0, w1, NOW, "collective"))
	assert together == alone
	assert datetime(2026, 3, 3, 0, 0, tzinfo=U) in together


def test_b_collective_grid_does_not_depend_on_the_window_start():
	av = Availability("UTC", tuple(WeeklyRange(d, 0, 1440) for d in range(7)))
	policy = SlotPolicy(30, interval=7)
	team = [h("a", av), h("b", av)]
	end = datetime(2026, 3, 3, 12, 30, tzinfo=U)
	firsts = set()
	for window_start in (datetime(2026, 3, 3, 12, tzinfo=U), datetime(2026, 3, 2, 0, 5, tzinfo=U)):
		after_noon = [
			s
			for s in starts(find_slots(team, policy, window_start, end, NOW, "collective"))
			if s.hour == 12 and s.day == 3
		]
		firsts.add(after_noon[0])
	assert firsts == {datetime(2026, 3, 3, 12, 1, tzinfo=U)}
	assert check_slot(team, policy, datetime(2026, 3, 3, 12, 1, tzinfo=U), NOW, "collective").offered


# --- C/D and the DST rule: a wall time in a gap stands for the gap's end --------------------


def test_c_a_range_inside_a_gap_is_empty():
	av = Availability("America/Santiago", (WeeklyRange(5, 0, 1440), WeeklyRange(6, 0, 30)))
	t = datetime(2027, 9, 5, 3, 45, tzinfo=U)  # Saturday 23:45 local; Sunday 00:00-01:00 does not exist
	assert t not in starts(
		find_slots([h("a", av)], SlotPolicy(25), t - timedelta(days=1), t + timedelta(days=1), NOW)
	)
	ny = Availability("America/New_York", (WeeklyRange(6, 120, 165),))
	team = [h("a", ny), h("b", ny)]
	w = (datetime(2026, 3, 8, tzinfo=U), datetime(2026, 3, 9, tzinfo=U))
	assert find_slots(team, SlotPolicy(15), *w, NOW, "collective") == []


def test_d_a_gap_range_hides_nothing_later_that_day():
	w = (datetime(2026, 3, 8, 5, tzinfo=U), datetime(2026, 3, 9, 5, tzinfo=U))
	alone = Availability("America/New_York", (WeeklyRange(6, 180, 240),))
	with_gap = Availability("America/New_York", (WeeklyRange(6, 180, 240), WeeklyRange(6, 150, 165)))
	assert (
		starts(find_slots([h("a", with_gap)], SlotPolicy(60), *w, NOW))
		== starts(find_slots([h("a", alone)], SlotPolicy(60), *w, NOW))
		== [datetime(2026, 3, 8, 7, tzinfo=U)]
	)


def test_d_amsterdam_check_agrees_with_find():
	av = Availability("Europe/Amsterdam", tuple(WeeklyRange(d, 120, 300) for d in range(7)))
	policy = SlotPolicy(25, interval=5)
	t = datetime(2024, 3, 31, 1, 25, tzinfo=U)  # 03:25 CEST, just after the gap
	found = starts(
		find_slots(
			[h("a", av)], policy, t - timedelta(hours=3), t + timedelta(hours=3), NOW.replace(year=2024)
		)
	)
	assert t in found
	assert check_slot([h("a", av)], policy, t, NOW.replace(year=2024)).offered


def test_the_dst_rule_a_range_starting_in_the_gap_starts_when_it_ends():
	av = Availability("America/New_York", (WeeklyRange(6, 150, 195),))  # 02:30-03:15 on spring-forward day
	w = (datetime(2026, 3, 8, tzinfo=U), datetime(2026, 3, 9, tzinfo=U))
	assert starts(find_slots([h("a", av)], SlotPolicy(15), *w, NOW)) == [
		datetime(2026, 3, 8, 7, tzinfo=U)
	]  # 03:00 EDT
	found = available_intervals(av, *w)
	assert [(i.start, i.end) for i in found] == [
		(datetime(2026, 3, 8, 7, tzinfo=U), datetime(2026, 3, 8, 7, 15, tzinfo=U))
	]


# --- E. a repeating block starting on the second of two equal wall times -----------------


def test_e_the_first_occurrence_is_the_blocks_own_start():
	zone = get_zone("America/New_York")
	block = BlockedTime(
		datetime(2026, 11, 1, 6, 30, tzinfo=U), datetime(2026, 11, 1, 7, 0, tzinfo=U), "FREQ=DAILY"
	)
	spans = recurrence.expand_blocked(
		block, zone, datetime(2026, 10, 31, tzinfo=U), datetime(2026, 11, 3, tzinfo=U)
	)
	assert spans[0] == (block.start, block.end)
	assert spans[1] == (datetime(2026, 11, 2, 6, 30, tzinfo=U), datetime(2026, 11, 2, 7, 0, tzinfo=U))


def test_e_a_repeating_block_starting_in_a_gap_starts_when_the_gap_ends():
	# Santiago springs forward at midnight on 2026-09-06: 00:45 does not exist, so that
	# day's 00:45-02:15 block runs 01:00-02:15 (-03), and 01:05 (04:05Z) is inside it
	zone = get_zone("America/Santiago")
	block = BlockedTime(
		datetime(2026, 9, 1, 4, 45, tzinfo=U), datetime(2026, 9, 1, 6, 15, tzinfo=U), "FREQ=DAILY"
	)
	spans = recurrence.expand_blocked(
		block, zone, datetime(2026, 9, 6, tzinfo=U), datetime(2026, 9, 7, tzinfo=U)
	)
	assert (datetime(2026, 9, 6, 4, 0, tzinfo=U), datetime(2026, 9, 6, 5, 15, tzinfo=U)) in spans
	moment = datetime(2026, 9, 6, 4, 5, tzinfo=U)
	assert any(s <= moment < e for s, e in spans)


def test_e_a_repeating_block_ending_in_a_gap_ends_with_it():
	# Casablanca moves from +00 to +01 at 02:00 on 2026-03-22: the daily 01:15-02:15 block
	# ends at the gap's end, 03:00 local (02:00Z), so 03:00 local is free again
	zone = get_zone("Africa/Casablanca")
	first = datetime(2026, 3, 19, 1, 15, tzinfo=U)  # 01:15 +00, during Ramadan
	assert first.astimezone(zone).hour == 1
	block = BlockedTime(first, first + timedelta(hours=1), "FREQ=DAILY")
	spans = recurrence.expand_blocked(
		block, zone, datetime(2026, 3, 22, tzinfo=U), datetime(2026, 3, 23, tzinfo=U)
	)
	day = [span for span in spans if span[0].astimezone(zone).date() == date(2026, 3, 22)]
	assert day and day[0][1] == datetime(2026, 3, 22, 2, 0, tzinfo=U)
	moment = datetime(2026, 3, 22, 2, 0, tzinfo=U)
	assert not any(s <= moment < e for s, e in spans)


# --- F. alternatives far ahead -----------------------------------------------------------------


def test_f_nearest_slots_within_a_long_horizon():
	av = Availability("UTC", tuple(WeeklyRange(d, 540, 1020) for d in range(7)))
	policy = SlotPolicy(30, max_advance_days=3000)
	found = nearest_slots([h("a", av)], policy, NOW + timedelta(days=1000, hours=3), NOW)
	assert len(found) == 3 and all(s.start > NOW + timedelta(days=999) for s in found)


# --- G. bad input gives typed errors -------------------------------------------------------------


def test_g_bad_input_raises_typed_errors():
	av = Availability("UTC", (WeeklyRange(0, 540, 1020),))
	top = datetime.max.replace(tzinfo=U)
	bottom = datetime.min.replace(tzinfo=U)
	for window in ((top - timedelta(days=1), top), (bottom, bottom + timedelta(days=1))):
		with pytest.raises(InvalidInterval):
			find_slots([h("a", av)], SlotPolicy(30), *window, NOW)
	with pytest.raises(InvalidInterval):
		find_slots([h("a", av)], SlotPolicy(30), NOW, NOW + timedelta(days=1), top)
	with pytest.raises(InvalidInterval):
		check_slot([h("a", av)], SlotPolicy(30, min_notice=10), NOW, top - timedelta(minutes=1))
	with pytest.raises(InvalidTimeZone):
		Availability(["UTC"])
	with pytest.raises(InvalidInterval):
		available_intervals(av, NOW, NOW - timedelta(days=1))


# --- H. hostile repeat rules are bounded by work ---------------------------------------------------


@pytest.mark.parametrize(
	"rule,start",
	[
		("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", datetime(2026, 1, 1, tzinfo=U)),
		("FREQ=HOURLY", datetime(1000, 1, 1, tzinfo=U)),
		("FREQ=DAILY;INTERVAL=7;BYDAY=TU", datetime(2026, 1, 5, tzinfo=U)),  # a Monday: never a Tuesday
		("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", datetime(1500, 1, 1, tzinfo=U)),
		("FREQ=MONTHLY;BYSETPOS=9;BYDAY=MO", datetime(1200, 1, 1, tzinfo=U)),
	],
)
def test_h_expansion_work_is_bounded_by_the_window(rule, start):
	zone = get_zone("America/New_York")
	window = (datetime(2026, 3, 1, tzinfo=U), datetime(2026, 5, 1, tzinfo=U))
	parsed = recurrence.parse_rule(rule, zone, start)
	work: list = []
	list(recurrence.occurrences(parsed, *(w.replace(tzinfo=None) for w in window), work=work))
	periods = {"HOURLY": 24 * 70, "DAILY": 70, "WEEKLY": 10, "MONTHLY": 3, "YEARLY": 2}[parsed.freq]
	assert work[0] <= periods / parsed.interval + 3  # the window's periods, wherever the rule starts
	recurrence.expand_blocked(BlockedTime(start, start + timedelta(minutes=30), rule), zone, *window)


@pytest.mark.parametrize(
	"rule", ["FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31;COUNT=2"]
)
def test_h_a_count_that_is_never_reached_is_refused_at_validation(rule):
	with pytest.raises(InvalidRecurrence) as err:
		recurrence.validate_rrule(rule, get_zone("UTC"), datetime(2026, 1, 1, tzinfo=U))
	assert err.value.field == "rrule" and "COUNT" in str(err.value)


def test_h_ten_hostile_rules_cost_the_window_not_the_centuries():
	zone = get_zone("UTC")
	blocked = tuple(
		BlockedTime(
			datetime(1000 + i, 1, 1, tzinfo=U),
			datetime(1000 + i, 1, 1, 0, 30, tzinfo=U),
			"FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30",
		)
		for i in range(10)
	)
	av = Availability("UTC", tuple(WeeklyRange(d, 540, 1020) for d in range(7)), blocked=blocked)
	slots = find_slots(
		[h("a", av)], SlotPolicy(30), datetime(2026, 3, 1, tzinfo=U), datetime(2026, 3, 31, tzinfo=U), NOW
	)
	assert len(slots) == 30 * 16
	assert zone


# --- unbounded output ---------------------------------------------------------------------------


def test_ten_thousand_weekly_rules_are_refused_by_the_work_before_it_is_done():
	# 10,000 one-minute ranges a week over five years took 8 s and 865 MB before the slot
	# count refused them; the range count refuses them before anything is built
	from scheduler_integration.engine.availability import MAX_DAY_RANGES, HostCalendar

	rules = tuple(WeeklyRange(i % 7, (i // 7) * 2 % 1438, (i // 7) * 2 % 1438 + 1) for i in range(10_000))
	calendar = HostCalendar(Availability("Europe/Berlin", rules))
	with pytest.raises(InvalidInterval) as refused:
		calendar.day_ranges(date(2026, 1, 1), date(2030, 12, 31))
	assert str(MAX_DAY_RANGES) in str(refused.value)
	policy = SlotPolicy(duration=1)
	host = HostSchedule("h", Availability("Europe/Berlin", rules))
	start = datetime(2026, 1, 1, tzinfo=U)
	with pytest.raises(InvalidInterval):
		find_slots([host], policy, start, start + timedelta(days=5 * 365), start)
	# an ordinary decade still works
	week = tuple(WeeklyRange(d, 540, 1020) for d in range(5))
	assert HostCalendar(Availability("UTC", week)).day_ranges(date(2026, 1, 1), date(2035, 12, 31))


def test_the_engine_refuses_more_than_max_slots():
	av = Availability("UTC", tuple(WeeklyRange(d, 0, 1440) for d in range(7)))
	with pytest.raises(InvalidInterval) as err:
		find_slots([h("a", av)], SlotPolicy(15, interval=1), NOW, NOW + timedelta(days=3650), NOW)
	assert str(MAX_SLOTS) in str(err.value)


# --- the expander agrees with dateutil on rules whose start is an occurrence ---------------------


@st.composite
def rules(draw):
	freq = draw(st.sampled_from(["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
	parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 3))}"]
	if draw(st.booleans()):
		parts.append(
			"BYMONTH=" + ",".join(map(str, sorted(draw(st.sets(st.integers(1, 12), min_size=1, max_size=4)))))
		)
	if freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
		parts.append(
			"BYMONTHDAY="
			+ ",".join(
				map(
					str,
					draw(st.sets(st.sampled_from([1, 2, 15, 28, 30, 31, -1, -2]), min_size=1, max_size=3)),
				)
			)
		)
	if draw(st.booleans()):
		days = draw(
			st.sets(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1, max_size=3)
		)
		if freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
			days = {f"{draw(st.sampled_from([1, 2, -1]))}{d}" for d in days}
		parts.append("BYDAY=" + ",".join(sorted(days)))
	if freq != "HOURLY" and draw(st.booleans()):
		parts.append(
			"BYHOUR=" + ",".join(map(str, sorted(draw(st.sets(st.integers(0, 23), min_size=1, max_size=2)))))
		)
	if draw(st.booleans()):
		parts.append("BYSETPOS=" + str(draw(st.sampled_from([1, 2, -1]))))
	return ";".join(parts)


@HARD
@given(rules(), st.integers(0, 800), st.integers(0, 23))
def test_expander_matches_dateutil(rule, day_offset, hour):
	start = datetime(2025, 1, 1, hour) + timedelta(days=day_offset)
	zone = get_zone("UTC")
	ours_rule = recurrence.parse_rule(rule, zone, start.replace(tzinfo=U))
	window = (start + timedelta(days=30), start + timedelta(days=120))
	# dateutil walks to the year 9999 when a rule stops occurring: only compare rules that
	# occur again after the window (by our count; a wrong count makes the comparison fail)
	later = list(recurrence.occurrences(ours_rule, window[1], window[1] + timedelta(days=3 * 366)))
	assume(later)
	theirs_rule = rrulestr(rule, dtstart=start)
	assume(theirs_rule.after(start - timedelta(seconds=1), inc=True) == start)  # DTSTART is an occurrence
	theirs = [t for t in theirs_rule.between(window[0], window[1], inc=True) if t < window[1]]
	assert list(recurrence.occurrences(ours_rule, *window)) == theirs


def test_yearly_ordinal_weekdays_count_in_the_year_even_with_monthdays():
	# found by the expander property at 20,000 examples: 1TU with BYMONTHDAY=1 is the year's
	# first Tuesday if that is a first of a month, never the first Tuesday of April
	rule = "FREQ=YEARLY;BYMONTHDAY=1;BYDAY=1MO,1TU,1WE"
	start = datetime(2025, 1, 1, 9)
	ours = recurrence.parse_rule(rule, get_zone("UTC"), start.replace(tzinfo=U))
	window = (start, datetime(2031, 1, 1))
	theirs = list(rrulestr(rule, dtstart=start).between(*window, inc=True))
	assert [t.replace(tzinfo=None) for t in recurrence.occurrences(ours, *window)] == theirs
	assert datetime(2025, 4, 1, 9) not in theirs and theirs[0] == start


# --- the differential on hard inputs ---------------------------------------------------------------

GAP_DAYS = {  # a spring-forward day of each zone, and where its gap lies
	"America/New_York": date(2026, 3, 8),
	"Europe/Amsterdam": date(2026, 3, 29),
	"America/Santiago": date(2026, 9, 6),
	"America/Havana": date(2026, 3, 8),
	"Asia/Beirut": date(2026, 3, 29),
	"UTC": date(2026, 3, 8),
}


@st.composite
def hard_scenarios(draw, hosts=1, same_hours=False):
	zone = draw(st.sampled_from(sorted(GAP_DAYS)))
	gap_day = GAP_DAYS[zone]
	window_start = datetime(gap_day.year, gap_day.month, gap_day.day, tzinfo=U) + timedelta(
		hours=draw(st.integers(-60, 30))
	)
	window_end = window_start + timedelta(hours=draw(st.integers(3, 96)))
	now = window_start - timedelta(days=2)
	duration = draw(st.sampled_from([15, 25, 45, 60, 90, 600, 1440, 1560, 2880]))
	policy = SlotPolicy(
		duration=duration,
		interval=draw(st.one_of(st.none(), st.sampled_from([5, 7, 15, 30, 60]))),
		buffer_before=draw(st.sampled_from([0, 10])),
		buffer_after=draw(st.sampled_from([0, 20])),
	)

	def ranges_for_a_day():
		pick = draw(st.sampled_from(["touch_midnight", "gap", "all_day", "random"]))
		if pick == "touch_midnight":
			return [
				(draw(st.sampled_from([1200, 1320, 1380])), 1440),
				(0, draw(st.sampled_from([30, 60, 120, 180]))),
			]
		if pick == "gap":
			return [
				(draw(st.sampled_from([0, 15, 120, 150])), draw(st.sampled_from([30, 45, 165, 195, 240])))
			]
		if pick == "all_day":
			return [(0, 1440)]
		a = draw(st.integers(0, 90)) * 15
		return [(a, draw(st.integers(a // 15 + 1, 96)) * 15)]

	def availability():
		weekly = []
		for day in range(7):
			for a, b in ranges_for_a_day():
				if a < b:
					weekly.append(WeeklyRange(day, a, b))
		overrides = ()
		if draw(st.booleans()):
			overrides = (
				DateOverride(gap_day, tuple(LocalRange(a, b) for a, b in ranges_for_a_day() if a < b)),
			)
		return Availability(zone, tuple(weekly), overrides)

	shared = availability()
	team = [HostSchedule(f"h{i}", shared if same_hours or i == 0 else availability()) for i in range(hosts)]
	return team, policy, window_start, window_end, now


@HARD
@given(hard_scenarios())
def test_engine_matches_the_oracle_on_hard_inputs(scenario):
	hosts, policy, w0, w1, now = scenario
	assert starts(find_slots(hosts, policy, w0, w1, now)) == oracle.host_starts(hosts[0], policy, w0, w1, now)


@HARD
@given(hard_scenarios(hosts=2))
def test_collective_matches_the_oracle_on_hard_inputs(scenario):
	hosts, policy, w0, w1, now = scenario
	assert starts(find_slots(hosts, policy, w0, w1, now, Assignment.COLLECTIVE)) == oracle.collective_starts(
		hosts, policy, w0, w1, now
	)


@HARD
@given(hard_scenarios(hosts=2, same_hours=True), st.integers(1, 40))
def test_collective_of_identical_hosts_is_one_host_whatever_the_window(scenario, cut_hours):
	hosts, policy, w0, w1, now = scenario
	alone = starts(find_slots(hosts[:1], policy, w0, w1, now))
	assert starts(find_slots(hosts, policy, w0, w1, now, Assignment.COLLECTIVE)) == alone
	inner = w0 + timedelta(hours=cut_hours)
	assume(inner < w1)
	assert starts(find_slots(hosts, policy, inner, w1, now, Assignment.COLLECTIVE)) == [
		s for s in alone if s >= inner
	]


@HARD
@given(hard_scenarios(hosts=2), st.integers(0, 200))
def test_find_and_check_agree_and_do_not_depend_on_the_window(scenario, probe):
	hosts, policy, w0, w1, now = scenario
	for mode in (Assignment.ROUND_ROBIN, Assignment.COLLECTIVE):
		found = starts(find_slots(hosts, policy, w0, w1, now, mode))
		wide = starts(find_slots(hosts, policy, w0 - timedelta(days=2), w1 + timedelta(days=2), now, mode))
		assert found == [s for s in wide if w0 <= s < w1]
		for s in found:
			assert check_slot(hosts, policy, s, now, mode).offered
		candidate = w0 + timedelta(minutes=probe * 5)
		if candidate < w1:
			assert check_slot(hosts, policy, candidate, now, mode).offered == (candidate in found)
