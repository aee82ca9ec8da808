"""The app's OpenAPI 3.1 document, generated from the code of its whitelisted methods.

``document`` (GET, guest, rate-limited like the booking API) answers it as JSON at
``/api/method/scheduler_integration.api.openapi.document``, cached per app version and
site (and per change of the sources it is read from); ``/scheduler-api`` shows the same
document as a page (``www/scheduler-api``).

Nothing in it is written beside the methods; each part comes from what the method itself
is made of:

* the operations: every function of the app in ``frappe.whitelisted`` (every module of
  ``api/`` is imported: ``MODULES``), one per HTTP method it is pinned to
  (``frappe.allowed_http_methods_for_whitelisted_func``), guest or not
  (``frappe.guest_methods``), rate-limited or not and with what limit (its
  ``core.limits.per_ip`` wrapper), its answer style (the ``api.utils.api``
  wrapper: the envelope; else Frappe's plain answer);
* the parameters: the function's signature and annotations; a parameter it reads with a
  parser of ``api.parse`` has that parser's own ``schema`` (formats, patterns, limits);
  ``clean_int(value, field, low, high)`` gives a number its bounds; a ``**fields`` method
  takes the fields of the set it checks them against; a webhook's raw body, its signature
  header and the query arguments it reads (``api.openapi_reader.read_method``);
* the statuses: from those facts (``api.openapi_reader.answer_statuses``), the failure
  shape's ``code`` enum from ``core.error_codes.STATUS``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import sys
import typing

import frappe
from werkzeug.wrappers import Response

import scheduler_integration
from scheduler_integration.api import (
	analytics,
	availability,
	blocked_time,
	booking,
	booking_pages,
	calendar_feed,
	connections,
	counts,
	crm,
	dashboard,
	exports,
	meeting_type,
	parse,
	payments,
	profile,
	public,
	routing,
	scheduler_webhooks,
	schemas,
	search,
	setup,
	sms,
	tracking,
	utils,
)
from scheduler_integration.api import openapi_reader as spec
from scheduler_integration.core import error_codes
from scheduler_integration.core.limits import per_ip
from scheduler_integration.core.settings import public_limit

APP = "scheduler_integration"
# every module of api/ with whitelisted methods (the bench test holds this list to api/)
MODULES = (
	analytics,
	availability,
	blocked_time,
	booking,
	booking_pages,
	calendar_feed,
	connections,
	counts,
	crm,
	dashboard,
	exports,
	meeting_type,
	payments,
	profile,
	public,
	routing,
	scheduler_webhooks,
	search,
	setup,
	sms,
	tracking,
	sys.modules[__name__],
)
PATH = "/api/method/{}"
DOCUMENT_PATH = PATH.format(f"{__name__}.document")
CACHE_SECONDS = 300


def _probe():
	"""A function to wrap: the wrappers' code objects tell which decorators a method has."""


_ENVELOPE = utils.api(_probe).__code__
_RATE_LIMIT = per_ip(1)(_probe).__code__


def _chain(fn) -> list:
	"""``fn`` and every function it wraps (``functools.wraps``' ``__wrapped__``)."""
	out = [fn]
	while hasattr(out[-1], "__wrapped__") and len(out) < 20:
		out.append(out[-1].__wrapped__)
	return out


def _closure(fn) -> dict:
	return {
		name: cell.cell_contents
		for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=False)
	}


def app_methods() -> list:
	"""The app's whitelisted functions (as Frappe registered them), by dotted path."""
	found = {
		f"{fn.__module__}.{fn.__qualname__}": fn
		for fn in frappe.whitelisted
		if getattr(fn, "__module__", "").startswith(APP + ".")
	}
	return [found[name] for name in sorted(found)]


def dotted(fn) -> str:
	return f"{fn.__module__}.{fn.__qualname__}"


def addresses(fn) -> list[str]:
	"""Every address ``fn`` answers at: its own module's, and each module of ``MODULES`` that
	publishes it under its name too (``api.tracking`` the external schedulers' webhooks)."""
	found = [dotted(fn)]
	for module in MODULES:
		if getattr(module, fn.__name__, None) is fn and module.__name__ != fn.__module__:
			found.append(f"{module.__name__}.{fn.__name__}")
	return found


def _resolve(name, namespace: dict):
	"""An int literal as it is; a dotted name (``reps.MAX_DAYS``) looked up in ``namespace``."""
	if not isinstance(name, str):
		return name
	head, *rest = name.split(".")
	value = namespace.get(head)
	for part in rest:
		value = getattr(value, part, None)
	return value


def _hints(fn) -> dict:
	try:
		return typing.get_type_hints(fn)
	except Exception:  # an annotation that does not evaluate: its parameter is untyped
		return {}


def _signature_scheme(header: str) -> str:
	return re.sub(r"[^A-Za-z0-9]", "", header.title())


class Method:
	"""One whitelisted function and what its code says about its HTTP interface."""

	def __init__(self, fn, address: str | None = None, defs: dict | None = None):
		self.fn = fn
		self.defs = {} if defs is None else defs  # the answer types met so far, by name
		self.untyped: str | None = None  # why its answer has no schema of its fields
		chain = _chain(fn)
		self.inner = chain[-1]
		self.dotted = address or dotted(fn)  # the address it is called at
		self.http = list(frappe.allowed_http_methods_for_whitelisted_func.get(fn) or ["GET"])
		self.guest = fn in frappe.guest_methods
		self.style = spec.ENVELOPE if any(f.__code__ is _ENVELOPE for f in chain) else spec.PLAIN
		limited = [f for f in chain if getattr(f, "__code__", None) is _RATE_LIMIT]
		self.limit = _closure(limited[0]) if limited else None
		module = sys.modules[self.inner.__module__]
		try:
			self.facts = spec.read_method(inspect.getsource(module), self.inner.__name__)
		except (KeyError, OSError, SyntaxError):  # its file changed on disk since it was loaded
			self.facts = spec.MethodFacts()
		self.namespace = vars(module)
		self.signatures = {h: _signature_scheme(h) for h in self.facts.headers if "signature" in h.lower()}
		self.signed = self.guest and bool(self.signatures)

	# parameters ---------------------------------------------------------------------
	def parameters(self) -> list[tuple[str, dict, bool]]:
		"""(name, schema, required) of each parameter it takes by name."""
		hints = _hints(self.inner)
		out = []
		for name, param in inspect.signature(self.inner).parameters.items():
			if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
				continue
			default = spec.EMPTY if param.default is param.empty else param.default
			schema = spec.type_schema(hints.get(name, spec.EMPTY), default)
			parsers = [getattr(parse, p, None) for p in self.facts.parsers.get(name, [])]
			declared = [p.schema for p in parsers if getattr(p, "schema", None)]
			if declared:
				schema = dict(declared[0])
			if name in self.facts.bounds:
				low, high = (_resolve(v, self.namespace) for v in self.facts.bounds[name])
				schema = {"type": "integer"}
				if isinstance(low, int):
					schema["minimum"] = low
				if isinstance(high, int):
					schema["maximum"] = high
			if default is not spec.EMPTY and default is not None and isinstance(default, str | int | bool):
				schema["default"] = default
			out.append((name, schema, param.default is param.empty))
		for name in self._fields():
			if name not in {n for n, _s, _r in out}:
				out.append((name, {}, False))
		return out

	def _fields(self) -> list[str]:
		"""The fields a ``**fields`` method takes: the sets it checks them against."""
		names: list[str] = []
		for source in self.facts.fields_from:
			value = _resolve(source, self.namespace)
			if isinstance(value, dict | tuple | list | set | frozenset):
				names += [str(n) for n in value if str(n) not in names]
		return names

	# operations ---------------------------------------------------------------------
	def operations(self) -> dict[str, dict]:
		return {verb.lower(): self.operation(verb) for verb in self.http}

	def operation(self, verb: str) -> dict:
		has_body = verb in spec.BODY_METHODS
		op = {
			"operationId": self.dotted if len(self.http) == 1 else f"{self.dotted}:{verb.lower()}",
			"tags": [self.dotted.rsplit(".", 2)[1]],
			"summary": self._summary(),
			"description": self._description(),
			"x-whitelisted": dotted(self.fn),
			"x-answer-style": self.style,
			"security": self._security(),
		}
		params = self.parameters()
		example = self._example(op["operationId"])
		query = []
		if has_body:
			op["requestBody"] = self._body(params)
			if example and "content" in op["requestBody"] and not self.facts.raw_body:
				op["requestBody"]["content"]["application/json"]["example"] = example["request"]
		else:
			query = [self._query(name, schema, required) for name, schema, required in params]
			if example:
				for item in query:
					value = example["request"].get(item["name"])
					if isinstance(value, str | int | float | bool):  # a query value is text
						item["example"] = value
		query += [
			{"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
			for name in self.facts.query
		]
		headers = [
			{"name": header, "in": "header", "required": False, "schema": {"type": "string"}}
			for header in self.facts.headers
			if header not in self.signatures
		]
		if query or headers:
			op["parameters"] = query + headers
		op["responses"] = self._responses(has_body)
		if example and str(example["status"]) in op["responses"]:
			media = example.get("media", "application/json")  # a calendar or TwiML: its text
			content = op["responses"][str(example["status"])].get("content", {}).get(media)
			if content is not None:
				content["example"] = example["answer"]
		if self.limit:
			op["x-rate-limit"] = self._rate_limit()
		return op

	def _summary(self) -> str:
		"""The docstring's first sentence (the whole docstring is the description)."""
		first = (inspect.getdoc(self.inner) or "").split("\n\n")[0].replace("\n", " ")
		first = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0][:200].replace("``", "`")
		return first or self.inner.__name__.replace("_", " ").capitalize()

	def _description(self) -> str:
		lines = [(inspect.getdoc(self.inner) or "").replace("``", "`")]
		lines.append(
			"Answers the envelope (`{success, data, message}`; failures `{success: false, code, …}`)."
			if self.style == spec.ENVELOPE
			else "Answers Frappe's plain value (`{message: …}`); failures are Frappe's exception answer with `code`."
		)
		lines.append("Guests may call it." if self.guest else "Signed-in users only (a session or a token).")
		if self.limit:
			rate = self._rate_limit()
			source = f" ({rate['setting']})" if "setting" in rate else ""
			lines.append(f"Rate limit: {rate['limit']} requests per IP per {rate['seconds']} s{source}.")
		return "\n\n".join(line for line in lines if line)

	def _rate_limit(self) -> dict:
		"""The limit's number and window; a limit the site's settings give is their current
		number (``_fingerprint`` makes a change of it a new document)."""
		limit = self.limit.get("limit")
		out = {"limit": limit, "seconds": self.limit.get("seconds"), "per": "IP"}
		if callable(limit):
			out.update(limit=int(limit()), setting="Scheduler Settings")
		return out

	def _security(self) -> list[dict]:
		if self.signed:
			return [{scheme: []} for scheme in self.signatures.values()]
		if self.guest:
			return [{}, {"session": []}, {"token": []}]
		return [{"session": []}, {"token": []}]

	def _query(self, name: str, schema: dict, required: bool) -> dict:
		schema = dict(schema)
		kinds = schema.get("type")
		if any(part.get("type") == "string" for part in schema.get("anyOf", [])):  # JSON as text
			schema = {
				"type": "string",
				**({"description": schema["description"]} if "description" in schema else {}),
			}
			kinds = "string"
		if isinstance(kinds, list):  # a query value is text: the scalar kinds only
			kinds = [k for k in kinds if k in ("string", "integer", "boolean", "number")] or ["string"]
			schema["type"] = kinds[0] if len(kinds) == 1 else kinds
		elif kinds in ("object", "array") or not schema:
			schema = {"type": "string"}
		return {"name": name, "in": "query", "required": required, "schema": schema}

	def _body(self, params) -> dict:
		if self.facts.raw_body:
			media = "application/x-www-form-urlencoded" if self.facts.body == "form" else "application/json"
			return {
				"required": False,
				"content": {media: {"schema": {"type": "object", "description": "the provider's event"}}},
			}
		properties = {}
		for name, schema, required in params:
			schema = dict(schema)
			kinds = schema.get("type")
			if not required and kinds:  # a JSON null is the parameter left out
				kinds = [kinds] if isinstance(kinds, str) else list(kinds)
				schema["type"] = [*kinds, "null"] if "null" not in kinds else kinds
			properties[name] = schema
		body = {"type": "object", "properties": properties}
		needed = [name for name, _schema, required in params if required]
		if needed:
			body["required"] = needed
		return {"required": bool(needed), "content": {"application/json": {"schema": body}}}

	def _responses(self, has_body: bool) -> dict:
		facts = self.facts
		success = set(facts.success) or {200}
		if facts.redirect:
			success.add(302)
		extra = {s for s in facts.statuses if s < 500 and s != 200}
		statuses = spec.answer_statuses(
			self.style,
			guest=self.guest,
			signed=self.signed or (self.guest and facts.raw_body),
			rate_limited=bool(self.limit),
			success=success,
			extra=extra,
			frappe_statuses=frappe_statuses(),
			has_body=has_body,
		)
		out = {}
		for status in statuses:
			answer: dict = {"description": _STATUS_TEXT.get(status, "")}
			if status == 302:
				answer["headers"] = {"Location": {"schema": {"type": "string"}}}
			elif status == 304:
				pass
			elif status in success:
				answer["content"] = self._success_content()
				if links := self._links():
					answer["links"] = links
			else:
				content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorAnswer"}}}
				if facts.page and status == 404:
					content["text/html"] = {"schema": {"type": "string"}}
				if facts.returns_response:
					for media in facts.content_types:
						content.setdefault(media, {"schema": {"type": "string"}})
				answer["content"] = content
			if status == 429:
				answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
			elif status == 405:
				answer["headers"] = {
					"Allow": {"description": "the HTTP methods it takes", "schema": {"type": "string"}}
				}
			elif status == 413:  # past the site's max_file_size werkzeug answers, before any hook
				answer["content"]["text/html"] = {"schema": {"type": "string"}}
			out[str(status)] = answer
		return out

	def answers_itself(self) -> bool:
		"""Answers a Response it builds, a file or a page: no typed JSON value."""
		facts = self.facts
		return bool(facts.returns_response or facts.content_types)

	def _example(self, operation_id: str) -> dict | None:
		"""The recorded example of this operation, else of the same function at another
		address or HTTP method (it answers the same)."""
		found = examples()
		if operation_id in found:
			return found[operation_id]
		for address in addresses(self.fn):
			for suffix in ("", *(f":{verb.lower()}" for verb in self.http)):
				if f"{address}{suffix}" in found:
					return found[f"{address}{suffix}"]
		return None

	def _links(self) -> dict:
		"""The next steps of a life cycle its answer starts (``LINKS``) as OpenAPI links: each
		names the target operation and fills its parameters from fields of this answer."""
		out = {}
		data = "$response.body#/message/data/" if self.style == spec.ENVELOPE else "$response.body#/message/"
		for name, (target, fields) in LINKS.get(
			self.inner.__module__ + "." + self.inner.__name__, {}
		).items():
			fn = next((f for f in app_methods() if target in addresses(f)), None)
			verbs = frappe.allowed_http_methods_for_whitelisted_func.get(fn) or ["GET"]
			values = {param: data + field for param, field in fields.items()}
			link = {
				"operationId": target if len(verbs) == 1 else f"{target}:{verbs[0].lower()}",
				"description": f"{name}: " + ", ".join(f"{p} = data.{f}" for p, f in fields.items()),
			}
			link["requestBody" if verbs[0] in spec.BODY_METHODS else "parameters"] = values
			out[name] = link
		return out

	def _success_content(self) -> dict:
		facts = self.facts
		if facts.returns_response:
			return {
				media: {"schema": {"type": "object"} if media == "application/json" else {"type": "string"}}
				for media in facts.content_types or ["application/octet-stream"]
			}
		if facts.content_types:  # a download (.ics)
			return {media: {"schema": {"type": "string"}} for media in facts.content_types}
		if facts.download:  # Frappe's exports (provide_binary_file: type "binary"), or their
			# plain answer when Frappe exports in the background and emails the file
			return {
				"application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
				"application/json": {"schema": self.answer_schema()},
			}
		return {"application/json": {"schema": self.answer_schema()}}

	def answer_schema(self) -> dict:
		"""What a success answers, from the method's return annotation (``core.answers``):
		Frappe's ``{"message": …}`` around the envelope or the plain value. A method that
		declares none (or declares ``Any``, a bare ``dict``) answers any value here and is
		listed by ``untyped`` (test_api_document fails on it)."""
		try:
			return self._declared_answer()
		except schemas.UntypedAnswer as error:
			self.untyped = str(error)
			message = {"$ref": "#/components/schemas/Envelope"} if self.style == spec.ENVELOPE else {}
			return {"type": "object", "properties": {"message": message}}

	def _declared_answer(self) -> dict:
		declared = _hints(self.inner).get("return", spec.EMPTY)
		if declared is spec.EMPTY:
			raise schemas.UntypedAnswer(f"{self.dotted} declares no answer type")
		if self.style == spec.ENVELOPE:
			data = schemas.envelope_data(declared)
			if data is None:
				raise schemas.UntypedAnswer(f"{self.dotted} answers the envelope: declare Answer[…]")
			inner = {
				"type": "object",
				"required": ["success", "data"],
				"properties": {
					"success": {"const": True},
					"data": schemas.answer_schema(data, self.defs),
					"message": {"type": ["string", "null"]},
				},
				"additionalProperties": False,
			}
			return {"type": "object", "required": ["message"], "properties": {"message": inner}}
		value = schemas.answer_schema(declared, self.defs)
		if value == {"type": "null"}:  # Frappe leaves "message" out of an answer of None
			return {"type": "object", "properties": {"message": value}}
		return {"type": "object", "required": ["message"], "properties": {"message": value}}


_API = APP + ".api."
# The life cycles an answer starts, as OpenAPI links (clients follow them; schemathesis'
# stateful phase walks them): source -> link name -> (target, {its parameter: field of data})
LINKS = {
	_API + "public.book": {
		"GetBooking": (_API + "public.get_booking", {"token": "manage_token"}),
		"Reschedule": (_API + "public.reschedule", {"token": "manage_token"}),
		"Cancel": (_API + "public.cancel", {"token": "manage_token"}),
		"GetMeetings": (
			_API + "public.get_meetings",
			{"meeting_type": "meeting_type_slug", "profile": "profile_slug"},
		),
	},
	_API + "meeting_type.create_meeting_type": {
		"UpdateMeetingType": (_API + "meeting_type.update_meeting_type", {"meeting_type": "id"}),
		"DeleteMeetingType": (_API + "meeting_type.delete_meeting_type", {"meeting_type": "id"}),
	},
	_API + "booking_pages.create_booking_page": {
		"UpdateBookingPage": (_API + "booking_pages.update_booking_page", {"booking_page": "id"}),
		"DeleteBookingPage": (_API + "booking_pages.delete_booking_page", {"booking_page": "id"}),
	},
	_API + "blocked_time.add_blocked_time": {
		"RemoveBlockedTime": (_API + "blocked_time.remove_blocked_time", {"blocked_time": "id"}),
	},
}

_STATUS_TEXT = {
	200: "OK",
	201: "Created",
	302: "Redirect",
	304: "Not modified",
	400: "Bad fields or body (VALIDATION_ERROR, MISSING_ARGUMENTS, INVALID_INPUT, UNREADABLE_REQUEST, …)",
	401: "Not signed in, or a bad API token, also at a guest method (NOT_SIGNED_IN); "
	"an unsigned webhook (UNAUTHORIZED)",
	403: "Another host's data, not permitted, or a change the booking rules refuse",
	404: "Not found, or not configured",
	405: "Wrong HTTP method (METHOD_NOT_ALLOWED; Allow names the right ones)",
	409: "The time is taken (SLOT_UNAVAILABLE, with alternatives), a conflict, a replay",
	410: "A link that may no longer book (LINK_GONE)",
	413: "Body too large: past the site's max_file_size (25 MB by default) Frappe's web server "
	"(werkzeug) refuses it before the app runs, with an HTML page and no code; a webhook's "
	"past 512 KB: REQUEST_TOO_LARGE",
	417: "Frappe's validation error (plain-style methods, signed in)",
	429: "Too many requests (retry_after and Retry-After)",
	502: "A provider's own API failed (PROVIDER_ERROR)",
	503: "Busy, or a payment or bot check that cannot be done now",
}


_EXAMPLES: dict = {}


def examples() -> dict:
	"""operationId -> a real request and answer (``api/examples.json``, recorded from a bench
	run by ``scripts/api-examples``; test_api_document checks each against its schema)."""
	if not _EXAMPLES:
		path = os.path.join(os.path.dirname(__file__), "examples.json")
		if os.path.exists(path):
			with open(path) as handle:
				_EXAMPLES.update(json.load(handle))
	return _EXAMPLES


def frappe_statuses() -> set[int]:
	"""The statuses Frappe's own exceptions are answered with."""
	return {
		cls.http_status_code
		for cls in vars(frappe.exceptions).values()
		if inspect.isclass(cls)
		and issubclass(cls, Exception)
		and isinstance(getattr(cls, "http_status_code", None), int)
	}


def build() -> dict:
	"""The whole document."""
	defs: dict = {}
	methods = [Method(fn, address, defs) for fn in app_methods() for address in addresses(fn)]
	paths = {PATH.format(m.dotted): m.operations() for m in methods}
	signatures = {scheme: header for m in methods for header, scheme in m.signatures.items()}
	parts = spec.components(signatures)
	clash = sorted(set(defs) & set(parts["schemas"]))
	if clash:  # an answer type would silently replace a hand-written part of the envelope
		raise schemas.UntypedAnswer(f"answer types named like the document's own parts: {clash}")
	parts["schemas"].update(schemas.published(defs))
	return {
		"openapi": spec.OPENAPI_VERSION,
		"info": {
			"title": "Scheduler Integration API",
			"version": scheduler_integration.__version__,
			"description": (
				"Every whitelisted method of the app, generated from its code. Two answer styles "
				"(docs/api.md): the envelope and Frappe's plain values; every failure carries a "
				f"`code` ({len(error_codes.STATUS)} codes, one status each)."
			),
		},
		"servers": [{"url": server_url()}],
		"paths": paths,
		"components": parts,
		"tags": [{"name": name} for name in sorted({m.dotted.rsplit(".", 2)[1] for m in methods})],
	}


def server_url() -> str:
	"""The site's own address as its configuration names it (``host_name``), else "/" (OpenAPI:
	relative to where the document was read). Never the request's: the document is cached for
	every reader, and one caller's ``Host`` and ``X-Forwarded-Proto`` must not become everyone's."""
	configured = str(frappe.conf.get("host_name") or "").strip().rstrip("/")
	if configured and not configured.startswith(("http://", "https://")):
		configured = f"https://{configured}"
	return configured or "/"


def _fingerprint() -> str:
	"""Changes with the app's version, with any source the document is read from and with
	the rate limits the site's settings give (the document states their numbers)."""
	# the answer types live beside the code shaping them, anywhere in the app: every source
	root = os.path.dirname(scheduler_integration.__file__)
	files = sorted(
		os.path.join(folder, name)
		for folder, dirs, names in os.walk(root)
		if "/tests" not in folder[len(root) :] and "__pycache__" not in folder
		for name in names
		if name.endswith(".py") or name == "examples.json"
	)
	stamp = f"{len(files)}:{max(os.stat(path).st_mtime_ns for path in files)}"
	stamp += "|" + json.dumps(setting_limits(), sort_keys=True)
	return hashlib.sha1(f"{scheduler_integration.__version__}|{stamp}".encode()).hexdigest()[:16]


def setting_limits() -> dict[str, int]:
	"""{limit function: its number now} of every rate limit the settings give."""
	found: dict[str, int] = {}
	for fn in app_methods():
		for link in _chain(fn):
			limit = _closure(link).get("limit") if getattr(link, "__code__", None) is _RATE_LIMIT else None
			if callable(limit) and dotted(limit) not in found:
				found[dotted(limit)] = int(limit())
	return found


def cached_text() -> tuple[str, str]:
	"""(the document as JSON text, its ETag), cached per app version and site."""
	tag = _fingerprint()
	key = f"{APP}:openapi:{scheduler_integration.__version__}:{tag}"
	text = frappe.cache.get_value(key)
	if not text:
		text = json.dumps(build(), ensure_ascii=False, sort_keys=False)
		frappe.cache.set_value(key, text, expires_in_sec=24 * 3600)
	return text, f'"{tag}"'


def cached() -> dict:
	return json.loads(cached_text()[0])


def _matches(header: str, etag: str) -> bool:
	"""RFC 9110's weak comparison: ``*``, or any tag of the list equal to ours, ``W/`` or not."""
	tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
	return "*" in tags or etag in tags


@frappe.whitelist(allow_guest=True, methods=["GET"])
@per_ip(public_limit, seconds=60)
def document():
	"""The app's OpenAPI 3.1 document (JSON), generated from its code."""
	text, etag = cached_text()
	# the same document for everyone, so a shared cache may keep it, but never with the
	# caller's session cookie: a signed-in caller's answer is private, a guest's carries none
	if frappe.session.user == "Guest":
		cookies = getattr(frappe.local, "cookie_manager", None)
		if cookies is not None:
			cookies.cookies.clear()
		headers = {"ETag": etag, "Cache-Control": f"public, max-age={CACHE_SECONDS}"}
	else:
		headers = {"ETag": etag, "Cache-Control": f"private, max-age={CACHE_SECONDS}"}
	if _matches(frappe.get_request_header("If-None-Match") or "", etag):
		return Response(status=304, headers=headers)
	return Response(text, status=200, content_type="application/json", headers=headers)
