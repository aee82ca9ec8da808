"""Booking reminders: exactly once, never for cancelled or moved-away times, never lost.

- One Scheduler Reminder per booking, recipient and offset (Settings default 24 h and 1 h;
  a meeting type may override), created when the booking is confirmed, rebuilt when it is
  rescheduled, skipped when it is cancelled.
- Every minute ``dispatch_due`` *claims* due reminders with one conditional UPDATE
  (Pending → Queued, stamped with a claim id), so two schedulers or workers racing can
  never claim the same row, then enqueues one send job per claimed reminder.
- ``send`` locks the reminder row, re-checks it is still Queued and the meeting has not
  started, queues the email and marks it Sent in the same transaction: a reminder is sent
  once. Failures go back to Pending with exponential backoff until the attempt limit, then
  Failed with the error, visible in the desk.
- Due reminders are found by query, not by delayed jobs: after a worker outage they are
  still sent while the meeting has not started, and Skipped (with the reason) after.
  Claims older than ``STALE_CLAIM`` (a lost job) are released again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe
from frappe import _

from scheduler_integration.engine.adapters import parse_offsets
from scheduler_integration.engine.booking_rules import reminder_due_times, retry_delay
from scheduler_integration.services.settings import setting
from scheduler_integration.services.timeutil import to_system, to_utc, utc_now

STALE_CLAIM = timedelta(minutes=10)
BATCH = 200


def offsets_for(booking) -> tuple[int, ...]:
	override = frappe.db.get_value("Scheduler Meeting Type", booking.meeting_type, "reminder_offsets")
	default = parse_offsets(setting("reminder_offsets"))
	return parse_offsets(override, default) if override else default


def build(booking, now: datetime | None = None) -> int:
	"""(Re)create the pending reminders of a confirmed booking; returns how many."""
	now = now or utc_now()
	skip_pending(booking.name, _("Rebuilt"), delete=True)
	if booking.status != "Confirmed":
		return 0
	start = to_utc(booking.start)
	recipients = ["Guest"] + (["Host"] if setting("remind_host") else [])
	created = 0
	for offset, due in reminder_due_times(start, offsets_for(booking), now):
		for recipient in recipients:
			frappe.get_doc(
				{
					"doctype": "Scheduler Reminder",
					"booking": booking.name,
					"host": booking.host,
					"recipient": recipient,
					"channel": "Email",
					"offset_minutes": offset,
					"due_at": to_system(due),
					"next_attempt_at": to_system(due),
					"status": "Pending",
				}
			).insert(ignore_permissions=True)
			created += 1
	return created


def skip_pending(booking: str, reason: str, delete: bool = False) -> None:
	"""Pending or queued reminders of ``booking`` will not be sent."""
	names = frappe.get_all(
		"Scheduler Reminder",
		filters={"booking": booking, "status": ("in", ["Pending", "Queued"])},
		pluck="name",
	)
	for name in names:
		if delete:
			frappe.delete_doc("Scheduler Reminder", name, ignore_permissions=True, force=True)
		else:
			frappe.db.set_value(
				"Scheduler Reminder",
				name,
				{"status": "Skipped", "skip_reason": reason[:140]},
				update_modified=True,
			)


def on_booking_event(booking, event: str) -> None:
	"""scheduler_booking_effects hook: keep reminders in step with the booking."""
	if event in ("booked", "confirmed", "rescheduled"):
		build(booking)
	elif event in ("cancelled", "declined"):
		skip_pending(booking.name, _("Booking cancelled"))
	elif event in ("completed", "no_show"):
		skip_pending(booking.name, _("Meeting over"))


def dispatch_due(now: datetime | None = None) -> list[str]:
	"""Claim due reminders atomically and enqueue one send job each. Returns claimed names."""
	now = now or utc_now()
	system_now = to_system(now)
	claim = frappe.generate_hash(length=12)
	# a claim whose job never ran (worker died) is released after STALE_CLAIM
	frappe.db.sql(
		"""update `tabScheduler Reminder` set status='Pending', claimed_at=null
		where status='Queued' and claimed_at < %s""",
		(to_system(now - STALE_CLAIM),),
	)
	frappe.db.sql(
		"""update `tabScheduler Reminder` set status='Queued', claimed_at=%(now)s, claim_id=%(claim)s
		where status='Pending' and due_at <= %(now)s and (next_attempt_at is null or next_attempt_at <= %(now)s)
		order by due_at limit %(batch)s""",
		{"now": system_now, "claim": claim, "batch": BATCH},
	)
	names = frappe.get_all(
		"Scheduler Reminder", filters={"claim_id": claim, "status": "Queued"}, pluck="name"
	)
	frappe.db.commit()
	for name in names:
		attempts = frappe.db.get_value("Scheduler Reminder", name, "attempts") or 0
		frappe.enqueue(
			"scheduler_integration.jobs.reminders.send_reminder",
			queue="short",
			reminder=name,
			job_id=f"scheduler-reminder-{name}-{attempts}",
			deduplicate=True,
		)
	return names


def send(name: str, now: datetime | None = None) -> str:
	"""Send one claimed reminder; returns its final status."""
	from scheduler_integration.services import notifications

	now = now or utc_now()
	rows = frappe.db.sql(
		"select name, status from `tabScheduler Reminder` where name=%s for update", (name,), as_dict=True
	)
	if not rows or rows[0].status != "Queued":
		frappe.db.rollback()
		return rows[0].status if rows else "Missing"
	reminder = frappe.get_doc("Scheduler Reminder", name)
	booking = (
		frappe.get_doc("Scheduler Booking", reminder.booking)
		if frappe.db.exists("Scheduler Booking", reminder.booking)
		else None
	)
	reason = None
	if booking is None or booking.status != "Confirmed":
		reason = _("Booking is no longer confirmed")
	elif to_utc(booking.start) <= now:
		reason = _("The meeting had already started")
	if reason:
		reminder.db_set({"status": "Skipped", "skip_reason": reason[:140], "claimed_at": None})
		frappe.db.commit()
		return "Skipped"
	try:
		notifications.send(booking, "reminder" if reminder.recipient == "Guest" else "reminder_host")
	except Exception as exc:
		frappe.db.rollback()  # drop anything half-queued; the reminder row is still Queued
		reminder = frappe.get_doc("Scheduler Reminder", name)
		attempts = int(reminder.attempts or 0) + 1
		limit = int(setting("max_reminder_attempts") or 5)
		error = f"{type(exc).__name__}: {exc}"[:1000]
		if attempts >= limit:
			reminder.db_set(
				{"status": "Failed", "attempts": attempts, "last_error": error, "claimed_at": None}
			)
			frappe.log_error(
				title=f"Scheduler: reminder {name} failed",
				reference_doctype="Scheduler Reminder",
				reference_name=name,
			)
		else:
			backoff = retry_delay(attempts)
			reminder.db_set(
				{
					"status": "Pending",
					"attempts": attempts,
					"last_error": error,
					"next_attempt_at": to_system(now + backoff),
					"claimed_at": None,
				}
			)
		frappe.db.commit()
		return reminder.status
	reminder.db_set(
		{
			"status": "Sent",
			"sent_at": to_system(now),
			"attempts": int(reminder.attempts or 0) + 1,
			"claimed_at": None,
			"last_error": None,
		}
	)
	frappe.db.commit()
	return "Sent"


def complete_past(now: datetime | None = None) -> int:
	"""Confirmed bookings whose end has passed become Completed (No Show stays as marked)."""
	now = now or utc_now()
	names = frappe.get_all(
		"Scheduler Booking",
		filters={"status": "Confirmed", "end": ("<", to_system(now))},
		pluck="name",
		limit=500,
	)
	for name in names:
		doc = frappe.get_doc("Scheduler Booking", name)
		doc.status = "Completed"
		doc.flags.ignore_permissions = True
		doc.save()
		frappe.db.commit()
	return len(names)
