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
from frappe.desk import search as frappe_search

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


def _rules_kept(doctype, kwargs: dict) -> dict:
	if isinstance(doctype, str) and frappe.db.get_value("DocType", doctype, "module") == MODULE:
		kwargs["ignore_user_permissions"] = False
	return kwargs


@frappe.whitelist(methods=["GET", "POST"])  # as Frappe's own: the desk uses both
@plain_arguments
def search_link(doctype: str, txt: str, **kwargs) -> list[LinkOption]:
	# frappe.call passes Frappe's function only the arguments it takes (no ``cmd``)
	return frappe.call(frappe_search.search_link, doctype=doctype, txt=txt, **_rules_kept(doctype, kwargs))


@frappe.whitelist(methods=["GET", "POST"])
@plain_arguments
def search_widget(
	doctype: str, txt: str, **kwargs
) -> list[list[Cell]] | list[dict[str, Cell]]:  # rows, or records (as_dict)
	return frappe.call(frappe_search.search_widget, doctype=doctype, txt=txt, **_rules_kept(doctype, kwargs))
