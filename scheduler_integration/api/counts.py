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
import re
from contextlib import contextmanager
from typing import TypedDict

import frappe
from frappe import _
from frappe.desk.listview import get_group_by_count as frappe_get_group_by_count
from frappe.desk.reportview import validate_filters
from frappe.model import is_default_field
from frappe.model.db_query import check_parent_permission

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


@contextmanager
def _known_columns():
	"""A filter or field naming a column the table does not have, or a value the query cannot
	take: 417 with the reason, not the database's or Python's error (500, with a traceback)."""
	try:
		yield
	except frappe.ValidationError:
		raise
	except Exception as exc:
		if exc.args and frappe.db.is_missing_column(exc):  # (a refusal may carry no args)
			frappe.throw(_("A filter names a field that does not exist"), frappe.ValidationError)
		if isinstance(
			exc, TypeError | ValueError | AttributeError | getattr(frappe.db, "DataError", TypeError)
		):
			frappe.throw(_("Invalid filters"), frappe.ValidationError)
		raise


# the operators a filter may use, and the shape of value each takes
_SCALAR_OPERATORS = {"=", "!=", "<", ">", "<=", ">=", "like", "not like"}
_LIST_OPERATORS = {"in", "not in"}
_TEXT_OPERATORS = {
	"timespan",
	"previous",
	"next",
	"descendants of",
	"not descendants of",
	"ancestors of",
	"not ancestors of",
	"descendants of (inclusive)",
}
_SCALAR = str | int | float | bool | type(None)


def _value_refusal(operator, value) -> str | None:
	"""Why a filter's ``operator`` cannot take ``value`` (None when it can): Frappe would put
	it into the query as it is and fail on it with a 500."""
	if not isinstance(operator, str):
		return _("A filter's operator must be text")
	operator = operator.strip().lower()
	if operator in _SCALAR_OPERATORS:
		ok = isinstance(value, _SCALAR)
	elif operator in _LIST_OPERATORS:
		ok = isinstance(value, str) or (
			isinstance(value, list | tuple) and all(isinstance(item, _SCALAR) for item in value)
		)
	elif operator == "is":
		ok = isinstance(value, str) and value.strip().lower() in ("set", "not set")
	elif operator == "between":
		ok = (
			isinstance(value, list | tuple)
			and len(value) == 2
			and all(isinstance(item, int | float) or _readable_bound(item) for item in value)
		)
	elif operator in _TEXT_OPERATORS:
		ok = isinstance(value, str)
	else:
		return _("Unknown filter operator {0}").format(operator[:40])
	return None if ok else _("The filter value for {0} has the wrong form").format(operator)


def _readable_bound(value) -> bool:
	"""A ``between`` bound Frappe can read: a number or a date (and time) as text."""
	if not isinstance(value, str) or not value.strip():
		return False
	try:
		float(value)
		return True
	except ValueError:
		pass
	try:
		frappe.utils.get_datetime(value)
		return True
	except Exception:
		return False


_FIELDNAME = re.compile(r"^[A-Za-z0-9_]+$")


def _checked_filters(doctype: str, filters):
	"""``filters`` (JSON text, a list or a dict) as ``frappe.get_list`` may be given them:
	every condition names a plain field that ``doctype`` (or the DocType the condition
	names) has. ``frappe.get_list`` puts a condition's field name into the query as it is
	given, so a name such as ``name` is not null or 1=1 or `name`` would count rows the list
	hides; ``frappe.client.get_list`` checks them first (``validate_args``), and so does this."""
	if filters in (None, "", "null"):
		return None
	try:
		filters = frappe.parse_json(filters) if isinstance(filters, str) else filters
	except ValueError:
		frappe.throw(_("Invalid filters"))
	named = []  # (doctype, field, operator, value)
	if isinstance(filters, dict):
		for key, value in filters.items():
			if isinstance(value, list | tuple):  # {field: [operator, value]}
				if len(value) != 2:
					frappe.throw(_("Invalid filters"))
				named.append((doctype, key, value[0], value[1]))
			else:
				named.append((doctype, key, "=", value))
	elif isinstance(filters, list):
		for condition in filters:
			if not isinstance(condition, list | tuple) or not 3 <= len(condition) <= 5:
				frappe.throw(_("Invalid filters"))
			# [field, operator, value] or [doctype, field, operator, value(, hidden)]
			named.append((doctype, *condition) if len(condition) == 3 else tuple(condition[:4]))
	else:
		frappe.throw(_("Invalid filters"))
	for owner, field, operator, value in named:
		if not (isinstance(owner, str) and isinstance(field, str) and _FIELDNAME.match(field)):
			frappe.throw(_("A filter names a field that does not exist"), frappe.ValidationError)
		if not frappe.db.exists("DocType", owner):
			frappe.throw(_("A filter names a field that does not exist"), frappe.ValidationError)
		if why := _value_refusal(operator, value):
			frappe.throw(why, frappe.ValidationError)
		if isinstance(operator, str) and ("descendants" in operator or "ancestors" in operator):
			# Frappe's tree operators read the DocType's nested set: only a tree has one
			if not (isinstance(value, str) and frappe.get_meta(owner).get("is_tree")):
				frappe.throw(
					_("The filter value for {0} has the wrong form").format(operator.strip().lower()),
					frappe.ValidationError,
				)
	validate_filters(frappe._dict(doctype=doctype), filters)  # Frappe's own: the field exists
	return filters


@frappe.whitelist(methods=["GET", "POST"])
@plain_arguments
def get_count(doctype: str, filters=None, debug=False, cache=False, parent=None) -> int:
	# ``debug`` would hand the query to the caller and ``cache`` share one user's count
	# with the next: both are ignored
	_ours(doctype)
	if frappe.is_table(doctype):  # as frappe.client.get_list: role permission via the parent
		check_parent_permission(parent, doctype)
	filters = _checked_filters(doctype, filters)
	with _known_columns():
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
	current_filters = json.dumps(_checked_filters(doctype, current_filters) or [])
	if field != "assigned_to" and not (frappe.get_meta(doctype).has_field(field) or is_default_field(field)):
		frappe.throw(_("{0} has no field {1}").format(_(doctype), str(field)[:140]), frappe.ValidationError)
	if field == "assigned_to":
		# every DocType's: Frappe's own counts the to-dos of records the filters find without
		# the list's permissions (a like filter on another record's email answered one
		# character at a time); here only records the user may list are counted
		with _known_columns():
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
	with _known_columns():
		# other fields: Frappe's own, which counts through get_list (and the app's row rules)
		return frappe_get_group_by_count(doctype, current_filters, field)
