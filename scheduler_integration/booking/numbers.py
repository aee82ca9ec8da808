"""Booking numbers (SB-2026-00042) from a database sequence.

A naming series keeps its counter row locked until the booking's transaction ends, so every
booking on the site, whatever its host, waited for the one before it to commit: bookings of
different hosts could never be made at the same time. A sequence hands out the next number
without a lock (a rolled-back booking leaves a gap, as with Frappe's autoincrement names).
The number runs on across years; the year in the name is the year the booking was made.
"""

from __future__ import annotations

import re

import frappe
from frappe.database.sequence import create_sequence, get_next_val

DOCTYPE = "Scheduler Booking"
SLUG = "_number_seq"
PREFIX = "SB-"
DIGITS = 5
_NUMBER = re.compile(r"^SB-\d{4}-(\d+)$")


def next_name() -> str:
	return f"{PREFIX}{frappe.utils.nowdate()[:4]}-{get_next_val(DOCTYPE, SLUG):0{DIGITS}d}"


def ensure() -> None:
	"""Create the sequence if missing, starting after every number already given out (by
	the naming series this replaces, or by a restored site). DDL: install/migrate only."""
	highest = 0
	for (name,) in frappe.db.sql("select name from `tabScheduler Booking`"):
		found = _NUMBER.match(name)
		if found:
			highest = max(highest, int(found.group(1)))
	for (current,) in frappe.db.sql("select current from `tabSeries` where name like 'SB-%%'"):
		highest = max(highest, int(current or 0))
	create_sequence(DOCTYPE, slug=SLUG, check_not_exists=True, start_value=highest + 1)


def drop() -> None:
	frappe.db.sql_ddl(f"drop sequence if exists {frappe.scrub(DOCTYPE + SLUG)}")
