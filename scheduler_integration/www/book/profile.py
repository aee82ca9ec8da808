from frappe import _

from scheduler_integration.www.book.page_utils import booking_page

no_cache = 1


def get_context(context):
	data = booking_page(context, "profile", "profile")
	if data:
		context.title = _("Book time with {0}").format(data["profile"]["display_name"])
	return context
