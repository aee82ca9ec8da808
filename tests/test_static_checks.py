"""The Frappe-layer static checker catches what it promises to (run on a broken copy)."""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import check_frappe_layer  # noqa: E402


def broken_copy(tmp_path: Path) -> Path:
	shutil.copytree(ROOT / "scheduler_integration", tmp_path / "scheduler_integration")
	app = tmp_path / "scheduler_integration"
	doctype = app / "scheduler_integration" / "doctype" / "scheduler_phase" / "scheduler_phase.json"
	data = json.loads(doctype.read_text())
	data["fields"].append(dict(data["fields"][0]))  # duplicate fieldname
	data["fields"].append({"fieldname": "owner_link", "fieldtype": "Link", "options": "No Such DocType"})
	doctype.write_text(json.dumps(data))
	(app / "api" / "leaky.py").write_text(
		"import frappe\n\n\n@frappe.whitelist(allow_guest=True)\ndef open_door():\n\treturn 1\n"
	)
	(app / "engine" / "impure.py").write_text("import frappe\n")
	# the provider adapters (calendar and video) are as pure as the engine, and low in the layers
	(app / "providers" / "impure.py").write_text("def f():\n\tfrom frappe.utils import now\n")
	(app / "providers" / "upward.py").write_text("import scheduler_integration.booking\n")
	# an upward import (booking -> api) and a cycle between two booking modules
	(app / "booking" / "upward.py").write_text("from scheduler_integration.api import utils\n")
	(app / "booking" / "ring_a.py").write_text(
		"def f():\n\tfrom scheduler_integration.booking import ring_b\n"
	)
	(app / "booking" / "ring_b.py").write_text("from scheduler_integration.booking.ring_a import f\n")
	(app / "stray.py").write_text("x = 1\n")
	(app / "hooks.py").write_text(
		(app / "hooks.py").read_text() + '\nbroken_hook = "scheduler_integration.nowhere.fn"\n'
	)
	(app / "fixtures" / "bad.json").write_text("{not json")
	return tmp_path


def test_clean_tree_passes(capsys):
	assert check_frappe_layer.main([str(ROOT)]) == 0
	assert "0 problem(s)" in capsys.readouterr().out


def test_broken_tree_reports_each_problem(tmp_path, capsys):
	assert check_frappe_layer.main([str(broken_copy(tmp_path))]) == 1
	out = capsys.readouterr().out
	for expected in (
		"duplicate fieldname",
		"links to unknown DocType 'No Such DocType'",
		"open_door: whitelisted without explicit methods",
		"booking imports scheduler_integration.api.utils of entry points, a layer above it",
		"import cycle: scheduler_integration.booking.ring_a -> scheduler_integration.booking.ring_b",
		"stray.py: module belongs to no layer",
		"open_door: allow_guest without @per_ip",
		"engine/ must not import frappe",
		"providers/ must not import frappe",
		"providers/upward.py: line 1: providers imports scheduler_integration.booking of booking, a layer above it",
		"hook path does not resolve: scheduler_integration.nowhere.fn",
		"invalid JSON",
	):
		assert expected in out, expected
	check_frappe_layer.use_root(ROOT)
