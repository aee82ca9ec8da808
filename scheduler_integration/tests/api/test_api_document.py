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
* the reference page (``/scheduler-api``) shows every operation;
* what the site answers at the edges is what it says (issue 51, items 5 and 6,
  ``TestApiContract``): a body past the site's size limit (413), a bad token at a guest
  method (401), a wrong HTTP method (405 with ``Allow``), Twilio's webhook unsigned (401),
  and the values a parameter is checked against (its ``enum``, one clean type each);
* the reference page reads on a phone (``TestApiReferencePage``, in Chromium at 375 px and
  at desktop width: nothing cut or scrolled sideways, descriptions as text with their code,
  each rate limit's number and window as the site's settings give it now, axe clean).
"""

from __future__ import annotations

import http.client
import importlib
import json
import os
import pkgutil
import re
import subprocess
import tempfile
from pathlib import Path

import frappe
import requests

import scheduler_integration
from scheduler_integration.api import openapi, parse
from scheduler_integration.api import schemas as answer_schemas
from scheduler_integration.core.error_codes import STATUS
from scheduler_integration.crm.records import RECORD_DOCTYPES
from scheduler_integration.engine.booking_states import STATUSES
from scheduler_integration.rules.analytics import FUNNEL_STEPS
from scheduler_integration.tests import answer_check
from scheduler_integration.tests.api.test_api_fuzz import DOCUMENT, need_tools, served_document
from scheduler_integration.tests.factory import set_settings
from scheduler_integration.tests.live import LiveServer
from scheduler_integration.tests.pages.test_browser_e2e import missing, run_script
from scheduler_integration.tests.utils import SchedulerTestCase
from scheduler_integration.www import scheduler_api

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


# the operations without an example, and why; every other one carries a recorded one
# (api/examples.json, made by scripts/api-examples from a bench run's answers)
NO_EXAMPLE = {
	"scheduler_integration.api.openapi.document": "the document itself",
	"scheduler_integration.api.tracking.go": "a redirect (302) to the tracked link: no body",
	"scheduler_integration.api.connections.connected": "a redirect (302) back to the desk: no body",
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
		methods = [
			openapi.Method(fn)
			for fn in openapi.app_methods()
			if not openapi.Method(fn).answers_itself()  # a file, a page, the document's own Response
		]
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
		self.assertGreaterEqual(found, len(openapi.LINKS) * 2)

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
				media = example.get("media", "application/json")
				answer = op["responses"][str(example["status"])]["content"][media]
				self.assertEqual(answer.get("example"), example["answer"])
				if media == "application/json":
					self.assertEqual(
						answer_check.errors(example["answer"], answer["schema"], self.document), []
					)
				else:  # a calendar or a TwiML reply: text of its media type
					self.assertIn(media, answer_check.TEXT_MEDIA)
					self.assertIsInstance(example["answer"], str)
				body = (op.get("requestBody") or {}).get("content", {})
				if body and "properties" not in next(iter(body.values()))["schema"]:
					continue  # a provider's event, read whole: its fields are the provider's
				if "requestBody" in op:
					taken = set(op["requestBody"]["content"]["application/json"]["schema"]["properties"])
				else:
					taken = {p["name"] for p in op.get("parameters", [])}
				self.assertEqual(sorted(set(example["request"]) - taken), [])
		carrying = {
			op_id
			for op_id, op in ids.items()
			if any(
				"example" in content
				for answer in op["responses"].values()
				for content in (answer.get("content") or {}).values()
			)
		}
		print(
			f"\n{len(carrying)} of {len(ids)} operations carry an example; without: {sorted(set(ids) - carrying)}"
		)
		self.assertEqual(sorted(set(ids) - carrying - set(NO_EXAMPLE)), [], "operations without an example")
		self.assertEqual(sorted(set(NO_EXAMPLE) - set(ids)), [], "NO_EXAMPLE names an operation that is gone")

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
		# a weak tag, a list naming it, and * match too (RFC 9110); another tag does not
		for header, status in ((f"W/{etag}", 304), (f'"x", {etag}', 304), ("*", 304), ('"x"', 200)):
			answer = requests.get(
				self.server.base + DOCUMENT,
				headers={"If-None-Match": header, "Host": self.server.site},
				timeout=60,
			)
			self.assertEqual(answer.status_code, status, header)
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
		# each success names its answer type, whose fields the page lists
		book = re.search(
			r'id="scheduler_integration\.api\.public\.book".*?Success answers: <code>([^<]*)</code>',
			response.text,
			re.S,
		)
		self.assertEqual(book.group(1) if book else None, "Booking")
		fields = re.search(r'id="type-Booking".*?</table>', response.text, re.S)
		self.assertTrue(fields, "the page lists no fields of Booking")
		self.assertIn("<code>manage_token</code>", fields.group(0))
		self.assertIn("<code>start</code>", fields.group(0))
		self.assertNotIn("Traceback", response.text)


def _kind(value) -> str:
	"""A JSON value's type as JSON Schema names it."""
	if value is None:
		return "null"
	if isinstance(value, bool):
		return "boolean"
	return {int: "integer", float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def _schemas(node):
	"""Every schema object in a part of the document (anything with a type, an enum or anyOf)."""
	if isinstance(node, dict):
		if "type" in node or "enum" in node or "anyOf" in node:
			yield node
		for value in node.values():
			yield from _schemas(value)
	elif isinstance(node, list):
		for value in node:
			yield from _schemas(value)


class TestApiContract(SchedulerTestCase):
	"""Issue 51, items 5 and 6: at the edges of the API the site answers what its document
	says: each answer checked here has its status among the operation's, its media type
	among that status's, and a JSON failure the documented shape with a code of the table."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.server = LiveServer.get_instance()
		cls.document = served_document(cls.server)
		cls.ops = {
			op["x-whitelisted"] + ("" if len(items) == 1 else f":{verb}"): op
			for items in cls.document["paths"].values()
			for verb, op in items.items()
		}

	def url(self, dotted: str) -> str:
		return f"{self.server.base}/api/method/{dotted}"

	def assert_documented(self, op: dict, status: int, content_type: str, body: bytes) -> None:
		"""The answer (status, Content-Type, body) is one ``op`` describes."""
		self.assertIn(str(status), op["responses"], op["operationId"])
		documented = op["responses"][str(status)].get("content") or {}
		media = content_type.split(";")[0].strip()
		self.assertIn(media, documented, f"{op['operationId']} {status}: {media} is not documented")
		if media != "application/json" or status < 400:
			return
		self.assertEqual(documented[media]["schema"], {"$ref": "#/components/schemas/ErrorAnswer"})
		failure = json.loads(body)["message"]  # FailureAnswer: the app's failure, as Frappe wraps it
		shape = self.document["components"]["schemas"]["Failure"]
		self.assertLessEqual(set(shape["required"]), set(failure), failure)
		self.assertIs(failure["success"], False)
		self.assertIsInstance(failure["error"], str)
		self.assertIn(failure["code"], self.document["components"]["schemas"]["Code"]["enum"])

	def post_announcing(self, dotted: str, length: int) -> tuple[int, str, bytes]:
		"""POST a JSON body of ``length`` bytes (its first 64 KB sent: the server answers on
		the announced length alone); the answer's status, Content-Type and body."""
		connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
		try:
			connection.putrequest("POST", f"/api/method/{dotted}", skip_host=True)
			connection.putheader("Host", self.server.site)
			connection.putheader("Content-Type", "application/json")
			connection.putheader("Content-Length", str(length))
			connection.endheaders()
			try:
				connection.send(b'{"name": "' + b"a" * 65536)
			except OSError:  # the server may answer and close before reading any of it
				pass
			answer = connection.getresponse()
			return answer.status, answer.getheader("Content-Type") or "", answer.read()
		finally:
			connection.close()

	def test_a_body_past_the_sites_limit_is_answered_as_documented(self):
		"""Item 1: a body past the site's ``max_file_size`` (Frappe's rule, frappe.app) to a
		guest method and a host method: 413, in a media type the document gives that 413."""
		limit = int(frappe.conf.get("max_file_size") or 25 * 1024 * 1024)
		for dotted, key in (
			("scheduler_integration.api.public.book", ""),
			("scheduler_integration.api.booking.cancel_booking", ":post"),  # POST and PATCH
		):
			status, content_type, body = self.post_announcing(dotted, limit + 1024 * 1024)
			self.assertEqual(status, 413, body[:300])
			self.assert_documented(self.ops[dotted + key], status, content_type, body)

	def test_a_bad_token_at_a_guest_method_is_a_documented_401(self):
		"""Item 2: Frappe refuses a bad token before any method runs, a guest method too."""
		guest = [op for op in self.ops.values() if {} in op["security"]]
		self.assertGreater(len(guest), 15)
		for op in guest:
			self.assertIn("401", op["responses"], op["operationId"])
		bad = {"Host": self.server.site, "Authorization": "token nope:nope"}
		for dotted, verb in (
			("scheduler_integration.api.public.get_page", "GET"),
			("scheduler_integration.api.public.book", "POST"),
			("scheduler_integration.api.openapi.document", "GET"),
		):
			r = requests.request(
				verb, self.url(dotted), headers=bad, json={} if verb == "POST" else None, timeout=60
			)
			self.assertEqual(r.status_code, 401, r.text[:300])
			self.assert_documented(self.ops[dotted], 401, r.headers["Content-Type"], r.content)
			self.assertEqual(r.json()["message"]["code"], "NOT_SIGNED_IN")

	def test_a_405_carries_allow_and_the_document_declares_it(self):
		"""Item 5: every 405 of the document declares ``Allow``; the site's carries it."""
		for op in self.ops.values():
			self.assertIn("Allow", op["responses"]["405"].get("headers") or {}, op["operationId"])
		for dotted, verb, allowed in (
			("scheduler_integration.api.public.book", "GET", "POST"),
			("scheduler_integration.api.public.get_page", "POST", "GET"),
		):
			r = requests.request(verb, self.url(dotted), headers={"Host": self.server.site}, timeout=60)
			self.assertEqual(r.status_code, 405, r.text[:300])
			self.assertEqual(r.headers.get("Allow"), allowed)
			self.assert_documented(self.ops[dotted], 405, r.headers["Content-Type"], r.content)

	def test_the_values_the_code_checks_against_a_set_are_its_enum(self):
		"""Item 4: a parameter checked against a fixed set declares it, from the same tuple;
		and no enum contradicts its type (null allowed by the type but not in the enum broke
		client generators)."""

		def body(dotted):
			return self.ops[dotted]["requestBody"]["content"]["application/json"]["schema"]["properties"]

		def query(dotted, name):
			return next(p["schema"] for p in self.ops[dotted]["parameters"] if p["name"] == name)

		self.assertEqual(
			body("scheduler_integration.api.tracking.track_step")["step"]["enum"], list(FUNNEL_STEPS)
		)
		self.assertEqual(
			query("scheduler_integration.api.setup.host_times", "doctype")["enum"], list(parse.TIMED)
		)
		for dotted in (
			"scheduler_integration.api.crm.scheduling_options",
			"scheduler_integration.api.crm.free_times",
		):
			self.assertEqual(query(dotted, "reference_doctype")["enum"], list(RECORD_DOCTYPES))
		for dotted in (
			"scheduler_integration.api.crm.book_for_record",
			"scheduler_integration.api.crm.send_personal_link",
		):
			self.assertEqual(body(dotted)["reference_doctype"]["enum"], list(RECORD_DOCTYPES))
		pattern = query("scheduler_integration.api.booking.list_my_bookings", "status")["pattern"]
		for good in (*STATUSES, "Confirmed,No Show", "Pending, Awaiting Payment"):
			self.assertTrue(re.search(pattern, good), good)
		for bad in ("Bogus", "Confirmed,Bogus", "Confirmed,,"):
			self.assertFalse(re.search(pattern, bad), bad)
		for dotted in (
			"scheduler_integration.api.availability.respond_to_cover",
			"scheduler_integration.api.meeting_type.respond_to_invitation",
		):
			accept = body(dotted)["accept"]
			taken = {json.dumps(v) for part in accept["anyOf"] for v in part.get("enum", [])}
			self.assertEqual(taken, {json.dumps(v) for v in (1, 0, "1", "0", "true", "false", "yes", "no")})
			self.assertEqual([part["type"] for part in accept["anyOf"]], ["boolean", "integer", "string"])
		for schema in _schemas(self.document):
			if "enum" not in schema or "type" not in schema:
				continue
			types = {schema["type"]} if isinstance(schema["type"], str) else set(schema["type"])
			kinds = {_kind(value) for value in schema["enum"]}
			if "number" in types and "integer" in kinds:
				kinds = (kinds - {"integer"}) | {"number"}
			self.assertEqual(kinds, types, schema)
		# the live check is the same tuple's: a step outside it is a 400 naming the field
		r = requests.post(
			self.url("scheduler_integration.api.tracking.track_step"),
			json={"step": "nope", "session_id": "contract-check-session"},
			headers={"Host": self.server.site},
			timeout=60,
		)
		self.assertEqual(r.status_code, 400, r.text[:300])
		self.assertIn("step", r.json()["message"]["errors"])
		self.assert_documented(
			self.ops["scheduler_integration.api.tracking.track_step"],
			400,
			r.headers["Content-Type"],
			r.content,
		)

	def test_the_sms_webhook_refuses_an_unsigned_request_as_documented(self):
		"""Item 3: Twilio's webhook unsigned (with or without an auth token set, the site's
		own is left as it is): 401 UNAUTHORIZED, the app's failure, as for every webhook."""
		dotted = "scheduler_integration.api.sms.twilio_reply"
		op = self.ops[dotted]
		r = requests.post(
			self.url(dotted),
			data={"From": "+14155550100", "Body": "CANCEL", "MessageSid": "SM" + "0" * 32},
			headers={"Host": self.server.site, "X-Twilio-Signature": "bm9wZQ=="},
			timeout=60,
		)
		self.assertEqual(r.status_code, 401, r.text[:300])
		self.assert_documented(op, 401, r.headers["Content-Type"], r.content)
		self.assertEqual(r.json()["message"]["code"], "UNAUTHORIZED")
		self.assertNotIn("text/plain", json.dumps(op["responses"]))


OPERATION = "scheduler_integration.api.public.book"


class TestApiReferencePage(SchedulerTestCase):
	"""Issue 51, item 6: ``/scheduler-api`` on a phone and at desktop width, in Chromium
	(``e2e/api_reference.mjs``; screenshots in <bench>/logs/scheduler-e2e/)."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.server = LiveServer.get_instance()
		cls.saved = set_settings(public_rate_limit=4321)

	@classmethod
	def tearDownClass(cls):
		set_settings(**cls.saved)
		super().tearDownClass()

	def limit_shown(self) -> str:
		page = self.server.get("/scheduler-api", timeout=120)
		self.assertEqual(page.status_code, 200, page.text[:300])
		found = re.search(
			r'id="scheduler_integration\.api\.public\.book".*?class="sched-api-limit">([^<]*)<',
			page.text,
			re.S,
		)
		self.assertTrue(found, "the booking method shows no rate limit")
		return found.group(1)

	def test_a_rate_limit_is_its_number_and_window_as_the_settings_give_it_now(self):
		self.assertIn("4321 requests per IP per 60 s (Scheduler Settings)", self.limit_shown())
		op = served_document(self.server)["paths"][f"/api/method/{OPERATION}"]["post"]
		self.assertEqual(
			op["x-rate-limit"], {"limit": 4321, "seconds": 60, "per": "IP", "setting": "Scheduler Settings"}
		)
		self.assertIn("Rate limit: 4321 requests per IP per 60 s (Scheduler Settings).", op["description"])
		# the document is cached: a change of the setting is a new one, and a new ETag
		before = self.server.get(DOCUMENT, timeout=120).headers["ETag"]
		set_settings(public_rate_limit=4322)
		self.assertIn("4322 requests per IP per 60 s (Scheduler Settings)", self.limit_shown())
		self.assertNotEqual(self.server.get(DOCUMENT, timeout=120).headers["ETag"], before)
		# a fixed limit says its own number
		fixed = served_document(self.server)["paths"][
			"/api/method/scheduler_integration.api.setup.quick_setup"
		]
		self.assertEqual(fixed["post"]["x-rate-limit"], {"limit": 10, "seconds": 600, "per": "IP"})

	def test_a_description_is_escaped_text_in_paragraphs(self):
		"""Nothing of a docstring is markup: tags are text, `code` is <code>, paragraphs at
		blank lines only."""
		html = str(
			scheduler_api.description_html("Say <script>alert(1)</script>\nand `<b>x</b>` & go.\n\nNext.")
		)
		self.assertEqual(
			html,
			"<p>Say &lt;script&gt;alert(1)&lt;/script&gt; and <code>&lt;b&gt;x&lt;/b&gt;</code> &amp; go.</p><p>Next.</p>",
		)

	def test_in_a_browser_on_a_phone_and_a_desktop(self):
		if reason := missing():
			if os.environ.get("CI"):
				self.fail(f"browser test not run: {reason}")
			self.skipTest(f"browser test not run: {reason}")
		shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		shots.mkdir(parents=True, exist_ok=True)
		config = {
			"base": self.server.base,
			"site": self.server.site,
			"shots": str(shots),
			"operation": OPERATION,
		}
		seen = run_script(self, "api_reference.mjs", shots, config)
		print(f"\napi reference page: {json.dumps(seen['seconds'])}")
		self.assertEqual((seen["status"], seen["errors"]), (200, []))
		now = frappe.db.get_single_value("Scheduler Settings", "public_rate_limit")
		limit = scheduler_api.rate_limit_text({"limit": now, "seconds": 60, "setting": "Scheduler Settings"})
		self.assertIn(str(now), limit)
		for width, found in seen["widths"].items():
			where = f"{width}: {found}"
			# nothing wider than the screen, no table cut, nothing to scroll sideways
			self.assertFalse(found["page_wider"], where)
			self.assertEqual((found["tables_cut"], found["sideways"], found["beyond"]), ([], [], []), where)
			self.assertGreater(found["tables"], 50, where)
			# descriptions: text in paragraphs, code as code, no backticks, no hard breaks
			self.assertEqual((found["backticks"], found["line_breaks"]), (0, 0), where)
			self.assertGreater(found["codes"], 100, where)
			self.assertGreaterEqual(found["paragraphs"], 3, where)
			self.assertIn(limit, found["limit"], where)
			violations = seen["axe"][width]
			self.assertEqual(violations, [], f"axe at {width}")
		# on the phone a parameter's cells are stacked and labelled; at desktop a table
		self.assertEqual(seen["widths"]["375px"]["cell_display"], "block")
		self.assertIn('"In: " body (application/json)', seen["widths"]["375px"]["first_row"])
		self.assertEqual(seen["widths"]["desktop"]["cell_display"], "table-cell")
