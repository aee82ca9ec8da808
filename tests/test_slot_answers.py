"""A kept slot answer, cut to the clock at each read, equals a fresh search (engine.slot_answers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from conftest import every_day, host, utc
from hypothesis import given
from hypothesis import strategies as st
from test_slots import scenarios

from scheduler_integration.engine import Assignment, SlotPolicy, find_slots
from scheduler_integration.engine.slot_answers import (
	MARGIN,
	by_host,
	clockless,
	common,
	joined,
	joined_starts,
	offered_at,
	span,
)
from scheduler_integration.engine.teams import page_order


def kept(hosts, policy, window_start, window_end, now, assignment):
	found = span(policy, window_start, window_end, now)
	if found.start >= found.end:
		return found, []
	return found, find_slots(hosts, clockless(policy), found.start, found.end, found.start, assignment)


def shown(slots):
	return [(slot.start, slot.hosts) for slot in slots]


@given(
	scenarios(hosts=3),
	st.sampled_from(list(Assignment)),
	st.lists(st.integers(0, 4 * 24 * 60), min_size=1, max_size=4),
)
def test_a_kept_answer_equals_a_fresh_search_at_every_later_read(scenario, assignment, later):
	hosts, policy, window_start, window_end, now = scenario
	if assignment is Assignment.INDIVIDUAL:
		hosts = hosts[:1]
	found, answer = kept(hosts, policy, window_start, window_end, now, assignment)
	for minutes in [0, *later]:
		at = now + timedelta(minutes=minutes)
		if not found.usable_at(at):
			continue
		fresh = find_slots(hosts, policy, window_start, window_end, at, assignment)
		assert shown(offered_at(answer, policy, window_start, window_end, at)) == shown(fresh)


def test_the_answer_is_searched_again_once_the_horizon_passes_its_reach():
	"""With a 2-day horizon and a week's window, the kept answer reaches a day past the
	horizon; a read two days later needs starts it does not have."""
	hosts = [host(every_day("UTC"))]
	policy = SlotPolicy(duration=60, max_advance_days=2)
	now = utc(2026, 3, 2, 8)
	window_start, window_end = now, now + timedelta(days=7)
	found, answer = kept(hosts, policy, window_start, window_end, now, Assignment.INDIVIDUAL)
	assert found.valid_until == now + MARGIN
	within = now + MARGIN
	assert shown(offered_at(answer, policy, window_start, window_end, within)) == shown(
		find_slots(hosts, policy, window_start, window_end, within)
	)
	later = now + timedelta(days=2)
	assert not found.usable_at(later)
	assert shown(offered_at(answer, policy, window_start, window_end, later)) != shown(
		find_slots(hosts, policy, window_start, window_end, later)
	)


def test_an_answer_is_not_used_before_it_was_computed():
	found = span(SlotPolicy(duration=30), utc(2026, 3, 2), utc(2026, 3, 9), utc(2026, 3, 2, 12))
	assert found.valid_until is None
	assert found.usable_at(utc(2026, 3, 20)) and not found.usable_at(utc(2026, 3, 2, 11))


@given(
	scenarios(hosts=4),
	st.lists(st.tuples(st.integers(-2, 2), st.sampled_from([1, 50, 100, 300])), min_size=4, max_size=4),
	st.sampled_from(["Fair Share by Weight", "Maximize Availability"]),
	st.lists(st.integers(0, 3 * 24 * 60), min_size=4, max_size=4),
	st.lists(st.integers(0, 4 * 24 * 60), min_size=1, max_size=3),
)
def test_a_round_robin_answer_joined_from_its_hosts_own_equals_the_teams(scenario, ranks, mode, ages, later):
	"""Each host's starts searched alone, at different instants (kept one by one), joined in
	the team's order, cut at any read their common span allows: a fresh search of the team."""
	from scheduler_integration.engine.teams import mode_from_label

	hosts, policy, window_start, window_end, now = scenario
	policy = replace(policy, seats=1, round_robin_mode=mode_from_label(mode))
	hosts = [
		replace(one, priority=priority, weight=weight, bookings_so_far=0, last_booked_at=None)
		for one, (priority, weight) in zip(hosts, ranks, strict=True)
	]
	assert by_host(policy, Assignment.ROUND_ROBIN, len(hosts))
	searched = {}
	for one, age in zip(hosts, ages, strict=True):
		at = now - timedelta(minutes=age)  # kept since then
		found = span(policy, window_start, window_end, at)
		starts = (
			[
				slot.start
				for slot in find_slots(
					[one], clockless(policy), found.start, found.end, found.start, Assignment.ROUND_ROBIN
				)
			]
			if found.start < found.end
			else []
		)
		searched[one.host] = (found, starts)
	whole = common([found for found, _starts in searched.values()])
	order = page_order([(one.host, one.priority, one.weight) for one in hosts], policy.round_robin_mode)
	answer = joined(
		[(name, searched[name][1]) for name in order],
		timedelta(minutes=policy.duration),
		whole.start,
		whole.end,
	)
	# the times alone, as a page shows them (in any order of the hosts)
	times = joined_starts(
		[(name, searched[name][1]) for name in reversed(order)],
		timedelta(minutes=policy.duration),
		whole.start,
		whole.end,
	)
	assert [(slot.start, slot.end) for slot in times] == [(slot.start, slot.end) for slot in answer]
	for minutes in [0, *later]:
		at = now + timedelta(minutes=minutes)
		if not whole.usable_at(at):
			continue
		fresh = find_slots(hosts, policy, window_start, window_end, at, Assignment.ROUND_ROBIN)
		assert shown(offered_at(answer, policy, window_start, window_end, at)) == shown(fresh)
		assert [slot.start for slot in offered_at(times, policy, window_start, window_end, at)] == [
			slot.start for slot in fresh
		]
		assert [slot.end for slot in offered_at(answer, policy, window_start, window_end, at)] == [
			slot.end for slot in fresh
		]


def test_only_a_round_robin_team_without_seats_is_joined_from_its_hosts():
	policy = SlotPolicy(duration=30)
	assert by_host(policy, Assignment.ROUND_ROBIN, 2)
	assert not by_host(policy, Assignment.ROUND_ROBIN, 1)
	assert not by_host(policy, Assignment.COLLECTIVE, 3)
	assert not by_host(replace(policy, seats=2), Assignment.ROUND_ROBIN, 3)
