"""What the app's own routes (``/api/method/scheduler_integration.*``, ``/book/…``) answer
when Frappe refused a request itself, and the Retry-After of every 429 they answer.

Frappe parses each request before any app code or hook runs (``frappe.app.init_request``),
and it answers a body it cannot take (``rules.request_body``: malformed or too deeply
nested JSON, a ``cmd`` that is not text, …) with a 5xx or 417 carrying a traceback; it
answers a guest's other refusals (its rate limiter, HTTP methods, unknown methods) with the
exception and, by default, its traceback too. ``after_request`` hooks run even then, with
the response Frappe built, so ``public_errors`` rewrites these answers on the app's routes
into the app's failure shape (``api.utils.failure``): 400 for an unreadable body, the same
status otherwise, never an exception or a traceback (a signed-in user keeps Frappe's
answer, traceback included, unless the body was unreadable). The rest of the site keeps
Frappe's answers, but for changes of the app's DocTypes through Frappe's own routes
(``/api/resource``, ``frappe.client``, the desk's save): a lost race is 503 with Retry-After
(``_lost_race``), and a refused change (a 4xx: the slot was just taken, the booking changed
meanwhile) names its ``code`` and carries no traceback (``_refused_change``). Every 429 gets
a ``Retry-After``: the wait a booking cap named, else what is left of the client's per-IP
window (``core.limits``).

Every error answer of the app's methods carries a machine-readable ``code``: the envelope's
own (``api.utils``), and on the answers Frappe builds for the plain-style methods (its
exception JSON, kept as it is for signed-in users) one added beside ``exc_type``, from the
exception (``FRAPPE_CODES``) or else the status (``api.utils.code_for``).
"""

from __future__ import annotations

import json
import re
import sys

import frappe
from frappe import _

from scheduler_integration.api.utils import code_for, failure
from scheduler_integration.booking.errors import ChangeRefused, SlotUnavailable
from scheduler_integration.core import limits
from scheduler_integration.core.error_codes import FRAPPE_CODES, UNREADABLE_REQUEST
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.rules.request_body import refusal

_METHOD = re.compile(r"^/api/(?:v[12]/)?method/([^/]+)")
# what Frappe's error answers carry (v1: exc_type, exc, exception; v2: a list of errors)
_EXCEPTION_KEYS = ("exc", "exc_type", "exception", "_exc_source")
_TRACEBACK = b"Traceback (most recent call last)"
WINDOW = 60  # every per-IP limit of the public routes counts a minute (per_ip seconds=60)


def _messages() -> dict[int, str]:
	return {
		400: _("Invalid input"),
		401: _("Please sign in"),
		403: _("Not permitted"),
		404: _("Not found"),
		429: _("Too many requests; please try again in a minute"),
	}


def public_errors(response=None, request=None):
	"""``after_request`` hook."""
	if response is None or request is None or response.status_code < 400:
		return
	path = request.path or ""
	method = _cmd_method() or _app_method(path)
	if not (method or path == "/book" or path.startswith(("/book/", "/b/"))):  # /b/: short links
		_lost_race(response, request)
		_refused_change(response, request)
		return
	status = response.status_code
	body = None
	code = None
	allowed = _allowed_methods(method, request) if method and status == 403 else None
	if _unreadable(request):
		status, body, code = 400, _("This request could not be read"), UNREADABLE_REQUEST
	elif allowed:
		# Frappe refuses a method a method does not take as "not permitted" (403)
		status, code = 405, code_for(405)
		body = _("This method does not take {0} requests").format(request.method)
		response.headers["Allow"] = ", ".join(allowed)
	elif _guest() and _frappe_error(response):
		status = 400 if status == 417 else status  # Frappe's ValidationError: the app says 400
		if status == 403 and method and _signed_in_only(method):
			status = 401  # a host method Frappe keeps from guests: sign in first
		body = _messages().get(status) or (
			_("Something went wrong: please try again.") if status >= 500 else _("Invalid input")
		)
		code = code_for(status)
	elif method:
		_add_code(response, status)
	extra = {}
	site_limit = getattr(frappe.local, "rate_limiter", None)  # site config rate_limit
	if status == 429 and not (site_limit and site_limit.rejected):  # that one sends its own
		wait = _retry_after(response, path, method)
		response.headers["Retry-After"] = str(wait)
		extra["retry_after"] = wait
		if body is not None:
			body = limits.try_again(wait)  # the words say the wait the header says
	if body is not None:
		envelope = "data" if path.startswith("/api/v2/") else "message"
		response.status_code = status
		response.set_data(json.dumps({envelope: failure(body, code=code, **extra)}))
		response.mimetype = "application/json"
		response.headers.pop("X-Page-Name", None)


def _add_code(response, status: int) -> None:
	"""Give Frappe's own error answer (a plain-style method's exception) a ``code``."""
	data = _json(response)
	if not isinstance(data, dict) or "code" in data:
		return
	if isinstance(data.get("errors"), list):  # API v2: a list of errors, each with its type
		first = data["errors"][0] if data["errors"] and isinstance(data["errors"][0], dict) else {}
		data["code"] = FRAPPE_CODES.get(str(first.get("type") or "")) or code_for(status)
		response.set_data(json.dumps(data))
		return
	if not any(key in data for key in _EXCEPTION_KEYS):
		envelope = data.get("message")
		if isinstance(envelope, dict) and envelope.get("success") is False and not envelope.get("code"):
			envelope["code"] = code_for(status)  # an envelope built without one
			response.set_data(json.dumps(data))
		return
	exc_type = str(data.get("exc_type") or "")
	data["code"] = FRAPPE_CODES.get(exc_type) or code_for(status)
	if status < 500:
		data.pop("exc", None)  # a refusal (a 429, a missing argument) is no fault to trace
	response.set_data(json.dumps(data))


_LOCK_ERRORS = ("QueryDeadlockError", "QueryTimeoutError")


def _lost_race(response, request) -> None:
	"""A change of the app's documents through Frappe's own routes (``/api/resource``,
	``frappe.client``, the desk's save) that the database made a deadlock's victim or
	whose lock wait timed out: nothing of it was stored, and the caller may simply try
	again. Answered 503 with Retry-After in the app's failure shape, never a 500 with a
	traceback (the app's own methods retry it themselves: ``api.utils``)."""
	if response.status_code < 500:
		return
	data = _json(response)
	if not isinstance(data, dict) or str(data.get("exc_type") or "") not in _LOCK_ERRORS:
		return
	if not _names_app_doctype(request):
		return
	response.status_code = 503
	response.headers["Retry-After"] = "1"
	response.set_data(
		json.dumps(
			{
				"message": failure(
					_("Someone changed the same bookings at this moment. Please try again."),
					code=code_for(503),
				),
				"exc_type": data.get("exc_type"),
			}
		)
	)
	response.mimetype = "application/json"


# the app's refusals of a booking change (their exc_type), named by their own code
APP_CODES = {error.__name__: error.code for error in (SlotUnavailable, ChangeRefused, FieldValidationError)}


def _refused_change(response, request) -> None:
	"""A change of the app's documents through Frappe's own routes that was refused (a 4xx:
	the slot was just taken, the booking changed meanwhile, a field is wrong): the answer
	names the refusal by its ``code`` and carries no traceback. Frappe adds one to every
	error answer while System Settings → Allow Error Traceback is on, and a refusal is no
	fault of the server's. Frappe's other keys (``exc_type``, ``_server_messages``, which
	the desk shows) stay."""
	status = response.status_code
	if not 400 <= status < 500:
		return
	data = _json(response)
	if not isinstance(data, dict) or not _names_app_doctype(request):
		return
	if isinstance(data.get("errors"), list):  # API v2: a list of errors, each with its type
		for error in data["errors"]:
			if isinstance(error, dict):
				error.pop("exception", None)
		first = data["errors"][0] if data["errors"] and isinstance(data["errors"][0], dict) else {}
		exc_type = str(first.get("type") or "")
	elif data.get("exc_type"):
		data.pop("exc", None)
		exc_type = str(data["exc_type"])
	else:
		return
	data.setdefault("code", APP_CODES.get(exc_type) or FRAPPE_CODES.get(exc_type) or code_for(status))
	response.set_data(json.dumps(data))


def _names_app_doctype(request) -> bool:
	"""Is the request about one of the app's DocTypes (all named "Scheduler …")?"""
	from urllib.parse import unquote

	# /api/resource/<doctype>/…, /api/v2/document/<doctype>/…
	parts = [unquote(part) for part in (request.path or "").split("/") if part]
	if any(part.startswith("Scheduler ") for part in parts[1:4]):
		return True
	form = getattr(frappe.local, "form_dict", None) or {}
	named = str(form.get("doctype") or "")
	doc = form.get("doc")
	if not named and isinstance(doc, str) and '"doctype"' in doc:
		try:
			named = str((json.loads(doc) or {}).get("doctype") or "")
		except (ValueError, AttributeError):
			named = ""
	elif not named and isinstance(doc, dict):
		named = str(doc.get("doctype") or "")
	return named.startswith("Scheduler ")


def _app_method(path: str) -> str | None:
	"""The dotted name of the app's method ``path`` calls: one of its own, or a Frappe method
	the app overrides (``override_whitelisted_methods``: its refusals are the app's too)."""
	match = _METHOD.match(path)
	return _ours(match.group(1)) if match else None


def _cmd_method() -> str | None:
	"""The app's method a request names by ``cmd`` (Frappe's old RPC route: Frappe runs it
	on any path, ``/api/`` too), as ``_app_method``."""
	dotted = (getattr(frappe.local, "form_dict", None) or {}).get("cmd")
	return _ours(dotted) if isinstance(dotted, str) else None


def _ours(dotted: str) -> str | None:
	if not dotted.startswith("scheduler_integration."):
		target = (frappe.get_hooks("override_whitelisted_methods") or {}).get(dotted)
		dotted = (target[-1] if isinstance(target, list) and target else target) or ""
	return dotted if dotted.startswith("scheduler_integration.") else None


def _function(dotted: str):
	"""The whitelisted function at ``dotted`` — by any name it is published at (a module may
	re-publish another's: ``api.tracking``'s webhooks). Frappe loaded it before refusing."""
	module, _dot, name = dotted.rpartition(".")
	function = getattr(sys.modules.get(module), name, None)
	return function if function in frappe.whitelisted else None


def _allowed_methods(dotted: str, request) -> list[str] | None:
	"""The HTTP methods the app's method ``dotted`` takes, when ``request`` used another."""
	allowed = frappe.allowed_http_methods_for_whitelisted_func.get(_function(dotted))
	return list(allowed) if allowed and request.method not in allowed else None


def _signed_in_only(dotted: str) -> bool:
	"""The app's method ``dotted`` is whitelisted for signed-in users only (Frappe refused
	a guest before calling it)."""
	function = _function(dotted)
	return function is not None and function not in frappe.guest_methods


def _unreadable(request) -> bool:
	"""The request's body or fields are ones Frappe's parsing cannot take."""
	try:
		json_body = request.get_data(as_text=True) if request.is_json else None
	except Exception:  # a body past the size limit: werkzeug answers that one itself (413)
		return False
	return refusal(json_body, getattr(frappe.local, "form_dict", None) or {}) is not None


def _guest() -> bool:
	session = getattr(frappe.local, "session", None) or {}
	return session.get("user") in (None, "", "Guest")


def _json(response):
	if response.mimetype != "application/json":
		return None
	try:
		return json.loads(response.get_data(as_text=True))
	except ValueError:
		return None


def _frappe_error(response) -> bool:
	"""An answer of Frappe's exception handler (not one of the app's own failures or pages):
	its JSON with the exception, or an error page that is a 5xx or shows a traceback (a
	page's ``?cmd=`` makes the request a method call)."""
	data = _json(response)
	if isinstance(data, dict):
		return any(key in data for key in _EXCEPTION_KEYS) or isinstance(data.get("errors"), list)
	return response.status_code >= 500 or _TRACEBACK in response.get_data()


def _retry_after(response, path: str, method) -> int:
	"""Seconds until a retry can succeed: a booking cap's own wait, else the rest of the
	client's window on this method or page, else the whole window."""
	data = _json(response)
	for envelope in ("message", "data"):  # API v1 and v2
		answer = data.get(envelope) if isinstance(data, dict) else None
		if isinstance(answer, dict) and isinstance(answer.get("retry_after"), int):
			return max(1, answer["retry_after"])
	left = limits.retry_after(method or limits.page_limit_name(path))
	return left or WINDOW
