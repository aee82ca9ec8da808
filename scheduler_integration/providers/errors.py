"""Typed errors of the provider adapters: calendars, video, payments (Stripe), schedulers (Acuity).

Every error carries ``retryable``: True means the provider or the network failed for now
(5xx, 429, timeouts, refused connections) and the same call may succeed later, so the sync
job should retry with backoff; False means retrying the same call cannot help (a bad URL,
rejected credentials, a malformed feed) and the connection needs attention.

Like the engine's errors, ``template`` is the untranslated message with ``{0}``-style
placeholders and ``args_`` its values, so the Frappe layer can show
``_(error.template).format(*error.args_)``.
"""

from __future__ import annotations


class AdapterError(Exception):
	"""Base class of every adapter's error, whatever the provider (a calendar, a video app,
	Stripe, Acuity)."""

	retryable = False

	def __init__(self, message: str, *args, status: int | None = None):
		self.template = message
		self.args_ = args
		self.message = message.format(*args) if args else message
		self.status = status
		super().__init__(self.message)


# --- fetching URLs (urlguard) -------------------------------------------------------------


class UnsafeURL(AdapterError, ValueError):
	"""The URL may not be fetched: bad scheme or syntax, or its host resolves to an
	address the server must not reach (private, loopback, metadata ...)."""


class FetchFailed(AdapterError):
	"""The fetch itself failed: network error, or an HTTP error status (``status``).

	Network errors and 5xx / 429 statuses are retryable; other statuses are not.
	"""

	def __init__(self, message: str, *args, status: int | None = None):
		super().__init__(message, *args, status=status)
		self.retryable = status is None or status >= 500 or status == 429


class FetchTimeout(FetchFailed):
	"""Connecting or reading took longer than the total time allowed."""


class FetchTooLarge(FetchFailed):
	"""The response body is larger than allowed; the download was aborted."""

	def __init__(self, message: str, *args):
		super().__init__(message, *args)
		self.retryable = False


class TooManyRedirects(FetchFailed):
	"""More redirects than allowed (or a redirect loop)."""

	def __init__(self, message: str, *args):
		super().__init__(message, *args)
		self.retryable = False


# --- calendar data ------------------------------------------------------------------------


class InvalidFeed(AdapterError, ValueError):
	"""ICS data that cannot be read, or that would expand without bound."""


class FeedTooLarge(InvalidFeed):
	"""A feed that expands past its bounds (occurrences or time): the whole feed is refused,
	where one unreadable event is only left out."""


# --- providers (Google, CalDAV, Microsoft, Zoom) ------------------------------------------


class ProviderError(AdapterError):
	"""The provider refused the request (4xx other than the cases below)."""


class ProviderAuthError(ProviderError):
	"""Credentials missing, expired or rejected: the host must reconnect the calendar."""


class ProviderUnavailable(ProviderError):
	"""5xx, 429, rate limits, timeouts, connection errors: retry later.

	``retry_after`` is the wait in seconds the provider asked for (a ``Retry-After``
	header), or None: the retry job should not come back sooner.
	"""

	retryable = True

	def __init__(self, message: str, *args, status: int | None = None, retry_after: float | None = None):
		super().__init__(message, *args, status=status)
		self.retry_after = retry_after


class EventNotFound(ProviderError):
	"""The event (or calendar) does not exist (any more)."""


class MeetingNotFound(EventNotFound):
	"""The video meeting does not exist (any more)."""


class FullSyncRequired(ProviderError):
	"""The sync token is no longer valid (HTTP 410): list again without a token."""

	retryable = True


# --- what went wrong, for the words a host reads (connections.status.error_text) --------------

DNS, REFUSED, UNREACHABLE, TIMEOUT, TLS = "dns", "refused", "unreachable", "timeout", "tls"
NOT_FOUND, DENIED, SERVER, HTTP = "not_found", "denied", "server", "http"
NOT_CALENDAR, BAD_EVENT, TOO_LARGE, REDIRECTS = "not_calendar", "bad_event", "too_large", "redirects"
PRIVATE, BAD_URL, AUTH, OTHER = "private", "bad_url", "auth", "other"

# InvalidFeed templates about the whole answer (not one event): no calendar at all, such
# as a web page or nothing ("Calendar feed is empty", "… cannot be read: …", "… is not a
# VCALENDAR"); the others name an event
_NOT_CALENDAR = (
	"Calendar feed must be",
	"Calendar feed is empty",
	"Calendar feed cannot be read",
	"Calendar feed is not a VCALENDAR",
)


def error_kind(exc: BaseException) -> str:
	"""One word for what failed: the name resolution (``dns``), the connection (``refused``,
	``unreachable``, ``timeout``, ``tls``), the answer (``not_found``, ``denied``, ``server``,
	``http``, ``not_calendar``, ``bad_event``, ``too_large``, ``redirects``), the address
	itself (``private``, ``bad_url``), the authorisation (``auth``) or anything else."""
	import socket
	import ssl

	template = getattr(exc, "template", "") or ""
	args = getattr(exc, "args_", ()) or ()
	detail = next((a for a in args if isinstance(a, BaseException)), None)
	if isinstance(exc, InvalidFeed):
		return NOT_CALENDAR if template.startswith(_NOT_CALENDAR) else BAD_EVENT
	if isinstance(exc, FetchTimeout):
		return TIMEOUT
	if isinstance(exc, FetchTooLarge):
		return TOO_LARGE
	if isinstance(exc, TooManyRedirects):
		return REDIRECTS
	if isinstance(exc, UnsafeURL):
		if hasattr(exc, "address") and hasattr(exc, "reason"):  # urlguard.RefusedAddress
			return PRIVATE
		if template.startswith("Cannot resolve host") or template.endswith("resolves to no address"):
			return DNS
		return BAD_URL
	if isinstance(exc, FetchFailed):
		status = exc.status or 0
		if status in (404, 410):
			return NOT_FOUND
		if status in (401, 403):
			return DENIED
		if status == 429 or status >= 500:
			return SERVER
		if status:
			return HTTP
		if template.startswith("TLS ") or isinstance(detail, ssl.SSLError):
			return TLS
		if isinstance(detail, ConnectionRefusedError):
			return REFUSED
		if isinstance(detail, socket.gaierror):
			return DNS
		if isinstance(detail, TimeoutError):
			return TIMEOUT
		return UNREACHABLE
	if isinstance(exc, ProviderAuthError):
		return AUTH
	return OTHER
