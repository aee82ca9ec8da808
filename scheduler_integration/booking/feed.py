"""A host's secret ICS feed: their active bookings from 30 days ago on (collective too)."""

from __future__ import annotations

from datetime import timedelta

import frappe
from frappe.query_builder import DocType

from scheduler_integration.booking.presentation import calendar_event, people
from scheduler_integration.booking.tokens import hash_token, valid_shape
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.engine.booking_states import ACTIVE
from scheduler_integration.engine.ics import build_feed

PAST = timedelta(days=30)
LIMIT = 2000


def feed_for_token(token) -> str | None:
	"""The ICS feed of the profile whose feed token this is (None if unknown)."""
	if not valid_shape(token):
		return None
	row = frappe.db.get_value(
		"Scheduler Profile", {"feed_token_hash": hash_token(token)}, ["user", "display_name"], as_dict=True
	)
	if not row:
		return None
	b, h = DocType("Scheduler Booking"), DocType("Scheduler Booking Host")
	names = (
		frappe.qb.from_(h)
		.join(b)
		.on(b.name == h.parent)
		.select(b.name)
		.where(h.parenttype == "Scheduler Booking")
		.where(h.user == row.user)
		.where(b.status.isin(ACTIVE))
		.where(b.end > to_system(utc_now() - PAST))
		.orderby(b.start)
		.limit(LIMIT)
		.run(pluck=True)
	)
	fields = ["name", "meeting_type", "host", "status", "start", "end", "guest_name", "guest_email"]
	fields += ["notes", "location", "meeting_link", "ical_uid", "sequence"]
	bookings = frappe.get_all(
		"Scheduler Booking", filters={"name": ("in", names or [""])}, fields=fields, order_by="start"
	)
	hosts: dict[str, list] = {}
	for item in frappe.get_all(
		"Scheduler Booking Host",
		filters={"parenttype": "Scheduler Booking", "parent": ("in", names or [""])},
		fields=["parent", "user"],
		order_by="idx",
	):
		hosts.setdefault(item.parent, []).append(item)
	titles = dict(frappe.get_all("Scheduler Meeting Type", fields=["name", "title"], as_list=True))
	directory = people({item.user for rows in hosts.values() for item in rows} | {b.host for b in bookings})
	events = []
	for booking in bookings:
		booking.hosts = hosts.get(booking.name, [])
		events.append(calendar_event(booking, titles.get(booking.meeting_type, ""), directory=directory))
	return build_feed(events, f"{row.display_name} — bookings", utc_now())
