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
	subtract_pairs,
	subtract_widened,
	subtract_widened_merged,
	total,
)

BASE = utc(2026, 1, 5)


def iv(a: int, b: int) -> Interval:
	return Interval(BASE + timedelta(minutes=a), BASE + timedelta(minutes=b))


def t(minutes: int):
	return BASE + timedelta(minutes=minutes)


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
	widened = merge_pairs([(i.start - lead, i.end + tail) for i in b])
	assert subtract_widened(pa, [(i.start, i.end) for i in b], lead, tail) == subtract_pairs(pa, widened)


@given(spans, spans, st.integers(0, 30), st.integers(0, 30), st.booleans())
def test_subtract_widened_equals_subtract_of_merged_widened(a, b, before, after, ordered):
	base = merge_pairs([(i.start, i.end) for i in a])
	pairs = [(i.start, i.end) for i in b]
	pairs = sorted(pairs) if ordered else pairs
	lead, tail = timedelta(minutes=before), timedelta(minutes=after)
	expected = subtract_pairs(base, merge_pairs([(s - lead, e + tail) for s, e in pairs]), merged=True)
	assert subtract_widened(base, pairs, lead, tail) == expected
	merged = merge_pairs(pairs)
	starts, ends = [s for s, _ in merged], [e for _, e in merged]
	assert subtract_widened_merged(base, starts, ends, lead, tail) == expected


def test_subtract_widened_cuts_across_pieces_and_keeps_the_rest():
	base = [(t(0), t(10)), (t(20), t(30)), (t(40), t(50)), (t(60), t(70))]
	one = timedelta(minutes=1)
	# one item covering the end of the first piece, all of the second and the start of the third
	assert subtract_widened(base, [(t(9), t(41))], one, one) == [(t(0), t(8)), (t(42), t(50)), (t(60), t(70))]
	# items in the gaps, widened up to the pieces' edges, take nothing
	assert subtract_widened(base, [(t(11), t(19)), (t(31), t(39))], one, one) == base
	# out of order input is sorted
	assert subtract_widened(base, [(t(65), t(66)), (t(5), t(6))], one, one) == [
		(t(0), t(4)),
		(t(7), t(10)),
		(t(20), t(30)),
		(t(40), t(50)),
		(t(60), t(64)),
		(t(67), t(70)),
	]
	assert subtract_widened([], [(t(1), t(2))], one, one) == []
	assert subtract_widened(base, [], one, one) == base
