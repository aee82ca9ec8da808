"""The guest's record in the CRM, made when none knows them (a new lead owned by the host
when Settings say so; ``crm.records`` finds the existing one), and their Contact, found by
email or made."""

from __future__ import annotations

import hashlib

import frappe

from scheduler_integration.booking.presentation import plain
from scheduler_integration.core.naming import insert_named_after_person
from scheduler_integration.core.settings import setting
from scheduler_integration.crm.records import find_record
from scheduler_integration.effects.crm.timeline import remember
from scheduler_integration.rules.matching import new_record_doctype


def grant(doc, doctype: str, name, users) -> None:
	"""Share a record with each host of ``doc`` who may not read it yet (a host without a
	sales role still sees the leads and tasks of their own meetings), and remember each
	share on the booking: a host the meeting passes from loses it again
	(``handover.follow_hosts``). Done before assigning, since Frappe's assignment would
	otherwise share it as the acting host, who may not share."""
	for user in users:
		if not frappe.has_permission(doctype, "read", doc=str(name), user=user):
			frappe.share.add_docshare(
				doctype, str(name), user, read=1, write=1, flags={"ignore_share_permission": True}
			)
			remember(doc, "Share", doctype, name, user)


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
		grant(doc, doctype, record.name, [owner])
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
