"""Which existing CRM record is the guest: one person, one record, across ERPNext and Frappe CRM.

- Records are looked up by email first, then by phone; when the email finds anything, the
  phone is not asked (an email match is never overruled by a phone match).
- Among the records found the most advanced stage wins, in ``PRECEDENCE`` order: a Frappe
  CRM Deal, a Frappe CRM Lead, an ERPNext Opportunity, Customer, Lead; within one DocType
  the most recently modified. So with both apps installed, a person ERPNext already knows
  (as a Lead, Opportunity or Customer) is never given a second record in Frappe CRM.
- Two phone numbers are the same when they are the same number in E.164 (``+<country>
  <number>``, read with the ``phonenumbers`` library Frappe ships): a number written
  without its country is read in ``region`` (the site's country), so ``(912) 555-0147`` of
  a US site is ``+19125550147`` and never the Indian ``+91 91255 50147`` whose digits end the
  same. A site without a country may name another one for the reading: an SMS reply reads
  the stored number in the country of the site's own number the guest texted (``region_of``).
  Two numbers that cannot be read as E.164 (no country given, none known) are the
  same only when their digits are. Numbers of fewer than ``MIN_PHONE_DIGITS`` digits never
  match anything: "123" is not a person.
- A new record is made only when nothing was found: a Frappe CRM Lead when Frappe CRM is
  installed (the reps' pipeline), else an ERPNext Lead, else none (plain Frappe keeps the
  Contact only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import phonenumbers

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


def e164(value, region: str | None = None) -> str | None:
	"""``value`` as an E.164 number (``+19125550147``), None when it is not a possible
	number; one without a country is read in ``region`` (ISO 3166 alpha-2, e.g. ``us``)."""
	text = str(value or "").strip()
	if len(phone_digits(text)) < MIN_PHONE_DIGITS or len(text) > 40:
		return None
	if text.startswith("00"):
		text = "+" + text[2:]  # the international prefix most countries dial
	try:
		number = phonenumbers.parse(text, (region or "").upper() or None)
	except phonenumbers.NumberParseException:
		return None
	if not phonenumbers.is_possible_number(number):
		return None
	return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region_of(value) -> str | None:
	"""The country (ISO 3166 alpha-2) of a number written with its own (``+44 …``): the
	main country of its calling code (+1 is ``US``); None for a number without one."""
	text = str(value or "").strip()
	if not text.startswith("+"):
		return None
	number = e164(text)
	if number is None:
		return None
	region = phonenumbers.region_code_for_country_code(phonenumbers.parse(number).country_code)
	return None if region == phonenumbers.UNKNOWN_REGION else region


def same_phone(a, b, region: str | None = None) -> bool:
	"""Are ``a`` and ``b`` one number? (module docstring)"""
	x, y = phone_digits(a), phone_digits(b)
	if len(x) < MIN_PHONE_DIGITS or len(y) < MIN_PHONE_DIGITS:
		return False
	ex, ey = e164(a, region), e164(b, region)
	if ex and ey:
		return ex == ey
	return x == y


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
