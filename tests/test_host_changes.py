"""Hosts a change takes off a booking or puts on it, and who still has to hear of it
(``engine.host_changes``): a round-robin booking moved to another host's free time."""

import json

from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine.host_changes import (
	empty,
	noted,
	parsed,
	to_undo,
	told,
	untold,
	without,
)

A, B, C = "a@x", "b@x", "c@x"


def hosts(*users, event=True):
	return {u: (f"EV-{u}" if event else None, {"google-1": f"g-{u}"} if event else {}) for u in users}


def test_a_move_to_another_host_tells_both_and_undoes_the_old_hosts_records():
	changes = noted(None, hosts(A), [B])
	assert untold(changes, [B]) == ([A], [B])
	assert to_undo(changes, "events") == [(A, "EV-a@x")]
	assert to_undo(changes, "calendar") == [(A, ["google-1", "g-a@x"])]
	changes = told(changes, left=[A], joined=[B])
	assert untold(changes, [B]) == ([], [])
	changes = without(changes, A, "events", "EV-a@x")
	changes = without(changes, A, "calendar")
	assert to_undo(changes, "events") == to_undo(changes, "calendar") == []


def test_a_host_who_joined_and_left_unheard_is_told_nothing():
	changes = noted(None, hosts(A), [B])  # A -> B, nobody told yet
	changes = noted(changes, hosts(B, event=False), [C])  # B -> C before B heard
	left, joined = untold(changes, [C])
	assert left == [A] and joined == [C]  # B never knew of it


def test_a_host_who_left_and_came_back_unheard_hears_nothing_of_it():
	changes = noted(None, hosts(A), [B])
	changes = noted(changes, hosts(B, event=False), [A])
	assert untold(changes, [A]) == ([], [])
	# their first Event is still to close: the effect makes them a new one for the new time
	assert to_undo(changes, "events") == [(A, "EV-a@x")]


def test_a_host_told_they_left_who_comes_back_hears_of_it_as_new():
	changes = told(noted(None, hosts(A), [B]), left=[A], joined=[B])
	changes = noted(changes, hosts(B), [A])
	assert untold(changes, [A]) == ([B], [A])


def test_no_change_of_hosts_records_nothing_and_bad_json_reads_as_empty():
	assert noted(None, hosts(A, B), [B, A]) == empty()
	assert parsed("{not json") == empty() == parsed("") == parsed(None) == parsed(json.dumps([1]))


USERS = st.sampled_from([A, B, C])


@given(st.lists(st.lists(USERS, min_size=1, max_size=2, unique=True), min_size=1, max_size=6), st.data())
def test_every_host_who_heard_of_the_meeting_and_lost_it_is_told_once(steps, data):
	"""Random runs of host changes, with the emails going out at random points: a host is
	told they lost the meeting only if they were told of it (or had it from the start), at
	most once per loss, and whoever holds it at the end has heard of it."""
	current = [A]
	knows = {A}  # who was told of the meeting (the first host, by its booking email)
	changes = None
	for users in steps:
		changes = noted(changes, hosts(*current), users)
		current = users
		if data.draw(st.booleans()) or users is steps[-1]:
			left, joined = untold(parsed(changes), current)
			assert all(u in knows for u in left)
			assert not set(left) & set(current)
			knows -= set(left)
			knows |= set(joined)
			changes = told(changes, left, joined)
			assert untold(parsed(changes), current) == ([], [])
	stayed_unheard = set(current) - knows
	assert not stayed_unheard, (steps, changes)


def test_moves_made_before_their_effects_ran_are_told_once():
	from scheduler_integration.engine.booking_rules import told_already

	# two moves, then the effects: the first row finds the booking at sequence 2 and tells
	# it; the second row finds it at 2 too, already told
	assert not told_already("rescheduled", 2, [])
	assert told_already("rescheduled", 2, [2])
	# a move after the first row ran: sequence 3 is news
	assert not told_already("rescheduled", 3, [2])
	# other events are each their own news; a booking never moved has no sequence to match
	assert not told_already("cancelled", 2, [2])
	assert not told_already("rescheduled", 0, [0])


def test_a_host_told_of_a_new_meeting_is_not_thereby_told_they_lost_it():
	"""B heard of the meeting as new while a move took it from B: B is still to be told."""
	changes = noted(None, hosts(A), [B])
	joined_told = told(changes, joined=[B])
	changes = noted(told(joined_told, left=[A]), hosts(B, event=False), [C])
	assert untold(changes, [C]) == ([B], [C])
	# told of the new meeting with the wrong part marked, B would never hear it is gone
	assert untold(told(changes, joined=[B]), [C]) == ([B], [C])
