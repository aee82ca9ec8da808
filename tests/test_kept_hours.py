"""What the slot search keeps across searches (``slots._days``, ``slots._layout``): a
host's day ranges and grids for a window's dates, and a team's layout of its grids' starts.
Kept by value (hours are immutable, so a change of hours is another key), bounded, and
never changing an answer: a search with everything kept, with nothing kept, and with the
cache cleared at every step gives the same slots."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from conftest import UTC
from hypothesis import given
from test_slots import scenarios

from scheduler_integration.engine import (
	Assignment,
	Availability,
	Booking,
	HostSchedule,
	SlotPolicy,
	WeeklyRange,
	check_slot,
	find_slots,
)
from scheduler_integration.engine import slots as slot_search

WEEKDAYS = tuple(WeeklyRange.parse(day, "09:00", "17:00") for day in range(5))
# a window crossing the spring DST change of New York and London
START = datetime(2026, 3, 6, tzinfo=UTC)
END = START + timedelta(days=30)


def team(zones=("America/New_York", "Europe/London", "Asia/Kolkata", "America/New_York")):
	return [
		HostSchedule(
			f"h{index}",
			Availability(zone, WEEKDAYS),  # equal hours are equal values, not one object
			(
				Booking(
					START + timedelta(days=index, hours=14), START + timedelta(days=index, hours=15), 10, 5
				),
			),
		)
		for index, zone in enumerate(zones)
	]


@pytest.fixture(autouse=True)
def nothing_kept():
	slot_search.clear_kept()
	yield
	slot_search.clear_kept()


def test_equal_hours_share_one_kept_entry():
	a, b = Availability("Europe/London", WEEKDAYS), Availability("Europe/London", WEEKDAYS)
	assert a is not b and hash(a) == hash(b)
	assert slot_search._days(a, START, END) is slot_search._days(b, START, END)
	# other dates, other hours: other entries
	assert slot_search._days(a, START, END + timedelta(days=3)) is not slot_search._days(a, START, END)
	other = Availability("Europe/London", WEEKDAYS[:4])
	assert slot_search._days(other, START, END) is not slot_search._days(a, START, END)


@pytest.mark.parametrize(
	("assignment", "zones"),
	[
		(Assignment.ROUND_ROBIN, ("America/New_York", "Europe/London", "Asia/Kolkata", "America/New_York")),
		(Assignment.COLLECTIVE, ("America/New_York", "Europe/London", "America/New_York")),
	],
)
def test_a_kept_search_gives_the_same_slots(assignment, zones):
	hosts = team(zones)
	policy = SlotPolicy(duration=30, buffer_before=5, buffer_after=10)
	first = find_slots(hosts, policy, START, END, START, assignment)
	assert first and slot_search._DAYS
	assert find_slots(hosts, policy, START, END, START, assignment) == first
	# the same team in another rank order lays its grids out from the same kept layout
	layouts = len(slot_search._LAYOUTS)
	reordered = [replace(item, priority=index) for index, item in enumerate(hosts)]
	assert [slot.start for slot in find_slots(reordered, policy, START, END, START, assignment)] == [
		slot.start for slot in first
	]
	assert len(slot_search._LAYOUTS) == layouts


def test_a_full_cache_is_cleared_and_the_slots_stay_the_same(monkeypatch):
	hosts = team()
	policy = SlotPolicy(duration=45, interval=15)
	kept = find_slots(hosts, policy, START, END, START, Assignment.ROUND_ROBIN)
	monkeypatch.setattr(slot_search, "MAX_HELD", 1)  # every new entry clears the cache first
	slot_search.clear_kept()
	for _ in range(2):
		assert find_slots(hosts, policy, START, END, START, Assignment.ROUND_ROBIN) == kept
		assert len(slot_search._DAYS) <= 1 and len(slot_search._LAYOUTS) <= 1


def test_the_layout_places_each_grid_in_the_union_of_their_starts():
	first, second = [10, 20, 30, 40], [5, 20, 40, 45]
	merged, places = slot_search._layout([first, second])
	assert merged == [5, 10, 20, 30, 40, 45]
	for grid in (first, second):
		assert [merged[place] for place in places[id(grid)]] == grid
	# kept: the same lists, whatever the order of the grids
	again, places_again = slot_search._layout([second, first])
	assert again is merged and places_again is places


def test_collect_adds_the_host_to_the_starts_inside_each_span():
	grid = [0, 10, 20, 30, 40, 50]
	columns = [[] for _ in grid]
	# an end is open, a start closed; a span without a start adds nothing
	slot_search._collect([(0, 10), (11, 19), (20, 41)], "h", grid, columns)
	assert columns == [["h"], [], ["h"], ["h"], ["h"], []]
	slot_search._collect([(45, 60)], "g", grid, columns)
	assert columns[-1] == ["g"]


def test_availability_hash_is_its_values_and_survives_pickling():
	a = Availability("Asia/Kolkata", WEEKDAYS)
	assert hash(a) == hash(Availability("Asia/Kolkata", WEEKDAYS))
	changed = replace(a, weekly=WEEKDAYS[:1])
	assert changed != a and hash(changed) == hash(Availability("Asia/Kolkata", WEEKDAYS[:1]))
	back = pickle.loads(pickle.dumps(a))
	assert back == a and hash(back) == hash(a) and {a: 1}[back] == 1
	# a state pickled by another process carries its own string hashes: made afresh
	state = list(a.__getstate__())
	state[-1] = 12345
	fresh = Availability.__new__(Availability)
	fresh.__setstate__(state)
	assert fresh == a and hash(fresh) == hash(a)


@given(scenarios(hosts=3))
def test_kept_cleared_and_fresh_searches_agree(scenario):
	hosts, policy, window_start, window_end, now = scenario
	for assignment in (Assignment.ROUND_ROBIN, Assignment.COLLECTIVE):
		slot_search.clear_kept()
		fresh = find_slots(hosts, policy, window_start, window_end, now, assignment)
		assert find_slots(hosts, policy, window_start, window_end, now, assignment) == fresh
		for slot in fresh[:3]:
			assert check_slot(hosts, policy, slot.start, now, assignment).offered
