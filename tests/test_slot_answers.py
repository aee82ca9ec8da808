"""A kept slot answer, cut to the clock at each read, equals a fresh search (engine.slot_answers)."""

from __future__ import annotations

from datetime import timedelta

from conftest import every_day, host, utc
from hypothesis import given
from hypothesis import strategies as st
from test_slots import scenarios

from scheduler_integration.engine import Assignment, SlotPolicy, find_slots
from scheduler_integration.engine.slot_answers import MARGIN, clockless, offered_at, span


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
