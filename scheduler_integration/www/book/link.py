"""A personal booking link's page (``/book/link/<token>``): the meeting type's booking page,
prefilled with the prospect's name, email and phone, booking with the link's host only.
A link that may no longer book answers 410 with a page that says why."""

import frappe

from scheduler_integration.booking.errors import LinkGone
from scheduler_integration.booking.pages import page_data
from scheduler_integration.booking.personal_links import open_link
from scheduler_integration.www.book.page_utils import (
	fill,
	gone,
	not_found,
	page_language,
	prefill,
	too_many_requests,
)

no_cache = 1


def get_context(context):
	page_language()
	# tokens are not guessable; a crowd of tries still costs
	if too_many_requests(context):
		return context
	try:
		scope = open_link(frappe.form_dict.get("token") or "")
		mt = frappe.get_cached_doc("Scheduler Meeting Type", scope.meeting_type)
		team = mt.get("team") and frappe.db.get_value("Scheduler Team", mt.team, "slug")
		profile = frappe.db.get_value("Scheduler Profile", mt.profile, "slug")
		data = page_data(profile, mt.slug, team or None)
	except LinkGone as exc:
		return gone(context, str(exc))
	except frappe.DoesNotExistError:
		not_found()
	fill(context, "book", data, link=frappe.form_dict.get("token"), prefill=prefill(data, scope.prefill))
	context.title = f"{data['meeting_type']['title']} · {data['profile']['display_name']}"
	# the token is a credential: api.headers keeps it out of caches and referrers
	return context
