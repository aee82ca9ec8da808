"""Changing the rows a condition finds while locking only those rows.

An UPDATE or DELETE whose WHERE walks a secondary index (a booking's reminder rows by
``booking``) also locks the gaps of that index around the rows until commit (InnoDB's
next-key locks). The newest bookings' rows share the gap at the end of the index, so a
worker inserting rows for its own booking waited for another worker's uncommitted change,
and two such workers deadlocked (1213: a burst of 50 reschedules and 50 cancellations on two
workers left reminder effects retrying). Reading the names with a plain, non-locking read
and changing the rows by primary key locks only them; the change applies the condition
again, so a row that has moved on since the read (claimed, sent) is left as it is.
"""

from __future__ import annotations

import frappe


def changed() -> int:
	"""How many rows the last UPDATE or DELETE of this connection changed."""
	return frappe.db._cursor.rowcount


def _names(table, condition) -> list[str]:
	return frappe.qb.from_(table).select(table.name).where(condition).run(pluck=True)


def update_where(table, condition, values: dict) -> int:
	"""Set ``values`` on the rows of ``table`` (a ``frappe.qb.DocType``) that match
	``condition``; returns how many changed."""
	names = _names(table, condition)
	if not names:
		return 0
	query = frappe.qb.update(table)
	for field, value in values.items():
		query = query.set(table[field], value)
	query.where(table.name.isin(names) & condition).run()
	return changed()


def delete_where(table, condition) -> int:
	"""Delete the rows of ``table`` that match ``condition``; returns how many."""
	names = _names(table, condition)
	if not names:
		return 0
	frappe.qb.from_(table).delete().where(table.name.isin(names) & condition).run()
	return changed()
