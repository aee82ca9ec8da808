"""Shared plumbing of the APIs: the answer shape, the one mapping of errors onto HTTP
answers, and the acting user.

Two answer styles, each for its callers (docs/api.md):

* The app's own API — every method wrapped in ``api``: the booking page's ``api.public``,
  the host API (``profile``, ``meeting_type``, ``availability``, ``blocked_time``,
  ``booking``, ``analytics``, ``calendar_feed.get_feed_url``) and ``tracking``'s JSON
  endpoints — answers in the app's envelope, ``ok()``: ``{"success": true, "data": …,
  "message": …}``. Its methods raise typed errors and never build a failure themselves:
  ``_mapped`` below is the one place that turns an error into ``{"success": false,
  "error": …, "message": …, "code": …, "errors": {field: message}}`` with the status the
  error class carries and a stable machine-readable ``code`` (``CODES``: the
  error's own ``code`` attribute where it has one):

  - ``core.errors.FieldValidationError`` and engine errors: 400, with ``errors``;
  - ``core.errors.RequestRefused`` and its kinds: their own (400, 401 ``Unauthorized``,
    503 ``ServerBusy``);
  - ``frappe.PermissionError``: 401 for a guest, else 403;
  - ``booking.errors.ChangeRefused``: 403, with ``reason``;
  - ``frappe.DoesNotExistError``, ``NotConfigured``: 404;
  - ``booking.errors.SlotUnavailable``: 409, with ``reason`` and ``alternatives``;
  - ``booking.errors.TooManyBookings``: 429, with ``retry_after`` (also the Retry-After
    header, ``api.refusals``);
  - any other ``frappe.ValidationError`` (core validations): 400;
  - a deadlock or lock timeout still there after the retries: 503.

  Failures roll the transaction back before answering, so a refused booking never holds
  its hosts' locks while alternatives are found. ``api.refusals`` gives requests Frappe
  refused before any app code ran the same failure body (``failure``).
* Methods that answer one of Frappe's own protocols — the number cards (``dashboard``), the
  count and export overrides (``counts``, ``exports``), the connection form's actions
  (``connections``) — answer the plain value their Frappe caller reads and raise Frappe's
  exceptions, which Frappe answers with the same ``http_status_code``. Downloads and
  redirects answer a file (``public.ics``, ``calendar_feed.ics``: failures through ``api``)
  or a redirect (``tracking.go``: a 404 page).

A new endpoint of the app's API is ``@api``, answers ``ok(…)`` and raises typed errors.

A method's body is one transaction. When the database picks it as a deadlock victim or a
lock wait times out (concurrent changes touching the same bookings), the whole body runs
again on a fresh transaction, a few times with a short random pause: a lost race is
answered like any other (e.g. 409), never with a 500.
"""

from __future__ import annotations

import functools
import inspect
import json
import random
import time

import frappe
from frappe import _
from werkzeug.wrappers import Response

from scheduler_integration.api.shapes import slot_json
from scheduler_integration.booking.errors import (
	ChangeRefused,
	SlotUnavailable,
	TooManyBookings,
)
from scheduler_integration.core import error_codes as codes
from scheduler_integration.core.answers import Answer, T
from scheduler_integration.core.clock import iso
from scheduler_integration.core.error_codes import failure  # the envelope, defined with the codes
from scheduler_integration.core.errors import (
	FieldValidationError,
	MissingArguments,
	RequestRefused,
	translate,
)
from scheduler_integration.core.languages import use_asked_language
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.validation import is_yes

__all__ = [
	"CODES",
	"acting_user",
	"api",
	"check_owner",
	"code_for",
	"fail",
	"failure",
	"flag",
	"iso",
	"ok",
	"ok_text",
	"parse_json",
	"payload",
	"plain_arguments",
]


# the ``code`` of a failure known only by its status; typed errors name their own
# (``code`` attribute). Every code and its status: core/error_codes.py.
CODES = codes.BY_STATUS
code_for = codes.code_for


def ok(data: T = None, message: str | None = None, status: int = 200) -> Answer[T]:
	"""The envelope of a success (``status``: 201 for something created)."""
	if status != 200:
		frappe.local.response.http_status_code = status
	return {"success": True, "data": data, "message": message}


def ok_text(data: dict, **texts: str):
	"""``ok(data)`` with more fields of ``data`` whose JSON text is made already (``texts``):
	the same answer, written by joining text instead of encoding it again on every read
	(a month of slots). Outside an API request, or with messages Frappe would add to the
	answer, it is ``ok`` itself."""
	request = getattr(frappe.local, "request", None)
	path = getattr(request, "path", "") or ""
	if (
		not path.startswith("/api/")
		or frappe.local.message_log
		or frappe.local.response.get("http_status_code")
	):
		return ok({**data, **{name: json.loads(text) for name, text in texts.items()}})
	fields = [json.dumps(data, separators=(",", ":"), default=str)[1:-1]] if data else []
	fields += [f"{json.dumps(name)}:{text}" for name, text in texts.items()]
	envelope = "data" if path.startswith("/api/v2/") else "message"
	body = f'{{"{envelope}":{{"success":true,"data":{{{",".join(fields)}}},"message":null}}}}'
	return Response(body, mimetype="application/json")


def fail(status: int, message: str, errors: dict | None = None, code: str | None = None, **extra) -> dict:
	"""Roll back and answer ``status`` with the failure body (for ``_mapped`` and
	``missing_arguments``: methods raise instead)."""
	frappe.db.rollback()
	frappe.local.response.http_status_code = status
	frappe.local.message_log = []  # the body carries the message; no duplicate toast
	return failure(message, errors, code or code_for(status), **extra)


@functools.cache
def _signature(fn) -> inspect.Signature:
	return inspect.signature(fn)  # a method's own, made once per process (every call binds it)


def missing_arguments(fn, args, kwargs) -> dict[str, str]:
	"""{name: message} for required parameters the request did not send."""
	try:
		_signature(fn).bind(*args, **kwargs)
	except TypeError:
		params = _signature(fn).parameters
		return {
			name: _("This field is required")
			for name, p in params.items()
			if p.default is inspect.Parameter.empty
			and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
			and name not in kwargs
		} or {"input": _("Invalid arguments")}
	return {}


TEXT_ANNOTATIONS = frozenset({"str", "str | None", str})


def wrong_types(fn, args, kwargs) -> dict[str, str]:
	"""{name: message} for parameters declared text (``str``) that a request sent as a list,
	an object or a number: a record's name is never a filter (Frappe reads a list or an
	object given where a name is expected as filters, and fails deep inside with a 500)."""
	params = _signature(fn).parameters
	return {
		name: _("Must be text")
		for name, value in kwargs.items()
		if name in params
		and params[name].annotation in TEXT_ANNOTATIONS
		and value is not None
		and not isinstance(value, str)
	}


def plain_arguments(fn):
	"""For the plain-style methods (Frappe answers their exceptions): a required parameter
	the request did not send is a 400 ``MISSING_ARGUMENTS``, not a TypeError's 500."""

	@functools.wraps(fn)
	def wrapper(*args, **kwargs):
		missing = missing_arguments(fn, args, kwargs)
		if missing:
			raise MissingArguments(_("Missing: {0}").format(", ".join(sorted(missing))))
		wrong = wrong_types(fn, args, kwargs)
		if wrong:
			raise FieldValidationError(_("Please correct these fields"), wrong)
		return fn(*args, **kwargs)

	return wrapper


TRANSACTION_RETRIES = 3
# the wait of a booking cap that names none: the email and host caps count the last hour
CAP_RETRY_AFTER = 3600


def api(fn):
	"""Map the errors of an API method onto the documented statuses and shape, running the
	body again when the database aborts its transaction to break a deadlock."""

	@functools.wraps(fn)
	def wrapper(*args, **kwargs):
		use_asked_language()  # ``lang`` first: every message of the answer in the page's language
		missing = missing_arguments(fn, args, kwargs)
		if missing:
			return fail(
				MissingArguments.http_status_code,
				_("Please correct these fields"),
				missing,
				MissingArguments.code,
			)
		wrong = wrong_types(fn, args, kwargs)
		if wrong:
			return fail(
				FieldValidationError.http_status_code,
				_("Please correct these fields"),
				wrong,
				codes.VALIDATION_ERROR,
			)
		for attempt in range(TRANSACTION_RETRIES + 1):
			try:
				return _mapped(fn, args, kwargs)
			except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
				frappe.db.rollback()
				frappe.local.message_log = []
				if attempt == TRANSACTION_RETRIES:
					return fail(
						503, _("The server is busy. Please try again in a moment."), code=code_for(503)
					)
				time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))

	return wrapper


def _mapped(fn, args, kwargs):
	"""Call ``fn``; its errors become failure bodies (deadlocks are the caller's to retry).
	The one mapping of the app's API: see the table above."""
	try:
		return fn(*args, **kwargs)
	except SlotUnavailable as exc:
		frappe.db.rollback()  # release the host locks before searching alternatives
		zone = kwargs.get("timezone")
		alternatives = [slot_json(slot, zone) for slot in exc.search_alternatives()]
		return fail(
			exc.http_status_code,
			str(exc),
			code=exc.code,
			reason=exc.reason,
			alternatives=alternatives,
		)
	except ChangeRefused as exc:
		return fail(exc.http_status_code, str(exc), code=exc.code, reason=exc.reason)
	except TooManyBookings as exc:
		# api.refusals sends retry_after on as the Retry-After header
		wait = max(1, int(exc.retry_after or CAP_RETRY_AFTER))
		return fail(exc.http_status_code, str(exc), code=exc.code, retry_after=wait)
	except FieldValidationError as exc:
		# links: {field: desk route} of the form that fixes it (a missing connection)
		extra = {"links": exc.links} if exc.links else {}
		return fail(exc.http_status_code, _("Please correct these fields"), exc.errors, exc.code, **extra)
	except RequestRefused as exc:
		return fail(exc.http_status_code, str(exc) or _("Invalid input"), code=exc.code)
	except SchedulingError as exc:
		message = translate(exc)
		return fail(400, message, {exc.field or "input": message}, codes.VALIDATION_ERROR)
	except frappe.PermissionError as exc:
		if frappe.session.user == "Guest":
			return fail(401, _("Please sign in"), code=code_for(401))
		return fail(403, str(exc) or _("Not permitted"), code=code_for(403))
	except frappe.DoesNotExistError as exc:
		return fail(
			exc.http_status_code, str(exc) or _("Not found"), code=getattr(exc, "code", codes.NOT_FOUND)
		)
	except frappe.TooManyRequestsError:
		raise  # Frappe's own rate limiter answers 429 with its headers
	except frappe.TimestampMismatchError:
		# another change won the race (a cancel beside a move): try again on the new state;
		# Frappe's own text would show the record's internal timestamps
		return fail(
			409,
			_("This was changed by someone else meanwhile. Please reload it and try again."),
			code=codes.CONFLICT,
		)
	except frappe.ValidationError as exc:  # core validations (mandatory, links, …)
		return fail(400, frappe.utils.strip_html(str(exc)) or _("Invalid input"), code=codes.INVALID_INPUT)


def acting_user(user: str | None = None) -> str:
	"""The host the call acts for: yourself, or anyone when you are a Scheduler Manager."""
	me = frappe.session.user
	if me == "Guest":
		raise frappe.PermissionError(_("Please sign in"))
	if not user or user == me:
		return me
	if not is_manager(me):
		raise frappe.PermissionError(_("You can only manage your own scheduler"))
	if not frappe.db.exists("User", user):
		raise frappe.DoesNotExistError(_("User {0} not found").format(user))
	return user


def check_owner(doctype: str, name: str, field: str = "user") -> str:
	"""Load the owner of ``name`` and make sure the session may act for them."""
	owner = frappe.db.get_value(doctype, name, field)
	if owner is None:
		raise frappe.DoesNotExistError(_("{0} {1} not found").format(_(doctype), name))
	acting_user(owner)
	return owner


FRAMEWORK_KEYS = frozenset({"cmd", "csrf_token", "data", "sid"})


def payload(fields: dict) -> dict:
	"""Request fields without Frappe's own request keys (cmd, _ cache busters, …)."""
	return {k: v for k, v in fields.items() if k not in FRAMEWORK_KEYS and not k.startswith("_")}


def document_fields(fields: dict, known, special=(), texts=()) -> dict:
	"""A host API body of a document's fields, without Frappe's own keys: every name one of
	``known`` (a field, set as one value) or ``special`` (parsed by the caller), each field
	one value and each of ``texts`` a text; anything else is a 400, never a 500."""
	fields = payload(fields)
	unknown = sorted(set(fields) - set(known) - set(special))
	if unknown:
		raise FieldValidationError(_("Unknown fields"), {field: _("Unknown field") for field in unknown})
	nested = {
		key: _("Must be a single value")
		for key, value in fields.items()
		if key in known
		and (isinstance(value, dict | list) or (key in texts and not isinstance(value, str | None)))
	}
	if nested:
		raise FieldValidationError(_("Invalid input"), nested)
	return fields


def parse_json(value, field: str):
	if isinstance(value, str):
		try:
			return json.loads(value)
		except ValueError:
			raise FieldValidationError(_("Invalid JSON"), {field: _("Invalid JSON")}) from None
	return value


def flag(value) -> int:
	"""A yes/no request value as a Check field stores it (1 or 0)."""
	return int(is_yes(value))
