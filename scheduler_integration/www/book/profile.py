import frappe
from frappe import _

from scheduler_integration.booking.pages import page_data
from scheduler_integration.www.book.page_utils import not_found

no_cache = 1


def get_context(context):
	try:
		context.data = page_data(frappe.form_dict.get("profile"))
	except frappe.DoesNotExistError:
		not_found()
	context.title = _("Book time with {0}").format(context.data["profile"]["display_name"])
	context.no_breadcrumbs = 1
	return context
