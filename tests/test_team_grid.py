"""Round robin lays each shared set of working hours' grid out once (``slots._grid``) and
looks every host's allowed spans up in it: the same starts and ``Slot.hosts`` as each host
searched on its own (``_emit``), in rank order, on DST days too, and when the grid is too
large to lay out (the search then walks each host's ranges as before)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import UTC, every_day, host
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine import (
	Assignment,
	Availability,
	Booking,
	HostSchedule,
	Interval,
	InvalidInterval,
	RoundRobinMode,
	SlotPolicy,
	WeeklyRange,
	find_slots,
	rank_hosts,
)
from scheduler_integration.engine.slots import MAX_SLOTS
from scheduler_integration.engine.teams import _fair_share, _least_recent

# zones with DST changes in the windows below (Lord Howe moves by half an hour, Santiago at
# midnight) and without
ZONES = [
	"UTC",
	"America/New_York",
	"Europe/London",
	"Australia/Lord_Howe",
	"America/Santiago",
	"Asia/Kolkata",
]
# each window crosses a DST change of some of the zones
STARTS = [
	datetime(2026, 3, 6, tzinfo=UTC),
	datetime(2026, 4, 3, tzinfo=UTC),
	datetime(2026, 10, 30, tzinfo=UTC),
]


def expected_slots(hosts, policy, window_start, window_end, now):
	"""Each host searched alone; a start's hosts are those offering it, in rank order."""
	alone = {
		item.host: {slot.start for slot in find_slots([item], policy, window_start, window_end, now)}
		for item in hosts
	}
	ranked = [item.host for item in rank_hosts(hosts, policy.round_robin_mode)]
	starts = sorted(set().union(*alone.values()))
	return [(start, tuple(name for name in ranked if start in alone[name])) for start in starts]


@st.composite
def teams(draw):
	window_start = draw(st.sampled_from(STARTS)) + timedelta(minutes=draw(st.integers(0, 96)) * 15)
	window_end = window_start + timedelta(days=draw(st.integers(1, 5)))
	now = window_start - timedelta(hours=draw(st.integers(0, 30)))
	policy = SlotPolicy(
		duration=draw(st.sampled_from([15, 30, 45, 60])),
		interval=draw(st.one_of(st.none(), st.sampled_from([10, 20, 30, 45]))),
		buffer_before=draw(st.sampled_from([0, 5])),
		buffer_after=draw(st.sampled_from([0, 10])),
		min_notice=draw(st.sampled_from([0, 60])),
		round_robin_mode=draw(st.sampled_from(list(RoundRobinMode))),
	)
	# a few shapes of working hours shared by several hosts (equal, not the same object, as
	# each host's record is read on its own), some all day so that ranges span DST changes
	shapes = []
	for _ in range(draw(st.integers(1, 3))):
		ranges = draw(
			st.lists(
				st.sampled_from([(0, 1440), (0, 180), (60, 240), (540, 1020), (1320, 1440), (90, 150)]),
				min_size=1,
				max_size=2,
			)
		)
		days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
		shapes.append((draw(st.sampled_from(ZONES)), tuple((day, a, b) for day in days for a, b in ranges)))
	hosts = []
	for index in range(draw(st.integers(2, 6))):
		zone, rules = draw(st.sampled_from(shapes))
		busy, bookings = [], []
		for _ in range(draw(st.integers(0, 8))):
			start = window_start + timedelta(minutes=draw(st.integers(-600, 6 * 1440)) // 5 * 5)
			end = start + timedelta(minutes=draw(st.sampled_from([15, 30, 90, 300])))
			if draw(st.booleans()):
				bookings.append(
					Booking(start, end, draw(st.sampled_from([0, 10])), draw(st.sampled_from([0, 5])))
				)
			else:
				busy.append(Interval(start, end))
		hosts.append(
			HostSchedule(
				f"h{index}",
				Availability(zone, tuple(WeeklyRange(day, a, b) for day, a, b in rules)),
				tuple(bookings),
				tuple(busy),
				priority=draw(st.integers(0, 1)),
				weight=draw(st.sampled_from([50, 100, 200])),
				bookings_so_far=draw(st.integers(0, 5)),
			)
		)
	return hosts, policy, window_start, window_end, now


@given(teams())
def test_round_robin_is_each_host_alone_in_rank_order(team):
	hosts, policy, window_start, window_end, now = team
	slots = find_slots(hosts, policy, window_start, window_end, now, Assignment.ROUND_ROBIN)
	assert [(slot.start, slot.hosts) for slot in slots] == expected_slots(
		hosts, policy, window_start, window_end, now
	)


def test_a_grid_too_large_to_lay_out_still_gives_each_hosts_starts():
	# all day, every day, a start a minute for a year: more grid starts than a host may emit,
	# but the hosts are busy but for a few hours, so the search is answered
	start = datetime(2026, 1, 5, tzinfo=UTC)
	end = start + timedelta(days=365)
	policy = SlotPolicy(30, interval=1)
	hosts = [
		host(every_day("Europe/London", "00:00", "24:00"), name, busy=busy)
		for name, busy in (
			(
				"a",
				(
					Interval(start, start + timedelta(days=200)),
					Interval(start + timedelta(days=200, hours=3), end),
				),
			),
			(
				"b",
				(
					Interval(start, start + timedelta(days=200, hours=1)),
					Interval(start + timedelta(days=201), end),
				),
			),
		)
	]
	slots = find_slots(hosts, policy, start, end, start, Assignment.ROUND_ROBIN)
	assert len(slots) > 0
	assert [(slot.start, slot.hosts) for slot in slots] == expected_slots(hosts, policy, start, end, start)
	# and a host free all that time is refused as on its own
	free = [host(every_day("UTC", "00:00", "24:00"), "c"), hosts[0]]
	with pytest.raises(InvalidInterval) as err:
		find_slots(free, policy, start, end, start, Assignment.ROUND_ROBIN)
	assert str(MAX_SLOTS) in str(err.value)


@given(
	st.lists(
		st.tuples(
			st.integers(-1, 1),
			st.integers(1, 1_000_000),
			st.integers(0, 10**9),
			st.sampled_from([None, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)]),
		),
		min_size=1,
		max_size=12,
	),
	st.sampled_from(list(RoundRobinMode)),
)
def test_ranking_compares_shares_exactly(rows, mode):
	# the ranking scales the shares to whole numbers (or, for large coprime weights, keeps
	# them as fractions): either way the order of the exact shares
	hosts = [
		HostSchedule(
			f"h{index}", every_day("UTC"), priority=p, weight=w, bookings_so_far=n, last_booked_at=at
		)
		for index, (p, w, n, at) in enumerate(rows)
	]
	key = _fair_share if mode is RoundRobinMode.FAIR_SHARE else _least_recent
	assert rank_hosts(hosts, mode) == sorted(hosts, key=key)


def test_ranking_with_large_coprime_weights():
	weights = [999_983, 999_979, 999_961, 999_959, 999_953, 999_931, 999_917, 999_907]
	hosts = [
		HostSchedule(f"h{index}", every_day("UTC"), weight=weight, bookings_so_far=index * 1000)
		for index, weight in enumerate(weights)
	]
	assert rank_hosts(hosts) == sorted(hosts, key=_fair_share)
	assert rank_hosts(iter(hosts)) == sorted(hosts, key=_fair_share)


def test_an_open_seated_slot_keeps_its_holders_when_the_grid_is_too_large():
	# the same year-long minute grid, with seats: "a" holds a slot with a seat left at 10:00
	# on a day both hosts are free, so the start belongs to "a" alone, on either path
	start = datetime(2026, 1, 5, tzinfo=UTC)
	end = start + timedelta(days=365)
	day = start + timedelta(days=200)
	seat = day + timedelta(hours=10)
	policy = SlotPolicy(30, interval=1, seats=2, meeting_type="a")
	busy = (Interval(start, day), Interval(day + timedelta(hours=12), end))
	hosts = [
		host(
			every_day("UTC", "00:00", "24:00"),
			"a",
			busy=busy,
			bookings=(Booking(seat, seat + timedelta(minutes=30), 0, 0, "a"),),
		),
		host(every_day("UTC", "00:00", "24:00"), "b", busy=busy),
	]
	slots = {
		slot.start: slot.hosts
		for slot in find_slots(hosts, policy, start, end, start, Assignment.ROUND_ROBIN)
	}
	assert slots[seat] == ("a",)
	assert slots[seat - timedelta(hours=1)] == ("a", "b")
