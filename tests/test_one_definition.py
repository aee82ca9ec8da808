"""One definition per value: the DocTypes' Select options are the engine's lists, every
error code has one status, and the parsers the app shares give one answer.

A Select field that mirrors an engine list is named here with its constant, so changing
either side alone fails; fields whose values only Frappe-side code knows (effects'
outbox statuses, the captcha providers, connection statuses) are not engine lists.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from scheduler_integration.core import error_codes
from scheduler_integration.engine import adapters
from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.statuses import STATUSES, Status
from scheduler_integration.engine.teams import MODE_LABELS
from scheduler_integration.engine.validation import (
	ASSIGNMENTS,
	LOCATION_TYPES,
	PROVIDERS,
	STANDARD_DURATIONS,
	is_yes,
)
from scheduler_integration.providers.providers import provider_labels
from scheduler_integration.rules import analytics, external_schedulers, routing
from scheduler_integration.rules.guest_form import (
	FIELDTYPES,
	Question,
	clean_answer,
	clean_question,
)
from scheduler_integration.rules.payment_statuses import BOOKING_PAYMENT_STATUSES, PAYMENT_STATUSES
from scheduler_integration.rules.payments import REFUND_DEFAULT, REFUND_POLICIES
from scheduler_integration.rules.sms_replies import CANCELLED, REFUSED, Action

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "scheduler_integration"
DOCTYPES = APP / "scheduler_integration" / "doctype"
BLANK = ("",)  # a first empty option: the field may be unset

# (DocType, field) -> the engine's list, in the DocType's order
SELECTS: dict[tuple[str, str], tuple[str, ...]] = {
	("Scheduler Booking", "status"): STATUSES,
	("Scheduler Booking", "payment_status"): BLANK + BOOKING_PAYMENT_STATUSES,
	("Scheduler Payment", "status"): PAYMENT_STATUSES,
	("Scheduler Routing Condition", "operator"): routing.OPERATORS,
	("Scheduler Routing Rule", "outcome"): routing.OUTCOMES,
	("Scheduler Engagement", "event_type"): BLANK + analytics.EVENT_TYPES,
	("Scheduler External Meeting", "status"): external_schedulers.STATUSES,
	("Scheduler Meeting Type", "refund_policy"): REFUND_POLICIES,
	("Scheduler Meeting Type", "round_robin_mode"): tuple(MODE_LABELS),
	("Scheduler Meeting Type", "assignment"): ASSIGNMENTS,
	("Scheduler Meeting Type", "location_type"): BLANK + LOCATION_TYPES,
	("Scheduler Meeting Type", "duration"): (*map(str, STANDARD_DURATIONS), "Custom"),
	("Scheduler Meeting Type", "day_mode"): tuple(adapters.DAY_MODES),
	("Scheduler Meeting Type", "series_frequency"): tuple(adapters.FREQUENCIES),
	("Scheduler Availability Rule", "weekday"): adapters.WEEKDAY_NAMES,
	("Scheduler Profile", "scheduler_provider"): PROVIDERS,
	("Scheduler Calendar Connection", "provider"): tuple(provider_labels()),
}
# the same values in the form's own order (each form lists question types its own way)
UNORDERED: dict[tuple[str, str], frozenset[str]] = {
	("Scheduler Question", "fieldtype"): frozenset(FIELDTYPES),
	("Scheduler Routing Question", "fieldtype"): frozenset(FIELDTYPES),
	# what a reply did: each action but the cancel it asks about (stored as its answer)
	("Scheduler SMS Reply", "outcome"): frozenset(
		{a.value for a in Action if a not in (Action.CANCEL, Action.UNKNOWN_SENDER)} | {CANCELLED, REFUSED}
	),
}
# the field's default is the engine's
DEFAULTS = {
	("Scheduler Meeting Type", "refund_policy"): REFUND_DEFAULT,
	("Scheduler Meeting Type", "round_robin_mode"): next(iter(MODE_LABELS)),
	("Scheduler Booking", "status"): Status.CONFIRMED.value,
	("Scheduler Payment", "status"): PAYMENT_STATUSES[0],
	("Scheduler Profile", "scheduler_provider"): PROVIDERS[0],
	("Scheduler Question", "fieldtype"): "Data",  # clean_question's type for an unknown one
	("Scheduler Routing Question", "fieldtype"): "Data",
}


def _selects() -> dict[tuple[str, str], dict]:
	fields = {}
	for path in sorted(DOCTYPES.glob("*/*.json")):
		doc = json.loads(path.read_text())
		if doc.get("doctype") != "DocType":
			continue
		for field in doc.get("fields", []):
			if field.get("fieldtype") == "Select":
				fields[(doc["name"], field["fieldname"])] = field
	return fields


SELECT_FIELDS = _selects()


def _options(field: dict) -> tuple[str, ...]:
	return tuple((field.get("options") or "").split("\n"))


@pytest.mark.parametrize("key", sorted(SELECTS), ids=lambda key: ".".join(key))
def test_select_options_are_the_engine_list(key):
	assert key in SELECT_FIELDS, f"{key} is no Select field any more"
	assert _options(SELECT_FIELDS[key]) == SELECTS[key]


@pytest.mark.parametrize("key", sorted(UNORDERED), ids=lambda key: ".".join(key))
def test_select_options_hold_the_engine_values(key):
	options = _options(SELECT_FIELDS[key])
	assert len(options) == len(set(options))
	assert set(options) == UNORDERED[key]


@pytest.mark.parametrize("key", sorted(DEFAULTS), ids=lambda key: ".".join(key))
def test_select_defaults_are_the_engine_default(key):
	assert SELECT_FIELDS[key].get("default") == DEFAULTS[key]


# --- error codes -----------------------------------------------------------------------


def test_every_code_has_one_status():
	# a dict holds each code once; the names are the codes themselves
	for code in error_codes.STATUS:
		assert getattr(error_codes, code) == code
	statuses = set(error_codes.STATUS.values()) - {None}
	assert all(400 <= status < 600 for status in statuses)


def test_a_status_alone_names_a_code_of_that_status():
	for status, code in error_codes.BY_STATUS.items():
		expected = 400 if status == 417 else status  # Frappe's ValidationError: the app says 400
		assert error_codes.STATUS[code] == expected, (status, code)
	assert error_codes.code_for(502) == error_codes.SERVER_ERROR
	assert error_codes.code_for(418) == error_codes.INVALID_INPUT


def test_frappe_exceptions_name_codes_of_the_table():
	assert set(error_codes.FRAPPE_CODES.values()) <= set(error_codes.STATUS)


def test_401_codes_agree():
	codes_401 = {code for code, status in error_codes.STATUS.items() if status == 401}
	assert codes_401 == {error_codes.NOT_SIGNED_IN, error_codes.UNAUTHORIZED}
	# a guest refused by Frappe and any 401 known only by its status: the same code
	assert error_codes.code_for(401) == error_codes.NOT_SIGNED_IN
	assert error_codes.FRAPPE_CODES["AuthenticationError"] == error_codes.NOT_SIGNED_IN
	assert error_codes.FRAPPE_CODES["SessionExpired"] == error_codes.NOT_SIGNED_IN


def _app_modules():
	for path in sorted(APP.rglob("*.py")):
		rel = path.relative_to(APP).as_posix()
		# the bench tests (tests/, and a DocType's own test_<doctype>.py beside it) read codes
		if rel.startswith("tests/") or path.name.startswith("test_") or rel == "core/error_codes.py":
			continue
		yield rel, ast.parse(path.read_text())


def test_codes_are_written_only_in_the_table():
	"""No module spells a code itself, and no error class pairs a code with a status of its
	own: each takes ``code`` from the table and its status from the code."""
	spelled, paired = [], []
	for rel, tree in _app_modules():
		for node in ast.walk(tree):
			if isinstance(node, ast.Constant) and node.value in error_codes.STATUS:
				spelled.append(f"{rel}:{node.lineno} {node.value}")
			if isinstance(node, ast.ClassDef):
				assigned = {
					target.id: stmt.value
					for stmt in node.body
					if isinstance(stmt, ast.Assign)
					for target in stmt.targets
					if isinstance(target, ast.Name)
				}
				status = assigned.get("http_status_code")
				if "code" in assigned and isinstance(status, ast.Constant):
					paired.append(f"{rel}:{node.lineno} {node.name}")
	assert not spelled
	assert not paired


def test_docs_list_every_code_with_its_status():
	text = (ROOT / "docs" / "api.md").read_text()
	listed = {}
	for line in text.splitlines():
		cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
		if len(cells) != 3 or not cells[0].startswith("`"):
			continue
		status = int(cells[1]) if cells[1].isdigit() else None
		for code in re.findall(r"`([A-Z_]+)`", cells[0]):
			listed[code] = status
	expected = {
		code: (None if code == error_codes.SERVER_ERROR else status)
		for code, status in error_codes.STATUS.items()
	}
	assert listed == expected


# --- question rows and yes/no ---------------------------------------------------------


def test_one_question_validator():
	assert clean_question("  Topic ", "Data", "") == ("Topic", "Data")
	assert clean_question("Topic", "Rich Text", "") == ("Topic", "Data")
	assert clean_question("Where", "Country", "") == ("Where", "Country")  # the site's list
	assert clean_question("Size", "Select", "\nS\n M \n") == ("Size", "Select")
	for kind in ("Select", "Radio", "Multi Select"):
		with pytest.raises(InvalidField) as refused:
			clean_question("Size", kind, " \n ")
		assert refused.value.field == "options"
	with pytest.raises(InvalidField) as refused:
		clean_question("  ", "Data", "")
	assert refused.value.field == "label"
	with pytest.raises(InvalidField):
		clean_question("x" * 201, "Data", "")


@pytest.mark.parametrize(
	("value", "yes"),
	[
		("1", True),
		(" TRUE ", True),
		("yes", True),
		("on", True),
		("0", False),
		("no", False),
		("", False),
		(None, False),
		(True, True),
		(False, False),
		(1, True),
		(0, False),
	],
)
def test_one_yes_no_parser(value, yes):
	assert is_yes(value) is yes
	# a Check question reads a guest's answer the same way
	assert clean_answer(Question("Agree", "Check"), value, "agree") is yes
