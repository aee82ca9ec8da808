"""A child table's rows sent as JSON text.

``frappe.client.set_value(doctype, name, "hosts", '[{"user": …}]')`` and a REST body with a
table as a string hand the controller text where Frappe expects a list: Frappe appends the
text character by character and fails with a 500 before any validation runs. A controller
with this mixin reads such text as the rows it spells, and refuses anything else with the
reason (417).
"""

from __future__ import annotations

import json

import frappe
from frappe import _


class TableRowsAsText:
	"""Mixin for a controller: a table field set to JSON text becomes the rows it lists."""

	def set(self, key, value, as_value=False):
		# (Frappe keeps a document's table field names in ``_table_fieldnames``)
		if isinstance(value, str) and not as_value and key in getattr(self, "_table_fieldnames", ()):
			value = rows_from_text(value, self.meta.get_label(key))
		return super().set(key, value, as_value)


def rows_from_text(text: str, label: str) -> list[dict]:
	"""The rows ``text`` lists (a JSON list of objects; empty text: none)."""
	if not text.strip():
		return []
	try:
		rows = json.loads(text)
	except ValueError:
		rows = None
	if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
		frappe.throw(f"{_(label)}: {_('Must be a list of rows')}", frappe.ValidationError)
	return rows
