import frappe
from frappe import _

from scheduler_integration.booking.pages import page_data
from scheduler_integration.booking.presentation import booking_json
from scheduler_integration.booking.tokens import booking_for_token
from scheduler_integration.core.limits import hit
from scheduler_integration.core.settings import public_limit
from scheduler_integration.www.book.page_utils import not_found, safe_json

no_cache = 1


def get_context(context):
	hit("manage-page", public_limit())  # tokens are not guessable; a crowd of tries still costs
	token = frappe.form_dict.get("token") or ""
	try:
		doc = booking_for_token(token)
		booking = booking_json(doc, token)
		data = page_data(booking["profile_slug"], booking["meeting_type_slug"])
	except frappe.DoesNotExistError:
		not_found()
	context.booking = booking
	context.page_json = safe_json({"mode": "manage", "token": token, "booking": booking, **data})
	context.title = _("Your booking")
	context.no_breadcrumbs = 1
	# the token is a credential: api.headers keeps it out of caches and referrers
	return context
