"""Interval algebra on half-open spans [start, end).

The public functions take and return ``Interval`` records. The ``*_pairs`` functions do the
work on ``(start, end)`` tuples of any comparable values (instants here) and are what the
slot search uses, to avoid building records in hot loops.

* ``merge`` sorts, then joins overlapping *and touching* spans: O(n log n), O(n) when the
  input is already sorted (Timsort detects runs).
* ``subtract`` and ``intersect`` merge both sides, then sweep them together once: linear
  in the combined size for sorted input.

Empty spans (end <= start) are dropped by every function, so results are always sorted,
disjoint and non-touching.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import timedelta

from .model import Interval

__all__ = [
	"intersect",
	"intersect_pairs",
	"merge",
	"merge_pairs",
	"subtract",
	"subtract_pairs",
	"subtract_widened",
	"subtract_widened_merged",
	"total",
]


def merge_pairs(pairs: Iterable[tuple]) -> list[tuple]:
	items = sorted(pairs)
	out: list[tuple] = []
	cur_start = cur_end = None
	for start, end in items:
		if end <= start:
			continue
		if cur_end is not None and start <= cur_end:
			if end > cur_end:
				cur_end = end
			continue
		if cur_end is not None:
			out.append((cur_start, cur_end))
		cur_start, cur_end = start, end
	if cur_end is not None:
		out.append((cur_start, cur_end))
	return out


def subtract_widened(base: list[tuple], pairs: Sequence[tuple], before, after) -> list[tuple]:
	"""``subtract_pairs(base, merge_pairs((s - before, e + after) for s, e in pairs),
	merged=True)`` in one pass.

	``base`` is merged. Most busy time of a host lies outside the spans a search still
	allows (nights, weekends), so the walk compares each pair with the current piece of
	``base`` shifted by the widening, computed once per piece, and widens only the pairs
	that cut into it. Input not ordered by start is detected in the same pass and sorted.
	"""
	if not base or not pairs:
		return list(base)
	out = _subtract_widened_ordered(base, pairs, before, after)
	if out is None:
		out = _subtract_widened_ordered(base, sorted(pairs), before, after)
	return out


def _subtract_widened_ordered(base: list[tuple], pairs: Sequence[tuple], before, after) -> list[tuple] | None:
	"""None when a pair starts before the one walked before it (the input is not ordered)."""
	out: list[tuple] = []
	append = out.append
	p, n = 0, len(base)
	cur_start, cur_end = base[0]
	# a pair [s, e) removes [s - before, e + after): it misses the current piece when
	# s >= cur_end + before (it comes later) or e <= cur_start - after (it came earlier)
	later, earlier = cur_end + before, cur_start - after
	last = pairs[0][0]
	walk = iter(pairs)
	for start, end in walk:
		if start < last:
			return None
		last = start
		if start >= later:
			append((cur_start, cur_end))
			p += 1
			while p < n and base[p][1] + before <= start:
				append(base[p])
				p += 1
			if p == n:
				return out if _rest_ordered(walk, start) else None
			cur_start, cur_end = base[p]
			later, earlier = cur_end + before, cur_start - after
		if end <= earlier:
			continue
		cut_start, cut_end = start - before, end + after
		if cut_start > cur_start:
			append((cur_start, cut_start))
		if cut_end < cur_end:
			cur_start = cut_end
		else:
			p += 1
			while p < n and base[p][1] <= cut_end:
				p += 1
			if p == n:
				return out if _rest_ordered(walk, start) else None
			cur_start, cur_end = base[p]
			if cur_start < cut_end:
				cur_start = cut_end
			later = cur_end + before
		earlier = cur_start - after
	append((cur_start, cur_end))
	out.extend(base[p + 1 :])
	return out


def _rest_ordered(walk, last) -> bool:
	"""Whether the pairs left in ``walk`` keep the order (an earlier one could still cut
	into pieces already given out)."""
	for start, _end in walk:
		if start < last:
			return False
		last = start
	return True


def subtract_widened_merged(
	base: list[tuple], starts: Sequence, ends: Sequence, before, after
) -> list[tuple]:
	"""``subtract_widened`` for spans already merged (``starts`` and ``ends`` both sorted,
	as ``BusyTime`` keeps them): each piece of ``base`` finds the first span that can reach
	it by bisection and reads only the spans that cut into it."""
	out: list[tuple] = []
	append = out.append
	n = len(starts)
	for piece_start, piece_end in base:
		i = bisect_right(ends, piece_start - after)  # spans before i end too early to reach
		limit = piece_end + before  # spans from the first starting at limit on start too late
		cursor = piece_start
		while i < n and starts[i] < limit:
			cut_start = starts[i] - before
			if cut_start > cursor:
				append((cursor, cut_start))
			cut_end = ends[i] + after
			if cut_end > cursor:
				cursor = cut_end
				if cursor >= piece_end:
					break
			i += 1
		if cursor < piece_end:
			append((cursor, piece_end))
	return out


def subtract_pairs(base: Iterable[tuple], remove: Iterable[tuple], merged: bool = False) -> list[tuple]:
	"""Parts of ``base`` not covered by ``remove`` (``merged``: both are already merged)."""
	if not merged:
		base = merge_pairs(base)
		remove = merge_pairs(remove)
	out: list[tuple] = []
	j, n = 0, len(remove)
	for start, end in base:
		# skip removals entirely before this span
		while j < n and remove[j][1] <= start:
			j += 1
		k = j
		cursor = start
		while k < n and remove[k][0] < end:
			r_start, r_end = remove[k]
			if r_start > cursor:
				out.append((cursor, r_start))
			if r_end > cursor:
				cursor = r_end
			if cursor >= end:
				break
			k += 1
		if cursor < end:
			out.append((cursor, end))
	return out


def intersect_pairs(a: Iterable[tuple], b: Iterable[tuple], merged: bool = False) -> list[tuple]:
	"""Time in both ``a`` and ``b`` (``merged``: both are already merged)."""
	if not merged:
		a = merge_pairs(a)
		b = merge_pairs(b)
	out: list[tuple] = []
	i = j = 0
	while i < len(a) and j < len(b):
		start = max(a[i][0], b[j][0])
		end = min(a[i][1], b[j][1])
		if start < end:
			out.append((start, end))
		if a[i][1] < b[j][1]:
			i += 1
		else:
			j += 1
	return out


def _pairs(intervals: Iterable[Interval]) -> list[tuple]:
	return [(item.start, item.end) for item in intervals]


def _records(pairs: list[tuple]) -> list[Interval]:
	return [Interval(start, end) for start, end in pairs]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
	"""Sorted, disjoint cover of the input (overlapping and touching spans joined)."""
	return _records(merge_pairs(_pairs(intervals)))


def subtract(base: Iterable[Interval], remove: Iterable[Interval]) -> list[Interval]:
	"""Time in ``base`` that is in no interval of ``remove``."""
	return _records(subtract_pairs(_pairs(base), _pairs(remove)))


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
	"""Time that is in both ``a`` and ``b``."""
	return _records(intersect_pairs(_pairs(a), _pairs(b)))


def total(intervals: Iterable[Interval]):
	"""Length of the union of ``intervals`` as a timedelta (0 for none)."""
	span = timedelta(0)
	for start, end in merge_pairs(_pairs(intervals)):
		span += end - start
	return span
