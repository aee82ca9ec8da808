"""Shared plumbing of the APIs: the answer shape, error mapping and the acting user.

Every method answers ``{"success": true, "data": …, "message": …}``, or on failure
``{"success": false, "message": …, "errors": {field: message}}`` with HTTP 400 (bad
fields), 401 (not signed in), 403 (another host's data, or a change the booking rules do
not allow), 404 (not configured / not found), 409 (the time is taken; with
``alternatives``) or 429 (too many requests). Failures roll the transaction back before
answering, so a refused booking never holds its hosts' locks while alternatives are found.

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

from scheduler_integration.booking.errors import ChangeRefused, SlotUnavailable, TooManyBookings
from scheduler_integration.booking.presentation import slot_json
from scheduler_integration.core.clock import iso
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.engine.errors import SchedulingError

__all__ = ["acting_user", "api", "check_owner", "fail", "flag", "iso", "ok", "parse_json", "payload"]


class NotConfigured(frappe.DoesNotExistError):
	http_status_code = 404


def ok(data=None, message: str | None = None, status: int = 200) -> dict:
	if status != 200:
		frappe.local.response.http_status_code = status
	return {"success": True, "data": data, "message": message}


def fail(status: int, message: str, errors: dict | None = None, **extra) -> dict:
	"""Roll back and answer ``status`` with the failure body."""
	frappe.db.rollback()
	frappe.local.response.http_status_code = status
	frappe.local.message_log = []  # the body carries the message; no duplicate toast
	return {"success": False, "message": message, "errors": errors or {}, **extra}


def missing_arguments(fn, args, kwargs) -> dict[str, str]:
	"""{name: message} for required parameters the request did not send."""
	try:
		inspect.signature(fn).bind(*args, **kwargs)
	except TypeError:
		params = inspect.signature(fn).parameters
		return {
			name: _("This field is required")
			for name, p in params.items()
			if p.default is inspect.Parameter.empty
			and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
			and name not in kwargs
		} or {"input": _("Invalid arguments")}
	return {}


TRANSACTION_RETRIES = 3


def api(fn):
	"""Map the errors of an API method onto the documented statuses and shape, running the
	body again when the database aborts its transaction to break a deadlock."""

	@functools.wraps(fn)
	def wrapper(*args, **kwargs):
		missing = missing_arguments(fn, args, kwargs)
		if missing:
			return fail(400, _("Please correct these fields"), missing)
		for attempt in range(TRANSACTION_RETRIES + 1):
			try:
				return _mapped(fn, args, kwargs)
			except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
				frappe.db.rollback()
				frappe.local.message_log = []
				if attempt == TRANSACTION_RETRIES:
					return fail(503, _("The server is busy. Please try again in a moment."))
				time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))

	return wrapper


def _mapped(fn, args, kwargs):
	"""Call ``fn``; its errors become failure bodies (deadlocks are the caller's to retry)."""
	try:
		return fn(*args, **kwargs)
	except SlotUnavailable as exc:
		frappe.db.rollback()  # release the host locks before searching alternatives
		zone = kwargs.get("timezone")
		alternatives = [slot_json(slot, zone) for slot in exc.search_alternatives()]
		return fail(409, str(exc), reason=exc.reason, alternatives=alternatives)
	except ChangeRefused as exc:
		return fail(403, str(exc), reason=exc.reason)
	except TooManyBookings as exc:
		return fail(429, str(exc))
	except FieldValidationError as exc:
		return fail(400, _("Please correct these fields"), exc.errors)
	except SchedulingError as exc:
		message = translate(exc)
		return fail(400, message, {exc.field or "input": message})
	except frappe.PermissionError as exc:
		if frappe.session.user == "Guest":
			return fail(401, _("Please sign in"))
		return fail(403, str(exc) or _("Not permitted"))
	except frappe.DoesNotExistError as exc:
		return fail(404, str(exc) or _("Not found"))
	except frappe.TooManyRequestsError:
		raise  # Frappe's own rate limiter answers 429 with its headers
	except frappe.ValidationError as exc:  # core validations (mandatory, links, …)
		return fail(400, frappe.utils.strip_html(str(exc)) or _("Invalid input"))


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


def parse_json(value, field: str):
	if isinstance(value, str):
		try:
			return json.loads(value)
		except ValueError:
			raise FieldValidationError(_("Invalid JSON"), {field: _("Invalid JSON")}) from None
	return value


def flag(value) -> int:
	if isinstance(value, str):
		return 1 if value.strip().lower() in ("1", "true", "yes", "on") else 0
	return 1 if value else 0
