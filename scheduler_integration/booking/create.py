"""A guest's new booking: only the cleaned guest fields and the request's own extras are
set; everything else (hosts, end, status, tokens) is the checked path's to decide."""

from __future__ import annotations

from datetime import datetime

import frappe

from scheduler_integration.booking.errors import DuplicateRequest
from scheduler_integration.booking.tokens import manage_token
from scheduler_integration.core.clock import to_system
from scheduler_integration.engine.booking_states import Actor

GUEST_FIELDS = frozenset(
	{"guest_name", "guest_email", "guest_phone", "guest_company", "notes", "answers", "booker_timezone"}
)
EXTRA_FIELDS = frozenset(
	{
		"source",
		"utm_source",
		"utm_medium",
		"utm_campaign",
		"reference_doctype",
		"reference_name",
		"language",
	}
)


def book_as_guest(
	meeting_type: str,
	start: datetime,
	guest: dict,
	*,
	idempotency_key: str | None = None,
	extra: dict | None = None,
):
	"""Insert the booking through the checked path. Returns (doc, manage token)."""
	unknown = (set(guest) - GUEST_FIELDS) | (set(extra or {}) - EXTRA_FIELDS)
	if unknown:
		raise ValueError(f"not guest fields: {sorted(unknown)}")  # a programming error, never input
	doc = frappe.get_doc(
		{
			"doctype": "Scheduler Booking",
			"meeting_type": meeting_type,
			"start": to_system(start),
			"idempotency_key": idempotency_key,
			**guest,
			**(extra or {}),
		}
	)
	doc.flags.actor = Actor.GUEST
	doc.flags.ignore_permissions = True  # guests have no role permission; the checked path guards
	# Frappe's per-document work is half of a booking's CPU; two parts of it check nothing
	# here. Every link of a guest's booking comes from a record the request has just read
	# (meeting type, its hosts, an enabled Language, a report's existing reference), and a
	# new document's Version records something only for data imports.
	doc.flags.ignore_version = doc.flags.ignore_links = True
	try:
		doc.insert()
	except DuplicateRequest as replay:
		frappe.db.rollback()
		doc = frappe.get_doc("Scheduler Booking", replay.booking)
	doc.flags.ignore_version = doc.flags.ignore_links = False  # later saves of it check as usual
	return doc, manage_token(doc)
