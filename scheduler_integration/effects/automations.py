"""Lifecycle automations after the meeting: follow-up emails and the host's task.

| event     | automation (per meeting type: on/off and delay)                        |
|-----------|-------------------------------------------------------------------------|
| completed | thank-you email with the feedback link, ``thank_you_delay`` after the end |
| no_show   | "sorry we missed you" email with a rebooking link, ``no_show_delay``    |
|           | after the end, and at once a high-priority task for the host            |
| cancelled | win-back email with a rebooking link, ``win_back_delay`` after the cancel |

The emails before and at the change itself (booked, confirmed, rescheduled, cancelled,
reminders) are ``effects.email`` and ``effects.reminders``.

A follow-up is a Scheduler Reminder row of its kind (Thank You, No-show Follow-up,
Win-back), due at ``engine.booking_rules.follow_up_due``: the same machinery as
reminders — claimed atomically by the per-minute dispatcher, found by query so nothing is
lost while a worker was down, sent once with its log in one transaction, retried with
backoff. At send time ``follow_up_skip_reason`` decides whether it is still worth sending
(the outcome was corrected, the guest booked again, it is a week late). A corrected outcome
also skips at once the follow-ups planned for the old one.

Core Notification (the DocType) was not used for these: it counts delays in whole days
from a date field, runs once a day, and has no exactly-once claim, retry or per-meeting-
type switch; an admin may still add their own Notifications on Scheduler Booking.
"""

from __future__ import annotations

from datetime import datetime

import frappe
from frappe import _
from frappe.query_builder import DocType

from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.core import queue
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.rows import update_where
from scheduler_integration.effects import automation_log, crm, email, outbox
from scheduler_integration.effects.outbox import PENDING, SKIPPED, WAITING
from scheduler_integration.engine.booking_rules import (
	follow_up_due,
	follow_up_for,
	follow_up_skip_reason,
)
from scheduler_integration.engine.statuses import ACTIVE, Status

EVENTS = ("completed", "no_show", "cancelled")
ROW = outbox.REMINDER
# follow-up kind -> (Scheduler Reminder kind, meeting type switch, meeting type delay field)
KINDS = {
	"thank_you": ("Thank You", "send_thank_you", "thank_you_delay"),
	"no_show": ("No-show Follow-up", "send_no_show_follow_up", "no_show_delay"),
	"win_back": ("Win-back", "send_win_back", "win_back_delay"),
}
KIND_OF_ROW = {label: kind for kind, (label, _switch, _delay) in KINDS.items()}


def _anchor(doc, kind: str, now: datetime) -> datetime:
	"""What a follow-up's delay counts from: the meeting's end, or the cancellation."""
	if kind == "win_back":
		return to_utc(doc.cancelled_at) or now
	return to_utc(doc.end)


def skip_planned(booking: str, reason: str, keep: str | None = None) -> int:
	"""Planned follow-ups of ``booking`` (all but kind ``keep``) will not be sent."""
	row = DocType(ROW)
	kinds = [label for kind, (label, _s, _d) in KINDS.items() if kind != keep]
	planned = (row.booking == booking) & row.status.isin(WAITING) & row.kind.isin(kinds)
	return update_where(row, planned, {"status": SKIPPED, "skip_reason": reason[:140]})


def plan(doc, kind: str, now: datetime | None = None) -> str | None:
	"""Plan the follow-up ``kind`` of ``doc`` when its meeting type has it on; returns the row."""
	now = now or utc_now()
	label, switch, delay_field = KINDS[kind]
	mt = meeting_type_doc(doc.meeting_type)
	if not mt.get(switch):
		return None
	if frappe.db.exists(ROW, {"booking": doc.name, "kind": label, "status": ("in", WAITING)}):
		return None  # already planned (a replayed event)
	due = follow_up_due(_anchor(doc, kind, now), mt.get(delay_field) or 0, now)
	row = frappe.get_doc(
		{
			"doctype": ROW,
			"booking": doc.name,
			"host": doc.host,
			"recipient": "Guest",
			"channel": "Email",
			"kind": label,
			"due_at": to_system(due),
			"next_attempt_at": to_system(due),
			"status": PENDING,
		}
	).insert(ignore_permissions=True)
	if due <= now:  # due at once: dispatch right after this commit, not at the next minute
		# the dispatcher's job of effects/ (jobs/ above keeps the scheduler's name for it)
		queue.enqueue(
			"scheduler_integration.effects.reminders.dispatch_due_reminders",
			queue="short",
			enqueue_after_commit=True,
		)
	return row.name


def on_event(doc, event: str) -> str:
	kind = follow_up_for(event)
	# what was planned for an earlier outcome no longer fits (a host corrected No Show)
	skipped = skip_planned(doc.name, _("The booking's status has changed since"), keep=kind)
	done = []
	if kind and plan(doc, kind):
		done.append(kind)
	if event == "no_show" and meeting_type_doc(doc.meeting_type).no_show_task:
		task = crm.follow_up_task(doc)
		if task:
			automation_log.record(
				doc,
				"no_show",
				_("High-priority follow-up task for {0}").format(doc.host),
				channel="Task",
				recipient=doc.host,
				host=doc.host,
				reference=task,
			)
			done.append("task")
	if event == "completed":
		crm.close_follow_up_tasks(doc)  # a no-show corrected to completed
	return ", ".join(done) or (f"{skipped} skipped" if skipped else "nothing to do")


def _booked_again(doc, since) -> bool:
	"""Has the guest booked anything since ``since``?"""
	return bool(
		frappe.db.exists(
			"Scheduler Booking",
			{
				"guest_email": doc.guest_email,
				"name": ("!=", doc.name),
				"creation": (">", since),
				"status": ("in", [*ACTIVE, Status.COMPLETED.value]),
			},
		)
	)


def skip_reason(row, booking, now: datetime) -> str | None:
	"""Why a due follow-up row must not be sent (None: send it)."""
	kind = KIND_OF_ROW.get(row.kind)
	if kind is None:
		return _("Unknown follow-up")
	since = booking.cancelled_at or row.creation
	reason = follow_up_skip_reason(
		kind,
		booking.status,
		to_utc(row.due_at),
		now,
		booked_again=kind == "win_back" and _booked_again(booking, since),
	)
	return _(reason) if reason else None


def deliver(row, booking) -> int:
	"""Send a due follow-up row (its emails are logged by ``effects.email``)."""
	return email.follow_up(booking, KIND_OF_ROW[row.kind])
