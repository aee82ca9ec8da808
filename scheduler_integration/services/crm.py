"""CRM activity for bookings: Contact, Lead/Deal link, Event and timeline Comment.

- Contact: found by email (Contact Email rows) or created.
- ERPNext installed: the Lead with that email is linked (created when Settings say so).
- Frappe CRM installed: the CRM Deal, else the CRM Lead, with that email is linked.
- A core Event (category Meeting) with the Contact, the CRM record and the host's
  participation, and a Comment on the CRM record (or the Contact on plain Frappe), so the
  meeting shows in that record's activity. Rescheduling moves the Event and comments;
  cancelling marks the Event cancelled and comments.

Crm targets are found with plain lookups; nothing here is required for a booking to exist.
"""

from __future__ import annotations

from html import escape

import frappe
from frappe import _

from scheduler_integration.services.settings import setting
from scheduler_integration.services.timeutil import to_utc


def installed(app: str) -> bool:
	return app in frappe.get_installed_apps()


def find_or_create_contact(doc) -> str:
	name = frappe.db.get_value(
		"Contact Email", {"email_id": doc.guest_email, "parenttype": "Contact"}, "parent"
	)
	if name:
		return name
	first, _sep, last = (doc.guest_name or doc.guest_email).partition(" ")
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first[:140],
			"last_name": last[:140],
			"company_name": doc.guest_company or "",
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
			first, _sep, last = (doc.guest_name or email).partition(" ")
			lead = frappe.get_doc(
				{
					"doctype": "CRM Lead",
					"first_name": first[:140],
					"last_name": last[:140],
					"email": email,
					"mobile_no": doc.guest_phone or "",
					"organization": doc.guest_company or "",
					"source": None,
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
					"lead_name": (doc.guest_name or email)[:140],
					"email_id": email,
					"company_name": doc.guest_company or "",
				}
			)
			lead.insert(ignore_permissions=True)
			return "Lead", lead.name
	return None, None


def _summary(doc) -> str:
	from scheduler_integration.services.notifications import plain

	mt_title = frappe.db.get_value("Scheduler Meeting Type", doc.meeting_type, "title")
	return f"{mt_title}: {plain(doc.guest_name)}"[:140]


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


def _when(doc) -> str:
	from scheduler_integration.services.notifications import host_zone

	zone = host_zone(doc.host)
	from scheduler_integration.engine.timezones import get_zone

	local = to_utc(doc.start).astimezone(get_zone(zone))
	return f"{local.strftime('%Y-%m-%d %H:%M')} ({zone})"


def on_booked(doc) -> None:
	contact = doc.contact or find_or_create_contact(doc)
	crm_doctype, crm_name = crm_record(doc)
	participants = [{"reference_doctype": "Contact", "reference_docname": contact}]
	if crm_doctype:
		participants.append({"reference_doctype": crm_doctype, "reference_docname": crm_name})
	event = frappe.get_doc(
		{
			"doctype": "Event",
			"subject": _summary(doc),
			"event_category": "Meeting",
			"event_type": "Private",
			"starts_on": doc.start,
			"ends_on": doc.end,
			"status": "Open",
			"description": escape(doc.notes or ""),
			"event_participants": participants,
		}
	)
	event.insert(ignore_permissions=True)
	# the host owns it, so it shows in their desk calendar (insert stamps the job's user)
	frappe.db.set_value("Event", event.name, "owner", doc.host, update_modified=False)
	frappe.db.set_value(
		"Scheduler Booking",
		doc.name,
		{"contact": contact, "event": event.name, "crm_doctype": crm_doctype, "crm_name": crm_name},
		update_modified=False,
	)
	doc.update({"contact": contact, "event": event.name, "crm_doctype": crm_doctype, "crm_name": crm_name})
	_comment(
		doc,
		_("Meeting booked: {0} with {1} on {2}").format(
			escape(_summary(doc)), escape(frappe.utils.get_fullname(doc.host)), escape(_when(doc))
		),
	)


def on_rescheduled(doc) -> None:
	if doc.event and frappe.db.exists("Event", doc.event):
		frappe.db.set_value("Event", doc.event, {"starts_on": doc.start, "ends_on": doc.end})
	_comment(doc, _("Meeting rescheduled: {0}, now on {1}").format(escape(_summary(doc)), escape(_when(doc))))


def on_cancelled(doc) -> None:
	if doc.event and frappe.db.exists("Event", doc.event):
		frappe.db.set_value("Event", doc.event, "status", "Cancelled")
	reason = f" — {escape(doc.cancel_reason)}" if doc.cancel_reason else ""
	_comment(
		doc, _("Meeting cancelled: {0} on {1}").format(escape(_summary(doc)), escape(_when(doc))) + reason
	)


def on_completed(doc) -> None:
	if doc.event and frappe.db.exists("Event", doc.event):
		frappe.db.set_value(
			"Event", doc.event, "status", "Completed" if doc.status == "Completed" else "Closed"
		)
