"""``/scheduler-api``: the app's API reference, the OpenAPI document (``api.openapi``) shown
as a page: every operation with its parameters, authentication, rate limit (its number and
window) and statuses, and the failure codes. Nothing on it is written here; it reads the
same cached document the JSON endpoint answers.

Readable on a phone: a description is text in paragraphs with its `code` spans as code
(``rules.doc_text``; every part escaped here, so a docstring can never inject markup),
and the parameter tables stack their cells below 640 px instead of scrolling sideways."""

import json

from frappe import _
from markupsafe import Markup, escape

from scheduler_integration.api.openapi import DOCUMENT_PATH, cached
from scheduler_integration.core.error_codes import STATUS
from scheduler_integration.rules.doc_text import paragraphs

no_cache = 1
CONSTRAINTS = ("format", "pattern", "minLength", "maxLength", "minimum", "maximum", "enum", "default")


def _type(schema: dict) -> str:
	if "$ref" in schema:  # an answer type: by its name (the page lists its fields)
		return schema["$ref"].rsplit("/", 1)[1]
	if "anyOf" in schema:
		return " | ".join(_type(part) for part in schema["anyOf"])
	kind = schema.get("type")
	if kind == "array" and isinstance(schema.get("items"), dict):
		return _("list of {0}").format(_type(schema["items"]))
	if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
		return _("map of {0}").format(_type(schema["additionalProperties"]))
	if isinstance(kind, list):
		return " | ".join(kind)
	return kind or _("any")


def answer_type(op: dict) -> str:
	"""What a success answers: the envelope's ``data`` or the plain value, as a type name; a
	file by its media types."""
	for status, answer in sorted(op["responses"].items()):
		if not status.startswith("2") or not answer.get("content"):
			continue
		content = answer["content"].get("application/json")
		if content is None:
			return _("a file ({0})").format(", ".join(answer["content"]))
		value = content["schema"].get("properties", {}).get("message", {})
		value = value.get("properties", {}).get("data", value)
		return _type(value)
	return ""


def _answers_json(op: dict) -> bool:
	return any(
		"application/json" in (answer.get("content") or {})
		for status, answer in op["responses"].items()
		if status.startswith("2")
	)


def answer_types(document: dict) -> list[dict]:
	"""Every named answer type with its fields (name, type, required, limits)."""
	out = []
	for name, schema in sorted(document["components"]["schemas"].items()):
		if "properties" not in schema or schema.get("additionalProperties") is not False:
			continue  # the envelope's own open parts are described under "Answers"
		required = set(schema.get("required", []))
		out.append(
			{
				"name": name,
				"description": schema.get("description") or "",
				"fields": [
					{
						"name": field,
						"type": _type(part),
						"required": field in required,
						"limits": _limits(part),
					}
					for field, part in schema["properties"].items()
				],
			}
		)
	return out


def _value(value) -> str:
	"""A pattern or format as written; a list's items as JSON (``"1"`` apart from ``1``)."""
	if isinstance(value, list):
		return ", ".join(json.dumps(item, ensure_ascii=False) for item in value)
	return value if isinstance(value, str) else json.dumps(value)


def _limits(schema: dict) -> str:
	parts = []
	for part in schema.get("anyOf", [schema]):
		parts += [f"{key}: {_value(part[key])}" for key in CONSTRAINTS if key in part]
	return "; ".join(dict.fromkeys(parts))


def description_html(text: str) -> Markup:
	"""A description as paragraphs of escaped text and ``<code>`` (``rules.doc_text``)."""
	return Markup("").join(
		Markup("<p>{}</p>").format(
			Markup("").join(Markup("<code>{}</code>").format(t) if code else escape(t) for t, code in parts)
		)
		for parts in paragraphs(text)
	)


def rate_limit_text(limit: dict | None) -> str:
	"""``60 requests per IP per 60 s (Scheduler Settings)``: the number and the window."""
	if not limit:
		return ""
	text = _("{0} requests per IP per {1} s").format(limit.get("limit"), limit.get("seconds"))
	return f"{text} ({_(limit['setting'])})" if limit.get("setting") else text


def _auth(op: dict) -> str:
	schemes = [next(iter(item), "") for item in op.get("security") or []]
	if "" in schemes:
		return _("Guest")
	if schemes and schemes[0] not in ("session", "token"):
		return _("Signed by the provider ({0})").format(", ".join(schemes))
	return _("Signed in (session or token)")


def _argument_type(schema: dict) -> str:
	"""A parameter's type; a union of structures (a JSON filter) as its description says it,
	which reads better than the union spelled out."""
	if "anyOf" in schema and schema.get("description"):
		return schema["description"]
	return _type(schema)


def _parameters(op: dict) -> list[dict]:
	rows = [
		{
			"name": p["name"],
			"where": p["in"],
			"type": _argument_type(p.get("schema") or {}),
			"required": p.get("required", False),
			"limits": _limits(p.get("schema") or {}),
		}
		for p in op.get("parameters") or []
	]
	for media, body in ((op.get("requestBody") or {}).get("content") or {}).items():
		schema = body.get("schema") or {}
		needed = set(schema.get("required") or [])
		for name, prop in (schema.get("properties") or {}).items():
			rows.append(
				{
					"name": name,
					"where": _("body ({0})").format(media),
					"type": _argument_type(prop),
					"required": name in needed,
					"limits": _limits(prop),
				}
			)
		if not schema.get("properties"):
			rows.append({"name": "…", "where": media, "type": _type(schema), "required": False, "limits": ""})
	return rows


def get_context(context):
	document = cached()
	groups: dict[str, list] = {}
	for path, operations in document["paths"].items():
		for verb, op in operations.items():
			groups.setdefault(op["tags"][0], []).append(
				{
					"verb": verb.upper(),
					"path": path,
					"id": op["operationId"].replace(":", "-"),
					"name": path.rsplit(".", 1)[-1]
					+ ("" if verb in ("get", "post") else f" ({verb.upper()})"),
					"description": description_html(op.get("description") or op.get("summary") or ""),
					"style": op.get("x-answer-style") if _answers_json(op) else _("a file"),
					"auth": _auth(op),
					"limit": rate_limit_text(op.get("x-rate-limit")),
					"parameters": _parameters(op),
					"statuses": sorted(op["responses"]),
					"answer": answer_type(op),
				}
			)
	context.title = _("Scheduler Integration API")
	context.no_breadcrumbs = True
	context.version = document["info"]["version"]
	context.document_url = DOCUMENT_PATH
	context.groups = sorted(groups.items())
	context.operations = sum(len(rows) for rows in groups.values())
	context.types = answer_types(document)
	context.type_names = {t["name"] for t in context.types}
	context.codes = sorted(STATUS.items(), key=lambda item: (item[1] or 999, item[0]))
	return context
