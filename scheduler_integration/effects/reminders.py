"""Booking reminders and follow-ups: exactly once, never for cancelled or moved-away times,
never lost.

- One Scheduler Reminder per booking, recipient and offset (Settings default 24 h and 1 h;
  a meeting type may override): one for the guest and, when Settings → Remind Hosts is on,
  one for *each host* of the booking; and, when the meeting type sends SMS reminders and
  the guest gave a phone number, one SMS per offset (its own offsets, else the same).
  Created when the booking is confirmed, rebuilt when it is rescheduled, skipped when it
  is cancelled or over.
- The same rows, of another kind, carry the follow-ups after the meeting
  (``effects.automations`` plans them and decides whether one is still worth sending):
  one due-time mechanism for everything sent later.
- Every minute ``dispatch_due`` *claims* due reminders with one conditional UPDATE
  (Pending → Queued, stamped with a claim id), so two schedulers or workers racing can
  never claim the same row, then enqueues one send job per claimed reminder.
- ``send`` re-claims its row with a conditional UPDATE (Queued → Sending; no row lock is
  held while mail is handed over), re-checks the booking (``engine.booking_rules.
  reminder_skip_reason``), queues the email and marks the reminder Sent in the same
  transaction: a reminder is sent once. Failures go back to Pending with exponential
  backoff until the attempt limit, then Failed with the error, visible in the desk.
- Due reminders are found by query, not by delayed jobs: after a worker outage they are
  still sent while the meeting has not started, and Skipped (with the reason) after.
  Claims older than ``outbox.STALE_CLAIM`` (a lost job) are released again.

The rows' statuses, claims and retries are ``effects.outbox``'s, shared with the effects.
"""

from __future__ import annotations

from datetime import datetime

import frappe
from frappe import _
from frappe.query_builder import DocType

from scheduler_integration.booking import series
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import host_users
from scheduler_integration.core import queue
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.rows import changed, delete_where, update_where
from scheduler_integration.core.settings import setting
from scheduler_integration.effects import automation_log, automations, email, outbox, sms
from scheduler_integration.effects.outbox import PENDING, QUEUED, SENDING, SENT, SKIPPED, WAITING
from scheduler_integration.engine.adapters import parse_offsets
from scheduler_integration.engine.booking_rules import reminder_due_times, reminder_skip_reason
from scheduler_integration.engine.statuses import Status

EVENTS = ("booked", "confirmed", "rescheduled", "cancelled", "declined", "completed", "no_show")
ROW = outbox.REMINDER
# the send job is this module's own function: effects/ never names jobs/, which sits above
# it (jobs/reminders.py keeps the old path for send jobs queued before)
SEND_JOB = "scheduler_integration.effects.reminders.send_reminder"


def offsets_for(booking) -> tuple[int, ...]:
	override = meeting_type_doc(booking.meeting_type).reminder_offsets
	default = parse_offsets(setting("reminder_offsets"))
	return parse_offsets(override, default) if override else default


def sms_offsets_for(booking) -> tuple[int, ...]:
	"""Offsets of SMS reminders: none unless the meeting type sends them and they can go."""
	mt = meeting_type_doc(booking.meeting_type)
	if not mt.get("sms_reminders") or sms.skip_reason(booking):
		return ()
	own = mt.get("sms_reminder_offsets")
	return parse_offsets(own, offsets_for(booking)) if own else offsets_for(booking)


def build(booking, now: datetime | None = None) -> int:
	"""(Re)create the pending reminders of a confirmed booking; returns how many."""
	now = now or utc_now()
	skip_pending(booking.name, _("Rebuilt"), delete=True)
	if booking.status != Status.CONFIRMED:
		return 0
	recipients = [("Guest", None)] + [("Host", user) for user in host_users(booking)] * bool(
		setting("remind_host")
	)
	start = to_utc(booking.start)
	rows = [
		(offset, due, recipient, host, "Email")
		for offset, due in reminder_due_times(start, offsets_for(booking), now)
		for recipient, host in recipients
	] + [
		(offset, due, "Guest", None, "SMS")
		for offset, due in reminder_due_times(start, sms_offsets_for(booking), now)
	]
	for offset, due, recipient, host, channel in rows:
		frappe.get_doc(
			{
				"doctype": ROW,
				"booking": booking.name,
				"host": host or booking.host,
				"recipient": recipient,
				"kind": "Reminder",
				"channel": channel,
				"offset_minutes": offset,
				"due_at": to_system(due),
				"next_attempt_at": to_system(due),
				"status": PENDING,
			}
		).insert(ignore_permissions=True)
	return len(rows)


def skip_pending(booking: str, reason: str, delete: bool = False) -> int:
	"""Pending or queued reminders of ``booking`` will not be sent (follow-ups are
	``effects.automations``' to keep or skip); returns how many."""
	row = DocType(ROW)
	waiting = (row.booking == booking) & row.status.isin(WAITING) & (row.kind == "Reminder")
	if delete:
		return delete_where(row, waiting)
	return update_where(row, waiting, {"status": SKIPPED, "skip_reason": reason[:140]})


def on_event(booking, event: str) -> str:
	"""Keep reminders in step with the booking (a multi-day booking is reminded of before
	its first day only: ``booking.series.follows``)."""
	if series.follows(booking):
		return "reminded with the first day"
	if event in ("booked", "confirmed", "rescheduled"):
		return f"{build(booking)} planned"
	if event in ("cancelled", "declined"):
		skip_pending(booking.name, _("Booking cancelled"))
	elif event in ("completed", "no_show"):
		skip_pending(booking.name, _("Meeting over"))
	return "skipped"


def _claimed(sql: str, values) -> int:
	frappe.db.sql(sql, values)
	return changed()


def dispatch_due(now: datetime | None = None) -> list[str]:
	"""Claim due reminders atomically and enqueue one send job each. Returns claimed names."""
	# two dispatchers at once (the minute's job and one a follow-up queued) may deadlock on
	# the rows' index gaps: the loser claims again what is left
	names = outbox.again_on_conflict(_claim_due, now or utc_now()) or []
	for row in names:
		queue.enqueue(
			SEND_JOB,
			queue="short",
			reminder=row.name,
			job_id=f"scheduler-reminder-{row.name}-{row.attempts or 0}",
			deduplicate=True,
		)
	return [row.name for row in names]


def _claim_due(now: datetime) -> list:
	"""Claim up to a batch of due reminders for one dispatcher (one commit)."""
	system_now = to_system(now)
	claim = frappe.generate_hash(length=12)
	outbox.release_stale(ROW, now)  # a claim whose job never ran (worker died)
	frappe.db.sql(
		f"update `tab{ROW}` set status=%(queued)s, claimed_at=%(now)s, claim_id=%(claim)s "
		"where status=%(pending)s and due_at <= %(now)s and (next_attempt_at is null or next_attempt_at <= %(now)s) "
		"order by due_at limit %(batch)s",
		{"queued": QUEUED, "pending": PENDING, "now": system_now, "claim": claim, "batch": outbox.BATCH},
	)
	names = frappe.get_all(ROW, filters={"claim_id": claim, "status": QUEUED}, fields=["name", "attempts"])
	frappe.db.commit()
	return names


def dispatch_due_reminders() -> None:
	"""The dispatcher as a job: queued by ``automations`` when a follow-up is due at once."""
	dispatch_due()


def send_reminder(reminder: str) -> str:
	"""The send job ``dispatch_due`` queues, one per claimed reminder."""
	return send(reminder)


def send(name: str, now: datetime | None = None) -> str:
	"""Send one claimed reminder; returns its final status."""
	now = now or utc_now()
	taken = _claimed(
		f"update `tab{ROW}` set status=%s, claimed_at=%s where name=%s and status=%s",
		(SENDING, to_system(now), name, QUEUED),
	)
	frappe.db.commit()
	if not taken:
		return frappe.db.get_value(ROW, name, "status") or "Missing"
	reminder = frappe.get_doc(ROW, name)
	booking = (
		frappe.get_doc("Scheduler Booking", reminder.booking)
		if frappe.db.exists("Scheduler Booking", reminder.booking)
		else None
	)
	reason = skip_reason(reminder, booking, now)
	automation = automation_name(reminder)
	if reason:
		outbox.settle(ROW, name, SKIPPED, now, skip_reason=reason[:140])
		automation_log.record(
			reminder.booking, automation, _(reminder.kind), "Skipped", channel=reminder.channel, error=reason
		)
		frappe.db.commit()
		return SKIPPED
	attempts = int(reminder.attempts or 0) + 1
	try:
		deliver(reminder, booking)
	except Exception as exc:
		frappe.db.rollback()  # drop anything half-queued; the reminder row is still Sending
		if not isinstance(exc, frappe.OutgoingEmailError):  # no account yet: a wait, not a failure
			automation_log.record_failure(
				booking,
				automation,
				_(reminder.kind),
				outbox.error_text(exc),
				channel=reminder.channel,
				host=reminder.host,
			)
		return outbox.retry_or_fail(
			ROW,
			name,
			exc,
			attempts,
			int(setting("max_reminder_attempts") or 5),
			now,
			title=f"Scheduler: reminder {name} failed",
			reference_doctype=ROW,
			reference_name=name,
		)
	outbox.settle(ROW, name, SENT, now, sent_at=to_system(now), attempts=attempts, last_error=None)
	return SENT


def automation_name(reminder) -> str:
	"""The automation a row belongs to in the automation log."""
	return automations.KIND_OF_ROW.get(reminder.kind) or "reminder"


def skip_reason(reminder, booking, now: datetime) -> str | None:
	"""Why a claimed row must not be sent now (None: send it), translated."""
	if booking is None:
		return _("Booking no longer exists")
	if (reminder.kind or "Reminder") != "Reminder":
		return automations.skip_reason(reminder, booking, now)
	reason = reminder_skip_reason(booking.status, to_utc(booking.start), now)
	if not reason and reminder.channel == "SMS":
		return sms.skip_reason(booking)
	return _(reason) if reason else None


def deliver(reminder, booking) -> None:
	"""Hand one row's message over: a reminder email or SMS, or a follow-up."""
	if (reminder.kind or "Reminder") != "Reminder":
		automations.deliver(reminder, booking)
	elif reminder.channel == "SMS":
		sms.send_reminder(booking)
	else:
		email.remind(booking, reminder.recipient, reminder.host)
