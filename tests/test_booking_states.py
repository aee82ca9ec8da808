"""The booking state machine: every (from, to, actor) combination, moves, policies, events."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from scheduler_integration.engine import SlotPolicy
from scheduler_integration.engine.booking_rules import news_is_stale, pending_expired
from scheduler_integration.engine.booking_states import (
	ACTIVE,
	STATUSES,
	TRANSITIONS,
	Actor,
	TransitionRefused,
	check_move,
	check_transition,
	lifecycle_event,
	may_become,
	policy_for,
)

U = timezone.utc
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=U)
FUTURE = NOW + timedelta(days=2)
PAST = NOW - timedelta(hours=2)

# the whole table, written out: (from, to) -> actors allowed
EXPECTED = {
	(None, "Pending"): "GHS",
	(None, "Confirmed"): "GHS",
	(None, "Awaiting Payment"): "GS",
	("Awaiting Payment", "Confirmed"): "S",
	("Awaiting Payment", "Pending"): "S",
	("Awaiting Payment", "Cancelled"): "GHS",
	("Pending", "Confirmed"): "HS",
	("Pending", "Cancelled"): "GHS",
	("Confirmed", "Cancelled"): "GHS",
	("Confirmed", "Completed"): "HS",
	("Confirmed", "No Show"): "H",
	("Completed", "No Show"): "H",
	("No Show", "Completed"): "H",
}
LETTER = {Actor.GUEST: "G", Actor.HOST: "H", Actor.SYSTEM: "S"}


@pytest.mark.parametrize(
	"before,after,actor", list(itertools.product([None, *STATUSES], STATUSES, list(Actor)))
)
def test_every_transition_is_allowed_exactly_as_the_table_says(before, after, actor):
	allowed = before == after or LETTER[actor] in EXPECTED.get((before, after), "")
	start = PAST if after in ("Completed", "No Show") else FUTURE
	if allowed:
		check_transition(before, after, actor, start=start, now=NOW)
	else:
		with pytest.raises(TransitionRefused) as err:
			check_transition(before, after, actor, start=start, now=NOW)
		assert err.value.reason == "not_allowed"
		assert err.value.field == "status"


def test_the_code_table_is_the_documented_table():
	assert {k: "".join(sorted(LETTER[a] for a in v)) for k, v in TRANSITIONS.items()} == {
		k: "".join(sorted(v)) for k, v in EXPECTED.items()
	}


# the statuses each action of the booking controller starts from (what its guards allowed
# before they asked the engine)
ACTIONS = {
	("Cancelled", False): {"Pending", "Confirmed", "Awaiting Payment"},  # cancel
	("Confirmed", False): {"Pending", "Awaiting Payment"},  # confirm (a payment: the system)
	("Cancelled", True): {"Pending"},  # decline
	("No Show", False): {"Confirmed", "Completed"},  # mark_no_show
	("Completed", False): {"Confirmed", "No Show"},  # mark_completed
}


@pytest.mark.parametrize("after,decline", list(ACTIONS))
def test_the_actions_start_where_the_table_allows(after, decline):
	assert {s for s in STATUSES if may_become(s, after, decline=decline)} == ACTIONS[after, decline]


def test_outcomes_need_the_meeting_to_have_started():
	for after in ("Completed", "No Show"):
		with pytest.raises(TransitionRefused) as err:
			check_transition("Confirmed", after, Actor.HOST, start=FUTURE, now=NOW)
		assert err.value.reason == "not_started"
	check_transition("Confirmed", "Completed", Actor.SYSTEM, start=NOW, now=NOW)


def test_guest_cancel_needs_the_notice_host_cancel_does_not():
	start = NOW + timedelta(hours=1)
	with pytest.raises(TransitionRefused) as err:
		check_transition("Confirmed", "Cancelled", Actor.GUEST, start=start, now=NOW, cancel_notice=120)
	assert err.value.reason == "notice"
	check_transition("Confirmed", "Cancelled", Actor.GUEST, start=start, now=NOW, cancel_notice=60)
	check_transition("Confirmed", "Cancelled", Actor.HOST, start=start, now=NOW, cancel_notice=120)


def test_moves_only_while_active_and_guests_within_the_notice():
	for status in STATUSES:
		if status in ACTIVE:
			check_move(status, Actor.HOST, old_start=FUTURE, now=NOW)
		else:
			with pytest.raises(TransitionRefused) as err:
				check_move(status, Actor.HOST, old_start=FUTURE, now=NOW)
			assert err.value.reason == "inactive"
	with pytest.raises(TransitionRefused) as err:
		check_move(
			"Confirmed", Actor.GUEST, old_start=NOW + timedelta(hours=1), now=NOW, reschedule_notice=61
		)
	assert err.value.reason == "notice"
	check_move("Confirmed", Actor.HOST, old_start=NOW + timedelta(hours=1), now=NOW, reschedule_notice=61)


def test_hosts_are_not_held_to_notice_and_horizon_guests_are():
	policy = SlotPolicy(30, min_notice=1440, max_advance_days=7)
	assert policy_for(policy, Actor.GUEST) is policy
	for actor in (Actor.HOST, Actor.SYSTEM):
		relaxed = policy_for(policy, actor)
		assert (relaxed.min_notice, relaxed.max_advance_days) == (0, None)
		assert (relaxed.duration, relaxed.buffer_before) == (policy.duration, policy.buffer_before)


@pytest.mark.parametrize(
	"before,after,moved,by_guest,event",
	[
		(None, "Pending", False, True, "pending"),
		(None, "Confirmed", False, True, "booked"),
		(None, "Awaiting Payment", False, True, "awaiting_payment"),
		("Awaiting Payment", "Confirmed", False, False, "booked"),  # paid: as if booked now
		("Awaiting Payment", "Pending", False, False, "pending"),
		("Awaiting Payment", "Cancelled", False, False, "hold_expired"),
		("Awaiting Payment", "Cancelled", False, True, "hold_cancelled"),
		("Awaiting Payment", "Awaiting Payment", True, False, "rescheduled"),
		("Pending", "Confirmed", False, False, "confirmed"),
		("Pending", "Cancelled", False, False, "declined"),
		("Pending", "Cancelled", False, True, "cancelled"),
		("Confirmed", "Cancelled", False, False, "cancelled"),
		("Confirmed", "Completed", False, False, "completed"),
		("Confirmed", "No Show", False, False, "no_show"),
		("Confirmed", "Confirmed", True, True, "rescheduled"),
		("Pending", "Pending", True, False, "rescheduled"),
		("Confirmed", "Confirmed", False, False, None),
		("Cancelled", "Cancelled", True, False, None),
	],
)
def test_lifecycle_events(before, after, moved, by_guest, event):
	assert lifecycle_event(before, after, moved=moved, by_guest=by_guest) == event


def test_stale_news_and_pending_expiry():
	assert news_is_stale("booked", "Cancelled") and not news_is_stale("booked", "Confirmed")
	assert news_is_stale("pending", "Confirmed") and not news_is_stale("cancelled", "Cancelled")
	assert not news_is_stale("rescheduled", "Pending")
	assert pending_expired(NOW - timedelta(hours=49), FUTURE, NOW, 48)
	assert not pending_expired(NOW - timedelta(hours=47), FUTURE, NOW, 48)
	assert pending_expired(NOW, NOW, NOW, 48), "a pending booking whose start came expires"


def test_housekeeping_rules():
	from scheduler_integration.engine.booking_rules import (
		give_up,
		meeting_over,
		pending_expiry_cutoffs,
		reminder_skip_reason,
	)

	assert give_up(5, 5) and not give_up(4, 5) and give_up(1, 0)
	assert meeting_over(NOW, NOW) and not meeting_over(FUTURE, NOW)
	assert pending_expiry_cutoffs(NOW, 48) == (NOW - timedelta(hours=48), NOW)
	assert reminder_skip_reason("Cancelled", FUTURE, NOW)
	assert reminder_skip_reason("Confirmed", PAST, NOW)
	assert reminder_skip_reason("Confirmed", FUTURE, NOW) is None
	with pytest.raises(TransitionRefused):
		check_transition("Pending", "Lost", Actor.HOST, start=FUTURE, now=NOW)
	with pytest.raises(TransitionRefused) as err:
		check_transition(None, "Cancelled", Actor.HOST, start=FUTURE, now=NOW)
	assert "new booking" in str(err.value)


def test_a_booking_awaiting_payment_is_given_up_any_time_but_moved_only_once_paid():
	soon = NOW + timedelta(minutes=5)
	check_transition("Awaiting Payment", "Cancelled", Actor.GUEST, start=soon, now=NOW, cancel_notice=1440)
	with pytest.raises(TransitionRefused) as err:
		check_move("Awaiting Payment", Actor.GUEST, old_start=FUTURE, now=NOW)
	assert err.value.reason == "awaiting_payment"
	check_move("Awaiting Payment", Actor.HOST, old_start=FUTURE, now=NOW)
	# nobody but the system (the gateway's report) confirms it
	for actor in (Actor.GUEST, Actor.HOST):
		with pytest.raises(TransitionRefused):
			check_transition("Awaiting Payment", "Confirmed", actor, start=FUTURE, now=NOW)
