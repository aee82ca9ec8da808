import frappe

from scheduler_integration.booking.pages import page_data
from scheduler_integration.www.book.page_utils import not_found, safe_json

no_cache = 1


def get_context(context):
	try:
		data = page_data(frappe.form_dict.get("profile"), frappe.form_dict.get("meeting_type"))
	except frappe.DoesNotExistError:
		not_found()
	context.data = data
	context.page_json = safe_json({"mode": "book", **data})
	context.title = f"{data['meeting_type']['title']} · {data['profile']['display_name']}"
	context.no_breadcrumbs = 1
	return context
