"""CRM activity for bookings: Contact, Lead/Deal link, an Event per host, a timeline Comment.

- Contact: found by email (Contact Email rows) or created.
- Frappe CRM installed: the CRM Deal, else the CRM Lead, with that email is linked
  (created when Settings say so); ERPNext installed: the Lead with that email.
- A core Event (category Meeting) for *each host* of the booking, owned by that host (so
  it shows in their desk calendar), with the Contact and the CRM record as participants.
- A Comment on the CRM record (or the Contact on plain Frappe) naming every host, so the
  meeting shows in that record's activity. Rescheduling moves the Events and comments;
  cancelling marks them cancelled and comments.

Nothing here is required for a booking to exist: this runs as an after-commit effect.
"""

from __future__ import annotations

from html import escape

import frappe
from frappe import _

from scheduler_integration.booking.presentation import host_names, plain
from scheduler_integration.core.clock import to_utc
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.timezones import get_zone

EVENT_STATUS = {
	"cancelled": "Cancelled",
	"declined": "Cancelled",
	"completed": "Completed",
	"no_show": "Closed",
}


def installed(app: str) -> bool:
	return app in frappe.get_installed_apps()


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


def crm_record(doc) -> tuple[str, str] | tuple[None, None]:
	"""(doctype, name) of the CRM record for the guest's email, creating a Lead if configured."""
	if setting("crm_target") == "Contact Only":
		return None, None
	email = doc.guest_email
	if installed("crm"):
		for doctype in ("CRM Deal", "CRM Lead"):
			if frappe.db.exists("DocType", doctype):
				name = frappe.db.get_value(doctype, {"email": email}, "name", order_by="modified desc")
				if name:
					return doctype, name
		if setting("create_lead") and frappe.db.exists("DocType", "CRM Lead"):
			first, _sep, last = plain(doc.guest_name or email).partition(" ")
			lead = frappe.get_doc(
				{
					"doctype": "CRM Lead",
					"first_name": first[:140],
					"last_name": last[:140],
					"email": email,
					"mobile_no": doc.guest_phone or "",
					"organization": plain(doc.guest_company),
				}
			)
			lead.insert(ignore_permissions=True)
			return "CRM Lead", lead.name
	if installed("erpnext") and frappe.db.exists("DocType", "Lead"):
		name = frappe.db.get_value("Lead", {"email_id": email}, "name", order_by="modified desc")
		if name:
			return "Lead", name
		if setting("create_lead"):
			lead = frappe.get_doc(
				{
					"doctype": "Lead",
					"lead_name": plain(doc.guest_name or email)[:140],
					"email_id": email,
					"company_name": plain(doc.guest_company),
				}
			)
			lead.insert(ignore_permissions=True)
			return "Lead", lead.name
	return None, None


def summary(doc) -> str:
	title = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type).title
	return f"{title}: {plain(doc.guest_name)}"[:140]


def _when(doc) -> str:
	zone = host_timezone(doc.host)
	local = to_utc(doc.start).astimezone(get_zone(zone))
	return f"{local.strftime('%Y-%m-%d %H:%M')} ({zone})"


def _comment(doc, text: str) -> None:
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
			"content": text,
		}
	).insert(ignore_permissions=True)


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
			"description": escape(plain(doc.notes)),
			"event_participants": participants,
		}
	)
	event.insert(ignore_permissions=True)
	# the host owns it, so it shows in their desk calendar (insert stamps the job's user)
	frappe.db.set_value("Event", event.name, "owner", host_row.user, update_modified=False)
	frappe.db.set_value("Scheduler Booking Host", host_row.name, "event", event.name, update_modified=False)
	return event.name


def on_booked(doc) -> str:
	contact = doc.contact or find_or_create_contact(doc)
	crm_doctype, crm_name = crm_record(doc)
	participants = [{"reference_doctype": "Contact", "reference_docname": contact}]
	if crm_doctype:
		participants.append({"reference_doctype": crm_doctype, "reference_docname": crm_name})
	events = [row.event or _event_for(doc, row, participants) for row in doc.hosts]
	values = {"contact": contact, "crm_doctype": crm_doctype, "crm_name": crm_name}
	frappe.db.set_value("Scheduler Booking", doc.name, values, update_modified=False)
	doc.update(values)
	_comment(
		doc,
		_("Meeting booked: {0} with {1} on {2}").format(
			escape(summary(doc)), escape(host_names(doc)), escape(_when(doc))
		),
	)
	return f"{len(events)} event(s)"


def _each_event(doc, values: dict) -> None:
	for row in doc.hosts:
		if row.event and frappe.db.exists("Event", row.event):
			frappe.db.set_value("Event", row.event, values)


def on_event(doc, event: str) -> str:
	if event in ("booked", "pending"):
		return on_booked(doc)
	if not doc.contact and not doc.crm_name:
		return "no CRM record"
	if event == "rescheduled":
		_each_event(doc, {"starts_on": doc.start, "ends_on": doc.end})
		_comment(
			doc, _("Meeting rescheduled: {0}, now on {1}").format(escape(summary(doc)), escape(_when(doc)))
		)
	elif event in ("cancelled", "declined"):
		_each_event(doc, {"status": EVENT_STATUS[event]})
		reason = f" — {escape(plain(doc.cancel_reason))}" if doc.cancel_reason else ""
		_comment(
			doc, _("Meeting cancelled: {0} on {1}").format(escape(summary(doc)), escape(_when(doc))) + reason
		)
	elif event in EVENT_STATUS:
		_each_event(doc, {"status": EVENT_STATUS[event]})
	return "ok"
