"""Which request bodies the app refuses on its own routes, as the client's fault.

Frappe parses every request before any app code runs (``make_form_dict``), reads its own
keys from the fields (``sid`` to find the session, ``_lang`` the language, ``cmd`` the
method to call) and, for a guest, passes every text field through ``sanitize_html``, which
tries ``json.loads`` on it. A body that is not JSON, JSON nested so deep that the parser
runs out of stack (RecursionError), JSON that is neither an object nor a list, one of
Frappe's keys that is not text (or text that is not valid Unicode, which Redis and the
database cannot take), or a field holding deeply nested JSON therefore makes Frappe answer
5xx or 417 with a traceback. ``refusal`` names which of these a request is, so the app can
answer it 400 instead (``api/refusals.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

# Far beyond any body the app takes (booking answers are two levels deep) and far below the
# depth at which Python's parser gives up (about 1,000 levels, less the stack in use).
MAX_DEPTH = 100

MALFORMED = "malformed"
TOO_DEEP = "too_deep"
NOT_AN_OBJECT = "not_an_object"
FRAMEWORK_KEY = "framework_key"
# the fields Frappe itself reads before the app's code runs
FRAMEWORK_KEYS = ("cmd", "sid", "_lang")


def depth(value) -> int:
	"""How many lists/objects nest in ``value`` (without recursion; stops past MAX_DEPTH)."""
	deepest, stack = 0, [(value, 1)]
	while stack:
		item, level = stack.pop()
		if isinstance(item, dict):
			children = item.values()
		elif isinstance(item, list):
			children = item
		else:
			continue
		deepest = max(deepest, level)
		if deepest > MAX_DEPTH:
			break
		stack.extend((child, level + 1) for child in children)
	return deepest


def _parse(text: str):
	"""(value, None) or (None, reason) for JSON ``text``."""
	try:
		value = json.loads(text)
	except RecursionError:
		return None, TOO_DEEP
	except ValueError:  # not JSON, or an integer of more digits than Python converts
		return None, MALFORMED
	if depth(value) > MAX_DEPTH:
		return None, TOO_DEEP
	return value, None


def _deeply_nested_text(value: str) -> bool:
	"""A text field that is JSON nested deeper than MAX_DEPTH (what sanitize_html trips on)."""
	if value.lstrip()[:1] not in ("[", "{"):
		return False  # json.loads stops at the first character: no nesting is ever reached
	_value, reason = _parse(value)
	return reason == TOO_DEEP


def _encodable(text: str) -> bool:
	try:
		text.encode("utf-8")
	except UnicodeEncodeError:  # a lone surrogate (a JSON "\\ud800" escape)
		return False
	return True


def refusal(json_body: str | None, fields: Mapping) -> str | None:
	"""Why the request cannot be taken (MALFORMED, TOO_DEEP, NOT_AN_OBJECT, FRAMEWORK_KEY),
	or None.

	``json_body`` is the raw body when it was sent as JSON (None or "" otherwise: Frappe then
	reads query and form fields); ``fields`` are the fields Frappe read, used when the body
	was not JSON.
	"""
	if json_body:
		body, reason = _parse(json_body)
		if reason:
			return reason
		if not isinstance(body, (dict, list)):
			return NOT_AN_OBJECT
		fields = body if isinstance(body, dict) else {}
	for key in FRAMEWORK_KEYS:
		value = fields.get(key)
		if value is not None and not (isinstance(value, str) and _encodable(value)):
			return FRAMEWORK_KEY
	for value in fields.values():
		if isinstance(value, str) and _deeply_nested_text(value):
			return TOO_DEEP
	return None
