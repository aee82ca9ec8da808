"""Plain rows (as ``frappe.get_all`` returns them) -> engine records.

The Frappe layer loads documents and hands their rows here; nothing in this module knows
about frappe, so the mapping is tested in the engine suite. Datetimes must already be
aware (the Frappe layer converts its naive system-zone values at the boundary).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Literal, get_args

from .errors import InvalidField, SchedulingError
from .i18n import _
from .model import (
	Availability,
	BlockedTime,
	DateOverride,
	LocalRange,
	SlotPolicy,
	WeeklyRange,
	parse_hhmm,
)
from .occurrences import MAX_OCCURRENCES, Occurrences, Repeat
from .teams import mode_from_label
from .validation import clean_duration

# a weekly rule's day, as the answers declare it (``core.answers``) and as the list
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAY_NAMES: tuple[str, ...] = get_args(Weekday)


def weekday_index(name: str | int) -> int:
	if isinstance(name, int) and 0 <= name <= 6:
		return name
	text = str(name or "").strip().lower()
	for index, day in enumerate(WEEKDAY_NAMES):
		if text in (day.lower(), day[:3].lower()):
			return index
	raise InvalidField(_("{0} is not a weekday"), "weekday", name)


def _range(row: Mapping, field_prefix: str = "") -> LocalRange:
	try:
		return LocalRange(
			parse_hhmm(row.get("from_time"), "from_time"), parse_hhmm(row.get("to_time"), "to_time")
		)
	except SchedulingError as exc:
		raise InvalidField(
			_("{0}: times must be HH:MM with From before To (To may be 24:00)"),
			exc.field or "from_time",
			field_prefix,
		) from None


def weekly_from_rows(rows: Iterable[Mapping]) -> tuple[WeeklyRange, ...]:
	out = []
	for row in rows:
		day = weekday_index(row.get("weekday"))
		local = _range(row, WEEKDAY_NAMES[day])
		out.append(WeeklyRange(day, local.start, local.end))
	return tuple(out)


def overrides_from_rows(rows: Iterable[Mapping]) -> tuple[DateOverride, ...]:
	"""Rows of one date are unioned; an Unavailable row contributes no range."""
	by_date: dict[date, list[LocalRange]] = {}
	for row in rows:
		day = row.get("date")
		if isinstance(day, datetime):
			day = day.date()
		if isinstance(day, str):
			day = date.fromisoformat(day)
		if not isinstance(day, date):
			raise InvalidField(_("Each date override needs a date"), "date")
		ranges = by_date.setdefault(day, [])
		if not row.get("unavailable"):
			ranges.append(_range(row, day.isoformat()))
	return tuple(DateOverride(day, tuple(ranges)) for day, ranges in sorted(by_date.items()))


def availability_from_rows(
	timezone: str,
	weekly_rows: Iterable[Mapping] = (),
	override_rows: Iterable[Mapping] = (),
	blocked_rows: Iterable[Mapping] = (),
) -> Availability:
	blocked = tuple(
		BlockedTime(row["start"], row["end"], (row.get("rrule") or "").strip() or None)
		for row in blocked_rows
	)
	# rows come from the database in no particular order: a canonical order makes equal
	# hours equal records, so a team sharing hours shares one availability computation
	weekly = tuple(sorted(weekly_from_rows(weekly_rows), key=lambda r: (r.weekday, r.start, r.end)))
	blocked = tuple(sorted(blocked, key=lambda b: (b.start, b.end, b.rrule or "")))
	return Availability(timezone, weekly, overrides_from_rows(override_rows), blocked)


def _none_if_zero(value) -> int | None:
	value = int(value or 0)
	return value or None


def policy_from_row(row: Mapping, meeting_type: str | None = None) -> SlotPolicy:
	"""A Scheduler Meeting Type row -> SlotPolicy. Zero limits/interval mean none/default."""
	duration = clean_duration(row.get("duration"), row.get("custom_duration"))
	return SlotPolicy(
		duration=duration,
		interval=_none_if_zero(row.get("slot_interval")),
		buffer_before=int(row.get("buffer_before") or 0),
		buffer_after=int(row.get("buffer_after") or 0),
		min_notice=int(row.get("min_notice") or 0),
		max_advance_days=_none_if_zero(row.get("max_advance_days")),
		daily_limit=_none_if_zero(row.get("daily_limit")),
		weekly_limit=_none_if_zero(row.get("weekly_limit")),
		meeting_type=meeting_type or row.get("name"),
		round_robin_mode=mode_from_label(row.get("round_robin_mode")),
		seats=max(1, int(row.get("seats_per_slot") or 1)),
	)


DAY_MODES = {"Consecutive Days": Repeat.DAYS, "Working Days": Repeat.WORKING_DAYS}
FREQUENCIES = {"Weekly": Repeat.WEEKLY, "Every 2 Weeks": Repeat.BIWEEKLY, "Monthly": Repeat.MONTHLY}
MAX_DAYS = 14


def multi_day_from_row(row: Mapping) -> Occurrences | None:
	"""A Scheduler Meeting Type row's days per booking (None: a single meeting)."""
	days = int(row.get("days") or 1)
	if days <= 1:
		return None
	if days > MAX_DAYS:
		raise InvalidField(_("A booking spans at most {0} days").format(MAX_DAYS), "days")
	return Occurrences(DAY_MODES.get(row.get("day_mode") or "", Repeat.DAYS), days)


def series_from_row(row: Mapping, count) -> Occurrences | None:
	"""A recurring series of ``count`` meetings of a type that allows one (None: a single
	meeting, asked for or not); more than the type allows is refused."""
	if not row.get("allow_series") or count in (None, "", 0, 1, "1"):
		return None
	most = min(int(row.get("series_max_count") or 1), MAX_OCCURRENCES)
	try:
		count = int(count)
	except (TypeError, ValueError):
		raise InvalidField(_("The number of meetings must be a whole number"), "count") from None
	if not 1 <= count <= most:
		raise InvalidField(_("A series has from 1 to {0} meetings").format(most), "count")
	return Occurrences(FREQUENCIES.get(row.get("series_frequency") or "", Repeat.WEEKLY), count)


def parse_offsets(text: str | None, default: tuple[int, ...] = (1440, 60)) -> tuple[int, ...]:
	"""'1440, 60' -> (1440, 60): reminder offsets in minutes, unique, largest first."""
	if text is None or not str(text).strip():
		return default
	values = set()
	for part in str(text).replace(";", ",").split(","):
		part = part.strip()
		if not part:
			continue
		if not part.isdigit() or not 0 < int(part) <= 60 * 24 * 60:
			raise InvalidField(
				_("Reminder offsets must be minutes between 1 and 86400, comma separated"), "reminder_offsets"
			)
		values.add(int(part))
	return tuple(sorted(values, reverse=True)) or default
