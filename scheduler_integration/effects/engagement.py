"""Booking outcomes as Scheduler Engagement records (meeting_booked, _cancelled,
_completed, no_show), at most one of each per booking, for the analytics."""

from __future__ import annotations

from scheduler_integration.reporting.engagement import BOOKING_EVENTS, record_booking_event

EVENTS = tuple(BOOKING_EVENTS)


def on_event(doc, event: str) -> str | None:
	event_type = BOOKING_EVENTS.get(event)
	return record_booking_event(doc, event_type) if event_type else None
