"""Per-IP request limits: of each whitelisted method of the app (``per_ip``) and of website
pages (``hit``), and how long a limited client waits: the ``Retry-After`` of a 429
(``api/refusals.py``) is what is left of the client's window.

Not Frappe's ``rate_limit`` decorator: it counts under the request's ``cmd``, which
``/api/v2/method/`` does not set (every v2 method shared one count, and a method reached by
both paths got twice its limit), and it starts a window by writing 0 after reading none, so
simultaneous first requests reset each other's counts (a burst got past the limit)."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable

import frappe
from frappe import _

from scheduler_integration.core.error_codes import RATE_LIMITED, failure


def _client() -> str:
	"""The client's address as one text per client: an IPv6 address by its /64 (one
	household or server gets a whole /64, so an address per request would escape every
	limit), an IPv4 one mapped into IPv6 as itself, each written one way."""
	raw = getattr(frappe.local, "request_ip", None) or "unknown"
	try:
		address = ipaddress.ip_address(raw.strip().strip("[]").split("%")[0])
	except ValueError:
		return raw
	if address.version == 6:
		if address.ipv4_mapped:
			return str(address.ipv4_mapped)
		return f"{ipaddress.ip_network(f'{address}/64', strict=False).network_address}/64"
	return str(address)


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


def hit(
	name: str,
	limit: int | Callable[[], int],
	seconds: int = 60,
	refusal: type[Exception] = frappe.TooManyRequestsError,
	along: Callable | None = None,
) -> None:
	"""Count one request of this client to ``name``; ``refusal`` (a 429) past ``limit`` (a
	number, or a function giving it: called after the round trip, whose reads it may use).
	``along(pipeline)`` may queue other reads on the count's round trip, and returns the
	function that takes their replies (or None)."""
	key = _key(name)
	pipe = frappe.cache.pipeline(transaction=False)
	pipe.incrby(key, 1)
	pipe.pttl(key)
	store = along(pipe) if along is not None else None
	count, left, *replies = pipe.execute()  # one round trip; the increment is atomic
	if store is not None:
		store(replies)
	# the window starts with the first request; a count left without expiry (a first
	# request's expiry not set yet, or lost) gets one
	if count == 1 or left < 0:
		frappe.cache.expire(key, seconds)
	if count > (limit() if callable(limit) else limit):
		wait = _whole_seconds(left) if left >= 0 else seconds  # read in this round trip
		refused = refusal(try_again(wait))
		refused.retry_after = wait
		raise refused


def try_again(seconds: int) -> str:
	"""A refusal's words for a wait of ``seconds``: what its Retry-After says."""
	if seconds <= 1:
		return _("Too many requests; please try again in a second")
	if seconds < 90:
		return _("Too many requests; please try again in {0} seconds").format(seconds)
	return _("Too many requests; please try again in {0} minutes").format(-(-seconds // 60))


def per_ip(limit, seconds: int = 60):
	"""Decorator of a whitelisted method: at most ``limit`` (a number, or a function giving
	it) requests per client IP in ``seconds``, whichever path reaches the method."""

	def decorator(fn):
		name = f"{fn.__module__}.{fn.__qualname__}"

		# the method's first reads (``versioned_cache.read_ahead`` below), sent in the
		# count's round trip
		queue_reads = getattr(fn, "queue_reads", None)

		@functools.wraps(fn)
		def wrapper(*args, **kwargs):
			if getattr(frappe.local, "request", None) is not None:
				try:
					hit(
						name,
						limit,
						seconds,
						frappe.RateLimitExceededError,
						along=(lambda pipe: queue_reads(pipe, kwargs)) if queue_reads else None,
					)
				except frappe.RateLimitExceededError as refused:
					# the refusal is this call's answer, not an exception: Frappe turns a 429
					# exception into a crash (500) whenever it answers in HTML (a browser's
					# Accept: text/html, the old ``/?cmd=`` route), asking its own site-wide
					# limiter for the page; ``api.refusals`` adds Retry-After
					frappe.local.response["http_status_code"] = 429
					return failure(str(refused), code=RATE_LIMITED, retry_after=refused.retry_after)
			return fn(*args, **kwargs)

		wrapper.__dict__.pop("queue_reads", None)  # the reads are this wrapper's now

		return wrapper

	return decorator


def _seconds_left(key: str) -> int | None:
	left = frappe.cache.pttl(key)  # milliseconds: TTL's seconds are rounded to the nearest
	if left == -2:
		# no count: the window of a refusal ended since (a refusal in its last instant is
		# answered after it), so the client may try again at once
		return 1
	return _whole_seconds(left) if left is not None and left >= 0 else None


def _whole_seconds(milliseconds: int) -> int:
	# rounded up: a client waiting what it was told must not come back before the window ends
	return max(-(-milliseconds // 1000), 1)


def retry_after(name: str) -> int | None:
	"""Seconds until this client's count of ``name`` starts again (1 when it has no count:
	a window that ended; None for a count without expiry, which its next request mends)."""
	return _seconds_left(_key(name))
