"""The reporting answers' types (``core.answers``) agree with the engine's own values: a
setup fact, a checklist step or an external meeting status added without its type (or the
other way round) fails here, not in an answer the document refuses."""

from __future__ import annotations

import dataclasses
import typing

from scheduler_integration.rules import external_schedulers, onboarding


def test_setup_flags_are_the_setup_facts_but_the_connections():
	facts = [f.name for f in dataclasses.fields(onboarding.SetupFacts) if f.name != "connections"]
	assert list(typing.get_type_hints(onboarding.SetupFlags)) == facts


def test_a_checklist_step_is_one_of_the_steps_in_their_order():
	assert typing.get_args(onboarding.StepKey) == onboarding.STEPS == tuple(onboarding.NEEDS)
	states = (onboarding.DONE, onboarding.TODO, onboarding.WAITING, onboarding.CHECKING, onboarding.FAILING)
	assert typing.get_args(onboarding.StepState) == states


def test_an_external_meeting_status_is_one_of_the_statuses():
	assert typing.get_args(external_schedulers.ExternalStatus) == external_schedulers.STATUSES
	assert set(external_schedulers.RECORDS) == set(external_schedulers.STATUSES)
