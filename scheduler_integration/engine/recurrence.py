"""Expansion of blocked times, optionally repeating by an RFC 5545 RRULE.

A repeating blocked time repeats on the host's wall clock: "12:00-13:00 every weekday"
stays 12:00-13:00 local across DST changes. The first occurrence is the blocked time's
own start (read in the host's zone); each occurrence lasts the same wall-clock length.

Accepted rule text: one line, ``FREQ=...`` with or without an ``RRULE:`` prefix. ``UNTIL``
may be UTC (``...Z``) or floating; a floating UNTIL is read on the host's clock, a
date-only UNTIL includes that whole local day. SECONDLY and MINUTELY rules are refused,
and an expansion yielding more than ``MAX_OCCURRENCES`` in one window is refused, so a
hostile rule cannot stall a request.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from dateutil.rrule import rrulestr

from .errors import InvalidRecurrence
from .model import BlockedTime
from .timezones import UTC, wall_to_instant

MAX_OCCURRENCES = 5000
MAX_RULE_LENGTH = 500
_UNTIL = re.compile(r"UNTIL=(\d{8})(T(\d{6}))?(Z?)", re.IGNORECASE)
_ALLOWED = re.compile(r"^[A-Z0-9=;,:+\-]+$")


def _normalise_rule(text: str, zone: tzinfo) -> str:
	rule = text.strip()
	if len(rule) > MAX_RULE_LENGTH:
		raise InvalidRecurrence(f"Recurrence rule is longer than {MAX_RULE_LENGTH} characters", "rrule")
	if rule.upper().startswith("RRULE:"):
		rule = rule[6:]
	rule = rule.upper()
	if not rule.startswith("FREQ=") and ";FREQ=" not in rule:
		raise InvalidRecurrence(f"Recurrence rule needs FREQ: {text!r}", "rrule")
	if not _ALLOWED.match(rule) or "DTSTART" in rule:
		raise InvalidRecurrence(f"Recurrence rule is not a single RRULE: {text!r}", "rrule")
	if re.search(r"FREQ=(SECONDLY|MINUTELY)", rule):
		raise InvalidRecurrence("Blocked times may repeat at most hourly", "rrule")
	if re.search(r"INTERVAL=0*(;|$)", rule):
		raise InvalidRecurrence("Recurrence INTERVAL must be at least 1", "rrule")

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
			raise InvalidRecurrence(f"Bad UNTIL in recurrence rule: {text!r}", "rrule") from None
		return "UNTIL=" + wall_to_instant(wall, zone).strftime("%Y%m%dT%H%M%SZ")

	return _UNTIL.sub(to_utc, rule)


def validate_rrule(text: str, zone: tzinfo, dtstart: datetime) -> None:
	"""Raise InvalidRecurrence unless ``text`` parses as a usable rule."""
	_parse(text, zone, dtstart)


def _parse(text: str, zone: tzinfo, dtstart: datetime):
	rule = _normalise_rule(text, zone)
	try:
		return rrulestr(rule, dtstart=dtstart.astimezone(zone))
	except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
		raise InvalidRecurrence(f"Cannot read recurrence rule {text!r}: {exc}", "rrule") from None


def expand_blocked(
	blocked: BlockedTime, zone: tzinfo, window_start: datetime, window_end: datetime
) -> list[tuple]:
	"""Occurrences of ``blocked`` overlapping [window_start, window_end) as instant pairs."""
	if not blocked.rrule:
		if blocked.end > window_start and blocked.start < window_end:
			return [(blocked.start, blocked.end)]
		return []
	local_start = blocked.start.astimezone(zone)
	wall_length = blocked.end.astimezone(zone).replace(tzinfo=None) - local_start.replace(tzinfo=None)
	# A DST change inside a short block can make its wall length zero or negative: then
	# every occurrence lasts the block's real length instead.
	real_length = blocked.end - blocked.start if wall_length <= timedelta(0) else None
	rule = _parse(blocked.rrule, zone, blocked.start)
	after = (window_start - abs(wall_length) - (real_length or timedelta(0)) - timedelta(days=1)).astimezone(
		zone
	)
	before = window_end.astimezone(zone)
	out: list[tuple] = []
	for count, occurrence in enumerate(rule.xafter(after, inc=True)):
		if occurrence >= before:
			break
		if count >= MAX_OCCURRENCES:
			raise InvalidRecurrence(
				f"Recurrence rule yields more than {MAX_OCCURRENCES} occurrences in the requested window",
				"rrule",
			)
		wall = occurrence.replace(tzinfo=None)
		start = wall_to_instant(wall, zone)
		end = start + real_length if real_length else wall_to_instant(wall + wall_length, zone)
		if end > start and end > window_start and start < window_end:
			out.append((start.astimezone(UTC), end))
	return out
