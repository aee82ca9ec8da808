"""Every answer the bench suite reads from the app's API, held to the OpenAPI document.

``check(response)`` finds the operation a response answers (its path and HTTP method) in the
document the site serves (``api.openapi.cached``, built in this process from the same code)
and fails when the status is not one the operation lists, or when the JSON body breaks the
schema of that status: a field an answer carries that its type (``core.answers``) lacks, a
required one missing, a wrong type, format or enum. ``live.body`` and ``LiveServer``'s
sessions call it on every answer they read, so each API test is also a test of the document.

The validator knows the JSON Schema the document uses (``type``, ``properties``,
``required``, ``additionalProperties``, ``items``, ``prefixItems``, ``enum``, ``const``,
``$ref``, ``anyOf``, ``format``, ``pattern``, ``minimum``/``maximum``); the bench env has no
``jsonschema`` and the schemathesis run checks the same document with it.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

_DOCUMENT: dict = {}
_KINDS = {
	"string": lambda v: isinstance(v, str),
	"integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
	"number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
	"boolean": lambda v: isinstance(v, bool),
	"null": lambda v: v is None,
	"object": lambda v: isinstance(v, dict),
	"array": lambda v: isinstance(v, list),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _format_ok(value: str, fmt: str) -> bool:
	try:
		if fmt == "date-time":
			datetime.fromisoformat(value.replace("Z", "+00:00"))
			return "T" in value
		if fmt == "date":
			date.fromisoformat(value)
			return len(value) == 10
	except ValueError:
		return False
	if fmt == "email":
		return bool(_EMAIL.match(value))
	if fmt == "uri":
		parts = urlsplit(value)
		return bool(parts.scheme and (parts.netloc or parts.scheme in ("mailto", "tel", "data")))
	return True


def errors(value, schema: dict, document: dict, where: str = "") -> list[str]:
	"""What is wrong with ``value`` against ``schema`` (empty: it conforms)."""
	if "$ref" in schema:
		name = schema["$ref"].rsplit("/", 1)[1]
		return errors(value, document["components"]["schemas"][name], document, where)
	found: list[str] = []
	at = where or "/"
	if "anyOf" in schema:
		tries = [errors(value, part, document, where) for part in schema["anyOf"]]
		if all(tries):
			return [f"{at}: matches none of anyOf ({'; '.join(t[0] for t in tries)})"]
	kinds = schema.get("type")
	if kinds is not None:
		kinds = [kinds] if isinstance(kinds, str) else kinds
		if not any(_KINDS[kind](value) for kind in kinds):
			return [f"{at}: {type(value).__name__} {str(value)[:60]!r} is not {'/'.join(kinds)}"]
	if "const" in schema and value != schema["const"]:
		found.append(f"{at}: {value!r} is not {schema['const']!r}")
	if "enum" in schema and value not in schema["enum"]:
		found.append(f"{at}: {value!r} is not one of {schema['enum']}")
	if isinstance(value, str):
		if "format" in schema and not _format_ok(value, schema["format"]):
			found.append(f"{at}: {value!r} is not a {schema['format']}")
		if "pattern" in schema and not re.search(schema["pattern"], value):
			found.append(f"{at}: {value!r} does not match {schema['pattern']}")
	if isinstance(value, int | float) and not isinstance(value, bool):
		if "minimum" in schema and value < schema["minimum"]:
			found.append(f"{at}: {value} < {schema['minimum']}")
		if "maximum" in schema and value > schema["maximum"]:
			found.append(f"{at}: {value} > {schema['maximum']}")
	if isinstance(value, dict):
		properties = schema.get("properties", {})
		for key in schema.get("required", []):
			if key not in value:
				found.append(f"{at}: required field {key!r} is missing")
		extra = schema.get("additionalProperties", True)
		for key, item in value.items():
			if key in properties:
				found += errors(item, properties[key], document, f"{where}/{key}")
			elif extra is False:
				found.append(f"{at}: field {key!r} is not in the schema")
			elif isinstance(extra, dict):
				found += errors(item, extra, document, f"{where}/{key}")
	if isinstance(value, list):
		prefix = schema.get("prefixItems", [])
		for index, item in enumerate(value):
			part = prefix[index] if index < len(prefix) else schema.get("items")
			if isinstance(part, dict):
				found += errors(item, part, document, f"{where}[{index}]")
	return found


def document() -> dict:
	if not _DOCUMENT:
		from scheduler_integration.api import openapi

		_DOCUMENT.update(openapi.cached())
	return _DOCUMENT


def check(response) -> None:
	"""Fail (``AssertionError``) when ``response`` breaks the document (see the module)."""
	request = response.request
	path = published_path(urlsplit(request.url).path)
	if path is None:
		return
	doc = document()
	operation = doc["paths"].get(path, {}).get(request.method.lower())
	if operation is None:
		return  # not in the document: a method it does not publish (the check of paths is elsewhere)
	answers = operation["responses"]
	answer = answers.get(str(response.status_code))
	if answer is None:
		raise AssertionError(
			f"{request.method} {path} answered {response.status_code}, which the document does not "
			f"list ({', '.join(answers)}): {response.text[:300]}"
		)
	media = (response.headers.get("Content-Type") or "").split(";")[0].strip()
	content = answer.get("content") or {}
	if media in TEXT_MEDIA and media in content:  # a calendar, a TwiML reply, a CSV file: text
		if os.environ.get(RECORD) and str(response.status_code).startswith("2") and _text(response):
			record(operation["operationId"], request, response.status_code, _text(response), media)
		return
	if media != "application/json" or "application/json" not in content:
		return
	try:
		value = response.json()
	except ValueError as error:
		raise AssertionError(f"{request.method} {path}: not JSON: {response.text[:200]}") from error
	wrong = errors(value, content["application/json"]["schema"], doc)
	if wrong:
		raise AssertionError(
			f"{request.method} {path} {response.status_code} breaks its schema:\n  " + "\n  ".join(wrong[:8])
		)
	if os.environ.get(RECORD) and str(response.status_code).startswith("2"):
		record(operation["operationId"], request, response.status_code, value)


# ``SCHEDULER_RECORD_EXAMPLES=<folder>``: the first conforming success of each operation the
# run meets is kept there (``scripts/api-examples`` turns them into ``api/examples.json``)
RECORD = "SCHEDULER_RECORD_EXAMPLES"


# text answers recorded whole as their operation's example: a calendar, a TwiML reply, an
# export's file when it is text (a CSV; an Excel file's bytes are not)
TEXT_MEDIA = {"text/calendar", "text/xml", "text/csv", "text/plain", "application/octet-stream"}


def _text(response) -> str | None:
	try:
		return response.content.decode("utf-8")
	except UnicodeDecodeError:
		return None


def published_path(path: str) -> str | None:
	"""The document's path of an app method, also when it was called by the Frappe address it
	overrides (``override_whitelisted_methods``: the desk's counts, searches and exports)."""
	if path.startswith("/api/method/scheduler_integration."):
		return path
	from scheduler_integration import hooks

	target = hooks.override_whitelisted_methods.get(path.removeprefix("/api/method/"))
	return f"/api/method/{target}" if path.startswith("/api/method/") and target else None


def record(operation_id: str, request, status: int, value, media: str = "application/json") -> None:
	folder = Path(os.environ[RECORD])
	folder.mkdir(parents=True, exist_ok=True)
	target = folder / (operation_id.replace(":", "--") + ".json")
	if target.exists():
		return
	sent = dict(parse_qsl(urlsplit(request.url).query))
	if request.body:
		text = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
		try:
			body = json.loads(text)
		except ValueError:
			body = dict(parse_qsl(text))
		if isinstance(body, dict):
			sent.update(body)
	target.write_text(
		json.dumps(
			{"operation": operation_id, "request": sent, "status": status, "media": media, "answer": value},
			indent=1,
		)
	)


def hook(response, *args, **kwargs):
	"""``requests``' response hook: ``check`` every answer of a session."""
	check(response)
	return response
