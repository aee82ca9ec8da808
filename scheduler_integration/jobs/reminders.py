"""Reminder jobs: the per-minute dispatcher and the send job."""

from scheduler_integration.effects import reminders


def dispatch_due_reminders():
	"""Every minute (scheduler_events cron): claim due reminders and enqueue their sends."""
	reminders.dispatch_due()


def send_reminder(reminder: str):
	return reminders.send(reminder)
