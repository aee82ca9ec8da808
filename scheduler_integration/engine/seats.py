"""Seats: one slot of a meeting type, many guests.

With ``SlotPolicy.seats`` above 1, the active bookings of the policy's ``meeting_type``
that start at the same instant are the *seats of one slot* (each booking is one guest's
seat, with its own manage link, emails and reminders). The rules, used by ``slots``:

* **Open slot.** A slot whose seats are not all taken, and whose meeting lasts the
  policy's duration, stays offered at its start for the host(s) holding it, and only for
  them (round robin: the slot's host is fixed by its first seat), as long as that start
  passes the window, notice and horizon rules, lies inside available time, and is free of
  every *other* booking and of busy time. Grid changes made since the first seat do not
  hide it.
* **Limits count slots, not seats.** The seats of one slot count once towards the daily
  and weekly limits, and joining an open slot is never refused by a limit (it adds no
  meeting to the host's day).
* **Full slot.** A slot with every seat taken blocks its time like any booking; so does a
  slot of another length (the type's duration changed since it was booked).

``taken`` tells the page how many seats each offered slot already has.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime

from .model import Booking, HostSchedule, SlotPolicy
from .timezones import from_tick

_MINUTE = 60_000_000  # ticks


def groups(bookings: Iterable[Booking], policy: SlotPolicy) -> dict[int, list[Booking]]:
	"""The seats of each slot of the policy's type among ``bookings``, by start tick
	(empty unless the policy has seats)."""
	out: dict[int, list[Booking]] = {}
	if policy.seats <= 1 or policy.meeting_type is None:
		return out
	for booking in bookings:
		if booking.meeting_type == policy.meeting_type:
			out.setdefault(booking.ticks[0], []).append(booking)
	return out


def limit_key(booking: Booking, policy: SlotPolicy):
	"""What a limit counts a booking as: its slot for a seat of the policy's type, else the
	booking itself."""
	if policy.seats > 1 and booking.meeting_type == policy.meeting_type:
		return (booking.meeting_type, booking.ticks[0])
	return id(booking)


def open_starts(
	host: HostSchedule,
	policy: SlotPolicy,
	fits: Sequence[tuple],
	lo: int,
	hi: int,
	*,
	busy: bool = True,
) -> list[int]:
	"""Start ticks of the host's open slots that may take one more seat: inside
	``[lo, hi)`` (window, notice, horizon), inside the ``fits`` spans (available time the
	meeting fits in) and, with ``busy``, free of every other booking and of busy time."""
	found = groups(host.bookings, policy)
	if not found:
		return []
	length = policy.duration * _MINUTE
	fit_starts = [span[0] for span in fits]
	index = _Bookings(host.bookings) if busy else None
	out = []
	for start, seats in found.items():
		if len(seats) >= policy.seats or seats[0].ticks[1] - start != length or not lo <= start < hi:
			continue
		at = bisect_right(fit_starts, start) - 1
		if at < 0 or start >= fits[at][1]:
			continue
		if index is not None and not _free(host, index, policy, start, seats):
			continue
		out.append(start)
	return sorted(out)


class _Bookings:
	"""A host's bookings by start, to find the few near one slot without reading them all
	for every open slot (a host with a seated slot each weekday and hundreds of bookings
	paid seats x bookings)."""

	def __init__(self, bookings: Sequence[Booking]):
		self.bookings = sorted(bookings, key=lambda booking: booking.ticks[0])
		self.starts = [booking.ticks[0] for booking in self.bookings]
		# a booking overlapping [first, last) starts before last + the longest buffer
		# before, and after first - the longest widened booking
		self.before = max((b.buffer_before for b in self.bookings), default=0) * _MINUTE
		self.span = max(
			(b.ticks[1] - b.ticks[0] + (b.buffer_before + b.buffer_after) * _MINUTE for b in self.bookings),
			default=0,
		)

	def near(self, first: int, last: int) -> list[Booking]:
		lo = bisect_right(self.starts, first - self.span)
		hi = bisect_left(self.starts, last + self.before)
		return self.bookings[lo:hi]


def _free(host: HostSchedule, index: _Bookings, policy: SlotPolicy, start: int, seats: list[Booking]) -> bool:
	"""The meeting at ``start``, widened by the policy's buffers, overlaps no booking but
	the slot's own seats (each widened by its buffers) and no busy time."""
	first = start - policy.buffer_before * _MINUTE
	last = start + (policy.duration + policy.buffer_after) * _MINUTE
	own = set(map(id, seats))
	for booking in index.near(first, last):
		if id(booking) in own:
			continue
		b0, b1 = booking.ticks
		if first < b1 + booking.buffer_after * _MINUTE and last > b0 - booking.buffer_before * _MINUTE:
			return False
	at = bisect_right(host.busy.starts, last - 1) - 1
	return at < 0 or host.busy.ends[at] <= first


def taken(hosts: Sequence[HostSchedule], policy: SlotPolicy) -> dict[datetime, int]:
	"""Seats already taken at each slot start of the policy's type (the most any one host
	holds: a collective slot's seats are every host's)."""
	out: dict[int, int] = {}
	for host in hosts:
		for start, seats in groups(host.bookings, policy).items():
			out[start] = max(out.get(start, 0), len(seats))
	return {from_tick(start): count for start, count in out.items()}
