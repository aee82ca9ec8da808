"""Imports follow the layers (``LAYERS``, top to bottom): a module imports only from its own
layer or lower ones, never upwards, nor against a package's ``NEVER_IMPORTS``; every module
belongs to a layer; and no modules import each other in a circle, counting imports inside
functions too."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from . import app_tree
from .app_tree import LAYER_FREE, LAYERS, is_test, layer_of, module_name, parsed, problem, target_file, walk
from .never_imports import never_imported


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


def check_layers() -> dict[str, set[str]]:
	graph: dict[str, set[str]] = {}
	for path in sorted(app_tree.APP.rglob("*.py")):
		rel = path.relative_to(app_tree.APP).as_posix()
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
		problem(app_tree.APP, "import cycle: " + " -> ".join(cycle))
	return graph


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
