"""Every ``code`` an error answer of the app carries, with its HTTP status: one table.

Clients branch on the code, never on the (translated) message, so each code has one
status (``STATUS``) and one meaning (docs/api.md lists them). The typed errors
(``core.errors``, ``booking.errors``, ``api``) take their ``code`` and
``http_status_code`` from here; ``BY_STATUS`` names a failure known only by its status
(``api.utils.code_for``); ``FRAPPE_CODES`` names Frappe's own exceptions on the app's
routes (``api.refusals``).

Two codes are 401: ``NOT_SIGNED_IN`` — a guest at a method that needs a user (the code of
every 401 known only by its status, and of Frappe's own sign-in refusals) — and
``UNAUTHORIZED``, a webhook whose signature does not prove its sender (signing in would
not help).
"""

from __future__ import annotations

VALIDATION_ERROR = "VALIDATION_ERROR"
MISSING_ARGUMENTS = "MISSING_ARGUMENTS"
INVALID_INPUT = "INVALID_INPUT"
INVALID_REQUEST = "INVALID_REQUEST"
UNREADABLE_REQUEST = "UNREADABLE_REQUEST"
BOT_CHECK_FAILED = "BOT_CHECK_FAILED"
PAYMENT_MISMATCH = "PAYMENT_MISMATCH"
NOT_SIGNED_IN = "NOT_SIGNED_IN"
UNAUTHORIZED = "UNAUTHORIZED"
FORBIDDEN = "FORBIDDEN"
CHANGE_REFUSED = "CHANGE_REFUSED"
NOT_FOUND = "NOT_FOUND"
NOT_CONFIGURED = "NOT_CONFIGURED"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
SLOT_UNAVAILABLE = "SLOT_UNAVAILABLE"
CONFLICT = "CONFLICT"
REPLAYED = "REPLAYED"
LINK_GONE = "LINK_GONE"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
TOO_MANY_BOOKINGS = "TOO_MANY_BOOKINGS"
RATE_LIMITED = "RATE_LIMITED"
SERVER_ERROR = "SERVER_ERROR"
PROVIDER_ERROR = "PROVIDER_ERROR"
SERVER_BUSY = "SERVER_BUSY"
PAYMENT_UNAVAILABLE = "PAYMENT_UNAVAILABLE"
BOT_CHECK_UNAVAILABLE = "BOT_CHECK_UNAVAILABLE"
# Frappe's exceptions of these kinds keep Frappe's own status
MISSING_FIELDS = "MISSING_FIELDS"
INVALID_LINK = "INVALID_LINK"
DUPLICATE = "DUPLICATE"
DOCUMENT_CHANGED = "DOCUMENT_CHANGED"
INVALID_CSRF_TOKEN = "INVALID_CSRF_TOKEN"

# code -> the HTTP status it is answered with (None: the status Frappe gives it)
STATUS: dict[str, int | None] = {
	VALIDATION_ERROR: 400,
	MISSING_ARGUMENTS: 400,
	INVALID_INPUT: 400,
	INVALID_REQUEST: 400,
	UNREADABLE_REQUEST: 400,
	BOT_CHECK_FAILED: 400,
	PAYMENT_MISMATCH: 400,
	NOT_SIGNED_IN: 401,
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	CHANGE_REFUSED: 403,
	NOT_FOUND: 404,
	NOT_CONFIGURED: 404,
	METHOD_NOT_ALLOWED: 405,
	SLOT_UNAVAILABLE: 409,
	CONFLICT: 409,
	REPLAYED: 409,
	LINK_GONE: 410,
	REQUEST_TOO_LARGE: 413,
	TOO_MANY_BOOKINGS: 429,
	RATE_LIMITED: 429,
	SERVER_ERROR: 500,
	PROVIDER_ERROR: 502,
	SERVER_BUSY: 503,
	PAYMENT_UNAVAILABLE: 503,
	BOT_CHECK_UNAVAILABLE: 503,
	MISSING_FIELDS: None,
	INVALID_LINK: None,
	DUPLICATE: None,
	DOCUMENT_CHANGED: None,
	INVALID_CSRF_TOKEN: None,
}

# the code of a failure known only by its status
BY_STATUS: dict[int, str] = {
	400: INVALID_INPUT,
	401: NOT_SIGNED_IN,
	403: FORBIDDEN,
	404: NOT_FOUND,
	405: METHOD_NOT_ALLOWED,
	409: CONFLICT,
	413: REQUEST_TOO_LARGE,
	417: INVALID_INPUT,  # Frappe's ValidationError; the app answers it 400
	429: RATE_LIMITED,
	503: SERVER_BUSY,
}

# Frappe's exceptions (their exc_type) whose code says more than their status
FRAPPE_CODES: dict[str, str] = {
	"PermissionError": FORBIDDEN,
	"DoesNotExistError": NOT_FOUND,
	"MandatoryError": MISSING_FIELDS,
	"LinkValidationError": INVALID_LINK,
	"DuplicateEntryError": DUPLICATE,
	"TimestampMismatchError": DOCUMENT_CHANGED,
	"TooManyRequestsError": RATE_LIMITED,
	"CSRFTokenError": INVALID_CSRF_TOKEN,
	"AuthenticationError": NOT_SIGNED_IN,
	"SessionExpired": NOT_SIGNED_IN,
	"ValidationError": INVALID_INPUT,
	"FieldValidationError": VALIDATION_ERROR,
	"MissingArguments": MISSING_ARGUMENTS,
}


def code_for(status: int) -> str:
	"""The code of a failure known only by its HTTP status."""
	return BY_STATUS.get(status) or (SERVER_ERROR if status >= 500 else INVALID_INPUT)


def failure(message: str, errors: dict | None = None, code: str = INVALID_INPUT, **extra) -> dict:
	"""The envelope of a failure: ``error`` and ``code``, and ``message`` (the
	same text) for the callers written against the first envelope."""
	return {
		"success": False,
		"error": message,
		"message": message,
		"code": code,
		"errors": errors or {},
		**extra,
	}
