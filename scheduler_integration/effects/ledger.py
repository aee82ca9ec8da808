"""With ERPNext, the money of paid bookings lands in the books (called by
``effects.payments``; without ERPNext the Scheduler Payment is the record).

- **The party** is the guest's Customer: the booking's CRM record when that is a Customer,
  else the Customer the guest's Contact (by email) belongs to, else one ERPNext's own
  ``make_customer`` makes of the guest's ERPNext Lead (the Lead becomes Converted), else a
  new Customer of the guest, linked to their Contact. ERPNext keeps money only against
  party types with an account (Customer, Supplier, …): a Lead cannot hold a payment.
- **The account** is the payment's gateway's *Payment Gateway Account* in the payment's
  currency (ERPNext makes one, with a bank account named after the gateway, when the Stripe
  Settings are saved); its company is the books'. A currency other than the company's is
  not booked (it would need exchange rates nobody chose): the Scheduler Payment says so.
- **A payment** is a submitted Payment Entry *Receive* (an advance of the Customer, no
  invoice), its reference the gateway's payment id; **a refund** a Payment Entry *Pay*
  back to the Customer, its reference the refund's id. Each is made once: the Scheduler
  Payment (and its refund row) keeps the entry's name. The books are the system's: the
  entries are made as Administrator, whoever's change planned them (a guest's booking,
  a host without accounting roles).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import nowdate

from scheduler_integration.booking.presentation import plain
from scheduler_integration.core.naming import insert_named_after_person
from scheduler_integration.effects.crm.timeline import acting_as

ENTRY = "Payment Entry"


def erpnext() -> bool:
	return "erpnext" in frappe.get_installed_apps()


def gateway_account(payment) -> frappe._dict | None:
	"""The Payment Gateway Account of the payment's gateway and currency, with its company."""
	if not payment.payment_gateway:
		return None
	return frappe.db.get_value(
		"Payment Gateway Account",
		{"payment_gateway": payment.payment_gateway, "currency": payment.currency},
		["name", "payment_account", "company", "currency"],
		as_dict=True,
		order_by="is_default desc, creation asc",
	)


def _contact_customer(email: str) -> str | None:
	contacts = frappe.get_all(
		"Contact Email", filters={"email_id": email, "parenttype": "Contact"}, pluck="parent"
	)
	if not contacts:
		return None
	return frappe.db.get_value(
		"Dynamic Link",
		{"parenttype": "Contact", "parent": ("in", contacts), "link_doctype": "Customer"},
		"link_name",
		order_by="creation asc",
	)


def customer(doc) -> str:
	"""The guest's Customer, found or made (see the module's docstring)."""
	if doc.get("crm_doctype") == "Customer" and doc.get("crm_name"):
		if frappe.db.exists("Customer", doc.crm_name):
			return doc.crm_name
	found = _contact_customer(doc.guest_email) or frappe.db.get_value(
		"Customer", {"email_id": doc.guest_email, "disabled": 0}, "name", order_by="creation asc"
	)
	if found:
		return found
	lead = frappe.db.get_value("Lead", {"email_id": doc.guest_email}, "name", order_by="creation asc")
	if lead:
		from erpnext.crm.doctype.lead.lead import _make_customer

		made = _make_customer(lead, ignore_permissions=True)
		insert_named_after_person(made)
		return made.name
	made = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": plain(doc.guest_name or doc.guest_email)[:140],
			"customer_type": "Individual",
		}
	)
	insert_named_after_person(made)
	contact = frappe.db.get_value(
		"Contact Email", {"email_id": doc.guest_email, "parenttype": "Contact"}, "parent"
	)
	if contact:  # the guest's Contact leads to the Customer next time
		record = frappe.get_doc("Contact", contact)
		record.append("links", {"link_doctype": "Customer", "link_name": made.name})
		record.save(ignore_permissions=True)
	return made.name


def _usable(payment, account) -> str | None:
	"""Why the payment cannot be booked (None: it can)."""
	if account is None:
		return _("no Payment Gateway Account of {0} in {1}").format(payment.payment_gateway, payment.currency)
	company_currency = frappe.get_cached_value("Company", account.company, "default_currency")
	if company_currency != payment.currency:
		return _("{0} is not the currency of {1}").format(payment.currency, account.company)
	return None


def _entry(payment_type: str, account, party: str, amount: float, reference: str, remarks: str) -> str:
	entry = frappe.get_doc(
		{
			"doctype": ENTRY,
			"payment_type": payment_type,
			"company": account.company,
			"posting_date": nowdate(),
			"party_type": "Customer",
			"party": party,
			# the money comes into (Receive) or leaves (Pay) the gateway's bank account
			("paid_to" if payment_type == "Receive" else "paid_from"): account.payment_account,
			"paid_amount": amount,
			"received_amount": amount,
			"reference_no": reference[:140],
			"reference_date": nowdate(),
			"remarks": remarks,
		}
	)
	entry.flags.ignore_permissions = True
	entry.insert()
	entry.submit()
	return entry.name


def receive(payment, doc) -> str:
	"""Book the payment of booking ``doc`` (once)."""
	with acting_as("Administrator"):
		return _receive(payment, doc)


def _not_booked(
	payment, booked_as: str | None, *, tell: bool = False
) -> tuple[str | None, frappe._dict | None]:
	"""(why nothing is booked, None), or (None, the gateway's account) when an entry can be
	made: ERPNext installed, nothing booked yet (``booked_as``), an account that can take it.
	``tell``: the payment's timeline says why its money was not booked."""
	if not erpnext():
		return "no accounts (ERPNext is not installed)", None
	if booked_as:
		return f"booked before as {booked_as}", None
	account = gateway_account(payment)
	problem = _usable(payment, account)
	if problem:
		if tell:
			payment.add_comment("Info", _("Not booked in the accounts: {0}").format(problem))
		return f"not booked: {problem}", None
	return None, account


def _receive(payment, doc) -> str:
	why, account = _not_booked(payment, payment.payment_entry, tell=True)
	if why:
		return why
	party = customer(doc)
	name = _entry(
		"Receive",
		account,
		party,
		float(payment.amount),
		payment.payment_intent or payment.name,
		_("Payment {0} for booking {1}").format(payment.name, doc.name),
	)
	payment.db_set(
		{"party_type": "Customer", "party": party, "ledger_doctype": ENTRY, "payment_entry": name},
		update_modified=False,
	)
	return f"booked as {name} for {party}"


def pay_back(payment, row, doc) -> str:
	"""Book refund ``row`` of the payment (once)."""
	with acting_as("Administrator"):
		return _pay_back(payment, row, doc)


def _pay_back(payment, row, doc) -> str:
	why, account = _not_booked(payment, row.payment_entry)
	if why:
		return why
	if not payment.payment_entry:
		# money that came in too late was never booked as received: first that, then this
		_receive(payment, doc)
		payment.reload()
	party = payment.party
	name = _entry(
		"Pay",
		account,
		party,
		float(row.amount),
		row.refund_id or payment.name,
		_("Refund of payment {0} for booking {1}").format(payment.name, doc.name),
	)
	row.db_set({"ledger_doctype": ENTRY, "payment_entry": name}, update_modified=False)
	return f"booked as {name}"
