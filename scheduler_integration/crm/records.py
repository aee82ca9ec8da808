"""Who a person is in the CRM (one person, one record; ``rules.matching`` decides which
existing record wins): found by email, then phone, among Frappe CRM Deals and Leads and
ERPNext Opportunities, Customers and Leads; who owns a record, and the person a record is
about. Read by the CRM effect (``effects.crm``), the rep's scheduling (``api.crm``) and the
routing forms' account-based routing."""

from __future__ import annotations

from typing import TypedDict

import frappe

from scheduler_integration.booking.presentation import plain
from scheduler_integration.core.settings import site_region
from scheduler_integration.rules.matching import Candidate, phone_pattern, pick, same_phone

FRAPPE_CRM = ("CRM Lead", "CRM Deal")


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
	region = site_region()
	for doctype, (_app, _emails, phones, filters) in _sources().items():
		for field in phones:
			rows = frappe.get_all(
				doctype, filters={**filters, field: ("like", pattern)}, fields=["name", "modified", field]
			)
			found += [
				Candidate(doctype, row.name, row.modified)
				for row in rows
				if same_phone(row[field], phone, region)
			]
	return found


def find_record(doc) -> tuple[str, str] | tuple[None, None]:
	"""The record that already knows the guest (by email, then phone), or (None, None)."""
	return find_by(doc.guest_email, doc.guest_phone)


def find_by(email: str | None, phone: str | None = None) -> tuple[str, str] | tuple[None, None]:
	"""The record that already knows this email (else this phone), or (None, None)."""
	found = (pick(_by_email(email)) if email else None) or (pick(_by_phone(phone)) if phone else None)
	if found is None:
		return None, None
	if found.doctype == "CRM Lead" and frappe.db.get_value("CRM Lead", found.name, "converted"):
		deal = frappe.db.get_value("CRM Deal", {"lead": found.name}, "name", order_by="modified desc")
		if deal:  # the lead became this deal: the rep works there now
			return "CRM Deal", deal
	return found.doctype, found.name


# the records a rep schedules from (api.crm), and who owns each: the account-based routing
# of routing forms sends a known prospect to this user
RECORD_DOCTYPES = ("CRM Lead", "CRM Deal", "Lead", "Opportunity", "Customer", "Contact")
OWNER_FIELDS = {
	"CRM Lead": "lead_owner",
	"CRM Deal": "deal_owner",
	"Lead": "lead_owner",
	"Opportunity": "opportunity_owner",
	"Customer": "account_manager",
}
# doctype -> (name fields, email fields, phone fields), the first that has a value wins
PROSPECT_FIELDS = {
	"CRM Lead": (("lead_name", "first_name"), ("email",), ("mobile_no", "phone")),
	"CRM Deal": (("lead_name", "first_name", "organization"), ("email",), ("mobile_no", "phone")),
	"Lead": (("lead_name", "company_name"), ("email_id",), ("mobile_no", "phone")),
	"Opportunity": (
		("contact_display", "customer_name", "party_name"),
		("contact_email",),
		("contact_mobile", "phone"),
	),
	"Customer": (("customer_name",), ("email_id",), ("mobile_no",)),
	"Contact": (("full_name", "first_name"), ("email_id",), ("mobile_no", "phone")),
}


def record_owner(doctype: str, name) -> str | None:
	"""The user who owns the record (lead / deal owner, account manager), if any."""
	field = OWNER_FIELDS.get(doctype)
	if not field or not frappe.get_meta(doctype).has_field(field):
		return None
	return frappe.db.get_value(doctype, name, field) or None


class Prospect(TypedDict):
	"""The person a CRM record is about, as a booking form needs them (blank: the record has
	none); the time zone they last booked in (None: never booked)."""

	name: str
	email: str
	phone: str
	timezone: str | None


def prospect_of(doctype: str, name) -> Prospect:
	"""The person a record is about, as a booking form needs them: name, email, phone, and
	the time zone they last booked in (None when they never booked)."""
	meta = frappe.get_meta(doctype)
	names, emails, phones = PROSPECT_FIELDS[doctype]
	wanted = [f for f in (*names, *emails, *phones) if meta.has_field(f)]
	row = frappe.db.get_value(doctype, name, wanted, as_dict=True) or {}

	def first(fields):
		return next((plain(row.get(f)) for f in fields if row.get(f)), "")

	email = first(emails).strip().lower()
	zone = None
	if email:
		zone = frappe.db.get_value(
			"Scheduler Booking", {"guest_email": email}, "booker_timezone", order_by="creation desc"
		)
	return {"name": first(names), "email": email, "phone": first(phones), "timezone": zone or None}
