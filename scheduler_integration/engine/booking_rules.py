"""When a booking may change, when its reminders fall due, and when failed work retries.

- A guest may cancel or reschedule until ``notice`` minutes before the start.
- A reminder ``offset`` minutes before the start is due at ``start - offset``; one whose
  time has already passed is due now, unless less than half its offset remains before the
  start (booked at the last minute: a "24 h before" reminder 5 minutes ahead is noise).
- Failed work (a reminder, a calendar read or write, any after-commit effect) retries
  after 2^attempts minutes, at most a day, and is given up after ``max_attempts``; never
  sooner than a provider's ``Retry-After`` asked (``retry_wait``).
- A booking's after-commit effects run in the order they were planned: a row waits while
  an earlier row of its effect is unfinished, and a row of a later stage while another
  worker runs a first-stage row of the booking (``effects_to_run``).
- A pending booking nobody confirmed expires ``expiry_hours`` after it was made, or when
  its start has come, whichever is first.
- A confirmed meeting whose end has passed is over: the system marks it Completed (a host
  may have marked it No Show before; that stays).
- A due reminder is skipped when its booking is no longer confirmed or the meeting has
  already started.
- Follow-ups (``FOLLOW_UPS``): a thank-you after a completed meeting, a follow-up after a
  no-show, a win-back after a cancellation. Each is due ``delay`` minutes after its anchor
  (the meeting's end for the first two, the cancellation for a win-back), or now when that
  has passed. At send time a follow-up is skipped when the booking no longer has the
  status that planned it (a host corrected Completed to No Show), a win-back when the
  guest has booked again since, and any follow-up more than ``FOLLOW_UP_STALE`` after it
  fell due (a worker down for a week, a meeting marked completed long after): late
  thanks are noise.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta

from .i18n import _
from .statuses import Status

MAX_BACKOFF = timedelta(days=1)
FOLLOW_UP_STALE = timedelta(days=7)

# follow-up kind -> (the lifecycle event that plans it, the status the booking must keep)
FOLLOW_UPS = {
	"thank_you": ("completed", Status.COMPLETED.value),
	"no_show": ("no_show", Status.NO_SHOW.value),
	"win_back": ("cancelled", Status.CANCELLED.value),
}


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


def retry_wait(attempts: int, retry_after: float | None = None, conflict: bool = False) -> timedelta:
	"""``retry_delay``, but never sooner than the ``retry_after`` seconds a provider asked
	for (its ``Retry-After``), itself capped at a day. A first failure that was only a lock
	conflict (``conflict``: the database chose this transaction as a deadlock's victim and
	asks for it to be restarted) is retried at once: nothing failed, and waiting the
	backoff left a paid guest's refund unrecorded for minutes."""
	if conflict and int(attempts) <= 1:
		return timedelta(0)
	delay = retry_delay(attempts)
	if retry_after:
		delay = max(delay, min(timedelta(seconds=max(0.0, float(retry_after))), MAX_BACKOFF))
	return delay


def effects_to_run(
	rows: Sequence[tuple[str, bool, bool]], first: Collection[str], first_only: bool = False
) -> list[int]:
	"""Which of a booking's unfinished effect rows run now, as indexes into ``rows``: each
	(effect, running elsewhere, ready: pending and due), in the order they were planned.

	A row waits while an earlier row of its effect is unfinished (running elsewhere, or
	not ready). A row of an effect outside ``first`` waits while another worker runs a row
	of ``first`` (it may be storing what the later ones show), and when only the ``first``
	effects are asked for (``first_only``)."""
	first_running = any(running and effect in first for effect, running, _ready in rows)
	waiting: set[str] = set()
	run = []
	for index, (effect, running, ready) in enumerate(rows):
		if effect in waiting or running or not ready:
			waiting.add(effect)
		elif effect in first or not (first_only or first_running):
			run.append(index)
	return run


def give_up(attempts: int, max_attempts: int) -> bool:
	"""After the ``attempts``-th failure, stop retrying?"""
	return int(attempts) >= max(1, int(max_attempts))


def pending_expired(created: datetime, start: datetime, now: datetime, expiry_hours: int) -> bool:
	"""Has a pending booking made at ``created`` for ``start`` waited too long?"""
	return start <= now or created <= now - timedelta(hours=int(expiry_hours or 48))


def pending_expiry_cutoffs(now: datetime, expiry_hours: int) -> tuple[datetime, datetime]:
	"""(created before, starting before): the bounds of the query for expired pending
	bookings, the same rule as ``pending_expired``."""
	return now - timedelta(hours=int(expiry_hours or 48)), now


def meeting_over(end: datetime, now: datetime) -> bool:
	return end <= now


def reminder_skip_reason(status: str, start: datetime, now: datetime) -> str | None:
	"""Why a due reminder must not be sent now (None: send it)."""
	if status != Status.CONFIRMED:
		return _("Booking is no longer confirmed")
	if start <= now:
		return _("The meeting had already started")
	return None


# the status a booking must still have for the news of an event to be worth sending
_STILL = {
	"booked": (Status.CONFIRMED.value,),
	"pending": (Status.PENDING.value,),
	"confirmed": (Status.CONFIRMED.value,),
	"rescheduled": (Status.PENDING.value, Status.CONFIRMED.value),
}


def news_is_stale(event: str, status: str) -> bool:
	"""Has the booking moved on since ``event``, so that telling it now would mislead
	(a "confirmed" email after the guest already cancelled)? Cancellations and outcomes
	are never stale."""
	still = _STILL.get(event)
	return still is not None and status not in still


# events whose effects act on the booking as it is when they run (its time, its hosts), so
# two rows of one effect that run at the same booking sequence do the same thing twice
REPEATED_NEWS = frozenset({"rescheduled"})


def told_already(event: str, sequence: int, done_at_sequences) -> bool:
	"""May a row of ``event`` be passed over because an earlier row of the same effect and
	event ran at the booking's ``sequence`` (one more at every move)? Moves made before
	their effects ran all find the booking at its last sequence: its news is told once."""
	return event in REPEATED_NEWS and bool(sequence) and sequence in set(done_at_sequences)


def follow_up_for(event: str) -> str | None:
	"""The follow-up kind a lifecycle event plans (None: none)."""
	return next((kind for kind, (trigger, _status) in FOLLOW_UPS.items() if trigger == event), None)


def follow_up_due(anchor: datetime, delay_minutes: int, now: datetime) -> datetime:
	"""When a follow-up ``delay_minutes`` after ``anchor`` is due (now if that has passed)."""
	return max(anchor + timedelta(minutes=max(0, int(delay_minutes or 0))), now)


def follow_up_skip_reason(
	kind: str, status: str, due: datetime, now: datetime, *, booked_again: bool = False
) -> str | None:
	"""Why a due follow-up must not be sent now (None: send it)."""
	if kind not in FOLLOW_UPS:
		return _("Unknown follow-up")
	if status != FOLLOW_UPS[kind][1]:
		return _("The booking's status has changed since")
	if kind == "win_back" and booked_again:
		return _("The guest has booked again")
	if now > due + FOLLOW_UP_STALE:
		return _("Too late to follow up")
	return None
