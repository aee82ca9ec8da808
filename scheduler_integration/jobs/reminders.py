"""Reminder jobs: the per-minute dispatcher, the send job, and the completion sweep."""

from scheduler_integration.services import reminders


def dispatch_due_reminders():
	"""Every minute (scheduler_events cron): claim due reminders and enqueue their sends."""
	reminders.dispatch_due()


def send_reminder(reminder: str):
	return reminders.send(reminder)


def complete_past_bookings():
	"""Every 15 minutes: confirmed bookings that ended become Completed."""
	reminders.complete_past()
