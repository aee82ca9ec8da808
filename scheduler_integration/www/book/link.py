"""A personal booking link's page (``/book/link/<token>``): the meeting type's booking page,
prefilled with the prospect's name, email and phone, booking with the link's host only.
A link that may no longer book answers 410 with a page that says why."""

import frappe

from scheduler_integration.booking.errors import LinkGone
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.pages import page_data
from scheduler_integration.booking.personal_links import open_link
from scheduler_integration.www.book.page_utils import fill, gone, prefill, read_page

no_cache = 1


def get_context(context):
	# tokens are not guessable; a crowd of tries still costs
	try:
		opened = read_page(context, _open, frappe.form_dict.get("token") or "")
	except LinkGone as exc:
		return gone(context, str(exc))
	if opened is None:
		return context
	scope, data = opened
	fill(context, "book", data, link=frappe.form_dict.get("token"), prefill=prefill(data, scope.prefill))
	context.title = f"{data['meeting_type']['title']} · {data['profile']['display_name']}"
	# the token is a credential: api.headers keeps it out of caches and referrers
	return context


def _open(token: str):
	"""The link's scope and its meeting type's page (LinkGone when it may no longer book)."""
	scope = open_link(token)
	mt = meeting_type_doc(scope.meeting_type)
	team = mt.get("team") and frappe.db.get_value("Scheduler Team", mt.team, "slug")
	profile = frappe.db.get_value("Scheduler Profile", mt.profile, "slug")
	return scope, page_data(profile, mt.slug, team or None)
