"""Response headers for pages and endpoints whose URL is a credential (a manage link, an
.ics download by token, a host's feed): not stored by caches, not sent on as a referrer.
Booking pages may be framed (the embed widget) only by this site and the websites listed in
Scheduler Settings → Websites Allowed to Embed Booking Pages (CSP ``frame-ancestors``, which
browsers obey over an X-Frame-Options header a proxy may add)."""

from __future__ import annotations

SECRET_PATHS = (
	"/book/manage/",
	"/b/",  # a short manage link (www/b.py)
	"/book/link/",  # a personal booking link (www/book/link.py)
	"/book/receipt",  # a paid booking's receipt, by its key (www/book/receipt.py)
	"/api/method/scheduler_integration.api.public.get_booking",
	"/api/method/scheduler_integration.api.public.ics",
	"/api/method/scheduler_integration.api.public.cancel",
	"/api/method/scheduler_integration.api.public.reschedule",
	"/api/method/scheduler_integration.api.calendar_feed.ics",
)


def frame_ancestors() -> str:
	from scheduler_integration.core.settings import setting
	from scheduler_integration.rules.embed import frame_origins

	origins, _refused = frame_origins(setting("booking_embed_origins"))
	return " ".join(["'self'", *origins])


def secret_pages(response=None, request=None):
	"""``after_request`` hook."""
	path = getattr(request, "path", "") or ""
	if response is not None and path.startswith("/book/"):
		response.headers["Content-Security-Policy"] = f"frame-ancestors {frame_ancestors()}"
	if response is not None and path.startswith(SECRET_PATHS):
		response.headers["Cache-Control"] = "no-store"
		response.headers["Referrer-Policy"] = "no-referrer"
