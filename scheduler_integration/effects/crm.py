"""The meeting where a sales rep looks: Frappe CRM, ERPNext, or a plain Frappe Contact.

Who the guest is (``engine.matching``, one person, one record): the existing record found
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
  as participants (ERPNext lists it under Open Events).

Attribution: this effect works as the booking's organiser (``acting_as``), whoever's
request or job triggered it: what it creates is owned by the host and what it writes on
timelines and in notifications is theirs — never "Guest".

Links both ways: the booking holds the Contact, the record (``crm_doctype``/``crm_name``),
each host's Event and ``crm_records`` (tasks, notes, to-dos, notifications); each of those
links back to the booking in its text.

Nothing here is required for a booking to exist: this runs as an after-commit effect.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta
from html import escape

import frappe
from frappe import _

from scheduler_integration.booking.presentation import booking_page_url, host_names, host_users, plain
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.matching import (
	Candidate,
	new_record_doctype,
	phone_pattern,
	pick,
	same_phone,
)
from scheduler_integration.engine.timezones import get_zone

FRAPPE_CRM = ("CRM Lead", "CRM Deal")
EVENT_STATUS = {
	"cancelled": "Cancelled",
	"declined": "Cancelled",
	"completed": "Completed",
	"no_show": "Closed",
}
TASK_STATUS = {
	"Pending": "Backlog",
	"Confirmed": "Todo",
	"Completed": "Done",
	"Cancelled": "Canceled",
	"No Show": "Canceled",
}
TODO_STATUS = {
	"Pending": "Open",
	"Confirmed": "Open",
	"Completed": "Closed",
	"Cancelled": "Cancelled",
	"No Show": "Cancelled",
}
OPEN = ("Backlog", "Todo", "In Progress", "Open")  # statuses of CRM Tasks and ToDos still to do
OPEN_OPPORTUNITY = ("Open", "Replied", "Quotation")
# doctype -> (app, email fields, phone fields, filters): where a guest may already be known
SOURCES = {
	"CRM Deal": ("crm", ("email",), ("mobile_no", "phone"), {}),
	"CRM Lead": ("crm", ("email",), ("mobile_no", "phone"), {}),
	"Opportunity": (
		"erpnext",
		("contact_email",),
		("contact_mobile", "phone"),
		{"status": ("in", OPEN_OPPORTUNITY)},
	),
	"Customer": ("erpnext", ("email_id",), ("mobile_no",), {"disabled": 0}),
	"Lead": ("erpnext", ("email_id",), ("mobile_no", "phone"), {}),
}


def installed(app: str) -> bool:
	return app in frappe.get_installed_apps()


@contextmanager
def acting_as(user: str | None):
	"""Work as ``user`` (the host) for what follows, then as before: documents, comments,
	assignments and notifications are then theirs."""
	previous = frappe.session.user
	if not user or user == previous or not frappe.db.exists("User", user):
		yield
		return
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user(previous)


# --- who the guest is -------------------------------------------------------------------


def _sources() -> dict:
	return {
		doctype: source
		for doctype, source in SOURCES.items()
		if installed(source[0]) and frappe.db.exists("DocType", doctype)
	}


def _by_email(email: str) -> list[Candidate]:
	found = []
	for doctype, (_app, emails, _phones, filters) in _sources().items():
		for field in emails:
			rows = frappe.get_all(doctype, filters={**filters, field: email}, fields=["name", "modified"])
			found += [Candidate(doctype, row.name, row.modified) for row in rows]
	contacts = frappe.get_all(
		"Contact Email", filters={"email_id": email, "parenttype": "Contact"}, pluck="parent"
	)
	if contacts:  # records the guest's Contact is linked to (a Customer's other contacts)
		links = frappe.get_all(
			"Dynamic Link",
			filters={
				"parenttype": "Contact",
				"parent": ("in", contacts),
				"link_doctype": ("in", [d for d in _sources() if d in ("Customer", "Lead")] or [""]),
			},
			fields=["link_doctype", "link_name"],
		)
		found += [Candidate(row.link_doctype, row.link_name) for row in links]
	if "CRM Deal" in _sources():  # a deal's other contacts
		deals = frappe.get_all(
			"CRM Contacts", filters={"parenttype": "CRM Deal", "email": email}, pluck="parent"
		)
		found += [Candidate("CRM Deal", name) for name in deals]
	return found


def _by_phone(phone: str) -> list[Candidate]:
	pattern = phone_pattern(phone)
	if not pattern:
		return []
	found = []
	for doctype, (_app, _emails, phones, filters) in _sources().items():
		for field in phones:
			rows = frappe.get_all(
				doctype, filters={**filters, field: ("like", pattern)}, fields=["name", "modified", field]
			)
			found += [
				Candidate(doctype, row.name, row.modified) for row in rows if same_phone(row[field], phone)
			]
	return found


def find_record(doc) -> tuple[str, str] | tuple[None, None]:
	"""The record that already knows the guest (by email, then phone), or (None, None)."""
	found = pick(_by_email(doc.guest_email)) or (
		pick(_by_phone(doc.guest_phone)) if doc.guest_phone else None
	)
	if found is None:
		return None, None
	if found.doctype == "CRM Lead" and frappe.db.get_value("CRM Lead", found.name, "converted"):
		deal = frappe.db.get_value("CRM Deal", {"lead": found.name}, "name", order_by="modified desc")
		if deal:  # the lead became this deal: the rep works there now
			return "CRM Deal", deal
	return found.doctype, found.name


def grant(doctype: str, name, users) -> None:
	"""Share a record with each host who may not read it yet (a host without a sales role
	still sees the leads and tasks of their own meetings). Done before assigning, since
	Frappe's assignment would otherwise share it as the acting host, who may not share."""
	for user in users:
		if not frappe.has_permission(doctype, "read", doc=str(name), user=user):
			frappe.share.add_docshare(
				doctype, str(name), user, read=1, write=1, flags={"ignore_share_permission": True}
			)


def create_record(doc) -> tuple[str, str] | tuple[None, None]:
	"""A new lead for the guest, owned by the host (when Settings say so)."""
	doctype = new_record_doctype(frappe.get_installed_apps())
	if not doctype or not setting("create_lead") or not frappe.db.exists("DocType", doctype):
		return None, None
	owner = doc.host if doc.host != doc.guest_email else None  # both apps refuse owner == email
	name = plain(doc.guest_name or doc.guest_email)
	if doctype == "CRM Lead":
		first, _sep, last = name.partition(" ")
		values = {
			"first_name": first[:140],
			"last_name": last[:140],
			"email": doc.guest_email,
			"mobile_no": doc.guest_phone or "",
			"organization": plain(doc.guest_company),
		}
	else:
		values = {
			"lead_name": name[:140],
			"email_id": doc.guest_email,
			"mobile_no": doc.guest_phone or "",
			"company_name": plain(doc.guest_company),
			"lead_owner": owner,
		}
	record = frappe.get_doc({"doctype": doctype, **values})
	record.insert(ignore_permissions=True)
	if doctype == "CRM Lead" and owner:
		# Frappe CRM assigns the lead owner on insert as the acting host, which fails for a
		# host who may not share it: share first, then make them owner and assignee
		grant(doctype, record.name, [owner])
		frappe.db.set_value(doctype, record.name, "lead_owner", owner, update_modified=False)
		record.lead_owner = owner
		record.assign_agent(owner)
	return doctype, record.name


def crm_record(doc) -> tuple[str, str] | tuple[None, None]:
	"""(doctype, name) of the guest's record: found, else created when configured."""
	if setting("crm_target") == "Contact Only":
		return None, None
	doctype, name = find_record(doc)
	return (doctype, name) if doctype else create_record(doc)


def find_or_create_contact(doc) -> str:
	name = frappe.db.get_value(
		"Contact Email", {"email_id": doc.guest_email, "parenttype": "Contact"}, "parent"
	)
	if name:
		return name
	first, _sep, last = plain(doc.guest_name or doc.guest_email).partition(" ")
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first[:140],
			"last_name": last[:140],
			"company_name": plain(doc.guest_company),
			"email_ids": [{"email_id": doc.guest_email, "is_primary": 1}],
			"phone_nos": [{"phone": doc.guest_phone, "is_primary_phone": 1}] if doc.guest_phone else [],
		}
	)
	contact.insert(ignore_permissions=True)
	return contact.name


# --- what the hosts see -----------------------------------------------------------------


def summary(doc) -> str:
	title = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type).title
	return f"{title}: {plain(doc.guest_name)}"[:140]


def _when(doc) -> str:
	zone = host_timezone(doc.host)
	local = to_utc(doc.start).astimezone(get_zone(zone))
	return f"{local.strftime('%Y-%m-%d %H:%M')} ({zone})"


def _booking_link(doc) -> str:
	url = frappe.utils.get_url(f"/app/scheduler-booking/{doc.name}")
	return f'<a href="{escape(url)}">{escape(_("Booking"))} {escape(doc.name)}</a>'


def _details(doc) -> str:
	"""The meeting as HTML for a task, to-do or event: every guest value escaped."""
	mt = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type)
	lines = [
		_("{0} with {1} ({2})").format(
			f"<strong>{escape(mt.title)}</strong>", escape(plain(doc.guest_name)), escape(doc.guest_email)
		),
		_("{0}, {1} minutes, hosted by {2}").format(
			escape(_when(doc)), mt.duration_minutes(), escape(host_names(doc))
		),
	]
	if doc.meeting_link:
		link = escape(doc.meeting_link)
		lines.append(_("Join: {0}").format(f'<a href="{link}">{link}</a>'))
	if doc.location and plain(doc.location) != doc.meeting_link:
		lines.append(_("Location: {0}").format(escape(plain(doc.location))))
	if doc.guest_phone:
		lines.append(_("Phone: {0}").format(escape(plain(doc.guest_phone))))
	lines.append(_("Status: {0}").format(escape(_(doc.status))))
	lines.append(_booking_link(doc))
	return "".join(f"<p>{line}</p>" for line in lines)


def _answers(doc) -> str:
	"""The guest's answers and notes as HTML (escaped), '' when there are none."""
	try:
		answers = json.loads(doc.answers) if isinstance(doc.answers, str) else (doc.answers or {})
	except ValueError:
		answers = {}
	parts = []
	for question, answer in (answers or {}).items():
		value = ", ".join(map(str, answer)) if isinstance(answer, list) else str(answer)
		parts.append(f"<p><strong>{escape(plain(question))}</strong><br>{escape(plain(value))}</p>")
	if doc.notes:
		parts.append(f"<p><strong>{escape(_('Notes'))}</strong><br>{escape(plain(doc.notes))}</p>")
	return "".join(parts)


def _comment(doc, text: str) -> None:
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
			"content": f"{text}<br>{_booking_link(doc)}",
		}
	).insert(ignore_permissions=True)


def _add_record(doc, purpose: str, doctype: str, name, user: str | None = None) -> None:
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


def _records(doc, purpose: str) -> list:
	return [
		row
		for row in doc.get("crm_records") or []
		if row.purpose == purpose and frappe.db.exists(row.record_type, row.record_name)
	]


def _event_for(doc, host_row, participants) -> str:
	event = frappe.get_doc(
		{
			"doctype": "Event",
			"subject": summary(doc),
			"event_category": "Meeting",
			"event_type": "Private",
			"starts_on": doc.start,
			"ends_on": doc.end,
			"status": "Open",
			"description": _details(doc) + _answers(doc),
			"event_participants": participants,
		}
	)
	event.insert(ignore_permissions=True)
	if event.owner != host_row.user:  # each host owns theirs: it shows in their desk calendar
		frappe.db.set_value("Event", event.name, "owner", host_row.user, update_modified=False)
	frappe.db.set_value("Scheduler Booking Host", host_row.name, "event", event.name, update_modified=False)
	return event.name


def _crm_task(doc) -> str:
	"""One CRM Task on the lead or deal, assigned to every host, the organiser first."""
	from frappe.desk.form.assign_to import add as assign

	task = frappe.get_doc(
		{
			"doctype": "CRM Task",
			"title": _("Meeting: {0}").format(summary(doc))[:140],
			"description": _details(doc),
			"status": TASK_STATUS.get(doc.status, "Todo"),
			"priority": "Medium",
			"start_date": to_utc(doc.start).astimezone(get_zone(host_timezone(doc.host))).date(),
			"due_date": doc.start,
			"reference_doctype": doc.crm_doctype,
			"reference_docname": doc.crm_name,
		}
	).insert(ignore_permissions=True)
	# the core assignment (a ToDo each), which also lets Frappe CRM notify co-hosts; its
	# "assigned to" is the organiser
	grant("CRM Task", task.name, host_users(doc))
	assign(
		{"assign_to": host_users(doc), "doctype": "CRM Task", "name": task.name, "description": task.title},
		ignore_permissions=True,
	)
	frappe.db.set_value("CRM Task", task.name, "assigned_to", doc.host, update_modified=False)
	for user in host_users(doc):
		_add_record(doc, "Task", "CRM Task", task.name, user)
	return str(task.name)


def _crm_note(doc) -> str | None:
	content = _answers(doc)
	if not content:
		return None
	note = frappe.get_doc(
		{
			"doctype": "FCRM Note",
			"title": _("Answers for {0}").format(summary(doc))[:140],
			"content": content + f"<p>{_booking_link(doc)}</p>",
			"reference_doctype": doc.crm_doctype,
			"reference_docname": doc.crm_name,
		}
	).insert(ignore_permissions=True)
	_add_record(doc, "Note", "FCRM Note", note.name)
	return note.name


NOTICE = {
	"booked": "{0} booked {1} for {2}",
	"pending": "{0} asked for {1} on {2}",
	"rescheduled": "{0} moved {1} to {2}",
	"cancelled": "{0} cancelled {1} on {2}",
}


def _notify(doc, event: str, task: str | None) -> int:
	"""A CRM Notification to each host not told already (Frappe CRM tells co-hosts of their
	new task itself)."""
	if event not in NOTICE:
		return 0
	mt = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type)
	guest = f'<span class="font-medium text-ink-gray-9">{escape(plain(doc.guest_name))}</span>'
	what = f'<span class="font-medium text-ink-gray-9">{escape(mt.title)}</span>'
	text = _(NOTICE[event]).format(guest, what, escape(_when(doc)))
	sent = 0
	for user in host_users(doc):
		if (
			event in ("booked", "pending")
			and task
			and frappe.db.exists("CRM Notification", {"to_user": user, "notification_type_doc": task})
		):
			continue
		note = frappe.get_doc(
			{
				"doctype": "CRM Notification",
				"from_user": doc.host,
				"to_user": user,
				"type": "Assignment",
				"message": frappe.utils.strip_html(text),
				"notification_text": f'<div class="mb-2 leading-5 text-ink-gray-5">{text}</div>',
				"notification_type_doctype": "CRM Task" if task else None,
				"notification_type_doc": task,
				"reference_doctype": doc.crm_doctype,
				"reference_name": doc.crm_name,
			}
		).insert(ignore_permissions=True)
		_add_record(doc, "Notification", "CRM Notification", note.name, user)
		sent += 1
	return sent


def _todos(doc, target: tuple[str, str]) -> int:
	"""A ToDo per host on the record (ERPNext's Open Activities) or the Contact: one per
	meeting, so not through assign_to, which keeps one open ToDo per user and document."""
	for user in host_users(doc):
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"assigned_by": doc.host,
				"reference_type": target[0],
				"reference_name": target[1],
				"description": _details(doc),
				"date": to_utc(doc.start).astimezone(get_zone(host_timezone(user))).date(),
				"priority": "Medium",
				"status": TODO_STATUS.get(doc.status, "Open"),
			}
		).insert(ignore_permissions=True)
		_add_record(doc, "To Do", "ToDo", todo.name, user)
	return len(host_users(doc))


def _target(doc) -> tuple[str, str] | None:
	if doc.crm_doctype and doc.crm_name:
		return doc.crm_doctype, doc.crm_name
	return ("Contact", doc.contact) if doc.contact else None


def on_booked(doc, event: str) -> str:
	if not doc.crm_name:
		doc.crm_doctype, doc.crm_name = crm_record(doc)
	# after the record: an ERPNext Lead makes the guest's Contact itself
	doc.contact = doc.contact or find_or_create_contact(doc)
	values = {"contact": doc.contact, "crm_doctype": doc.crm_doctype, "crm_name": doc.crm_name}
	frappe.db.set_value("Scheduler Booking", doc.name, values, update_modified=False)
	participants = [{"reference_doctype": "Contact", "reference_docname": doc.contact}]
	if doc.crm_doctype:
		participants.append({"reference_doctype": doc.crm_doctype, "reference_docname": doc.crm_name})
	events = [row.event or _event_for(doc, row, participants) for row in doc.hosts]
	made = [_("{0} event(s)").format(len(events))]
	if doc.crm_doctype in FRAPPE_CRM:
		task = _crm_task(doc)
		note = _crm_note(doc)
		notified = _notify(doc, event, task)
		made += [f"CRM Task {task}", f"FCRM Note {note}" if note else "", f"{notified} notification(s)"]
	else:
		made.append(f"{_todos(doc, _target(doc))} ToDo(s)")
	message = (
		_("Meeting requested: {0} with {1} on {2}")
		if event == "pending"
		else _("Meeting booked: {0} with {1} on {2}")
	)
	_comment(doc, message.format(escape(summary(doc)), escape(host_names(doc)), escape(_when(doc))))
	where = f"{doc.crm_doctype} {doc.crm_name}" if doc.crm_name else f"Contact {doc.contact}"
	return f"{where}: " + ", ".join(part for part in made if part)


def _each_event(doc, values: dict) -> None:
	for row in doc.hosts:
		if row.event and frappe.db.exists("Event", row.event):
			frappe.db.set_value("Event", row.event, values)


def _sync(doc) -> None:
	"""Tasks and to-dos of the meeting follow the booking: status, time, details."""
	for name in {row.record_name for row in _records(doc, "Task")}:
		task = frappe.get_doc("CRM Task", name)
		task.update(
			{
				"status": TASK_STATUS.get(doc.status, task.status),
				"due_date": doc.start,
				"description": _details(doc),
			}
		)
		task.save(ignore_permissions=True)
		if task.status in ("Done", "Canceled"):
			_finish_todos("CRM Task", name, "Closed" if task.status == "Done" else "Cancelled")
	for row in _records(doc, "To Do"):
		todo = frappe.get_doc("ToDo", row.record_name)
		todo.update(
			{
				"status": TODO_STATUS.get(doc.status, todo.status),
				"date": to_utc(doc.start).astimezone(get_zone(host_timezone(todo.allocated_to))).date(),
				"description": _details(doc),
			}
		)
		todo.save(ignore_permissions=True)


def _finish_todos(doctype: str, name: str, status: str) -> None:
	for todo in frappe.get_all(
		"ToDo",
		filters={"reference_type": doctype, "reference_name": str(name), "status": "Open"},
		pluck="name",
	):
		todo = frappe.get_doc("ToDo", todo)
		todo.status = status
		todo.save(ignore_permissions=True)


def on_event(doc, event: str) -> str:
	with acting_as(doc.host):
		return _on_event(doc, event)


def _on_event(doc, event: str) -> str:
	if event in ("booked", "pending"):
		return on_booked(doc, event)
	if not doc.contact and not doc.crm_name:
		return "no CRM record"
	task = next((row.record_name for row in _records(doc, "Task")), None)
	if event == "rescheduled":
		_each_event(
			doc, {"starts_on": doc.start, "ends_on": doc.end, "description": _details(doc) + _answers(doc)}
		)
		_comment(
			doc, _("Meeting rescheduled: {0}, now on {1}").format(escape(summary(doc)), escape(_when(doc)))
		)
	elif event == "confirmed":
		_comment(doc, _("Meeting confirmed: {0} on {1}").format(escape(summary(doc)), escape(_when(doc))))
	elif event in ("cancelled", "declined"):
		_each_event(doc, {"status": EVENT_STATUS[event]})
		reason = f" — {escape(plain(doc.cancel_reason))}" if doc.cancel_reason else ""
		_comment(
			doc, _("Meeting cancelled: {0} on {1}").format(escape(summary(doc)), escape(_when(doc))) + reason
		)
	elif event == "completed":
		_each_event(doc, {"status": EVENT_STATUS[event]})
		_comment(doc, _("Meeting held: {0} on {1}").format(escape(summary(doc)), escape(_when(doc))))
	elif event == "no_show":
		_each_event(doc, {"status": EVENT_STATUS[event]})
		_comment(
			doc,
			_("{0} did not come to {1} on {2}").format(
				escape(plain(doc.guest_name)), escape(summary(doc)), escape(_when(doc))
			),
		)
	_sync(doc)
	if doc.crm_doctype in FRAPPE_CRM and event in ("rescheduled", "cancelled"):
		_notify(doc, event, task)
	return event


# --- the host's follow-up after a no-show (effects.automations) ------------------------


def follow_up_task(doc) -> tuple[str, str] | None:
	"""A high-priority task for the organiser to reach a guest who did not come: a CRM
	Task on the lead or deal, else a ToDo on the record or Contact. None when one is open."""
	with acting_as(doc.host):
		for row in _records(doc, "No-show Task"):
			if frappe.db.get_value(row.record_type, row.record_name, "status") in OPEN:
				return None
		due = to_system(utc_now() + timedelta(days=1))
		title = _("Follow up: {0} missed {1}").format(
			plain(doc.guest_name), frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type).title
		)[:140]
		rebook = booking_page_url(frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type))
		text = f"<p>{escape(title)}</p>" + _details(doc)
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
			grant("CRM Task", task.name, [doc.host])
			assign(
				{"assign_to": [doc.host], "doctype": "CRM Task", "name": task.name, "description": title},
				ignore_permissions=True,
			)
			_add_record(doc, "No-show Task", "CRM Task", task.name, doc.host)
			return "CRM Task", str(task.name)
		target = _target(doc) or ("Scheduler Booking", doc.name)
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": doc.host,
				"assigned_by": doc.host,
				"reference_type": target[0],
				"reference_name": target[1],
				"description": text,
				"date": due.date(),
				"priority": "High",
				"status": "Open",
			}
		).insert(ignore_permissions=True)
		_add_record(doc, "No-show Task", "ToDo", todo.name, doc.host)
		return "ToDo", todo.name


def close_follow_up_tasks(doc) -> int:
	"""A no-show corrected to completed: its open follow-up tasks are cancelled."""
	closed = 0
	with acting_as(doc.host):
		for row in _records(doc, "No-show Task"):
			record = frappe.get_doc(row.record_type, row.record_name)
			if record.status in OPEN:
				record.status = "Canceled" if row.record_type == "CRM Task" else "Cancelled"
				record.save(ignore_permissions=True)
				if row.record_type == "CRM Task":
					_finish_todos("CRM Task", record.name, "Cancelled")
				closed += 1
	return closed
