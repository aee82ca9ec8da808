"""The layer check sees three more kinds of up-calls: a function of a higher layer queued or
named by its dotted path (``frappe.enqueue``, a hook, a constant), a controller's method
called on a document the check cannot trace to Frappe (a parameter, an attribute) or run by
name, and an import a package's docstring says it never makes. Each is shown on the tiny
tree of ``test_layer_hidden_calls`` and on a copy of the app broken the way it once was."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import check_frappe_layer  # noqa: E402
from test_layer_hidden_calls import tiny_tree  # noqa: E402

JOBS = {
	"jobs/__init__.py": "",
	"jobs/work.py": "def run(thing=None):\n\treturn thing\n",
	"effects/__init__.py": "",
}
# the app's own wrapper of frappe.enqueue (core/queue.py)
QUEUE = {"core/__init__.py": "", "core/queue.py": "def enqueue(method, **kwargs):\n\treturn method\n"}
BROKEN = {
	"queued upwards by dotted name": (
		"effects/notify.py",
		'import frappe\n\n\ndef later():\n\tfrappe.enqueue("scheduler_integration.jobs.work.run", queue="short")\n',
		"effects/notify.py: line 5: effects queues scheduler_integration.jobs.work.run of entry points "
		"by its dotted path, a layer above it",
	),
	"queued upwards through a wrapper, by keyword": (
		"effects/wrapped.py",
		"from scheduler_integration.core import queue\n\n\n"
		"def later():\n"
		'\tqueue.enqueue(method="scheduler_integration.jobs.work.run")\n',
		"effects/wrapped.py: line 5: effects queues scheduler_integration.jobs.work.run of entry points",
	),
	"named upwards in a constant": (
		"booking/later.py",
		'JOB = "scheduler_integration.api.things.renew"\n',
		"booking/later.py: line 1: booking names scheduler_integration.api.things.renew of entry points "
		"by its dotted path, a layer above it",
	),
	"named upwards in a hook-like table": (
		"connections/events.py",
		'EVENTS = {"Demo Thing": {"on_update": "scheduler_integration.jobs.work.run"}}\n',
		"connections/events.py: line 1: booking names scheduler_integration.jobs.work.run of entry points",
	),
	"queued by a computed name": (
		"effects/computed.py",
		'import frappe\n\n\ndef later(name):\n\tfrappe.enqueue(f"scheduler_integration.jobs.work.{name}")\n',
		"effects/computed.py: line 5: queues a job by a name computed at run time",
	),
	"controller method on a parameter": (
		"booking/summary.py",
		"def summary(thing):\n\treturn {'renewed': thing.renew()}\n",
		"booking/summary.py: line 2: booking calls renew() of the Demo Thing controller on thing, "
		"a layer above it",
	),
	"controller method on an attribute": (
		"connections/holder.py",
		"class Holder:\n"
		"\tdef __init__(self, doc):\n"
		"\t\tself.doc = doc\n\n"
		"\tdef go(self):\n"
		"\t\treturn self.doc.renew()\n",
		"connections/holder.py: line 6: booking calls renew() of the Demo Thing controller on self.doc",
	),
	"controller method run by name": (
		"booking/run.py",
		'def go(doc):\n\treturn doc.run_method("renew")\n',
		"booking/run.py: line 2: booking runs renew() of a controller by name (doc.run_method)",
	),
	"controller method queued by name": (
		"effects/queued.py",
		'import frappe\n\n\ndef go(name):\n\tfrappe.enqueue_doc("Demo Thing", name, "renew")\n',
		"effects/queued.py: line 5: effects runs renew() of a controller by name (frappe.enqueue_doc)",
	),
	# the tiny tree's connections/sync.py imports booking/: harmless until the package says
	# it never does
	"documented never-import": (
		"connections/__init__.py",
		'"""Provider connections; nothing here imports ``booking/``."""\n',
		"connections/sync.py: line 1: imports scheduler_integration.booking.work, but connections/ "
		"never imports booking/ (connections/__init__.py)",
	),
	# the tiny tree's providers/feeds.py loads engine/ by name: a load by name is held to it too
	"documented imports-only": (
		"providers/__init__.py",
		'"""Adapters. Imports only ``core``."""\n',
		"providers/feeds.py: line 5: loads scheduler_integration.engine.rules by name, but providers/ "
		"never imports engine/ (providers/__init__.py)",
	),
	"a never-import rule the check cannot read": (
		"engine/__init__.py",
		'"""Pure: nothing here imports ``nowhere``."""\n',
		"engine/__init__.py: states what it never imports, but 'nowhere' is no package of the app",
	),
}


@pytest.fixture(autouse=True)
def _restore_root():
	yield
	check_frappe_layer.use_root(ROOT)


def test_clean_tiny_tree_with_jobs_passes(tmp_path, capsys):
	assert check_frappe_layer.main([str(tiny_tree(tmp_path, {**JOBS, **QUEUE}))]) == 0, (
		capsys.readouterr().out
	)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_blind_spot_fails(case, tmp_path, capsys):
	rel, text, expected = BROKEN[case]
	extra = {**JOBS, **QUEUE, rel: text}
	assert check_frappe_layer.main([str(tiny_tree(tmp_path, extra))]) == 1
	out = capsys.readouterr().out
	assert expected in out, out
	assert "1 problem(s)" in out, out


def test_the_app_states_its_rules(capsys):
	"""What the app's docstrings say never to import, as the check reads it."""
	assert check_frappe_layer.main([str(ROOT)]) == 0, capsys.readouterr().out
	rules: dict[str, set[str]] = {}
	for package, forbidden, _written in check_frappe_layer.NEVER_IMPORTS:
		rules.setdefault(package, set()).update(forbidden)
	assert rules["connections"] == {"booking", "effects"}
	assert rules["booking"] == {"effects", "reporting", "scheduler_integration/doctype", "api"}
	assert "providers" not in rules["core"] and "engine" not in rules["core"]
	assert {"booking", "connections", "effects", "api"} <= rules["core"]
	# effects/ is imported only by controllers, jobs, install and patches
	assert all("effects" in rules[place] for place in ("api", "www", "hooks.py", "demo.py", "booking"))
	assert not any("effects" in rules.get(place, ()) for place in ("jobs", "patches", "install.py"))
	assert "effects" not in rules.get("scheduler_integration/doctype", ())


def broken_app(tmp_path: Path) -> Path:
	"""A copy of the app with the three up-calls the check once missed put back, and the\nshapes of a thick api/."""
	shutil.copytree(ROOT / "scheduler_integration", tmp_path / "scheduler_integration")
	app = tmp_path / "scheduler_integration"

	def put_back(rel: str, now: str, before: str) -> None:
		path = app / rel
		text = path.read_text()
		assert now in text, (rel, now)
		path.write_text(text.replace(now, before, 1))

	put_back(
		"effects/automations.py",
		'"scheduler_integration.effects.reminders.dispatch_due_reminders"',
		'"scheduler_integration.jobs.reminders.dispatch_due_reminders"',
	)
	put_back(
		"effects/reminders.py",
		'SEND_JOB = "scheduler_integration.effects.reminders.send_reminder"',
		'SEND_JOB = "scheduler_integration.jobs.reminders.send_reminder"',
	)
	put_back("booking/pages.py", '"duration": duration_minutes(doc)', '"duration": doc.duration_minutes()')
	(app / "connections" / "planted.py").write_text("from scheduler_integration.booking import slots\n")
	# the request's own code starting an after-commit effect, and an api/ that does the
	# loading itself: how list_my_bookings and the booking's answer once were
	put_back(
		"api/public.py",
		"from scheduler_integration.core.languages import reader_language",
		"from scheduler_integration.effects.email import reader_language",
	)
	(app / "api" / "planted.py").write_text(
		"import frappe\n\n\n"
		"def mine(user):\n"
		'\tfilters = [["Scheduler Booking Host", "user", "=", user]]\n'
		'\trows = frappe.get_all("Scheduler Booking", filters=filters)\n'
		'\tfrappe.db.set_value("Scheduler Booking", rows[0].name, "notes", "")\n'
		'\treturn frappe.qb.from_("tabScheduler Booking").select("name").run()\n'
	)
	return tmp_path


def test_the_app_broken_the_old_way_fails(tmp_path, capsys):
	assert check_frappe_layer.main([str(broken_app(tmp_path))]) == 1
	out = capsys.readouterr().out
	# the line numbers move with the code: each problem is matched by file and text
	for where, expected in (
		(
			"effects/automations.py",
			"effects queues scheduler_integration.jobs.reminders.dispatch_due_reminders of entry points by "
			"its dotted path, a layer above it",
		),
		(
			"effects/reminders.py",
			"effects names scheduler_integration.jobs.reminders.send_reminder of entry points by its dotted "
			"path, a layer above it",
		),
		(
			"booking/pages.py",
			"booking calls duration_minutes() of the Scheduler Meeting Type controller on doc, a layer "
			"above it",
		),
		(
			"connections/planted.py",
			"imports scheduler_integration.booking.slots, but connections/ never imports booking/ "
			"(connections/__init__.py)",
		),
		(
			"api/public.py",
			"imports scheduler_integration.effects.email, but api/ never imports effects/ (api/__init__.py)",
		),
		("api/planted.py", "api/ lists rows through Scheduler Booking Host (a join)"),
		("api/planted.py", "api/ writes a row past its controller (frappe.db.set_value)"),
		("api/planted.py", "api/ builds a query (frappe.qb.from_)"),
	):
		assert re.search(re.escape(where) + r": line \d+: " + re.escape(expected), out), (where, out)
	assert "8 problem(s)" in out, out
