"""What every output of a booking reads the same way: its guest text, its length, its
hosts and their names, the page to book again, a time zone it can show.

Each output's own format lives beside its reader: the API's JSON in ``api.shapes``, the
email and SMS values in ``outputs.email_values``, calendar events and .ics in
``outputs.invitations``.

Guest text is stored as checked at the boundary (entities decoded once, then checked:
``engine.validation``) and escaped once by each output for its own format; no output
decodes it again.
"""

from __future__ import annotations

import frappe
from frappe.query_builder import DocType

from scheduler_integration.booking.domains import type_url
from scheduler_integration.core.clock import to_utc
from scheduler_integration.engine.validation import clean_timezone


def plain(value) -> str:
	"""Stored text as plain text. Guest text was decoded once when it was checked
	(``engine.validation.decoded``), so no output decodes entities again: one that did
	could turn text the check let through into a line break, markup or an encoded word."""
	return str(value or "")


def minutes(doc) -> int:
	"""How long this booking lasts: its own time, which a later change of its meeting
	type's duration never moves (booking.check)."""
	return int((to_utc(doc.end) - to_utc(doc.start)).total_seconds() // 60)


def safe_zone(name) -> str:
	try:
		return clean_timezone(name or "UTC")
	except ValueError:
		return "UTC"


def host_users(doc) -> list[str]:
	"""Every host of a booking, organiser first (rows from before multi-host: its host)."""
	users = [row.user for row in doc.get("hosts") or [] if row.user]
	if doc.host and doc.host not in users:
		users.insert(0, doc.host)
	return users


def attendee_emails(doc) -> list[str]:
	"""The colleagues the guest added to the meeting (``attendees``: one address a line)."""
	return [line.strip() for line in (doc.get("attendees") or "").splitlines() if line.strip()]


def people(users) -> dict[str, frappe._dict]:
	"""{user: {email, full_name}} in one query."""
	u = DocType("User")
	rows = (
		frappe.qb.from_(u)
		.select(u.name, u.email, u.full_name)
		.where(u.name.isin(list(users) or [""]))
		.run(as_dict=True)
	)
	out = {row.name: row for row in rows}
	for user in users:
		out.setdefault(user, frappe._dict(name=user, email=user, full_name=user))
	return out


def host_names(doc) -> str:
	found = people(host_users(doc))
	return ", ".join(found[u].full_name or u for u in host_users(doc))


def booking_page_url(meeting_type) -> str:
	"""The public page where this meeting type is booked (a guest's way back): on its custom
	domain, or its team's page, when it has one."""
	return type_url(meeting_type)
