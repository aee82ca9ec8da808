"""A per-IP request limit for places Frappe's ``rate_limit`` decorator cannot reach (website
pages, whose requests carry no method name to key on), and how long a limited client waits:
the ``Retry-After`` of a 429 (``api/refusals.py``) is what is left of the client's window."""

from __future__ import annotations

import frappe
from frappe import _


def _client() -> str:
	return getattr(frappe.local, "request_ip", None) or "unknown"


def _key(name: str) -> str:
	return frappe.cache.make_key(f"rl:scheduler:{name}:{_client()}")


def page_limit_name(path: str) -> str:
	"""The per-IP counter of the booking page at ``path``: each kind of page counts on its own,
	like each public API method."""
	parts = [part for part in path.split("/") if part]
	if parts[:1] == ["b"]:
		return "short-link"  # /b/<code> (www/b.py)
	if parts[1:2] == ["manage"] and len(parts) > 2:
		return "manage-page"
	return "book-type-page" if len(parts) > 2 else "book-profile-page"


def hit(name: str, limit: int, seconds: int = 60) -> None:
	"""Count one request of this client to ``name``; TooManyRequestsError (429) past ``limit``."""
	key = _key(name)
	count = frappe.cache.incrby(key, 1)
	# the window starts with the first request; a count left without expiry (its window
	# ended between two calls of another version of this code) gets one again
	if count == 1 or frappe.cache.ttl(key) < 0:
		frappe.cache.expire(key, seconds)
	if count > limit:
		raise frappe.TooManyRequestsError(_("Too many requests; please try again in a minute"))


def _seconds_left(key: str) -> int | None:
	left = frappe.cache.ttl(key)
	return left if left and left > 0 else None


def retry_after(name: str) -> int | None:
	"""Seconds until this client's count of ``name`` starts again (None: not counted now)."""
	return _seconds_left(_key(name))


def method_retry_after(method: str) -> int | None:
	"""The same for Frappe's ``rate_limit`` decorator on a whitelisted method, which counts
	under ``rl:<method>:<ip>``."""
	return _seconds_left(frappe.cache.make_key(f"rl:{method}:{_client()}"))
