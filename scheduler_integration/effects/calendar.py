"""Bookings written to each host's connected calendars (connections with Write Bookings).

Every host of a booking gets the event in their own destination calendar(s), shown in
their own time zone, with the other hosts and the guest as attendees, the join link as
its location and the link and passcode in its description. The event id of each (host,
connection) is kept on the booking's host row, so a move patches the same event and a
cancel deletes it; writes use the booking's stable UID, so a retried create never
duplicates. Every meeting of a series and every day of a multi-day booking is a booking
of its own: each gets its own event (its own UID), moved and removed with it.

When the connection that makes the booking's video link (``booking.meetings``) is one of
these calendars and its provider puts its own link on events (Google Meet, Microsoft
Teams), the first write asks for it (``write(..., with_meeting=True)``): the host gets one
event carrying the link, and ``effects.video.store`` keeps it on the booking (and sends it
late if an email already went out without it). That write is logged like any other video
meeting call.

A provider failure raises: the effects runner retries with backoff and the booking stays
as it is: a provider failure never loses a booking.
"""

from __future__ import annotations

import json

import frappe

from scheduler_integration.booking import host_changes as booking_host_changes
from scheduler_integration.booking import meetings, seats
from scheduler_integration.booking.check import lock_hosts_of
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import people
from scheduler_integration.connections.adapters import delete_booking, write_booking
from scheduler_integration.connections.credentials import spec_of
from scheduler_integration.connections.status import record_success
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.effects import video
from scheduler_integration.engine import host_changes
from scheduler_integration.engine.booking_states import is_active
from scheduler_integration.engine.statuses import Status
from scheduler_integration.outputs.invitations import calendar_event, slot_event
from scheduler_integration.providers.model import EventDraft

EVENTS = ("booked", "pending", "confirmed", "rescheduled", "cancelled", "declined", "seats")
REMOVE = ("cancelled", "declined")


def draft_of(booking, host: str) -> EventDraft:
	"""A booking as an event in ``host``'s calendar: the booking's one event
	(``presentation.calendar_event``) shown on the host's clock, every other host and the
	guest attending; for a seated slot's leader, the slot with all its guests
	(``invitations.slot_event``)."""
	email = people([host])[host].email or host
	private = {"scheduler_booking": booking.name}
	if booking.get("seat_leader") and seats.seated(booking.meeting_type):
		event = slot_event(booking)
		# read back from the calendar it is no busy time: its seats are bookings already,
		# and an open slot must stay open (providers.ics_feed, providers.google)
		private["scheduler_seats"] = "1"
	else:
		event = calendar_event(booking, organizer=False)
	return EventDraft.from_event(event, timezone=host_timezone(host), private=private, without=(email,))


def applies(booking) -> bool:
	"""Whether any host of ``booking`` has bookings written to a calendar, or a host who
	left it still has its event in theirs."""
	if host_changes.to_undo(booking_host_changes.of(booking), "calendar"):
		return True
	users = [row.user for row in booking.get("hosts") or [] if row.user]
	# written out: asked inside every booking's transaction, where building it cost more
	# CPU than the database spent on it
	return bool(users) and bool(
		frappe.db.sql(
			"select 1 from `tabScheduler Calendar Connection` where host in %(users)s"
			" and enabled = 1 and write_bookings = 1 limit 1",
			{"users": tuple(users)},
		)
	)


def writers(host: str) -> list:
	names = frappe.get_all(
		"Scheduler Calendar Connection",
		filters={"host": host, "enabled": 1, "write_bookings": 1},
		pluck="name",
	)
	return [frappe.get_doc("Scheduler Calendar Connection", name) for name in names]


def link_maker(booking) -> str | None:
	"""The connection whose calendar write makes the booking's video link (None: none)."""
	if booking.status != Status.CONFIRMED:
		return None  # a pending booking gets its meeting when it is confirmed
	location = meeting_type_doc(booking.meeting_type).location_type
	source = meetings.link_source(booking.host, location)
	return source.connection if source and source.via_calendar else None


def on_event(booking, event: str) -> str:
	"""Create, move or remove the booking's event in every host's destination calendars.
	A seat of a slot is on its leader's event (``booking.seats``): it writes none of its own
	and removes one it kept from a slot it left empty."""
	if seats.seated(booking.meeting_type) and not booking.seat_leader:
		if not any(json.loads(row.calendar_events or "{}") for row in booking.hosts):
			return "on the slot's event"
		event = "cancelled"
	elif event == "seats" and not is_active(booking.status):
		return "stale"
	maker = None if event in REMOVE else link_maker(booking)
	written = 0
	for row in booking.hosts:
		connections = writers(row.user)
		if not connections:
			continue
		ids = json.loads(row.calendar_events or "{}")
		draft = draft_of(booking, row.user)
		for connection in connections:
			if event in REMOVE:
				event_id = ids.pop(connection.name, None)
				carried = bool(event_id) and event_id == booking.meeting_id
				try:
					delete_booking(connection, draft, event_id)
				except Exception as exc:
					video.failed(booking, connection, "Delete", exc, via="Calendar Event", logged=carried)
					raise
				if carried:  # the event carried the video meeting: it went with it
					video.log(
						booking,
						connection,
						spec_of(connection).name,
						"Delete",
						meeting_id=event_id,
						via="Calendar Event",
					)
			else:
				with_meeting = connection.name == maker and not (
					booking.meeting_id and booking.meeting_connection == connection.name
				)
				try:
					ids[connection.name], meeting = write_booking(
						connection, draft, ids.get(connection.name), with_meeting
					)
				except Exception as exc:
					# shown on the connection; a failed meeting creation also counts against
					# the provider's reliability
					video.failed(
						booking, connection, "Create", exc, via="Calendar Event", logged=with_meeting
					)
					raise
				if meeting and with_meeting:
					video.log(
						booking,
						connection,
						spec_of(connection).name,
						"Create",
						meeting=meeting,
						via="Calendar Event",
					)
					video.store(booking, meeting, connection)
			record_success(connection)
			written += 1
			# stored after each write: a later failure must not forget what exists already
			if not keep_event_ids(booking, row, ids) and event not in REMOVE:
				# the host left meanwhile: their calendar does not keep what it cannot undo
				delete_booking(connection, draft, ids.get(connection.name))
			frappe.db.commit()
	written += remove_from_left_hosts(booking)
	return f"{written} calendar(s)"


def remove_from_left_hosts(booking) -> int:
	"""Take the booking's event out of the calendars of the hosts a change took it from
	(``booking.host_changes``), each removal kept as done at once."""
	removed = 0
	for user, item in host_changes.to_undo(booking_host_changes.of(booking), "calendar"):
		connection_name, event_id = item
		if frappe.db.exists("Scheduler Calendar Connection", connection_name):
			connection = frappe.get_doc("Scheduler Calendar Connection", connection_name)
			try:
				delete_booking(connection, draft_of(booking, user), event_id)
			except Exception as exc:
				video.failed(booking, connection, "Delete", exc, via="Calendar Event", logged=False)
				raise
			record_success(connection)
			removed += 1
		# a connection deleted since took its calendar's events out of our reach
		booking_host_changes.update(
			booking, lambda stored, u=user, i=item: host_changes.without(stored, u, "calendar", i)
		)
		frappe.db.commit()
	return removed


def keep_event_ids(booking, row, ids: dict) -> bool:
	"""Store the provider event ids of ``row``'s host (by connection) on the host row, after
	taking the hosts' profiles: a new booking of the host holds them while it locks host
	rows and then their bookings, and this write may follow the booking's own (a meeting
	link, ``video.store``) in the same transaction. False, nothing stored, when that host
	left the booking since this run read it (a move committed meanwhile)."""
	lock_hosts_of(booking.name)
	if not frappe.db.sql(  # a locking read: as committed, not as this run's snapshot has it
		"select name from `tabScheduler Booking Host` where name = %s for update", (row.name,)
	):
		return False
	row.calendar_events = json.dumps(ids)
	frappe.db.set_value(
		"Scheduler Booking Host", row.name, "calendar_events", row.calendar_events, update_modified=False
	)
	return True
