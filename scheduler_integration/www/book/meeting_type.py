import frappe

from scheduler_integration.booking.pages import page_data
from scheduler_integration.www.book.page_utils import fill, not_found, page_language

no_cache = 1


def get_context(context):
	page_language()  # before any text is translated
	try:
		data = page_data(frappe.form_dict.get("profile"), frappe.form_dict.get("meeting_type"))
	except frappe.DoesNotExistError:
		not_found()
	fill(context, "book", data)
	context.title = f"{data['meeting_type']['title']} · {data['profile']['display_name']}"
	return context
