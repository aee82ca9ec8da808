"""Request bodies Frappe's parsing cannot take are named, everything else passes."""

import json

import pytest

from scheduler_integration.rules.request_body import (
	FRAMEWORK_KEY,
	MALFORMED,
	MAX_DEPTH,
	NOT_AN_OBJECT,
	TOO_DEEP,
	depth,
	refusal,
)

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
	"body, reason",
	[
		('{"profile": "x",', MALFORMED),
		("{bad", MALFORMED),
		("\ufeff{}", MALFORMED),
		("9" * 5000, MALFORMED),  # more digits than Python converts
		(DEEP, TOO_DEEP),
		("[" * 100_000, TOO_DEEP),  # unterminated, and deep before it ends
		('{"a":' * 3000 + "1" + "}" * 3000, TOO_DEEP),
		("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), TOO_DEEP),
		("42", NOT_AN_OBJECT),
		("null", NOT_AN_OBJECT),
		('"text"', NOT_AN_OBJECT),
		("1e999999", NOT_AN_OBJECT),
		(json.dumps({"cmd": {"a": 1}}), FRAMEWORK_KEY),
		(json.dumps({"cmd": ["x"]}), FRAMEWORK_KEY),
		(json.dumps({"cmd": True}), FRAMEWORK_KEY),
		(json.dumps({"_lang": ["a", {"b": 1}]}), FRAMEWORK_KEY),
		('{"sid": "x\\ud800y"}', FRAMEWORK_KEY),
		(json.dumps({"notes": DEEP}), TOO_DEEP),
	],
)
def test_refused_json_bodies(body, reason):
	assert refusal(body, {}) == reason


@pytest.mark.parametrize(
	"body",
	[
		json.dumps({"profile": "p", "answers": {"Goal": ["a", {"b": 1}]}}),
		json.dumps([{"profile": "p"}]),
		"[" * MAX_DEPTH + "]" * MAX_DEPTH,
		json.dumps({"cmd": "scheduler_integration.api.public.book", "sid": "Guest", "_lang": "de"}),
		json.dumps({"cmd": None, "name": "x\ud800y"}),  # app fields are the app's to refuse
		json.dumps({"notes": "[[[ not json"}),
	],
)
def test_readable_json_bodies(body):
	assert refusal(body, {}) is None


def test_form_fields():
	assert refusal(None, {"name": DEEP}) == TOO_DEEP
	assert refusal("", {"name": " " + DEEP}) == TOO_DEEP
	assert refusal(None, {"name": "x" + DEEP}) is None  # json.loads stops at the first character
	assert refusal(None, {"cmd": "frappe.ping", "name": "[1, 2]"}) is None
	assert refusal(None, {"sid": "\udfff"}) == FRAMEWORK_KEY


def test_depth_counts_containers_without_recursion():
	assert depth(1) == 0
	assert depth([[{}]]) == 3
	nested = []
	for _ in range(50_000):
		nested = [nested]
	assert depth(nested) == MAX_DEPTH + 1  # stops once past the limit
