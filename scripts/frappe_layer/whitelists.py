"""Every ``@frappe.whitelist(...)`` names its HTTP ``methods``, and every guest one
(``allow_guest=True``) carries a per-IP limit (``@per_ip``, ``core/limits.py``)."""

from __future__ import annotations

import ast

from . import app_tree
from .app_tree import parsed, problem, walk


def decorator_name(node) -> str:
	target = node.func if isinstance(node, ast.Call) else node
	if isinstance(target, ast.Attribute):
		return f"{getattr(target.value, 'id', '')}.{target.attr}"
	return getattr(target, "id", "")


def check_whitelists() -> None:
	for path in sorted(app_tree.APP.rglob("*.py")):
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
