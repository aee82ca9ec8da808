"""Routing forms (``Scheduler Routing Form``): the public submission and the funnel.

``submit`` (guests, POST, rate-limited per IP like the booking API): the answers of the
form at ``/book/route/<slug>``; the answer says where the prospect goes next
(``{"action": "book" | "redirect" | "message", …}``). Hostile answers are refused with
400 naming each field, never more. ``get_funnel`` (hosts): submitted → routed → booked
per form, a host's own forms (a Scheduler Manager's: every form).
"""

from __future__ import annotations

from datetime import date

import frappe
from frappe import _

from scheduler_integration.api import parse
from scheduler_integration.api.utils import api, ok
from scheduler_integration.core.answers import Answer
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.core.limits import per_ip
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.core.settings import public_limit
from scheduler_integration.rules.routing import RoutingCounts
from scheduler_integration.scheduler_integration.doctype.scheduler_routing_form.submissions import (
	RoutingDecision,
	funnel,
)
from scheduler_integration.scheduler_integration.doctype.scheduler_routing_form.submissions import (
	submit as submit_form,
)


class FormFunnel(RoutingCounts):
	"""A routing form's title and its decisions: submitted, routed and booked."""

	title: str


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(public_limit, seconds=60)
@api
def submit(form: str, answers=None, website: str | None = None) -> Answer[RoutingDecision]:
	"""Route a prospect: 201 with ``action`` — ``book`` (``url``: the meeting type's page,
	its form prefilled), ``redirect`` (``url``) or ``message`` (``message``)."""
	if website:  # honeypot: people never see this field, naive bots fill it
		raise FieldValidationError(_("Invalid submission"), {"website": _("Invalid submission")})
	if not isinstance(form, str):
		raise frappe.DoesNotExistError(_("This form does not exist"))
	result = submit_form(form, parse.answers(answers))
	frappe.db.commit()
	return ok(result, status=201)


@frappe.whitelist(methods=["GET"])
@api
def get_funnel(form: str | None = None, since: str | None = None) -> Answer[dict[str, FormFunnel]]:
	"""{form: {title, submitted, routed, booked}} of your routing forms (``form``: one)."""
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Please sign in"))
	filters = {} if is_manager() else {"user": frappe.session.user}
	if form:
		filters["name"] = str(form)
	forms = dict(
		frappe.get_all("Scheduler Routing Form", filters=filters, fields=["name", "title"], as_list=True)
	)
	if form and not forms:
		raise frappe.DoesNotExistError(_("This form does not exist"))
	lower = None
	if since:
		try:
			lower = date.fromisoformat(str(since).strip())
		except ValueError:
			raise FieldValidationError(_("Invalid date"), {"since": _("Use YYYY-MM-DD")}) from None
	figures = funnel(list(forms), lower)
	return ok({name: {"title": forms[name], **figures[name]} for name in forms})
