"""A host's available time, from weekly rules, date overrides and blocked times.

Rules, in the order they apply:

1. Weekly rules are wall-clock ranges on the host's clock (IANA zone), so their UTC
   position moves with DST. Several ranges per weekday are allowed; overlapping or
   touching ranges of one day are merged (never rejected). A range may end at 24:00.
2. A date override replaces *all* weekly ranges of that host-local date. An override with
   no ranges makes the date unavailable. Several overrides of one date are unioned.
3. Each day's merged ranges are converted to instants. Wall times that occur twice
   (fall-back) are read as their first occurrence; a wall time that does not occur
   (spring-forward gap) stands for the end of the gap: a range starting in the gap starts
   when the gap ends (and its grid is anchored there), a range ending in the gap ends
   there, and a range wholly inside the gap is empty and offers nothing.
4. Ranges that touch across midnight (…-24:00 then 00:00-…) form one continuous stretch,
   so a meeting may run past midnight; each day's ranges still anchor their own slot grid.
5. Blocked times (optionally repeating, see ``recurrence``) are removed from the stretches.
   They do not move slot grids: they only remove slots that would overlap them.

``day_ranges`` gives the grid anchors (step 4), ``available`` the usable time (step 5).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple

from .errors import InvalidInterval
from .intervals import merge_pairs, subtract_pairs
from .model import Availability
from .recurrence import expand_blocked
from .timezones import EPOCH, from_tick, get_zone, to_tick, wall_exists, wall_to_instant_gapless

# the most day ranges one search expands per host: a decade of twenty ranges a day; each
# range becomes records and starts, so more is refused before any is built
MAX_DAY_RANGES = 75_000
_NAIVE_EPOCH = EPOCH.replace(tzinfo=None)


class DayRange(NamedTuple):
	"""One merged range of one host-local date: the anchor of a slot grid."""

	date: date
	start: datetime  # instant
	end: datetime  # instant
	wall_start: datetime  # naive, host clock
	wall_end: datetime  # naive, host clock (may be next day's 00:00)
	uniform: bool  # same UTC offset at both ends: wall-clock steps equal real steps


def _merge_local(ranges) -> list[tuple[int, int]]:
	return merge_pairs((item.start, item.end) for item in ranges)


class HostCalendar:
	"""Pre-resolved availability of one host; expand ranges for any window of dates."""

	def __init__(self, availability: Availability):
		self.availability = availability
		self.zone: tzinfo = get_zone(availability.timezone)
		weekly: dict[int, list] = {day: [] for day in range(7)}
		for rule in availability.weekly:  # a WeeklyRange checked its range as it was made
			weekly[rule.weekday].append(rule)
		self.weekly = {day: _merge_local(ranges) for day, ranges in weekly.items()}
		overrides: dict[date, list] = {}
		for override in availability.overrides:
			overrides.setdefault(override.date, []).extend(override.ranges)
		self.overrides = {day: _merge_local(ranges) for day, ranges in overrides.items()}

	def local_ranges(self, day: date) -> list[tuple[int, int]]:
		if day in self.overrides:
			return self.overrides[day]
		return self.weekly[day.weekday()]

	def local_date(self, instant: datetime) -> date:
		return instant.astimezone(self.zone).date()

	def day_ranges(self, first: date, last: date) -> list[DayRange]:
		"""Merged ranges of every host-local date in [first, last], in time order. Refused
		(InvalidInterval) when there would be more than ``MAX_DAY_RANGES``: counted from the
		rules before any is built, so a window that is too much work costs nothing."""
		one_day = timedelta(days=1)
		working: list[tuple] = []  # (date, its merged ranges) of each date that has any
		total, day = 0, first
		while day <= last:
			ranges = self.local_ranges(day)
			if ranges:
				total += len(ranges)
				if total > MAX_DAY_RANGES:
					raise InvalidInterval(
						f"More than {MAX_DAY_RANGES} working-hour ranges in this window: ask for a shorter window",
						"window_end",
					)
				working.append((day, ranges))
			day += one_day
		zone = self.zone
		out: list[DayRange] = []
		minutes: dict[int, timedelta] = {}
		next_day = next_offset = None
		for day, ranges in working:
			midnight = datetime(day.year, day.month, day.day)
			# the zone reads a naive wall time as its own (fold=0), exactly as the aware
			# datetime would, without the cost of datetime.replace (a search calls this for
			# every working day of every zone of a team); a day's end is the next one's start
			offset = next_offset if day == next_day else zone.utcoffset(midnight)
			next_day = day + one_day
			next_offset = zone.utcoffset(midnight + one_day)
			# One offset all day (every day but DST days): plain arithmetic, no zone lookups.
			steady = offset == next_offset
			# a steady day's instants are its wall times read from the epoch of its clock
			local_epoch = _NAIVE_EPOCH + offset
			for start_min, end_min in ranges:
				start_td = minutes.get(start_min)
				if start_td is None:
					start_td = minutes[start_min] = timedelta(minutes=start_min)
				end_td = minutes.get(end_min)
				if end_td is None:
					end_td = minutes[end_min] = timedelta(minutes=end_min)
				wall_start = midnight + start_td
				wall_end = midnight + end_td
				if steady:
					start = EPOCH + (wall_start - local_epoch)
					end = EPOCH + (wall_end - local_epoch)
					# _make: a plain tuple.__new__, cheaper than the named tuple's own __new__
					out.append(DayRange._make((day, start, end, wall_start, wall_end, True)))
					continue
				start = wall_to_instant_gapless(wall_start, zone)
				end = wall_to_instant_gapless(wall_end, zone)
				if end <= start:  # wholly inside a spring-forward gap
					continue
				if not wall_exists(wall_start, zone):  # starts when the gap ends
					wall_start = start.astimezone(zone).replace(tzinfo=None)
				# equal offsets at both ends and both ends on the wall clock: a steady range
				uniform = start.astimezone(zone).utcoffset() == end.astimezone(
					zone
				).utcoffset() and wall_exists(wall_end, zone)
				out.append(DayRange(day, start, end, wall_start, wall_end, uniform))
		return out

	def window_dates(
		self, window_start: datetime, window_end: datetime, reach: timedelta = timedelta(0)
	) -> tuple[date, date]:
		"""Host-local dates whose ranges can hold a start in the window, or the rest of a
		meeting ``reach`` long that starts in it (one day of margin either side)."""
		first = self.local_date(window_start) - timedelta(days=1)
		last = self.local_date(window_end + reach) + timedelta(days=1)
		return first, last

	def blocked_pairs(self, window_start: datetime, window_end: datetime) -> list[tuple]:
		pairs: list[tuple] = []
		for blocked in self.availability.blocked:
			pairs.extend(expand_blocked(blocked, self.zone, window_start, window_end))
		return pairs

	def available(self, ranges: list[DayRange], window_start: datetime, window_end: datetime) -> list[tuple]:
		"""Stretches of the given day ranges minus blocked time, as instant pairs."""
		stretches = merge_pairs([(item.start, item.end) for item in ranges])
		if not stretches or not self.availability.blocked:
			return stretches
		blocked = self.blocked_pairs(stretches[0][0], stretches[-1][1])
		return subtract_pairs(stretches, merge_pairs(blocked), merged=True)

	def available_ticks(self, ticks: list[tuple]) -> list[tuple]:
		"""``available`` for day ranges given as ticks (µs since 1970, see ``timezones``),
		the slot search's unit: the same stretches, without a datetime per range end."""
		stretches = merge_pairs(ticks)
		if not stretches or not self.availability.blocked:
			return stretches
		blocked = self.blocked_pairs(from_tick(stretches[0][0]), from_tick(stretches[-1][1]))
		return subtract_pairs(
			stretches, merge_pairs((to_tick(start), to_tick(end)) for start, end in blocked), merged=True
		)


def available_intervals(availability: Availability, window_start: datetime, window_end: datetime):
	"""Public helper: the host's available time overlapping [window_start, window_end)."""
	from .errors import InvalidInterval
	from .intervals import intersect_pairs
	from .model import Interval
	from .timezones import check_range, to_instant

	window_start = to_instant(window_start, "window_start")
	window_end = to_instant(window_end, "window_end")
	check_range(window_start, "window_start")
	check_range(window_end, "window_end")
	if window_end <= window_start:
		raise InvalidInterval("Window end must be after its start", "window_end")
	calendar = HostCalendar(availability)
	first, last = calendar.window_dates(window_start, window_end)
	ranges = calendar.day_ranges(first, last)
	pairs = intersect_pairs(
		calendar.available(ranges, window_start, window_end), [(window_start, window_end)]
	)
	return [Interval(start, end) for start, end in pairs]
