"""Hosts a change takes off a booking or puts on it, and what each host still has to hear
(``engine.host_changes``): a round-robin booking moved to another host's free time."""

import json

from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine.host_changes import (
	EARLIER,
	HEARD,
	OFF,
	empty,
	fresh,
	heard_now,
	heard_of,
	news,
	noted,
	parsed,
	state,
	to_undo,
	untold,
	without,
)

A, B, C = "a@x", "b@x", "c@x"


def hosts(*users, event=True):
	return {u: (f"EV-{u}" if event else None, {"google-1": f"g-{u}"} if event else {}) for u in users}


def test_a_move_to_another_host_undoes_the_old_hosts_records():
	changes = noted(None, hosts(A), [B])
	assert untold(changes, [B]) == ([A], [B])
	assert to_undo(changes, "events") == [(A, "EV-a@x")]
	assert to_undo(changes, "calendar") == [(A, ["google-1", "g-a@x"])]
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


def test_no_change_of_hosts_records_nothing_and_bad_json_reads_as_empty():
	assert noted(None, hosts(A, B), [B, A]) == empty()
	assert parsed("{not json") == empty() == parsed("") == parsed(None) == parsed(json.dumps([1]))


TEN, ELEVEN = state("Confirmed", "10:00", "10:30"), state("Pending", "11:00", "11:30")


def tell(heard, hosts, now):
	return news(heard, hosts, now, new="booked", off="passed_on" if now else "cancelled")


def test_each_host_hears_what_they_have_not_heard_of_the_booking_as_it_is():
	# a cancelled meeting, or a paid booking's hold, is off for its hosts
	assert state("Cancelled", "10:00", "10:30") is None
	assert state("Awaiting Payment", "10:00", "10:30") is None
	# a new booking: its hosts hear of it
	assert tell({}, [A, B], TEN) == {A: "booked", B: "booked"}
	# moved to another time and from A to C: B hears of the move, C of a new meeting, A
	# that it is passed on
	assert tell({A: TEN, B: TEN}, [B, C], ELEVEN) == {B: "rescheduled", C: "booked", A: "passed_on"}
	# moved away and back before the email ran: nothing to tell
	assert tell({A: TEN}, [A], TEN) == {}
	# cancelled: who heard of it hears so; who never did, nothing
	assert tell({A: TEN, B: OFF}, [A, C], None) == {A: "cancelled"}
	# a host told it was passed on who gets it back hears of it as new
	assert tell({A: OFF}, [A], TEN) == {A: "booked"}
	assert heard_now({A: TEN, B: TEN}, [B, C], ELEVEN) == {A: OFF, B: ELEVEN, C: ELEVEN}
	assert heard_now({A: TEN}, [A], None) == {A: OFF}


def test_a_record_from_before_heard_was_kept_reads_from_its_told_flags():
	changes = noted(None, hosts(A), [B])  # A -> B, neither told (a record kept before)
	assert HEARD not in changes
	assert heard_of(changes, [B], new=False) == {A: EARLIER}  # B hears of it as new
	assert tell(heard_of(changes, [B], new=False), [B], TEN) == {B: "booked", A: "passed_on"}
	assert heard_of(parsed(None), [A], new=True) == {}
	assert heard_of(parsed(None), [A], new=False) == {A: EARLIER}
	# a new booking's record keeps what its hosts heard through every change of hosts
	kept = {**fresh(), HEARD: {A: TEN}}
	assert heard_of(noted(json.dumps(kept), hosts(A), [B]), [B], new=False) == {A: TEN}
	assert parsed(json.dumps({HEARD: {A: TEN, B: 3}}))[HEARD] == {A: TEN}


USERS = st.sampled_from([A, B, C])
STATES = st.sampled_from([TEN, ELEVEN, None])


@given(
	st.lists(st.tuples(st.lists(USERS, min_size=1, max_size=2, unique=True), STATES), max_size=6), st.data()
)
def test_every_host_hears_the_meeting_as_it_is_once_each_change(steps, data):
	"""Random runs of changes (hosts, time, or off), with the hosts' email running at random
	points: nobody hears of a loss they never knew of, nobody hears what they already
	heard, and after the last run every host heard the meeting as it is and everyone who
	heard of it and no longer has it heard so."""
	hosts_now, now = [A], TEN
	heard = heard_of(fresh(), hosts_now, new=True)
	knows = {}  # what each reader's mailbox says, from the news sent
	for index, (users, then) in enumerate(steps):
		if now is not None:  # a cancelled booking stays cancelled
			hosts_now, now = users, then
		if not data.draw(st.booleans()) and index < len(steps) - 1:
			continue
		told = tell(heard, hosts_now, now)
		for user, what in told.items():
			assert what not in ("passed_on", "cancelled") or knows.get(user), (user, knows)
			after = OFF if what in ("passed_on", "cancelled") else now
			assert knows.get(user, None) != after  # never the same news again
			knows[user] = after
		heard = heard_now(heard, hosts_now, now)
	told = tell(heard, hosts_now, now)
	for user, what in told.items():
		knows[user] = OFF if what in ("passed_on", "cancelled") else now
	assert not tell(heard_now(heard, hosts_now, now), hosts_now, now)
	if now is not None:
		assert all(knows.get(user) == now for user in hosts_now)
	assert all(not was for user, was in knows.items() if now is None or user not in hosts_now)


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
