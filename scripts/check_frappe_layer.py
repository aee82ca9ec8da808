#!/usr/bin/env python3
"""Static checks of the Frappe layer that need no bench.

* every JSON file of the app parses;
* DocType JSON: name matches its folder, fieldnames unique, Link / Table / Table
  MultiSelect options name a DocType of this app or a known Frappe core DocType,
  a controller module sits beside it;
* Workspace JSON links point at DocTypes/Reports that exist;
* hooks.py dotted paths resolve to a module (and function) of this app;
* every ``@frappe.whitelist(...)`` is restricted to explicit HTTP ``methods``, and every
  guest one (``allow_guest=True``) carries ``@rate_limit``;
* no module under ``engine/`` or ``calendars/`` imports frappe;
* imports follow the layers (``LAYERS``, top to bottom): a module imports only from its
  own layer or lower ones — never upwards — and no modules import each other in a
  circle, counting imports inside functions too;
* no call goes up past the import graph's back: a layer below the controllers never calls
  a method of this app's DocType controllers on a document it got from Frappe
  (``frappe.get_doc(...).method()``, or ``doc = frappe.get_doc(...)`` then
  ``doc.method()``), and no module is loaded by name (``importlib.import_module``,
  ``__import__``, ``frappe.get_attr``, ``frappe.get_module``, ``frappe.call``) from a
  layer above it, across into a package that imports back, or by a name computed at run
  time (the check cannot follow it).

Exit status 1 with one line per problem, 0 when clean.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "scheduler_integration"


def use_root(root: Path) -> None:
	"""Check another checkout (tests point this at a deliberately broken copy)."""
	global ROOT, APP
	ROOT = root.resolve()
	APP = ROOT / "scheduler_integration"
	problems.clear()


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
PURE_PACKAGES = ("engine", "calendars")
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
	("reporting", ("reporting",)),
	("booking", ("booking", "connections")),
	("core", ("core",)),
	("adapters", ("calendars",)),
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

problems: list[str] = []


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
			tree = ast.parse(file.read_text(encoding="utf-8"))
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
	return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def check_hooks() -> None:
	path = APP / "hooks.py"
	tree = ast.parse(path.read_text(encoding="utf-8"))
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
		tree = ast.parse(path.read_text(encoding="utf-8"))
		for node in ast.walk(tree):
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
					if not any(n.endswith("rate_limit") for n in names):
						problem(path, f"{node.name}: allow_guest without @rate_limit")


def check_pure_packages() -> None:
	for package in PURE_PACKAGES:
		for path in sorted((APP / package).rglob("*.py")):
			tree = ast.parse(path.read_text(encoding="utf-8"))
			for node in ast.walk(tree):
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


def layer_of(path: Path) -> int | None:
	rel = path.relative_to(APP).as_posix()
	for index, (_name, places) in enumerate(LAYERS):
		if any(rel == place or rel.startswith(place.rstrip("/") + "/") for place in places):
			return index
	return None


def imported_modules(path: Path) -> list[tuple[int, str]]:
	"""(line, module) of every import of this app's modules in ``path``, anywhere in it."""
	tree = ast.parse(path.read_text(encoding="utf-8"))
	package = module_name(path).split(".")
	if path.name != "__init__.py":
		package = package[:-1]
	out = []
	for node in ast.walk(tree):
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
		if rel.startswith("tests/") or "/tests/" in rel:
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
	for cycle in find_cycles(graph):
		problem(APP, "import cycle: " + " -> ".join(cycle))
	return graph


# --- calls the import graph cannot see --------------------------------------------------------

CONTROLLERS = LAYERS.index(("controllers", ("scheduler_integration/doctype",)))
# Frappe's ways of handing out a document: a method called on what they return runs the
# DocType's controller class
DOC_GETTERS = {"get_doc", "get_cached_doc", "get_last_doc", "get_single", "new_doc"}
# calls that import a module named by a string (``frappe.call`` takes a dotted path too)
NAME_LOADERS = {
	"importlib.import_module",
	"import_module",
	"__import__",
	"frappe.get_attr",
	"frappe.get_module",
	"frappe.call",
}


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
		tree = ast.parse(controller.read_text(encoding="utf-8"))
		out[data["name"]] = {
			item.name
			for cls in tree.body
			if isinstance(cls, ast.ClassDef)
			for item in cls.body
			if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not item.name.startswith("__")
		}
	return out


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
	for node in ast.walk(scope):
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
	they do not bind it themselves): a module calls one thing by one name."""
	every = set().union(*methods.values()) if methods else set()
	for path in sorted(APP.rglob("*.py")):
		mine = layer_of(path)
		if mine is None or mine <= CONTROLLERS:
			continue
		tree = ast.parse(path.read_text(encoding="utf-8"))
		constants = module_strings(tree)
		module_wide = documents_in(tree, constants)
		functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
		seen = set()
		for scope in [tree, *functions]:
			documents = module_wide if scope is tree else {**module_wide, **documents_in(scope, constants)}
			for node in top_level(tree) if scope is tree else ast.walk(scope):
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


def package_of(module: str) -> str:
	"""The app's top-level package (or module) ``module`` belongs to."""
	parts = module.split(".")
	return parts[1] if len(parts) > 1 else parts[0]


def check_loads_by_name(graph: dict[str, set[str]]) -> None:
	"""Modules loaded by a string name are imports the graph does not show: they may not
	point up, nor across into a package that imports back, nor be computed."""
	imports_of: dict[str, set[str]] = {}
	for source, targets in graph.items():
		imports_of.setdefault(package_of(source), set()).update(package_of(t) for t in targets)
	for path in sorted(APP.rglob("*.py")):
		rel = path.relative_to(APP).as_posix()
		if rel.startswith("tests/") or "/tests/" in rel:
			continue
		mine, here = layer_of(path), module_name(path)
		tree = ast.parse(path.read_text(encoding="utf-8"))
		for node in ast.walk(tree):
			if not (isinstance(node, ast.Call) and dotted(node.func) in NAME_LOADERS and node.args):
				continue
			arg = node.args[0]
			if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
				if dotted(node.func) != "frappe.call":  # frappe.call(function) is a plain call
					problem(path, f"line {node.lineno}: loads a module by a name computed at run time")
				continue
			name = arg.value.replace(":", ".")
			if name.split(".")[0] != "scheduler_integration":
				continue
			parts = name.split(".")
			target = next(
				(t for cut in range(len(parts), 1, -1) if (t := target_file(".".join(parts[:cut])))), None
			)
			if target is None:
				problem(path, f"line {node.lineno}: loads {arg.value} by name, which is no module of the app")
				continue
			theirs, there = layer_of(target), module_name(target)
			if mine is not None and theirs is not None and theirs < mine:
				problem(
					path,
					f"line {node.lineno}: {LAYERS[mine][0]} loads {arg.value} of {LAYERS[theirs][0]} "
					"by name, a layer above it",
				)
			elif package_of(there) != package_of(here) and package_of(here) in imports_of.get(
				package_of(there), set()
			):
				problem(
					path,
					f"line {node.lineno}: loads {arg.value} by name across into "
					f"{package_of(there)}, which imports {package_of(here)} back",
				)


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
	graph = check_layers()
	check_hidden_calls(controller_methods())
	check_loads_by_name(graph)
	for line in problems:
		print(line)
	print(f"frappe layer: {len(doctypes)} doctypes checked, {len(problems)} problem(s)")
	return 1 if problems else 0


if __name__ == "__main__":
	sys.exit(main())
