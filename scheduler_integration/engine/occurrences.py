"""Bookings of several meetings: multi-day sessions and recurring series.

A meeting type may unfold one booked start into ``count`` meetings (``Occurrences``):

* **Multi-day** (``DAYS``, ``WORKING_DAYS``): a workshop or retreat on ``count`` days, each
  day's meeting at the first day's wall time on the host's clock, for the type's duration
  (the daily window: a 09:00 start and 480 minutes is 09:00-17:00 every day). ``DAYS``
  are consecutive calendar days; ``WORKING_DAYS`` the host's next working days (dates on
  which every host of the booking has working hours), so weekends and days off are
  skipped. Every day's window must be offered by the slot rules for the same host(s); the
  nights stay free. The horizon (``max_advance_days``) bounds the first day only: a
  workshop starting on the horizon's last day may end after it.
* **Recurring series** (``WEEKLY``, ``BIWEEKLY``, ``MONTHLY``): the same wall time every
  week, every other week, or on the same day of each month (a month without that day is
  skipped, as RFC 5545 does), up to ``count`` meetings. Each occurrence follows every rule
  of a single booking, the horizon included.

A wall time that does not exist on an occurrence's date (inside a spring-forward gap) is
no start of the grid: that occurrence is not offered. Occurrence starts are computed on
one host's wall clock (the organiser's, or the round-robin candidate's).

``check_occurrences`` checks each occurrence (which are free, and for which hosts);
``find_series_slots`` offers the starts whose occurrences are all free for one set of
hosts (multi-day, and series booked all-or-nothing); ``series_hosts`` picks the host of a
round-robin series: the one free for the most occurrences (ties: round-robin order).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import pairwise

from .availability import HostCalendar
from .errors import InvalidRule
from .model import Assignment, HostSchedule, RoundRobinMode, Slot, SlotCheck, SlotPolicy
from .slots import _bounds, _validate, check_slot, find_slots
from .teams import rank_hosts
from .timezones import MICROSECOND, get_zone, to_instant, to_tick, wall_exists, wall_to_instant

MAX_OCCURRENCES = 52
# how far ahead working days are searched: a host working one day a month still fits
MAX_SEARCH_DAYS = 400


class Repeat(str, enum.Enum):
	DAYS = "days"
	WORKING_DAYS = "working_days"
	WEEKLY = "weekly"
	BIWEEKLY = "biweekly"
	MONTHLY = "monthly"


MULTI_DAY = frozenset({Repeat.DAYS, Repeat.WORKING_DAYS})
# how a series record names its rhythm (English, translated where it is shown)
FREQUENCY_LABELS = {
	Repeat.DAYS: "Consecutive days",
	Repeat.WORKING_DAYS: "Working days",
	Repeat.WEEKLY: "Weekly",
	Repeat.BIWEEKLY: "Every 2 weeks",
	Repeat.MONTHLY: "Monthly",
}


@dataclass(frozen=True, slots=True)
class Occurrences:
	"""How one booked start unfolds: ``count`` meetings, ``repeat`` apart."""

	repeat: Repeat
	count: int

	def __post_init__(self):
		try:
			object.__setattr__(self, "repeat", Repeat(self.repeat))
		except ValueError:
			raise InvalidRule(f"Unknown repeat {self.repeat!r}", "repeat") from None
		if (
			isinstance(self.count, bool)
			or not isinstance(self.count, int)
			or not 1 <= self.count <= MAX_OCCURRENCES
		):
			raise InvalidRule(f"count must be 1..{MAX_OCCURRENCES}, got {self.count!r}", "count")

	@property
	def multi_day(self) -> bool:
		return self.repeat in MULTI_DAY

	def reach(self) -> timedelta:
		"""How far after the first start the last occurrence can lie (for loading): the
		last of ``count`` meetings ``count - 1`` steps later, and a day for a clock change
		between them (the same wall time is then an hour earlier or later)."""
		if self.repeat is Repeat.DAYS:
			return timedelta(days=self.count)
		if self.repeat is Repeat.WORKING_DAYS:
			return timedelta(days=MAX_SEARCH_DAYS)
		if self.repeat is Repeat.WEEKLY:
			return timedelta(weeks=self.count - 1, days=1)
		if self.repeat is Repeat.BIWEEKLY:
			return timedelta(weeks=2 * (self.count - 1), days=1)
		return timedelta(days=31 * self.count + 62)


# the most days between a series' first and last meeting per step (a month: its longest)
STEP_DAYS = {Repeat.WEEKLY: 7, Repeat.BIWEEKLY: 14, Repeat.MONTHLY: 31}


def meetings_within(repeat: Repeat, horizon_days: int) -> int:
	"""How many meetings of a ``repeat`` series always fit in a booking window of
	``horizon_days`` (every meeting must be bookable, the last one too): more can never be
	booked."""
	return 1 + max(0, int(horizon_days)) // STEP_DAYS[repeat]


def series_counts_offered(most: int, repeat: Repeat, horizon_days: int) -> int:
	"""The longest series a booking page offers: the type's ``most``, but no more meetings
	than always fit in its booking window (``horizon_days``; 0: no window)."""
	most = max(1, min(int(most or 1), MAX_OCCURRENCES))
	return min(most, meetings_within(repeat, horizon_days)) if horizon_days and horizon_days > 0 else most


def _month_dates(first: date, count: int) -> list[date]:
	out, year, month = [], first.year, first.month
	while len(out) < count:
		try:
			out.append(date(year, month, first.day))
		except ValueError:
			pass  # no such day this month: skipped
		month += 1
		if month > 12:
			year, month = year + 1, 1
	return out


def _working_dates(first: date, count: int, calendars: Sequence[HostCalendar]) -> list[date] | None:
	out, day = [], first
	last = first + timedelta(days=MAX_SEARCH_DAYS)
	while len(out) < count and day <= last:
		if all(calendar.local_ranges(day) for calendar in calendars):
			out.append(day)
		day += timedelta(days=1)
	return out if len(out) == count else None


def occurrence_dates(
	rule: Occurrences, first: date, calendars: Sequence[HostCalendar] = ()
) -> list[date] | None:
	"""The dates of the occurrences (None: the hosts have too few working days ahead)."""
	if rule.repeat is Repeat.DAYS:
		return [first + timedelta(days=i) for i in range(rule.count)]
	if rule.repeat is Repeat.WORKING_DAYS:
		return _working_dates(first, rule.count, calendars)
	if rule.repeat is Repeat.WEEKLY:
		return [first + timedelta(weeks=i) for i in range(rule.count)]
	if rule.repeat is Repeat.BIWEEKLY:
		return [first + timedelta(weeks=2 * i) for i in range(rule.count)]
	return _month_dates(first, rule.count)


def occurrence_starts(
	rule: Occurrences, start: datetime, zone_name: str, calendars: Sequence[HostCalendar] = ()
) -> list[datetime | None]:
	"""Each occurrence's start (UTC) at ``start``'s wall time on ``zone_name``'s clock;
	None where that wall time does not exist that day. The first is ``start`` itself.
	Empty when working days run out."""
	zone = get_zone(zone_name)
	start = to_instant(start, "start")
	wall = start.astimezone(zone).replace(tzinfo=None)
	dates = occurrence_dates(rule, wall.date(), calendars)
	if dates is None:
		return []
	out: list[datetime | None] = []
	for day in dates:
		moment = datetime.combine(day, wall.time())
		out.append(wall_to_instant(moment, zone) if wall_exists(moment, zone) else None)
	out[0] = start
	return out


def _later_policy(rule: Occurrences, policy: SlotPolicy) -> SlotPolicy:
	"""The rules for occurrences after the first: a multi-day booking's horizon bounds its
	first day only."""
	return replace(policy, max_advance_days=None) if rule.multi_day else policy


def _calendars(hosts: Sequence[HostSchedule]) -> list[HostCalendar]:
	return [HostCalendar(host.availability) for host in hosts]


def check_occurrences(
	hosts: Sequence[HostSchedule],
	policy: SlotPolicy,
	rule: Occurrences,
	start: datetime,
	now: datetime,
	assignment: Assignment | str = Assignment.INDIVIDUAL,
) -> list[SlotCheck]:
	"""Each occurrence of a booking at ``start``: offered (and for which hosts) or why not.
	Occurrences are on the first host's clock (the organiser's). With too few working days
	ahead there are fewer checks than ``rule.count``: the booking cannot be made."""
	assignment = _validate(hosts, policy, assignment)
	zone_name = hosts[0].availability.timezone
	starts = occurrence_starts(rule, start, zone_name, _calendars(hosts))
	later = _later_policy(rule, policy)
	out = []
	for index, moment in enumerate(starts):
		if moment is None:
			out.append(SlotCheck(start, False, (), None))
			continue
		out.append(check_slot(hosts, policy if index == 0 else later, moment, now, assignment))
	return out


def series_hosts(
	checks: Sequence[SlotCheck],
	hosts: Sequence[HostSchedule],
	mode: RoundRobinMode = RoundRobinMode.FAIR_SHARE,
) -> list[str]:
	"""Round robin: the hosts free for the first occurrence, the ones free for the most
	occurrences first (ties in the order of the type's round-robin ``mode``)."""
	if not checks or not checks[0].offered:
		return []
	order = {host.host: index for index, host in enumerate(rank_hosts(hosts, mode))}
	counts = {name: sum(name in check.hosts for check in checks if check.offered) for name in checks[0].hosts}
	return sorted(counts, key=lambda name: (-counts[name], order.get(name, len(order))))


def _reach(rule: Occurrences, hi: datetime, hosts, calendars: dict) -> timedelta:
	"""How far past the window the occurrences of its last start can lie."""
	if rule.repeat is not Repeat.WORKING_DAYS:
		return rule.reach()
	days = 1
	for host in hosts:
		first = hi.astimezone(get_zone(host.availability.timezone)).date()
		dates = _working_dates(first, rule.count, [calendars[host.host]])
		days = max(days, ((dates[-1] - first).days if dates else 0) + 2)
	return timedelta(days=days)


_DAY = 86_400_000_000  # ticks
_STEP_DAYS = {Repeat.DAYS: 1, Repeat.WEEKLY: 7, Repeat.BIWEEKLY: 14}


class _Offsets:
	"""A zone's UTC offset over a span, read once a day. Where two readings a day apart
	agree, the offset holds between them (zones change at most twice a year), so an
	occurrence a whole number of days after a start — same wall time — is found by adding
	the days and the difference of the offsets, without converting wall times for every
	start of a month. Near a change the caller takes the slow path."""

	def __init__(self, zone, lo: datetime, hi: datetime):
		self.first = to_tick(lo) - _DAY
		readings = []
		moment = lo - timedelta(days=1)
		while moment <= hi + timedelta(days=2):
			readings.append(moment.astimezone(zone).utcoffset() // MICROSECOND)
			moment += timedelta(days=1)
		# the offset between reading k and k + 1, None where it changes
		self.stable = [a if a == b else None for a, b in pairwise(readings)]
		self.constant = len(set(readings)) == 1

	def at(self, tick: int) -> int | None:
		"""The offset (ticks) at ``tick``, None near a change or outside the span."""
		k = (tick - self.first) // _DAY
		return self.stable[k] if 0 <= k < len(self.stable) else None

	def later(self, tick: int, deltas: list[int]) -> list[int] | None:
		"""The ticks of the same wall time ``deltas`` (whole days) after ``tick``, or None
		(the slow path decides)."""
		if self.constant:
			return [tick + delta for delta in deltas]
		first = self.at(tick)
		if first is None:
			return None
		out = []
		for delta in deltas:
			guess = tick + delta
			offset = self.at(guess)
			if offset is None:
				return None
			moment = guess + first - offset
			if self.at(moment) != offset:
				return None
			out.append(moment)
		return out


def find_series_slots(
	hosts: Sequence[HostSchedule],
	policy: SlotPolicy,
	rule: Occurrences,
	window_start: datetime,
	window_end: datetime,
	now: datetime,
	assignment: Assignment | str = Assignment.INDIVIDUAL,
) -> list[Slot]:
	"""Starts in [window_start, window_end) whose every occurrence is offered for the same
	hosts (round robin: ``Slot.hosts`` are the hosts free for all of them, in round-robin
	order). One search over the window and the occurrences' reach, not one per start."""
	assignment = _validate(hosts, policy, assignment)
	lo, hi = _bounds(policy, window_start, window_end, now)
	if lo >= hi:
		return []
	later = _later_policy(rule, policy)
	calendars = {host.host: HostCalendar(host.availability) for host in hosts}
	reach = _reach(rule, hi, hosts, calendars)
	wide = find_slots(hosts, later, lo, hi + reach, now, assignment)
	ticks_of = [to_tick(slot.start) for slot in wide]
	# the starts each host is free at (a collective slot's are every host's)
	free: dict[str, set[int]] = {host.host: set() for host in hosts}
	for tick, slot in zip(ticks_of, wide, strict=True):
		for name in slot.hosts:
			free[name].add(tick)
	ranked = rank_hosts(hosts, policy.round_robin_mode) if assignment is Assignment.ROUND_ROBIN else hosts
	ordered = [host.host for host in ranked]
	zones = {host.host: host.availability.timezone for host in hosts}
	step = _STEP_DAYS.get(rule.repeat)
	deltas = [i * step * _DAY for i in range(rule.count)] if step else None
	offsets = {zone: _Offsets(get_zone(zone), lo, hi + reach) for zone in set(zones.values())} if step else {}
	latest = now + timedelta(days=policy.max_advance_days) if policy.max_advance_days is not None else None
	lo_tick, hi_tick = to_tick(lo), to_tick(hi)
	out = []
	for tick, slot in zip(ticks_of, wide, strict=True):
		if not lo_tick <= tick < hi_tick or (rule.multi_day and latest is not None and slot.start > latest):
			continue
		groups = (
			[(name,) for name in slot.hosts] if assignment is Assignment.ROUND_ROBIN else [tuple(ordered)]
		)
		fits = []
		for group in groups:
			zone = zones[group[0]]
			ticks = offsets[zone].later(tick, deltas) if deltas else None
			if ticks is None:
				starts = occurrence_starts(rule, slot.start, zone, [calendars[name] for name in group])
				if not starts or any(moment is None for moment in starts):
					continue
				ticks = [to_tick(moment) for moment in starts]
			if all(free[name].issuperset(ticks) for name in group):
				fits.extend(group)
		if fits:
			out.append(Slot(slot.start, slot.end, tuple(fits)))
	return out
