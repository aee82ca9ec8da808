"""Response headers for pages and endpoints whose URL is a credential (a manage link, an
.ics download by token, a host's feed): not stored by caches, not sent on as a referrer."""

from __future__ import annotations

SECRET_PATHS = (
	"/book/manage/",
	"/api/method/scheduler_integration.api.public.get_booking",
	"/api/method/scheduler_integration.api.public.ics",
	"/api/method/scheduler_integration.api.public.cancel",
	"/api/method/scheduler_integration.api.public.reschedule",
	"/api/method/scheduler_integration.api.calendar_feed.ics",
)


def secret_pages(response=None, request=None):
	"""``after_request`` hook."""
	path = getattr(request, "path", "") or ""
	if response is not None and path.startswith(SECRET_PATHS):
		response.headers["Cache-Control"] = "no-store"
		response.headers["Referrer-Policy"] = "no-referrer"
