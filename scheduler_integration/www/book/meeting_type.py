from scheduler_integration.www.book.page_utils import booking_page

no_cache = 1


def get_context(context):
	data = booking_page(context, "book", "profile", "meeting_type")
	if data:
		context.title = f"{data['meeting_type']['title']} · {data['profile']['display_name']}"
	return context
