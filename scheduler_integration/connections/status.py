"""A connection's health as its form shows it: status, error count, last error, next retry.

A failure backs the connection's sync off (``engine.booking_rules.retry_wait``, never
sooner than the provider's Retry-After); a refused authorisation shows as *Needs
Reconnect*, and the form's Reconnect button starts the provider's authorisation again.
The callers commit. ``host_connections`` lists a host's connections as the engine's
set-up checklist and connection rate read them (``engine.onboarding``).
"""

from __future__ import annotations

from datetime import datetime

import frappe

from scheduler_integration.calendars.errors import ProviderAuthError, ProviderError
from scheduler_integration.calendars.providers import by_label
from scheduler_integration.calendars.urlguard import redact_urls
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.errors import provider_error_text
from scheduler_integration.engine.booking_rules import retry_wait

STATUS_OK, STATUS_RECONNECT, STATUS_ERROR = "Connected", "Needs Reconnect", "Error"


def record_failure(doc, exc: Exception, now: datetime | None = None) -> None:
	"""Show the failure on the connection and back off its sync."""
	now = now or utc_now()
	count = int(doc.error_count or 0) + 1
	refused = isinstance(exc, ProviderAuthError)
	values = {
		"status": STATUS_RECONNECT if refused else STATUS_ERROR,
		"error_count": count,
		"last_error": error_text(doc, exc),
		"next_retry_at": to_system(now + retry_wait(count, getattr(exc, "retry_after", None))),
	}
	doc.db_set(values, update_modified=False)


def record_success(doc, now: datetime | None = None, synced: bool = False) -> None:
	values = {"status": STATUS_OK, "error_count": 0, "last_error": None, "next_retry_at": None}
	if synced:
		values["last_sync"] = to_system(now or utc_now())
	if any(doc.get(k) != v for k, v in values.items()):
		doc.db_set(values, update_modified=False)


def error_text(doc, exc: Exception) -> str:
	"""``exc`` for the form, the API and logs: no URL in it keeps its path or query, nor
	does the connection's secret feed link appear in any form (it is the credential)."""
	secrets = [doc.get_password("ics_url", raise_exception=False)] if doc.ics_url else []
	return redact_urls(provider_error_text(exc), secrets)[:1000]


def _is_calendar(label: str) -> bool:
	try:
		return by_label(label).calendar
	except ProviderError:
		return False


def host_connections(users) -> dict[str, list[dict]]:
	"""{user: [connection]} of ``users``' own connections, each with ``name``, ``provider``,
	``calendar`` (a calendar provider, not video only), ``enabled``, ``account_wide``,
	``status``, ``last_sync`` and ``last_error``; one query."""
	out: dict[str, list[dict]] = {user: [] for user in users}
	rows = frappe.get_all(
		"Scheduler Calendar Connection",
		filters={"host": ("in", list(users) or [""])},
		fields=["name", "host", "provider", "enabled", "account_wide", "status", "last_sync", "last_error"],
		order_by="creation asc",
	)
	for row in rows:
		out.setdefault(row.host, []).append(
			{
				"name": row.name,
				"provider": row.provider,
				"calendar": _is_calendar(row.provider),
				"enabled": bool(row.enabled),
				"account_wide": bool(row.account_wide),
				"status": row.status or "Not Synced",
				"last_sync": row.last_sync,
				"last_error": row.last_error or "",
			}
		)
	return out
