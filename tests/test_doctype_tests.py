"""The main DocTypes have their tests beside them, as ``bench run-tests --doctype`` looks for
them (``doctype/<x>/test_<x>.py``), and each such file keeps Frappe's runner from making the
stock test records of what the DocType links to (``test_ignore``): the bench suite fails on a
site that is not left as it was found."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOCTYPES = Path(__file__).resolve().parents[1] / "scheduler_integration" / "scheduler_integration" / "doctype"
MAIN = (
	"Scheduler Booking",
	"Scheduler Meeting Type",
	"Scheduler Routing Form",
	"Scheduler Payment",
	"Scheduler Booking Page",
	"Scheduler Profile",
	"Scheduler Settings",
	"Scheduler Calendar Connection",
)


def module_of(doctype: str) -> Path:
	snake = doctype.lower().replace(" ", "_")
	return DOCTYPES / snake / f"test_{snake}.py"


@pytest.mark.parametrize("doctype", MAIN)
def test_a_main_doctype_has_its_tests_beside_it(doctype):
	tree = ast.parse(module_of(doctype).read_text(encoding="utf-8"))
	tests = [
		node.name
		for cls in tree.body
		if isinstance(cls, ast.ClassDef)
		for node in cls.body
		if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
	]
	assert tests, f"{module_of(doctype).name} holds no test"
	ignored = [
		node
		for node in tree.body
		if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "test_ignore" for t in node.targets)
	]
	assert ignored, f"{module_of(doctype).name} does not set test_ignore"


def test_every_test_file_beside_a_doctype_sets_test_ignore():
	for path in sorted(DOCTYPES.glob("*/test_*.py")):
		assert "test_ignore" in path.read_text(encoding="utf-8"), path
