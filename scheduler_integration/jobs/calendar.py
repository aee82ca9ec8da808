"""Calendar sync jobs (scheduler_events): the busy cache of every enabled connection
to a provider with a calendar (video-only providers such as Zoom have nothing to sync)."""

from __future__ import annotations

from datetime import datetime

import frappe

from scheduler_integration.booking.busy_sync import refresh_busy
from scheduler_integration.core import queue
from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.providers.providers import REGISTRY


def refresh_all_busy(now: datetime | None = None) -> int:
	"""Every 15 minutes: refresh each enabled calendar connection that is not backing off."""
	now = now or utc_now()
	count = 0
	calendars = [spec.label for spec in REGISTRY.values() if spec.calendar]
	for row in frappe.get_all(
		"Scheduler Calendar Connection",
		filters={"enabled": 1, "provider": ("in", calendars)},
		fields=["name", "next_retry_at"],
	):
		if row.next_retry_at and to_utc(row.next_retry_at) > now:
			continue
		queue.enqueue(
			"scheduler_integration.jobs.calendar.refresh_connection",
			queue="long",
			connection=row.name,
			job_id=f"scheduler-busy-{row.name}",
			deduplicate=True,
		)
		count += 1
	return count


def refresh_connection(connection: str) -> bool:
	if not frappe.db.exists("Scheduler Calendar Connection", connection):
		return False  # removed after the sync queued it: nothing to refresh
	return refresh_busy(frappe.get_doc("Scheduler Calendar Connection", connection))
