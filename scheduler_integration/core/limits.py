"""A per-IP request limit for places Frappe's ``rate_limit`` decorator cannot reach (website
pages, whose requests carry no method name to key on)."""

from __future__ import annotations

import frappe
from frappe import _


def hit(name: str, limit: int, seconds: int = 60) -> None:
	"""Count one request of this client to ``name``; TooManyRequestsError (429) past ``limit``."""
	ip = getattr(frappe.local, "request_ip", None) or "unknown"
	key = frappe.cache.make_key(f"rl:scheduler:{name}:{ip}")
	if frappe.cache.get(key) is None:
		frappe.cache.setex(key, seconds, 0)
	if frappe.cache.incrby(key, 1) > limit:
		raise frappe.TooManyRequestsError(_("Too many requests; please try again in a minute"))
