"""What a record's timeline and the hosts' desk calendars show: comments and Events,
written as the booking's organiser (``acting_as``), never as "Guest"; and the list of
records a booking made (``crm_records``), so later changes find them.

Every meeting has an Event in each host's calendar: a multi-day booking one for each of
its days (made with its first day's, on that day's record), each moved and cancelled by
its own day. Each host's Event points at the guest's record twice over, for the two readers that
look: ``reference_doctype`` / ``reference_docname`` (the record itself; Frappe CRM's
Events tab and Calendar filter on these) and its participants (the Contact and the
record; ERPNext's Open Activities read those). Its core reminder (``send_reminder``, the
daily "Upcoming Events" digest) is off whenever this app reminds the hosts itself
(``app_reminds_hosts``), so a host is never reminded twice."""

from __future__ import annotations

from contextlib import contextmanager

import frappe

from scheduler_integration.booking.check import lock_hosts_of
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.core.settings import setting
from scheduler_integration.effects.crm.describe import answers_html, booking_link, details, summary
from scheduler_integration.engine.adapters import parse_offsets

EVENT_STATUS = {
	"cancelled": "Cancelled",
	"declined": "Cancelled",
	"completed": "Completed",
	"no_show": "Closed",
}


@contextmanager
def acting_as(user: str | None):
	"""Work as ``user`` (the host) for what follows, then as before: documents, comments,
	assignments and notifications are then theirs."""
	previous = frappe.session.user
	if not user or user == previous or not frappe.db.exists("User", user):
		yield
		return
	_switch_user(user)
	try:
		yield
	finally:
		_switch_user(previous)


def _switch_user(user: str) -> None:
	"""``frappe.set_user``, keeping the process's copy of the site's cache: set_user empties
	it, and every effect after (of this booking and of the others its job drains) then read
	each DocType's metadata, hooks and maps from Redis again and unpickled them: a seventh
	of a Frappe CRM booking's effect time (329 → 282 ms). Nothing in it is the previous user's: a user's
	own entries (roles, permissions, defaults) are kept under keys naming the user."""
	kept = getattr(frappe.local, "cache", None)
	frappe.set_user(user)
	if kept is not None:
		frappe.local.cache = kept


def comment(doc, text: str) -> None:
	"""A comment on the record's timeline (the Contact's without one), as the host."""
	target = (doc.crm_doctype, doc.crm_name) if doc.crm_doctype and doc.crm_name else ("Contact", doc.contact)
	if not target[1]:
		return
	frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Comment",
			"reference_doctype": target[0],
			"reference_name": target[1],
			"comment_email": frappe.db.get_value("User", doc.host, "email") or doc.host,
			"comment_by": frappe.utils.get_fullname(doc.host),
			"content": f"{text}<br>{booking_link(doc)}",
		}
	).insert(ignore_permissions=True)


def remember(doc, purpose: str, doctype: str, name, user: str | None = None) -> None:
	"""Remember on the booking a record it made (``crm_records``)."""
	row = frappe.get_doc(
		{
			"doctype": "Scheduler Booking Record",
			"parent": doc.name,
			"parenttype": "Scheduler Booking",
			"parentfield": "crm_records",
			"idx": len(doc.get("crm_records") or []) + 1,
			"purpose": purpose,
			"record_type": doctype,
			"record_name": str(name),
			"user": user,
		}
	)
	row.db_insert()
	doc.append("crm_records", row)


def remembered(doc, purpose: str) -> list:
	return [
		row
		for row in doc.get("crm_records") or []
		if row.purpose == purpose and frappe.db.exists(row.record_type, row.record_name)
	]


def app_reminds_hosts(doc) -> bool:
	"""Does this app remind the hosts of ``doc`` (Settings → Remind Hosts, with reminder
	offsets for its meeting type)? Then the core Event's own reminder stays off."""
	if not setting("remind_host"):
		return False
	override = meeting_type_doc(doc.meeting_type).get("reminder_offsets")
	default = parse_offsets(setting("reminder_offsets"))
	return bool(parse_offsets(override, default) if override else default)


def event_reference(doc) -> tuple[str | None, str | None]:
	"""The record a meeting's Events belong to: the CRM record, else the Contact."""
	target = record_of(doc)
	return target if target else (None, None)


def event_for(doc, host_row, participants, reference: tuple | None = None, subject: str = "") -> str | None:
	"""The desk Event of ``doc`` in ``host_row``'s calendar (owned by that host); its record
	is ``reference`` when given (a later day of a multi-day booking: its first day's). None
	when that host left the booking since this run read it (a move committed meanwhile:
	the move's own run makes the Events of the hosts it has now)."""
	reference_doctype, reference_docname = reference or event_reference(doc)
	lock_hosts_of(doc.name)  # the one lock order: the hosts' profiles, then their rows
	if not frappe.db.sql(  # a locking read: as committed, not as this run's snapshot has it
		"select name from `tabScheduler Booking Host` where name = %s for update", (host_row.name,)
	):
		# checked before the Event is made: an Event made and deleted again gave its number
		# back (Frappe reverts a series' last number), and Frappe's deferred clean-up of the
		# deleted one then cut the next Event of that number from its timeline entries
		return None
	event = frappe.get_doc(
		{
			"doctype": "Event",
			"subject": (subject or summary(doc))[:140],
			"event_category": "Meeting",
			"event_type": "Private",
			"starts_on": doc.start,
			"ends_on": doc.end,
			"status": "Open",
			"description": details(doc) + answers_html(doc),
			"event_participants": participants,
			"reference_doctype": reference_doctype,
			"reference_docname": reference_docname,
			"send_reminder": 0 if app_reminds_hosts(doc) else 1,
		}
	)
	event.insert(ignore_permissions=True)
	if event.owner != host_row.user:  # each host owns theirs: it shows in their desk calendar
		frappe.db.set_value("Event", event.name, "owner", host_row.user, update_modified=False)
	frappe.db.set_value("Scheduler Booking Host", host_row.name, "event", event.name, update_modified=False)
	host_row.event = event.name  # a later effect of the same run reads it (a slot's ``seats``)
	return event.name


def update_events(doc, values: dict) -> None:
	for row in doc.hosts:
		if row.event and frappe.db.exists("Event", row.event):
			frappe.db.set_value("Event", row.event, values)


def record_of(doc) -> tuple[str, str] | None:
	if doc.crm_doctype and doc.crm_name:
		return doc.crm_doctype, doc.crm_name
	return ("Contact", doc.contact) if doc.contact else None
