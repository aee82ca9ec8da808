"""Out of office: a host's leave hides their times and may hand their work to a colleague.

A leave is a range of the host's own (host-local) dates, both ends included. Every date
of a leave is a day off, whatever the weekly hours or a date override say (an override is
a plan for a working day; a leave says the host is away). A holiday of the host's
Holiday List is a one-day leave without a colleague.

A leave may name a colleague (``delegate``) who covers it:

- the host's own page: a start on a leave date is the colleague's to host — the page
  offers the colleague's free times on those dates, and such a booking has the
  colleague as its host (``host_at``);
- round robin: the absent host is not free on a leave date, so never picked; their
  share goes to the colleague when the colleague is in the same pool — for that start
  the colleague counts with both weights and both booking counts (``hand_over``), so
  the colleague takes the bookings the absent host would have had, not the whole team.

Dates are what the host's calendar says, so a leave follows the host's zone through DST.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from .errors import InvalidRule
from .i18n import _
from .model import Availability, DateOverride, HostSchedule, Interval
from .timezones import get_zone

MAX_LEAVE_DAYS = 366  # one leave record; longer absences are several


@dataclass(frozen=True)
class Leave:
	start: date
	end: date
	delegate: str | None = None

	def __post_init__(self):
		for value in (self.start, self.end):
			if not isinstance(value, date) or isinstance(value, datetime):
				raise InvalidRule(_("A leave's dates must be dates"), "from_date")
		if self.end < self.start:
			raise InvalidRule(_("A leave cannot end before it starts"), "to_date")
		if (self.end - self.start).days >= MAX_LEAVE_DAYS:
			raise InvalidRule(_("A leave lasts at most {0} days"), "to_date", MAX_LEAVE_DAYS)

	def covers(self, day: date) -> bool:
		return self.start <= day <= self.end

	def days(self) -> Iterable[date]:
		for offset in range((self.end - self.start).days + 1):
			yield self.start + timedelta(days=offset)


def local_date(moment: datetime, zone: str) -> date:
	return moment.astimezone(get_zone(zone)).date()


def with_leave(availability: Availability, leaves: Iterable[Leave]) -> Availability:
	"""``availability`` with every date of ``leaves`` a day off."""
	away = {day for leave in leaves for day in leave.days()}
	if not away:
		return availability
	kept = [item for item in availability.overrides if item.date not in away]
	overrides = sorted([*kept, *(DateOverride(day) for day in away)], key=lambda item: item.date)
	return replace(availability, overrides=tuple(overrides))


def leave_windows(leaves: Iterable[Leave], zone: str) -> list[Interval]:
	"""The instants of ``leaves``: each from the first date's local midnight to the local
	midnight after the last date (DST-aware), in order, merged where they touch."""
	tz = get_zone(zone)
	spans = []
	for leave in sorted(leaves, key=lambda item: item.start):
		start = datetime.combine(leave.start, time(0), tz)
		end = datetime.combine(leave.end + timedelta(days=1), time(0), tz)
		spans.append((start, end))
	merged: list[list[datetime]] = []
	for start, end in spans:
		if merged and start <= merged[-1][1]:
			merged[-1][1] = max(merged[-1][1], end)
		else:
			merged.append([start, end])
	return [Interval(start, end) for start, end in merged]


def delegate_on(leaves: Iterable[Leave], day: date) -> str | None:
	"""The colleague covering ``day`` (the first leave naming one), None when nobody does."""
	for leave in sorted(leaves, key=lambda item: item.start):
		if leave.covers(day) and leave.delegate:
			return leave.delegate
	return None


def host_at(owner: str, leaves: Iterable[Leave], start: datetime, zone: str) -> str:
	"""Who hosts the owner's own meeting starting at ``start``: the owner, or the colleague
	covering that (owner-local) date."""
	return delegate_on(leaves, local_date(start, zone)) or owner


def hand_over(hosts: Sequence[HostSchedule], away: dict[str, str | None]) -> list[HostSchedule]:
	"""Round robin's view for one start: each absent host (``away``: host -> colleague or
	None) whose colleague is in the pool gives the colleague their weight and their count
	so far (and the higher priority); an absent host stays in the list as it was (it is not
	free, so never picked)."""
	by_host = {item.host: item for item in hosts}
	extra: dict[str, list[HostSchedule]] = {}
	for host, delegate in away.items():
		if host in by_host and delegate and delegate in by_host and delegate not in away:
			extra.setdefault(delegate, []).append(by_host[host])
	out = []
	for item in hosts:
		given = extra.get(item.host)
		if given:
			item = replace(
				item,
				weight=min(1_000_000, item.weight + sum(g.weight for g in given)),
				bookings_so_far=min(10**9, item.bookings_so_far + sum(g.bookings_so_far for g in given)),
				priority=max([item.priority, *(g.priority for g in given)]),
			)
		out.append(item)
	return out
