#!/usr/bin/env python3
"""Static checks of the Frappe layer that need no bench.

* every JSON file of the app parses;
* DocType JSON: name matches its folder, fieldnames unique, Link / Table / Table
  MultiSelect options name a DocType of this app or a known Frappe core DocType,
  a controller module sits beside it;
* Workspace JSON links point at DocTypes/Reports that exist;
* hooks.py dotted paths resolve to a module (and function) of this app;
* every ``@frappe.whitelist(...)`` is restricted to explicit HTTP ``methods``, and every
  guest one (``allow_guest=True``) carries a per-IP limit (``@per_ip``, ``core/limits.py``);
* no module under ``engine/``, ``rules/`` or ``providers/`` imports frappe;
* imports follow the layers (``LAYERS``, top to bottom): a module imports only from its
  own layer or lower ones — never upwards — and no modules import each other in a
  circle, counting imports inside functions too;
* what a package's docstring says it never imports (read into ``NEVER_IMPORTS``:
  ``connections/`` never imports ``booking/``, beside it in one layer) holds, for imports
  and by-name references alike;
* no call goes up past the import graph's back: a layer below the controllers never calls
  a method of this app's DocType controllers on a document it got from Frappe
  (``frappe.get_doc(...).method()``, or ``doc = frappe.get_doc(...)`` then
  ``doc.method()``), nor on any other document (a parameter, an attribute) when the method
  is one only a controller defines, nor runs one by name (``run_method``,
  ``queue_action``, ``frappe.enqueue_doc``); no module is loaded by name
  (``importlib.import_module``, ``__import__``, ``frappe.get_attr``, ``frappe.get_module``,
  ``frappe.call``) and no function named by its dotted path (``frappe.enqueue``, a hook, a
  constant for later) from a layer above it, across into a package that imports back, or
  by a name computed at run time (the check cannot follow it);
* ``api/`` is thin: it builds no query, lists no rows through a join and writes no row past
  a controller (``check_thin_api``); what ``effects/`` says imports it ("Imported only by
  controllers, jobs, install and patches") is held like a never-import rule.

Exit status 1 with one line per problem, 0 when clean.
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import io
import json
import re
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "scheduler_integration"


def use_root(root: Path) -> None:
	"""Check another checkout (tests point this at a deliberately broken copy)."""
	global ROOT, APP
	ROOT = root.resolve()
	APP = ROOT / "scheduler_integration"
	problems.clear()
	_trees.clear()
	_walks.clear()


# Frappe core (and optional ERPNext / CRM) DocTypes this app may link to. Kept by hand:
# adding a name here is a conscious decision to depend on it.
CORE_DOCTYPES = {
	"User",
	"Role",
	"DocType",
	"Module Def",
	"Contact",
	"Address",
	"Event",
	"Comment",
	"Communication",
	"Email Queue",
	"Email Template",
	"Email Account",
	"Google Calendar",
	"Connected App",
	"Token Cache",
	"File",
	"Print Format",
	"Web Page",
	"Country",
	"Currency",
	"Language",
	"Dynamic Link",
	"Has Role",
	"Workspace",
	"Report",
	"Dashboard Chart",
	"Number Card",
	"Webhook",
	"Notification",
}
OPTIONAL_DOCTYPES = {"Lead", "Customer", "Opportunity", "CRM Lead", "CRM Deal"}  # only via Dynamic Link
LINK_TYPES = {"Link", "Table", "Table MultiSelect"}
PURE_PACKAGES = ("engine", "rules", "providers")
# top to bottom; a module may import from its own layer and the layers below it. Paths are
# relative to the app package; a module not listed here (tests aside) is a problem.
LAYERS = (
	(
		"entry points",
		(
			"api",
			"www",
			"jobs",
			"patches",
			"commands.py",
			"hooks.py",
			"install.py",
			"demo.py",
			"scheduler_integration/report",
		),
	),
	("controllers", ("scheduler_integration/doctype",)),
	("effects", ("effects",)),
	("outputs and CRM look-ups", ("outputs", "crm")),
	("reporting", ("reporting",)),
	("booking", ("booking", "connections")),
	("core", ("core",)),
	("providers", ("providers",)),
	("rules", ("rules",)),
	("engine", ("engine",)),
)
LAYER_FREE = (
	"__init__.py",
	"tests",
	"config",
	"templates",
	"public",
	"fixtures",
	"scheduler_integration/__init__.py",
)

# A package's docstring may say what it never imports: "nothing here imports ``booking/``",
# "never imports frappe", "Imports only ``engine`` and ``providers``". The check reads those
# sentences and holds the package to them (``NEVER_IMPORTS``, filled by ``read_rules``), as
# a package beside another in one layer (connections/ beside booking/) is not held by the
# layer order. A word it cannot read is a problem, so a written rule never goes unchecked.
NEVER_SAID = re.compile(r"(?:nothing here|never) imports ([^.;:(]+)", re.IGNORECASE)
ONLY_SAID = re.compile(r"(?<!imported )imports only ([^.;:(]+)", re.IGNORECASE)
# "Imported only by controllers, jobs, install and patches" (effects/): every other place
# of the app never imports the package
ONLY_BY_SAID = re.compile(r"imported only by ([^.;:(]+)", re.IGNORECASE)
RULE_WORDS = {"controllers": "scheduler_integration/doctype", "frappe": "frappe"}
# (package, places it never imports, the file that says so)
NEVER_IMPORTS: list[tuple[str, tuple[str, ...], str]] = []

problems: list[str] = []


_trees: dict[Path, ast.Module] = {}


def parsed(path: Path) -> ast.Module:
	"""The syntax tree of ``path``, parsed once per run (every check walks the same files)."""
	if path not in _trees:
		_trees[path] = ast.parse(path.read_text(encoding="utf-8"))
	return _trees[path]


_walks: dict[int, tuple[ast.AST, list[ast.AST]]] = {}


def walk(node: ast.AST) -> list[ast.AST]:
	"""``ast.walk(node)`` as a list, made once per node: the checks walk the same modules and
	functions again and again (``ast.walk`` was three quarters of a run's time)."""
	kept = _walks.get(id(node))
	if kept is None or kept[0] is not node:  # the node itself kept: an id is never reused
		kept = _walks[id(node)] = (node, list(ast.walk(node)))  # its order too
	return kept[1]


def problem(path: Path, message: str) -> None:
	problems.append(f"{path.relative_to(ROOT)}: {message}")


def load_json(path: Path):
	try:
		return json.loads(path.read_text(encoding="utf-8"))
	except (ValueError, UnicodeDecodeError) as exc:
		problem(path, f"invalid JSON: {exc}")
		return None


def scrub(name: str) -> str:
	return name.strip().lower().replace(" ", "_").replace("-", "_")


def check_json() -> dict[str, dict]:
	doctypes: dict[str, dict] = {}
	for path in sorted(APP.rglob("*.json")):
		if "node_modules" in path.parts:
			continue
		data = load_json(path)
		if (
			isinstance(data, dict)
			and data.get("doctype") == "DocType"
			and path.parent.parent.name == "doctype"
		):
			doctypes[data.get("name", "")] = {"path": path, "data": data}
	return doctypes


def check_doctypes(doctypes: dict[str, dict]) -> None:
	known = set(doctypes) | CORE_DOCTYPES
	for name, info in doctypes.items():
		path, data = info["path"], info["data"]
		if scrub(name) != path.parent.name or path.stem != path.parent.name:
			problem(path, f"DocType {name!r} does not match its folder {path.parent.name!r}")
		if data.get("module") != "Scheduler Integration":
			problem(path, f"module is {data.get('module')!r}, expected 'Scheduler Integration'")
		if not (path.parent / f"{path.parent.name}.py").exists():
			problem(path, "controller .py missing beside the DocType JSON")
		seen: set[str] = set()
		for field in data.get("fields", []):
			fieldname = field.get("fieldname")
			if not fieldname:
				problem(path, f"a field without fieldname: {field.get('label')!r}")
				continue
			if fieldname in seen:
				problem(path, f"duplicate fieldname {fieldname!r}")
			seen.add(fieldname)
			if field.get("fieldtype") in LINK_TYPES:
				target = field.get("options")
				if not target:
					problem(path, f"{fieldname}: {field['fieldtype']} without options")
				elif target not in known:
					problem(path, f"{fieldname}: links to unknown DocType {target!r}")
				elif (
					field["fieldtype"] != "Link"
					and target in doctypes
					and not doctypes[target]["data"].get("istable")
				):
					problem(
						path, f"{fieldname}: table field points at {target!r}, which is not a child table"
					)
		for order in data.get("field_order", []):
			if order not in seen:
				problem(path, f"field_order names unknown field {order!r}")
		for perm in data.get("permissions", []):
			if not perm.get("role"):
				problem(path, "permission row without role")


def check_workspaces(doctypes: dict[str, dict]) -> None:
	reports = {p.parent.name for p in APP.rglob("report/*/*.json")}
	for path in APP.rglob("workspace/*/*.json"):
		data = load_json(path) or {}
		for link in data.get("links", []) + data.get("shortcuts", []):
			target, kind = link.get("link_to"), link.get("link_type") or link.get("type")
			if kind == "DocType" and target not in doctypes and target not in CORE_DOCTYPES:
				problem(path, f"link to unknown DocType {target!r}")
			if kind == "Report" and scrub(target or "") not in reports:
				problem(path, f"link to unknown Report {target!r}")


def resolve(dotted: str) -> bool:
	"""True when ``dotted`` names a module of this app, or a top-level def in one."""
	parts = dotted.split(".")
	if parts[0] != "scheduler_integration":
		return True  # another app's path: not ours to check
	for cut in (len(parts), len(parts) - 1):
		module = ROOT.joinpath(*parts[:cut])
		file = module.with_suffix(".py")
		if cut == len(parts) and (file.exists() or (module / "__init__.py").exists()):
			return True
		if cut == len(parts) - 1 and file.exists():
			tree = parsed(file)
			names = {
				n.name
				for n in tree.body
				if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
			}
			names |= {
				t.id
				for n in tree.body
				if isinstance(n, ast.Assign)
				for t in n.targets
				if isinstance(t, ast.Name)
			}
			return parts[-1] in names
	return False


def strings_in(node) -> list[str]:
	return [n.value for n in walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def check_hooks() -> None:
	path = APP / "hooks.py"
	tree = parsed(path)
	for value in strings_in(tree):
		if value.startswith("scheduler_integration.") and " " not in value and not resolve(value):
			problem(path, f"hook path does not resolve: {value}")


def decorator_name(node) -> str:
	target = node.func if isinstance(node, ast.Call) else node
	if isinstance(target, ast.Attribute):
		return f"{getattr(target.value, 'id', '')}.{target.attr}"
	return getattr(target, "id", "")


def check_whitelists() -> None:
	for path in sorted(APP.rglob("*.py")):
		tree = parsed(path)
		for node in walk(tree):
			if not isinstance(node, ast.FunctionDef):
				continue
			names = [decorator_name(d) for d in node.decorator_list]
			for deco in node.decorator_list:
				if not (
					isinstance(deco, ast.Call) and decorator_name(deco) in ("frappe.whitelist", "whitelist")
				):
					continue
				kwargs = {k.arg: k.value for k in deco.keywords}
				guest = kwargs.get("allow_guest")
				if "methods" not in kwargs:
					problem(path, f"{node.name}: whitelisted without explicit methods=[...]")
				if isinstance(guest, ast.Constant) and guest.value is True:
					if not any(n.endswith("per_ip") for n in names):
						problem(path, f"{node.name}: allow_guest without @per_ip")


def check_pure_packages() -> None:
	for package in PURE_PACKAGES:
		for path in sorted((APP / package).rglob("*.py")):
			tree = parsed(path)
			for node in walk(tree):
				modules = []
				if isinstance(node, ast.Import):
					modules = [alias.name for alias in node.names]
				elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
					modules = [node.module]
				if any(m == "frappe" or m.startswith("frappe.") for m in modules):
					problem(path, f"{package}/ must not import frappe")


def module_name(path: Path) -> str:
	rel = path.relative_to(ROOT).with_suffix("")
	parts = list(rel.parts)
	if parts[-1] == "__init__":
		parts.pop()
	return ".".join(parts)


def within(path: Path, place: str) -> bool:
	"""True when ``path`` is the module ``place`` (relative to the app package) or under it."""
	rel = path.relative_to(APP).as_posix()
	return rel == place or rel.startswith(place.rstrip("/") + "/")


def layer_of(path: Path) -> int | None:
	for index, (_name, places) in enumerate(LAYERS):
		if any(within(path, place) for place in places):
			return index
	return None


def rule_places(text: str, path: Path) -> list[str]:
	"""The places a rule's list names (``effects``, ``booking/``, controllers, frappe)."""
	out = []
	for word in re.split(r",\s*(?:and\s+|or\s+|nor\s+)?|\s+(?:and|or|nor)\s+", text.strip()):
		word = word.strip().strip("`").rstrip("/")
		place = RULE_WORDS.get(word, word)
		if place != "frappe" and not (APP / place).is_dir():
			if (APP / f"{place}.py").is_file():  # a module of its own (install.py)
				place = f"{place}.py"
			else:
				problem(path, f"states what it never imports, but {word!r} is no package of the app")
				continue
		out.append(place)
	return out


def read_rules() -> None:
	"""``NEVER_IMPORTS`` from the packages' docstrings; "never imports frappe" is held by
	``check_pure_packages``, so a package saying it must be one of ``PURE_PACKAGES``."""
	NEVER_IMPORTS.clear()
	places = [place for _name, layer in LAYERS for place in layer]
	for path in sorted(APP.rglob("__init__.py")):
		if is_test(path) or path.parent == APP:
			continue
		doc = " ".join((ast.get_docstring(parsed(path)) or "").split())
		package = path.parent.relative_to(APP).as_posix()
		written = path.relative_to(APP).as_posix()
		forbidden = [p for m in NEVER_SAID.finditer(doc) for p in rule_places(m.group(1), path)]
		for match in ONLY_SAID.finditer(doc):
			allowed = rule_places(match.group(1), path)
			forbidden += [
				p for p in places if p not in allowed and not within(APP / p, package) and p != package
			]
		for match in ONLY_BY_SAID.finditer(doc):
			allowed = [*rule_places(match.group(1), path), package]
			for place in places:
				if not any(place == a or within(APP / place, a) for a in allowed):
					NEVER_IMPORTS.append((place, (package,), written))
		if "frappe" in forbidden and package not in PURE_PACKAGES:
			problem(path, "says it never imports frappe, but is not one of PURE_PACKAGES")
		forbidden = [p for p in dict.fromkeys(forbidden) if p != "frappe"]
		if forbidden:
			NEVER_IMPORTS.append((package, tuple(forbidden), written))


def never_imported(path: Path, target: Path) -> tuple[str, str, str] | None:
	"""(package, the package it never imports, where that is written) when importing
	``target`` from ``path`` breaks a rule of ``NEVER_IMPORTS``."""
	for source, forbidden, written in NEVER_IMPORTS:
		if within(path, source):
			for place in forbidden:
				if within(target, place) and not within(target, source):
					return source, place, written
	return None


def imported_modules(path: Path) -> list[tuple[int, str]]:
	"""(line, module) of every import of this app's modules in ``path``, anywhere in it."""
	tree = parsed(path)
	package = module_name(path).split(".")
	if path.name != "__init__.py":
		package = package[:-1]
	out = []
	for node in walk(tree):
		if isinstance(node, ast.Import):
			out += [(node.lineno, alias.name) for alias in node.names]
		elif isinstance(node, ast.ImportFrom):
			base = node.module or ""
			if node.level:
				base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
			for alias in node.names:  # "from package import module" imports the module
				candidate = f"{base}.{alias.name}"
				out.append((node.lineno, candidate if target_file(candidate) else base))
	return [(line, name) for line, name in out if name.split(".")[0] == "scheduler_integration"]


def target_file(module: str) -> Path | None:
	base = ROOT.joinpath(*module.split("."))
	for candidate in (base.with_suffix(".py"), base / "__init__.py"):
		if candidate.exists():
			return candidate
	return None


def check_layers() -> dict[str, set[str]]:
	graph: dict[str, set[str]] = {}
	for path in sorted(APP.rglob("*.py")):
		rel = path.relative_to(APP).as_posix()
		if is_test(path):
			continue
		mine = layer_of(path)
		if mine is None and not any(
			rel == free or rel.startswith(free + "/") or rel.endswith("/" + free) for free in LAYER_FREE
		):
			problem(path, "module belongs to no layer (add its folder to LAYERS)")
			continue
		edges = graph.setdefault(module_name(path), set())
		for line, module in imported_modules(path):
			target = target_file(module)
			if target is None or target == path:
				continue
			edges.add(module_name(target))
			theirs = layer_of(target)
			if mine is not None and theirs is not None and theirs < mine:
				problem(
					path,
					f"line {line}: {LAYERS[mine][0]} imports {module} of {LAYERS[theirs][0]}, a layer above it",
				)
			elif rule := never_imported(path, target):
				source, place, written = rule
				problem(
					path, f"line {line}: imports {module}, but {source}/ never imports {place}/ ({written})"
				)
	for cycle in find_cycles(graph):
		problem(APP, "import cycle: " + " -> ".join(cycle))
	return graph


# --- api/ is thin ------------------------------------------------------------------------------

THIN = "api"
# what only a layer below api/ does: build a query, or write a row past its controller
QUERY_CALLS = ("frappe.qb.", "frappe.db.sql", "frappe.db.multisql")
ROW_WRITES = {
	"frappe.db.set_value",
	"frappe.db.set_single_value",
	"frappe.db.delete",
	"frappe.db.bulk_insert",
	"frappe.db.truncate",
}
LISTERS = {"frappe.get_all", "frappe.get_list", "frappe.db.get_all", "frappe.db.get_list"}


def joined_filter(call: ast.Call, scope: ast.AST) -> str | None:
	"""The other DocType a ``frappe.get_all``'s filters reach into (a join), if any:
	``[["Child DocType", "field", "=", value], ...]``, written in the call or built in a
	variable of ``scope`` (assigned, appended, extended)."""
	filters = call.args[1] if len(call.args) > 1 else None
	filters = next((k.value for k in call.keywords if k.arg == "filters"), filters)
	written = [filters]
	if isinstance(filters, ast.Name):
		for node in walk(scope):
			if isinstance(node, ast.Assign | ast.AnnAssign):
				targets = node.targets if isinstance(node, ast.Assign) else [node.target]
				if any(isinstance(t, ast.Name) and t.id == filters.id for t in targets):
					written.append(node.value)
			elif (
				isinstance(node, ast.Call)
				and isinstance(node.func, ast.Attribute)
				and node.func.attr in ("append", "extend", "insert")
				and dotted(node.func.value) == filters.id
			):
				written += [ast.List(elts=[arg]) for arg in node.args]
	for value in written:
		if not isinstance(value, ast.List | ast.Tuple):
			continue
		for item in value.elts:
			if (
				isinstance(item, ast.List | ast.Tuple)
				and len(item.elts) >= 4
				and isinstance(item.elts[0], ast.Constant)
				and isinstance(item.elts[0].value, str)
			):
				return item.elts[0].value
	return None


def check_thin_api() -> None:
	"""``api/`` parses a request, calls below and shapes the answer: it builds no query of its
	own (``frappe.qb``, ``frappe.db.sql``), lists no other DocType's rows through a join, and
	writes no row past a controller (``frappe.db.set_value``, ``db_set``, …); documents it
	saves go through their controllers."""
	for path in sorted((APP / THIN).rglob("*.py")):
		if is_test(path):
			continue
		tree = parsed(path)
		scopes = {
			id(inner): scope
			for scope in walk(tree)
			if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef)
			for inner in walk(scope)
		}
		for node in walk(tree):
			if not isinstance(node, ast.Call):
				continue
			func = dotted(node.func)
			if func.startswith(QUERY_CALLS):
				problem(path, f"line {node.lineno}: api/ builds a query ({func}): that belongs below it")
			elif func in ROW_WRITES or (
				isinstance(node.func, ast.Attribute) and node.func.attr in ("db_set", "db_update")
			):
				name = func or node.func.attr
				problem(path, f"line {node.lineno}: api/ writes a row past its controller ({name})")
			elif func in LISTERS and (other := joined_filter(node, scopes.get(id(node), tree))):
				problem(
					path,
					f"line {node.lineno}: api/ lists rows through {other} (a join): that belongs below it",
				)


# --- calls the import graph cannot see --------------------------------------------------------

CONTROLLERS = LAYERS.index(("controllers", ("scheduler_integration/doctype",)))
# Frappe's ways of handing out a document: a method called on what they return runs the
# DocType's controller class
DOC_GETTERS = {"get_doc", "get_cached_doc", "get_last_doc", "get_single", "new_doc"}
# calls that import a module named by a string (``frappe.call`` takes a dotted path too)
# calls that queue a function named by a dotted string (Frappe's, and ``core.queue``'s)
DISPATCHERS = {"enqueue"}
# a function or module of the app named by its dotted path, the whole string
DOTTED_PATH = re.compile(r"scheduler_integration(\.[A-Za-z_]\w*)+")
NAME_LOADERS = {
	"importlib.import_module",
	"import_module",
	"__import__",
	"frappe.get_attr",
	"frappe.get_module",
	"frappe.call",
}


# Frappe's own document methods and the hooks Frappe calls on every document itself: a
# controller may define them, and calling them is Frappe's business, not an up-call.
FRAPPE_DOCUMENT = {
	"after_delete",
	"after_insert",
	"after_rename",
	"append",
	"as_dict",
	"autoname",
	"before_cancel",
	"before_insert",
	"before_print",
	"before_rename",
	"before_save",
	"before_submit",
	"before_update_after_submit",
	"before_validate",
	"cancel",
	"check_permission",
	"db_insert",
	"db_set",
	"db_update",
	"delete",
	"get",
	"get_doc_before_save",
	"get_password",
	"get_title",
	"has_permission",
	"has_value_changed",
	"insert",
	"is_new",
	"load_from_db",
	"notify_update",
	"on_cancel",
	"on_change",
	"on_submit",
	"on_trash",
	"on_update",
	"on_update_after_submit",
	"onload",
	"queue_action",
	"reload",
	"run_method",
	"save",
	"set",
	"submit",
	"validate",
}
# methods Python's own objects have (a timer's cancel, a dict's get): on a receiver the check
# cannot trace to Frappe, a call of one of these names says nothing about a document
PYTHON_METHODS = {
	name
	for kind in (
		object,
		dict,
		list,
		set,
		str,
		bytes,
		threading.Thread,
		threading.Timer,
		threading.Event,
		concurrent.futures.Future,
		asyncio.Future,
		io.IOBase,
	)
	for name in dir(kind)
}
# calls that run a controller's method named by a string: ``doc.run_method("m")``,
# ``doc.queue_action("m")`` and ``frappe.enqueue_doc(doctype, name, "m")``
METHOD_BY_NAME = {"run_method": 0, "queue_action": 0, "frappe.enqueue_doc": 2, "enqueue_doc": 2}


def dotted(node) -> str:
	"""``a.b.c`` of a Name / Attribute chain ("" for anything else)."""
	if isinstance(node, ast.Name):
		return node.id
	if isinstance(node, ast.Attribute):
		base = dotted(node.value)
		return f"{base}.{node.attr}" if base else ""
	return ""


def controller_methods() -> dict[str, set[str]]:
	"""{DocType: names of the methods its controller class defines} for this app's DocTypes."""
	out: dict[str, set[str]] = {}
	for path in sorted(APP.glob("scheduler_integration/doctype/*/*.json")):
		data = load_json(path)
		controller = path.with_suffix(".py")
		if not (isinstance(data, dict) and data.get("doctype") == "DocType" and controller.exists()):
			continue
		tree = parsed(controller)
		out[data["name"]] = {
			item.name
			for cls in tree.body
			if isinstance(cls, ast.ClassDef)
			for item in cls.body
			if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not item.name.startswith("__")
		}
	return out


def other_class_methods() -> set[str]:
	"""Names of the methods the app's classes outside the controllers (and tests) define."""
	out: set[str] = set()
	for path in sorted(APP.rglob("*.py")):
		if layer_of(path) == CONTROLLERS or is_test(path):
			continue
		for cls in walk(parsed(path)):
			if isinstance(cls, ast.ClassDef):
				out |= {
					item.name for item in cls.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
				}
	return out


def is_test(path: Path) -> bool:
	rel = path.relative_to(APP).as_posix()
	# a DocType's own tests live beside it (doctype/<x>/test_<x>.py, for run-tests --doctype)
	return rel.startswith("tests/") or "/tests/" in rel or path.name.startswith("test_")


def controller_only(methods: dict[str, set[str]]) -> dict[str, set[str]]:
	"""{method: DocTypes whose controller defines it} for the names only a controller of this
	app defines: not Frappe's, not Python's, not another class's of the app. Called on
	anything at all, such a name is a controller's method on a document."""
	taken = FRAPPE_DOCUMENT | PYTHON_METHODS | other_class_methods()
	out: dict[str, set[str]] = {}
	for doctype, names in methods.items():
		for name in names - taken:
			out.setdefault(name, set()).add(doctype)
	return out


def module_names(tree) -> set[str]:
	"""Names a module imports or defines at its top: a call on one is no call on a document."""
	out = set()
	for node in walk(tree):
		if isinstance(node, ast.Import):
			out |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
		elif isinstance(node, ast.ImportFrom):
			out |= {alias.asname or alias.name for alias in node.names}
	for node in tree.body:
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
			out.add(node.name)
	return out


def root_name(node) -> str:
	"""``a`` of ``a.b.c`` (and of ``a``); "" when the chain starts elsewhere."""
	while isinstance(node, ast.Attribute):
		node = node.value
	return node.id if isinstance(node, ast.Name) else ""


def module_strings(tree) -> dict[str, str]:
	"""Module-level ``NAME = "text"`` constants (a DocType named once at the top)."""
	return {
		target.id: node.value.value
		for node in tree.body
		if isinstance(node, ast.Assign)
		and isinstance(node.value, ast.Constant)
		and isinstance(node.value.value, str)
		for target in node.targets
		if isinstance(target, ast.Name)
	}


def getter_doctype(call, constants: dict[str, str]) -> tuple[str, str] | None:
	"""(getter, DocType or "") when ``call`` hands out a document through Frappe; "" when
	the DocType is not written where the check can read it."""
	name = dotted(call.func)
	if name.rpartition(".")[2] not in DOC_GETTERS or name.partition(".")[0] not in ("frappe", *DOC_GETTERS):
		return None
	first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "doctype"), None)
	if isinstance(first, ast.Dict):
		first = next(
			(
				v
				for k, v in zip(first.keys, first.values, strict=False)
				if isinstance(k, ast.Constant) and k.value == "doctype"
			),
			None,
		)
	if isinstance(first, ast.Constant) and isinstance(first.value, str):
		return name, first.value
	if isinstance(first, ast.Name) and first.id in constants:
		return name, constants[first.id]
	return name, ""


def documents_in(scope, constants: dict[str, str]) -> dict[str, tuple[str, str]]:
	"""Variables of ``scope`` bound to a document from Frappe: ``doc = frappe.get_doc(...)``,
	and ``for doc in [frappe.get_doc(...) for ...]``."""
	out = {}
	for node in walk(scope):
		if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
			found = getter_doctype(node.value, constants)
			targets = node.targets if isinstance(node, ast.Assign) else [node.target]
			for target in targets:
				if found and isinstance(target, ast.Name):
					out[target.id] = found
		elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
			source = node.iter
			if isinstance(source, ast.ListComp | ast.GeneratorExp) and isinstance(source.elt, ast.Call):
				found = getter_doctype(source.elt, constants)
				if found:
					out[node.target.id] = found
	return out


def top_level(tree):
	"""The nodes of a module outside its functions."""
	stack = list(tree.body)
	while stack:
		node = stack.pop()
		yield node
		if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
			stack.extend(ast.iter_child_nodes(node))


def check_hidden_calls(methods: dict[str, set[str]]) -> None:
	"""A layer below the controllers calling a controller's method on a document from Frappe
	goes up the layers where no import shows it. A variable bound to such a document in one
	function of a module counts as that document in the module's other functions too (where
	they do not bind it themselves): a module calls one thing by one name. Documents it
	cannot trace are ``check_documents_passed_in``'s."""
	every = set().union(*methods.values()) if methods else set()
	only = controller_only(methods)
	for path in sorted(APP.rglob("*.py")):
		mine = layer_of(path)
		if mine is None or mine <= CONTROLLERS:
			continue
		tree = parsed(path)
		constants = module_strings(tree)
		module_wide = documents_in(tree, constants)
		functions = [n for n in walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
		seen = set()
		for scope in [tree, *functions]:
			documents = module_wide if scope is tree else {**module_wide, **documents_in(scope, constants)}
			for node in top_level(tree) if scope is tree else walk(scope):
				if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
					continue
				receiver = node.func.value
				if isinstance(receiver, ast.Call):
					found = getter_doctype(receiver, constants)
				elif isinstance(receiver, ast.Name):
					found = documents.get(receiver.id)
				else:
					found = None
				where = (node.lineno, node.col_offset)
				if not found or where in seen:
					continue
				getter, doctype = found
				called = node.func.attr
				if called in (methods.get(doctype, set()) if doctype else every):
					seen.add(where)
					problem(
						path,
						f"line {node.lineno}: {LAYERS[mine][0]} calls {called}() of the "
						f"{doctype or 'DocType'} controller on {getter}(...), a layer above it "
						"(move what it does below and import that)",
					)
		check_documents_passed_in(path, tree, mine, only, every, seen)


def check_documents_passed_in(
	path, tree, mine: int, only: dict[str, set[str]], every: set[str], seen
) -> None:
	"""The calls whose document the check cannot trace (a parameter, an attribute, what a
	helper returned): a method only a controller defines, called on anything but a module,
	a class or ``self``; and a controller's method named by a string (``run_method``,
	``queue_action``, ``frappe.enqueue_doc``)."""
	local = module_names(tree)
	layer = LAYERS[mine][0]
	for node in walk(tree):
		if not isinstance(node, ast.Call) or (node.lineno, node.col_offset) in seen:
			continue
		name = dotted(node.func)
		by_name = METHOD_BY_NAME.get(name)
		if by_name is None and isinstance(node.func, ast.Attribute):
			by_name = METHOD_BY_NAME.get(node.func.attr)
		if by_name is not None and len(node.args) > by_name:
			arg = node.args[by_name]
			if isinstance(arg, ast.Constant) and arg.value in every - FRAPPE_DOCUMENT:
				problem(
					path,
					f"line {node.lineno}: {layer} runs {arg.value}() of a controller by name "
					f"({name or node.func.attr}), a layer above it (call what the method calls instead)",
				)
			continue
		if not isinstance(node.func, ast.Attribute) or node.func.attr not in only:
			continue
		receiver = node.func.value
		own = isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")
		if own or root_name(receiver) in local:
			continue
		doctypes = sorted(only[node.func.attr])
		problem(
			path,
			f"line {node.lineno}: {layer} calls {node.func.attr}() of the {' / '.join(doctypes)} "
			f"controller on {ast.unparse(receiver)}, a layer above it (call what the method calls, "
			"with the document's fields)",
		)


def package_of(module: str) -> str:
	"""The app's top-level package (or module) ``module`` belongs to."""
	parts = module.split(".")
	return parts[1] if len(parts) > 1 else parts[0]


def named_target(name: str) -> Path | None:
	"""The module of the app a dotted ``name`` (a module, or a function in one) lies in."""
	parts = name.split(".")
	return next((t for cut in range(len(parts), 1, -1) if (t := target_file(".".join(parts[:cut])))), None)


def built_string(node) -> bool:
	"""An f-string, ``"a" + b``, ``"{}".format(...)`` or ``".".join(...)``: a name made at run time."""
	if isinstance(node, ast.JoinedStr | ast.BinOp):
		return True
	return (
		isinstance(node, ast.Call)
		and isinstance(node.func, ast.Attribute)
		and node.func.attr in ("format", "join")
	)


def check_loads_by_name(graph: dict[str, set[str]]) -> None:
	"""Modules loaded by a string name, and functions named by their dotted path (queued
	with ``frappe.enqueue``, named in a hook, kept in a constant for a later ``get_attr``),
	are imports the graph does not show: they may not point up, nor across into a package
	that imports back, nor break a rule of ``NEVER_IMPORTS``, nor be computed."""
	imports_of: dict[str, set[str]] = {}
	for source, targets in graph.items():
		imports_of.setdefault(package_of(source), set()).update(package_of(t) for t in targets)

	def check(path: Path, line: int, value: str, name: str, verb: str) -> None:
		"""One name of ``path`` (``verb``: how it names it) against the layers."""
		target = named_target(name)
		if target is None:
			if verb == "loads":
				problem(path, f"line {line}: loads {value} by name, which is no module of the app")
			return  # a string that only looks like a path (a hook's is checked by check_hooks)
		mine, here = layer_of(path), module_name(path)
		theirs, there = layer_of(target), module_name(target)
		how = "by name" if verb == "loads" else "by its dotted path"
		if mine is not None and theirs is not None and theirs < mine:
			problem(
				path,
				f"line {line}: {LAYERS[mine][0]} {verb} {value} of {LAYERS[theirs][0]} {how}, a layer above it",
			)
		elif rule := never_imported(path, target):
			source, place, written = rule
			problem(
				path, f"line {line}: {verb} {value} {how}, but {source}/ never imports {place}/ ({written})"
			)
		elif package_of(there) != package_of(here) and package_of(here) in imports_of.get(
			package_of(there), set()
		):
			problem(
				path,
				f"line {line}: {verb} {value} {how} across into "
				f"{package_of(there)}, which imports {package_of(here)} back",
			)

	for path in sorted(APP.rglob("*.py")):
		if is_test(path):
			continue
		tree = parsed(path)
		done = set()
		for node in walk(tree):
			if not isinstance(node, ast.Call):
				continue
			func = dotted(node.func)
			arg = (
				node.args[0]
				if node.args
				else next((k.value for k in node.keywords if k.arg == "method"), None)
			)
			if arg is None:
				continue
			if func in NAME_LOADERS:
				if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
					if func != "frappe.call":  # frappe.call(function) is a plain call
						problem(path, f"line {node.lineno}: loads a module by a name computed at run time")
					continue
				done.add(id(arg))
				if arg.value.startswith("scheduler_integration."):
					check(path, node.lineno, arg.value, arg.value.replace(":", "."), "loads")
			elif func.rpartition(".")[2] in DISPATCHERS:
				if built_string(arg):
					problem(path, f"line {node.lineno}: queues a job by a name computed at run time")
				elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
					done.add(id(arg))
					if DOTTED_PATH.fullmatch(arg.value):
						check(path, node.lineno, arg.value, arg.value, "queues")
		for node in walk(tree):
			if (
				isinstance(node, ast.Constant)
				and isinstance(node.value, str)
				and id(node) not in done
				and DOTTED_PATH.fullmatch(node.value)
			):
				check(path, node.lineno, node.value, node.value, "names")


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
	"""One cycle per strongly connected group of modules that import each other."""
	index, low, stack, on_stack, out = {}, {}, [], set(), []
	counter = [0]

	def visit(node):
		index[node] = low[node] = counter[0]
		counter[0] += 1
		stack.append(node)
		on_stack.add(node)
		for nxt in sorted(graph.get(node, ())):
			if nxt not in index:
				visit(nxt)
				low[node] = min(low[node], low[nxt])
			elif nxt in on_stack:
				low[node] = min(low[node], index[nxt])
		if low[node] == index[node]:
			group = []
			while True:
				item = stack.pop()
				on_stack.discard(item)
				group.append(item)
				if item == node:
					break
			if len(group) > 1:
				out.append([*sorted(group), sorted(group)[0]])

	sys.setrecursionlimit(10_000)
	for node in sorted(graph):
		if node not in index:
			visit(node)
	return out


def main(argv: list[str] | None = None) -> int:
	argv = sys.argv[1:] if argv is None else argv
	if argv:
		use_root(Path(argv[0]))
	doctypes = check_json()
	check_doctypes(doctypes)
	check_workspaces(doctypes)
	check_hooks()
	check_whitelists()
	check_pure_packages()
	read_rules()
	graph = check_layers()
	check_hidden_calls(controller_methods())
	check_loads_by_name(graph)
	check_thin_api()
	for line in problems:
		print(line)
	print(f"frappe layer: {len(doctypes)} doctypes checked, {len(problems)} problem(s)")
	return 1 if problems else 0


if __name__ == "__main__":
	sys.exit(main())
