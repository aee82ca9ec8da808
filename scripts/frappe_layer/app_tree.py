"""The checked tree and what every rule shares: the app's root (``use_root`` points it at
another checkout), the list of problems found, the syntax trees parsed once per run, and
the map of the layers (``LAYERS``, ``layer_of``).

``ROOT`` and ``APP`` are rebound by ``use_root``: a rule reads them as ``app_tree.APP`` at
call time, never ``from .app_tree import APP`` (which would keep the first checkout's)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "scheduler_integration"


def use_root(root: Path) -> None:
	"""Check another checkout (tests point this at a deliberately broken copy)."""
	global ROOT, APP
	ROOT = root.resolve()
	APP = ROOT / "scheduler_integration"
	problems.clear()
	_trees.clear()
	_walks.clear()


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


CONTROLLERS = LAYERS.index(("controllers", ("scheduler_integration/doctype",)))


def target_file(module: str) -> Path | None:
	base = ROOT.joinpath(*module.split("."))
	for candidate in (base.with_suffix(".py"), base / "__init__.py"):
		if candidate.exists():
			return candidate
	return None


def is_test(path: Path) -> bool:
	rel = path.relative_to(APP).as_posix()
	# a DocType's own tests live beside it (doctype/<x>/test_<x>.py, for run-tests --doctype)
	return rel.startswith("tests/") or "/tests/" in rel or path.name.startswith("test_")


def dotted(node) -> str:
	"""``a.b.c`` of a Name / Attribute chain ("" for anything else)."""
	if isinstance(node, ast.Name):
		return node.id
	if isinstance(node, ast.Attribute):
		base = dotted(node.value)
		return f"{base}.{node.attr}" if base else ""
	return ""
