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


def _gapless(wall: datetime, zone: ZoneInfo) -> datetime:
	"""A wall time in a spring-forward gap stands for the end of the gap: the first wall
	minute after it that exists."""
	while not _exists(wall, zone):
		wall += timedelta(minutes=1)
	return _instant(wall, zone), wall


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
	"""DTSTART is the first occurrence (at the block's own instant); dateutil gives the
	rule's later times; COUNT counts DTSTART too."""
	out = []
	for item in availability.blocked:
		if not item.rrule:
			out.append((item.start, item.end))
			continue
		start_local = item.start.astimezone(zone)
		first = start_local.replace(tzinfo=None)
		length = item.end.astimezone(zone).replace(tzinfo=None) - first
		text = item.rrule[6:] if item.rrule.upper().startswith("RRULE:") else item.rrule
		count = None
		parts = []
		for part in text.split(";"):
			if part.upper().startswith("COUNT="):
				count = int(part.split("=")[1])
			else:
				parts.append(part)
		out.append((item.start, item.end))
		n = 1
		for occurrence in rrulestr(";".join(parts), dtstart=first):
			if count is not None and n >= count:
				break
			if occurrence <= first:
				continue
			occ_start = _instant(occurrence, zone)
			if occ_start > hi:
				break
			# a wall time in a spring-forward gap stands for the end of the gap (docs/engine.md)
			out.append((_gapless(occurrence, zone)[0], _gapless(occurrence + length, zone)[0]))
			n += 1
	return [(a, b) for a, b in out if b > lo - timedelta(days=3) and a < hi + timedelta(days=3)]


def _available(availability, zone, first: date, last: date) -> list:
	ranges = []  # (date, wall_start, wall_end, start, end)
	day = first
	while day <= last:
		midnight = datetime(day.year, day.month, day.day)
		for a, b in _day_minutes(availability, day):
			ws, we = midnight + timedelta(minutes=a), midnight + timedelta(minutes=b)
			s, ws = _gapless(ws, zone)
			e, _we = _gapless(we, zone)
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


def _context(host, policy, window_start, window_end):
	availability = host.availability
	zone = ZoneInfo(availability.timezone)
	first = window_start.astimezone(zone).date() - timedelta(days=2)
	reach = timedelta(minutes=policy.duration)
	last = (window_end + reach).astimezone(zone).date() + timedelta(days=2)
	ranges = _available(availability, zone, first, last)
	blocked = _blocked(
		availability, zone, window_start - timedelta(days=3), window_end + reach + timedelta(days=3)
	)
	return zone, ranges, blocked


def _grid(ranges, zone, step):
	"""(start, range start, range end) for every wall-clock grid point of every range."""
	for _day, ws, we, s_range, e_range in ranges:
		wall = ws
		while wall < we:
			if _exists(wall, zone):
				yield _instant(wall, zone), s_range, e_range
			wall += step


def _seated(policy, booking) -> bool:
	# a policy of no meeting type has no seats of its own: a booking of no type is another meeting
	return (
		getattr(policy, "seats", 1) > 1
		and policy.meeting_type is not None
		and booking.meeting_type == policy.meeting_type
	)


def _slots_of(policy, bookings) -> int:
	"""How many meetings ``bookings`` are: the seats of one slot (same seated type, same
	start) are one."""
	return len({(b.meeting_type, b.start) if _seated(policy, b) else id(b) for b in bookings})


def _free(host, policy, zone, ranges, blocked, s, window_start, window_end, now, *, seat_of=None) -> bool:
	"""Every rule but the grid, for one host and start ``s``; with ``seat_of`` (the seats of
	an open slot at ``s``) the limits do not apply and those seats do not collide."""
	duration = timedelta(minutes=policy.duration)
	before, after = timedelta(minutes=policy.buffer_before), timedelta(minutes=policy.buffer_after)
	e = s + duration
	if not (window_start <= s < window_end and s >= now + timedelta(minutes=policy.min_notice)):
		return False
	if policy.max_advance_days is not None and s > now + timedelta(days=policy.max_advance_days):
		return False
	if not _covered(s, e, ranges, blocked):
		return False

	def counted(booking):
		return (
			policy.limits_count_all_types
			or policy.meeting_type is None
			or booking.meeting_type == policy.meeting_type
		)

	d = s.astimezone(zone).date()
	if policy.daily_limit is not None and seat_of is None:
		n = _slots_of(
			policy, [b for b in host.bookings if counted(b) and b.start.astimezone(zone).date() == d]
		)
		if n >= policy.daily_limit:
			return False
	if policy.weekly_limit is not None and seat_of is None:
		week = d - timedelta(days=(d.weekday() - policy.week_start) % 7)
		n = _slots_of(
			policy,
			[
				b
				for b in host.bookings
				if counted(b) and week <= b.start.astimezone(zone).date() < week + timedelta(days=7)
			],
		)
		if n >= policy.weekly_limit:
			return False
	for b in host.bookings:
		if seat_of is not None and any(b is seat for seat in seat_of):
			continue
		b0 = b.start - timedelta(minutes=b.buffer_before)
		b1 = b.end + timedelta(minutes=b.buffer_after)
		if s - before < b1 and e + after > b0:
			return False
	return not any(s - before < x.end and e + after > x.start for x in host.busy)


def open_seats(host, policy) -> dict:
	"""Open slots of a seated type: start -> its seats, when fewer than the policy's seats
	and as long as the policy's meeting."""
	slots: dict = {}
	for b in host.bookings:
		if _seated(policy, b):
			slots.setdefault(b.start, []).append(b)
	duration = timedelta(minutes=policy.duration)
	return {
		s: seats for s, seats in slots.items() if len(seats) < policy.seats and seats[0].end - s == duration
	}


def _joinable(host, policy, window_start, window_end, now) -> set:
	zone, ranges, blocked = _context(host, policy, window_start, window_end)
	return {
		s
		for s, seats in open_seats(host, policy).items()
		if _free(host, policy, zone, ranges, blocked, s, window_start, window_end, now, seat_of=seats)
	}


def host_starts(host, policy, window_start, window_end, now) -> list[datetime]:
	zone, ranges, blocked = _context(host, policy, window_start, window_end)
	step = timedelta(minutes=policy.interval or policy.duration)
	out = set()
	for s, s_range, e_range in _grid(ranges, zone, step):
		if s_range <= s < e_range and _free(
			host, policy, zone, ranges, blocked, s, window_start, window_end, now
		):
			out.add(s)
	return sorted(out | _joinable(host, policy, window_start, window_end, now))


def round_robin_starts(hosts, policy, window_start, window_end, now) -> dict:
	"""Each start and its free hosts; an open seated slot only for the hosts holding it."""
	free: dict[datetime, list[str]] = {}
	held: dict[datetime, list[str]] = {}
	for item in hosts:
		for s in host_starts(item, policy, window_start, window_end, now):
			free.setdefault(s, []).append(item.host)
		for s in _joinable(item, policy, window_start, window_end, now):
			held.setdefault(s, []).append(item.host)
	free.update(held)
	return free


def collective_starts(hosts, policy, window_start, window_end, now) -> list[datetime]:
	"""Every overlap of one day range of each host anchors a grid on the first host's wall
	clock (touching ranges are never merged); a start on it counts when every host is free."""
	contexts = [_context(h, policy, window_start, window_end) for h in hosts]
	zone = contexts[0][0]
	pieces = [(s, e) for _d, _ws, _we, s, e in contexts[0][1]]
	for _zone, ranges, _blocked in contexts[1:]:
		pieces = [
			(max(a, s), min(b, e))
			for a, b in pieces
			for _d, _ws, _we, s, e in ranges
			if max(a, s) < min(b, e)
		]
	step = timedelta(minutes=policy.interval or policy.duration)
	out = set()
	for a, b in pieces:
		wall = a.astimezone(zone).replace(tzinfo=None)
		while True:
			if _exists(wall, zone):
				s = _instant(wall, zone)
				if s >= b:
					break
				if s >= a and all(
					_free(h, policy, z, r, bl, s, window_start, window_end, now)
					for h, (z, r, bl) in zip(hosts, contexts, strict=True)
				):
					out.add(s)
			wall += step
	joinable = set.intersection(*(_joinable(h, policy, window_start, window_end, now) for h in hosts))
	return sorted(out | joinable)
