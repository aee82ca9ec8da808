"""The client phases a site works with: its Scheduler Phase documents, in creation order.

A fresh site gets the five standard phases (``engine.validation.PHASES``, fixtures);
phases added in the desk count everywhere a phase is read: meeting types, report links,
engagement records and analytics.
"""

from __future__ import annotations

import frappe

CACHE = "scheduler_integration:phases"


def phase_names() -> tuple[str, ...]:
	names = frappe.cache.get_value(CACHE)
	if names is None:
		names = tuple(frappe.get_all("Scheduler Phase", order_by="creation asc, name asc", pluck="name"))
		frappe.cache.set_value(CACHE, names)
	return tuple(names)


def invalidate() -> None:
	frappe.cache.delete_value(CACHE)
