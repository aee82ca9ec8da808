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

from collections.abc import Iterable, Sequence
from datetime import timedelta
from operator import attrgetter

from .model import Interval

_start = attrgetter("start")

__all__ = [
	"intersect",
	"intersect_pairs",
	"merge",
	"merge_pairs",
	"merge_widened",
	"subtract",
	"subtract_pairs",
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


def merge_widened(items: Sequence, before, after) -> list[tuple]:
	"""``merge_pairs`` of ``(item.start - before, item.end + after)`` for records with
	``.start``/``.end``, without building the widened pairs first.

	Widening commutes with union, so the raw spans are joined (two widened spans overlap
	or touch when the next start is at most ``before + after`` past the current end) and
	only the joined result is widened: one pass, and no sort when the input is ordered by
	start (input out of order is detected in the same pass, then sorted and merged again).
	"""
	if not items:
		return []
	merged = _merge_widened_ordered(items, before, after)
	if merged is None:
		merged = _merge_widened_ordered(sorted(items, key=_start), before, after)
	return merged


def _merge_widened_ordered(items: Sequence, before, after) -> list[tuple] | None:
	"""None when an item starts before the run being built (the input is not ordered)."""
	gap = before + after
	out: list[tuple] = []
	append = out.append
	first = items[0]
	cur_start, cur_end = first.start, first.end
	reach = cur_end + gap
	for item in items:
		start = item.start
		if start <= reach:
			# an item inside or extending the current run is fine even slightly out of
			# order; one starting before the run could belong to an earlier run
			if start < cur_start:
				return None
			end = item.end
			if end > cur_end:
				cur_end = end
				reach = end + gap
			continue
		append((cur_start - before, cur_end + after))
		cur_start, cur_end = start, item.end
		reach = cur_end + gap
	append((cur_start - before, cur_end + after))
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
