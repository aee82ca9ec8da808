"""The seats of a slot on the Frappe side (the rules of which starts stay open are
``engine.seats``).

Each guest of a seated meeting type has a booking of their own (their manage link, emails,
reminders, CRM record), and the bookings of one meeting type at one start with one
organiser are the slot's seats. The hosts get one calendar event and one video meeting per
slot, and one CRM task, to-do and desk event per host, kept by one seat, the slot's
*leader* (``seat_leader``): the first seat of the slot. The other seats show the leader's
meeting link; each guest's own CRM record shows their seat.

- A seat that takes a slot with other seats is not its leader and copies the leader's link
  (``place``, inside the checked path, under the hosts' lock).
- A seat that leaves a slot (cancelled, declined, moved) while others stay hands the
  slot's calendar events, video meeting, desk events, CRM task and to-dos to the next seat
  (``place``, in the same transaction); a seat that was the slot's last keeps them, and
  its own effects move or remove them as for any booking.
- Every change of a slot's guests plans the ``seats`` effects on its leader, which write the
  slot's calendar event, desk events, task and to-dos again with the guests who stay.

Changes that leave a slot take the hosts' lock too (``check.run``), so two guests leaving
one slot at once hand over one after the other.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import get_datetime

from scheduler_integration.booking.errors import SeatTaken
from scheduler_integration.booking.fields import store_after_answer
from scheduler_integration.core.replica import cached_value
from scheduler_integration.engine.booking_states import ACTIVE, is_active

# what the slot's video meeting is, kept by its leader; the first three are shown by every seat
LINK_FIELDS = ("meeting_link", "meeting_password", "meeting_provider")
HELD_FIELDS = (*LINK_FIELDS, "meeting_id", "meeting_connection")
# what the CRM effect made for the slot rather than for one guest (effects.crm)
SLOT_RECORDS = ("Task", "To Do")

# Written out like the other queries of the checked path; index (meeting_type, start).
_MEMBERS = """
	select name, seat_leader, guest_name, guest_email from `tabScheduler Booking`
	where meeting_type = %(meeting_type)s and start = %(start)s and host = %(host)s
		and status in %(active)s and name != %(exclude)s
	order by creation, name"""


def seated(meeting_type: str | None) -> bool:
	if not meeting_type:
		return False
	return int(cached_value("Scheduler Meeting Type", meeting_type, "seats_per_slot") or 1) > 1


def members(meeting_type: str, start, host: str, exclude: str | None = None, lock: bool = False) -> list:
	"""The active seats of the slot (oldest first): name, seat_leader, guest_name, guest_email.
	``lock``: the checked path's read, under the hosts' lock. It must be a locking read: a
	plain one answers from the transaction's snapshot, taken before the lock was granted,
	and misses the seats committed while it waited (each simultaneous first seat would
	then lead the slot, and one guest could take several seats)."""
	return frappe.db.sql(
		_MEMBERS + (" for update" if lock else ""),
		{
			"meeting_type": meeting_type,
			"start": start,
			"host": host,
			"active": tuple(ACTIVE),
			"exclude": exclude or "",
		},
		as_dict=True,
	)


def leader_of(rows: list) -> str | None:
	"""The seat holding the slot's event and meeting (the first, if none is marked)."""
	marked = next((row.name for row in rows if row.seat_leader), None)
	return marked or (rows[0].name if rows else None)


def _slot_of(doc) -> tuple:
	return (doc.meeting_type, get_datetime(doc.start), doc.host)


def leaves(doc, before) -> bool:
	"""Does this change take a seat out of the slot it held?"""
	if before is None or not is_active(before.status) or not seated(before.meeting_type):
		return False
	return not is_active(doc.status) or _slot_of(doc) != _slot_of(before)


def place(doc, before) -> list[str]:
	"""Settle the seats ``doc`` leaves and takes (checked path, hosts locked; nothing of
	it is stored unless the save is): returns the leaders of the slots whose guests changed,
	for their ``seats`` effects."""
	changed: list[str] = []
	if leaves(doc, before):
		rest = members(before.meeting_type, before.start, before.host, exclude=doc.name, lock=True)
		if rest:
			leader = leader_of(rest)
			if before.seat_leader:
				_hand_over(doc, leader)
			changed.append(leader)
	takes = before is None or not is_active(before.status) or _slot_of(doc) != _slot_of(before)
	if takes and is_active(doc.status) and seated(doc.meeting_type):
		leader = _join(doc)
		if leader:
			changed.append(leader)
	return changed


def leave(doc) -> list[str]:
	"""``doc`` is deleted while it holds a seat: the slot's next seat leads it (takes its event,
	meeting and records, as when a seat is cancelled). Returns the leader whose guests changed."""
	if not is_active(doc.status) or not seated(doc.meeting_type):
		return []
	rest = members(doc.meeting_type, doc.start, doc.host, exclude=doc.name, lock=True)
	if not rest:
		return []
	leader = leader_of(rest)
	if doc.seat_leader:
		_hand_over(doc, leader)
	return [leader]


def _join(doc) -> str | None:
	"""``doc`` takes a seat in its slot: the leader of a slot of its own, else a seat showing
	the leader's link (returned); one seat per guest and slot."""
	others = members(
		doc.meeting_type, doc.start, doc.host, exclude=None if doc.is_new() else doc.name, lock=True
	)
	email = (doc.guest_email or "").lower()
	if email and any((row.guest_email or "").lower() == email for row in others):
		raise SeatTaken(_("You already have a seat at this time"), "already_booked")
	if not others:
		doc.seat_leader = 1
		return None
	doc.seat_leader = 0
	leader = leader_of(others)
	values = (
		frappe.db.get_value("Scheduler Booking", leader, LINK_FIELDS, as_dict=True, for_update=True) or {}
	)
	doc.update({field: values.get(field) for field in LINK_FIELDS})
	return leader


def _hand_over(doc, leader: str) -> None:
	"""The slot's calendar events, video meeting, desk events, CRM task and to-dos go from
	``doc`` (leaving) to ``leader``; ``doc`` keeps nothing of them (saved with it)."""
	held = {field: doc.get(field) for field in HELD_FIELDS}
	store_after_answer(leader, {**held, "seat_leader": 1})  # a form of the leader opened before keeps them
	for row in doc.get("hosts") or []:
		if row.calendar_events or row.event:
			frappe.db.sql(
				"update `tabScheduler Booking Host` set calendar_events = %s, event = %s"
				" where parent = %s and parenttype = 'Scheduler Booking' and user = %s",
				(row.calendar_events, row.event, leader, row.user),
			)
		row.calendar_events = row.event = None
	moving = [row for row in doc.get("crm_records") or [] if row.purpose in SLOT_RECORDS]
	if moving:
		frappe.db.sql(
			"update `tabScheduler Booking Record` set parent = %s where name in %s",
			(leader, tuple(row.name for row in moving)),
		)
		doc.set("crm_records", [row for row in doc.crm_records if row.purpose not in SLOT_RECORDS])
	doc.update({field: None for field in HELD_FIELDS})
	doc.seat_leader = 0


def slot_of(leader) -> list:
	"""Every active seat of the slot ``leader`` (a booking document) is in, oldest first."""
	return members(leader.meeting_type, leader.start, leader.host)
