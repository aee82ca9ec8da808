"""Background jobs of the app run as the system, whoever's request queued them.

Frappe runs a job as the user whose session queued it (``frappe.enqueue`` stores
``frappe.session.user``): a guest's booking would run its effects as Guest, a host's
(or an effect working as the host, ``effects.crm.timeline.acting_as``) as that host, and a
job draining other bookings' effects would then write their emails, logs and records as
someone who has nothing to do with them. ``enqueue`` queues every job as Administrator;
what an effect writes as a host it says so itself (``acting_as``).
"""

from __future__ import annotations

import frappe

SYSTEM = "Administrator"


def enqueue(method: str, **kwargs):
	"""``frappe.enqueue(method, **kwargs)``, the job running as the system. Only the user the
	job is queued for changes: the request's own session (its sid, form, caches) is not
	touched, as ``frappe.set_user`` would."""
	session = frappe.local.session
	user = session.user
	session.user = SYSTEM
	try:
		return frappe.enqueue(method, **kwargs)
	finally:
		session.user = user
