"""Video meetings of bookings (Zoom, Microsoft Teams, Google Meet): made when a booking is
confirmed, moved when it is rescheduled, deleted when it is cancelled or declined. The join
link, passcode, provider and meeting id are stored on the booking, for the emails, the
.ics and the manage page.

- Whose account: the organiser host's, through the connection ``booking.meetings`` picks
  (``engine.meetings.choose_source``). When that connection also writes the booking to its
  calendar and the provider puts its own link on events (Meet, Teams), the calendar effect,
  which runs next, asks that write for the link (``write(..., with_meeting=True)``), so the
  host gets one event carrying it; this effect then leaves it to that write.
- Otherwise the provider's video adapter makes a standalone meeting keyed by the booking
  (``MeetingDraft.key``): a retried create finds what a lost first answer made.
- Every call is logged (Scheduler Video Meeting Log) with its result. A failure shows on the
  connection (Needs Reconnect when the authorisation was refused, Error otherwise) and
  raises: the effects runner retries, never sooner than the provider's Retry-After. The
  booking itself is never touched by a failure, so none is lost.
- A pending booking (waiting for the host's confirmation) gets its meeting when it is
  confirmed; nothing is made for a booking that is no longer active.
- A link stored after an email of the booking went out without it (the provider was down
  when the confirmation was sent) is sent once in a follow-up email to the guest and the
  hosts (``store``): in the same transaction as the effect's Done mark, so exactly once.
"""

from __future__ import annotations

import json

import frappe

from scheduler_integration.booking import meetings, seats
from scheduler_integration.booking.check import lock_hosts_of
from scheduler_integration.booking.fields import store_after_answer
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import plain
from scheduler_integration.connections.adapters import video_adapter
from scheduler_integration.connections.credentials import spec_of
from scheduler_integration.connections.status import record_failure, record_success
from scheduler_integration.core import queue
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.errors import provider_error_text
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.effects import email
from scheduler_integration.engine.booking_states import is_active
from scheduler_integration.engine.statuses import Status
from scheduler_integration.providers.errors import AdapterError, MeetingNotFound, ProviderAuthError
from scheduler_integration.providers.model import Attendee
from scheduler_integration.providers.providers import MeetingDraft, for_location, get_spec

EVENTS = ("booked", "confirmed", "rescheduled", "cancelled", "declined")
REMOVE = ("cancelled", "declined")
LOG = "Scheduler Video Meeting Log"
# emails whose templates show the meeting link
LINK_EMAILS = ("booked", "pending", "confirmed", "rescheduled")
LINK_FIELDS = ("meeting_link", "meeting_password", "meeting_provider", "meeting_id", "meeting_connection")


def applies(booking) -> bool:
	"""Whether a change of ``booking`` can concern a video meeting: its type's location is
	a video one, or it has a meeting already (to move or remove)."""
	mt = meeting_type_doc(booking.meeting_type)
	return bool(booking.get("meeting_id")) or for_location(mt.location_type or "") is not None


def on_event(booking, event: str) -> str:
	mt = meeting_type_doc(booking.meeting_type)
	if seats.seated(booking.meeting_type) and not booking.seat_leader:
		# a seat joins its leader's meeting (booking.seats); one it kept from a slot it left
		# empty goes
		if not booking.meeting_id or made_by_calendar(booking):
			return "on the slot's meeting"
		name = frappe.db.exists("Scheduler Calendar Connection", booking.meeting_connection or "")
		if name:
			_delete(booking, frappe.get_doc("Scheduler Calendar Connection", name))
		_set(booking, {"meeting_id": None, "meeting_connection": None})
		return "left its slot's meeting"
	if event in REMOVE:
		return remove(booking)
	if booking.status != Status.CONFIRMED:
		return "not confirmed" if is_active(booking.status) else "stale"
	source = meetings.link_source(booking.host, mt.location_type)
	if source is None:
		if for_location(mt.location_type or "") is None:
			return "no video location"
		# not the provider's failure (nothing to log): the host has to connect it; the
		# runner retries, so the link still comes if they do it soon
		raise ProviderAuthError(
			"{0} has no connection that makes {1} links: connect it in Scheduler Calendar Connection",
			booking.host,
			mt.location_type,
		)
	if source.via_calendar:
		return "made by the calendar write"
	connection = frappe.get_doc("Scheduler Calendar Connection", source.connection)
	draft = meeting_draft(booking, mt)
	made_by_other = booking.meeting_id and booking.meeting_connection not in (None, "", connection.name)
	if made_by_other and not made_by_calendar(booking):
		# the booking moved to another host (round robin): their account makes the new one
		old = frappe.db.exists("Scheduler Calendar Connection", booking.meeting_connection)
		if old:
			_delete(booking, frappe.get_doc("Scheduler Calendar Connection", old))
	if booking.meeting_id and booking.meeting_connection == connection.name and not made_by_calendar(booking):
		meeting_id = booking.meeting_id

		def update(adapter):
			try:
				return adapter.update_meeting(meeting_id, draft)
			except MeetingNotFound:  # deleted at the provider meanwhile: make it again
				return adapter.create_meeting(draft)

		meeting = call(booking, connection, "Update", update)
	else:
		meeting = call(booking, connection, "Create", lambda adapter: adapter.create_meeting(draft))
	store(booking, meeting, connection)
	return f"{connection.provider} meeting {meeting.id}"


def remove(booking) -> str:
	"""Delete the booking's standalone meeting (one on a calendar event goes with the
	event: the calendar effect deletes it); the link and passcode are no longer shown."""
	if not booking.meeting_id:
		return "no meeting"
	if made_by_calendar(booking):
		result = "deleted with the calendar event"
	else:
		name = frappe.db.exists("Scheduler Calendar Connection", booking.meeting_connection or "")
		if not name:
			result = "connection gone"
		else:
			_delete(booking, frappe.get_doc("Scheduler Calendar Connection", name))
			result = "deleted"
	_set(booking, {"meeting_link": None, "meeting_password": None})
	return result


def _delete(booking, connection) -> None:
	meeting_id = booking.meeting_id
	call(booking, connection, "Delete", lambda adapter: adapter.delete_meeting(meeting_id))


def made_by_calendar(booking) -> bool:
	"""Is the booking's meeting the provider's link on one of its calendar events?"""
	if not booking.meeting_id:
		return False
	for row in booking.get("hosts") or []:
		if booking.meeting_id in json.loads(row.calendar_events or "{}").values():
			return True
	return False


def meeting_draft(booking, mt) -> MeetingDraft:
	"""The booking as a video meeting in the organiser host's account: topic, start,
	duration, the host's time zone, a passcode (Zoom) and the guest admitted (Meet)."""
	attendees = ()
	slot = booking.get("seat_leader") and seats.seated(booking.meeting_type)
	try:
		if not slot:
			attendees = (Attendee(booking.guest_email, plain(booking.guest_name)),)
		elif mt.show_attendees:
			attendees = tuple(
				Attendee(row.guest_email, plain(row.guest_name)) for row in seats.slot_of(booking)
			)
	except AdapterError:
		pass  # an address the provider would refuse: the guest joins by the link
	return MeetingDraft(
		topic=mt.title if slot else f"{mt.title}: {plain(booking.guest_name)}",
		start=to_utc(booking.start),
		end=to_utc(booking.end),
		timezone=host_timezone(booking.host),
		agenda=plain(booking.notes)[:1500],
		password_policy="generate",
		key=booking.name,
		attendees=attendees,
	)


def call(booking, connection, action: str, work, via: str = "Meeting"):
	"""Run ``work(adapter)`` against the connection's video adapter, logged; a failure is
	recorded on the connection and in the log (committed, the caller's work rolled back)
	and raised for the effects runner to retry."""
	try:
		result = work(video_adapter(connection, booking.host))
	except Exception as exc:
		failed(booking, connection, action, exc, via)
		raise
	meeting_id = getattr(result, "id", None) or booking.meeting_id
	log(booking, connection, spec_of(connection).name, action, meeting=result, meeting_id=meeting_id, via=via)
	record_success(connection)
	return result


def failed(
	booking, connection, action: str, exc: Exception, via: str = "Meeting", logged: bool = True
) -> None:
	"""Record a provider failure where the host (the connection's status) and, for a
	meeting call (``logged``), the analytics see it, whatever the effect does next."""
	frappe.db.rollback()
	connection.reload()
	record_failure(connection, exc)
	if logged:
		log(booking, connection, spec_of(connection).name, action, error=exc, via=via)
	frappe.db.commit()


def log(
	booking,
	connection,
	provider: str,
	action: str,
	*,
	meeting=None,
	meeting_id: str | None = None,
	error: Exception | None = None,
	via: str = "Meeting",
) -> None:
	label = get_spec(provider).label
	frappe.get_doc(
		{
			"doctype": LOG,
			"booking": booking.name,
			"host": booking.host,
			"provider": label,
			"connection": connection.name if connection else None,
			"action": action,
			"via": via,
			"result": "Failed" if error else "Success",
			"meeting_id": (getattr(meeting, "id", None) or meeting_id or "")[:255] or None,
			"join_url": getattr(meeting, "join_url", None),
			"error": provider_error_text(error) if error else None,
			"retryable": int(bool(getattr(error, "retryable", False))),
			"http_status": int(getattr(error, "status", 0) or 0),
			"occurred_at": to_system(utc_now()),
		}
	).db_insert()


def store(booking, meeting, connection) -> None:
	"""Keep the meeting on the booking; a new link after an email of the booking already
	went out without it is sent once more (``announce``)."""
	previous = booking.meeting_link
	same = booking.meeting_id == meeting.id
	values = {
		"meeting_link": meeting.join_url,
		"meeting_password": meeting.password or (booking.meeting_password if same else None),
		"meeting_provider": get_spec(meeting.provider).label,
		"meeting_id": meeting.id,
		"meeting_connection": connection.name,
	}
	_set(booking, values)
	if meeting.join_url and meeting.join_url != previous:
		announce(booking)
	if booking.get("seat_leader"):
		share(booking)


def share(leader) -> None:
	"""Every other seat of a seated slot shows its leader's link (sent on once to a guest
	whose confirmation went out without it)."""
	shown = {field: leader.get(field) for field in seats.LINK_FIELDS}
	for row in seats.slot_of(leader):
		if row.name == leader.name:
			continue
		seat = frappe.get_doc("Scheduler Booking", row.name)
		if seat.meeting_link == shown["meeting_link"]:
			continue
		_set(seat, shown)
		if shown["meeting_link"]:
			announce(seat)


def _set(booking, values: dict) -> None:
	lock_hosts_of(booking.name)  # the one lock order: the hosts' profiles, then their rows
	booking.update(values)
	store_after_answer(booking.name, values)  # a desk form opened before keeps them (booking.fields)


def announce(booking) -> bool:
	"""Send the link in a follow-up email when an email of the booking that shows the link
	already went out (or is being sent) without it, and none that will show it is still
	waiting. The waiting email rows are locked until this transaction ends, so one that is
	claimed after it reads the stored link; the follow-up is queued in this transaction."""
	rows = frappe.db.sql(
		"select status from `tabScheduler Booking Effect` where booking=%s and effect='email' "
		"and lifecycle_event in %s for update",
		(booking.name, LINK_EMAILS),
		pluck=True,
	)
	if "Pending" in rows or not {"Done", "Running"} & set(rows):
		return False
	if not is_active(booking.status):
		return False
	email.send(booking, "meeting_link")
	return True


def retry_waiting(host: str | None = None) -> int:
	"""Run now the meeting links that wait for a retry (after a host reconnected): the
	pending video and calendar effects of ``host``'s bookings (every host's: None)."""
	row = frappe.qb.DocType("Scheduler Booking Effect")
	booking = frappe.qb.DocType("Scheduler Booking")
	query = (
		frappe.qb.from_(row)
		.join(booking)
		.on(booking.name == row.booking)
		.select(row.booking)
		.distinct()
		.where(row.status == "Pending")
		.where(row.effect.isin(["video", "calendar"]))
	)
	if host:
		query = query.where(booking.host == host)
	names = query.run(pluck=True)
	if not names:
		return 0
	now = to_system(utc_now())
	(
		frappe.qb.update(row)
		.set(row.next_attempt_at, now)
		.where(row.booking.isin(names))
		.where(row.status == "Pending")
		.where(row.effect.isin(["video", "calendar"]))
		.run()
	)
	frappe.db.commit()
	for name in names:
		queue.enqueue(
			"scheduler_integration.effects.run_booking",
			queue="short",
			booking=name,
			job_id=f"scheduler-effects-sweep-{name}",
			deduplicate=True,
		)
	return len(names)
