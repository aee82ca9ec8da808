"""Periodic housekeeping jobs (scheduler_events)."""

from scheduler_integration.services.booking import expire_pending


def expire_pending_bookings():
	"""Pending bookings nobody confirmed in time are cancelled; the guest is told."""
	expire_pending()
