import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.validation import PHASES
from scheduler_integration.rules.recommend import (
	FALLBACK,
	LIMIT,
	TypeInfo,
	canonical_phase,
	ordered,
	recommend,
)


def ids(types):
	return [item.id for item in types]


CATALOGUE = [
	TypeInfo("quick", "15-Minute Check-In", priority=5, phases=("Stabilize",), duration=15),
	TypeInfo("strategy", "30-Minute Strategy Session", priority=8, phases=("Stabilize", "Organize", "Build")),
	TypeInfo("deep", "60-Minute Deep Dive", priority=6, phases=["Build", "Grow"], duration=60),
	TypeInfo("growth", "Growth Strategy", priority=6, sort_order=1, phases="Grow, Build", duration=90),
	TypeInfo("retainer", "Advisory Retainer Call", priority=3, phases="systemic\nGROW"),
	TypeInfo("old", "Old Intro Call", priority=10, active=False, phases=PHASES),
]


def test_constants_follow_the_spec():
	assert (LIMIT, FALLBACK) == (3, 2)


def test_order_is_priority_then_sort_order_then_name_then_id():
	assert ids(ordered(CATALOGUE)) == ["strategy", "deep", "growth", "quick", "retainer"]


def test_phase_matches_give_at_most_three():
	assert ids(recommend(CATALOGUE, "Build")) == ["strategy", "deep", "growth"]
	assert ids(recommend(CATALOGUE, "Grow")) == ["deep", "growth", "retainer"]
	assert ids(recommend(CATALOGUE, "Stabilize")) == ["strategy", "quick"]  # fewer than 3
	assert ids(recommend(CATALOGUE, "Systemic")) == ["retainer"]
	assert ids(recommend(CATALOGUE, "Organize")) == ["strategy"]


@pytest.mark.parametrize("phase", ["build", "BUILD", " Build ", "bUiLd\n"])
def test_phase_is_case_insensitive(phase):
	assert ids(recommend(CATALOGUE, phase)) == ["strategy", "deep", "growth"]


def test_type_phases_are_canonicalised():
	assert CATALOGUE[3].phases == ("Grow", "Build")
	assert CATALOGUE[4].phases == ("Systemic", "Grow")
	assert TypeInfo("x", "X", phases=["build", "Build", "nope", "", None, 3]).phases == ("Build",)
	assert TypeInfo("x", "X", phases=None).phases == ()
	assert TypeInfo("x", "X", phases=iter(["grow"])).phases == ("Grow",)
	with pytest.raises(InvalidField) as err:
		TypeInfo("x", "X", phases=5)
	assert err.value.field == "phases"


@pytest.mark.parametrize("phase", ["", None, "Unknown", "Stabilise", "Build phase", 3])
def test_empty_or_unknown_phase_gives_the_first_two(phase):
	assert ids(recommend(CATALOGUE, phase)) == ["strategy", "deep"]


def test_no_match_gives_the_first_two_overall():
	types = [item for item in CATALOGUE if item.id not in ("retainer",)]
	assert ids(recommend(types, "Systemic")) == ["strategy", "deep"]


def test_inactive_types_are_never_recommended():
	only_inactive_match = [
		TypeInfo("a", "A", active=False, phases=("Grow",), priority=9),
		TypeInfo("b", "B", active=0, phases=("Grow",)),
		TypeInfo("c", "C", priority=1),
		TypeInfo("d", "D", active=1),
	]
	assert ids(recommend(only_inactive_match, "Grow")) == ["c", "d"]
	assert recommend([TypeInfo("a", "A", active=False)], "Grow") == []
	assert all(item.active for item in ordered(CATALOGUE))


def test_few_or_no_types():
	assert recommend([], "Build") == []
	assert recommend([], "") == []
	single = [TypeInfo("one", "One")]
	assert ids(recommend(single, "Build")) == ["one"]
	assert ids(recommend(single, None)) == ["one"]
	two_matching = [TypeInfo("a", "A", phases=("Build",)), TypeInfo("b", "B", phases=("Build",))]
	assert ids(recommend(two_matching, "Build")) == ["a", "b"]
	assert ids(recommend(iter(two_matching), "build")) == ["a", "b"]  # any iterable


def test_ties_are_deterministic():
	tied = [
		TypeInfo("t3", "beta"),
		TypeInfo("t2", "Alpha"),
		TypeInfo("t1", "alpha"),
		TypeInfo("t0", "alpha"),
		TypeInfo("t9", "Alpha", sort_order=-1),
		TypeInfo("t8", "zulu", priority=1),
	]
	expected = ["t8", "t9", "t2", "t0", "t1", "t3"]
	for _ in range(20):
		shuffled = tied[:]
		random.shuffle(shuffled)
		assert ids(ordered(shuffled)) == expected
	assert ids(recommend(tied, "")) == ["t8", "t9"]


def test_limits_can_be_changed():
	assert ids(recommend(CATALOGUE, "Build", limit=1)) == ["strategy"]
	assert ids(recommend(CATALOGUE, "", fallback=4)) == ["strategy", "deep", "growth", "quick"]


def test_numbers_are_checked():
	assert TypeInfo("x", "X", priority=None, sort_order=None).priority == 0
	assert TypeInfo("x", "X", priority=2.5).priority == 2.5
	for bad in ("high", True, float("nan"), [1]):
		with pytest.raises(InvalidField) as err:
			TypeInfo("x", "X", priority=bad)
		assert err.value.field == "priority" and err.value.template == "{0} must be a number"
	with pytest.raises(InvalidField):
		TypeInfo("x", "X", sort_order="1")


def test_canonical_phase():
	assert [canonical_phase(p.upper()) for p in PHASES] == list(PHASES)
	assert canonical_phase(" systemic ") == "Systemic"
	assert canonical_phase("x") is None and canonical_phase(None) is None


def test_types_are_frozen_and_keep_their_details():
	item = TypeInfo("x", "X", duration=45, description="d", url="https://x.org")
	assert (item.duration, item.description, item.url) == (45, "d", "https://x.org")
	with pytest.raises(AttributeError):
		item.priority = 3


types_strategy = st.lists(
	st.builds(
		TypeInfo,
		id=st.text(max_size=3),
		name=st.sampled_from(["A", "a", "B", "b", ""]),
		priority=st.integers(0, 3),
		sort_order=st.integers(0, 3),
		active=st.booleans(),
		phases=st.lists(st.sampled_from(PHASES)).map(tuple),
	),
	max_size=12,
)


@given(types_strategy, st.sampled_from([*PHASES, "", "other"]))
def test_recommend_property(types, phase):
	result = recommend(types, phase)
	active = [item for item in types if item.active]
	matching = [item for item in active if phase in item.phases]
	assert all(item.active for item in result)
	if matching:
		assert len(result) == min(3, len(matching)) and all(phase in item.phases for item in result)
	else:
		assert len(result) == min(2, len(active))
	pool = matching or active
	keys = [(-item.priority, item.sort_order) for item in result]
	assert keys == sorted(keys)
	if len(result) < len(pool):  # nothing left out ranks above what was kept
		cut = result[-1].sort_key() if result else None
		assert all(item in result or item.sort_key() >= cut for item in pool)
	again = recommend(list(reversed(types)), phase)  # input order never matters
	assert [item.sort_key() for item in again] == [item.sort_key() for item in result]
