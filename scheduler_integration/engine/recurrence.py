"""Expansion of blocked times, optionally repeating by an RFC 5545 RRULE.

A repeating blocked time repeats on the host's wall clock: "12:00-13:00 every weekday"
stays 12:00-13:00 local across DST changes. The first occurrence is the blocked time's
own start (RFC 5545: DTSTART is always the first instance, and it is the instant the block
starts, even at a wall time that happens twice); each occurrence lasts the same
wall-clock length.

Accepted rule text: one line, ``FREQ=...`` with or without an ``RRULE:`` prefix, with
FREQ (HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, COUNT or UNTIL, BYMONTH,
BYMONTHDAY (negative: from the month's end), BYDAY (with an ordinal for MONTHLY and
YEARLY: ``1MO``, ``-1FR``), BYHOUR, BYMINUTE, BYSETPOS and WKST. ``UNTIL`` may be UTC
(``...Z``) or floating; a floating UNTIL is read on the host's clock, a date-only UNTIL
includes that whole local day. Anything else is refused with a clear error.

Bounded by work, not by what is found. The rule is expanded here, period by period (an
hour, day, week, month or year of its FREQ times INTERVAL), and every expansion may walk
at most ``MAX_PERIODS`` periods and look at most ``MAX_CANDIDATES`` candidate times —
a rule that never occurs costs no more than one that occurs every hour. Without COUNT the
walk starts at the period before the window (same periods, same occurrences), so the
rule's start may lie centuries back. A COUNT rule's count runs from its start: it must
reach its COUNT within those bounds, and the validator refuses one that does not. A
window yielding more than ``MAX_OCCURRENCES`` occurrences is refused.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from .errors import InvalidRecurrence
from .model import BlockedTime
from .timezones import UTC, wall_to_instant, wall_to_instant_gapless

MAX_OCCURRENCES = 5000
MAX_RULE_LENGTH = 500
MAX_PERIODS = 100_000  # 11 years of hours
MAX_CANDIDATES = 1_000_000
FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_UNTIL = re.compile(r"UNTIL=(\d{8})(T(\d{6}))?(Z?)", re.IGNORECASE)
_ALLOWED = re.compile(r"^[A-Z0-9=;,:+\-]+$")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass(frozen=True)
class Rule:
	"""A parsed RRULE on the naive wall clock, every default written out."""

	freq: str
	start: datetime  # DTSTART, naive wall time
	interval: int = 1
	count: int | None = None
	until: datetime | None = None  # naive wall time
	bymonth: tuple[int, ...] = ()
	bymonthday: tuple[int, ...] = ()
	byday: tuple[tuple[int, int | None], ...] = ()  # (weekday, ordinal or None)
	byhour: tuple[int, ...] = ()
	byminute: tuple[int, ...] = ()
	bysetpos: tuple[int, ...] = ()
	wkst: int = 0


def _refuse(message: str, *args) -> InvalidRecurrence:
	return InvalidRecurrence(message.format(*args) if args else message, "rrule")


def _ints(value: str, name: str, low: int, high: int, *, nonzero: bool = False) -> tuple[int, ...]:
	out = []
	for part in value.split(","):
		if not re.fullmatch(r"[+-]?\d{1,4}", part):
			raise _refuse("{0} must be a list of numbers", name)
		number = int(part)
		if not low <= number <= high or (nonzero and number == 0):
			raise _refuse("{0} must be between {1} and {2}", name, low, high)
		out.append(number)
	return tuple(dict.fromkeys(out))


def _normalise_rule(text: str, zone: tzinfo) -> str:
	rule = text.strip() if isinstance(text, str) else ""
	if len(rule) > MAX_RULE_LENGTH:
		raise _refuse("Recurrence rule is longer than {0} characters", MAX_RULE_LENGTH)
	if rule.upper().startswith("RRULE:"):
		rule = rule[6:]
	rule = rule.upper()
	if not rule.startswith("FREQ=") and ";FREQ=" not in rule:
		raise _refuse("Recurrence rule needs FREQ: {0!r}", text)
	if not _ALLOWED.match(rule) or "DTSTART" in rule:
		raise _refuse("Recurrence rule is not a single RRULE: {0!r}", text)

	def to_utc(match: re.Match) -> str:
		day, clock, zulu = match.group(1), match.group(3), match.group(4)
		if zulu:
			return match.group(0)
		try:
			if clock:
				wall = datetime.strptime(day + clock, "%Y%m%d%H%M%S")
			else:  # a date-only UNTIL includes that whole local day
				wall = datetime.strptime(day, "%Y%m%d") + timedelta(days=1) - timedelta(seconds=1)
		except ValueError:
			raise _refuse("Bad UNTIL in recurrence rule: {0!r}", text) from None
		return "UNTIL=" + wall_to_instant(wall, zone).strftime("%Y%m%dT%H%M%SZ")

	return _UNTIL.sub(to_utc, rule)


def parse_rule(text: str, zone: tzinfo, dtstart: datetime) -> Rule:
	"""The rule ``text`` for a block starting at ``dtstart`` (aware), on ``zone``'s wall clock."""
	rule = _normalise_rule(text, zone)
	start = dtstart.astimezone(zone).replace(tzinfo=None, microsecond=0)
	parts: dict[str, str] = {}
	for item in rule.split(";"):
		key, sep, value = item.partition("=")
		if not sep or not value or key in parts:
			raise _refuse("Cannot read recurrence rule {0!r}", text)
		parts[key] = value
	freq = parts.pop("FREQ")
	if freq in ("SECONDLY", "MINUTELY"):
		raise _refuse("Blocked times may repeat at most hourly")
	if freq not in FREQS:
		raise _refuse("Unknown recurrence frequency {0}", freq)
	values: dict = {"freq": freq, "start": start}
	if "INTERVAL" in parts:
		values["interval"] = _ints(parts.pop("INTERVAL"), "INTERVAL", 1, 1000)[0]
	if "COUNT" in parts and "UNTIL" in parts:
		raise _refuse("A recurrence rule has COUNT or UNTIL, not both")
	if "COUNT" in parts:
		values["count"] = _ints(parts.pop("COUNT"), "COUNT", 1, MAX_OCCURRENCES)[0]
	if "UNTIL" in parts:
		text_until = parts.pop("UNTIL")
		try:
			until = datetime.strptime(text_until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
		except ValueError:
			raise _refuse("Bad UNTIL in recurrence rule: {0!r}", text) from None
		values["until"] = until.astimezone(zone).replace(tzinfo=None)
	for key, field, low, high, nonzero in (
		("BYMONTH", "bymonth", 1, 12, False),
		("BYMONTHDAY", "bymonthday", -31, 31, True),
		("BYHOUR", "byhour", 0, 23, False),
		("BYMINUTE", "byminute", 0, 59, False),
		("BYSETPOS", "bysetpos", -366, 366, True),
	):
		if key in parts:
			values[field] = _ints(parts.pop(key), key, low, high, nonzero=nonzero)
	if "BYDAY" in parts:
		days = []
		for part in parts.pop("BYDAY").split(","):
			match = _BYDAY.match(part)
			if not match:
				raise _refuse("BYDAY must list days like MO or 1MO: {0!r}", part)
			ordinal = int(match.group(1)) if match.group(1) else None
			if ordinal is not None and (freq not in ("MONTHLY", "YEARLY") or not 1 <= abs(ordinal) <= 53):
				raise _refuse("BYDAY with a number (like 1MO) needs FREQ=MONTHLY or YEARLY")
			days.append((WEEKDAYS.index(match.group(2)), ordinal))
		values["byday"] = tuple(dict.fromkeys(days))
	if "WKST" in parts:
		day = parts.pop("WKST")
		if day not in WEEKDAYS:
			raise _refuse("WKST must be a weekday like MO")
		values["wkst"] = WEEKDAYS.index(day)
	if parts:
		raise _refuse("Recurrence rule parts not supported: {0}", ", ".join(sorted(parts)))
	# the defaults RFC 5545 takes from DTSTART
	if not values.get("bymonthday") and not values.get("byday"):
		if freq == "YEARLY":
			values["bymonth"] = values.get("bymonth") or (start.month,)
			values["bymonthday"] = (start.day,)
		elif freq == "MONTHLY":
			values["bymonthday"] = (start.day,)
		elif freq == "WEEKLY":
			values["byday"] = ((start.weekday(), None),)
	if freq != "HOURLY" and not values.get("byhour"):
		values["byhour"] = (start.hour,)
	if not values.get("byminute"):
		values["byminute"] = (start.minute,)
	return Rule(**values)


# --- periods and their candidates --------------------------------------------------------


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
	index = year * 12 + (month - 1) + months
	return index // 12, index % 12 + 1


def _period_index(rule: Rule, wall: datetime) -> int:
	"""The number of the period (of FREQ × INTERVAL) that contains ``wall``."""
	start = rule.start
	if rule.freq == "YEARLY":
		units = wall.year - start.year
	elif rule.freq == "MONTHLY":
		units = (wall.year - start.year) * 12 + wall.month - start.month
	elif rule.freq == "WEEKLY":
		units = (_week_start(wall.date(), rule.wkst) - _week_start(start.date(), rule.wkst)).days // 7
	elif rule.freq == "DAILY":
		units = (wall.date() - start.date()).days
	else:
		units = int(
			(wall.replace(minute=0, second=0) - start.replace(minute=0, second=0)) / timedelta(hours=1)
		)
	return units // rule.interval


def _week_start(day: date, wkst: int) -> date:
	return day - timedelta(days=(day.weekday() - wkst) % 7)


def _nth_weekdays(days: list[date], weekday: int, ordinal: int | None) -> list[date]:
	matching = [day for day in days if day.weekday() == weekday]
	if ordinal is None:
		return matching
	index = ordinal - 1 if ordinal > 0 else len(matching) + ordinal
	return [matching[index]] if 0 <= index < len(matching) else []


def _is_monthday(day: date, monthdays: tuple[int, ...]) -> bool:
	length = calendar.monthrange(day.year, day.month)[1]
	return any(day.day == (d if d > 0 else length + 1 + d) for d in monthdays)


def _month_days(rule: Rule, year: int, month: int) -> list[date]:
	"""Days of one month that the rule's BYMONTHDAY and BYDAY select (month scope)."""
	length = calendar.monthrange(year, month)[1]
	days = [date(year, month, d) for d in range(1, length + 1)]
	chosen = set(days)
	if rule.bymonthday:
		wanted = {d if d > 0 else length + 1 + d for d in rule.bymonthday}
		chosen &= {day for day in days if day.day in wanted}
	if rule.byday:
		chosen &= {d for weekday, n in rule.byday for d in _nth_weekdays(days, weekday, n)}
	return sorted(chosen)


def _period_days(rule: Rule, index: int) -> list[date]:
	"""Candidate days of period ``index`` (before BYSETPOS and times)."""
	start = rule.start
	step = index * rule.interval
	months = rule.bymonth
	if rule.freq == "YEARLY":
		year = start.year + step
		if not 1 <= year <= 9999:
			return []
		if months or not rule.byday or all(n is None for _wd, n in rule.byday):
			return [d for m in (months or range(1, 13)) for d in _month_days(rule, year, m)]
		# BYDAY with ordinals and no BYMONTH: the nth weekday of the *year* (RFC 5545), which
		# BYMONTHDAY then only limits: 1TU with BYMONTHDAY=1 is 1 January when that is the
		# year's first Tuesday, never the first of another month
		days = [date(year, 1, 1) + timedelta(days=i) for i in range(366 if calendar.isleap(year) else 365)]
		chosen = {d for weekday, n in rule.byday for d in _nth_weekdays(days, weekday, n)}
		if rule.bymonthday:
			chosen = {d for d in chosen if _is_monthday(d, rule.bymonthday)}
		return sorted(chosen)
	if rule.freq == "MONTHLY":
		year, month = _add_months(start.year, start.month, step)
		if not 1 <= year <= 9999 or (months and month not in months):
			return []
		return _month_days(rule, year, month)
	if rule.freq == "WEEKLY":
		first = _week_start(start.date(), rule.wkst) + timedelta(weeks=step)
		days = [first + timedelta(days=i) for i in range(7)]
	elif rule.freq == "DAILY":
		days = [start.date() + timedelta(days=step)]
	else:
		days = [(start.replace(minute=0, second=0) + timedelta(hours=step)).date()]
	out = []
	for day in days:
		if months and day.month not in months:
			continue
		if rule.bymonthday:
			length = calendar.monthrange(day.year, day.month)[1]
			if day.day not in {d if d > 0 else length + 1 + d for d in rule.bymonthday}:
				continue
		if rule.byday and day.weekday() not in {weekday for weekday, _n in rule.byday}:
			continue
		out.append(day)
	return out


def _period_times(rule: Rule, index: int) -> list[datetime]:
	"""Candidate wall times of period ``index``, BYSETPOS applied, in order."""
	days = _period_days(rule, index)
	if not days:
		return []
	second = rule.start.second
	if rule.freq == "HOURLY":
		hour = (rule.start.replace(minute=0, second=0) + timedelta(hours=index * rule.interval)).hour
		if rule.byhour and hour not in rule.byhour:
			return []
		hours = (hour,)
	else:
		hours = sorted(rule.byhour)
	times = sorted(
		datetime(day.year, day.month, day.day, hour, minute, second)
		for day in days
		for hour in hours
		for minute in rule.byminute
	)
	if rule.bysetpos:
		times = sorted(
			{
				times[p - 1 if p > 0 else len(times) + p]
				for p in rule.bysetpos
				if -len(times) <= p <= len(times) and p
			}
		)
	return times


def occurrences(
	rule: Rule, after: datetime, before: datetime, work: list | None = None
) -> Iterator[datetime]:
	"""Wall times of the rule in [after, before), DTSTART included, bounded by work.
	``work``, when given, receives the number of periods walked."""
	if rule.count is not None:
		yield from _counted(rule, after, before, work)
		return
	end = min(before, rule.until + timedelta(microseconds=1)) if rule.until else before
	if rule.start >= after and rule.start < end:
		yield rule.start
	first = max(0, _period_index(rule, after) - 1)  # the period before the window
	walked = candidates = 0
	index = first
	try:
		while True:
			if walked >= MAX_PERIODS:
				raise _refuse("The requested window is too long for this recurrence rule")
			if _period_start(rule, index) >= end:
				return
			times = _period_times(rule, index)
			walked += 1
			candidates += len(times) or 1
			if candidates > MAX_CANDIDATES:
				raise _refuse("This recurrence rule is too expensive to expand")
			for wall in times:
				if wall >= end:
					return
				if wall >= after and wall > rule.start:
					yield wall
			index += 1
	finally:
		if work is not None:
			work.append(walked)


def _period_start(rule: Rule, index: int) -> datetime:
	"""A wall time no later than every candidate of period ``index``."""
	start, step = rule.start, index * rule.interval
	if rule.freq == "YEARLY":
		return datetime(min(start.year + step, 9999), 1, 1)
	if rule.freq == "MONTHLY":
		year, month = _add_months(start.year, start.month, step)
		return datetime(min(year, 9999), month, 1)
	if rule.freq == "WEEKLY":
		return datetime.combine(
			_week_start(start.date(), rule.wkst) + timedelta(weeks=step), datetime.min.time()
		)
	if rule.freq == "DAILY":
		return datetime.combine(start.date() + timedelta(days=step), datetime.min.time())
	return start.replace(minute=0, second=0) + timedelta(hours=step)


def _counted(rule: Rule, after: datetime, before: datetime, work: list | None = None) -> Iterator[datetime]:
	"""A COUNT rule from its start: DTSTART, then the rule's times, COUNT in all."""
	found = 1
	if after <= rule.start < before:
		yield rule.start
	walked = candidates = 0
	index = 0
	if work is not None:
		work.append(0)
	while found < rule.count:
		if work is not None:
			work[-1] = walked
		if walked >= MAX_PERIODS or candidates > MAX_CANDIDATES:
			raise _refuse(
				"This recurrence rule repeats too rarely for its COUNT (or never): use UNTIL instead"
			)
		times = _period_times(rule, index)
		walked += 1
		candidates += len(times) or 1
		for wall in times:
			if wall <= rule.start:
				continue
			if wall >= before:
				return
			found += 1
			if wall >= after:
				yield wall
			if found >= rule.count:
				return
		index += 1


def validate_rrule(text: str, zone: tzinfo, dtstart: datetime) -> None:
	"""Raise InvalidRecurrence unless ``text`` is a rule whose expansion is bounded."""
	rule = parse_rule(text, zone, dtstart)
	if rule.count is not None:  # must reach its COUNT within the bounds
		for _wall in _counted(rule, rule.start, datetime(9999, 12, 31)):
			pass


def expand_blocked(
	blocked: BlockedTime, zone: tzinfo, window_start: datetime, window_end: datetime
) -> list[tuple]:
	"""Occurrences of ``blocked`` overlapping [window_start, window_end) as instant pairs."""
	if not blocked.rrule:
		if blocked.end > window_start and blocked.start < window_end:
			return [(blocked.start, blocked.end)]
		return []
	local_start = blocked.start.astimezone(zone)
	first_wall = local_start.replace(tzinfo=None, microsecond=0)
	wall_length = blocked.end.astimezone(zone).replace(tzinfo=None) - local_start.replace(tzinfo=None)
	# A DST change inside a short block can make its wall length zero or negative: then
	# every occurrence lasts the block's real length instead.
	real_length = blocked.end - blocked.start if wall_length <= timedelta(0) else None
	rule = parse_rule(blocked.rrule, zone, blocked.start)
	margin = abs(wall_length) + (real_length or timedelta(0)) + timedelta(days=1)
	after = (window_start - margin).astimezone(zone).replace(tzinfo=None)
	before = (window_end + timedelta(days=1)).astimezone(zone).replace(tzinfo=None)
	out: list[tuple] = []
	for count, wall in enumerate(occurrences(rule, after, before)):
		if count >= MAX_OCCURRENCES:
			raise _refuse(
				"Recurrence rule yields more than {0} occurrences in the requested window", MAX_OCCURRENCES
			)
		if wall == first_wall:  # the block itself, at the very instant it starts
			start, end = blocked.start, blocked.end
		else:
			# an occurrence starting or ending in a spring-forward gap starts or ends when the
			# gap ends (docs/engine.md, DST), like working hours do
			start = wall_to_instant_gapless(wall, zone)
			end = start + real_length if real_length else wall_to_instant_gapless(wall + wall_length, zone)
		if end > start and end > window_start and start < window_end:
			out.append((start.astimezone(UTC), end.astimezone(UTC)))
	return out
