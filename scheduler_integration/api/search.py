"""Link search (``frappe.desk.search``) over the app's DocTypes under their row rules.

Frappe's ``search_link`` and ``search_widget`` take ``ignore_user_permissions``, meant for
User Permission restrictions, and with it (and the role's read permission) list through
``frappe.get_list(..., ignore_permissions=True)``, which skips every
``permission_query_conditions`` hook too: any host could list every other host's bookings
by name, title and search fields (a guest's name and email). Both are overridden
(``override_whitelisted_methods``) to search the app's DocTypes without it, under the row
rules like every other list (``core.permissions``); every other DocType goes to Frappe
unchanged.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import frappe
from frappe import _
from frappe.desk import search as frappe_search

from scheduler_integration.api import parse
from scheduler_integration.api.filters import bounded, checked_filters, search_query
from scheduler_integration.api.utils import plain_arguments

MODULE = "Scheduler Integration"

# a value of a record a search lists (a name may be a number: autoincrement DocTypes)
Cell = str | int | float | None


class LinkOption(TypedDict):
	"""A record a Link field offers (Frappe's ``LinkSearchResults``): its name, the title as
	``label`` when the DocType shows titles in links, and the other search fields."""

	value: str | int
	description: str
	label: NotRequired[str | None]


# a search's page: the desk asks for 10 to 20; a LIMIT past these is no search
MAX_PAGE = 500
MAX_START = 100_000


def _known(doctype) -> None:
	"""404 for a DocType that does not exist (Frappe's search fails on it with a 500)."""
	if not (isinstance(doctype, str) and len(doctype) <= 140 and frappe.db.exists("DocType", doctype)):
		raise frappe.DoesNotExistError(_("DocType {0} not found").format(str(doctype)[:140]))


def _filters(doctype: str, filters):
	"""The app's DocTypes: only conditions that keep the row rules (``checked_filters``);
	another DocType's search gets its filters as Frappe's own would (Frappe CRM's pages send
	shapes of their own)."""
	if frappe.db.get_value("DocType", doctype, "module") == MODULE:
		return checked_filters(doctype, filters)
	return filters


def _rules_kept(doctype, kwargs: dict) -> dict:
	if isinstance(doctype, str) and frappe.db.get_value("DocType", doctype, "module") == MODULE:
		kwargs["ignore_user_permissions"] = False
	return kwargs


@frappe.whitelist(methods=["GET", "POST"])  # as Frappe's own: the desk uses both
@plain_arguments
def search_link(
	doctype: str,
	txt: str,
	query: str | None = None,
	filters: str | dict | list | None = None,
	page_length: int = 10,
	searchfield: str | None = None,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
) -> list[LinkOption]:
	"""The records a Link field offers: Frappe's ``search_link`` with its parameters, under the
	row rules for the app's DocTypes."""
	_known(doctype)
	arguments = {
		"query": search_query(doctype, query),
		"filters": _filters(doctype, parse.filters(filters)),
		"page_length": bounded(page_length, "page_length", 1, MAX_PAGE),
		"searchfield": parse.text_or_none(searchfield),
		"reference_doctype": parse.text_or_none(reference_doctype),
		"ignore_user_permissions": ignore_user_permissions,
	}
	# frappe.call passes Frappe's function only the arguments it takes (no ``cmd``)
	return frappe.call(frappe_search.search_link, doctype=doctype, txt=txt, **_rules_kept(doctype, arguments))


@frappe.whitelist(methods=["GET", "POST"])
@plain_arguments
def search_widget(
	doctype: str,
	txt: str,
	query: str | None = None,
	searchfield: str | None = None,
	start: int = 0,
	page_length: int = 10,
	filters: str | dict | list | None = None,
	filter_fields: str | list | None = None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
) -> list[list[Cell]] | list[dict[str, Cell]]:  # rows, or records (as_dict)
	"""Records matching a search: Frappe's ``search_widget`` with its parameters, under the row
	rules for the app's DocTypes."""
	_known(doctype)
	arguments = {
		"query": search_query(doctype, query),
		"searchfield": parse.text_or_none(searchfield),
		"start": bounded(start, "start", 0, MAX_START),
		"page_length": bounded(page_length, "page_length", 1, MAX_PAGE),
		"filters": _filters(doctype, parse.filters(filters)),
		"filter_fields": parse.filter_fields(filter_fields),
		"as_dict": as_dict,
		"reference_doctype": parse.text_or_none(reference_doctype),
		"ignore_user_permissions": ignore_user_permissions,
	}
	return frappe.call(
		frappe_search.search_widget, doctype=doctype, txt=txt, **_rules_kept(doctype, arguments)
	)
