"""A deliberately naive re-statement of the slot rules, used as a test oracle.

It shares no code with the engine's algorithms (only the input records): it walks every
wall-clock candidate of every day and checks each rule directly against every input,
exactly as ``engine/slots.py`` documents them. Slow, obvious, independent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

UTC = timezone.utc


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
	return wall.replace(tzinfo=zone).astimezone(UTC)


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
	return _instant(wall, zone).astimezone(zone).replace(tzinfo=None) == wall


def _day_minutes(availability, day: date) -> list[tuple[int, int]]:
	overrides = [o for o in availability.overrides if o.date == day]
	if overrides:
		raw = [(r.start, r.end) for o in overrides for r in o.ranges]
	else:
		raw = [(r.start, r.end) for r in availability.weekly if r.weekday == day.weekday()]
	covered = sorted({m for a, b in raw for m in range(a, b)})
	out, start, prev = [], None, None
	for m in covered:
		if start is None:
			start = prev = m
		elif m == prev + 1:
			prev = m
		else:
			out.append((start, prev + 1))
			start = prev = m
	if start is not None:
		out.append((start, prev + 1))
	return out


def _blocked(availability, zone, lo: datetime, hi: datetime) -> list[tuple]:
	out = []
	for item in availability.blocked:
		if not item.rrule:
			out.append((item.start, item.end))
			continue
		start_local = item.start.astimezone(zone)
		length = item.end.astimezone(zone).replace(tzinfo=None) - start_local.replace(tzinfo=None)
		rule = item.rrule[6:] if item.rrule.upper().startswith("RRULE:") else item.rrule
		for occurrence in rrulestr(rule, dtstart=start_local.replace(tzinfo=None)):
			occ_start = _instant(occurrence, zone)
			if occ_start > hi:
				break
			out.append((occ_start, _instant(occurrence + length, zone)))
	return [(a, b) for a, b in out if b > lo - timedelta(days=3) and a < hi + timedelta(days=3)]


def _available(availability, zone, first: date, last: date) -> tuple[list, list]:
	ranges = []  # (date, wall_start, wall_end, start, end)
	day = first
	while day <= last:
		midnight = datetime(day.year, day.month, day.day)
		for a, b in _day_minutes(availability, day):
			ws, we = midnight + timedelta(minutes=a), midnight + timedelta(minutes=b)
			s, e = _instant(ws, zone), _instant(we, zone)
			if e > s:
				ranges.append((day, ws, we, s, e))
		day += timedelta(days=1)
	return ranges


def _covered(segment_start, segment_end, ranges, blocked) -> bool:
	t = segment_start
	while t < segment_end:
		nxt = None
		for _d, _ws, _we, s, e in ranges:
			if s <= t < e:
				nxt = e if nxt is None else max(nxt, e)
		if nxt is None:
			return False
		t = nxt
	return not any(a < segment_end and b > segment_start for a, b in blocked)


def host_starts(host, policy, window_start, window_end, now) -> list[datetime]:
	availability = host.availability
	zone = ZoneInfo(availability.timezone)
	first = window_start.astimezone(zone).date() - timedelta(days=2)
	last = window_end.astimezone(zone).date() + timedelta(days=2)
	ranges = _available(availability, zone, first, last)
	blocked = _blocked(availability, zone, window_start - timedelta(days=3), window_end + timedelta(days=3))
	duration = timedelta(minutes=policy.duration)
	step = timedelta(minutes=policy.interval or policy.duration)
	before, after = timedelta(minutes=policy.buffer_before), timedelta(minutes=policy.buffer_after)

	def counted(booking):
		return (
			policy.limits_count_all_types
			or policy.meeting_type is None
			or booking.meeting_type == policy.meeting_type
		)

	out = set()
	for _day, ws, we, s_range, e_range in ranges:
		wall = ws
		while wall < we:
			if _exists(wall, zone):
				s = _instant(wall, zone)
				e = s + duration
				ok = s_range <= s < e_range and window_start <= s < window_end
				ok = ok and s >= now + timedelta(minutes=policy.min_notice)
				if policy.max_advance_days is not None:
					ok = ok and s <= now + timedelta(days=policy.max_advance_days)
				ok = ok and _covered(s, e, ranges, blocked)
				if ok and policy.daily_limit is not None:
					d = s.astimezone(zone).date()
					n = sum(1 for b in host.bookings if counted(b) and b.start.astimezone(zone).date() == d)
					ok = n < policy.daily_limit
				if ok and policy.weekly_limit is not None:
					d = s.astimezone(zone).date()
					week = d - timedelta(days=(d.weekday() - policy.week_start) % 7)
					n = 0
					for b in host.bookings:
						bd = b.start.astimezone(zone).date()
						if counted(b) and week <= bd < week + timedelta(days=7):
							n += 1
					ok = n < policy.weekly_limit
				if ok:
					for b in host.bookings:
						b0 = b.start - timedelta(minutes=b.buffer_before)
						b1 = b.end + timedelta(minutes=b.buffer_after)
						if s - before < b1 and e + after > b0:
							ok = False
							break
				if ok:
					for x in host.busy:
						if s - before < x.end and e + after > x.start:
							ok = False
							break
				if ok:
					out.add(s)
			wall += step
	return sorted(out)


def round_robin_starts(hosts, policy, window_start, window_end, now) -> dict:
	free: dict[datetime, list[str]] = {}
	for item in hosts:
		for s in host_starts(item, policy, window_start, window_end, now):
			free.setdefault(s, []).append(item.host)
	return free
