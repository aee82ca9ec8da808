"""The Scheduler Busy Time cache of a connection, refreshed from its provider.

The writer of the rows ``booking.busy`` reads, beside it (it outdates the hosts' cached busy
time once it has replaced their rows). Guests never wait on a provider: slot reads use
these rows, which the calendar job (``jobs.calendar``) replaces every 15 minutes,
incrementally where the provider can (Google sync tokens, Microsoft delta links). A
failure is recorded on the connection (``connections.status``) and backs its sync off.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import frappe

from scheduler_integration.booking import busy
from scheduler_integration.connections.adapters import calendar_adapter, calendars_to_read, opened
from scheduler_integration.connections.credentials import chosen_calendars, spec_of
from scheduler_integration.connections.status import record_failure, record_success, unreadable_note
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.providers.errors import FullSyncRequired

HORIZON_DAYS = 90
BUSY = "Scheduler Busy Time"


def refresh_busy(doc, now: datetime | None = None) -> bool:
	"""Replace the connection's cached busy time and commit; record the error and back off
	on failure."""
	now = now or utc_now()
	spec = spec_of(doc)
	if not spec.calendar:
		return True
	left_out: list[str] = []
	try:
		account = calendar_adapter(doc)
		with opened(account):
			if spec.incremental:
				_sync_changes(doc, account, now)
			else:
				intervals = account.busy(
					calendars_to_read(doc, account),
					now - timedelta(days=1),
					now + timedelta(days=HORIZON_DAYS),
					host_timezone(doc.host),
				)
				left_out = list(getattr(account, "unreadable", None) or ())  # an ICS feed's
				frappe.db.delete(BUSY, {"connection": doc.name})
				for interval in intervals:
					_insert_busy(doc, interval)
	except Exception as exc:
		frappe.db.rollback()
		doc.reload()
		record_failure(doc, exc, now)
		frappe.db.commit()
		return False
	busy.invalidate([doc.host])
	record_success(doc, now, synced=True, note=unreadable_note(doc, left_out))
	frappe.db.commit()
	return True


def _sync_changes(doc, account, now: datetime) -> None:
	"""Incremental pull: changes since each calendar's sync token (Google) or delta link
	(Microsoft) update the cache; an expired token or none means a full listing that
	replaces the calendar's rows."""
	tokens = json.loads(doc.sync_token or "{}")
	zone = host_timezone(doc.host)
	for calendar in chosen_calendars(doc) or ["primary"]:
		token = tokens.get(calendar)
		try:
			changes, next_token = account.changes(calendar, token, zone)
		except FullSyncRequired:
			token = None
			changes, next_token = account.changes(calendar, None, zone)
		if token is None:
			frappe.db.delete(BUSY, {"connection": doc.name, "calendar": calendar})
		for change in changes:
			frappe.db.delete(BUSY, {"connection": doc.name, "calendar": calendar, "source_id": change.id})
			if change.busy and change.interval and change.interval.end > now - timedelta(days=1):
				_insert_busy(doc, change.interval, calendar, change.id)
		tokens[calendar] = next_token
	doc.db_set("sync_token", json.dumps(tokens), update_modified=False)


def _insert_busy(doc, interval, calendar: str | None = None, source_id: str | None = None) -> None:
	frappe.get_doc(
		{
			"doctype": BUSY,
			"connection": doc.name,
			"host": doc.host,
			"start": to_system(interval.start),
			"end": to_system(interval.end),
			"calendar": calendar,
			"source_id": source_id,
		}
	).db_insert()
