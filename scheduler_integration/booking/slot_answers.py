"""Slot answers kept per worker process, used while nothing they were built from changed.

A read of a meeting type's slots for a window is kept with the stamp
(``core.versioned_cache.stamp``) of everything its search read: the type (its settings and
hosts: ``booking.meeting_types``), each host's working hours, overrides, blocked time and
leave (``booking.availability``), their calendars' busy time (``booking.busy``) and their
bookings (``BOOKINGS``, outdated by the booking controller whenever a booking of theirs is
made, moved, cancelled or deleted). A later read uses it only while that stamp is still
the stamp of now, cut to the clock of the read (``engine.slot_answers``): the answer it
gives is the answer a fresh search would give.

How stale can an answer be? A change outdates it in the same transaction that makes it
(the version leaves Redis at once and comes back after the commit), so a read that starts
after the change committed never uses it. A read already running when a change commits
may still answer from before it — as a fresh search in the same snapshot would. Whatever
a page shows, a booking is decided under the hosts' locks from the database
(``booking.check``): a time taken meanwhile is refused with 409 and its nearest
alternatives.

Series and multi-day starts are searched fresh each time (``engine.slot_answers.keepable``).
Which of the owner's leave a colleague covers is kept too (the leave's records outdate the
owner's hours); the colleague's own free times on those dates are searched fresh.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import frappe

from scheduler_integration.booking import availability, busy, meeting_types
from scheduler_integration.core.versioned_cache import VersionedCache, stamp
from scheduler_integration.engine.slot_answers import Span, offered_bounds, span

BOOKINGS = VersionedCache("scheduler_integration:host_bookings")  # one version per host
MAX_ANSWERS = 256  # per process; least recently used go first
_serials = itertools.count(1)  # a kept answer's name in this process, never reused


class Cut(list):
	"""The slots a kept answer offers at a read's clock. ``origin`` (the kept answer's
	serial and the cut's indexes) is the same for every read that offers the same slots, so
	what is made of them may be kept under it too (``api.shapes.days_text``)."""

	__slots__ = ("origin",)


@dataclass(frozen=True)
class Kept:
	stamp: tuple
	span: Span
	slots: list  # clockless (engine.slot_answers.clockless), over span
	taken: dict  # {start: seats taken} of a seated type that shows them
	cover: list  # (colleague, instants) of the owner's leave a colleague covers, over span
	serial: int = field(default_factory=lambda: next(_serials))

	def cut(self, policy, start: datetime, end: datetime, now: datetime) -> Cut:
		first, last = offered_bounds(self.slots, policy, start, end, now)
		offered = Cut(self.slots[first:last])
		offered.origin = (self.serial, first, last)
		return offered


_answers: OrderedDict[tuple, Kept] = OrderedDict()


def invalidate_bookings(users) -> None:
	"""A booking of these hosts was made, moved, cancelled or deleted (in this transaction)."""
	BOOKINGS.invalidate(users)


def _parts(type_name: str, users: list[str]) -> list:
	return [
		(meeting_types.CACHE, [type_name]),
		(availability.CACHE, users),
		(busy.CACHE, users),
		(BOOKINGS, users),
	]


def answer(
	ctx,
	users: list[str],
	scope: tuple | None,
	start: datetime,
	end: datetime,
	now: datetime,
	search: Callable[[datetime, datetime], tuple[list, dict, list]],
) -> tuple[list, dict, list]:
	"""(slots offered at ``now`` in [start, end), seats taken, covered leave) of ``ctx``
	with ``users`` (``scope``: the subset asked for, part of the key). ``search(lo, hi)``
	searches the clockless answer over [lo, hi) when the kept one cannot be used; the
	covered leave comes from the hosts' leave records, which outdate their hours' key."""
	key = (frappe.local.site, ctx.name, start, end, scope)
	parts = _parts(ctx.name, users)
	kept = _answers.get(key)
	if kept is not None and kept.span.usable_at(now) and kept.stamp == stamp(parts):
		_answers.move_to_end(key)
		return kept.cut(ctx.policy, start, end, now), kept.taken, kept.cover
	found = span(ctx.policy, start, end, now)
	# the versions first, then the rows, in one snapshot: kept under what it was built from
	built = stamp(parts, snapshot=True)
	slots, taken, cover = search(found.start, found.end) if found.start < found.end else ([], {}, [])
	kept = Kept(built, found, slots, taken, cover)
	offered = kept.cut(ctx.policy, start, end, now)
	if built is None:
		offered.origin = None  # not kept: no later read offers these very slots
	else:
		_answers[key] = kept
		_answers.move_to_end(key)
		while len(_answers) > MAX_ANSWERS:
			_answers.popitem(last=False)
	return offered, taken, cover
