"""External schedulers' meetings (scheduler_events): a meeting whose end has passed without a
cancellation or no-show report is recorded as completed (``reporting.external_meetings``)."""

from __future__ import annotations

from datetime import datetime

from scheduler_integration.reporting import external_meetings


def complete_external_meetings(now: datetime | None = None) -> int:
	"""Every 15 minutes; running it again changes nothing."""
	return external_meetings.complete_due(now)
