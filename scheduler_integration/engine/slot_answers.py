"""A slot answer kept for later reads: searched once with the clock taken out, then cut to
what the clock allows at each read.

``find_slots`` depends on ``now`` only through its bounds (``slots._bounds``): a start is
offered when it lies in the window, at least ``min_notice`` after ``now`` and, with a
horizon, at most ``max_advance_days`` after ``now``. Every other rule (grid, working hours,
bookings and buffers, limits, seats, a team's hosts) is a fact of the schedules alone. So
the starts the same schedules offer under the type's policy without notice and horizon
(``clockless``), searched once over ``span``, give the answer of any later instant ``t``
up to the span's ``valid_until`` by keeping the starts inside ``t``'s bounds
(``offered_at``): the kept answer equals a fresh search at ``t``, exactly. The span reaches
``MARGIN`` past the horizon, so the starts the horizon lets in as the clock moves are
already there; past ``valid_until`` they may not be, and the answer is searched again.

Series and multi-day starts depend on the bounds of their later meetings too, so they are
not kept (``keepable``); a colleague's cover of the owner's leave is read fresh.

A round-robin team offers a start when any of its hosts does, and a host's own starts
depend on their own schedule alone (``slots``: grid, hours, bookings, buffers and limits
are each host's). So a team's clockless answer is the union of its hosts' own, each
searched alone (``joined``), and each host's may be kept on its own: after one host's
change only theirs is searched again. Answers searched at different instants are all
valid over their ``common`` span. Seated slots belong to the hosts of their first seat, a
fact of the team, so a seated team is searched whole (``by_host``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import repeat
from operator import add, attrgetter

from .model import Assignment, Slot, SlotPolicy

MARGIN = timedelta(days=1)  # how far past the horizon a kept answer reaches


@dataclass(frozen=True)
class Span:
	start: datetime
	end: datetime  # the search covers starts in [start, end)
	computed_at: datetime
	valid_until: datetime | None  # None: the horizon never reaches past the window's end

	def usable_at(self, at: datetime) -> bool:
		"""May the answer searched over this span serve a read at ``at``? Not before it was
		computed (another server's clock), nor past ``valid_until``."""
		return self.computed_at <= at and (self.valid_until is None or at <= self.valid_until)


def clockless(policy: SlotPolicy) -> SlotPolicy:
	"""The policy without the rules that depend on the clock."""
	return replace(policy, min_notice=0, max_advance_days=None)


def span(policy: SlotPolicy, window_start: datetime, window_end: datetime, now: datetime) -> Span:
	"""What to search for a window read at ``now`` (may be empty: start >= end)."""
	start, end, valid_until = max(window_start, now), window_end, None
	if policy.max_advance_days is not None:
		reach = now + timedelta(days=policy.max_advance_days) + MARGIN
		if reach < window_end:
			end, valid_until = reach, now + MARGIN
	return Span(start, end, now, valid_until)


def offered_at(
	slots: list, policy: SlotPolicy, window_start: datetime, window_end: datetime, at: datetime
) -> list:
	"""The slots of a clockless answer (sorted by start, as ``find_slots`` gives them) that
	``find_slots`` offers at ``at``, in order: a slice between two bisections, not a test
	per slot (every read of a kept month cuts it)."""
	first, last = offered_bounds(slots, policy, window_start, window_end, at)
	return slots[first:last]


def offered_bounds(
	slots: list, policy: SlotPolicy, window_start: datetime, window_end: datetime, at: datetime
) -> tuple[int, int]:
	"""``offered_at``'s slice as (first, last) indexes: reads cut at the same indexes of the
	same kept answer offer the same slots."""
	lo = max(window_start, at + timedelta(minutes=policy.min_notice))
	first = bisect_left(slots, lo, key=_start)
	last = bisect_left(slots, window_end, lo=first, key=_start)
	if policy.max_advance_days is not None:
		latest = at + timedelta(days=policy.max_advance_days)
		last = min(last, bisect_right(slots, latest, lo=first, key=_start))
	return first, last


_start = attrgetter("start")


def keepable(whole_meetings) -> bool:
	"""May an answer be kept? Not when a start's later meetings must fit too (a series or
	a multi-day booking: ``whole_meetings`` is their rule)."""
	return whole_meetings is None


def by_host(policy: SlotPolicy, assignment: Assignment, hosts: int) -> bool:
	"""May a team's answer be joined from its hosts' own (``joined``)? A round-robin team of
	several hosts without seats."""
	return assignment is Assignment.ROUND_ROBIN and hosts > 1 and policy.seats == 1


def common(spans: list[Span]) -> Span:
	"""The span over which answers searched over each of ``spans`` are all valid: from the
	latest start to the earliest end, usable from the latest search to the earliest
	``valid_until``. A read usable at every one of them finds in it every start it offers."""
	until = [found.valid_until for found in spans if found.valid_until is not None]
	return Span(
		max(found.start for found in spans),
		min(found.end for found in spans),
		max(found.computed_at for found in spans),
		min(until) if until else None,
	)


def joined_starts(
	parts: list[tuple[str, list[datetime]]], duration: timedelta, start: datetime, end: datetime
) -> list[Slot]:
	"""``joined`` without who offers each start (``hosts`` empty): the times a page shows.
	A page shows times only, and a booking picks its host from the team under its lock,
	never from a kept answer; a set union of the hosts' starts costs a fraction of naming
	the hosts of every start (a 50-host month: most of a read right after a change)."""
	found: set[datetime] = set()
	for _host, starts in parts:
		first = bisect_left(starts, start)
		found.update(starts[first : bisect_left(starts, end, lo=first)])
	starts = sorted(found)
	return list(
		map(
			tuple.__new__,
			repeat(Slot),
			zip(starts, map(add, starts, repeat(duration)), repeat(()), strict=False),
		)
	)


def joined(
	parts: list[tuple[str, list[datetime]]], duration: timedelta, start: datetime, end: datetime
) -> list[Slot]:
	"""A round-robin team's clockless answer in [start, end) from each host's own starts (each
	host searched alone), ``parts`` in the team's order (``teams.page_order``): every start
	some host offers, with the hosts offering it in that order, as ``find_slots`` gives it."""
	columns: dict[datetime, list[str]] = {}
	for host, starts in parts:
		first = bisect_left(starts, start)
		for at in starts[first : bisect_left(starts, end, lo=first)]:
			column = columns.get(at)
			if column is None:
				columns[at] = [host]
			else:
				column.append(host)
	starts = sorted(columns)
	# tuple.__new__ in a C-level map, as slots._slots makes them (a Slot's Python __new__ per
	# start was most of a join)
	return list(
		map(
			tuple.__new__,
			repeat(Slot),
			zip(
				starts,
				map(add, starts, repeat(duration)),
				map(tuple, map(columns.__getitem__, starts)),
				strict=True,
			),
		)
	)
