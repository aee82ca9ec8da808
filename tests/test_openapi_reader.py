"""api.openapi_reader: what a method's source says about its HTTP interface, the parameter
schemas, the statuses an operation answers and the shared answer shapes (no Frappe)."""

from __future__ import annotations

import textwrap

import pytest

from scheduler_integration.api import openapi_reader as spec
from scheduler_integration.core.error_codes import STATUS

SOURCE = textwrap.dedent(
	"""
	import frappe
	from frappe import _
	from werkzeug.wrappers import Response

	UPDATABLE = ("slug", "title")
	SPECIAL = {"hosts"}


	def _account():
		return frappe.request.args.get("account")


	def _apply(doc, fields):
		unknown = sorted(set(fields) - set(UPDATABLE) - SPECIAL)
		return unknown


	def book(start, count=None, key=None, utm_source=None, errors=None, limit=100):
		when = parse.instant(start, "start")
		parse.collect(errors, parse.idempotency_key, key)
		parse.utm({"utm_source": utm_source})
		parse.meetings(ctx, count)
		clean_int(limit, "limit", 1, reps.MAX_DAYS, default=5)
		return ok(when, status=201)


	def update(user=None, **fields):
		_apply(None, fields)
		return ok(fields, "saved", 201 if user else 200)


	def webhook(**kwargs):
		body = raw_body()
		_account()
		frappe.get_request_header("Calendly-Webhook-Signature")
		return ok(json_object(body))


	def form_hook(**kwargs):
		raw_body()
		form = frappe.request.form
		if frappe.request.headers.get("X-Twilio-Signature"):
			return Response("no", status=403, content_type="text/plain; charset=utf-8")
		return twiml(status=400)


	def twiml(status=200):
		return Response("<Response/>", status=status, content_type="text/xml; charset=utf-8")


	def acuity(**kwargs):
		from urllib.parse import parse_qs

		return parse_qs(raw_body().decode())


	def ics(token=None):
		frappe.local.response.filecontent = "BEGIN:VCALENDAR"
		frappe.local.response.type = "download"
		frappe.local.response.content_type = "text/calendar; charset=utf-8"


	def go(t=None):
		if not t:
			frappe.respond_as_web_page("x", "y", http_status_code=404)
			return
		frappe.local.response["type"] = "redirect"


	def export(**_kwargs):
		return frappe.response.get("filecontent")
	"""
)


def test_parsers_and_bounds_of_the_method_itself():
	facts = spec.read_method(SOURCE, "book")
	assert facts.parsers == {
		"start": ["instant"],
		"key": ["idempotency_key"],
		"utm_source": ["utm"],
		"count": ["meetings"],
	}
	assert facts.bounds == {"limit": (1, "reps.MAX_DAYS")}
	assert facts.success == {201}
	assert not facts.raw_body and facts.body is None


def test_fields_checked_against_a_set_in_a_helper_and_both_statuses():
	facts = spec.read_method(SOURCE, "update")
	assert facts.fields_from == ["UPDATABLE", "SPECIAL"]
	assert facts.success == {200, 201}


def test_webhook_body_signature_header_and_query_argument():
	facts = spec.read_method(SOURCE, "webhook")
	assert facts.raw_body and facts.body == "json"
	assert facts.headers == ["Calendly-Webhook-Signature"]
	assert facts.query == ["account"]
	assert facts.success == {200}


def test_form_webhook_answering_its_own_responses():
	facts = spec.read_method(SOURCE, "form_hook")
	assert facts.body == "form" and facts.returns_response
	assert facts.headers == ["X-Twilio-Signature"]
	assert {400, 403} <= facts.statuses
	assert facts.content_types == ["text/plain", "text/xml"]
	assert spec.read_method(SOURCE, "acuity").body == "form"


def test_downloads_redirects_and_pages():
	ics = spec.read_method(SOURCE, "ics")
	assert ics.download and ics.content_types == ["text/calendar"]
	go = spec.read_method(SOURCE, "go")
	assert go.redirect and go.page and 404 in go.statuses
	assert spec.read_method(SOURCE, "export").download


@pytest.mark.parametrize(
	("annotation", "default", "expected"),
	[
		(str, spec.EMPTY, {"type": "string"}),
		(int, spec.EMPTY, {"type": "integer"}),
		(bool, spec.EMPTY, {"type": "boolean"}),
		(str | None, None, {"type": ["string", "null"]}),
		(int | str | None, None, {"type": ["integer", "string", "null"]}),
		(list[str], spec.EMPTY, {"type": "array"}),
		(None, spec.EMPTY, {"type": "null"}),
		(spec.EMPTY, 1, {"type": "integer"}),
		(spec.EMPTY, None, {}),
		(spec.EMPTY, spec.EMPTY, {}),
		(object, spec.EMPTY, {}),
	],
)
def test_type_schema(annotation, default, expected):
	assert spec.type_schema(annotation, default) == expected


def test_type_schema_of_a_union_without_json_kinds():
	assert spec.type_schema(object | type) == {}


def _statuses(style, **facts):
	base = {
		"guest": False,
		"signed": False,
		"rate_limited": False,
		"success": {200},
		"extra": set(),
		"frappe_statuses": {400, 403, 404, 409, 417, 429, 500},
		"has_body": False,
	}
	return spec.answer_statuses(style, **{**base, **facts})


def test_statuses_of_a_host_method_in_the_envelope():
	found = _statuses(spec.ENVELOPE)
	assert {200, 400, 401, 403, 404, 405, 409, 503} <= set(found)
	assert 429 not in found and 502 not in found and 413 not in found
	assert all(status < 500 or status == 503 for status in found)


def test_statuses_of_a_guest_method_and_a_signed_webhook():
	guest = _statuses(spec.ENVELOPE, guest=True, rate_limited=True, success={201}, has_body=True)
	assert {201, 401, 413, 429} <= set(guest)  # 401: Frappe refuses a bad token first
	webhook = _statuses(spec.ENVELOPE, guest=True, signed=True, rate_limited=True, has_body=True)
	assert {401, 429, 502} <= set(webhook)


def test_statuses_of_plain_methods_are_frappes():
	plain = _statuses(spec.PLAIN, extra={304})
	assert {304, 401, 403, 417} <= set(plain) and 500 not in plain and 429 not in plain
	guest = _statuses(spec.PLAIN, guest=True, rate_limited=True)
	assert {401, 429} <= set(guest)


def test_components_carry_the_code_table_and_the_signatures():
	parts = spec.components({"StripeSignature": "Stripe-Signature"})
	assert parts["schemas"]["Code"]["enum"] == sorted(STATUS)
	failure = parts["schemas"]["Failure"]
	assert failure["properties"]["code"] == {"$ref": "#/components/schemas/Code"}
	assert {"alternatives", "retry_after", "reason", "errors"} <= set(failure["properties"])
	schemes = parts["securitySchemes"]
	assert schemes["StripeSignature"]["name"] == "Stripe-Signature"
	assert schemes["token"]["name"] == "Authorization" and schemes["session"]["in"] == "cookie"
	assert parts["schemas"]["EnvelopeAnswer"]["required"] == ["message"]


def test_failure_statuses_are_the_code_tables():
	assert set(spec.FAILURE_STATUSES) == {s for s in STATUS.values() if s and s < 500} | {502, 503}


def test_fields_of_a_body_checked_by_the_shared_document_fields():
	"""A ``**fields`` method whose body ``api.utils.document_fields`` checks (in a helper)
	takes the names of the sets it is given, not of a set operation met before it."""
	source = (
		"def create(user=None, **fields):\n"
		"\tleft = set(fields) - types\n"
		"\t_apply(doc, fields)\n"
		"\treturn ok(doc, status=201)\n\n"
		"def _apply(doc, fields):\n"
		"\tfields = document_fields(fields, FIELDS, SPECIAL, TEMPLATES)\n"
	)
	assert spec.read_method(source, "create").fields_from == ["FIELDS", "SPECIAL"]
