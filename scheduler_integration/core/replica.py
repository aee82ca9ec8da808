"""Reads that may run on the site's MariaDB read replica.

A site with a replica (``read_from_replica: 1``, ``replica_host``, ``replica_db_port`` in
its site config: Frappe's own settings) answers slot reads and booking pages from it, so
the primary keeps its capacity for bookings. Every booking, its locking check and its
effects run on the primary: nothing decorated here writes, and the booking transaction
re-reads under its locks (a cache never decides a booking). A replica that lags can therefore show a
slot that was just taken; booking it is answered 409 with alternatives, never accepted.

Frappe's ``frappe.read_only()`` makes the first query fail (pymysql 2003) when the
replica is down. Here that failure runs the read again on the primary (it wrote nothing),
with no extra round trip when the replica is up; the replica is then left alone for
``PAUSE`` seconds by this process, so a replica that is down costs one failed connect
per process and pause, not one per request. Unlike ``frappe.read_only()``, the primary
is given back fully afterwards (``local.replica_db`` cleared), so a later read in the same
process (a job, the console) reaches the replica again.
"""

from __future__ import annotations

import functools
import time

import frappe
from pymysql.err import OperationalError

PAUSE = 30.0  # seconds a process reads from the primary after the replica failed it
CONNECTION_ERRORS = {2002, 2003, 2005, 2006, 2013}  # can't connect / gone / lost

_down_until: dict[str, float] = {}  # site -> monotonic time; per process, never per request


def _use_primary() -> None:
	local = frappe.local
	primary = getattr(local, "primary_db", None)
	if primary is not None and local.db is not primary:
		try:
			local.db.close()
		except Exception:
			pass  # a connection that never opened
		local.db = primary
	for name in ("primary_db", "replica_db"):
		if hasattr(local, name):
			delattr(local, name)


def on_replica() -> bool:
	"""Is this read running on the replica right now?"""
	# frappe.local.db, not frappe.db: that is a proxy object, never the connection itself
	replica = getattr(frappe.local, "replica_db", None)
	return replica is not None and getattr(frappe.local, "db", None) is replica


def cached_doc(doctype: str, name: str | None = None):
	"""``frappe.get_cached_doc``, except that a read on the replica never stores what it
	read: a replica that lags would put a row the primary has just changed (and whose
	cache entry its commit has just cleared) back into the shared cache, where it would
	stay until the document changes again."""
	name = name or doctype
	if not on_replica():
		return frappe.get_cached_doc(doctype, name)
	return frappe.cache.get_value(frappe.get_document_cache_key(doctype, name)) or frappe.get_doc(
		doctype, name
	)


def cached_value(doctype: str, name: str, fieldname: str):
	"""``frappe.get_cached_value`` for one field, through ``cached_doc``; None when the
	document does not exist."""
	try:
		return cached_doc(doctype, name).get(fieldname)
	except frappe.DoesNotExistError:
		frappe.clear_last_message()
		return None


def replica_reads(fn):
	"""Run ``fn`` on the replica when the site has one and it answers, else on the primary."""

	@functools.wraps(fn)
	def wrapper(*args, **kwargs):
		site = frappe.local.site
		if not frappe.conf.read_from_replica or _down_until.get(site, 0) > time.monotonic():
			return fn(*args, **kwargs)
		if getattr(frappe.local, "primary_db", None) is not None:
			return fn(*args, **kwargs)  # already switched by an outer call
		frappe.connect_replica()
		try:
			try:
				return fn(*args, **kwargs)
			except OperationalError as exc:
				if not exc.args or exc.args[0] not in CONNECTION_ERRORS:
					raise
				# the replica is down (its connection opens with the first query): the read
				# changed nothing, so it runs again on the primary
				_down_until[site] = time.monotonic() + PAUSE
				_use_primary()
				# ERROR: Frappe's logger drops warnings outside the development server
				frappe.logger("scheduler_integration").error(
					f"read replica unreachable ({exc.args[0]}), reading from the primary for {PAUSE:.0f} s"
				)
				return fn(*args, **kwargs)
		finally:
			_use_primary()

	return wrapper
