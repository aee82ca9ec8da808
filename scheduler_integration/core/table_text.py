"""A child table's rows as a caller sends them: as JSON text, or named after another
record's rows.

``frappe.client.set_value(doctype, name, "hosts", '[{"user": …}]')`` and a REST body with a
table as a string hand the controller text where Frappe expects a list: Frappe appends the
text character by character and fails with a 500 before any validation runs. A controller
with this mixin reads such text as the rows it spells, and refuses anything else with the
reason (417), as it refuses a row value that is an object or a list. A row sent with the name of a row of another record (REST, set_value) would
be moved here by Frappe's save, which updates a child row by its name: refused (403).
"""

from __future__ import annotations

import json

import frappe
from frappe import _


class TableRowsAsText:
	"""Mixin for a controller: a table field set to JSON text becomes the rows it lists, and a
	row sent with the name of another document's row is refused."""

	def check_if_latest(self):
		# Frappe saves a child row by its name (UPDATE … WHERE name=…, parent included): a row
		# sent with another record's row name would move that row here, taking it from its
		# owner (a team's admin, a colleague's hours). Checked on every save of a stored record.
		super().check_if_latest()
		for df in self.meta.get_table_fields():
			names = [row.name for row in self.get(df.fieldname) or [] if row.name]
			if not names:
				continue
			foreign = frappe.get_all(
				df.options,
				filters={"name": ("in", names)},
				fields=["name", "parent", "parenttype", "parentfield"],
			)
			if any(
				(row.parent, row.parenttype, row.parentfield) != (self.name, self.doctype, df.fieldname)
				for row in foreign
			):
				frappe.throw(
					_("{0}: a row of another record cannot be moved here").format(_(df.label)),
					frappe.PermissionError,
				)

	def set(self, key, value, as_value=False):
		# (Frappe keeps a document's table field names in ``_table_fieldnames``)
		if not as_value and key in getattr(self, "_table_fieldnames", ()):
			if isinstance(value, str):
				value = rows_from_text(value, self.meta.get_label(key))
			if isinstance(value, list):
				check_row_values(value, self.meta.get_field(key), self.meta.get_label(key))
		return super().set(key, value, as_value)


def check_row_values(rows: list, df, label: str) -> None:
	"""A row's value is one value (text, a number, yes/no), never an object or a list, but in
	a JSON field: Frappe would take ``{"user": {"email": ["like", "%"]}}`` for a query on the
	linked table (a yes/no answer on any of its columns) or fail with a 500."""
	child = frappe.get_meta(df.options)
	for idx, row in enumerate(rows, start=1):
		if not isinstance(row, dict):
			continue  # a row document: set by code, not a caller
		for fieldname, value in row.items():
			if (
				isinstance(value, dict | list)
				and (child.get_field(fieldname) or {}).get("fieldtype") != "JSON"
			):
				frappe.throw(
					_("{0}, row {1}: {2} must be a single value").format(
						_(label), idx, _(child.get_label(fieldname))
					),
					frappe.ValidationError,
				)


def rows_from_text(text: str, label: str) -> list[dict]:
	"""The rows ``text`` lists (a JSON list of objects; empty text: none)."""
	if not text.strip():
		return []
	try:
		rows = json.loads(text)
	except (ValueError, RecursionError):  # (nested past the parser's depth)
		rows = None
	if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
		frappe.throw(f"{_(label)}: {_('Must be a list of rows')}", frappe.ValidationError)
	return rows
