"""The app's OpenAPI document (issue 40, item 1), as the site serves it.

* it validates as OpenAPI 3.1 (openapi-spec-validator, from the API check's virtualenv:
  ``test_api_fuzz.tool_venv``);
* every whitelisted method of the app is in it, with an operation for each HTTP method it
  is pinned to: the app's modules are walked here on their own (not through
  ``api.openapi.MODULES``), so a method in a module the generator does not import fails;
* what it says comes from the code: the failure ``code`` enum is the code table, a
  parameter read by a parser has that parser's schema, guest methods are rate-limited and
  answer 429, methods for signed-in users answer 401;
* it is cached (ETag, 304 on If-None-Match, Cache-Control) and versioned with the app;
* the reference page (``/scheduler-api``) shows every operation.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import tempfile
from pathlib import Path

import frappe
import requests

import scheduler_integration
from scheduler_integration.api import openapi, parse
from scheduler_integration.api import schemas as answer_schemas
from scheduler_integration.engine.error_codes import STATUS
from scheduler_integration.tests import answer_check
from scheduler_integration.tests.live import LiveServer
from scheduler_integration.tests.test_api_fuzz import DOCUMENT, need_tools, served_document
from scheduler_integration.tests.utils import SchedulerTestCase

SKIPPED_PACKAGES = (".tests", ".patches")


def every_app_method() -> dict[str, list[str]]:
	"""{dotted path: HTTP methods} of every whitelisted function of the app, after importing
	each of its modules (tests and patches aside)."""
	for module in pkgutil.walk_packages(scheduler_integration.__path__, "scheduler_integration."):
		if not any(part in module.name for part in SKIPPED_PACKAGES):
			importlib.import_module(module.name)
	return {
		f"{fn.__module__}.{fn.__qualname__}": list(frappe.allowed_http_methods_for_whitelisted_func[fn])
		for fn in frappe.whitelisted
		if fn.__module__.startswith("scheduler_integration.")
	}


# the shapes whose fields are open by design: the failures (a field per wrong input) and
# Frappe's own exception answer
OPEN_SCHEMAS = {"Failure", "FrappeError", "Envelope", "PlainAnswer", "EnvelopeAnswer", "FailureAnswer"}


class TestApiDocument(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.server = LiveServer.get_instance()
		cls.document = served_document(cls.server)

	def operations(self):
		for path, items in self.document["paths"].items():
			for verb, op in items.items():
				yield path, verb, op

	def test_document_validates_as_openapi_3_1(self):
		venv = need_tools(self)
		self.assertEqual(self.document["openapi"], "3.1.0")
		with tempfile.TemporaryDirectory() as folder:
			path = Path(folder) / "openapi.json"
			path.write_text(json.dumps(self.document))
			done = subprocess.run(
				[
					str(venv / "bin" / "python"),
					"-c",
					"import json, sys; from openapi_spec_validator import validate; "
					"from openapi_spec_validator.validation import OpenAPIV31SpecValidator; "
					"validate(json.load(open(sys.argv[1])), cls=OpenAPIV31SpecValidator); print('valid')",
					str(path),
				],
				capture_output=True,
				text=True,
				timeout=300,
			)
		self.assertEqual(done.returncode, 0, done.stderr[-3000:])
		self.assertIn("valid", done.stdout)

	def test_every_whitelisted_method_of_the_app_is_in_it(self):
		documented: dict[str, set[str]] = {}
		for _path, verb, op in self.operations():
			documented.setdefault(op["x-whitelisted"], set()).add(verb.upper())
		methods = every_app_method()
		self.assertGreater(len(methods), 70)
		missing = sorted(set(methods) - set(documented))
		self.assertEqual(missing, [], "whitelisted methods missing from the OpenAPI document")
		for name, verbs in methods.items():
			self.assertEqual(documented[name], set(verbs), name)
		self.assertEqual(sorted(set(documented) - set(methods)), [])

	def test_a_method_the_generator_does_not_see_fails_the_check(self):
		"""The check above is not vacuous: a whitelisted function in a module of the app that
		the generator does not import is reported."""

		def stray(value: str):
			return value

		stray.__module__ = "scheduler_integration.api.stray"
		stray.__qualname__ = "stray"
		frappe.whitelisted.append(stray)
		frappe.allowed_http_methods_for_whitelisted_func[stray] = ["GET"]
		try:
			with self.assertRaises(AssertionError):
				self.test_every_whitelisted_method_of_the_app_is_in_it()
		finally:
			frappe.whitelisted.remove(stray)
			frappe.allowed_http_methods_for_whitelisted_func.pop(stray, None)

	def test_every_success_answer_is_typed(self):
		"""Every success of every operation has a schema of its fields (issue 51): declared by
		the method's return annotation, no part of it any value, every object closed."""
		untyped = []
		for path, verb, op in self.operations():
			for status, answer in op["responses"].items():
				if not status.startswith("2"):
					continue
				for media, content in (answer.get("content") or {}).items():
					parts = answer_schemas.untyped_parts(self.resolve(content["schema"]))
					if parts or (
						content["schema"] in ({}, {"type": "string"}) and media == "application/json"
					):
						untyped.append(f"{verb.upper()} {path} {status} {media}: {parts[:3]}")
		self.assertEqual(untyped, [])
		for name, schema in self.document["components"]["schemas"].items():
			if schema.get("type") == "object" and "properties" in schema and name not in OPEN_SCHEMAS:
				self.assertIs(schema.get("additionalProperties"), False, name)
		methods = [openapi.Method(fn) for fn in openapi.app_methods()]
		for method in methods:
			method.answer_schema()
		self.assertEqual([m.untyped for m in methods if m.untyped], [])

	def test_an_answer_with_a_field_its_type_lacks_fails_the_check(self):
		"""The answer check every API test runs (``answer_check``) is not vacuous: a field the
		type does not declare, a missing required one, a wrong format are each reported."""
		schema = self.success_schema("scheduler_integration.api.public.get_challenge")
		good = {"message": {"success": True, "data": {"bits": 0}, "message": None}}
		self.assertEqual(answer_check.errors(good, schema, self.document), [])
		extra = {"message": {"success": True, "data": {"bits": 0, "secret": "x"}, "message": None}}
		self.assertIn(
			"field 'secret' is not in the schema", answer_check.errors(extra, schema, self.document)[0]
		)
		missing = {"message": {"success": True, "data": {}, "message": None}}
		self.assertIn("required field 'bits'", answer_check.errors(missing, schema, self.document)[0])

	def test_links_name_real_operations_parameters_and_fields(self):
		"""Each OpenAPI link (the booking life cycle, the host's records) names an operation of
		the document, parameters it takes and fields the source's typed answer has."""
		ids = {op["operationId"]: op for _path, _verb, op in self.operations()}
		found = 0
		for _path, _verb, op in self.operations():
			for _status, answer in op["responses"].items():
				for name, link in (answer.get("links") or {}).items():
					found += 1
					target = ids.get(link["operationId"])
					self.assertIsNotNone(target, f"{op['operationId']} {name}: no {link['operationId']}")
					values = link.get("parameters") or link.get("requestBody")
					if "requestBody" in link:
						taken = target["requestBody"]["content"]["application/json"]["schema"]["properties"]
					else:
						taken = {p["name"] for p in target.get("parameters", [])}
					data = self.resolve(answer["content"]["application/json"]["schema"])
					data = data["properties"]["message"]
					if "data" in data.get("properties", {}):
						data = data["properties"]["data"]
					for param, expression in values.items():
						self.assertIn(param, taken, f"{op['operationId']} {name}")
						field = expression.rsplit("/", 1)[1]
						self.assertIn(field, data["properties"], f"{op['operationId']} {name}: {field}")
						self.assertIn(field, data.get("required", []), f"{op['operationId']} {name}: {field}")
		self.assertGreaterEqual(found, 10)

	def test_every_example_is_a_real_answer_of_its_schema(self):
		"""The examples (``api/examples.json``, recorded from bench runs by
		``scripts/api-examples``) are in the document, each answer valid against its operation's
		schema today and each request naming only parameters the operation takes."""
		recorded = openapi.examples()
		ids = {op["operationId"]: op for _path, _verb, op in self.operations()}
		self.assertEqual(sorted(set(recorded) - set(ids)), [], "examples of operations that are gone")
		for operation_id, example in recorded.items():
			with self.subTest(operation=operation_id):
				op = ids[operation_id]
				answer = op["responses"][str(example["status"])]["content"]["application/json"]
				self.assertEqual(answer.get("example"), example["answer"])
				self.assertEqual(answer_check.errors(example["answer"], answer["schema"], self.document), [])
				if "requestBody" in op:
					taken = set(op["requestBody"]["content"]["application/json"]["schema"]["properties"])
				else:
					taken = {p["name"] for p in op.get("parameters", [])}
				self.assertEqual(sorted(set(example["request"]) - taken), [])
		without = sorted(set(ids) - set(recorded))
		print(f"\n{len(recorded)} of {len(ids)} operations have an example; without: {without}")

	def success_schema(self, dotted: str) -> dict:
		op = self.document["paths"][openapi.PATH.format(dotted)]
		op = op.get("get") or op.get("post")
		status = next(s for s in op["responses"] if s.startswith("2"))
		return op["responses"][status]["content"]["application/json"]["schema"]

	def resolve(self, schema, seen=None):
		"""``schema`` with each component it names put in place (once: a type naming itself stops)."""
		seen = set() if seen is None else seen
		if isinstance(schema, dict):
			if "$ref" in schema:
				name = schema["$ref"].rsplit("/", 1)[1]
				if name in seen:
					return {"type": "object", "description": name}
				return self.resolve(self.document["components"]["schemas"][name], seen | {name})
			return {key: self.resolve(value, seen) for key, value in schema.items()}
		if isinstance(schema, list):
			return [self.resolve(value, seen) for value in schema]
		return schema

	def test_it_says_what_the_code_says(self):
		schemas = self.document["components"]["schemas"]
		self.assertEqual(sorted(schemas["Code"]["enum"]), sorted(STATUS))
		self.assertEqual(self.document["info"]["version"], scheduler_integration.__version__)
		ops = {op["operationId"]: op for _path, _verb, op in self.operations()}
		book = ops["scheduler_integration.api.public.book"]
		body = book["requestBody"]["content"]["application/json"]["schema"]
		self.assertEqual(
			body["properties"]["idempotency_key"]["pattern"], parse.idempotency_key.schema["pattern"]
		)
		self.assertEqual(body["properties"]["start"]["pattern"], parse.instant.schema["pattern"])
		self.assertIn("201", book["responses"])
		self.assertIn("409", book["responses"])
		self.assertEqual(book["security"][0], {})
		bookings = ops["scheduler_integration.api.booking.list_my_bookings"]
		limit = next(p for p in bookings["parameters"] if p["name"] == "limit")
		self.assertEqual((limit["schema"]["minimum"], limit["schema"]["maximum"]), (1, 500))
		self.assertIn("401", bookings["responses"])
		self.assertNotIn("429", bookings["responses"])
		# a webhook moved to another module still answers at the address its senders were given
		self.assertIn(
			"/api/method/scheduler_integration.api.tracking.calendly_webhook", self.document["paths"]
		)
		stripe = ops["scheduler_integration.api.payments.stripe_webhook"]
		self.assertEqual(stripe["security"], [{"StripeSignature": []}])
		self.assertEqual(
			self.document["components"]["securitySchemes"]["StripeSignature"]["name"], "Stripe-Signature"
		)
		for path, verb, op in self.operations():
			guest = {} in op["security"]
			if guest:
				self.assertIn("429", op["responses"], f"{verb} {path}: a guest method is rate-limited")
				self.assertIn("x-rate-limit", op, path)
			else:
				self.assertIn("401", op["responses"], f"{verb} {path}")
			self.assertNotIn("500", op["responses"], path)
		settings = ops["scheduler_integration.api.profile.update_my_settings:patch"]
		props = settings["requestBody"]["content"]["application/json"]["schema"]["properties"]
		self.assertIn("display_name", props)  # the fields it checks **fields against
		self.assertEqual({"200", "201"} & set(settings["responses"]), {"200", "201"})

	def test_it_is_cached_and_versioned(self):
		first = self.server.get(DOCUMENT, timeout=120)
		self.assertEqual(first.status_code, 200)
		self.assertTrue(first.headers["Content-Type"].startswith("application/json"))
		self.assertIn("max-age", first.headers.get("Cache-Control", ""))
		etag = first.headers.get("ETag")
		self.assertTrue(etag)
		again = requests.get(
			self.server.base + DOCUMENT,
			headers={"If-None-Match": etag, "Host": self.server.site},
			timeout=60,
		)
		self.assertEqual(again.status_code, 304)
		text, tag = openapi.cached_text()
		self.assertEqual(tag, etag)
		self.assertEqual(json.loads(text)["info"]["version"], scheduler_integration.__version__)

	def test_its_server_is_the_sites_own_never_a_callers(self):
		"""Issue 50, item 26: the document is cached for every reader; the first caller after
		a cache clear must not choose its ``servers`` URL with its own headers."""
		frappe.cache.delete_value(
			f"{openapi.APP}:openapi:{scheduler_integration.__version__}:{openapi._fingerprint()}"
		)
		first = requests.get(
			self.server.base + DOCUMENT,
			headers={"Host": f"{self.server.site}:9999", "X-Forwarded-Proto": "https"},
			timeout=120,
		)
		self.assertEqual(first.status_code, 200, first.text[:300])
		later = served_document(self.server)
		for document in (first.json(), later):
			self.assertEqual(document["servers"], [{"url": openapi.server_url()}])
			self.assertNotIn(":9999", json.dumps(document["servers"]))

	def test_reference_page_shows_every_operation(self):
		response = self.server.get("/scheduler-api", timeout=120)
		self.assertEqual(response.status_code, 200, response.text[:500])
		count = sum(1 for _ in self.operations())
		self.assertEqual(response.text.count('class="sched-api-operation"'), count)
		self.assertIn(DOCUMENT, response.text)
		self.assertNotIn("Traceback", response.text)
