"""External calendar busy time of hosts, as the engine subtracts it.

Slot reads use only the cache (Scheduler Busy Time, refreshed by the calendar sync job),
so a guest never waits on a provider; its rows are kept per host as engine records in
each worker process (``core.versioned_cache``), outdated whenever the sync job or a
connection changes them (``invalidate``). A booking change first reads the hosts' calendars
fresh, all connections in parallel and bounded by ``FRESH_DEADLINE`` seconds together;
whatever answers in time replaces the cache for that change, the rest falls back to it.
The fresh answers are handed on as a value (``FreshBusy``), never through request state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime

import frappe

from scheduler_integration.connections.adapters import busy_reader
from scheduler_integration.core.clock import converter, to_system
from scheduler_integration.core.versioned_cache import VersionedCache
from scheduler_integration.engine.model import BusyTime, Interval

FRESH_DEADLINE = 2.0  # seconds a booking change may wait for the providers, all together


@dataclass(frozen=True)
class FreshBusy:
	"""Busy time read fresh from some connections for [start, end)."""

	start: datetime | None = None
	end: datetime | None = None
	by_connection: dict = field(default_factory=dict)  # connection -> (host, [Interval])

	def covers(self, connection: str, start: datetime, end: datetime) -> bool:
		return connection in self.by_connection and start >= self.start and end <= self.end


NO_FRESH = FreshBusy()


CACHE = VersionedCache("scheduler_integration:busy")


def invalidate(users) -> None:
	CACHE.invalidate(users)


def _rows(users, start: datetime | None = None, end: datetime | None = None) -> list:
	# written out: this runs inside every booking's lock, and building it (get_all's
	# filters, or frappe.qb) cost more CPU than the database spent on it
	window = " and `end` > %(start)s and start < %(end)s" if start is not None else ""
	return frappe.db.sql(
		"select host, start, `end`, connection from `tabScheduler Busy Time` where host in %(users)s"
		+ window
		+ " order by start",
		{
			"users": tuple(users),
			"start": to_system(start) if start else None,
			"end": to_system(end) if end else None,
		},
	)


def _build(users: list[str]) -> dict[str, BusyTime]:
	"""Every cached busy interval of ``users``, merged once per change (``BusyTime``) so
	each slot read only bisects it."""
	to_utc = converter()
	out: dict[str, list] = {user: [] for user in users}
	for host, s, e, _connection in _rows(users):
		s, e = to_utc(s), to_utc(e)
		if e > s:
			out[host].append(Interval(s, e))
	return {user: BusyTime(items) for user, items in out.items()}


def intervals(
	users, start: datetime, end: datetime, fresh: FreshBusy = NO_FRESH, cached: bool = True
) -> dict[str, BusyTime | Sequence[Interval]]:
	"""{user: busy intervals} for all ``users``: from the process cache for slot reads (the
	engine skips what lies outside the window), read from the database for a booking
	change, where the fresh answers of ``fresh`` replace their connections' rows."""
	users = list(users)
	if not users:
		return {}
	if cached and not fresh.by_connection:
		return CACHE.get_many(users, _build)
	to_utc = converter()
	out: dict[str, list] = defaultdict(list)
	for host, s, e, connection in _rows(users, start, end):
		s, e = to_utc(s), to_utc(e)
		if e <= s or fresh.covers(connection, s, e):
			continue  # inside a freshly read window: the fresh answer replaces it
		out[host].append(Interval(s, e))
	for host, fresh_intervals in fresh.by_connection.values():
		if host in users:
			out[host].extend(i for i in fresh_intervals if i.end > start and i.start < end)
	return out


def fresh_read(users, start: datetime, end: datetime) -> FreshBusy:
	"""One bounded fresh read of the hosts' enabled calendar connections."""
	if not users:
		return NO_FRESH
	names = frappe.db.sql_list(
		"select name from `tabScheduler Calendar Connection` where host in %(users)s and enabled = 1",
		{"users": tuple(users)},
	)
	jobs = {}
	for name in names:
		doc = frappe.get_doc("Scheduler Calendar Connection", name)
		try:
			read = busy_reader(doc, start, end, timeout=FRESH_DEADLINE)
		except Exception:
			continue  # the cache answers for this one
		if read:
			jobs[name] = (doc.host, read)
	if not jobs:
		return NO_FRESH
	pool = ThreadPoolExecutor(max_workers=min(8, len(jobs)), thread_name_prefix="scheduler-fresh")
	futures = {pool.submit(read): (name, host) for name, (host, read) in jobs.items()}
	done, _pending = wait(futures, timeout=FRESH_DEADLINE)
	pool.shutdown(wait=False, cancel_futures=True)  # never wait for the slow ones
	results = {}
	for future in done:
		if future.exception() is None:
			name, host = futures[future]
			results[name] = (host, list(future.result()))
	return FreshBusy(start, end, results)
