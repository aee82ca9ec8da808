"""Which existing CRM record is the guest: one person, one record, across ERPNext and Frappe CRM.

- Records are looked up by email first, then by phone; when the email finds anything, the
  phone is not asked (an email match is never overruled by a phone match).
- Among the records found the most advanced stage wins, in ``PRECEDENCE`` order: a Frappe
  CRM Deal, a Frappe CRM Lead, an ERPNext Opportunity, Customer, Lead; within one DocType
  the most recently modified. So with both apps installed, a person ERPNext already knows
  (as a Lead, Opportunity or Customer) is never given a second record in Frappe CRM.
- Two phone numbers are the same when their digits are equal, or when both have at least
  ``MIN_PHONE_DIGITS`` digits and one ends with the other (one stored without its country
  code). Shorter numbers never match anything: "123" is not a person.
- A new record is made only when nothing was found: a Frappe CRM Lead when Frappe CRM is
  installed (the reps' pipeline), else an ERPNext Lead, else none (plain Frappe keeps the
  Contact only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

PRECEDENCE = ("CRM Deal", "CRM Lead", "Opportunity", "Customer", "Lead")
MIN_PHONE_DIGITS = 8
SUFFIX_DIGITS = 4


@dataclass(frozen=True)
class Candidate:
	doctype: str
	name: str
	modified: datetime | None = None


def phone_digits(value) -> str:
	return "".join(ch for ch in str(value or "") if ch.isdigit())


def same_phone(a, b) -> bool:
	x, y = phone_digits(a), phone_digits(b)
	if len(x) < MIN_PHONE_DIGITS or len(y) < MIN_PHONE_DIGITS:
		return False
	return x == y or x.endswith(y) or y.endswith(x)


def phone_pattern(value) -> str | None:
	"""A LIKE pattern that every stored form of the number matches (its last digits in
	order, anything between them): a cheap pre-filter before ``same_phone``."""
	digits = phone_digits(value)
	if len(digits) < MIN_PHONE_DIGITS:
		return None
	return "%" + "%".join(digits[-SUFFIX_DIGITS:])


def pick(candidates: Iterable[Candidate]) -> Candidate | None:
	"""The record that wins among ``candidates`` (None when there are none)."""
	rank = {doctype: index for index, doctype in enumerate(PRECEDENCE)}
	best = None
	for candidate in candidates:
		if candidate.doctype not in rank:
			continue
		key = (rank[candidate.doctype], -(candidate.modified.timestamp() if candidate.modified else 0))
		if best is None or key < best[0]:
			best = (key, candidate)
	return best[1] if best else None


def new_record_doctype(installed_apps: Iterable[str]) -> str | None:
	"""Which DocType a new guest becomes when no record knows them."""
	apps = set(installed_apps)
	if "crm" in apps:
		return "CRM Lead"
	if "erpnext" in apps:
		return "Lead"
	return None
