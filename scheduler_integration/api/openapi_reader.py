"""The parts of the app's OpenAPI 3.1 document that need no Frappe (``api.openapi`` builds
the document from the whitelisted methods themselves).

* ``read_method``: what a method's own source says about its HTTP interface — which
  parameter each parser of ``api.parse`` reads, the bounds ``clean_int`` puts on a number,
  the statuses it answers besides the usual (``ok(…, status=201)``, a ``status=`` or
  ``http_status_code=`` of an answer it builds), the request headers (a webhook's
  signature) and query arguments it reads from the request itself, how it reads its body,
  the fields a ``**fields`` method takes (the set it checks them against) and what it
  answers instead of JSON (a download, a redirect, a page). The module-level helpers it
  calls are read too.
* ``type_schema``: a parameter's JSON Schema from its annotation.
* ``answer_statuses``: the statuses an operation can answer, from facts about it (guest or
  signed in, signed webhook, rate limit, answer style).
* ``components``: the answer shapes — the envelope, the failure with its ``code`` enum
  (``core.error_codes.STATUS``), Frappe's own exception answer — and the security schemes.
"""

from __future__ import annotations

import ast
import types
import typing
from dataclasses import dataclass, field

from scheduler_integration.core.error_codes import STATUS

OPENAPI_VERSION = "3.1.0"
ENVELOPE, PLAIN = "envelope", "plain"
# the statuses every failure of the app's API (``api.utils``, ``api.refusals``) is answered
# with: each code's own (core/error_codes.py); none is a 500 by design
FAILURE_STATUSES = tuple(
	sorted({status for status in STATUS.values() if status and status < 500} | {502, 503})
)
BODY_METHODS = ("POST", "PUT", "PATCH")


@dataclass
class MethodFacts:
	"""What ``read_method`` found in a method's source (names as written there)."""

	parsers: dict[str, list[str]] = field(default_factory=dict)  # parameter -> parse.<parser>
	bounds: dict[str, tuple] = field(default_factory=dict)  # parameter -> (low, high): int or dotted name
	statuses: set[int] = field(default_factory=set)  # besides 200
	success: set[int] = field(default_factory=set)  # what ``ok(…)`` answers
	headers: list[str] = field(default_factory=list)  # request headers read
	query: list[str] = field(default_factory=list)  # query arguments read from the request itself
	body: str | None = None  # "json" / "form": a raw body read as such
	raw_body: bool = False
	fields_from: list[str] = field(default_factory=list)  # dotted names of the accepted fields
	content_types: list[str] = field(default_factory=list)  # what it answers besides JSON
	redirect: bool = False
	page: bool = False  # answers a web page (an error page)
	returns_response: bool = False  # answers a Response it builds itself
	download: bool = False  # answers a file (Frappe's ``filecontent``)


def _dotted(node) -> str | None:
	if isinstance(node, ast.Name):
		return node.id
	if isinstance(node, ast.Attribute):
		base = _dotted(node.value)
		return f"{base}.{node.attr}" if base else None
	return None


def _literal(node):
	if isinstance(node, ast.Constant):
		return node.value
	if (
		isinstance(node, ast.UnaryOp)
		and isinstance(node.op, ast.USub)
		and isinstance(node.operand, ast.Constant)
	):
		return -node.operand.value
	return _dotted(node)


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
	return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _names_in(node) -> list[str]:
	"""The plain names ``node`` passes: itself, or a dict's or a list's values."""
	if isinstance(node, ast.Name):
		return [node.id]
	if isinstance(node, ast.Dict):
		return [value.id for value in node.values if isinstance(value, ast.Name)]
	return []


def _statuses_of(node) -> set[int]:
	"""An ``int`` literal, or both sides of ``201 if created else 200``."""
	if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
		return {node.value}
	if isinstance(node, ast.IfExp):
		return _statuses_of(node.body) | _statuses_of(node.orelse)
	return set()


def _set_operands(node) -> list[str]:
	"""``set(fields) - set(A) - B``: the dotted names subtracted from a ``set(…)``."""
	found = []
	while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
		right = node.right
		if isinstance(right, ast.Call) and _dotted(right.func) == "set" and right.args:
			right = right.args[0]
		if (name := _dotted(right)) is not None:
			found.append(name)
		node = node.left
	if isinstance(node, ast.Call) and _dotted(node.func) == "set" and found:
		return list(reversed(found))
	return []


def read_method(module_source: str, name: str, parse_module: str = "parse") -> MethodFacts:
	"""What the function ``name`` of a module (its source) and the module-level helpers it
	calls say about its HTTP interface (see the module docstring)."""
	tree = ast.parse(module_source)
	functions = _functions(tree)
	facts = MethodFacts()
	top = functions[name]
	params = {arg.arg for arg in (*top.args.posonlyargs, *top.args.args, *top.args.kwonlyargs)}
	seen: set[str] = set()

	def visit(fn: ast.FunctionDef, is_top: bool) -> None:
		seen.add(fn.name)
		for node in ast.walk(fn):
			if isinstance(node, ast.Call):
				_call(node, is_top)
			elif isinstance(node, ast.Assign):
				_assign(node)
			elif isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
				if _dotted(node.value.func) in ("Response", "werkzeug.wrappers.Response"):
					facts.returns_response = True
			elif isinstance(node, ast.Attribute) and node.attr == "filecontent":
				facts.download = True
			elif isinstance(node, ast.Constant) and node.value == "filecontent":
				facts.download = True
			elif isinstance(node, ast.BinOp) and not facts.fields_from:
				facts.fields_from = _set_operands(node)
			elif (
				isinstance(node, ast.Attribute)
				and node.attr == "form"
				and _dotted(node.value)
				in (
					"request",
					"frappe.request",
				)
			):
				facts.body = "form"
		for node in ast.walk(fn):
			if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
				helper = functions.get(node.func.id)
				if helper is not None and helper.name not in seen:
					visit(helper, False)

	def _call(node: ast.Call, is_top: bool) -> None:
		called = _dotted(node.func) or ""
		keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
		for key in ("status", "http_status_code"):
			if key in keywords:
				facts.statuses |= _statuses_of(keywords[key])
		if called == "ok":
			args = list(node.args)
			status = keywords.get("status", args[2] if len(args) > 2 else None)
			facts.success |= _statuses_of(status) if status is not None else {200}
		elif called.endswith("get_request_header") or called.endswith("headers.get"):
			if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
				if node.args[0].value not in facts.headers:
					facts.headers.append(node.args[0].value)
		elif called.endswith("request.args.get"):
			if node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value not in facts.query:
				facts.query.append(node.args[0].value)
		elif called.rpartition(".")[2] == "document_fields" and len(node.args) >= 2:
			# api.utils.document_fields(fields, KNOWN, SPECIAL, …): the names a **fields body takes
			facts.fields_from = [name for arg in node.args[1:3] if (name := _dotted(arg))]
		elif called in ("raw_body", "webhooks.raw_body"):
			facts.raw_body = True
		elif called in ("json_object", "verified_event", "json.loads"):
			facts.body = facts.body or "json"
		elif called in ("parse_qs", "urllib.parse.parse_qs"):
			facts.body = "form"
		elif called.endswith("respond_as_web_page"):
			facts.page = True
		elif called in ("Response", "werkzeug.wrappers.Response"):
			facts.returns_response = True
			if isinstance(keywords.get("content_type"), ast.Constant):
				_content_type(keywords["content_type"].value)
		if not is_top:
			return
		if called.startswith(parse_module + "."):
			parser = called.split(".", 1)[1]
			args = list(node.args)
			if parser == "collect" and len(args) > 2:  # parse.collect(errors, parse.X, value, …)
				parser = (_dotted(args[1]) or "").rpartition(".")[2]
				args = args[2:]
			for arg in args:
				for param in _names_in(arg):
					if param in params:
						facts.parsers.setdefault(param, [])
						if parser not in facts.parsers[param]:
							facts.parsers[param].append(parser)
		elif called.rpartition(".")[2] == "clean_int" and len(node.args) >= 4:
			subject = node.args[0]
			if isinstance(subject, ast.Name) and subject.id in params:
				facts.bounds[subject.id] = (_literal(node.args[2]), _literal(node.args[3]))

	def _assign(node: ast.Assign) -> None:
		value = node.value
		for target in node.targets:
			attr = target.attr if isinstance(target, ast.Attribute) else None
			if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
				attr = target.slice.value
			if not isinstance(value, ast.Constant) or not isinstance(value.value, str):
				continue
			if attr == "type" and value.value == "redirect":
				facts.redirect = True
			elif attr == "content_type":
				_content_type(value.value)

	def _content_type(text: str) -> None:
		media = text.split(";")[0].strip()
		if media and media not in facts.content_types:
			facts.content_types.append(media)

	visit(top, True)
	return facts


EMPTY = object()  # no annotation, or no default (``inspect.Parameter.empty``)
_SIMPLE = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object", list: "array"}


def type_schema(annotation, default=EMPTY) -> dict:
	"""A parameter's JSON Schema from its (evaluated) annotation, or from its default's type
	when it has none; ``{}`` (any value) when neither says."""
	if annotation is None or annotation is type(None):
		return {"type": "null"}
	if annotation in _SIMPLE:
		return {"type": _SIMPLE[annotation]}
	origin = typing.get_origin(annotation)
	if origin in (typing.Union, types.UnionType):
		kinds: list[str] = []
		for member in typing.get_args(annotation):
			kind = type_schema(member).get("type")
			if isinstance(kind, str) and kind not in kinds:
				kinds.append(kind)
		return {"type": kinds[0] if len(kinds) == 1 else kinds} if kinds else {}
	if origin in _SIMPLE:
		return {"type": _SIMPLE[origin]}
	if annotation is EMPTY and default is not EMPTY and type(default) in _SIMPLE:
		return {"type": _SIMPLE[type(default)]}
	return {}


def answer_statuses(
	style: str,
	*,
	guest: bool,
	signed: bool,
	rate_limited: bool,
	success: set[int],
	extra: set[int],
	frappe_statuses: set[int],
	has_body: bool,
) -> list[int]:
	"""The statuses an operation can answer.

	* success: what it answers (``ok(…)``: 200 or 201; a redirect 302);
	* every operation: 400 (a body or fields Frappe cannot read, a missing argument), 401
	  (a guest method too: Frappe refuses a bad API token before any method runs;
	  a webhook's missing signature), 404, 405 (its HTTP methods are pinned), 413 with a body;
	* a method for signed-in users: 403;
	* rate-limited: 429;
	* the envelope (``api.utils``): every failure status of the code table
	  (``FAILURE_STATUSES``; 502 only for signed webhooks, which call a provider);
	* the plain style: Frappe's own exceptions' statuses (``frappe_statuses``, e.g. 417).
	"""
	out = set(success) | set(extra) | {400, 401, 404, 405}
	if has_body:
		out.add(413)
	if not guest:
		out.add(403)
	if rate_limited:
		out.add(429)
	if style == ENVELOPE:
		out |= {status for status in FAILURE_STATUSES if status != 502 or signed}
		if not rate_limited:
			out.discard(429)
	else:
		out |= {status for status in frappe_statuses if status < 500}
		if not rate_limited:
			out.discard(429)
	if not has_body:
		out.discard(413)
	return sorted(out)


def failure_schema() -> dict:
	"""The app's failure body (``api.utils.failure``)."""
	return {
		"type": "object",
		"required": ["success", "error", "message", "code"],
		"properties": {
			"success": {"const": False},
			"error": {"type": "string"},
			"message": {"type": "string"},
			"code": {"$ref": "#/components/schemas/Code"},
			"errors": {
				"type": "object",
				"additionalProperties": {"type": "string"},
				"description": "field -> what is wrong with it",
			},
			"links": {"type": "object", "additionalProperties": {"type": "string"}},
			"reason": {"type": ["string", "null"], "description": "409 and 403: why"},
			"alternatives": {
				"type": "array",
				# the answer type of a free time (``api.shapes.Slot``, read into the document
				# with get_slots' answer): the alternatives are the same rows
				"items": {"$ref": "#/components/schemas/Slot"},
				"description": "409 SLOT_UNAVAILABLE: the nearest free times",
			},
			"retry_after": {"type": "integer", "minimum": 1, "description": "429: seconds to wait"},
		},
	}


def components(signatures: dict[str, str]) -> dict:
	"""Schemas every operation refers to, and the security schemes (``signatures``: the
	webhooks' signature headers, scheme name -> header)."""
	schemes = {
		"session": {
			"type": "apiKey",
			"in": "cookie",
			"name": "sid",
			"description": "A Frappe session (POST /api/method/login).",
		},
		"token": {
			"type": "apiKey",
			"in": "header",
			"name": "Authorization",
			"description": "Frappe's token authentication: `Authorization: token <api_key>:<api_secret>`.",
		},
	}
	for scheme, header in signatures.items():
		schemes[scheme] = {
			"type": "apiKey",
			"in": "header",
			"name": header,
			"description": f"The provider's signature of the request ({header}).",
		}
	return {
		"schemas": {
			"Code": {
				"type": "string",
				"enum": sorted(STATUS),
				"description": "docs/api.md: each code's status",
			},
			"Envelope": {
				"type": "object",
				"required": ["success", "data"],
				"properties": {
					"success": {"const": True},
					"data": {"description": "the method's data"},
					"message": {"type": ["string", "null"]},
				},
			},
			"Failure": failure_schema(),
			"FrappeError": {
				"type": "object",
				"description": "Frappe's own exception answer (the plain-style methods; a signed-in "
				"user's refusal by Frappe), with the app's code beside exc_type",
				"properties": {
					"exc_type": {"type": "string"},
					"exception": {"type": "string"},
					"code": {"$ref": "#/components/schemas/Code"},
					"_server_messages": {"type": "string"},
					"errors": {
						"type": "array",
						"description": "API v2: the error, its type and Frappe's message log entry",
						"items": {
							"type": "object",
							"properties": {
								"type": {"type": "string", "description": "the exception's class"},
								"exception": {"type": "string"},
								"message": {"description": "what Frappe says about it"},
								"title": {"type": "string"},
								"indicator": {"type": "string"},
							},
						},
					},
				},
			},
			"EnvelopeAnswer": _wrapped("#/components/schemas/Envelope"),
			"FailureAnswer": _wrapped("#/components/schemas/Failure"),
			"PlainAnswer": {
				"type": "object",
				"properties": {"message": {"description": "the method's value"}},
			},
			"ErrorAnswer": {
				"anyOf": [
					{"$ref": "#/components/schemas/FailureAnswer"},
					{"$ref": "#/components/schemas/FrappeError"},
				]
			},
		},
		"securitySchemes": schemes,
	}


def _wrapped(ref: str) -> dict:
	"""Frappe answers a whitelisted method's value as ``{"message": value}``."""
	return {"type": "object", "required": ["message"], "properties": {"message": {"$ref": ref}}}
