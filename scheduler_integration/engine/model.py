"""Plain input/output records of the engine.

All records but ``Slot`` (an output, see there) are frozen dataclasses validated on
construction, so the algorithms can trust them. Datetimes must be timezone-aware; they are
stored as UTC instants. Local times of day are minutes since host-local midnight (0..1440,
where 1440 means 24:00).
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from .errors import InvalidDuration, InvalidInterval, InvalidRule
from .timezones import from_tick, get_zone, to_instant, to_tick

MINUTES_PER_DAY = 1440
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")

# Upper bounds keep hostile or mistyped input from turning into runaway loops.
MAX_DURATION = 7 * MINUTES_PER_DAY
# the longest a booking lasts (meeting types take up to 12 hours): reads of the bookings
# around a window look this far past its end for bookings that overlap it
MAX_BOOKING_MINUTES = 12 * 60
MAX_BOOKING = timedelta(minutes=MAX_BOOKING_MINUTES)
MAX_BUFFER = MINUTES_PER_DAY
MAX_NOTICE = 366 * MINUTES_PER_DAY
MAX_ADVANCE_DAYS = 3660
MAX_LIMIT = 10_000
MAX_SEATS = 10_000


def parse_hhmm(value: str | int, field_name: str = "time") -> int:
	"""'09:30' -> 570, '24:00' -> 1440. Integers are taken as minutes already."""
	if isinstance(value, bool):
		raise InvalidRule(f"{field_name}: expected HH:MM, got {value!r}", field_name)
	if isinstance(value, int):
		minutes = value
	else:
		match = _HHMM.match(str(value).strip())
		if not match:
			raise InvalidRule(f"{field_name}: expected HH:MM, got {value!r}", field_name)
		hours, mins, secs = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
		if mins > 59 or secs > 59 or secs:
			raise InvalidRule(f"{field_name}: {value!r} is not a whole minute of the day", field_name)
		minutes = hours * 60 + mins
	if not 0 <= minutes <= MINUTES_PER_DAY:
		raise InvalidRule(f"{field_name}: {value!r} is outside 00:00-24:00", field_name)
	return minutes


def format_hhmm(minutes: int) -> str:
	return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _check_int(value, name: str, low: int, high: int, *, allow_none: bool = False) -> None:
	if value is None and allow_none:
		return
	if isinstance(value, bool) or not isinstance(value, int):
		raise InvalidDuration(f"{name} must be a whole number, got {value!r}", name)
	if not low <= value <= high:
		raise InvalidDuration(f"{name} must be between {low} and {high}, got {value}", name)


@dataclass(frozen=True, slots=True)
class Interval:
	"""Half-open span of time [start, end) between two instants."""

	start: datetime
	end: datetime

	def __post_init__(self):
		start = to_instant(self.start, "start")
		end = to_instant(self.end, "end")
		if end <= start:
			raise InvalidInterval(
				f"Interval end {end.isoformat()} must be after its start {start.isoformat()}", "end"
			)
		object.__setattr__(self, "start", start)
		object.__setattr__(self, "end", end)


class BusyTime:
	"""One host's external busy time, merged once into sorted, disjoint spans.

	A search only needs the busy time near the hours it still allows (most of a calendar
	is nights and weekends), and with the spans merged it finds that part by bisection
	instead of walking every interval. Build one per change of the busy time and reuse it
	across searches (the Frappe side keeps one per host in each web worker);
	``HostSchedule`` builds one from plain intervals. Iterating yields the merged spans.
	"""

	__slots__ = ("ends", "starts")

	def __init__(self, intervals: Iterable[Interval] = ()):
		items = intervals if isinstance(intervals, list | tuple) else tuple(intervals)
		if not set(map(type, items)) <= {Interval}:  # one C-level pass over many records
			bad = next(item for item in items if not isinstance(item, Interval))
			raise InvalidRule(f"busy must hold Interval items, got {bad!r}", "busy")
		starts = list(map(_start_of, items))
		if not all(map(operator.le, starts, starts[1:])):
			items = sorted(items, key=_start_of)
		merged_starts: list[datetime] = []
		merged_ends: list[datetime] = []
		cur_end = None
		for item in items:
			if cur_end is not None and item.start <= cur_end:
				if item.end > cur_end:
					cur_end = merged_ends[-1] = item.end
				continue
			merged_starts.append(item.start)
			merged_ends.append(item.end)
			cur_end = item.end
		# kept as ticks (µs since 1970), the unit of the slot search
		object.__setattr__(self, "starts", tuple(map(to_tick, merged_starts)))
		object.__setattr__(self, "ends", tuple(map(to_tick, merged_ends)))

	def __setattr__(self, name, value):
		raise AttributeError("BusyTime is immutable")

	def __iter__(self) -> Iterator[Interval]:
		return (
			Interval(from_tick(start), from_tick(end))
			for start, end in zip(self.starts, self.ends, strict=True)
		)

	def __len__(self) -> int:
		return len(self.starts)

	def __eq__(self, other) -> bool:
		if not isinstance(other, BusyTime):
			return NotImplemented
		return (self.starts, self.ends) == (other.starts, other.ends)

	def __hash__(self) -> int:
		return hash((self.starts, self.ends))

	def __repr__(self) -> str:
		return f"BusyTime({len(self)} spans)"


_start_of = operator.attrgetter("start")


@dataclass(frozen=True, slots=True)
class LocalRange:
	"""A host-local time-of-day range in minutes, start < end, end may be 1440 (24:00)."""

	start: int
	end: int

	def __post_init__(self):
		for name in ("start", "end"):
			value = getattr(self, name)
			if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MINUTES_PER_DAY:
				raise InvalidRule(f"Range {name} must be minutes 0..1440, got {value!r}", name)
		if self.end <= self.start:
			raise InvalidRule(
				f"Range end {format_hhmm(self.end)} must be after its start {format_hhmm(self.start)}", "end"
			)

	@classmethod
	def parse(cls, start: str | int, end: str | int) -> LocalRange:
		return cls(parse_hhmm(start, "from"), parse_hhmm(end, "to"))


@dataclass(frozen=True, slots=True)
class WeeklyRange:
	"""Available every ``weekday`` (0 = Monday … 6 = Sunday) from ``start`` to ``end``."""

	weekday: int
	start: int
	end: int

	def __post_init__(self):
		if isinstance(self.weekday, bool) or not isinstance(self.weekday, int) or not 0 <= self.weekday <= 6:
			raise InvalidRule(f"Weekday must be 0 (Monday) .. 6 (Sunday), got {self.weekday!r}", "weekday")
		LocalRange(self.start, self.end)  # same range checks

	@classmethod
	def parse(cls, weekday: str | int, start: str | int, end: str | int) -> WeeklyRange:
		if isinstance(weekday, str):
			key = weekday.strip().lower()[:3]
			if key not in WEEKDAYS:
				raise InvalidRule(f"Unknown weekday {weekday!r}", "weekday")
			weekday = WEEKDAYS.index(key)
		return cls(weekday, parse_hhmm(start, "from"), parse_hhmm(end, "to"))


@dataclass(frozen=True, slots=True)
class DateOverride:
	"""Replaces every weekly range of one host-local date; no ranges = day off."""

	date: date
	ranges: tuple[LocalRange, ...] = ()

	def __post_init__(self):
		if not isinstance(self.date, date) or isinstance(self.date, datetime):
			raise InvalidRule(f"Override date must be a date, got {self.date!r}", "date")
		object.__setattr__(self, "ranges", tuple(self.ranges))
		for item in self.ranges:
			if not isinstance(item, LocalRange):
				raise InvalidRule(f"Override ranges must be LocalRange, got {item!r}", "ranges")


@dataclass(frozen=True, slots=True)
class BlockedTime:
	"""Time the host is unavailable; with ``rrule`` (RFC 5545) it repeats on the host's clock."""

	start: datetime
	end: datetime
	rrule: str | None = None

	def __post_init__(self):
		interval = Interval(self.start, self.end)
		object.__setattr__(self, "start", interval.start)
		object.__setattr__(self, "end", interval.end)
		if self.rrule is not None and not isinstance(self.rrule, str):
			raise InvalidRule("rrule must be a string", "rrule")


@dataclass(frozen=True, slots=True)
class Availability:
	"""A host's working hours in their IANA zone."""

	timezone: str
	weekly: tuple[WeeklyRange, ...] = ()
	overrides: tuple[DateOverride, ...] = ()
	blocked: tuple[BlockedTime, ...] = ()
	# the hash of the fields, made once: a team search looks each host's hours up by value
	# (slots._plan_host, slots._days), and hashing them walks every rule
	_hash: int = field(init=False, repr=False, compare=False)

	def __post_init__(self):
		get_zone(self.timezone)
		for name, kind in (("weekly", WeeklyRange), ("overrides", DateOverride), ("blocked", BlockedTime)):
			items = tuple(getattr(self, name))
			for item in items:
				if not isinstance(item, kind):
					raise InvalidRule(f"{name} must hold {kind.__name__} items, got {item!r}", name)
			object.__setattr__(self, name, items)
		self._set_hash()

	def _set_hash(self) -> None:
		object.__setattr__(self, "_hash", hash((self.timezone, self.weekly, self.overrides, self.blocked)))

	def __hash__(self) -> int:
		return self._hash


def _availability_setstate(self: Availability, state) -> None:
	# unpickled: string hashes differ between processes, so the hash is made afresh
	for name, value in zip(("timezone", "weekly", "overrides", "blocked"), state, strict=False):
		object.__setattr__(self, name, value)
	self._set_hash()


# set after the class: Python 3.10's dataclass(slots=True) replaces a __setstate__ defined
# in the class body with its own (which would restore the other process's hash)
Availability.__setstate__ = _availability_setstate


@dataclass(frozen=True, slots=True)
class Booking:
	"""An existing active booking of a host; its own buffers widen its busy time."""

	start: datetime
	end: datetime
	buffer_before: int = 0
	buffer_after: int = 0
	meeting_type: str | None = None
	# (start, end) as ticks (µs since 1970), the slot search's unit: made once here
	# instead of on every search that reads the booking
	ticks: tuple[int, int] = field(init=False, repr=False, compare=False)

	def __post_init__(self):
		interval = Interval(self.start, self.end)
		object.__setattr__(self, "start", interval.start)
		object.__setattr__(self, "end", interval.end)
		object.__setattr__(self, "ticks", (to_tick(interval.start), to_tick(interval.end)))
		_check_int(self.buffer_before, "buffer_before", 0, MAX_BUFFER)
		_check_int(self.buffer_after, "buffer_after", 0, MAX_BUFFER)


@dataclass(frozen=True, slots=True)
class HostSchedule:
	"""Everything the engine needs to know about one host.

	``busy`` are external calendar intervals (no buffers of their own). ``priority``,
	``weight``, ``bookings_so_far`` and ``last_booked_at`` only matter for round robin.
	"""

	host: str
	availability: Availability
	bookings: tuple[Booking, ...] = ()
	busy: BusyTime | tuple[Interval, ...] = ()  # stored as a BusyTime
	priority: int = 0
	weight: int = 100
	bookings_so_far: int = 0
	last_booked_at: datetime | None = None

	def __post_init__(self):
		if not isinstance(self.host, str) or not self.host:
			raise InvalidRule("host must be a non-empty string", "host")
		if not isinstance(self.availability, Availability):
			raise InvalidRule("availability must be an Availability", "availability")
		object.__setattr__(self, "bookings", tuple(self.bookings))
		if not isinstance(self.busy, BusyTime):
			object.__setattr__(self, "busy", BusyTime(self.busy))
		# one C-level pass each (a team's busy time can be tens of thousands of records)
		if not set(map(type, self.bookings)) <= {Booking}:
			bad = next(item for item in self.bookings if not isinstance(item, Booking))
			raise InvalidRule(f"bookings must hold Booking items, got {bad!r}", "bookings")
		_check_int(self.priority, "priority", -1000, 1000)
		_check_int(self.weight, "weight", 1, 1_000_000)
		_check_int(self.bookings_so_far, "bookings_so_far", 0, 10**9)
		if self.last_booked_at is not None:
			object.__setattr__(self, "last_booked_at", to_instant(self.last_booked_at, "last_booked_at"))


class Assignment(str, enum.Enum):
	INDIVIDUAL = "individual"
	ROUND_ROBIN = "round_robin"
	COLLECTIVE = "collective"


class RoundRobinMode(str, enum.Enum):
	"""How round robin chooses among the free hosts (``teams``); both offer every start at
	which any host is free."""

	FAIR_SHARE = "fair_share"  # bookings in proportion to the hosts' weights (the default)
	MAXIMIZE_AVAILABILITY = "maximize_availability"  # the least recently booked host next


@dataclass(frozen=True, slots=True)
class SlotPolicy:
	"""Rules of one meeting type. Minutes everywhere; ``None`` = no limit / default.

	* ``interval``: grid step, defaults to ``duration``;
	* ``min_notice``: earliest start is ``now + min_notice``;
	* ``max_advance_days``: latest start is ``now + max_advance_days`` days;
	* ``daily_limit`` / ``weekly_limit``: most bookings per host-local day / week
	  (weeks start on ``week_start``, 0 = Monday); counted over bookings of
	  ``meeting_type`` only, or of every type when ``limits_count_all_types``;
	* ``seats``: guests per slot; the bookings of ``meeting_type`` at one start are the
	  seats of one slot (see ``seats``);
	* ``round_robin_mode``: how a round-robin type picks among its free hosts (``teams``).
	"""

	duration: int
	interval: int | None = None
	buffer_before: int = 0
	buffer_after: int = 0
	min_notice: int = 0
	max_advance_days: int | None = None
	daily_limit: int | None = None
	weekly_limit: int | None = None
	meeting_type: str | None = None
	limits_count_all_types: bool = False
	week_start: int = 0
	round_robin_mode: RoundRobinMode = RoundRobinMode.FAIR_SHARE
	seats: int = 1

	def __post_init__(self):
		_check_int(self.duration, "duration", 1, MAX_DURATION)
		_check_int(self.interval, "interval", 1, MAX_DURATION, allow_none=True)
		_check_int(self.buffer_before, "buffer_before", 0, MAX_BUFFER)
		_check_int(self.buffer_after, "buffer_after", 0, MAX_BUFFER)
		_check_int(self.min_notice, "min_notice", 0, MAX_NOTICE)
		_check_int(self.max_advance_days, "max_advance_days", 0, MAX_ADVANCE_DAYS, allow_none=True)
		_check_int(self.daily_limit, "daily_limit", 0, MAX_LIMIT, allow_none=True)
		_check_int(self.weekly_limit, "weekly_limit", 0, MAX_LIMIT, allow_none=True)
		_check_int(self.week_start, "week_start", 0, 6)
		try:
			object.__setattr__(self, "round_robin_mode", RoundRobinMode(self.round_robin_mode))
		except ValueError:
			raise InvalidRule(
				f"Unknown round robin mode {self.round_robin_mode!r}", "round_robin_mode"
			) from None
		_check_int(self.seats, "seats", 1, MAX_SEATS)

	@property
	def step(self) -> int:
		return self.interval or self.duration

	@property
	def reach(self) -> timedelta:
		"""How far outside a window a host's bookings can still decide its starts.

		Buffers reach a day at most on each side (``MAX_BUFFER``, ours plus the booking's)
		of the meeting, which for the last start of a window ends a duration after the
		window; a limit counts the host-local day or week of a start: a week plus a day for
		the zone's offset and DST. Bookings further out never change an answer, so callers
		load only ``[window_start - reach, window_end + reach)``."""
		buffers = timedelta(minutes=2 * MAX_BUFFER + self.duration)
		if self.weekly_limit is not None:
			return max(buffers, timedelta(days=8))
		if self.daily_limit is not None:
			return max(buffers, timedelta(days=2))
		return buffers


class Slot(NamedTuple):
	"""An offered start (UTC) and the hosts free for it, in assignment order.

	A named tuple, not a frozen dataclass like the other records: a search makes one per
	offered start (a thousand for a team's month), and a frozen dataclass's ``__init__``
	(three ``object.__setattr__`` calls) cost about a tenth of the whole search."""

	start: datetime
	end: datetime
	hosts: tuple[str, ...] = ()


class Refusal(str, enum.Enum):
	"""Why a requested start is not offered (first reason that applies)."""

	OUTSIDE_AVAILABILITY = "outside_availability"  # not a grid start inside working hours
	TOO_SOON = "too_soon"  # before now + minimum notice
	TOO_FAR = "too_far"  # beyond the booking horizon
	LIMIT_REACHED = "limit_reached"  # daily or weekly limit already met
	CONFLICT = "conflict"  # overlaps a booking or busy time (buffers included)


@dataclass(frozen=True, slots=True)
class SlotCheck:
	start: datetime
	offered: bool
	hosts: tuple[str, ...] = ()
	reason: Refusal | None = None
