"""What the booking page offers: slots of a meeting type in a window, and the nearest
alternatives to a refused start. Reads only (cached availability and busy time).

A multi-day type offers the starts whose every day is free, and so does a series the
guest asks for (``count``) when the type books a series whole or not at all; a series that
skips taken meetings offers every start whose first meeting is free
(``engine.occurrences``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler_integration.booking import leave, slot_answers
from scheduler_integration.booking.load import schedules
from scheduler_integration.booking.meeting_types import TypeContext, type_context
from scheduler_integration.engine import Assignment, Slot, find_slots, nearest_slots
from scheduler_integration.engine import seats as seat_rules
from scheduler_integration.engine.occurrences import Occurrences, find_series_slots
from scheduler_integration.engine.slot_answers import clockless, keepable

ALTERNATIVES_SPAN = timedelta(days=31)


def _whole(ctx: TypeContext, count=None) -> Occurrences | None:
	"""The meetings a start must offer all of (None: its first is enough)."""
	rule = ctx.occurrences(count)
	if rule is None or (not rule.multi_day and ctx.doc.get("series_booking") == "Skip Taken Ones"):
		return None
	return rule


def _offered(
	ctx: TypeContext, hosts, start: datetime, end: datetime, now: datetime, count=None
) -> list[Slot]:
	rule = _whole(ctx, count)
	if rule is None:
		return find_slots(hosts, ctx.policy, start, end, now, ctx.assignment)
	return find_series_slots(hosts, ctx.policy, rule, start, end, now, ctx.assignment)


def _schedules(ctx: TypeContext, start: datetime, end: datetime, count=None, exclude=None, users=None):
	rule = _whole(ctx, count)
	return schedules(ctx, start, end + (rule.reach() if rule else timedelta(0)), exclude=exclude, users=users)


def among(ctx: TypeContext, hosts) -> list[str] | None:
	"""The type's candidate hosts that are among ``hosts`` (a personal link's rep, a
	routing decision's subset), in the type's order; None for all of them. A collective
	meeting always has every host."""
	if not hosts or ctx.assignment is Assignment.COLLECTIVE:
		return None
	wanted = set(hosts)
	return [host for host in ctx.hosts if host in wanted]


def covered(
	ctx: TypeContext,
	start: datetime,
	end: datetime,
	now: datetime,
	count=None,
	hosts=None,
	windows=None,
	exclude=None,
) -> list[Slot]:
	"""An individual type's times on the dates a colleague covers its owner's leave
	(``engine.out_of_office``): the colleague's own free times, booked with them.
	``windows``: the covered leave when already known (``_cover``); ``exclude``: bookings
	being moved."""
	if ctx.assignment is not Assignment.INDIVIDUAL or _whole(ctx, count) is not None:
		return []
	if hosts and ctx.owner not in hosts:
		return []
	out: list[Slot] = []
	for colleague, window in leave.cover_windows(ctx.owner, start, end) if windows is None else windows:
		lo, hi = max(start, window.start), min(end, window.end)
		if lo >= hi:
			continue
		found = schedules(ctx, lo, hi, users=[colleague], exclude=exclude)
		out += find_slots(found, ctx.policy, lo, hi, now, ctx.assignment)
	return out


def slots_for(
	ctx: TypeContext, start: datetime, end: datetime, now: datetime, count=None, hosts=None
) -> list[Slot]:
	"""The offered slots; ``hosts``: only with these of the type's hosts."""
	own = _offered(ctx, _schedules(ctx, start, end, count, users=among(ctx, hosts)), start, end, now, count)
	return _with(own, covered(ctx, start, end, now, count, hosts))


def _with(slots: list[Slot], more: list[Slot]) -> list[Slot]:
	return sorted([*slots, *more], key=lambda slot: slot.start) if more else slots


def slots_and_seats(
	ctx: TypeContext, start: datetime, end: datetime, now: datetime, count=None, hosts=None, exclude=None
) -> tuple[list[Slot], dict[datetime, int]]:
	"""The offered slots (``hosts``: only with these of the type's hosts) and, for a seated
	type that shows them, the seats each has left (``{}`` otherwise). A single meeting's
	answer is kept while nothing it was built from changes (``booking.slot_answers``);
	``exclude``: bookings being moved (their own time is free to them), searched fresh."""
	users = among(ctx, hosts)
	windows = None
	if keepable(_whole(ctx, count)) and not exclude:
		own, taken, windows = slot_answers.answer(
			ctx,
			list(users if users is not None else ctx.hosts),
			tuple(users) if users is not None else None,
			start,
			end,
			now,
			lambda lo, hi: _clockless(ctx, users, lo, hi),
			lambda some, lo, hi: _clockless_by_host(ctx, some, lo, hi),
		)
	else:
		found = _schedules(ctx, start, end, count, exclude, users=users)
		own, taken = _offered(ctx, found, start, end, now, count), _taken(ctx, found)
	slots = _with(own, covered(ctx, start, end, now, count, hosts, windows, exclude))
	if not _shows_seats(ctx):
		return slots, {}
	return slots, {slot.start: ctx.policy.seats - taken.get(slot.start, 0) for slot in slots}


def _shows_seats(ctx: TypeContext) -> bool:
	return ctx.policy.seats > 1 and bool(ctx.doc.get("show_seats_left"))


def _taken(ctx: TypeContext, found) -> dict:
	return seat_rules.taken(found, ctx.policy) if _shows_seats(ctx) else {}


def _clockless(ctx: TypeContext, users, lo: datetime, hi: datetime) -> tuple[list[Slot], dict, list]:
	"""A single meeting's slots in [lo, hi) with the clock taken out (kept and cut to each
	read's clock: ``engine.slot_answers``), the seats taken, and the covered leave."""
	found = schedules(ctx, lo, hi, users=users)
	return (
		find_slots(found, clockless(ctx.policy), lo, hi, lo, ctx.assignment),
		_taken(ctx, found),
		_cover(ctx, users, lo, hi),
	)


def _clockless_by_host(ctx: TypeContext, users: list[str], lo: datetime, hi: datetime) -> dict[str, list]:
	"""Each of ``users``' own clockless starts in [lo, hi), each searched alone (a round-robin
	team's answer is joined from them: ``engine.slot_answers.joined``)."""
	policy = clockless(ctx.policy)
	return {
		host.host: [slot.start for slot in find_slots([host], policy, lo, hi, lo, ctx.assignment)]
		for host in schedules(ctx, lo, hi, users=users)
	}


def _cover(ctx: TypeContext, users, lo: datetime, hi: datetime) -> list:
	"""(colleague, instants) of the owner's leave a colleague covers in [lo, hi), for an
	individual type read with its owner (``covered``)."""
	if ctx.assignment is not Assignment.INDIVIDUAL or (users is not None and ctx.owner not in users):
		return []
	return leave.cover_windows(ctx.owner, lo, hi)


def alternatives(
	meeting_type: str,
	start: datetime,
	now: datetime,
	count: int = 3,
	exclude=None,
	meetings=None,
	hosts=None,
) -> list[Slot]:
	"""The ``count`` offered starts nearest to ``start`` (a booking being moved is left out;
	``meetings``: the series the guest asked for; ``hosts``: only with these hosts)."""
	ctx = type_context(meeting_type)
	lo, hi = start - ALTERNATIVES_SPAN, start + ALTERNATIVES_SPAN
	users = among(ctx, hosts)
	found: list[Slot] = []
	if users != []:  # [] when none of the type's hosts was asked for
		wide = _schedules(ctx, lo, hi, meetings, exclude, users=users)
		if _whole(ctx, meetings) is None:
			found = nearest_slots(wide, ctx.policy, start, now, ctx.assignment, count)
		else:
			found = [
				slot for slot in _offered(ctx, wide, max(lo, now), hi, now, meetings) if slot.start != start
			]
	# the times of a colleague covering the owner's leave are the page's too
	found += [
		slot
		for slot in covered(ctx, max(lo, now), hi, now, meetings, hosts, exclude=exclude)
		if slot.start != start
	]
	found.sort(key=lambda slot: (abs(slot.start - start), slot.start))
	return sorted(found[:count], key=lambda slot: slot.start)
