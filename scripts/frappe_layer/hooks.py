"""Every dotted path in ``hooks.py`` resolves to a module (and function) of the app."""

from __future__ import annotations

import ast

from . import app_tree
from .app_tree import parsed, problem, walk


def resolve(dotted: str) -> bool:
	"""True when ``dotted`` names a module of this app, or a top-level def in one."""
	parts = dotted.split(".")
	if parts[0] != "scheduler_integration":
		return True  # another app's path: not ours to check
	for cut in (len(parts), len(parts) - 1):
		module = app_tree.ROOT.joinpath(*parts[:cut])
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
	path = app_tree.APP / "hooks.py"
	tree = parsed(path)
	for value in strings_in(tree):
		if value.startswith("scheduler_integration.") and " " not in value and not resolve(value):
			problem(path, f"hook path does not resolve: {value}")
