"""No module under ``engine/``, ``rules/`` or ``providers/`` imports frappe."""

from __future__ import annotations

import ast

from . import app_tree
from .app_tree import parsed, problem, walk

PURE_PACKAGES = ("engine", "rules", "providers")


def check_pure_packages() -> None:
	for package in PURE_PACKAGES:
		for path in sorted((app_tree.APP / package).rglob("*.py")):
			tree = parsed(path)
			for node in walk(tree):
				modules = []
				if isinstance(node, ast.Import):
					modules = [alias.name for alias in node.names]
				elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
					modules = [node.module]
				if any(m == "frappe" or m.startswith("frappe.") for m in modules):
					problem(path, f"{package}/ must not import frappe")
