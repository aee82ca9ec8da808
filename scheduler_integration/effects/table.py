"""After-commit effects of booking changes: one explicit, ordered table, and the job that
works through it.

A booking change (``engine.booking_states.lifecycle_event``: one of its ``EVENTS``) is
*planned* in the same transaction that saves the booking: one outbox row
(``effects.outbox``) per effect of ``TABLE`` that handles the event, and only where it has
something to do (``Effect.applies``: no video row for a meeting without a video location,
no calendar row when no host writes bookings to a calendar). After the commit a job runs
the booking's due rows in table order, each in its own transaction and isolated from the
others; a failure is retried (``outbox.retry_or_fail``) and never touches the booking
(nor loses it). Rows of one booking and effect run in the order they were planned: a later
row waits while an earlier one is not finished (a claimed later row goes back to Pending
when the earlier one fails).

The order matters: the video meeting and the calendar write first (they store the meeting
link), then the emails, which carry it (the guest's, then the hosts'); then CRM (its tasks and events show the link too),
the money of a paid booking (its Payment Entry against the guest's Customer the CRM effect
may just have found, its refund, closing an unpaid checkout: ``effects.payments``),
reminders, the follow-up automations and engagement. A row of a later effect waits while
another worker runs a ``FIRST`` row of its booking. A failed attempt of an effect that
sends to the guest (``LOGGED``) is also written to the automation log.

A job that has run its booking goes on with other bookings whose effects are due, for up
to ``outbox.DRAIN_SECONDS``: a worker process starts cold (it imports and warms up for
every job), so a burst of bookings is worked through by a few warm jobs instead of one
cold job each. Those jobs run the ``FIRST`` effects of every due booking before the rest
of any: in a burst, each guest's confirmation waits for the emails of the bookings ahead
of it, not for all their CRM records too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import frappe

from scheduler_integration.core.clock import utc_now
from scheduler_integration.core.settings import setting
from scheduler_integration.effects import (
	automation_log,
	automations,
	calendar,
	crm,
	email,
	engagement,
	outbox,
	payments,
	reminders,
	video,
)
from scheduler_integration.engine.booking_rules import REPEATED_NEWS, told_already
from scheduler_integration.engine.booking_states import EVENTS, HOLD_EVENTS


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
	Effect("host_email", frozenset(email.HOST_EVENTS), email.on_event_hosts),
	# a paid booking's hold is no meeting yet: the CRM hears of it once it is paid
	Effect("crm", frozenset((*EVENTS, "seats")) - frozenset(HOLD_EVENTS), crm.on_event),
	Effect("payment", frozenset(payments.EVENTS), payments.on_event, payments.applies),
	Effect("reminders", frozenset(reminders.EVENTS), reminders.on_event),
	Effect("automations", frozenset(automations.EVENTS), automations.on_event),
	Effect("engagement", frozenset(engagement.EVENTS), engagement.on_event),
)
BY_KEY = {effect.key: effect for effect in TABLE}
FIRST = ("video", "calendar", "email")  # what a guest waits for: the confirmation and its link
LOGGED = ("email", "host_email", "automations")  # effects whose failures the automation log shows


def dispatch(doc, event: str | None) -> None:
	"""Plan the effects of ``event`` for booking ``doc`` (inside its transaction) and run
	them in a job once the transaction commits."""
	if not event:
		return
	effects = [
		(seq, effect.key)
		for seq, effect in enumerate(TABLE)
		if event in effect.events and (effect.applies is None or effect.applies(doc))
	]
	if effects:
		outbox.plan(doc.name, event, effects)


def run_booking(booking: str, now: datetime | None = None, drain: bool = True) -> dict:
	"""Run the effects of ``booking`` due at ``now`` in order, then (``drain``) those of
	other bookings for up to DRAIN_SECONDS: the ``FIRST`` effects of all that have some
	due, else the rest of the longest-waiting one; returns {row: outcome}, in run order."""
	if drain:
		outbox.job_started()
	outcomes = _run_booking(booking, now)
	# rows a change of the booking planned while these ran waited for them (a job of their
	# own found them blocked and left them): run them now, not at the minute's sweep
	while more := _run_booking(booking, now):
		outcomes.update(more)
	deadline = time.monotonic() + outbox.DRAIN_SECONDS
	# bookings whose due rows could not run now (each waits behind an earlier row of its
	# effect, or another worker has them): passed over, so one of them never stops the drain
	passed = {True: {booking}, False: {booking}}  # first_only -> bookings passed over
	while drain:
		at = now or utc_now()
		first = outbox.due_bookings(at, exclude=passed[True], effects=FIRST)
		waiting = first or outbox.due_bookings(at, exclude=passed[False], limit=1)
		if not waiting:
			break  # nothing due that may run now
		if time.monotonic() >= deadline:
			# a booking whose FIRST rows this job ran may have no job left for the rest
			outbox.wake(waiting[0])
			break
		for other in waiting:
			ran = _run_booking(other, now, first_only=bool(first))
			if not ran:
				passed[bool(first)].add(other)
			outcomes.update(ran)
			if time.monotonic() >= deadline:
				break
	return outcomes


def _run_booking(booking: str, now: datetime | None = None, first_only: bool = False) -> dict:
	now = now or utc_now()
	outcomes = {}
	failed: set[str] = set()  # effects whose earlier row did not finish: later rows wait
	doc = None
	for row in outbox.claim(booking, now, FIRST, first_only):
		if row.effect in failed:
			outbox.unclaim(row.name, now)
			continue
		if doc is None or row.effect == "email":
			if not frappe.db.exists("Scheduler Booking", booking):
				outbox.done(row.name, now, result="booking deleted")
				outcomes[row.name] = outbox.DONE
				continue
			doc = frappe.get_doc("Scheduler Booking", booking)  # what earlier effects stored
		outcomes[row.name] = _run_one(row, doc, now)
		if outcomes[row.name] != outbox.DONE:
			failed.add(row.effect)
	return outcomes


def _run_one(row, doc, now: datetime) -> str:
	effect = BY_KEY.get(row.effect)
	attempts = int(row.attempts or 0) + 1
	sequence = int(doc.sequence or 0)
	if row.lifecycle_event in REPEATED_NEWS and told_already(
		row.lifecycle_event, sequence, outbox.done_sequences(doc.name, row.effect, row.lifecycle_event)
	):
		# moves made before their effects ran: an earlier row told the booking as it is now
		outbox.done(
			row.name, now, result=f"told with an earlier row (sequence {sequence})", sequence=sequence
		)
		return outbox.DONE
	try:
		if effect is None:
			raise LookupError(f"unknown effect {row.effect}")
		result = effect.run(doc, row.lifecycle_event)
	except Exception as exc:
		frappe.db.rollback()
		if row.effect in LOGGED and not isinstance(exc, frappe.OutgoingEmailError):  # a wait, not a failure
			automation_log.record_failure(doc, row.lifecycle_event, row.effect, outbox.error_text(exc))
		return outbox.retry_or_fail(
			outbox.EFFECT,
			row.name,
			exc,
			attempts,
			int(setting("max_effect_attempts") or 8),
			now,
			title=f"Scheduler: {row.effect} failed for {doc.name} ({row.lifecycle_event})",
			reference_doctype="Scheduler Booking",
			reference_name=doc.name,
		)
	outbox.done(row.name, now, result=str(result or "ok")[:1000], attempts=attempts, sequence=sequence)
	return outbox.DONE
