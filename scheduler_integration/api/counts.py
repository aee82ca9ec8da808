"""Counts over the scheduler's DocTypes under the same row rules as their lists.

Frappe's ``frappe.client.get_count`` counts without any permission check, and the
"assigned to" group counts of the list sidebar filter records without one; with ``like``
filters either becomes an oracle for another host's data (a guest's email, one character
at a time). Both are replaced (``override_whitelisted_methods``). ``get_count`` counts
every DocType through ``frappe.get_list``: role permissions, user permissions and, for the
scheduler's DocTypes, the app's row rules (``core.permissions``). A child table is counted
as ``frappe.client.get_list`` lists it: ``parent`` names the parent DocType, and only rows
of documents the user may see are counted. ``get_group_by_count`` does the same for the
scheduler's DocTypes and hands others to Frappe. A DocType without a table (a single, a
virtual one), a field it does not have or a filter on a column that does not exist is
refused with the reason (417), never a database error (500).
"""

from __future__ import annotations

import json
from typing import TypedDict

import frappe
from frappe import _
from frappe.desk.listview import get_group_by_count as frappe_get_group_by_count
from frappe.model import is_default_field
from frappe.model.db_query import check_parent_permission

from scheduler_integration.api.filters import checked_filters, known_columns
from scheduler_integration.api.utils import plain_arguments
from scheduler_integration.engine.statuses import Status

MODULE = "Scheduler Integration"


class GroupCount(TypedDict):
	"""How many records have one value of the field (the list sidebar's group counts)."""

	name: str | int | float | None  # the value (a user for ``assigned_to``)
	count: int


def _ours(doctype) -> bool:
	"""Is ``doctype`` one of the app's (404 for a name that is no DocType; 417 for one kept
	in no table of its own, where a count's query would fail with a 500)."""
	found = (
		frappe.db.get_value("DocType", doctype, ["name", "module", "issingle", "is_virtual"], as_dict=True)
		if isinstance(doctype, str)
		else None
	)
	if found is None:
		raise frappe.DoesNotExistError(_("DocType {0} not found").format(str(doctype)[:140]))
	if found.name != doctype:  # the database matched it regardless of case; Frappe does not
		frappe.throw(_("DocType names are case-sensitive: did you mean {0}?").format(found.name))
	if found.issingle:
		frappe.throw(_("{0} is a single record: it has no count").format(_(doctype)), frappe.ValidationError)
	if found.is_virtual:
		frappe.throw(
			_("{0} is not kept in a table: it has no count").format(_(doctype)), frappe.ValidationError
		)
	return found.module == MODULE


@frappe.whitelist(methods=["GET", "POST"])
@plain_arguments
def get_count(doctype: str, filters=None, debug=False, cache=False, parent=None) -> int:
	# ``debug`` would hand the query to the caller and ``cache`` share one user's count
	# with the next: both are ignored
	_ours(doctype)
	if frappe.is_table(doctype):  # as frappe.client.get_list: role permission via the parent
		check_parent_permission(parent, doctype)
	filters = checked_filters(doctype, filters)
	with known_columns():
		rows = frappe.get_list(
			doctype,
			filters=filters,
			fields=[f"count(distinct `tab{doctype}`.`name`) as total"],
			parent_doctype=parent,
		)
	return int(rows[0].total) if rows else 0


@frappe.whitelist(methods=["GET", "POST"])
@plain_arguments
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[GroupCount]:
	_ours(doctype)  # (404 or 417 for what has no count)
	# Frappe's own would answer text that is no JSON with a 500, and put a filter's field
	# name into the query unchecked
	current_filters = json.dumps(checked_filters(doctype, current_filters) or [])
	if field != "assigned_to" and not (frappe.get_meta(doctype).has_field(field) or is_default_field(field)):
		frappe.throw(_("{0} has no field {1}").format(_(doctype), str(field)[:140]), frappe.ValidationError)
	if field == "assigned_to":
		# every DocType's: Frappe's own counts the to-dos of records the filters find without
		# the list's permissions (a like filter on another record's email answered one
		# character at a time); here only records the user may list are counted
		with known_columns():
			names = frappe.get_list(
				doctype, filters=frappe.parse_json(current_filters), pluck="name", limit_page_length=0
			)
		rows = frappe.get_all(
			"ToDo",
			filters={
				"reference_type": doctype,
				"reference_name": ("in", names or [""]),
				"status": ("!=", Status.CANCELLED.value),
			},
			fields=["allocated_to as name", "count(*) as count"],
			group_by="allocated_to",
			order_by="count desc",
			limit=50,
		)
		return rows
	with known_columns():
		# other fields: Frappe's own, which counts through get_list (and the app's row rules)
		return frappe_get_group_by_count(doctype, current_filters, field)
