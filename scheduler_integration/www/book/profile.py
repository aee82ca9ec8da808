import frappe
from frappe import _

from scheduler_integration.booking.pages import page_data
from scheduler_integration.www.book.page_utils import fill, not_found, page_language

no_cache = 1


def get_context(context):
	page_language()  # before any text is translated
	try:
		data = page_data(frappe.form_dict.get("profile"))
	except frappe.DoesNotExistError:
		not_found()
	fill(context, "profile", data)
	context.title = _("Book time with {0}").format(data["profile"]["display_name"])
	return context
