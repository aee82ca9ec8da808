"""A meeting passed from host to host (a round-robin booking moved to a time another host
of the team has free, a manager's change of its hosts): the desk records follow the hosts.

- Events: each host who left has theirs cancelled (``booking.host_changes`` keeps which);
  each host now on the booking without one gets one.
- Frappe CRM: the meeting's CRM Task is assigned to the hosts now, the organiser first;
  a host who left loses the assignment (Frappe's own: their ToDo is cancelled). The record
  (lead, deal) and the guest's Contact are shared with a new host who may not read them yet;
  a host who left loses what was shared with them for this meeting (the shares the booking
  remembers), unless another meeting they still host is on the same record.
- ERPNext record or Contact: a host who left has their to-do cancelled; a new host gets one.

Each step reads what is done from the records themselves, so a retried run does nothing
twice."""

from __future__ import annotations

import frappe

from scheduler_integration.booking import host_changes as booking_host_changes
from scheduler_integration.booking import seats
from scheduler_integration.booking.presentation import host_users
from scheduler_integration.effects.crm.guest_record import grant
from scheduler_integration.effects.crm.tasks import todos
from scheduler_integration.effects.crm.timeline import event_for, record_of, remember, remembered
from scheduler_integration.engine import host_changes
from scheduler_integration.engine.statuses import ACTIVE


def follow_hosts(
	doc, participants: list[dict], subject: str, whole: bool = True, reference: tuple | None = None
) -> list[str]:
	"""Make the desk records follow the booking's hosts now (``whole``; else only cancel
	the Events of hosts who left: a cancelled meeting needs no new ones); what it did. New
	Events are on ``reference`` when given (a later day of a multi-day booking: its first
	day's record)."""
	made = []
	changes = booking_host_changes.to_follow(doc)
	if changes is None:
		return made  # a move committed since: its own run follows it
	undone = host_changes.to_undo(changes, "events")
	for user, event in undone:
		if frappe.db.get_value("Event", event, "status") == "Open":
			frappe.db.set_value("Event", event, "status", "Cancelled")
			made.append(f"Event {event} of {user} cancelled")
	if undone:
		booking_host_changes.update(doc, lambda stored: _without_events(stored, undone))
	if not whole:
		return made + _withdraw_shares(doc, host_users(doc))
	if not (seats.seated(doc.meeting_type) and not doc.get("seat_leader")):  # a seat has none of its own
		for row in doc.hosts:
			if not row.event and (event := event_for(doc, row, participants, reference, subject)):
				made.append(f"Event {event} of {row.user}")
	hosts = host_users(doc)
	made += _follow_task(doc, hosts) + _follow_todos(doc, hosts)
	if made:  # the new host reads the record of their meeting and its Contact, as its first host did
		for target in {record_of(doc), ("Contact", doc.contact) if doc.contact else None} - {None}:
			grant(doc, *target, hosts)
	return made + _withdraw_shares(doc, hosts)


def _withdraw_shares(doc, hosts: list[str]) -> list[str]:
	"""Take back what was shared for this meeting with hosts it passed from, but a record
	(lead, deal, Contact) another meeting they still host is on."""
	gone = [row for row in remembered(doc, "Share") if row.user not in hosts]
	for row in gone:
		if row.record_type == "CRM Task" or not _hosts_another_on(
			doc, row.user, row.record_type, row.record_name
		):
			frappe.share.remove(
				row.record_type, row.record_name, row.user, flags={"ignore_permissions": True}
			)
	_forget(doc, gone)
	return [f"{row.record_type} {row.record_name} no longer shared with {row.user}" for row in gone]


def _hosts_another_on(doc, user: str, doctype: str, name: str) -> bool:
	"""Does ``user`` host another active booking on the record (or Contact) ``name``?"""
	field = (
		"b.contact = %(name)s"
		if doctype == "Contact"
		else "b.crm_doctype = %(doctype)s and b.crm_name = %(name)s"
	)
	return bool(
		frappe.db.sql(
			f"""select 1 from `tabScheduler Booking` b
			join `tabScheduler Booking Host` h on h.parent = b.name and h.parenttype = 'Scheduler Booking'
			where h.user = %(user)s and b.name != %(booking)s and b.status in %(active)s and {field}
			limit 1""",
			{"user": user, "booking": doc.name, "active": ACTIVE, "doctype": doctype, "name": name},
		)
	)


def _without_events(changes: dict, undone) -> dict:
	for user, event in undone:
		changes = host_changes.without(changes, user, "events", event)
	return changes


def _forget(doc, rows) -> None:
	for row in rows:
		frappe.db.delete("Scheduler Booking Record", {"name": row.name})
		doc.crm_records.remove(row)


def _follow_task(doc, hosts: list[str]) -> list[str]:
	from frappe.desk.form.assign_to import add as assign
	from frappe.desk.form.assign_to import remove as unassign

	rows = remembered(doc, "Task")
	if not rows:
		return []
	task = rows[0].record_name
	assigned = {row.user for row in rows}
	gone = [row for row in rows if row.user not in hosts]
	new = [user for user in hosts if user not in assigned]
	for row in gone:
		unassign("CRM Task", task, row.user, ignore_permissions=True)
	_forget(doc, gone)
	if new:
		grant(doc, "CRM Task", task, new)
		assign({"assign_to": new, "doctype": "CRM Task", "name": task}, ignore_permissions=True)
		for user in new:
			remember(doc, "Task", "CRM Task", task, user)
	if frappe.db.get_value("CRM Task", task, "assigned_to") != doc.host:
		frappe.db.set_value("CRM Task", task, "assigned_to", doc.host, update_modified=False)
	return [f"CRM Task {task} assigned to {', '.join(new)}"] if new else []


def _follow_todos(doc, hosts: list[str]) -> list[str]:
	rows = remembered(doc, "To Do")
	if not rows:
		return []
	gone = [row for row in rows if row.user not in hosts]
	for row in gone:
		todo = frappe.get_doc("ToDo", row.record_name)
		if todo.status == "Open":
			todo.status = "Cancelled"
			todo.save(ignore_permissions=True)
	_forget(doc, gone)
	have = {row.user for row in rows}
	new = [user for user in hosts if user not in have]
	target = record_of(doc)
	if new and target:
		todos(doc, target, users=new)
	return [f"{len(new)} ToDo(s) for {', '.join(new)}"] if new else []
