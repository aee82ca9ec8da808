"""``api/`` is thin: it builds no query, lists no rows through a join and writes no row past a
controller."""

from __future__ import annotations

import ast

from . import app_tree
from .app_tree import dotted, is_test, parsed, problem, walk

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
	for path in sorted((app_tree.APP / THIN).rglob("*.py")):
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
