"""No module is loaded by name (``importlib.import_module``, ``__import__``, ``frappe.get_attr``,
``frappe.get_module``, ``frappe.call``) and no function named by its dotted path
(``frappe.enqueue``, a hook, a constant for later) from a layer above it, across into a
package that imports back, against a package's ``NEVER_IMPORTS``, or by a name computed at
run time (the check cannot follow it)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from . import app_tree
from .app_tree import LAYERS, dotted, is_test, layer_of, module_name, parsed, problem, target_file, walk
from .never_imports import never_imported

# calls that queue a function named by a dotted string (Frappe's, and ``core.queue``'s)
DISPATCHERS = {"enqueue"}
# a function or module of the app named by its dotted path, the whole string
DOTTED_PATH = re.compile(r"scheduler_integration(\.[A-Za-z_]\w*)+")
# calls that import a module named by a string (``frappe.call`` takes a dotted path too)
NAME_LOADERS = {
	"importlib.import_module",
	"import_module",
	"__import__",
	"frappe.get_attr",
	"frappe.get_module",
	"frappe.call",
}


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

	for path in sorted(app_tree.APP.rglob("*.py")):
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
