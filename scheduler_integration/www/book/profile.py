from scheduler_integration.www.book.page_utils import booking_page, list_title

no_cache = 1


def get_context(context):
	data = booking_page(context, "profile", "profile")
	if data:
		context.title = list_title(data)
	return context
