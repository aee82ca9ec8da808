"""An answer's JSON Schema from the types it is declared with (``core.answers``).

``answer_schema(annotation, defs)`` turns a method's return annotation into the schema of
what it answers: a ``TypedDict`` becomes a named schema in ``defs`` (its fields, ``required``
from the keys it requires, no other field allowed, so a field added to an answer without its
type is an answer that breaks its schema), ``list[X]`` an array of X, ``dict[str, X]`` an
object of X, ``Literal`` an enum, ``Annotated[str, Format(…)]`` a formatted text, a union
``anyOf`` (or a list of types when all are plain). ``Answer[X]`` (the envelope) is
unwrapped by ``envelope_data``. No Frappe: the engine suite tests it.
"""

from __future__ import annotations

import types
import typing

from scheduler_integration.core.answers import Answer

_PLAIN = {str: "string", int: "integer", float: "number", bool: "boolean"}
REF = "#/components/schemas/{}"


class UntypedAnswer(TypeError):
	"""An answer declared with a type that says nothing of its fields (``Any``, ``dict``)."""


def is_typed_dict(annotation) -> bool:
	return isinstance(annotation, type) and issubclass(annotation, dict) and hasattr(annotation, "__total__")


def envelope_data(annotation):
	"""``X`` of ``Answer[X]``; ``None`` when the annotation is not the envelope."""
	if typing.get_origin(annotation) is Answer:
		return typing.get_args(annotation)[0]
	return None


def answer_schema(annotation, defs: dict, *, strict: bool = True) -> dict:
	"""The JSON Schema of ``annotation``; the ``TypedDict``s it names go to ``defs`` (name ->
	schema). ``strict``: ``Any``, a bare ``dict`` or ``list`` raise ``UntypedAnswer``."""
	if annotation is None or annotation is type(None):
		return {"type": "null"}
	if annotation in _PLAIN:
		return {"type": _PLAIN[annotation]}
	if annotation is typing.Any or annotation in (dict, list, object):
		if strict:
			raise UntypedAnswer(f"{annotation!r} says nothing of the answer's fields")
		return {"type": "object"} if annotation is dict else {"type": "array"} if annotation is list else {}
	origin = typing.get_origin(annotation)
	args = typing.get_args(annotation)
	if origin in (typing.NotRequired, typing.Required):  # a TypedDict field's own wrapper
		return answer_schema(args[0], defs, strict=strict)
	if origin is typing.Annotated:
		schema = answer_schema(args[0], defs, strict=strict)
		for meta in args[1:]:
			if getattr(meta, "json_format", None):
				schema["format"] = meta.json_format
			if getattr(meta, "json_pattern", None):
				schema["pattern"] = meta.json_pattern
		return schema
	if origin is typing.Literal:
		kinds = sorted({_PLAIN.get(type(v), "null") for v in args})
		return {"type": kinds[0] if len(kinds) == 1 else kinds, "enum": list(args)}
	if origin in (typing.Union, types.UnionType):
		members = [answer_schema(member, defs, strict=strict) for member in args]
		if all(set(m) == {"type"} and isinstance(m["type"], str) for m in members):
			kinds = [m["type"] for m in members]
			return {"type": kinds[0] if len(kinds) == 1 else kinds}
		nullable = [m for m in members if m != {"type": "null"}]
		if len(nullable) == 1 and len(members) == 2 and "type" in nullable[0] and "$ref" not in nullable[0]:
			schema = dict(nullable[0])
			kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
			schema["type"] = [*kinds, "null"]
			if "enum" in schema:
				schema["enum"] = [*schema["enum"], None]
			return schema
		return {"anyOf": members}
	if origin in (list, tuple, set, frozenset) or origin is typing.Sequence:
		if origin is tuple and (len(args) != 2 or args[1] is not Ellipsis):
			return {
				"type": "array",
				"prefixItems": [answer_schema(a, defs, strict=strict) for a in args],
				"minItems": len(args),
				"maxItems": len(args),
			}
		return {"type": "array", "items": answer_schema(args[0], defs, strict=strict)}
	if origin is dict or origin is typing.Mapping:
		return {"type": "object", "additionalProperties": answer_schema(args[1], defs, strict=strict)}
	if is_typed_dict(annotation):
		return {"$ref": REF.format(_define(annotation, defs, strict))}
	if origin is not None and is_typed_dict(origin):  # a generic TypedDict other than Answer
		raise UntypedAnswer(f"{annotation!r}: only Answer[…] may be generic")
	raise UntypedAnswer(f"{annotation!r} has no JSON Schema")


def _define(cls, defs: dict, strict: bool) -> str:
	name = cls.__name__
	known = defs.get(name)
	if known is not None:
		if known.get("x-python") != f"{cls.__module__}.{cls.__qualname__}":
			raise UntypedAnswer(
				f"two answer types are called {name}: {known.get('x-python')} and {cls.__module__}"
			)
		return name
	defs[name] = {
		"x-python": f"{cls.__module__}.{cls.__qualname__}"
	}  # before its fields: a type may name itself
	hints = typing.get_type_hints(cls, include_extras=True)
	properties = {}
	for key, hint in hints.items():
		try:
			properties[key] = answer_schema(hint, defs, strict=strict)
		except UntypedAnswer as error:
			defs.pop(name, None)
			raise UntypedAnswer(f"{name}.{key}: {error}") from None
	schema = {"type": "object", "properties": properties, "additionalProperties": False}
	# ``__required_keys__`` misses ``NotRequired`` written as a string annotation (PEP 563)
	required = [key for key in hints if _required(hints[key], key in cls.__required_keys__)]
	if required:
		schema["required"] = required
	doc = (cls.__doc__ or "").strip()
	if doc and not doc.startswith(f"{name}("):
		schema["description"] = " ".join(doc.split()).replace("``", "`")
	defs[name] = {**schema, "x-python": defs[name]["x-python"]}
	return name


def published(defs: dict) -> dict:
	"""``defs`` as the document shows them (without the Python names kept to tell two apart)."""
	return {
		name: {k: v for k, v in schema.items() if k != "x-python"} for name, schema in sorted(defs.items())
	}


def _required(hint, default: bool) -> bool:
	origin = typing.get_origin(hint)
	if origin is typing.NotRequired:
		return False
	if origin is typing.Required:
		return True
	if origin is typing.Annotated:
		return _required(typing.get_args(hint)[0], default)
	return default


def untyped_parts(schema, where: str = "") -> list[str]:
	"""Where ``schema`` (with its ``$ref``s left as they are) accepts any value: an empty schema."""
	found = []
	if isinstance(schema, dict):
		if not schema or set(schema) <= {"description", "title"}:
			return [where or "/"]
		for key, value in schema.items():
			if key in ("properties", "additionalProperties", "items", "anyOf", "prefixItems", "oneOf"):
				if isinstance(value, dict) and key == "properties":
					for name, part in value.items():
						found += untyped_parts(part, f"{where}/{name}")
				elif isinstance(value, list):
					for index, part in enumerate(value):
						found += untyped_parts(part, f"{where}/{key}[{index}]")
				elif isinstance(value, dict):
					found += untyped_parts(value, f"{where}/{key}")
	return found
