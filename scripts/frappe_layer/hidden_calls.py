"""No call goes up past the import graph's back: a layer below the controllers never calls a
method of the app's DocType controllers on a document it got from Frappe
(``frappe.get_doc(...).method()``, or ``doc = frappe.get_doc(...)`` then ``doc.method()``),
nor on any other document (a parameter, an attribute) when the method is one only a
controller defines, nor runs one by name (``run_method``, ``queue_action``,
``frappe.enqueue_doc``)."""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import io
import threading

from . import app_tree
from .app_tree import CONTROLLERS, LAYERS, dotted, is_test, layer_of, load_json, parsed, problem, walk

# Frappe's ways of handing out a document: a method called on what they return runs the
# DocType's controller class
DOC_GETTERS = {"get_doc", "get_cached_doc", "get_last_doc", "get_single", "new_doc"}
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


def controller_methods() -> dict[str, set[str]]:
	"""{DocType: names of the methods its controller class defines} for this app's DocTypes."""
	out: dict[str, set[str]] = {}
	for path in sorted(app_tree.APP.glob("scheduler_integration/doctype/*/*.json")):
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
	for path in sorted(app_tree.APP.rglob("*.py")):
		if layer_of(path) == CONTROLLERS or is_test(path):
			continue
		for cls in walk(parsed(path)):
			if isinstance(cls, ast.ClassDef):
				out |= {
					item.name for item in cls.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
				}
	return out


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
	for path in sorted(app_tree.APP.rglob("*.py")):
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
