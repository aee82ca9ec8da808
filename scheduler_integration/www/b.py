"""``/b/<code>``: the short manage link of an SMS (``booking.tokens.short_url``) answered with
a redirect (302, never cached, no referrer) to the booking's manage page, which still
carries the full token; every try counts against the page's per-IP limit."""

import frappe

from scheduler_integration.booking.tokens import booking_for_short_code, manage_url
from scheduler_integration.www.book.page_utils import not_found, too_many_requests

no_cache = 1


def get_context(context):
	if too_many_requests(context):
		return context
	try:
		doc = booking_for_short_code(frappe.form_dict.get("code"))
	except frappe.DoesNotExistError:
		return not_found(context)
	frappe.flags.redirect_location = manage_url(doc)
	raise frappe.Redirect(302)
