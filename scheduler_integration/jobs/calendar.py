"""Calendar sync jobs (scheduler_events)."""

from scheduler_integration.services import calendar_sync


def refresh_all_busy():
	"""Every 15 minutes: refresh the busy cache of every enabled calendar connection."""
	calendar_sync.refresh_due()


def refresh_connection(connection: str):
	calendar_sync.refresh_busy(connection)


def retry_calendar_writes():
	"""Every 5 minutes: retry failed calendar writes (outbox)."""
	calendar_sync.retry_writes()
