"""The meeting as work for the hosts: one CRM Task on a Frappe CRM lead or deal, assigned
to every host, with a note of the guest's answers; a ToDo per host on an ERPNext record or
the Contact. Their status and date follow the booking; a no-show adds a high-priority
follow-up task for the organiser.

Dates are the host's (one zone per host, ``core.hosts``): a task's start date and a
ToDo's date are the meeting's day on the host's clock, also after it moves; the due time
is the meeting's instant, which Frappe CRM shows on the User zone that follows the
profile's."""

from __future__ import annotations

from datetime import timedelta
from html import escape

import frappe
from frappe import _

from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import booking_page_url, host_users, plain
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.crm.records import FRAPPE_CRM
from scheduler_integration.effects.crm.describe import answers_html, booking_link, details, summary
from scheduler_integration.effects.crm.guest_record import grant
from scheduler_integration.effects.crm.timeline import acting_as, record_of, remember, remembered
from scheduler_integration.engine.statuses import Status
from scheduler_integration.engine.timezones import get_zone

TASK_STATUS = {
	Status.PENDING.value: "Backlog",
	Status.CONFIRMED.value: "Todo",
	Status.COMPLETED.value: "Done",
	Status.CANCELLED.value: "Canceled",
	Status.NO_SHOW.value: "Canceled",
}


TODO_STATUS = {
	Status.PENDING.value: "Open",
	Status.CONFIRMED.value: "Open",
	Status.COMPLETED.value: "Closed",
	Status.CANCELLED.value: "Cancelled",
	Status.NO_SHOW.value: "Cancelled",
}


OPEN = ("Backlog", "Todo", "In Progress", "Open")  # statuses of CRM Tasks and ToDos still to do


def host_date(doc, user: str):
	"""The meeting's day on ``user``'s clock (their profile's zone)."""
	return to_utc(doc.start).astimezone(get_zone(host_timezone(user))).date()


def crm_task(doc) -> str:
	"""One CRM Task on the lead or deal, assigned to every host, the organiser first."""
	from frappe.desk.form.assign_to import add as assign

	task = frappe.get_doc(
		{
			"doctype": "CRM Task",
			"title": _("Meeting: {0}").format(summary(doc))[:140],
			"description": details(doc),
			"status": TASK_STATUS.get(doc.status, "Todo"),
			"priority": "Medium",
			"start_date": host_date(doc, doc.host),
			"due_date": doc.start,
			"reference_doctype": doc.crm_doctype,
			"reference_docname": doc.crm_name,
		}
	).insert(ignore_permissions=True)
	# the core assignment (a ToDo each), which also lets Frappe CRM notify co-hosts; its
	# "assigned to" is the organiser
	grant(doc, "CRM Task", task.name, host_users(doc))
	assign(
		{"assign_to": host_users(doc), "doctype": "CRM Task", "name": task.name, "description": task.title},
		ignore_permissions=True,
	)
	frappe.db.set_value("CRM Task", task.name, "assigned_to", doc.host, update_modified=False)
	for user in host_users(doc):
		remember(doc, "Task", "CRM Task", task.name, user)
	return str(task.name)


def crm_note(doc) -> str | None:
	content = answers_html(doc)
	if not content:
		return None
	note = frappe.get_doc(
		{
			"doctype": "FCRM Note",
			"title": _("Answers for {0}").format(summary(doc))[:140],
			"content": content + f"<p>{booking_link(doc)}</p>",
			"reference_doctype": doc.crm_doctype,
			"reference_docname": doc.crm_name,
		}
	).insert(ignore_permissions=True)
	remember(doc, "Note", "FCRM Note", note.name)
	return note.name


def todos(doc, target: tuple[str, str], users: list[str] | None = None) -> int:
	"""A ToDo per host (or per one of ``users``) on the record (ERPNext's Open Activities)
	or the Contact: one per meeting, so not through assign_to, which keeps one open ToDo per
	user and document."""
	users = host_users(doc) if users is None else users
	for user in users:
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"assigned_by": doc.host,
				"reference_type": target[0],
				"reference_name": target[1],
				"description": details(doc),
				"date": host_date(doc, user),
				"priority": "Medium",
				"status": TODO_STATUS.get(doc.status, "Open"),
			}
		).insert(ignore_permissions=True)
		remember(doc, "To Do", "ToDo", todo.name, user)
	return len(users)


def sync(doc) -> None:
	"""Tasks and to-dos of the meeting follow the booking: status, time, details."""
	for name in {row.record_name for row in remembered(doc, "Task")}:
		task = frappe.get_doc("CRM Task", name)
		task.update(
			{
				"status": TASK_STATUS.get(doc.status, task.status),
				"start_date": host_date(doc, doc.host),
				"due_date": doc.start,
				"description": details(doc),
			}
		)
		task.save(ignore_permissions=True)
		if task.status in ("Done", "Canceled"):
			finish_todos("CRM Task", name, "Closed" if task.status == "Done" else "Cancelled")
	for row in remembered(doc, "To Do"):
		todo = frappe.get_doc("ToDo", row.record_name)
		todo.update(
			{
				"status": TODO_STATUS.get(doc.status, todo.status),
				"date": host_date(doc, todo.allocated_to),
				"description": details(doc),
			}
		)
		todo.save(ignore_permissions=True)


def finish_todos(doctype: str, name: str, status: str) -> None:
	for todo in frappe.get_all(
		"ToDo",
		filters={"reference_type": doctype, "reference_name": str(name), "status": "Open"},
		pluck="name",
	):
		todo = frappe.get_doc("ToDo", todo)
		todo.status = status
		todo.save(ignore_permissions=True)


def follow_up_task(doc) -> tuple[str, str] | None:
	"""A high-priority task for the organiser to reach a guest who did not come: a CRM
	Task on the lead or deal, else a ToDo on the record or Contact. None when one is open."""
	with acting_as(doc.host):
		for row in remembered(doc, "No-show Task"):
			if frappe.db.get_value(row.record_type, row.record_name, "status") in OPEN:
				return None
		due = to_system(utc_now() + timedelta(days=1))
		title = _("Follow up: {0} missed {1}").format(
			plain(doc.guest_name), meeting_type_doc(doc.meeting_type).title
		)[:140]
		rebook = booking_page_url(meeting_type_doc(doc.meeting_type))
		text = f"<p>{escape(title)}</p>" + details(doc)
		if rebook:
			text += (
				"<p>"
				+ _("Booking page to send: {0}").format(f'<a href="{escape(rebook)}">{escape(rebook)}</a>')
				+ "</p>"
			)
		if doc.crm_doctype in FRAPPE_CRM:
			from frappe.desk.form.assign_to import add as assign

			task = frappe.get_doc(
				{
					"doctype": "CRM Task",
					"title": title,
					"description": text,
					"status": "Todo",
					"priority": "High",
					"due_date": due,
					"reference_doctype": doc.crm_doctype,
					"reference_docname": doc.crm_name,
				}
			).insert(ignore_permissions=True)
			grant(doc, "CRM Task", task.name, [doc.host])
			assign(
				{"assign_to": [doc.host], "doctype": "CRM Task", "name": task.name, "description": title},
				ignore_permissions=True,
			)
			remember(doc, "No-show Task", "CRM Task", task.name, doc.host)
			return "CRM Task", str(task.name)
		target = record_of(doc) or ("Scheduler Booking", doc.name)
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": doc.host,
				"assigned_by": doc.host,
				"reference_type": target[0],
				"reference_name": target[1],
				"description": text,
				"date": to_utc(due).astimezone(get_zone(host_timezone(doc.host))).date(),
				"priority": "High",
				"status": "Open",
			}
		).insert(ignore_permissions=True)
		remember(doc, "No-show Task", "ToDo", todo.name, doc.host)
		return "ToDo", todo.name


def close_follow_up_tasks(doc) -> int:
	"""A no-show corrected to completed: its open follow-up tasks are cancelled."""
	closed = 0
	with acting_as(doc.host):
		for row in remembered(doc, "No-show Task"):
			record = frappe.get_doc(row.record_type, row.record_name)
			if record.status in OPEN:
				record.status = "Canceled" if row.record_type == "CRM Task" else "Cancelled"
				record.save(ignore_permissions=True)
				if row.record_type == "CRM Task":
					finish_todos("CRM Task", record.name, "Cancelled")
				closed += 1
	return closed
