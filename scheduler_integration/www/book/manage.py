import frappe
from frappe import _

from scheduler_integration.booking.pages import page_data
from scheduler_integration.booking.presentation import booking_json
from scheduler_integration.booking.tokens import booking_for_token
from scheduler_integration.core.limits import hit
from scheduler_integration.core.settings import public_limit
from scheduler_integration.www.book.page_utils import fill, not_found, page_language

no_cache = 1


def get_context(context):
	hit("manage-page", public_limit())  # tokens are not guessable; a crowd of tries still costs
	token = frappe.form_dict.get("token") or ""
	try:
		doc = booking_for_token(token)
		if not frappe.form_dict.get("lang") and doc.get("language"):
			frappe.form_dict.lang = doc.language  # the language the guest booked in
		page_language()
		booking = booking_json(doc, token)
		data = page_data(booking["profile_slug"], booking["meeting_type_slug"])
	except frappe.DoesNotExistError:
		not_found()
	context.booking = booking
	fill(context, "manage", data, token=token, booking=booking)
	context.title = _("Your booking")
	# the token is a credential: api.headers keeps it out of caches and referrers
	return context
