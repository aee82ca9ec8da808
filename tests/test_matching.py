"""One person, one record: which existing record wins, and when two phone numbers are one."""

from datetime import datetime

from scheduler_integration.rules.matching import (
	PRECEDENCE,
	Candidate,
	e164,
	new_record_doctype,
	phone_pattern,
	pick,
	same_phone,
)


def test_most_advanced_stage_wins_then_latest():
	old, new = datetime(2026, 1, 1), datetime(2026, 2, 1)
	found = [
		Candidate("Lead", "LEAD-1", new),
		Candidate("Customer", "Acme", old),
		Candidate("CRM Lead", "CRM-LEAD-1", old),
		Candidate("Opportunity", "OPP-1", new),
	]
	assert pick(found) == Candidate("CRM Lead", "CRM-LEAD-1", old)
	assert pick([*found, Candidate("CRM Deal", "CRM-DEAL-1", None)]).doctype == "CRM Deal"
	assert pick([Candidate("Lead", "A", old), Candidate("Lead", "B", new)]).name == "B"
	assert pick([Candidate("Customer", "C", old), Candidate("Lead", "L", new)]).name == "C"
	assert pick([]) is None
	assert pick([Candidate("Contact", "x", new)]) is None  # not a CRM record
	assert PRECEDENCE[0] == "CRM Deal" and PRECEDENCE[-1] == "Lead"


def test_same_phone():
	assert same_phone("+1 (555) 010-0123", "15550100123")  # the same digits
	assert same_phone("+1 (555) 010-0123", "(555) 010-0123", "us")  # stored without its country
	assert same_phone("+31 6 1234 5678", "06 1234 5678", "nl")  # the trunk 0 of a Dutch number
	assert same_phone("+31 6 1234 5678", "6 1234 5678", "NL")
	assert same_phone("0031 6 1234 5678", "+31612345678")  # the international prefix 00
	assert not same_phone("+1 555 010 0123", "+1 555 010 0124")
	assert not same_phone("123", "123")  # too short to be a person
	assert not same_phone("", "") and not same_phone(None, "+15550100123")


def test_numbers_whose_digits_only_end_alike_are_other_people():
	"""A number stored without its country is read in the site's: a number of another
	country whose digits merely end the same is someone else (issue 37, item 12)."""
	assert not same_phone("(912) 555-0147", "+91 91255 50147", "us")
	assert same_phone("(912) 555-0147", "+1 912 555 0147", "us")
	# without a country to read it in, only the very same digits are the same number
	assert not same_phone("(912) 555-0147", "+91 91255 50147")
	assert not same_phone("+31 6 1234 5678", "6 1234 5678")
	assert same_phone("912 555 0147", "(912) 555-0147")
	assert e164("(912) 555-0147", "us") == "+19125550147"
	assert e164("+91 91255 50147") == "+919125550147"
	assert e164("not a number") is None and e164("12", "us") is None


def test_phone_pattern_matches_every_stored_form():
	import re

	pattern = phone_pattern("+1 (555) 010-0123")
	assert pattern == "%0%1%2%3"
	regex = re.compile("^" + pattern.replace("%", ".*") + "$")
	for stored in ("+1 555 010 0123", "(555) 010-01 23", "15550100123"):
		assert regex.match(stored), stored
	assert phone_pattern("12 34") is None


def test_new_record_doctype():
	assert new_record_doctype(["frappe", "erpnext", "crm"]) == "CRM Lead"
	assert new_record_doctype(["frappe", "crm"]) == "CRM Lead"
	assert new_record_doctype(["frappe", "erpnext"]) == "Lead"
	assert new_record_doctype(["frappe"]) is None
