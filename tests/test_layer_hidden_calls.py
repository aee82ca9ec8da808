"""The layer check sees the calls the import graph cannot: a controller method called from
a lower layer on a document from ``frappe.get_doc``, and a module loaded by name. Run on a
tiny app tree, clean and with one such call added at a time."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import check_frappe_layer  # noqa: E402

DOCTYPE = {
	"doctype": "DocType",
	"name": "Demo Thing",
	"module": "Scheduler Integration",
	"fields": [{"fieldname": "title", "fieldtype": "Data"}],
}
CLEAN = {
	"__init__.py": "",
	"hooks.py": 'app_name = "scheduler_integration"\n',
	"scheduler_integration/__init__.py": "",
	"scheduler_integration/doctype/__init__.py": "",
	"scheduler_integration/doctype/demo_thing/__init__.py": "",
	"scheduler_integration/doctype/demo_thing/demo_thing.json": json.dumps(DOCTYPE),
	"scheduler_integration/doctype/demo_thing/demo_thing.py": (
		"from frappe.model.document import Document\n\n"
		"from scheduler_integration.connections import sync\n\n\n"
		"class DemoThing(Document):\n"
		"\tdef renew(self):\n"
		"\t\treturn sync.refresh(self)\n"
	),
	# an entry point may call the controller: it sits above it
	"api/__init__.py": "",
	"api/things.py": (
		"import frappe\n\n\n"
		'@frappe.whitelist(methods=["POST"])\n'
		"def renew(name):\n"
		'\treturn frappe.get_doc("Demo Thing", name).renew()\n'
	),
	# below the controllers: Frappe's own document methods, and another DocType's, are fine
	"booking/__init__.py": "",
	"booking/work.py": (
		"import frappe\n\n\n"
		"def tidy(doc):\n"
		"\treturn doc.title\n\n\n"
		"def store(name):\n"
		'\tfrappe.get_doc("Demo Thing", name).save()\n'
		'\tuser = frappe.get_doc("User", name)\n'
		'\treturn user.get_password("api_secret")\n'
	),
	"connections/__init__.py": "",
	"connections/sync.py": (
		"from scheduler_integration.booking import work\n\n\ndef refresh(doc):\n\treturn work.tidy(doc)\n"
	),
	# a load by name down into a package that does not import back
	"providers/__init__.py": "",
	"providers/feeds.py": (
		'import importlib\n\n\ndef rules():\n\treturn importlib.import_module("scheduler_integration.engine.rules")\n'
	),
	"engine/__init__.py": "",
	"engine/rules.py": "LIMIT = 1\n",
}
BROKEN = {
	"direct chain": (
		"booking/direct.py",
		'import frappe\n\n\ndef renew(name):\n\treturn frappe.get_doc("Demo Thing", name).renew()\n',
		"booking/direct.py: line 5: booking calls renew() of the Demo Thing controller on frappe.get_doc(...)",
	),
	"variable": (
		"booking/variable.py",
		"import frappe\n\n"
		'THING = "Demo Thing"\n\n\n'
		"def renew(name):\n"
		"\tdoc = frappe.get_cached_doc(THING, name)\n"
		"\treturn doc.renew()\n",
		"booking/variable.py: line 8: booking calls renew() of the Demo Thing controller on "
		"frappe.get_cached_doc(...)",
	),
	"loop over documents": (
		"booking/loop.py",
		"import frappe\n\n\n"
		"def renew_all(names):\n"
		'\tfor doc in [frappe.get_doc("Demo Thing", n) for n in names]:\n'
		"\t\tdoc.renew()\n",
		"booking/loop.py: line 6: booking calls renew() of the Demo Thing controller",
	),
	"name bound in another function": (
		"connections/passed.py",
		"import frappe\n\n\n"
		"def load(name):\n"
		'\tthing = frappe.get_doc("Demo Thing", name)\n'
		"\treturn renew(thing)\n\n\n"
		"def renew(thing):\n"
		"\treturn thing.renew()\n",
		"connections/passed.py: line 10: booking calls renew() of the Demo Thing controller",
	),
	"loaded by name, upwards": (
		"booking/upward.py",
		'import frappe\n\n\ndef renew():\n\treturn frappe.get_attr("scheduler_integration.api.things.renew")()\n',
		"booking/upward.py: line 5: booking loads scheduler_integration.api.things.renew of entry "
		"points by name, a layer above it",
	),
	"loaded by name, across into a package that imports back": (
		"booking/across.py",
		"import importlib\n\n\n"
		"def sync():\n"
		'\treturn importlib.import_module("scheduler_integration.connections.sync")\n',
		"booking/across.py: line 5: loads scheduler_integration.connections.sync by name across "
		"into connections, which imports booking back",
	),
	"loaded by a computed name": (
		"providers/registry.py",
		"def load(path):\n\treturn __import__(path)\n",
		"providers/registry.py: line 2: loads a module by a name computed at run time",
	),
}


def tiny_tree(root: Path, extra: dict[str, str] | None = None) -> Path:
	for rel, text in {**CLEAN, **(extra or {})}.items():
		path = root / "scheduler_integration" / rel
		path.parent.mkdir(parents=True, exist_ok=True)
		path.write_text(text)
	return root


@pytest.fixture(autouse=True)
def _restore_root():
	yield
	check_frappe_layer.use_root(ROOT)


def test_clean_tiny_tree_passes(tmp_path, capsys):
	assert check_frappe_layer.main([str(tiny_tree(tmp_path))]) == 0, capsys.readouterr().out
	assert "0 problem(s)" in capsys.readouterr().out


def test_the_app_passes(capsys):
	assert check_frappe_layer.main([str(ROOT)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_hidden_call_fails(case, tmp_path, capsys):
	rel, text, expected = BROKEN[case]
	assert check_frappe_layer.main([str(tiny_tree(tmp_path, {rel: text}))]) == 1
	out = capsys.readouterr().out
	assert expected in out, out
	assert "1 problem(s)" in out, out
