"""The desk's actions on a booking (``booking_states.actions_for``): offered exactly where the
state machine accepts them, and a time condition gives its reason instead of an offer."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from scheduler_integration.engine.booking_states import (
	ACTIONS,
	STATUSES,
	Actor,
	TransitionRefused,
	actions_for,
	check_transition,
)

U = timezone.utc
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=U)
FUTURE = NOW + timedelta(days=2)
PAST = NOW - timedelta(hours=2)


@pytest.mark.parametrize("status,actor,start", list(itertools.product(STATUSES, list(Actor), (PAST, FUTURE))))
def test_an_action_is_offered_exactly_when_the_change_would_be_accepted(status, actor, start):
	found = actions_for(status, actor, start=start, now=NOW)
	for action, refusal in found.items():
		after = ACTIONS[action]
		if refusal is None:
			check_transition(status, after, actor, start=start, now=NOW)  # accepted
		else:
			with pytest.raises(TransitionRefused):
				check_transition(status, after, actor, start=start, now=NOW)
	# every change the machine accepts now is offered by some action
	for action, after in ACTIONS.items():
		try:
			check_transition(status, after, actor, start=start, now=NOW)
		except TransitionRefused:
			continue
		if after != status:
			assert any(ACTIONS[name] == after and why is None for name, why in found.items()), action


def test_what_a_host_is_offered_for_each_status():
	def offered(status, start):
		return [a for a, why in actions_for(status, Actor.HOST, start=start, now=NOW).items() if why is None]

	assert offered("Pending", FUTURE) == ["confirm", "decline"]
	assert offered("Confirmed", FUTURE) == ["cancel"]
	assert offered("Confirmed", PAST) == ["cancel", "mark_completed", "mark_no_show"]
	assert offered("Completed", PAST) == ["mark_no_show"]
	assert offered("No Show", PAST) == ["mark_completed"]
	assert offered("Awaiting Payment", FUTURE) == ["cancel"]  # only the gateway confirms it
	assert offered("Cancelled", PAST) == offered("Cancelled", FUTURE) == []


def test_a_future_meeting_says_why_it_cannot_be_marked_yet():
	found = actions_for("Confirmed", Actor.HOST, start=FUTURE, now=NOW)
	assert found["cancel"] is None
	for action in ("mark_completed", "mark_no_show"):
		assert found[action].reason == "not_started"


def test_a_guest_cancels_within_the_notice_and_never_declines():
	soon = NOW + timedelta(minutes=30)
	assert list(actions_for("Pending", Actor.GUEST, start=FUTURE, now=NOW, cancel_notice=60)) == ["cancel"]
	late = actions_for("Confirmed", Actor.GUEST, start=soon, now=NOW, cancel_notice=60)
	assert list(late) == ["cancel"] and late["cancel"].reason == "notice"
	# a host is not held to the notice
	assert actions_for("Confirmed", Actor.HOST, start=soon, now=NOW, cancel_notice=60)["cancel"] is None
