"""The meeting where a sales rep looks: Frappe CRM, ERPNext, or a plain Frappe Contact.

Who the guest is (``rules.matching``, one person, one record): the existing record found
by email, then by phone — a Frappe CRM Deal, a Frappe CRM Lead, an ERPNext Opportunity,
Customer or Lead, in that order — else a new lead (Settings → Create a Lead for New
Guests, on by default with ERPNext or Frappe CRM): a Frappe CRM Lead when Frappe CRM is
installed, else an ERPNext Lead, owned by the host (``lead_owner``). With both apps
installed, a person either app knows never gets a second record. The guest's Contact is
found by email or made.

What the hosts see:
- Frappe CRM record, on its page (``/crm/leads/<name>``, ``/crm/deals/<name>``):
  Tasks — one CRM Task per booking, assigned to every host, due at the start, with the
  time, the meeting link and the booking; its status follows the booking (Pending →
  Backlog, Confirmed → Todo, Completed → Done, Cancelled and No Show → Canceled) and its
  due date a reschedule. Notes — an FCRM Note with the guest's answers and notes.
  Activity — a comment for each change. The bell — a CRM Notification to each host on
  booking, reschedule and cancellation.
- ERPNext record (Lead, Opportunity, Customer), or the Contact on plain Frappe: a ToDo for
  each host (ERPNext lists it under Open Activities) and a comment for each change.
- Every host's desk calendar: an Event owned by that host, with the Contact and the record
  as participants (ERPNext lists it under Open Events); one for each day of a multi-day
  booking (the record, task and comments hear of its first day only).

Attribution: this effect works as the booking's organiser (``acting_as``), whoever's
request or job triggered it: what it creates is owned by the host and what it writes on
timelines and in notifications is theirs — never "Guest".

Links both ways: the booking holds the Contact, the record (``crm_doctype``/``crm_name``),
each host's Event and ``crm_records`` (tasks, notes, to-dos, notifications); each of those
links back to the booking in its text.

Nothing here is required for a booking to exist: this runs as an after-commit effect.

Modules: ``guest_record`` (the guest's record and Contact, made when missing; ``crm.records``
finds who the guest is), ``describe`` (how a meeting reads),
``timeline`` (comments, Events, what a booking made), ``tasks`` (CRM Tasks, notes,
ToDos, the no-show follow-up), ``notify`` (CRM Notifications); this one says which of
them each lifecycle event runs.
"""

from __future__ import annotations

from html import escape

import frappe
from frappe import _

from scheduler_integration.booking import seats, series
from scheduler_integration.booking.check import lock_hosts_of
from scheduler_integration.booking.fields import store_after_answer
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import host_names, host_users, plain
from scheduler_integration.crm.fields import apply_answers
from scheduler_integration.crm.records import FRAPPE_CRM
from scheduler_integration.effects import outbox
from scheduler_integration.effects.crm.describe import (
	answers_html,
	details,
	guests_html,
	slot_summary,
	summary,
	when,
)
from scheduler_integration.effects.crm.guest_record import (
	crm_record,
	find_or_create_contact,
	hold_person,
)
from scheduler_integration.effects.crm.handover import follow_hosts
from scheduler_integration.effects.crm.notify import notify
from scheduler_integration.effects.crm.tasks import (
	close_follow_up_tasks,
	crm_note,
	crm_task,
	follow_up_task,
	sync,
	todos,
)
from scheduler_integration.effects.crm.timeline import (
	EVENT_STATUS,
	acting_as,
	comment,
	event_for,
	event_reference,
	record_of,
	remembered,
	update_events,
)
from scheduler_integration.engine.booking_rules import news_is_stale
from scheduler_integration.engine.booking_states import is_active
from scheduler_integration.outputs.email_values import booked_by

__all__ = ["close_follow_up_tasks", "follow_up_task", "on_event"]


def _participants(doc) -> list[dict]:
	out = [{"reference_doctype": "Contact", "reference_docname": doc.contact}] if doc.contact else []
	if doc.crm_doctype and doc.crm_name:
		out.append({"reference_doctype": doc.crm_doctype, "reference_docname": doc.crm_name})
	return out


def _link_record(doc) -> None:
	"""A booking through a personal link belongs to the link's record (a rep made the link
	from it): its CRM record, or its Contact."""
	if doc.crm_name or doc.contact or not doc.get("personal_link"):
		return
	doctype, name = frappe.db.get_value(
		"Scheduler Personal Link", doc.personal_link, ["reference_doctype", "reference_name"]
	) or (None, None)
	if not (doctype and name and frappe.db.exists(doctype, name)):
		return
	if doctype == "Contact":
		doc.contact = name
	else:
		doc.crm_doctype, doc.crm_name = doctype, name


def on_booked(doc, event: str) -> str:
	_link_record(doc)
	if not doc.crm_name:
		doc.crm_doctype, doc.crm_name = crm_record(doc)
	# after the record: an ERPNext Lead makes the guest's Contact itself
	doc.contact = doc.contact or find_or_create_contact(doc)
	values = {"contact": doc.contact, "crm_doctype": doc.crm_doctype, "crm_name": doc.crm_name}
	lock_hosts_of(doc.name)  # the one lock order: the hosts' profiles, then their rows
	store_after_answer(doc.name, values)  # a desk form opened before keeps them (booking.fields)
	written = apply_answers(doc)  # mapped answers: company size, territory, …
	if seats.seated(doc.meeting_type) and not doc.seat_leader:
		return on_seat_taken(doc, event)
	participants = _participants(doc)
	events = [row.event or event_for(doc, row, participants, subject=day_subject(doc)) for row in doc.hosts]
	events = [event for event in events + later_day_events(doc, participants) if event]
	made = [_("{0} event(s)").format(len(events))]
	if written:
		made.append("fields " + ", ".join(written))
	if doc.crm_doctype in FRAPPE_CRM:
		task = crm_task(doc)
		note = crm_note(doc)
		notified = notify(doc, event, task)
		made += [f"CRM Task {task}", f"FCRM Note {note}" if note else "", f"{notified} notification(s)"]
	else:
		made.append(f"{todos(doc, record_of(doc))} ToDo(s)")
	message = (
		_("Meeting requested: {0} with {1} on {2}")
		if event == "pending"
		else _("Meeting booked: {0} with {1} on {2}")
	)
	text = message.format(escape(summary(doc)), escape(host_names(doc)), escape(when(doc)))
	if rep := booked_by(doc):  # a rep booked it for the guest (from this record, the desk)
		title = meeting_type_doc(doc.meeting_type).get("title")
		text = _("Meeting booked by {0} with {1}: {2} on {3}").format(
			escape(rep), escape(plain(doc.guest_name)), escape(title), escape(when(doc))
		)
	comment(doc, text)
	where = f"{doc.crm_doctype} {doc.crm_name}" if doc.crm_name else f"Contact {doc.contact}"
	return f"{where}: " + ", ".join(part for part in made if part)


def on_seat_taken(doc, event: str) -> str:
	"""A guest's seat in a slot another seat leads: the guest's record shows the meeting
	(comment, answers); the hosts' one task, to-do and event are the slot's (its leader's,
	written again by the ``seats`` event)."""
	note = crm_note(doc) if doc.crm_doctype in FRAPPE_CRM else None
	leader = seats.leader_of(seats.slot_of(doc))
	if leader:
		# The guest's records join the slot's events through a ``seats`` row of the leader,
		# visible once this transaction (with the guest's Contact) commits. Only the
		# leader's CRM rows write the events, one at a time (``outbox.claim``), and each
		# reads every seat afresh: two seats adding themselves to the event at once lost
		# one of them (a read-modify-write of its participants).
		outbox.plan(leader, "seats", [(0, "crm")])
	message = (
		_("Seat booked: {0} with {1} on {2}")
		if event != "pending"
		else _("Seat requested: {0} with {1} on {2}")
	)
	comment(doc, message.format(escape(summary(doc)), escape(host_names(doc)), escape(when(doc))))
	where = f"{doc.crm_doctype} {doc.crm_name}" if doc.crm_name else f"Contact {doc.contact}"
	return f"{where}: a seat" + (f", FCRM Note {note}" if note else "")


def _write_slot_events(leader, participants: list[dict], **values) -> None:
	"""The slot's desk events (one per host, on its leader's host rows) with exactly
	``participants`` and ``values`` set."""
	for row in leader.hosts:
		if not (row.event and frappe.db.exists("Event", row.event)):
			continue
		event = frappe.get_doc("Event", row.event)
		event.set("event_participants", participants)
		event.update(values)
		event.save(ignore_permissions=True)


def on_seats(leader) -> str:
	"""The guests of a seated slot changed: its one task, to-dos and events say so, and
	every guest's Contact and record take part in its events."""
	if not is_active(leader.status):
		return "stale"
	participants = []
	for row in seats.slot_of(leader):
		seat = leader if row.name == leader.name else frappe.get_doc("Scheduler Booking", row.name)
		participants += [p for p in _participants(seat) if p not in participants]
	title, text = slot_summary(leader), details(leader) + guests_html(leader)
	_write_slot_events(leader, participants, subject=title, description=text)
	for name in {row.record_name for row in remembered(leader, "Task")}:
		frappe.db.set_value(
			"CRM Task", name, {"title": _("Meeting: {0}").format(title)[:140], "description": text}
		)
	for row in remembered(leader, "To Do"):
		frappe.db.set_value("ToDo", row.record_name, "description", text)
	return title


def day_subject(doc, days: int | None = None) -> str:
	"""An Event's title: the meeting's, and which day of a multi-day booking it is."""
	if not (doc.get("series") and series.kind(doc.series) == "Multi-day"):
		return summary(doc)
	days = days or frappe.db.count("Scheduler Booking", {"series": doc.series})
	return _("{0} (day {1} of {2})").format(summary(doc), int(doc.series_index or 0) + 1, days)


def later_day_events(doc, participants: list[dict]) -> list[str]:
	"""The first day of a multi-day booking makes every later day's Events too, on its own
	record (the later days' CRM effects find none: the first day's finds the record)."""
	if not (doc.get("series") and not int(doc.series_index or 0) and series.kind(doc.series) == "Multi-day"):
		return []
	days = series.day_docs(doc)
	reference = event_reference(doc)
	made = []
	for day in days:
		if day.name == doc.name:
			continue
		for row in day.hosts:
			subject = day_subject(day, len(days))
			made.append(row.event or event_for(day, row, participants, reference, subject))
	return made


def on_later_day(doc, event: str) -> str:
	"""A later day of a multi-day booking: the record, its task and comments hear of the
	first day only; this day's own desk Events move and close with it, and follow a change of
	its hosts (on the first day's record)."""
	if event == "cancelled":
		follow_hosts(doc, [], "", whole=False)
	elif event == "rescheduled":
		first = next(iter(series.day_docs(doc)), doc)
		follow_hosts(doc, _participants(first), day_subject(doc), reference=event_reference(first))
	if event == "rescheduled":
		update_events(
			doc, {"starts_on": doc.start, "ends_on": doc.end, "description": details(doc) + answers_html(doc)}
		)
	elif event in EVENT_STATUS:
		update_events(doc, {"status": EVENT_STATUS[event]})
	else:
		return "with the first day"
	return f"day {int(doc.series_index or 0) + 1}: {event}"


def on_event(doc, event: str) -> str:
	if event in ("booked", "pending", "seats") and doc.guest_email:
		hold_person(doc.guest_email)  # one guest, one Contact and record: their meetings take turns
	with acting_as(doc.host):
		done = on_later_day(doc, event) if series.follows(doc) else _on_event(doc, event)
	refresh_record_pages(doc)
	return done


def refresh_record_pages(doc) -> None:
	"""A Frappe CRM lead or deal page open in a host's or the booking rep's browser reloads
	its activities and tasks by itself once this effect is committed (Frappe CRM's own
	``refetch_resource`` event for the page's ``["activity", name]`` resource)."""
	if doc.crm_doctype not in FRAPPE_CRM or not doc.crm_name:
		return
	for user in dict.fromkeys([*host_users(doc), doc.owner]):
		if user and user != "Guest":
			frappe.publish_realtime(
				"refetch_resource", {"cache_key": ["activity", doc.crm_name]}, user=user, after_commit=True
			)


def _on_event(doc, event: str) -> str:
	if event in ("booked", "pending"):
		return on_booked(doc, event)
	if event == "seats":
		return on_seats(doc)
	if not doc.contact and not doc.crm_name:
		return "no CRM record"
	task = next((row.record_name for row in remembered(doc, "Task")), None)
	if event in ("rescheduled", "cancelled"):
		# a change of hosts that came with it (a round-robin move to another host's time)
		# (a move the guest then cancelled gives the new host nothing to do)
		handed = follow_hosts(
			doc, _participants(doc), day_subject(doc), whole=event == "rescheduled" and is_active(doc.status)
		)
	if event == "rescheduled":
		update_events(
			doc, {"starts_on": doc.start, "ends_on": doc.end, "description": details(doc) + answers_html(doc)}
		)
		text = (
			_("Meeting rescheduled: {0}, now on {1} with {2}").format(
				escape(summary(doc)), escape(when(doc)), escape(host_names(doc))
			)
			if handed
			else _("Meeting rescheduled: {0}, now on {1}").format(escape(summary(doc)), escape(when(doc)))
		)
		comment(doc, text)
	elif event == "confirmed":
		comment(doc, _("Meeting confirmed: {0} on {1}").format(escape(summary(doc)), escape(when(doc))))
	elif event in ("cancelled", "declined"):
		update_events(doc, {"status": EVENT_STATUS[event]})
		reason = f" — {escape(plain(doc.cancel_reason))}" if doc.cancel_reason else ""
		comment(
			doc, _("Meeting cancelled: {0} on {1}").format(escape(summary(doc)), escape(when(doc))) + reason
		)
	elif event == "completed":
		update_events(doc, {"status": EVENT_STATUS[event]})
		comment(doc, _("Meeting held: {0} on {1}").format(escape(summary(doc)), escape(when(doc))))
	elif event == "no_show":
		update_events(doc, {"status": EVENT_STATUS[event]})
		comment(
			doc,
			_("{0} did not come to {1} on {2}").format(
				escape(plain(doc.guest_name)), escape(summary(doc)), escape(when(doc))
			),
		)
	sync(doc)
	if (
		doc.crm_doctype in FRAPPE_CRM
		and event in ("rescheduled", "cancelled")
		and not news_is_stale(event, doc.status)
	):
		notify(doc, event, task)  # (no "moved" in the bell for a meeting cancelled since)
	return event
