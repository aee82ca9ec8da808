"""Counts over the scheduler's DocTypes under the same row rules as their lists.

Frappe's ``frappe.client.get_count`` counts without any permission check, and the
"assigned to" group counts of the list sidebar filter records without one; with ``like``
filters either becomes an oracle for another host's data (a guest's email, one character
at a time). Both are replaced (``override_whitelisted_methods``) by versions that, for
the scheduler's DocTypes, count through ``frappe.get_list`` — role permissions plus the
app's row rules (``core.permissions``) — and hand every other DocType to Frappe unchanged.
A child table is counted as ``frappe.client.get_list`` lists it: ``parent`` names the
parent DocType, and only rows of documents the user may see are counted.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.client import get_count as frappe_get_count
from frappe.desk.listview import get_group_by_count as frappe_get_group_by_count
from frappe.model.db_query import check_parent_permission
from frappe.utils import get_safe_filters

from scheduler_integration.api.utils import plain_arguments
from scheduler_integration.engine.statuses import Status

MODULE = "Scheduler Integration"


def _ours(doctype) -> bool:
	"""Is ``doctype`` one of the app's (404 for a name that is no DocType: Frappe's own count
	would run a query on a table that does not exist, a 500)."""
	module = frappe.db.get_value("DocType", doctype, "module") if isinstance(doctype, str) else None
	if module is None:
		raise frappe.DoesNotExistError(_("DocType {0} not found").format(str(doctype)[:140]))
	return module == MODULE


@frappe.whitelist(methods=["GET", "POST"])
@plain_arguments
def get_count(doctype: str, filters=None, debug=False, cache=False, parent=None):
	ours = _ours(doctype)
	if frappe.get_meta(doctype).issingle:  # no table to count: Frappe's own query fails (500)
		frappe.throw(_("{0} is a single record: it has no count").format(_(doctype)), frappe.ValidationError)
	if not ours:
		return frappe_get_count(doctype, filters, debug, cache)
	if frappe.is_table(doctype):  # as frappe.client.get_list: role permission via the parent
		check_parent_permission(parent, doctype)
	rows = frappe.get_list(
		doctype,
		filters=get_safe_filters(filters),
		fields=[f"count(distinct `tab{doctype}`.`name`) as total"],
		parent_doctype=parent,
	)
	return int(rows[0].total) if rows else 0


@frappe.whitelist(methods=["GET", "POST"])
@plain_arguments
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	try:  # Frappe's own would answer text that is no JSON with a 500
		frappe.parse_json(current_filters)
	except ValueError:
		frappe.throw(_("Invalid filters"))
	if not _ours(doctype):
		return frappe_get_group_by_count(doctype, current_filters, field)
	if field == "assigned_to":
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
	return frappe_get_group_by_count(doctype, current_filters, field)  # already through get_list
