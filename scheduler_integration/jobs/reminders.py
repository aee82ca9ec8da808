"""Reminder jobs: the per-minute dispatcher and the send job.

Both live in ``effects/reminders.py``, which queues them by their paths there; these names
stay because the scheduler's hook names the dispatcher here and send jobs queued before
the move (still waiting in Redis) name ``send_reminder`` here.
"""

from scheduler_integration.effects import reminders


def dispatch_due_reminders():
	"""Every minute (scheduler_events cron): claim due reminders and enqueue their sends."""
	reminders.dispatch_due_reminders()


def send_reminder(reminder: str):
	return reminders.send_reminder(reminder)
