"""A host's ICS subscription (iCalendar feed) -> busy ``Interval``s within a window.

What counts as busy, and when:

* every ``VEVENT`` except ``TRANSP:TRANSPARENT``, ``STATUS:CANCELLED`` and Outlook's
  ``X-MICROSOFT-CDO-BUSYSTATUS:FREE``; ``VFREEBUSY`` periods except ``FBTYPE=FREE``;
* times with a ``TZID`` are read in that zone (IANA names, Windows names and custom
  ``VTIMEZONE``s as the icalendar library resolves them; an unknown TZID without a
  ``VTIMEZONE`` reads like a floating time), UTC times as UTC, floating times on the
  host's clock;
* all-day (``DATE``) events block whole days *on the host's clock*: from host-local
  midnight of the first day to host-local midnight after the last (``DTEND`` is exclusive,
  no ``DTEND`` = one day);
* ``RRULE`` / ``RDATE`` / ``EXDATE`` expand on the wall clock of ``DTSTART``'s zone, so a
  09:00 Europe/Berlin weekly meeting stays at 09:00 Berlin time across DST (dateutil,
  like RFC 5545). ``DTSTART`` is always an occurrence. An occurrence lasts the exact
  ``DTEND - DTSTART``, or ``DURATION`` (whole days nominal, the rest exact), or its
  ``RDATE`` period;
* a ``VEVENT`` with a ``RECURRENCE-ID`` replaces that occurrence of its master (same
  ``UID``), also when moved out of the window; it is busy or not on its own terms;
* results are clipped to the window, merged and sorted.

Expansion is bounded, since anyone who can invite the host can plant an event in the feed:
rules without ``COUNT`` are fast-forwarded to the window, every rule stops at the window's
end (and cannot search past it for long, see ``_rule``), and a feed yielding more than
``max_occurrences`` occurrences in the window or taking longer than ``max_seconds`` to
expand is refused with ``FeedTooLarge`` (so is, with ``InvalidFeed``, a feed that is no
calendar at all). Refusing rather than truncating is deliberate: silently dropped busy time
would offer slots that clash with the host's calendar. One *event* that cannot be read (a
date that is none, a rule that is no rule, a ``COUNT`` over ``MAX_COUNT``) is left out and
named in ``unreadable`` (the connection shows it to the host), and the rest of the feed is
read: refusing the feed for it let any invitation hide the host's whole calendar.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from time import monotonic
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrule, rruleset, rrulestr

from ..engine.errors import SchedulingError
from ..engine.intervals import merge_pairs
from ..engine.model import Interval
from ..engine.timezones import UTC, get_zone, to_instant
from .errors import AdapterError, FeedTooLarge, FetchFailed, InvalidFeed, ProviderError
from .urlguard import URLGuard, redact, redact_urls

__all__ = ["MAX_COUNT", "MAX_OCCURRENCES", "ICSFeeds", "feed_url", "fetch_busy", "parse_busy"]

MAX_OCCURRENCES = 20_000  # per feed, inside the window
MAX_COUNT = 100_000  # largest RRULE COUNT expanded
MAX_SECONDS = 10.0  # CPU time one feed may take to expand
_CYCLE_YEARS = 400  # the Gregorian calendar repeats exactly every 400 years
_FAST_FORWARD = {
	"SECONDLY": timedelta(seconds=1),
	"MINUTELY": timedelta(minutes=1),
	"HOURLY": timedelta(hours=1),
	"DAILY": timedelta(days=1),
	"WEEKLY": timedelta(weeks=1),
}
_CHECKED = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
_ACCEPT = "text/calendar, text/plain;q=0.5, */*;q=0.1"


def feed_url(url: str) -> str:
	"""``webcal://`` (and ``webcals://``) subscription links are fetched over https."""
	text = (url or "").strip()
	lowered = text.lower()
	for prefix in ("webcals://", "webcal://"):
		if lowered.startswith(prefix):
			return "https://" + text[len(prefix) :]
	return text


def fetch_busy(
	url: str,
	window: Interval | tuple[datetime, datetime],
	host_timezone: str,
	fetcher: Callable[[str], bytes] | None = None,
	*,
	max_occurrences: int = MAX_OCCURRENCES,
	max_seconds: float = MAX_SECONDS,
	unreadable: list[str] | None = None,
) -> list[Interval]:
	"""Fetch the feed at ``url`` and return its busy time within ``window`` (``unreadable``:
	see ``parse_busy``).

	``fetcher(url) -> bytes`` does the download; by default ``URLGuard().get`` (public
	addresses only, 5 MB, 20 s). Raises the fetcher's calendar errors or ``InvalidFeed``;
	any other error of the fetcher becomes ``FetchFailed``. The link is the feed's secret,
	so no message names more of it than ``scheme://host/…`` (``urlguard.redact``).
	"""
	fetch = fetcher or URLGuard().get
	try:
		data = fetch(feed_url(url))
	except AdapterError:
		raise  # urlguard's messages are redacted where they are made
	except Exception as exc:  # an injected fetcher's error may quote the link itself
		text = redact_urls(f"{type(exc).__name__}: {exc}", [url, feed_url(url)])
		raise FetchFailed("Fetching {0} failed: {1}", redact(url), text) from None
	return parse_busy(
		data,
		window,
		host_timezone,
		max_occurrences=max_occurrences,
		max_seconds=max_seconds,
		unreadable=unreadable,
	)


class ICSFeeds:
	"""ICS subscriptions as a ``providers.CalendarProvider`` (named ``ics``): the
	"calendars" are feed URLs; busy only, a feed cannot be written."""

	name = "ics"

	def __init__(self, fetcher: Callable[[str], bytes] | None = None, **limits):
		self.fetcher = fetcher
		self.limits = limits
		self.unreadable: list[str] = []  # the events the last ``busy`` left out, and why

	def busy(self, calendars, start: datetime, end: datetime, zone: str) -> list[Interval]:
		window = Interval(start, end)
		self.unreadable = []
		pairs = [
			(i.start, i.end)
			for url in dict.fromkeys(calendars)
			for i in fetch_busy(url, window, zone, self.fetcher, unreadable=self.unreadable, **self.limits)
		]
		return [Interval(s, e) for s, e in merge_pairs(pairs)]

	def write(self, calendar, draft, event_id=None, with_meeting=False):
		raise ProviderError("An ICS feed is read-only: choose another destination calendar")

	def delete(self, calendar, draft=None, event_id=None):
		raise ProviderError("An ICS feed is read-only: choose another destination calendar")


def parse_busy(
	data: bytes | str,
	window: Interval | tuple[datetime, datetime],
	host_timezone: str,
	*,
	max_occurrences: int = MAX_OCCURRENCES,
	max_seconds: float = MAX_SECONDS,
	unreadable: list[str] | None = None,
) -> list[Interval]:
	"""Busy time of the ICS ``data`` within ``window`` (aware datetimes), merged and sorted.
	An event that cannot be read is left out and its reason added to ``unreadable``."""
	window_start, window_end = _window(window)
	host = _Clock(get_zone(host_timezone))
	calendar = _read(_near(data, window_start, window_end))
	budget = _Budget(max_occurrences, max_seconds)
	pairs: list[tuple[datetime, datetime]] = []

	events = list(calendar.walk("VEVENT"))
	replaced: dict[str, set] = {}
	unreadable_overrides = set()
	for event in events:
		if event.get("RECURRENCE-ID") is not None:
			try:
				_check_props(event)
				key = _occurrence_key(event.get("RECURRENCE-ID"), host)
			except FeedTooLarge:
				raise
			except InvalidFeed:
				unreadable_overrides.add(id(event))  # its master's occurrence stays busy
				continue
			replaced.setdefault(_uid(event), set()).add(key)

	for event in events:
		budget.check(_uid(event))
		try:
			if id(event) in unreadable_overrides:
				_check_props(event)  # raises again, with the reason
				raise InvalidFeed("Event {0} replaces an occurrence it cannot name", _uid(event))
			_check_props(event)
			is_override = event.get("RECURRENCE-ID") is not None
			if not _is_busy(event):
				continue
			skip = set() if is_override else replaced.get(_uid(event), set())
			for key, start, end in _occurrences(
				event, window_start, window_end, host, budget, single=is_override
			):
				if key in skip:
					continue
				if end > window_start and start < window_end:
					pairs.append((max(start, window_start), min(end, window_end)))
		except FeedTooLarge:
			raise
		except InvalidFeed as exc:
			# one event is left out, the rest of the feed is read: anyone who can invite the
			# host can plant an unreadable event, and refusing the feed for it hid every
			# other event of the host's calendar (the sync kept its last answer, a booking's
			# fresh read fell back to it)
			if unreadable is not None:
				unreadable.append(str(exc))

	for component in calendar.walk("VFREEBUSY"):
		try:
			pairs.extend(_freebusy(component, window_start, window_end, host, budget))
		except FeedTooLarge:
			raise
		except InvalidFeed as exc:
			if unreadable is not None:
				unreadable.append(str(exc))

	return [Interval(start, end) for start, end in merge_pairs(pairs)]


# --- reading --------------------------------------------------------------------------------


def _window(window) -> tuple[datetime, datetime]:
	try:
		start, end = (window.start, window.end) if isinstance(window, Interval) else window
		interval = Interval(to_instant(start, "window start"), to_instant(end, "window end"))
	except (TypeError, ValueError) as exc:
		if isinstance(exc, SchedulingError):
			raise
		raise InvalidFeed("window must be an Interval or a (start, end) pair of aware datetimes") from None
	return interval.start, interval.end


# Parsing a whole feed costs about 0.5 ms an event, and a booking reads its host's feed fresh
# for a window of two days: the events provably outside the window are left out before the
# parse (a feed of 500 events, read 32 bookings at a time, spent 70 % of a web worker's time
# in the parser). Only a plain event is left out: one DTSTART and one DTEND, each a UTC time,
# a floating time or a date, no recurrence of any kind (RRULE, RDATE, EXDATE, RECURRENCE-ID);
# a floating time or a date is a wall clock time somewhere between UTC-12 and UTC+14. Anything
# else, or anything the simple reading below does not recognise, is parsed as before.
_VEVENT = re.compile(rb"BEGIN:VEVENT\r?\n.*?END:VEVENT(?:\r?\n|$)", re.S)
_UNFOLD = re.compile(rb"\r?\n[ \t]")
_RECURRING = re.compile(rb"^(?:RRULE|RDATE|EXDATE|RECURRENCE-ID)[;:]", re.M | re.I)
_TIMES = re.compile(rb"^(DTSTART|DTEND|DURATION)([;:][^\r\n]*)\r?$", re.M | re.I)
# a date, or a date and time (a UTC one ends in Z); digits that are no real date leave the
# event to the parser, which refuses the feed for it as before
_DAY = rb"\d{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_VALUE = re.compile(
	rb"^(?:;VALUE=DATE)?:(?P<day>" + _DAY + rb")$"
	rb"|^(?:;VALUE=DATE-TIME)?:(?P<moment>" + _DAY + rb"T(?:[01]\d|2[0-3])[0-5]\d[0-5]\d)(?P<utc>Z?)$",
	re.I,
)
_WALL_CLOCK = timedelta(hours=14)  # how far a date or floating time may be from UTC


def _near(data, window_start: datetime, window_end: datetime):
	"""``data`` without the plain events that end before ``window_start`` or start after
	``window_end`` on any clock (see above); ``data`` itself when it leaves none out. Times
	are compared as their digits (``YYYYMMDDTHHMMSS``, a date at its midnight), which order
	as the times do."""
	raw = data.encode() if isinstance(data, str) else data
	if not isinstance(raw, bytes) or b"BEGIN:VEVENT" not in raw:
		return data
	stamp = "%Y%m%dT%H%M%S"
	utc_bounds = tuple(t.astimezone(UTC).strftime(stamp).encode() for t in (window_start, window_end))
	wall_bounds = (
		(window_start - _WALL_CLOCK).astimezone(UTC).strftime(stamp).encode(),
		(window_end + _WALL_CLOCK).astimezone(UTC).strftime(stamp).encode(),
	)
	dropped = 0

	def keep(match: re.Match) -> bytes:
		nonlocal dropped
		block = match.group(0)
		if b"\n " in block or b"\n\t" in block:
			block = _UNFOLD.sub(b"", block)
		span = _plain_span(block)
		if span is not None:
			start, end, utc = span
			lo, hi = utc_bounds if utc else wall_bounds
			if end <= lo or start >= hi:
				dropped += 1
				return b""
		return match.group(0)

	kept = _VEVENT.sub(keep, raw)
	return kept if dropped else data


def _plain_span(block: bytes) -> tuple[bytes, bytes, bool] | None:
	"""A plain event's start and end digits and whether they are UTC, or None. (It runs
	once an event of every feed a booking reads: written for speed, 25 µs an event.)"""
	if _RECURRING.search(block):
		return None
	found = _TIMES.findall(block)
	if len(found) != 2:
		return None  # a duration, a second DTSTART, no DTEND: the parser decides
	(first, first_value), (second, second_value) = found
	first, second = first.upper(), second.upper()
	if first == b"DTEND" and second == b"DTSTART":
		first_value, second_value = second_value, first_value
	elif first != b"DTSTART" or second != b"DTEND":
		return None
	start_match, end_match = _VALUE.match(first_value), _VALUE.match(second_value)
	if start_match is None or end_match is None:
		return None
	start_day, start_moment, start_utc = start_match.groups()
	end_day, end_moment, end_utc = end_match.groups()
	if (start_day is None) != (end_day is None) or start_utc != end_utc:
		return None  # not a well-formed plain event: the parser says what it is
	start, end = (start_day + b"T000000", end_day + b"T000000") if start_day else (start_moment, end_moment)
	if end < start:
		return None
	return start, end, bool(start_utc)


def _read(data: bytes | str) -> icalendar.Calendar:
	if isinstance(data, bytes):
		if data.startswith(b"\xef\xbb\xbf"):
			data = data[3:]
	elif isinstance(data, str):
		data = data.lstrip("\ufeff")
	else:
		raise InvalidFeed("Calendar feed must be bytes or text, got {0}", type(data).__name__)
	if not data.strip():
		raise InvalidFeed("Calendar feed is empty")
	try:
		with warnings.catch_warnings():
			warnings.simplefilter("ignore")  # e.g. icalendar guessing a vendor-prefixed TZID
			calendar = icalendar.Calendar.from_ical(data)
	except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError ...
		raise InvalidFeed("Calendar feed cannot be read: {0}", _short(exc)) from None
	if getattr(calendar, "name", None) != "VCALENDAR":
		raise InvalidFeed("Calendar feed is not a VCALENDAR")
	return calendar


def _short(value, limit: int = 200) -> str:
	text = str(value)
	return text if len(text) <= limit else text[:limit] + "…"


def _uid(component) -> str:
	return str(component.get("UID") or "")


def _check_props(component) -> None:
	for name, message in getattr(component, "errors", None) or ():
		if str(name).upper() in _CHECKED:
			raise InvalidFeed(
				"Event {0}: cannot read {1}: {2}", _uid(component) or "(no UID)", name, _short(message)
			)


def _is_busy(event) -> bool:
	if str(event.get("TRANSP", "OPAQUE")).strip().upper() == "TRANSPARENT":
		return False
	if event.get("X-SCHEDULER-SCHEDULER-BOOKING") is not None:  # the private "scheduler_booking"
		# an event the app wrote for one of its bookings (a group slot's too): the booking
		# itself is what occupies the time; read back as busy, a booking moved onto a time
		# its own old event covers would be refused
		return False
	if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
		return False
	if str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).strip().upper() == "FREE":
		return False
	return True


def _values(component, name: str) -> list:
	"""A property that may repeat: always a list."""
	value = component.get(name)
	if value is None:
		return []
	return list(value) if isinstance(value, list) else [value]


# --- clocks -------------------------------------------------------------------------------


class _Clock:
	"""Reads wall times of one zone as UTC instants and back (fold=0 / RFC 5545 reading)."""

	def __init__(self, zone: tzinfo):
		self.zone = zone
		self._localize = getattr(zone, "localize", None)  # pytz-style zones (icalendar 5)

	def instant(self, wall: datetime) -> datetime:
		if self._localize is None:
			return wall.replace(tzinfo=self.zone).astimezone(UTC)
		try:
			return self._localize(wall, is_dst=None).astimezone(UTC)
		except Exception as exc:  # pytz AmbiguousTimeError / NonExistentTimeError
			first = type(exc).__name__ == "AmbiguousTimeError"
			return self._localize(wall, is_dst=first).astimezone(UTC)

	def wall(self, instant: datetime) -> datetime:
		return instant.astimezone(self.zone).replace(tzinfo=None)

	def midnight(self, day: date) -> datetime:
		return self.instant(datetime.combine(day, time()))


_ZONES: dict[str, tzinfo | None] = {}


def _iana(name: str | None) -> tzinfo | None:
	"""ZoneInfo for an IANA name, also inside prefixes like '/mozilla.org/20050126_1/Europe/Berlin'."""
	if not name:
		return None
	name = str(name).strip().strip('"')
	if name in _ZONES:
		return _ZONES[name]
	found = None
	if name.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
		found = UTC
	else:
		parts = [p for p in name.split("/") if p]
		for size in (3, 2, 1):
			candidate = "/".join(parts[-size:])
			if len(parts) < size or not candidate:
				continue
			try:
				found = ZoneInfo(candidate)
				break
			except (ValueError, OSError, KeyError):
				continue
	if len(_ZONES) < 1000:
		_ZONES[name] = found
	return found


def _clock_of(value: datetime, params, host: _Clock) -> _Clock:
	"""The clock a date-time property is read on."""
	tz = value.tzinfo
	if tz is None:
		zone = _iana(params.get("TZID")) if params is not None else None
		return _Clock(zone) if zone else host  # floating, or an unknown TZID
	if value.utcoffset() == timedelta(0) and str(getattr(tz, "zone", None) or tz.tzname(value)).upper() in (
		"UTC",
		"Z",
		"GMT",
		"ETC/UTC",
	):
		return _Clock(UTC)
	zone = _iana(getattr(tz, "key", None) or getattr(tz, "zone", None))
	return _Clock(zone if zone else tz)


def _instant_of(value: datetime, params, host: _Clock) -> datetime:
	if value.tzinfo is None:
		return _clock_of(value, params, host).instant(value)
	return _clock_of(value, params, host).instant(value.replace(tzinfo=None))


def _occurrence_key(prop, host: _Clock):
	"""Identity of one occurrence: its date for all-day events, else its instant."""
	value = prop.dt
	if not isinstance(value, datetime):
		return ("date", value)
	return ("time", _instant_of(value, getattr(prop, "params", None), host))


# --- expansion ----------------------------------------------------------------------------


class _Budget:
	"""Caps the occurrences of one feed and the time spent expanding it."""

	def __init__(self, limit: int, seconds: float):
		self.limit = limit
		self.used = 0
		self.seconds = seconds
		self.deadline = monotonic() + seconds

	def spend(self, uid: str) -> None:
		self.used += 1
		if self.used > self.limit:
			raise FeedTooLarge(
				"Calendar feed has more than {0} occurrences in the requested window (at event {1})",
				self.limit,
				uid or "(no UID)",
			)
		self.check(uid)

	def check(self, uid: str) -> None:
		if monotonic() > self.deadline:
			raise FeedTooLarge(
				"Calendar feed takes longer than {0} seconds to expand (at event {1})",
				self.seconds,
				uid or "(no UID)",
			)


@dataclass
class _Shape:
	"""How long an occurrence lasts."""

	days: int = 0  # all-day events: whole host-local days
	exact: timedelta | None = None  # DTEND - DTSTART
	nominal_days: int = 0  # DURATION: days on the wall clock ...
	nominal_rest: timedelta = timedelta(0)  # ... plus exact time


def _shape(event, start_value, clock: _Clock, host: _Clock, uid: str) -> _Shape:
	all_day = not isinstance(start_value, datetime)
	end_prop = event.get("DTEND")
	duration_prop = event.get("DURATION")
	if end_prop is not None:
		end_value = end_prop.dt
		if all_day:
			if isinstance(end_value, datetime):
				raise InvalidFeed("Event {0}: DTSTART is a date but DTEND is a date-time", uid)
			return _Shape(days=max((end_value - start_value).days, 1))
		if not isinstance(end_value, datetime):
			raise InvalidFeed("Event {0}: DTSTART is a date-time but DTEND is a date", uid)
		start = clock.instant(start_value.replace(tzinfo=None))
		end = _instant_of(end_value, end_prop.params, host)
		return _Shape(exact=max(end - start, timedelta(0)))
	if duration_prop is not None:
		duration = duration_prop.dt
		if not isinstance(duration, timedelta) or duration < timedelta(0):
			raise InvalidFeed("Event {0}: DURATION must be a positive duration", uid)
		if all_day:
			whole = duration.days + (1 if duration.seconds or duration.microseconds else 0)
			return _Shape(days=max(whole, 1))
		return _Shape(nominal_days=duration.days, nominal_rest=duration - timedelta(days=duration.days))
	return _Shape(days=1) if all_day else _Shape(exact=timedelta(0))


def _span(wall: datetime, shape: _Shape, clock: _Clock, all_day: bool) -> tuple[datetime, datetime]:
	if all_day:
		day = wall.date()
		return clock.midnight(day), clock.midnight(day + timedelta(days=shape.days))
	start = clock.instant(wall)
	if shape.exact is not None:
		return start, start + shape.exact
	return start, clock.instant(wall + timedelta(days=shape.nominal_days)) + shape.nominal_rest


def _wall_of(value, clock: _Clock, params, host: _Clock, all_day: bool) -> datetime:
	"""A DATE / DATE-TIME value as a naive wall time on ``clock`` (the event's clock)."""
	if not isinstance(value, datetime):
		return datetime.combine(value, time())
	if value.tzinfo is None and not (params is not None and _iana(params.get("TZID"))):
		wall = value  # floating: already on the event's clock
	else:
		wall = clock.wall(_instant_of(value, params, host))
	return datetime.combine(wall.date(), time()) if all_day else wall


def _until_wall(until, clock: _Clock, all_day: bool) -> datetime:
	if not isinstance(until, datetime):
		# a date UNTIL includes that whole day
		return datetime.combine(until, time()) if all_day else datetime.combine(until, time(23, 59, 59))
	if until.tzinfo is None:
		wall = until
	else:
		wall = clock.wall(until.astimezone(UTC))
	return datetime.combine(wall.date(), time()) if all_day else wall


def _rule(
	prop, wall_start: datetime, clock: _Clock, all_day: bool, after: datetime, before: datetime, uid: str
):
	"""One RRULE as a dateutil rule on naive wall times, bounded to [after, before]."""
	parts = {str(k).upper(): v for k, v in dict(prop).items()}
	until_values = parts.pop("UNTIL", None)
	freq = str((parts.get("FREQ") or [""])[0]).upper()
	if "BYEASTER" in parts:
		raise InvalidFeed("Event {0}: BYEASTER is not part of iCalendar", uid)
	count = parts.get("COUNT")
	try:
		text = icalendar.vRecur(parts).to_ical().decode("ascii")
		rule = rrulestr(text, dtstart=wall_start)
	except Exception as exc:
		raise InvalidFeed("Event {0}: cannot read RRULE: {1}", uid, _short(exc)) from None
	if not isinstance(rule, rrule):
		raise InvalidFeed("Event {0}: RRULE must be a single rule", uid)
	if count:
		try:
			count_value = int(count[0] if isinstance(count, list) else count)
		except (TypeError, ValueError):
			raise InvalidFeed("Event {0}: RRULE COUNT is not a number", uid) from None
		if count_value > MAX_COUNT:
			raise InvalidFeed("Event {0}: RRULE COUNT {1} is larger than {2}", uid, count_value, MAX_COUNT)
	until = None
	if until_values:
		until = _until_wall(
			until_values[0] if isinstance(until_values, list) else until_values, clock, all_day
		)
	# Nothing after the window matters: stop there.
	bound = before if until is None else min(until, before)
	start = wall_start
	if not count and freq in _FAST_FORWARD:
		step = _FAST_FORWARD[freq] * max(int(rule._interval), 1)
		periods = (after - wall_start) // step - 1
		if periods > 0:
			start = wall_start + periods * step
	if bound < start:
		return ()
	# dateutil checks UNTIL only on candidates that pass the rule's filters, so a rule that
	# matches nothing after the window (or at all: BYMONTH=2;BYMONTHDAY=30) would search on
	# to the year 9999. Expanding in a copy of the calendar shifted by whole 400-year
	# Gregorian cycles (same weekdays, same leap years) puts the window's end within 400
	# years of 9999, which bounds that search.
	shift = max((9998 - bound.year) // _CYCLE_YEARS, 0) * _CYCLE_YEARS
	with warnings.catch_warnings():
		warnings.simplefilter("ignore", DeprecationWarning)  # COUNT together with UNTIL
		try:
			shifted = rule.replace(dtstart=_shift(start, shift), until=_shift(bound, shift))
		except (ValueError, TypeError, OverflowError) as exc:
			raise InvalidFeed("Event {0}: cannot expand RRULE: {1}", uid, _short(exc)) from None
	return _Unshifted(shifted, shift)


def _shift(wall: datetime, years: int) -> datetime:
	return wall.replace(year=wall.year + years) if years else wall


class _Unshifted:
	"""Iterates a rule expanded ``years`` later, yielding the real wall times."""

	def __init__(self, rule: rrule, years: int):
		self.rule = rule
		self.years = years

	def __iter__(self):
		for wall in self.rule:
			yield _shift(wall, -self.years)


def _occurrences(
	event,
	window_start: datetime,
	window_end: datetime,
	host: _Clock,
	budget: _Budget,
	*,
	single: bool = False,
) -> Iterator[tuple[tuple, datetime, datetime]]:
	"""(occurrence key, start instant, end instant) of ``event`` that may touch the window."""
	uid = _uid(event) or "(no UID)"
	start_prop = event.get("DTSTART")
	if start_prop is None or not isinstance(getattr(start_prop, "dt", None), date):
		raise InvalidFeed("Event {0} has no readable DTSTART", uid)
	start_value = start_prop.dt
	all_day = not isinstance(start_value, datetime)
	clock = host if all_day else _clock_of(start_value, start_prop.params, host)
	wall_start = _wall_of(start_value, clock, start_prop.params, host, all_day)
	shape = _shape(event, start_value, clock, host, uid)
	if not all_day and shape.exact == timedelta(0):
		return  # an instant, not a span: blocks nothing

	rules = [] if single else _values(event, "RRULE")
	rdates = [] if single else _values(event, "RDATE")
	if not rules and not rdates:
		budget.spend(uid)
		start, end = _span(wall_start, shape, clock, all_day)
		yield _key(wall_start, start, all_day), start, end
		return

	longest = timedelta(days=shape.days + shape.nominal_days + 1) + (shape.exact or shape.nominal_rest)
	after = clock.wall(window_start) - longest - timedelta(days=1)
	before = clock.wall(window_end) + timedelta(days=1)
	periods: dict[datetime, timedelta] = {}
	dates: set[date] = set()
	recurrence = rruleset()
	recurrence.rdate(wall_start)  # DTSTART is always the first occurrence
	for prop in rules:
		recurrence.rrule(_rule(prop, wall_start, clock, all_day, after, before, uid))
	for prop in rdates:
		params = getattr(prop, "params", None)
		for item in getattr(prop, "dts", None) or []:
			value = item.dt
			if isinstance(value, tuple):  # PERIOD: (start, end | duration)
				first, second = value
				wall = _wall_of(first, clock, params, host, all_day)
				if isinstance(second, timedelta):
					periods[wall] = second
				else:
					periods[wall] = _instant_of(second, params, host) - _instant_of(first, params, host)
			else:
				wall = _wall_of(value, clock, params, host, all_day)
			recurrence.rdate(wall)
	for prop in _values(event, "EXDATE"):
		params = getattr(prop, "params", None)
		for item in getattr(prop, "dts", None) or []:
			value = item.dt
			if not all_day and not isinstance(value, datetime):
				dates.add(value)  # a DATE EXDATE on a timed event drops that whole day
				continue
			recurrence.exdate(_wall_of(value, clock, params, host, all_day))

	try:
		for wall in recurrence.xafter(after, inc=True):
			if wall > before:
				break
			if dates and wall.date() in dates:
				continue
			budget.spend(uid)
			if wall in periods:
				start = clock.instant(wall)
				end = start + periods[wall]
			else:
				start, end = _span(wall, shape, clock, all_day)
			if end > window_start and start < window_end:
				yield _key(wall, start, all_day), start, end
	except InvalidFeed:
		raise  # the budget's refusal (an InvalidFeed is a ValueError too) stays what it is
	except (ValueError, TypeError, OverflowError) as exc:
		raise InvalidFeed("Event {0}: cannot expand its recurrence: {1}", uid, _short(exc)) from None


def _key(wall: datetime, start: datetime, all_day: bool) -> tuple:
	return ("date", wall.date()) if all_day else ("time", start)


def _freebusy(component, window_start: datetime, window_end: datetime, host: _Clock, budget: _Budget):
	_check_props(component)
	uid = _uid(component) or "(VFREEBUSY)"
	for prop in _values(component, "FREEBUSY"):
		params = getattr(prop, "params", None) or {}
		if str(params.get("FBTYPE", "BUSY")).upper() == "FREE":
			continue
		value = getattr(prop, "dt", None)
		if not isinstance(value, tuple):
			start_value, second = getattr(prop, "start", None), getattr(prop, "end", None)
			second = second if second is not None else getattr(prop, "duration", None)
		else:
			start_value, second = value
		if not isinstance(start_value, datetime):
			raise InvalidFeed("Free/busy {0}: cannot read period {1}", uid, _short(prop))
		start = _instant_of(start_value, params, host)
		if isinstance(second, timedelta):
			end = start + second
		elif isinstance(second, datetime):
			end = _instant_of(second, params, host)
		else:
			raise InvalidFeed("Free/busy {0}: cannot read period {1}", uid, _short(prop))
		budget.spend(uid)
		if end > window_start and start < window_end and end > start:
			yield max(start, window_start), min(end, window_end)
