"""After-commit effects of booking changes: one explicit, ordered table.

A booking change (``engine.booking_states.lifecycle_event``: booked, pending, confirmed,
declined, cancelled, rescheduled, completed, no_show) is *planned* in the same transaction
that saves the booking: one Scheduler Booking Effect row per effect of ``TABLE`` that
handles the event. After the commit a job runs the booking's due rows in table order, each
in its own transaction and isolated from the others:

- an effect is planned only where it has something to do (``Effect.applies``: no video
  row for a meeting without a video location, no calendar row when no host writes
  bookings to a calendar);
- the job claims every row of the booking that may run now at once (a locking read, then
  Pending → Running, one commit), so two workers never run a row twice; what an effect
  writes and its Done mark commit together;
- a failure rolls back what the effect wrote, records the error and retries after
  ``engine.booking_rules.retry_wait`` (the backoff, never sooner than a provider's
  ``Retry-After``); after ``MAX_ATTEMPTS`` the row is Failed and an
  Error Log names the booking — the booking itself is never touched (invariant 5);
- rows of one booking and effect run in the order they were planned: a later row waits
  while an earlier one is not finished (a claimed later row goes back to Pending when the
  earlier one fails);
- nothing is lost when a worker was down or a job was dropped: ``sweep`` (every minute)
  runs every due row and releases claims older than ``STALE_CLAIM``;
- a job that has run its booking goes on with other bookings whose effects are due, for
  up to ``DRAIN_SECONDS``: a worker process starts cold (it imports and warms up for
  every job), so a burst of bookings is worked through by a few warm jobs instead of one
  cold job each. Those jobs run the ``FIRST`` effects of every due booking before the
  rest of any: in a burst, each guest's confirmation waits for the emails of the bookings
  ahead of it, not for all their CRM records too.

The order matters: the video meeting and the calendar write first (they store the meeting
link), then the emails, which carry it; then CRM (its tasks and events show the link too),
reminders, the follow-up automations and engagement. A row of a later effect waits while
another worker runs a ``FIRST`` row of its booking. A failed attempt of an effect that
sends to the guest (email, automations) is also written to the automation log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import frappe
from frappe.query_builder import DocType

from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.settings import setting
from scheduler_integration.effects import (
	automation_log,
	automations,
	calendar,
	crm,
	email,
	engagement,
	reminders,
	video,
)
from scheduler_integration.engine.booking_rules import effects_to_run, give_up, retry_wait

STALE_CLAIM = timedelta(minutes=10)
DRAIN_SECONDS = 20
SWEEP_BATCH = 200
ROW = "Scheduler Booking Effect"
LOGGED = ("email", "automations")  # effects whose failures the automation log shows

ALL = frozenset(
	{"booked", "pending", "confirmed", "declined", "cancelled", "rescheduled", "completed", "no_show"}
)


@dataclass(frozen=True)
class Effect:
	key: str
	events: frozenset[str]
	run: Callable  # (booking document, lifecycle event) -> short result text or None
	applies: Callable | None = None  # (booking document) -> whether to plan it at all


TABLE: tuple[Effect, ...] = (
	Effect("video", frozenset(video.EVENTS), video.on_event, video.applies),
	Effect("calendar", frozenset(calendar.EVENTS), calendar.on_event, calendar.applies),
	Effect("email", frozenset(email.EVENTS), email.on_event),
	Effect("crm", ALL, crm.on_event),
	Effect("reminders", frozenset(reminders.EVENTS), reminders.on_event),
	Effect("automations", frozenset(automations.EVENTS), automations.on_event),
	Effect("engagement", frozenset(engagement.EVENTS), engagement.on_event),
)
BY_KEY = {effect.key: effect for effect in TABLE}
FIRST = ("video", "calendar", "email")  # what a guest waits for: the confirmation and its link


def dispatch(doc, event: str | None) -> None:
	"""Plan the effects of ``event`` for booking ``doc`` (inside its transaction) and run
	them in a job once the transaction commits."""
	if not event:
		return
	now = to_system(utc_now())
	rows = [
		(frappe.generate_hash(length=12), doc.name, event, effect.key, "Pending", seq, 0, now, now, now)
		for seq, effect in enumerate(TABLE)
		if event in effect.events and (effect.applies is None or effect.applies(doc))
	]
	if not rows:
		return
	frappe.db.bulk_insert(
		ROW,
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
		rows,
	)
	frappe.enqueue(
		"scheduler_integration.effects.run_booking",
		queue="short",
		booking=doc.name,
		enqueue_after_commit=True,
	)


def _claim(booking: str, now: datetime, first_only: bool = False) -> list:
	"""Claim, in order, every row of ``booking`` that may run now (``first_only``: only
	rows of ``FIRST`` effects); one commit.

	The booking's unfinished rows are read with a lock, so a second worker waits here and
	then sees them Running. A row waits while an earlier row of its effect is unfinished
	(claimed by another worker, or not due yet), and a row of a later effect while another
	worker runs a ``FIRST`` row (it may be storing the meeting link):
	``engine.booking_rules.effects_to_run``."""
	row = DocType(ROW)
	rows = (
		frappe.qb.from_(row)
		.select(
			row.name, row.lifecycle_event, row.effect, row.status, row.attempts, row.next_attempt_at, row.seq
		)
		.where(row.booking == booking)
		.where(row.status.isin(["Pending", "Running"]))
		.orderby(row.creation)
		.orderby(row.seq)
		.for_update()
		.run(as_dict=True)
	)
	cutoff = to_system(now)
	states = [
		(
			found.effect,
			found.status == "Running",
			found.status == "Pending" and (found.next_attempt_at is None or found.next_attempt_at <= cutoff),
		)
		for found in rows
	]
	claimed = [rows[index] for index in effects_to_run(states, FIRST, first_only)]
	if claimed:
		_set_status([found.name for found in claimed], "Running", claimed_at=to_system(now), now=now)
	frappe.db.commit()
	return claimed


def _set_status(names: list[str], status: str, now: datetime, claimed_at=None) -> None:
	row = DocType(ROW)
	(
		frappe.qb.update(row)
		.set(row.status, status)
		.set(row.claimed_at, claimed_at)
		.set(row.modified, to_system(now))
		.where(row.name.isin(names))
		.run()
	)


def run_booking(booking: str, now: datetime | None = None, drain: bool = True) -> dict:
	"""Run the effects of ``booking`` due at ``now`` in order, then (``drain``) those of
	other bookings for up to DRAIN_SECONDS: the ``FIRST`` effects of all that have some
	due, else the rest of the longest-waiting one; returns {row: outcome}, in run order."""
	outcomes = _run_booking(booking, now)
	deadline = time.monotonic() + DRAIN_SECONDS
	while drain:
		at = now or utc_now()
		first = _due_bookings(at, exclude=booking, effects=FIRST)
		waiting = first or _due_bookings(at, exclude=booking, limit=1)
		if waiting and time.monotonic() >= deadline:
			# a booking whose FIRST rows this job ran may have no job left for the rest
			frappe.enqueue("scheduler_integration.effects.run_booking", queue="short", booking=waiting[0])
			break
		ran: dict = {}
		for other in waiting:
			ran.update(_run_booking(other, now, first_only=bool(first)))
			if time.monotonic() >= deadline:
				break
		if not ran:
			break  # nothing due, or all of it claimed by other workers, who finish it
		outcomes.update(ran)
	return outcomes


def _due_bookings(
	now: datetime, exclude: str | None = None, limit: int = 20, effects: tuple[str, ...] | None = None
) -> list[str]:
	"""Bookings with due rows (of ``effects``), the longest-waiting first."""
	return frappe.db.sql(
		f"""select booking from `tab{ROW}`
		where status = 'Pending' and next_attempt_at <= %(now)s and booking != %(exclude)s
			{"and effect in %(effects)s" if effects else ""}
		group by booking order by min(next_attempt_at) limit %(limit)s""",
		{"now": to_system(now), "exclude": exclude or "", "effects": effects, "limit": limit},
		pluck=True,
	)


def _run_booking(booking: str, now: datetime | None = None, first_only: bool = False) -> dict:
	now = now or utc_now()
	outcomes = {}
	failed: set[str] = set()  # effects whose earlier row did not finish: later rows wait
	doc = None
	for row in _claim(booking, now, first_only):
		if row.effect in failed:
			_set_status([row.name], "Pending", now)
			frappe.db.commit()
			continue
		if doc is None or row.effect == "email":
			if not frappe.db.exists("Scheduler Booking", booking):
				_finish(row.name, "Done", now, result="booking deleted")
				outcomes[row.name] = "Done"
				continue
			doc = frappe.get_doc("Scheduler Booking", booking)  # what earlier effects stored
		outcomes[row.name] = _run_one(row, doc, now)
		if outcomes[row.name] != "Done":
			failed.add(row.effect)
	return outcomes


def _run_one(row, doc, now: datetime) -> str:
	effect = BY_KEY.get(row.effect)
	try:
		if effect is None:
			raise LookupError(f"unknown effect {row.effect}")
		result = effect.run(doc, row.lifecycle_event)
	except Exception as exc:
		frappe.db.rollback()
		attempts = int(row.attempts or 0) + 1
		error = f"{type(exc).__name__}: {exc}"[:1000]
		if row.effect in LOGGED:
			automation_log.record_failure(doc, row.lifecycle_event, row.effect, error)
		if give_up(attempts, int(setting("max_effect_attempts") or 8)):
			_finish(row.name, "Failed", now, attempts=attempts, error=error)
			frappe.log_error(
				title=f"Scheduler: {row.effect} failed for {doc.name} ({row.lifecycle_event})",
				reference_doctype="Scheduler Booking",
				reference_name=doc.name,
			)
			frappe.db.commit()
			return "Failed"
		# never sooner than a provider asked (Retry-After on ProviderUnavailable)
		wait = retry_wait(attempts, getattr(exc, "retry_after", None))
		_finish(row.name, "Pending", now, attempts=attempts, error=error, retry_at=now + wait)
		return "Pending"
	_finish(row.name, "Done", now, attempts=int(row.attempts or 0) + 1, result=str(result or "ok")[:1000])
	return "Done"


def _finish(name, status, now, attempts=None, error=None, result=None, retry_at=None) -> None:
	values = {"status": status, "claimed_at": None, "modified": to_system(now)}
	if attempts is not None:
		values["attempts"] = attempts
	if status == "Done":
		values.update(done_at=to_system(now), result=result, last_error=None)
	if error is not None:
		values["last_error"] = error
	if retry_at is not None:
		values["next_attempt_at"] = to_system(retry_at)
	frappe.db.set_value(ROW, name, values, update_modified=False)
	frappe.db.commit()


def sweep(now: datetime | None = None) -> int:
	"""Every minute: release lost claims and run every booking that has due effects."""
	now = now or utc_now()
	row = DocType(ROW)
	(
		frappe.qb.update(row)
		.set(row.status, "Pending")
		.set(row.claimed_at, None)
		.where(row.status == "Running")
		.where(row.claimed_at < to_system(now - STALE_CLAIM))
		.run()
	)
	bookings = _due_bookings(now, limit=SWEEP_BATCH)
	frappe.db.commit()
	for booking in bookings:
		frappe.enqueue(
			"scheduler_integration.effects.run_booking",
			queue="short",
			booking=booking,
			job_id=f"scheduler-effects-sweep-{booking}",
			deduplicate=True,
		)
	return len(bookings)
