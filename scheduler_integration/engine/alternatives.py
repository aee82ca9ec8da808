"""Nearest offered slots to a start that is not (or no longer) offered.

Searches outward from the requested start in widening windows (1, 7, 31 days, then the
horizon) and returns the ``count`` offered starts closest to it, ties going to the
earlier start. The requested start itself is never returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from .model import Assignment, HostSchedule, Slot, SlotPolicy
from .slots import MAX_WINDOW, find_slots
from .timezones import check_range, to_instant

SEARCH_SPANS_DAYS = (1, 7, 31)


def nearest_slots(
	hosts: Sequence[HostSchedule],
	policy: SlotPolicy,
	start: datetime,
	now: datetime,
	assignment: Assignment | str = Assignment.INDIVIDUAL,
	count: int = 3,
) -> list[Slot]:
	start = check_range(to_instant(start, "start"), "start")
	now = check_range(to_instant(now, "now"), "now")
	if count <= 0:
		return []
	spans = list(SEARCH_SPANS_DAYS)
	if policy.max_advance_days is not None and policy.max_advance_days > spans[-1]:
		spans.append(policy.max_advance_days + 1)
	found: list[Slot] = []
	for days in spans:
		span = timedelta(days=days)
		window_start = max(start - span, now)
		window_end = start + span
		if policy.max_advance_days is not None:  # nothing lies beyond the horizon
			window_end = min(window_end, now + timedelta(days=policy.max_advance_days + 1))
		window_end = min(window_end, window_start + MAX_WINDOW)
		if window_end <= window_start:
			continue
		found = [
			slot
			for slot in find_slots(hosts, policy, window_start, window_end, now, assignment)
			if slot.start != start
		]
		if len(found) >= count:
			break
	found.sort(key=lambda slot: (abs(slot.start - start), slot.start))
	return sorted(found[:count], key=lambda slot: slot.start)
