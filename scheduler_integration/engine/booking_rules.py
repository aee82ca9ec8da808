"""When a booking may change, when its reminders fall due, and when failed work retries.

- A guest may cancel or reschedule until ``notice`` minutes before the start.
- A reminder ``offset`` minutes before the start is due at ``start - offset``; one whose
  time has already passed is due now, unless less than half its offset remains before the
  start (booked at the last minute: a "24 h before" reminder 5 minutes ahead is noise).
- Failed work (a reminder, a calendar read or write) retries after 2^attempts minutes,
  at most a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

MAX_BACKOFF = timedelta(days=1)


def change_allowed(start: datetime, now: datetime, notice_minutes: int) -> bool:
	"""May the guest still cancel or reschedule a meeting starting at ``start``?"""
	return now <= start - timedelta(minutes=int(notice_minutes or 0))


def reminder_due_times(start: datetime, offsets: Iterable[int], now: datetime) -> list[tuple[int, datetime]]:
	"""(offset, due time) of each reminder worth sending, in the given offsets' order."""
	out = []
	for offset in offsets:
		due = start - timedelta(minutes=offset)
		if due <= now and start - now < timedelta(minutes=offset) / 2:
			continue
		out.append((offset, max(due, now)))
	return out


def retry_delay(attempts: int) -> timedelta:
	"""How long to wait after the ``attempts``-th failure."""
	return min(timedelta(minutes=2 ** min(int(attempts), 20)), MAX_BACKOFF)
