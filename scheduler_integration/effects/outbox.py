"""The outbox: what follows a booking change is written down as rows in the change's own
transaction, then claimed, run and retried by workers, and never lost.

Two kinds of rows share one lifecycle:

- **Scheduler Booking Effect** — one row per effect of a lifecycle event
  (``effects.table``): Pending → Running (claimed by the job that runs it) → Done, or back
  to Pending with a later ``next_attempt_at`` after a failure, or Failed after the last
  attempt;
- **Scheduler Reminder** — reminders and follow-ups, due later (``effects.reminders``,
  ``effects.automations``): Pending → Queued (claimed by the per-minute dispatcher, its
  send job enqueued) → Sending (the job has it) → Sent, Skipped (no longer worth sending),
  back to Pending after a failure, or Failed after the last attempt.

For both: a row is claimed by a conditional or locking write before it runs, so two
workers never run it twice; what it does and its outcome commit together; a failure
rolls back what it wrote and waits ``engine.booking_rules.retry_wait`` (never sooner than
a provider's ``Retry-After``) until ``give_up``, then the row is Failed and an Error Log
names it; a claim older than ``STALE_CLAIM`` (its job was lost with a worker) is released
by the next per-minute sweep. Nothing here knows what a row does: ``effects.table`` and
``effects.reminders`` run them.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

import frappe
import redis
from frappe import _
from frappe.query_builder import DocType

from scheduler_integration.core import queue
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.engine.booking_rules import effects_to_run, give_up, retry_wait
from scheduler_integration.engine.validation import ANGLES

EFFECT = "Scheduler Booking Effect"
REMINDER = "Scheduler Reminder"

# the rows' statuses (their DocTypes' Select options)
PENDING = "Pending"  # both: waiting for its time (``next_attempt_at``)
RUNNING = "Running"  # an effect row, claimed by the job running it
DONE = "Done"
QUEUED = "Queued"  # a reminder row, claimed by the dispatcher; its send job is enqueued
SENDING = "Sending"  # a reminder row its send job has taken
SENT = "Sent"
SKIPPED = "Skipped"  # a reminder row no longer worth sending (its reason is stored)
FAILED = "Failed"  # both: the last attempt failed
WAITING = (PENDING, QUEUED)  # reminder rows that will still be sent unless skipped
CLAIMED = {EFFECT: (RUNNING,), REMINDER: (QUEUED, SENDING)}

# a site without an outgoing Email Account: the email waits for the administrator's set-up
# (the README's promise), re-checked this often, and the wait uses up none of its attempts
SETUP_WAIT = timedelta(minutes=15)
STALE_CLAIM = timedelta(minutes=10)  # a claim this old lost its job: released again
CLAIM_ATTEMPTS = 3  # a claim that lost a deadlock this often leaves its rows for later
DRAIN_SECONDS = 20  # how long a warm effects job goes on with other bookings
BATCH = 200  # bookings (effects) or reminders one per-minute run takes at most
RUN_BOOKING = "scheduler_integration.effects.run_booking"  # the effects job
WAITING_JOB = "scheduler_integration:effects_job_waiting"  # a job is queued and not started yet
WAITING_TTL = 30  # seconds: a job lost from its queue holds back others no longer than this


def error_text(exc: Exception) -> str:
	# a provider's answer may be quoted in it, and the desk shows the field as HTML
	return f"{type(exc).__name__}: {exc}".translate(ANGLES)[:1000]


def settle(doctype: str, name: str, status: str, now: datetime, **values) -> None:
	"""Store a claimed row's outcome (``values``: attempts, last_error, …) and release its
	claim; commits."""
	values = {"status": status, "claimed_at": None, "modified": to_system(now), **values}
	frappe.db.set_value(doctype, name, values, update_modified=False)
	frappe.db.commit()


def retry_or_fail(
	doctype: str, name: str, exc: Exception, attempts: int, max_attempts: int, now: datetime, **log
) -> str:
	"""After a row's ``attempts``-th failure (its writes rolled back): Pending again after the
	backoff, or Failed with an Error Log (``log``: title, reference_doctype, reference_name)
	once ``give_up`` says so. Returns the status."""
	error = error_text(exc)
	if isinstance(exc, frappe.OutgoingEmailError):
		settle(
			doctype,
			name,
			PENDING,
			now,
			attempts=attempts - 1,
			last_error=_("Waiting for an outgoing Email Account (Settings → Email Account): {0}").format(
				error
			)[:1000],
			next_attempt_at=to_system(now + SETUP_WAIT),
		)
		return PENDING
	if give_up(attempts, max_attempts):
		settle(doctype, name, FAILED, now, attempts=attempts, last_error=error)
		frappe.log_error(**log)
		frappe.db.commit()
		return FAILED
	wait = retry_wait(
		attempts, getattr(exc, "retry_after", None), conflict=isinstance(exc, frappe.QueryDeadlockError)
	)
	settle(
		doctype,
		name,
		PENDING,
		now,
		attempts=attempts,
		last_error=error,
		next_attempt_at=to_system(now + wait),
	)
	return PENDING


def release_stale(doctype: str, now: datetime) -> None:
	"""Rows claimed longer than ``STALE_CLAIM`` ago are Pending again (not committed)."""
	row = DocType(doctype)
	(
		frappe.qb.update(row)
		.set(row.status, PENDING)
		.set(row.claimed_at, None)
		.where(row.status.isin(CLAIMED[doctype]))
		.where(row.claimed_at < to_system(now - STALE_CLAIM))
		.run()
	)


# --- effect rows ---------------------------------------------------------------------


def plan(booking: str, event: str, effects: list[tuple[int, str]]) -> None:
	"""Write the rows of ``event``'s ``effects`` ((order, key), …) in the booking's
	transaction and run them in a job once it commits."""
	now = to_system(utc_now())
	frappe.db.bulk_insert(
		EFFECT,
		[
			"name",
			"booking",
			"lifecycle_event",
			"effect",
			"status",
			"seq",
			"attempts",
			"next_attempt_at",
			"creation",
			"modified",
		],
		[
			(frappe.generate_hash(length=12), booking, event, key, PENDING, seq, 0, now, now, now)
			for seq, key in effects
		],
	)
	frappe.db.after_commit.add(lambda: wake(booking))


def wake(booking: str) -> None:
	"""Queue the effects job for ``booking``, unless one is queued and has not started yet:
	that one runs every due booking when it starts (``table.run_booking`` drains), so under
	load one waiting job serves every change made meanwhile instead of one job each, and
	the queue stays short. The job drops the mark as it starts (``job_started``), before it
	reads due rows, so a change committed after that queues a job of its own; the mark
	expires after ``WAITING_TTL``, and the minute's sweep runs what a lost job would have."""
	key = frappe.cache.make_key(WAITING_JOB)
	if not redis.Redis.set(frappe.cache, key, booking, nx=True, ex=WAITING_TTL):
		return
	try:
		queue.enqueue(RUN_BOOKING, queue="short", booking=booking)
	except Exception:
		redis.Redis.delete(frappe.cache, key)
		raise


def job_started() -> None:
	"""The effects job has started: the next change needs a job of its own (``wake``)."""
	redis.Redis.delete(frappe.cache, frappe.cache.make_key(WAITING_JOB))


def again_on_conflict(work, *args):
	"""``work(*args)`` (a claim that commits), again on a fresh transaction when the
	database made it a deadlock's victim or its lock wait timed out (claims running at the
	same moment lock neighbouring index gaps); after ``CLAIM_ATTEMPTS`` it claims nothing
	(None) and the rows stay due for the next job or the minute's run."""
	for attempt in range(CLAIM_ATTEMPTS):
		try:
			return work(*args)
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			frappe.db.rollback()
			time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
	return None


def claim(booking: str, now: datetime, first: tuple[str, ...], first_only: bool = False) -> list:
	"""``_claim``, again when it lost a deadlock (rows of bookings planned at the same
	moment share index gaps): ``again_on_conflict``."""
	return again_on_conflict(_claim, booking, now, first, first_only) or []


def _claim(booking: str, now: datetime, first: tuple[str, ...], first_only: bool = False) -> list:
	"""Claim, in order, every row of ``booking`` that may run now (``first_only``: only
	rows of the ``first`` effects); one commit.

	The booking's unfinished rows are read with a lock, so a second worker waits here and
	then sees them Running. A row waits while an earlier row of its effect is unfinished
	(claimed by another worker, or not due yet), and a row of a later effect while another
	worker runs a row of a ``first`` effect (it may be storing the meeting link):
	``engine.booking_rules.effects_to_run``."""
	row = DocType(EFFECT)
	rows = (
		frappe.qb.from_(row)
		.select(
			row.name, row.lifecycle_event, row.effect, row.status, row.attempts, row.next_attempt_at, row.seq
		)
		.where(row.booking == booking)
		.where(row.status.isin([PENDING, RUNNING]))
		.orderby(row.creation)
		.orderby(row.seq)
		.for_update()
		.run(as_dict=True)
	)
	cutoff = to_system(now)
	states = [
		(
			found.effect,
			found.status == RUNNING,
			found.status == PENDING and (found.next_attempt_at is None or found.next_attempt_at <= cutoff),
		)
		for found in rows
	]
	claimed = [rows[index] for index in effects_to_run(states, first, first_only)]
	if claimed:
		_set_status([found.name for found in claimed], RUNNING, claimed_at=to_system(now), now=now)
	frappe.db.commit()
	return claimed


def unclaim(name: str, now: datetime) -> None:
	"""A claimed row waits again (an earlier row of its effect did not finish); commits."""
	_set_status([name], PENDING, now)
	frappe.db.commit()


def _set_status(names: list[str], status: str, now: datetime, claimed_at=None) -> None:
	row = DocType(EFFECT)
	(
		frappe.qb.update(row)
		.set(row.status, status)
		.set(row.claimed_at, claimed_at)
		.set(row.modified, to_system(now))
		.where(row.name.isin(names))
		.run()
	)


def done(
	name: str, now: datetime, result: str, attempts: int | None = None, sequence: int | None = None
) -> None:
	"""An effect row finished (with the booking at ``sequence``); commits."""
	values = {"done_at": to_system(now), "result": result, "last_error": None}
	if attempts is not None:
		values["attempts"] = attempts
	if sequence is not None:
		values["booking_sequence"] = sequence
	settle(EFFECT, name, DONE, now, **values)


def done_sequences(booking: str, effect: str, event: str) -> list[int]:
	"""The booking sequences at which rows of ``effect`` for ``event`` finished."""
	return frappe.db.sql_list(
		f"""select booking_sequence from `tab{EFFECT}` where booking = %s and effect = %s
		and lifecycle_event = %s and status = %s and booking_sequence > 0""",
		(booking, effect, event, DONE),
	)


def due_bookings(
	now: datetime, exclude=(), limit: int = 20, effects: tuple[str, ...] | None = None
) -> list[str]:
	"""Bookings with due rows (of ``effects``), the longest-waiting first; ``exclude``: a
	booking or several left out."""
	exclude = (exclude,) if isinstance(exclude, str) else tuple(exclude)
	return frappe.db.sql(
		f"""select booking from `tab{EFFECT}`
		where status = %(pending)s and next_attempt_at <= %(now)s and booking not in %(exclude)s
			{"and effect in %(effects)s" if effects else ""}
		group by booking order by min(next_attempt_at) limit %(limit)s""",
		{
			"pending": PENDING,
			"now": to_system(now),
			"exclude": exclude or ("",),
			"effects": effects,
			"limit": limit,
		},
		pluck=True,
	)


def sweep(now: datetime | None = None) -> int:
	"""Every minute: release lost claims and run every booking that has due effects."""
	now = now or utc_now()
	release_stale(EFFECT, now)
	bookings = due_bookings(now, limit=BATCH)
	frappe.db.commit()
	for booking in bookings:
		queue.enqueue(
			RUN_BOOKING,
			queue="short",
			booking=booking,
			job_id=f"scheduler-effects-sweep-{booking}",
			deduplicate=True,
		)
	return len(bookings)
