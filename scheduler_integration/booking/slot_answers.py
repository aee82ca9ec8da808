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

A round-robin team's answer is joined from each host's own starts, each kept on its own
under that host's stamp (``engine.slot_answers.joined_starts``): after a booking or an
hours edit of one host, the next read searches that host alone and reuses the others' (a
50-host month: one host's schedule loaded, not fifty). It names the times, not who is free
at each: a page shows times, and a booking picks its host from the team under its lock
(``booking.check``).

Series and multi-day starts are searched fresh each time (``engine.slot_answers.keepable``).
Which of the owner's leave a colleague covers is kept too (the leave's records outdate the
owner's hours); the colleague's own free times on those dates are searched fresh.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import frappe

from scheduler_integration.booking import availability, busy, meeting_types
from scheduler_integration.core.versioned_cache import VersionedCache, stamp
from scheduler_integration.engine.slot_answers import (
	Span,
	by_host,
	common,
	joined_starts,
	offered_bounds,
	span,
)

BOOKINGS = VersionedCache("scheduler_integration:host_bookings")  # one version per host
MAX_ANSWERS = 256  # per process; least recently used go first
MAX_HOST_PARTS = 2000  # hosts' own starts kept per process (a 50-host month: ~1 MB)
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


@dataclass(frozen=True)
class HostPart:
	"""One host's own clockless starts of a round-robin team's window, searched alone."""

	stamp: tuple
	span: Span
	starts: list  # datetimes, sorted


_answers: OrderedDict[tuple, Kept] = OrderedDict()
_host_parts: OrderedDict[tuple, HostPart] = OrderedDict()


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
	search_hosts: Callable[[list[str], datetime, datetime], dict[str, list]] | None = None,
) -> tuple[list, dict, list]:
	"""(slots offered at ``now`` in [start, end), seats taken, covered leave) of ``ctx``
	with ``users`` (``scope``: the subset asked for, part of the key). ``search(lo, hi)``
	searches the clockless answer over [lo, hi) when the kept one cannot be used; the
	covered leave comes from the hosts' leave records, which outdate their hours' key.
	``search_hosts(users, lo, hi)``: each of ``users``' own clockless starts in [lo, hi),
	for a team whose answer is joined from its hosts' (``engine.slot_answers.by_host``)."""
	key = (frappe.local.site, ctx.name, start, end, scope)
	parts = _parts(ctx.name, users)
	joining = search_hosts is not None and by_host(ctx.policy, ctx.assignment, len(users))
	current = stamp(parts)
	if joining and current is not None:
		current = _per_host(current, users)
	kept = _answers.get(key)
	if kept is not None and kept.span.usable_at(now) and kept.stamp == current:
		_answers.move_to_end(key)
		return kept.cut(ctx.policy, start, end, now), kept.taken, kept.cover
	if joining:
		built, found, slots = _join(ctx, users, start, end, now, current, search_hosts)
		taken, cover = {}, []
	else:
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


def _per_host(full: tuple, users: list[str]) -> tuple:
	"""A stamp of ``_parts(type, users)`` as one stamp per user, each equal to the stamp of
	``_parts(type, [user])``."""
	(meeting_type, *of_hosts) = full
	return tuple(
		(meeting_type, *((name, epoch, (versions[index],)) for name, epoch, versions in of_hosts))
		for index in range(len(users))
	)


def _join(ctx, users: list[str], start, end, now, current, search_hosts) -> tuple[tuple, Span, list]:
	"""(stamp, span, clockless slots) of a round-robin team joined from its hosts' own
	starts: those kept under the host's current stamp are reused, the others searched (in
	one load of their schedules) and kept."""
	site = frappe.local.site
	own: dict[str, HostPart] = {}
	missing = []
	for user, host_stamp in zip(users, current or [None] * len(users), strict=True):
		key = (site, ctx.name, start, end, user)
		part = _host_parts.get(key)
		if part is not None and part.stamp == host_stamp and part.span.usable_at(now):
			own[user] = part
			_host_parts.move_to_end(key)
		else:
			missing.append(user)
	if missing:
		found = span(ctx.policy, start, end, now)
		# the versions first, then the rows, in one snapshot: kept under what it was built from
		stamps = _per_host(stamp(_parts(ctx.name, missing), snapshot=True), missing)
		searched = search_hosts(missing, found.start, found.end) if found.start < found.end else {}
		for user, host_stamp in zip(missing, stamps, strict=True):
			own[user] = _host_parts[(site, ctx.name, start, end, user)] = HostPart(
				host_stamp, found, searched.get(user, [])
			)
		while len(_host_parts) > MAX_HOST_PARTS:
			_host_parts.popitem(last=False)
	found = common([own[user].span for user in users])
	slots = joined_starts(
		[(user, own[user].starts) for user in users],
		timedelta(minutes=ctx.policy.duration),
		found.start,
		found.end,
	)
	return tuple(own[user].stamp for user in users), found, slots
