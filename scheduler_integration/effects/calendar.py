"""Bookings written to each host's connected calendars (connections with Write Bookings).

Every host of a booking gets the event in their own destination calendar(s), shown in
their own time zone, with the other hosts and the guest as attendees. The event id of
each (host, connection) is kept on the booking's host row, so a move patches the same
event and a cancel deletes it; writes use the booking's stable UID, so a retried create
never duplicates. A Google Meet meeting type asks Google for a Meet link on the first
write; the link is stored on the booking for the emails that follow.

A provider failure raises: the effects runner retries with backoff and the booking stays
as it is (invariant 5).
"""

from __future__ import annotations

import json

import frappe

from scheduler_integration.booking.presentation import host_users, people, plain
from scheduler_integration.calendars.model import Attendee, EventDraft
from scheduler_integration.core.clock import to_utc
from scheduler_integration.core.hosts import host_timezone

EVENTS = ("booked", "pending", "confirmed", "rescheduled", "cancelled", "declined")
REMOVE = ("cancelled", "declined")


def draft_of(booking, host: str) -> EventDraft:
	"""A booking as an event in ``host``'s calendar: every host and the guest attend."""
	title = frappe.get_cached_doc("Scheduler Meeting Type", booking.meeting_type).title
	users = host_users(booking)
	found = people(users)
	attendees = [Attendee(booking.guest_email, plain(booking.guest_name))]
	attendees += [
		Attendee(found[u].email, found[u].full_name or "")
		for u in users
		if u != host and "@" in (found[u].email or "")
	]
	return EventDraft(
		start=to_utc(booking.start),
		end=to_utc(booking.end),
		summary=f"{title}: {plain(booking.guest_name)}"[:200],
		description=plain(booking.notes)[:2000],
		location=booking.meeting_link or plain(booking.location),
		timezone=host_timezone(host),
		attendees=tuple(attendees),
		uid=booking.ical_uid or f"{booking.name}@scheduler_integration",
		sequence=int(booking.sequence or 0),
		status="tentative" if booking.status == "Pending" else "confirmed",
		private={"scheduler_booking": booking.name},
	)


def writers(host: str) -> list:
	names = frappe.get_all(
		"Scheduler Calendar Connection",
		filters={"host": host, "enabled": 1, "write_bookings": 1},
		pluck="name",
	)
	return [frappe.get_doc("Scheduler Calendar Connection", name) for name in names]


def on_event(booking, event: str) -> str:
	"""Create, move or remove the booking's event in every host's destination calendars."""
	with_meet = (
		frappe.get_cached_doc("Scheduler Meeting Type", booking.meeting_type).location_type == "Google Meet"
	)
	written = 0
	for row in booking.hosts:
		connections = writers(row.user)
		if not connections:
			continue
		ids = json.loads(row.calendar_events or "{}")
		draft = draft_of(booking, row.user)
		for connection in connections:
			if event in REMOVE:
				connection.delete_booking(draft, ids.pop(connection.name, None))
			else:
				ids[connection.name], link = connection.write_booking(
					draft, ids.get(connection.name), with_meet and not booking.meeting_link
				)
				if link and not booking.meeting_link:
					booking.meeting_link = link
					frappe.db.set_value(
						"Scheduler Booking", booking.name, "meeting_link", link, update_modified=False
					)
			written += 1
			# stored after each write: a later failure must not forget what exists already
			row.calendar_events = json.dumps(ids)
			frappe.db.set_value(
				"Scheduler Booking Host",
				row.name,
				"calendar_events",
				row.calendar_events,
				update_modified=False,
			)
			frappe.db.commit()
	return f"{written} calendar(s)"
