"""What a host's secret ICS feed shows: their active bookings from 30 days ago on
(collective too), loaded in a constant number of queries. ``outputs.invitations`` makes
the feed of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import frappe
from frappe.query_builder import DocType

from scheduler_integration.booking.presentation import people
from scheduler_integration.booking.tokens import hash_token, valid_shape
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.engine.booking_states import ACTIVE

PAST = timedelta(days=30)
LIMIT = 2000


@dataclass(frozen=True)
class FeedRows:
	display_name: str  # the profile's
	bookings: list  # rows with their ``hosts``, by start
	titles: dict[str, str]  # meeting type -> title
	templates: dict[str, tuple[str, str]]  # meeting type -> its event title and description templates
	directory: dict  # ``presentation.people`` of every host


def feed_rows(token) -> FeedRows | None:
	"""The bookings of the profile whose feed token this is (None if unknown)."""
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
	fields += ["guest_phone", "guest_company", "answers"]  # what the event templates show
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
	for booking in bookings:
		booking.hosts = hosts.get(booking.name, [])
	types = frappe.get_all(
		"Scheduler Meeting Type",
		filters={"name": ("in", list({b.meeting_type for b in bookings}) or [""])},
		fields=["name", "title", "event_title_template", "event_description_template"],
	)
	titles = {t.name: t.title for t in types}
	templates = {t.name: (t.event_title_template or "", t.event_description_template or "") for t in types}
	directory = people({item.user for rows in hosts.values() for item in rows} | {b.host for b in bookings})
	return FeedRows(row.display_name, bookings, titles, templates, directory)
