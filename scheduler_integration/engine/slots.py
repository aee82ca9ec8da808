"""Slot search: which starts a meeting type offers, for one host or a team.

A start ``s`` (an instant) is offered for a host when all of these hold:

1. **Grid.** ``s`` is ``anchor + k × step`` for some day range of the host (see
   ``availability``): anchors are the starts of each host-local day's merged ranges,
   ``step`` is the policy's ``interval`` (default: the duration), counted on the host's
   wall clock, and ``s`` lies before that range's end. 09:00-17:00 with a 30-minute step
   offers :00 and :30 starts only, whatever is busy. On DST days the grid keeps stepping
   on the wall clock: a wall time inside a spring-forward gap is skipped, a repeated
   fall-back wall time is offered once (its first occurrence).
2. **Fits.** The meeting ``[s, s + duration)`` lies inside one stretch of available time
   (blocked times removed). Buffers are not part of this test: they never trim
   availability, so a 09:00 start is offered even with a buffer before it.
3. **Window and notice.** ``window_start <= s < window_end``, ``s >= now + min_notice``
   and, with a horizon, ``s <= now + max_advance_days``.
4. **Limits.** Fewer than ``daily_limit`` counted bookings on the host-local date of ``s``
   and fewer than ``weekly_limit`` in its host-local week.
5. **Free.** The meeting widened by its own buffers, ``[s - before, s + duration + after)``,
   overlaps no existing booking widened by *that booking's* buffers and no external busy
   interval. Touching is fine.
6. **Seats.** With ``seats`` above 1, a slot of the type whose seats are not all taken
   stays offered at its start for the hosts holding it, free of everything but its own
   seats; limits count slots, not seats (see ``seats``).

Teams: *round robin* offers a start when any host offers it (``Slot.hosts`` lists the free
hosts in assignment order, see ``teams``); *collective* offers a start when every host
is free at it: available time is the intersection of the hosts' time, the grid is
anchored at the starts of the intersected ranges on the first host's wall clock, and
each host's bookings, buffers and limits apply.

Everything is computed with sets of allowed starts (half-open spans at microsecond
resolution), so the cost is linear in busy intervals plus ranges plus emitted slots,
not in candidates × busy intervals.
"""

from __future__ import annotations

import bisect
import operator
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate, compress, repeat

from . import seats as seat_rules
from .availability import DayRange, HostCalendar
from .errors import InvalidInterval, InvalidRule
from .intervals import intersect_pairs, subtract_pairs, subtract_widened, subtract_widened_merged
from .model import Assignment, HostSchedule, Refusal, Slot, SlotCheck, SlotPolicy
from .teams import rank_hosts
from .timezones import EPOCH, UTC, check_range, get_zone, to_instant, to_tick, wall_exists, wall_to_instant

EPSILON = timedelta(microseconds=1)
_MINUTE = 60_000_000  # ticks
MAX_WINDOW = timedelta(days=3700)
# the most starts one search may produce (per host for round robin): about 35 days of
# one-minute slots; a caller asking for more gets InvalidInterval, not a stalled request
MAX_SLOTS = 50_000


def _too_many() -> InvalidInterval:
	return InvalidInterval(
		f"More than {MAX_SLOTS} slots in this window: ask for a shorter window", "window_end"
	)


def _minutes(value: int) -> timedelta:
	return timedelta(minutes=value)


def _counts_toward_limits(policy: SlotPolicy):
	if policy.limits_count_all_types or policy.meeting_type is None:
		return lambda booking: True
	return lambda booking: booking.meeting_type == policy.meeting_type


def _week_of(day: date, week_start: int) -> date:
	return day - timedelta(days=(day.weekday() - week_start) % 7)


def _limit_spans(cal: HostCalendar, host: HostSchedule, policy: SlotPolicy) -> list[tuple]:
	"""Host-local days and weeks whose limit is already met, as instant spans."""
	if policy.daily_limit is None and policy.weekly_limit is None:
		return []
	counted = _counts_toward_limits(policy)
	days: Counter = Counter()
	if policy.seats > 1:  # the seats of one slot count once
		slots = {
			seat_rules.limit_key(booking, policy): booking for booking in host.bookings if counted(booking)
		}
		for booking in slots.values():
			days[cal.local_date(booking.start)] += 1
	else:
		for booking in host.bookings:
			if counted(booking):
				days[cal.local_date(booking.start)] += 1
	spans: list[tuple] = []
	zone = cal.zone

	def local_span(first: date, days_long: int) -> tuple:
		wall = datetime(first.year, first.month, first.day)
		return (
			to_tick(wall_to_instant(wall, zone)),
			to_tick(wall_to_instant(wall + timedelta(days=days_long), zone)),
		)

	if policy.daily_limit is not None:
		spans.extend(local_span(day, 1) for day, count in days.items() if count >= policy.daily_limit)
	if policy.weekly_limit is not None:
		weeks: Counter = Counter()
		for day, count in days.items():
			weeks[_week_of(day, policy.week_start)] += count
		spans.extend(local_span(week, 7) for week, count in weeks.items() if count >= policy.weekly_limit)
	if policy.daily_limit == 0 or policy.weekly_limit == 0:
		spans.append((to_tick(datetime.min.replace(tzinfo=UTC)), to_tick(datetime.max.replace(tzinfo=UTC))))
	return spans


def _subtract_busy(allowed: list[tuple], host: HostSchedule, policy: SlotPolicy) -> list[tuple]:
	"""``allowed`` (ticks) without the starts that would collide with a booking or busy time.

	A start s collides with busy [b0, b1) when s - before < b1 and s + duration + after > b0,
	i.e. s in (b0 - duration - after, b1 + before); the open left end becomes +1 µs. Each
	group of equal buffers is subtracted on its own (bookings share few buffer pairs,
	mostly one), which is cheaper than merging them into one list first.
	"""
	lead = (policy.duration + policy.buffer_after) * _MINUTE - 1
	tail = policy.buffer_before * _MINUTE
	if host.busy and allowed:
		allowed = subtract_widened_merged(allowed, host.busy.starts, host.busy.ends, lead, tail)
	if host.bookings and allowed:
		bookings = host.bookings
		first, count = bookings[0], len(bookings)
		# counting the first booking's buffers (C-level, no set built): all alike is the usual case
		if (
			operator.countOf(map(_before_of, bookings), first.buffer_before) == count
			and operator.countOf(map(_after_of, bookings), first.buffer_after) == count
		):
			groups = {(first.buffer_before, first.buffer_after): bookings}
		else:
			groups = {}
			for booking in bookings:
				groups.setdefault((booking.buffer_before, booking.buffer_after), []).append(booking)
		for (before, after), group in groups.items():
			allowed = subtract_widened(
				allowed, list(map(_ticks_of, group)), lead + before * _MINUTE, tail + after * _MINUTE
			)
	return allowed


_before_of = operator.attrgetter("buffer_before")
_after_of = operator.attrgetter("buffer_after")
_ticks_of = operator.attrgetter("ticks")


class _HostPlan:
	"""One host's grid anchors and allowed starts (ticks) for a search window."""

	__slots__ = ("allowed", "calendar", "grids", "host", "open", "ranges", "ticks")

	def __init__(
		self,
		host: HostSchedule,
		calendar: HostCalendar,
		ranges: list[DayRange],
		ticks: list[tuple],
		allowed: list[tuple],
		open_starts: list[int],
		grids: dict,
	):
		self.host = host
		self.calendar = calendar
		self.ranges = ranges
		self.ticks = ticks  # (start, end) of each range
		self.allowed = allowed
		self.open = open_starts  # starts of the host's open seated slots (seats)
		self.grids = grids  # {step: _grid of the ranges}, kept with the ranges (see _days)

	def starts(self, step: timedelta) -> list[int]:
		"""Every start the host offers: grid starts, and its open seated slots."""
		out = _emit(self.ranges, self.ticks, self.allowed, step, self.calendar.zone)
		return sorted(set(out).union(self.open)) if self.open else out


def _fit_spans(available: list[tuple], duration: int, lo: int, hi: int) -> list[tuple]:
	"""Starts s in [lo, hi) with [s, s + duration) inside one available stretch (all in
	ticks; the stretches are merged, so the spans are too)."""
	cut = duration - 1
	return [
		(start if start > lo else lo, end - cut if end - cut < hi else hi)
		for start, end in available
		if end - start >= duration and start < hi and end - cut > lo
	]


def _plan_host(
	host: HostSchedule,
	policy: SlotPolicy,
	lo: datetime,
	hi: datetime,
	*,
	busy: bool = True,
	limits: bool = True,
	memo: dict | None = None,
) -> _HostPlan:
	# Hosts of a team often share working hours: the availability part depends only on the
	# (immutable) Availability and the window, so it is computed once per search.
	key = (host.availability, lo, hi, policy.duration)
	shared = memo.get(key) if memo is not None else None
	if shared is None:
		calendar, ranges, ticks, available, grids = _days(
			host.availability, lo, hi + _minutes(policy.duration)
		)
		fits: list[tuple] = []
		if ranges:
			fits = _fit_spans(available, policy.duration * _MINUTE, to_tick(lo), to_tick(hi))
		shared = (calendar, ranges, ticks, fits, grids)
		if memo is not None:
			memo[key] = shared
	calendar, ranges, ticks, fits, grids = shared
	allowed = fits
	open_starts = (
		seat_rules.open_starts(host, policy, fits, to_tick(lo), to_tick(hi), busy=busy)
		if fits and policy.seats > 1  # without seats there are none (seats.groups)
		else []
	)
	if limits and allowed:
		spans = _limit_spans(calendar, host, policy)
		if spans:
			allowed = subtract_pairs(allowed, spans)
	if busy and allowed:
		allowed = _subtract_busy(allowed, host, policy)
	return _HostPlan(host, calendar, ranges, ticks, allowed, open_starts, grids)


# (availability, first date, last date) -> (calendar, day ranges, their ticks, available
# ticks, {step: grid}). Working hours are immutable values and their day ranges depend
# only on the dates, so a process keeps them across searches, as the web app keeps each
# host's Availability per version of their hours: a day's searches read the same dates.
# Bounded by what it holds (a day range counts as 10 items, a grid start as 1); cleared
# when full (dict operations only, safe across threads).
_DAYS: dict[tuple, tuple] = {}
_DAYS_HELD = [0]
MAX_HELD = 250_000  # items per cache (~10 MB); a host's month: ~25 ranges, ~400 grid starts


def _days(availability, lo: datetime, hi: datetime) -> tuple:
	"""The calendar, day ranges, their ticks, available ticks and grids (by step, filled by
	``_plan_grid``) of ``availability`` for the host-local dates that can hold a start in
	[lo, hi) (as ``HostCalendar.window_dates``), made once per hours and dates."""
	zone = get_zone(availability.timezone)
	first = lo.astimezone(zone).date() - _ONE_DAY
	last = hi.astimezone(zone).date() + _ONE_DAY
	key = (availability, first, last)
	found = _DAYS.get(key)
	if found is not None:
		return found
	calendar = HostCalendar(availability)
	ranges = calendar.day_ranges(first, last)
	ticks = _range_ticks(ranges)
	found = (calendar, ranges, ticks, calendar.available_ticks(ticks) if ranges else [], {})
	if _DAYS_HELD[0] + 10 * len(ranges) > MAX_HELD:
		_DAYS.clear()
		_DAYS_HELD[0] = 0
	_DAYS[key] = found
	_DAYS_HELD[0] += 10 * len(ranges)
	return found


_ONE_DAY = timedelta(days=1)


def clear_kept() -> None:
	"""Forget the day ranges, grids and layouts kept across searches (``_days``,
	``_layout``): for tests, and for a benchmark timing a search that makes them."""
	_DAYS.clear()
	_DAYS_HELD[0] = 0
	_LAYOUTS.clear()
	_LAYOUTS_HELD[0] = 0


def _range_ticks(ranges: list[DayRange]) -> list[tuple]:
	return list(zip(_ticks(map(_start_of, ranges)), _ticks(map(_end_of, ranges)), strict=True))


_start_of = operator.attrgetter("start")
_end_of = operator.attrgetter("end")


def _ticks(instants: Iterable[datetime]) -> list[int]:
	"""``to_tick`` of each instant in C-level passes (every range end of every zone of a team)."""
	return list(map(operator.floordiv, map(operator.sub, instants, repeat(EPOCH)), repeat(EPSILON)))


def _emit(
	ranges: list[DayRange], ticks: list[tuple], allowed: list[tuple], step: timedelta, zone
) -> list[int]:
	"""Grid starts of ``ranges`` that fall inside ``allowed`` (both sorted), as ticks:
	a team's hosts emit many starts that mostly coincide, and each distinct start becomes
	a datetime only once."""
	out: list[int] = []
	if not allowed:
		return out
	step_ticks = step // EPSILON
	p, n = 0, len(allowed)
	for item, (r_start, r_end) in zip(ranges, ticks, strict=True):
		while p < n and allowed[p][1] <= r_start:
			p += 1
		if p >= n:
			break
		if allowed[p][0] >= r_end:
			continue
		if not item.uniform:
			out.extend(_emit_wall_clock(item, allowed, step, zone))
			continue
		q = p
		while q < n and allowed[q][0] < r_end:
			lo = allowed[q][0] if allowed[q][0] > r_start else r_start
			hi = allowed[q][1] if allowed[q][1] < r_end else r_end
			first = r_start - (r_start - lo) // step_ticks * step_ticks  # first grid tick >= lo
			points = range(first, hi, step_ticks)
			if len(points) + len(out) > MAX_SLOTS:
				raise _too_many()
			out.extend(points)
			q += 1
	return out


def _grid(ranges: list[DayRange], ticks: list[tuple], step: timedelta, zone) -> list[int] | None:
	"""Every grid start of ``ranges`` (ticks, in time order), for hosts that share them: a
	host's starts are then the grid starts inside its allowed spans, the very starts
	``_emit`` gives, because each grid start lies inside its own range. None when that
	would not hold or might not: ranges out of time order or overlapping, or more starts
	than a host may emit (``_emit`` then counts them, and refuses the search if need be)."""
	step_ticks = step // EPSILON
	total, last_end = 0, None
	for item, (r_start, r_end) in zip(ranges, ticks, strict=True):
		if last_end is not None and r_start < last_end:
			return None
		last_end = r_end
		# on the wall clock a range of a DST day takes at most as many steps as its wall length
		wall = (
			r_end - r_start
			if item.uniform
			else max(r_end - r_start, (item.wall_end - item.wall_start) // EPSILON)
		)
		total += -(-wall // step_ticks)
	if total >= MAX_SLOTS:
		return None
	out: list[int] = []
	for item, (r_start, r_end) in zip(ranges, ticks, strict=True):
		if item.uniform:
			out.extend(range(r_start, r_end, step_ticks))
			continue
		wall_clock = _emit_wall_clock(item, [(r_start, r_end)], step, zone)
		# wall times read at their first occurrence keep their order, so this holds; were it
		# ever not so, a lookup by bisection would go wrong, hence the check (DST days only)
		if not all(map(operator.lt, wall_clock, wall_clock[1:])):
			return None
		out.extend(wall_clock)
	return out


def _emit_wall_clock(item: DayRange, allowed: list[tuple], step: timedelta, zone) -> list[int]:
	"""Slow path for a range that spans a DST change: step on the wall clock."""
	starts = [span[0] for span in allowed]
	r_start, r_end = to_tick(item.start), to_tick(item.end)
	out = []
	wall = item.wall_start
	while True:
		if len(out) >= MAX_SLOTS:
			raise _too_many()
		tick = to_tick(wall_to_instant(wall, zone)) if wall_exists(wall, zone) else None
		if wall >= item.wall_end and (tick is None or tick >= r_end):
			# past the end on the wall clock; but a range can end in the second pass of a
			# repeated hour (a team's overlap cut there), and then the walls of that hour,
			# read at their first pass, still lie before its end
			break
		if tick is not None:
			index = bisect.bisect_right(starts, tick) - 1
			if r_start <= tick < r_end and index >= 0 and tick < allowed[index][1]:
				out.append(tick)
		wall += step
	return out


def _validate(hosts: Sequence[HostSchedule], policy: SlotPolicy, assignment: Assignment) -> Assignment:
	if not isinstance(policy, SlotPolicy):
		raise InvalidRule("policy must be a SlotPolicy", "policy")
	try:
		assignment = Assignment(assignment)
	except ValueError:
		raise InvalidRule(f"Unknown assignment {assignment!r}", "assignment") from None
	if not hosts:
		raise InvalidRule("At least one host is needed", "hosts")
	for host in hosts:
		if not isinstance(host, HostSchedule):
			raise InvalidRule(f"hosts must hold HostSchedule items, got {host!r}", "hosts")
	if len({host.host for host in hosts}) != len(hosts):
		raise InvalidRule("Each host may appear only once", "hosts")
	if assignment is Assignment.INDIVIDUAL and len(hosts) != 1:
		raise InvalidRule("An individual meeting type has exactly one host", "hosts")
	return assignment


def _bounds(policy: SlotPolicy, window_start: datetime, window_end: datetime, now: datetime) -> tuple:
	window_start = check_range(to_instant(window_start, "window_start"), "window_start")
	window_end = check_range(to_instant(window_end, "window_end"), "window_end")
	now = check_range(to_instant(now, "now"), "now")
	if window_end <= window_start:
		raise InvalidInterval("Window end must be after its start", "window_end")
	if window_end - window_start > MAX_WINDOW:
		raise InvalidInterval("Window is longer than ten years", "window_end")
	lo = max(window_start, now + _minutes(policy.min_notice))
	hi = window_end
	if policy.max_advance_days is not None:
		hi = min(hi, now + timedelta(days=policy.max_advance_days) + EPSILON)
	return lo, hi


def _intersect_ranges(ranges: list[DayRange], others: list[DayRange]) -> list[tuple]:
	"""Pairwise overlaps of two hosts' day ranges, each kept on its own: ranges that touch
	(at midnight) are never merged, so every piece keeps its own grid anchor."""
	out, j = [], 0
	for item in ranges:
		while j < len(others) and others[j].end <= item.start:
			j += 1
		k = j
		while k < len(others) and others[k].start < item.end:
			start, end = max(item.start, others[k].start), min(item.end, others[k].end)
			if start < end:
				out.append((item, start, end))
			k += 1
	return out


def _collective(plans: list[_HostPlan], step: timedelta, duration: timedelta) -> list[int]:
	"""Starts every host offers: the overlaps of the hosts' day ranges, each anchoring a
	grid on the first host's wall clock, and starts every host allows.

	For hosts with identical hours this is exactly each host's own grid, whatever the
	window, because day ranges are intersected one by one and never merged first.
	"""
	zone = plans[0].calendar.zone
	ranges = plans[0].ranges
	allowed = plans[0].allowed
	for plan in plans[1:]:
		pieces = _intersect_ranges(ranges, plan.ranges)
		ranges = []
		for item, start, end in pieces:
			if (start, end) == (item.start, item.end):
				ranges.append(item)
				continue
			local_start, local_end = start.astimezone(zone), end.astimezone(zone)
			ranges.append(
				DayRange(
					item.date,
					start,
					end,
					local_start.replace(tzinfo=None),
					local_end.replace(tzinfo=None),
					local_start.utcoffset() == local_end.utcoffset(),
				)
			)
		allowed = intersect_pairs(allowed, plan.allowed)
	out = _emit(ranges, _range_ticks(ranges), allowed, step, zone)
	# a collective slot's seats are every host's: open for all of them, or for none
	shared = set(plans[0].open).intersection(*(plan.open for plan in plans[1:]))
	return sorted(shared.union(out)) if shared else out


def _search(
	hosts: Sequence[HostSchedule],
	policy: SlotPolicy,
	lo: datetime,
	hi: datetime,
	assignment: Assignment,
	**flags,
) -> list[Slot]:
	if lo >= hi:
		return []
	step = _minutes(policy.step)
	duration = _minutes(policy.duration)
	ordered = (
		rank_hosts(hosts, policy.round_robin_mode) if assignment is Assignment.ROUND_ROBIN else list(hosts)
	)
	memo: dict = {}
	plans = [_plan_host(host, policy, lo, hi, memo=memo, **flags) for host in ordered]
	if assignment is Assignment.COLLECTIVE:
		names = tuple(host.host for host in ordered)
		return _slots(_collective(plans, step, duration), duration, repeat(names))
	if len(plans) == 1:
		plan = plans[0]
		return _slots(plan.starts(step), duration, repeat((plan.host.host,)))
	# hosts with the same hours share one plan of ranges (see _plan_host) and so one grid,
	# kept with the ranges (see _days); each host only looks its allowed spans up in it
	grids: dict[int, list[int] | None] = {}
	for plan in plans:
		if id(plan.ranges) not in grids:
			grids[id(plan.ranges)] = _plan_grid(plan, step)
	if all(grid is not None for grid in grids.values()) and not any(plan.open for plan in plans):
		# the usual team: every start of the grids has its list of free hosts, laid out
		# once for these grids (_layout), so only the lists are made per search
		merged, places = _layout(grids.values())
		found = [[] for _ in merged]
		laid_out = {key: list(map(found.__getitem__, places[id(grid)])) for key, grid in grids.items()}
		for plan in plans:
			key = id(plan.ranges)
			_collect(plan.allowed, plan.host.host, grids[key], laid_out[key])
		return _slots(list(compress(merged, found)), duration, map(tuple, compress(found, found)))
	# start tick -> its free hosts, in rank order (hosts are walked in that order)
	columns: dict[int, list[str]] = {}
	holders: defaultdict[int, list[str]] = defaultdict(list)
	laid_out = {
		key: [columns.setdefault(tick, []) for tick in grid]
		for key, grid in grids.items()
		if grid is not None
	}
	for plan in plans:
		name = plan.host.host
		for tick in plan.open:
			holders[tick].append(name)
		grid = grids[id(plan.ranges)]
		if grid is None:
			for tick in _emit(plan.ranges, plan.ticks, plan.allowed, step, plan.calendar.zone):
				columns.setdefault(tick, []).append(name)
			continue
		_collect(plan.allowed, name, grid, laid_out[id(plan.ranges)])
	columns.update(holders)  # an open seated slot belongs to the hosts of its first seat
	ticks = sorted(compress(columns, columns.values()))  # the starts some host is free at
	return _slots(ticks, duration, map(tuple, map(columns.__getitem__, ticks)))


def _collect(allowed: list[tuple], name: str, grid: list[int], grid_columns: list[list[str]]) -> None:
	"""Adds ``name`` to the column of each start of ``grid`` inside the ``allowed`` spans."""
	i, n = 0, len(grid)
	for lo, hi in allowed:
		i = bisect_left(grid, lo, i)
		# a span holds few starts (often none): compared one by one, cheaper than a second
		# bisection, and no slice made per span
		while i < n and grid[i] < hi:
			grid_columns[i].append(name)
			i += 1
		if i == n:
			break


def _plan_grid(plan: _HostPlan, step: timedelta) -> list[int] | None:
	"""``_grid`` of the plan's ranges, made once per ranges and step (kept with them)."""
	grid = plan.grids.get(step, _UNSET)
	if grid is _UNSET:
		grid = plan.grids[step] = _grid(plan.ranges, plan.ticks, step, plan.calendar.zone)
		_DAYS_HELD[0] += len(grid) if grid else 0
	return grid


# grids' ids, sorted -> (the grids, the sorted union of their starts, {id(grid): the place
# of each of its starts in the union}): grids are kept with their day ranges (_days), so a
# team's searches share one layout, whatever the order of its hosts. The entry holds its
# grids, so their ids are not reused while it lives. Bounded like _DAYS.
_LAYOUTS: dict[tuple, tuple] = {}
_LAYOUTS_HELD = [0]


def _layout(grids: Iterable[list[int]]) -> tuple:
	"""The sorted union of the starts of ``grids``, and the place of each grid's starts in
	it, by the grid's id."""
	grids = sorted(grids, key=id)
	key = tuple(map(id, grids))
	found = _LAYOUTS.get(key)
	if found is not None and all(map(operator.is_, found[0], grids)):
		return found[1], found[2]
	merged = sorted(set().union(*grids))
	place = {tick: index for index, tick in enumerate(merged)}
	places = {id(grid): list(map(place.__getitem__, grid)) for grid in grids}
	size = len(merged) + sum(map(len, grids))
	if _LAYOUTS_HELD[0] + size > MAX_HELD:
		_LAYOUTS.clear()
		_LAYOUTS_HELD[0] = 0
	_LAYOUTS[key] = (grids, merged, places)
	_LAYOUTS_HELD[0] += size
	return merged, places


_UNSET = object()


def _slots(ticks: list[int], duration: timedelta, hosts: Iterable[tuple[str, ...]]) -> list[Slot]:
	"""Slots at ``ticks``, each with the next tuple of ``hosts`` (an endless repeat for one
	tuple for all, hence the zip is not strict)."""
	starts = _instants(ticks)
	ends = map(operator.add, starts, repeat(duration))
	# tuple.__new__ in a C-level map: Slot is a named tuple, and its Python __new__ per slot
	# showed in a team search
	return list(map(tuple.__new__, repeat(Slot), zip(starts, ends, hosts, strict=False)))


def _instants(ticks: list[int]) -> list[datetime]:
	"""``from_tick`` of each tick in C-level passes (one per offered slot): each instant is
	the one before it plus the gap between them, and the gaps take few values (mostly the
	step), so each needs one timedelta, not one per slot (exact: whole microseconds)."""
	if not ticks:
		return []
	gaps = list(map(operator.sub, ticks[1:], ticks))
	lengths = {gap: EPSILON * gap for gap in set(gaps)}
	first = EPOCH + EPSILON * ticks[0]
	return list(accumulate(map(lengths.__getitem__, gaps), operator.add, initial=first))


def find_slots(
	hosts: Sequence[HostSchedule],
	policy: SlotPolicy,
	window_start: datetime,
	window_end: datetime,
	now: datetime,
	assignment: Assignment | str = Assignment.INDIVIDUAL,
) -> list[Slot]:
	"""Offered slots starting in [window_start, window_end), sorted, in UTC."""
	assignment = _validate(hosts, policy, assignment)
	lo, hi = _bounds(policy, window_start, window_end, now)
	return _search(hosts, policy, lo, hi, assignment)


def check_slot(
	hosts: Sequence[HostSchedule],
	policy: SlotPolicy,
	start: datetime,
	now: datetime,
	assignment: Assignment | str = Assignment.INDIVIDUAL,
) -> SlotCheck:
	"""Is ``start`` offered, and for which hosts; if not, the first reason that applies."""
	assignment = _validate(hosts, policy, assignment)
	start = to_instant(start, "start")
	lo, hi = _bounds(policy, start, start + EPSILON, now)
	offered = _search(hosts, policy, lo, hi, assignment)
	if offered:
		return SlotCheck(start, True, offered[0].hosts, None)
	return SlotCheck(start, False, (), _refusal(hosts, policy, start, now, assignment))


def _refusal(hosts, policy: SlotPolicy, start: datetime, now: datetime, assignment: Assignment) -> Refusal:
	window = (start, start + EPSILON)
	if not _search(hosts, policy, *window, assignment, busy=False, limits=False):
		return Refusal.OUTSIDE_AVAILABILITY
	if start < now + _minutes(policy.min_notice):
		return Refusal.TOO_SOON
	if policy.max_advance_days is not None and start > now + timedelta(days=policy.max_advance_days):
		return Refusal.TOO_FAR
	if not _search(hosts, policy, *window, assignment, busy=False, limits=True):
		return Refusal.LIMIT_REACHED
	return Refusal.CONFLICT
