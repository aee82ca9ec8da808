"""Who the guest is in the CRM (one person, one record; ``engine.matching`` decides which
existing record wins): found by email, then phone, among Frappe CRM Deals and Leads and
ERPNext Opportunities, Customers and Leads; else a new lead owned by the host when
Settings say so. The guest's Contact is found by email or made."""

from __future__ import annotations

import hashlib

import frappe

from scheduler_integration.booking.presentation import plain
from scheduler_integration.core.naming import insert_named_after_person
from scheduler_integration.core.settings import setting, site_region
from scheduler_integration.engine.matching import (
	Candidate,
	new_record_doctype,
	phone_pattern,
	pick,
	same_phone,
)

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


PERSON_LOCK_WAIT = 10  # seconds; a guest's other meeting is being recorded meanwhile


def hold_person(email: str) -> None:
	"""Hold a database lock named after the guest's email until this transaction ends, and
	read from then on what its last holder committed: the meetings of one series run their
	CRM effect on several workers at once, and each found no Contact and made one (the second
	under a suffixed name). Call it before the effect writes anything: it commits."""
	name = "sched-guest-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
	if frappe.db.db_type == "postgres":
		frappe.db.commit()
		frappe.db.sql("select pg_advisory_xact_lock(hashtext(%s))", (name,))
		return
	frappe.db.sql("select get_lock(%s, %s)", (name, PERSON_LOCK_WAIT))
	# a fresh snapshot: under REPEATABLE READ this transaction's reads so far began before
	# the previous holder committed (nothing is written yet: the effect's row was claimed
	# and committed, its booking only read)
	frappe.db.commit()

	def release():
		frappe.db.sql("select release_lock(%s)", (name,))

	frappe.db.after_commit.add(release)
	frappe.db.after_rollback.add(release)


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
	insert_named_after_person(contact)
	return contact.name


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


def prospect_of(doctype: str, name) -> dict:
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
