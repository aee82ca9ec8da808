"""A rep scheduling from a CRM record: the meeting types they may book for a prospect, and
their free times.

A rep books their own time: an individual type of theirs, or a round-robin type they are
a host of (the booking is theirs, not the pool's), or a collective type they host (every
host takes part; the rep is its organiser). Multi-day types book their days together from
the booking page only, so they are not offered here. Free times are what the type's
booking page would offer the prospect, for the rep's hosts only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe

from scheduler_integration.booking.meeting_types import TypeContext, meeting_type_doc, type_context
from scheduler_integration.booking.slots import slots_for
from scheduler_integration.core.hosts import bookable_hosts
from scheduler_integration.engine import Assignment

MAX_DAYS = 31
MAX_TIMES = 300


def rep_types(user: str) -> list:
	"""Active meeting types ``user`` may book for a prospect (cached documents), in the
	order of their booking pages."""
	own = frappe.get_all(
		"Scheduler Meeting Type",
		filters={"user": user, "active": 1},
		pluck="name",
	)
	hosted = frappe.get_all(
		"Scheduler Meeting Type Host",
		filters={"parenttype": "Scheduler Meeting Type", "user": user, "accepted": 1},
		pluck="parent",
	)
	out = []
	for name in dict.fromkeys([*own, *hosted]):
		doc = meeting_type_doc(name)
		if not doc.active or int(doc.get("days") or 1) > 1:
			continue
		if user in bookable_hosts(doc):
			out.append(doc)
	out.sort(key=lambda doc: (-(doc.priority or 0), doc.sort_order or 0, doc.title))
	return out


def may_book_for_prospect(meeting_type: str, user: str) -> bool:
	return any(doc.name == meeting_type for doc in rep_types(user))


def rep_hosts(ctx: TypeContext, user: str) -> list[str]:
	"""The hosts of a booking ``user`` makes: themselves (first, the organiser), and for a
	collective type every other host too."""
	if ctx.assignment is Assignment.COLLECTIVE:
		return [user, *(host for host in ctx.hosts if host != user)]
	return [user]


def free_times(meeting_type: str, user: str, start: datetime, days: int, now: datetime) -> list:
	"""The starts the type offers within ``days`` from ``start`` with ``user`` as its host."""
	ctx = type_context(meeting_type)
	end = start + timedelta(days=max(1, min(int(days), MAX_DAYS)))
	return slots_for(ctx, start, end, now, hosts=rep_hosts(ctx, user))[:MAX_TIMES]
