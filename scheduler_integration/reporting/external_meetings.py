"""Meetings booked on external schedulers (Scheduler External Meeting), kept in step with
what their webhooks report, and their engagements recorded once.

Each provider's module (``reporting/calendly.py``, ``acuity.py``, ``oncehub.py``) turns a
verified delivery into an ``rules.external_schedulers.ExternalEvent`` and finds whose it
is; ``apply`` does the rest, the same for all:

* the meeting is found by the provider's id now (``current_ref``) or first
  (``external_key``), else by the id it had before a reschedule (``replaces``); a report
  about an id the meeting has since left behind is stale and changes nothing;
* Acuity's and OnceHub's deliveries are verified with one consultant's own secret, so
  they look only among that consultant's meetings: one naming an id another consultant's
  meeting holds is ignored (``{"ignored": True}``), never recorded as a second meeting;
* ``rules.external_schedulers.next_state`` decides its new status, the engagement to
  record (meeting_booked, meeting_cancelled, meeting_completed, no_show — each at most
  once per meeting, carrying ``external_key`` as ``external_event_id``) and the one to
  withdraw; a move updates the times (and the booked engagement's ``scheduled_for``);
* a report token (``utm_content``, or Acuity's intake form field) naming the meeting's
  consultant adds the report reference and phase; one naming another consultant is
  ignored; a delivery no consultant was found for takes the token's consultant.

A delivery that changes nothing (a retry, a replay) answers ``{"duplicate": True}``.
Deliveries for one consultant and provider take turns on a database lock, and each
commits before the next looks, so copies arriving at once are recorded once.

``complete_due`` (every 15 minutes, ``jobs/external_meetings.py``) records a Scheduled
meeting whose end has passed as completed (``rules.external_schedulers.outcome_due``);
a later report from the provider (no-show, cancellation) still wins.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import datetime
from typing import Literal, TypedDict

import frappe

from scheduler_integration.core.clock import since_ever, to_system, to_utc, utc_now
from scheduler_integration.reporting import engagement
from scheduler_integration.reporting import links as report_links
from scheduler_integration.rules.external_schedulers import (
	COMPLETED,
	SCHEDULED,
	ExternalEvent,
	ExternalStatus,
	next_state,
	outcome_due,
)

DOCTYPE = "Scheduler External Meeting"
LOCK_WAIT = 10  # seconds; a copy still waiting then is answered 503 and the provider retries
BATCH = 500


class DeliveryIgnored(TypedDict):
	"""A webhook delivery that is none of this site's business (another consultant's
	meeting, an event the app does not record): nothing changed."""

	ignored: Literal[True]


class DeliveryDuplicate(TypedDict):
	"""A webhook delivery that changes nothing (a retry, a replay, a stale report)."""

	duplicate: Literal[True]


class DeliveryRecorded(TypedDict):
	"""A webhook delivery recorded: the external meeting, its status now, the engagement
	recorded (null: none new) and the meeting's consultant."""

	meeting: str
	status: ExternalStatus
	engagement: str | None
	host: str | None


DeliveryResult = DeliveryIgnored | DeliveryDuplicate | DeliveryRecorded


class Busy(Exception):
	"""Another delivery for the same consultant held the lock too long."""


@contextmanager
def only_one(identity: str):
	"""Hold a database lock named after ``identity`` (MariaDB GET_LOCK, PostgreSQL advisory
	lock): deliveries of one identity take turns, others do not wait."""
	name = "sched-ext-" + hashlib.sha256(identity.encode()).hexdigest()[:40]  # ≤ 64 chars
	if frappe.db.db_type == "postgres":
		frappe.db.sql("select pg_advisory_lock(hashtext(%s))", (name,))
		release = "select pg_advisory_unlock(hashtext(%s))"
	else:
		got = frappe.db.sql("select get_lock(%s, %s)", (name, LOCK_WAIT))
		if not got or got[0][0] != 1:
			raise Busy(identity)
		release = "select release_lock(%s)"
	try:
		# a fresh snapshot: under REPEATABLE READ this transaction's reads so far began
		# before the previous holder committed
		frappe.db.commit()
		yield
	finally:
		frappe.db.sql(release, (name,))


def _find(ref: str, provider: str, account: str | None):
	"""The meeting ``ref`` names among ``provider``'s meetings of ``account`` (the host whose
	secret verified the delivery; None: the site's own account, Calendly's)."""
	if not ref:
		return None
	scope = {"provider": provider}
	if account is not None:
		scope["host"] = account
	name = frappe.db.get_value(DOCTYPE, {**scope, "current_ref": ref}, "name") or frappe.db.get_value(
		DOCTYPE, {**scope, "external_key": ref}, "name"
	)
	return frappe.get_doc(DOCTYPE, name, for_update=True) if name else None


def _held_elsewhere(event: ExternalEvent) -> bool:
	"""Does a meeting outside the delivery's scope hold one of its ids? (The provider's ids
	are unique, so it is another account's meeting: recording it anew would claim that id.)"""
	refs = [ref for ref in (event.ref, event.replaces) if ref]
	return bool(refs) and any(
		frappe.db.exists(DOCTYPE, {field: ("in", refs)}) for field in ("current_ref", "external_key")
	)


def report_ref(tokens, host: str | None):
	"""The first genuine report token among ``tokens`` that names ``host`` (any consultant
	when ``host`` is None)."""
	for token in tokens:
		ref = report_links.read_token(token)
		if ref and (host is None or ref.consultant == host):
			return ref
	return None


def owned_type(host: str | None, meeting_type: str | None) -> str | None:
	"""``meeting_type`` when it is one of ``host``'s types."""
	if not host or not meeting_type:
		return None
	return (
		meeting_type if frappe.db.get_value("Scheduler Meeting Type", meeting_type, "user") == host else None
	)


def _naive(moment: datetime | None) -> datetime | None:
	return to_system(moment) if moment else None


def apply(
	event: ExternalEvent, *, host: str | None, meeting_type: str | None = None, per_account: bool = True
) -> DeliveryResult:
	"""Record ``event`` for ``host`` (once), answering what was done. ``per_account``: the
	delivery was verified with ``host``'s own secret (Acuity, OnceHub), so it reads and
	changes only ``host``'s meetings of that provider; else (Calendly: one signing key for
	the site) the provider's meetings of the site."""
	with only_one(f"{event.provider}:{host or '-'}"):
		result = _apply(event, host, meeting_type, account=host if per_account else None)
		frappe.db.commit()  # before the lock goes: the next copy must find this
	return result


def _apply(
	event: ExternalEvent, host: str | None, meeting_type: str | None, account: str | None
) -> DeliveryResult:
	meeting = _find(event.ref, event.provider, account) or _find(event.replaces, event.provider, account)
	if meeting is None and account is not None and _held_elsewhere(event):
		return {"ignored": True}  # another consultant's meeting: this secret does not reach it
	if meeting and meeting.current_ref not in (event.ref, event.replaces):
		return {"duplicate": True}  # about an id the meeting has since left: stale
	step = next_state(meeting.status if meeting else None, event.kind)
	if step is None:
		return {"duplicate": True}
	start, end = _naive(event.start), _naive(event.end)
	if meeting is None:
		ref = report_ref(event.tokens, host)
		host = host or (ref.consultant if ref else None)
		meeting = frappe.get_doc(
			{
				"doctype": DOCTYPE,
				"provider": event.provider,
				"external_key": event.replaces or event.ref,
				"current_ref": event.ref,
				"host": host,
				"meeting_type": meeting_type or owned_type(host, ref.meeting_type if ref else None),
				"client": engagement.one_line(event.client, 140),
				"phase": ref.phase if ref else None,
				"reference_doctype": ref.reference_doctype if ref and ref.reference_name else None,
				"reference_name": ref.reference_name if ref and ref.reference_doctype else None,
				"start": start,
				"end": end,
			}
		)
		moved = False
	else:
		before = (meeting.status, meeting.current_ref, _stored(meeting.start), _stored(meeting.end))
		if step.move:
			meeting.current_ref = event.ref
			if start:
				meeting.start, meeting.end = start, end
		moved = (_stored(meeting.start), _stored(meeting.end)) != before[2:]
		if (step.status, meeting.current_ref) == before[:2] and not moved:
			return {"duplicate": True}
	meeting.status = step.status
	meeting.flags.ignore_permissions = True
	meeting.flags.ignore_links = True  # a deleted meeting type or report must not lose the meeting
	meeting.save()
	if step.withdraw:
		frappe.db.delete(
			"Scheduler Engagement", {"external_event_id": meeting.external_key, "event_type": step.withdraw}
		)
	if moved:
		frappe.db.set_value(
			"Scheduler Engagement",
			{"external_event_id": meeting.external_key, "event_type": "meeting_booked"},
			"scheduled_for",
			meeting.start,
		)
	recorded = _record(meeting, step.record, event) if step.record else None
	return {"meeting": meeting.name, "status": meeting.status, "engagement": recorded, "host": meeting.host}


def _stored(value) -> datetime | None:
	return frappe.utils.get_datetime(value) if value else None


def _record(meeting, event_type: str, event: ExternalEvent) -> str | None:
	if frappe.db.exists(
		"Scheduler Engagement", {"external_event_id": meeting.external_key, "event_type": event_type}
	):
		return None
	utm = event.utm or {}
	return engagement.record(
		event_type,
		host=meeting.host,
		meeting_type=meeting.meeting_type,
		phase=meeting.phase,
		reference_doctype=meeting.reference_doctype,
		reference_name=meeting.reference_name,
		client=meeting.client,
		external_event_id=meeting.external_key,
		scheduled_for=meeting.start,
		occurred_at=_naive(event.occurred_at),
		utm_source=utm.get("utm_source"),
		utm_medium=utm.get("utm_medium"),
		utm_campaign=utm.get("utm_campaign"),
	).name


def complete_due(now: datetime | None = None) -> int:
	"""Record every Scheduled meeting whose end has passed as completed; the number done."""
	now = now or utc_now()
	names = frappe.get_all(
		DOCTYPE,
		filters={"status": SCHEDULED, "end": ("between", since_ever(now, inclusive=True))},
		pluck="name",
		limit=BATCH,
	) + frappe.get_all(  # meetings reported without an end: their start
		DOCTYPE,
		filters={
			"status": SCHEDULED,
			"end": ("is", "not set"),
			"start": ("between", since_ever(now, inclusive=True)),
		},
		pluck="name",
		limit=BATCH,
	)
	done = 0
	for name in names:
		row = frappe.db.get_value(DOCTYPE, name, ["provider", "host", "current_ref"], as_dict=True)
		if not row:
			continue
		try:
			with only_one(f"{row.provider}:{row.host or '-'}"):
				meeting = frappe.get_doc(DOCTYPE, name, for_update=True)
				if outcome_due(meeting.status, to_utc(meeting.start), to_utc(meeting.end), now):
					event = ExternalEvent(
						meeting.provider,
						meeting.current_ref,
						"completed",
						occurred_at=to_utc(meeting.end or meeting.start) or now,
					)
					result = _apply(event, meeting.host, meeting.meeting_type, account=meeting.host)
					done += bool(result.get("status") == COMPLETED)
				frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=f"Scheduler: completing external meeting {name} failed")
	return done
