"""Out of office: every date of a leave is a day off on the host's own clock (DST too),
a covering colleague hosts the owner's meetings on those dates, and in round robin takes
the absent host's share, never more."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine import (
	Availability,
	DateOverride,
	HostSchedule,
	LocalRange,
	WeeklyRange,
)
from scheduler_integration.engine.availability import available_intervals
from scheduler_integration.engine.errors import InvalidRule
from scheduler_integration.engine.model import parse_hhmm
from scheduler_integration.engine.out_of_office import (
	Leave,
	delegate_on,
	hand_over,
	host_at,
	leave_windows,
	with_leave,
)
from scheduler_integration.engine.teams import pick_host
from tests.conftest import at, utc

ZONE = "Europe/Berlin"
WEEKDAYS = tuple(WeeklyRange(day, parse_hhmm("09:00"), parse_hhmm("17:00")) for day in range(7))


def hours(**kwargs) -> Availability:
	return Availability(ZONE, WEEKDAYS, **kwargs)


def test_leave_dates_are_days_off_even_over_an_override():
	override = DateOverride(date(2026, 3, 30), (LocalRange(parse_hhmm("08:00"), parse_hhmm("10:00")),))
	away = with_leave(hours(overrides=(override,)), [Leave(date(2026, 3, 28), date(2026, 3, 30))])
	free = available_intervals(away, utc(2026, 3, 27), utc(2026, 4, 1))
	days = {interval.start.astimezone().date() for interval in free}
	assert at(ZONE, 2026, 3, 27, 9) in [i.start for i in free]
	assert at(ZONE, 2026, 3, 31, 9) in [i.start for i in free]
	assert not [i for i in free if utc(2026, 3, 28) <= i.start < utc(2026, 3, 31)], days


def test_windows_follow_dst_and_merge():
	# Berlin springs forward on 29 March 2026: that leave day is 23 hours long
	windows = leave_windows(
		[Leave(date(2026, 3, 29), date(2026, 3, 29)), Leave(date(2026, 3, 30), date(2026, 3, 31))], ZONE
	)
	assert len(windows) == 1
	assert windows[0].start == at(ZONE, 2026, 3, 29, 0) and windows[0].end == at(ZONE, 2026, 4, 1, 0)
	assert leave_windows([], ZONE) == []


def test_who_covers():
	leaves = [Leave(date(2026, 6, 1), date(2026, 6, 5), "bob"), Leave(date(2026, 6, 10), date(2026, 6, 10))]
	assert delegate_on(leaves, date(2026, 6, 3)) == "bob"
	assert delegate_on(leaves, date(2026, 6, 10)) is None
	# 23:30 UTC on 5 June is already 6 June in Berlin: the owner is back
	assert host_at("ada", leaves, utc(2026, 6, 5, 23, 30), ZONE) == "ada"
	assert host_at("ada", leaves, utc(2026, 6, 5, 21, 30), ZONE) == "bob"


def test_bad_leaves_are_refused():
	with pytest.raises(InvalidRule):
		Leave(date(2026, 6, 5), date(2026, 6, 1))
	with pytest.raises(InvalidRule):
		Leave(date(2026, 1, 1), date(2027, 6, 1))


def test_round_robin_share_goes_to_the_colleague_only():
	team = [
		HostSchedule("ada", hours(), weight=100, bookings_so_far=10),
		HostSchedule("bob", hours(), weight=100, bookings_so_far=10),
		HostSchedule("cy", hours(), weight=100, bookings_so_far=10),
	]
	handed = hand_over(team, {"ada": "bob"})
	assert [(h.host, h.weight, h.bookings_so_far) for h in handed] == [
		("ada", 100, 10),
		("bob", 200, 20),
		("cy", 100, 10),
	]
	# of the next 30 bookings while ada is away, bob takes two in three (ada's and his own)
	counts = {"bob": 0, "cy": 0}
	for _ in range(30):
		pool = [team[0], *(HostSchedule(h, hours(), bookings_so_far=10 + counts[h]) for h in ("bob", "cy"))]
		counts[pick_host(["bob", "cy"], hand_over(pool, {"ada": "bob"}))] += 1
	assert counts == {"bob": 20, "cy": 10}
	assert hand_over(team, {"ada": "zed"}) == team  # a colleague outside the pool takes nothing
	assert hand_over(team, {"ada": "bob", "bob": "cy"})[2].weight == 200  # bob away too: cy covers bob only


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 10)), max_size=5), st.integers(0, 80))
def test_every_leave_date_is_off_and_no_other_date_changes(spans, probe):
	base = date(2026, 3, 1)
	leaves = [Leave(base + timedelta(days=s), base + timedelta(days=s + n)) for s, n in spans]
	day = base + timedelta(days=probe)
	zone_start = at(ZONE, day.year, day.month, day.day, 0)
	zone_end = at(ZONE, *(day + timedelta(days=1)).timetuple()[:3], 0)
	free = available_intervals(with_leave(hours(), leaves), zone_start, zone_end)
	away = any(leave.start <= day <= leave.end for leave in leaves)
	assert (not free) == away
