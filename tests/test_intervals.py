from datetime import timedelta
from itertools import pairwise

import pytest
from conftest import utc
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine import Interval, InvalidInterval, intersect, merge, subtract
from scheduler_integration.engine.intervals import (
	intersect_pairs,
	merge_pairs,
	merge_widened,
	subtract_pairs,
	total,
)

BASE = utc(2026, 1, 5)


def iv(a: int, b: int) -> Interval:
	return Interval(BASE + timedelta(minutes=a), BASE + timedelta(minutes=b))


def points(intervals) -> set[int]:
	"""Minutes covered (intervals here start and end on whole minutes)."""
	out = set()
	for item in intervals:
		a = int((item.start - BASE).total_seconds() // 60)
		b = int((item.end - BASE).total_seconds() // 60)
		out.update(range(a, b))
	return out


spans = st.lists(
	st.tuples(st.integers(0, 300), st.integers(1, 60)).map(lambda t: iv(t[0], t[0] + t[1])), max_size=25
)


def test_merge_joins_overlapping_and_touching():
	assert merge([iv(30, 40), iv(0, 10), iv(10, 20), iv(35, 50)]) == [iv(0, 20), iv(30, 50)]


def test_subtract_splits_and_trims():
	assert subtract([iv(0, 100)], [iv(10, 20), iv(50, 60), iv(90, 120)]) == [
		iv(0, 10),
		iv(20, 50),
		iv(60, 90),
	]
	assert subtract([iv(0, 10)], [iv(0, 10)]) == []
	assert subtract([iv(0, 10), iv(20, 30)], []) == [iv(0, 10), iv(20, 30)]


def test_intersect():
	assert intersect([iv(0, 10), iv(20, 30)], [iv(5, 25)]) == [iv(5, 10), iv(20, 25)]
	assert intersect([iv(0, 10)], [iv(10, 20)]) == []


def test_total():
	assert total([iv(0, 10), iv(5, 15)]) == timedelta(minutes=15)
	assert total([]) == timedelta(0)


def test_interval_refuses_end_before_start_and_naive():
	with pytest.raises(InvalidInterval):
		iv(10, 10)
	with pytest.raises(InvalidInterval):
		iv(10, 5)


def test_pairs_drop_empty_spans():
	assert merge_pairs([(5, 5), (3, 1), (1, 2)]) == [(1, 2)]


def test_merge_widened_equals_merge_of_widened_pairs_unsorted_input():
	items = [iv(100, 110), iv(0, 10), iv(20, 30), iv(50, 55)]
	before, after = timedelta(minutes=5), timedelta(minutes=6)
	expected = merge_pairs([(i.start - before, i.end + after) for i in items])
	assert merge_widened(items, before, after) == expected
	assert merge_widened([], before, after) == []


@given(spans)
def test_merge_is_idempotent_sorted_and_preserves_coverage(a):
	merged = merge(a)
	assert merge(merged) == merged
	assert points(merged) == points(a)
	for left, right in pairwise(merged):
		assert left.end < right.start  # disjoint and not touching


@given(spans, spans)
def test_subtract_laws(a, b):
	diff = subtract(a, b)
	assert intersect(diff, b) == []
	assert points(diff) == points(a) - points(b)
	assert points(diff) | points(intersect(a, b)) == points(a)


@given(spans, spans)
def test_intersect_laws(a, b):
	assert intersect(a, b) == intersect(b, a)
	assert points(intersect(a, b)) == points(a) & points(b)
	assert intersect(a, a) == merge(a)


@given(spans, spans, st.integers(0, 30), st.integers(0, 30))
def test_merged_pair_paths_agree_with_generic(a, b, before, after):
	pa = merge_pairs([(i.start, i.end) for i in a])
	pb = merge_pairs([(i.start, i.end) for i in b])
	assert subtract_pairs(pa, pb, merged=True) == subtract_pairs(pa, pb)
	assert intersect_pairs(pa, pb, merged=True) == intersect_pairs(pa, pb)
	lead, tail = timedelta(minutes=before), timedelta(minutes=after)
	assert merge_widened(a, lead, tail) == merge_pairs([(i.start - lead, i.end + tail) for i in a])
