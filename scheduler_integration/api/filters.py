"""The arguments of Frappe's list methods the app overrides (counts, link search, exports),
checked before Frappe reads them.

Frappe puts a filter's field name, operator and value into its query as they are given:
a field name such as ``name` or 1=1 or `name`` lists rows the row rules hide, and a
``between`` on a field that is no date (or with one bound) leaves its ``and`` open, so the
``and (row rule)`` Frappe appends becomes the upper bound and the row rules are gone.
``checked_filters`` lets through only conditions on fields the DocType has, with an
operator Frappe knows and a value of the form that operator takes, ``between`` and the
timespans on dates only. ``known_columns`` turns what Frappe's query still fails on into a
417 with the reason (never a 500 with a traceback), ``search_query`` admits only a search
query as ``query`` (Frappe calls any whitelisted method named there with a search's six
arguments).
"""

from __future__ import annotations

import inspect
import re
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.desk.reportview import validate_filters


@contextmanager
def known_columns():
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
	elif operator == "timespan":
		ok = (
			isinstance(value, str) and frappe.utils.get_timespan_date_range(value.strip().lower()) is not None
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
# the operators Frappe turns into a range of dates (``between`` on any other field, ``timespan``
# and friends always)
_DATE_OPERATORS = {"between", "timespan", "previous", "next"}
_DATE_COLUMNS = {"creation", "modified"}


def _is_date(doctype: str, field: str) -> bool:
	if field in _DATE_COLUMNS:
		return True
	found = frappe.get_meta(doctype).get_field(field)
	return bool(found) and found.fieldtype in ("Date", "Datetime")


def checked_filters(doctype: str, filters):
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
		if operator.strip().lower() in _DATE_OPERATORS and not _is_date(owner, field):
			# Frappe reads these as a date range only on a date; elsewhere its ``between``
			# takes the next condition (the row rules) as its upper bound
			frappe.throw(
				_("{0} filters only a date field").format(operator.strip().lower()), frappe.ValidationError
			)
		if isinstance(operator, str) and ("descendants" in operator or "ancestors" in operator):
			# Frappe's tree operators read the DocType's nested set: only a tree has one
			if not (isinstance(value, str) and frappe.get_meta(owner).get("is_tree")):
				frappe.throw(
					_("The filter value for {0} has the wrong form").format(operator.strip().lower()),
					frappe.ValidationError,
				)
	validate_filters(frappe._dict(doctype=doctype), filters)  # Frappe's own: the field exists
	return filters


# the arguments Frappe hands a search query (``frappe.desk.search.search_widget``)
SEARCH_ARGUMENTS = ("doctype", "txt", "searchfield", "start", "page_len", "filters")
_DOTTED = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$")


def search_query(doctype: str, query) -> str | None:
	"""``query`` if it may name a search query, None when empty; refused (417) when it names a
	loaded whitelisted method that does not take a search's arguments, or is no dotted path:
	Frappe calls any whitelisted method named there with the search's six arguments (a 500
	with a traceback on any other). The app's DocTypes have no search query of their own."""
	if not query:
		return None
	refusal = _("{0} is not a search query").format(str(query)[:140])
	if not isinstance(query, str) or not _DOTTED.match(query) or _ours(doctype):
		frappe.throw(refusal, frappe.ValidationError)
	loaded = {f"{fn.__module__}.{fn.__name__}": fn for fn in frappe.whitelisted}
	if query in loaded:  # (one not loaded yet is Frappe's to find, as without the app)
		params = inspect.signature(inspect.unwrap(loaded[query])).parameters
		if not all(name in params for name in SEARCH_ARGUMENTS):
			frappe.throw(refusal, frappe.ValidationError)
	return query


def _ours(doctype: str) -> bool:
	return frappe.db.get_value("DocType", doctype, "module") == "Scheduler Integration"


def bounded(value, field: str, low: int, high: int) -> int:
	"""A whole number from ``low`` to ``high`` (417 naming ``field`` otherwise): a negative
	or huge one reaches the query's LIMIT as it is."""
	try:
		number = int(value)
	except (TypeError, ValueError):
		number = None
	if number is None or isinstance(value, bool) or not low <= number <= high:
		frappe.throw(
			_("{0} must be a whole number from {1} to {2}").format(field, low, high), frappe.ValidationError
		)
	return number
