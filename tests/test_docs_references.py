"""The docs name only modules, files and functions of this app that exist.

README.md and docs/*.md refer to the code in inline code spans: paths (``booking/caps.py``,
``engine/booking_states.lifecycle_event``, ``tests/``), dotted names
(``scheduler_integration.api.public.book``, ``engine.validation.clean_phone``,
``…api.tracking.track_step``, ``booking.load``), file names (``booking_page.js``) and
controller methods (``SchedulerBooking.validate``). Each must resolve to a file of the
checkout, or a module of the app and the names defined in it. A dotted name of three or more
parts that starts with no module of the app (``services.tracking.reference_from_token``) is
a module that no longer exists. Routes (``/book/…``), a bench's folders (``sites/…``),
Frappe's own modules and other projects' names are left alone.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "scheduler_integration"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FILE_TYPES = {"py", "js", "json", "md", "html", "css", "csv", "po", "pot", "txt", "toml", "sh"}
OTHER_PROJECTS = {"frappe", "erpnext", "crm", "payments", "google", "babel"}
SPAN = re.compile(r"`([^`\n]+)`")
IDENT = r"[A-Za-z_]\w*"
DOTTED = re.compile(rf"(?:…|scheduler_integration\.)?{IDENT}(?:\.{IDENT})+")
PATH = re.compile(r"\.{0,2}[\w<>*.-]*/[\w<>*./-]*")
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__"}
BENCH_PATHS = (
	"sites/",
	"apps/",
	"env/",
	"logs/",
	".dev-bench/",
	"~",
)  # a bench's folders, not this checkout's


def repo_files() -> list[Path]:
	return [
		path
		for path in ROOT.rglob("*")
		if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts) and not path.name.startswith(".venv")
	]


FILES = repo_files()
MODULES = {path.stem for path in APP.rglob("*.py")} | {path.name for path in APP.rglob("*") if path.is_dir()}


@functools.cache
def tree(path: Path) -> ast.Module:
	return ast.parse(path.read_text(encoding="utf-8"))


def names(body) -> dict[str, ast.AST | None]:
	"""Names a module or class body defines: {name: its class node, else None}."""
	out: dict[str, ast.AST | None] = {}
	for node in body:
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
			out[node.name] = None
		elif isinstance(node, ast.ClassDef):
			out[node.name] = node
		elif isinstance(node, ast.Assign):
			out.update({target.id: None for target in node.targets if isinstance(target, ast.Name)})
		elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
			out[node.target.id] = None
		elif isinstance(node, ast.ImportFrom | ast.Import):
			out.update({(alias.asname or alias.name).split(".")[0]: None for alias in node.names})
		elif isinstance(node, ast.If):  # TYPE_CHECKING blocks, optional imports
			out.update(names(node.body))
			out.update(names(node.orelse))
	return out


def has_attributes(module: Path, attributes: list[str]) -> bool:
	body = tree(module).body
	for attribute in attributes:
		defined = names(body)
		if attribute not in defined:
			return False
		node = defined[attribute]
		body = node.body if node is not None else []
	return True


def module_file(parts: list[str], base: Path) -> tuple[Path | None, list[str]]:
	"""The longest run of ``parts`` that is a module under ``base``, and the rest."""
	for cut in range(len(parts), 0, -1):
		path = base.joinpath(*parts[:cut])
		if path.with_suffix(".py").is_file():
			return path.with_suffix(".py"), parts[cut:]
		if (path / "__init__.py").is_file():
			return path / "__init__.py", parts[cut:]
		if cut == len(parts) and path.is_dir():
			return path, []
	return None, parts


def dotted_exists(parts: list[str]) -> bool:
	"""``parts`` from the package (``api.public.book``), or from any module or package of the
	app named ``parts[0]`` (``scheduler_booking_host.on_doctype_update``)."""
	candidates = [module_file(parts, APP)]
	candidates += [(path, parts[1:]) for path in APP.rglob(f"{parts[0]}.py")]
	candidates += [
		module_file(parts[1:], path) if parts[1:] else (path, [])
		for path in APP.rglob(parts[0])
		if path.is_dir()
	]
	return any(
		module is not None and (not rest or (module.suffix == ".py" and has_attributes(module, rest)))
		for module, rest in candidates
	)


def path_exists(text: str) -> bool:
	"""``dir/file.py``, ``dir/``, ``dir/module.name.attr``; ``<lang>`` matches anything."""
	text = text.removeprefix("./").rstrip("/")
	*folders, last = text.split("/")
	stem, _dot, rest = last.partition(".")
	attributes: list[str] = []
	if rest and rest.split(".")[0] not in FILE_TYPES:  # module/name.attribute
		last, attributes = stem, rest.split(".")
	pattern = re.sub(r"<[^>]*>", "*", "/".join([*folders, last]))
	for base in (ROOT, APP):
		for candidate in [
			*base.glob(pattern),
			*base.glob(pattern + ".py"),
			*base.glob(pattern + "/__init__.py"),
		]:
			if not attributes or (candidate.suffix == ".py" and has_attributes(candidate, attributes)):
				return True
	return False


def class_attribute_exists(text: str) -> bool | None:
	"""``Class.attribute`` of a class of the app; None for a class the app does not define."""
	name, attribute = text.split(".", 1)
	found = None
	for module in APP.rglob("*.py"):
		node = names(tree(module).body).get(name)
		if isinstance(node, ast.ClassDef):
			found = found or attribute in names(node.body)
	return found


def problem(text: str) -> str | None:
	"""Why ``text`` (one code span) names something that does not exist, else None."""
	text = text.strip().removesuffix("()")
	if text.startswith(("/", "http", *BENCH_PATHS)) or " " in text:
		return None  # a route, a URL, a bench's path or a snippet
	if "/" in text:
		if PATH.fullmatch(text) and not path_exists(text):
			return "no such file"
		return None
	if not DOTTED.fullmatch(text):
		return None
	parts = text.removeprefix("…").removeprefix("scheduler_integration.").split(".")
	if parts[-1] in FILE_TYPES and len(parts) == 2:  # a file name: booking_page.js
		return None if any(path.name == text for path in FILES) else "no such file"
	if parts[0][0].isupper():  # a controller or dataclass method: SchedulerBooking.validate
		return "no such attribute" if class_attribute_exists(text) is False else None
	if parts[0] in OTHER_PROJECTS:
		return None
	if parts[0] in MODULES or text.startswith(("…", "scheduler_integration.")):
		return None if dotted_exists(parts) else "no such module or name"
	if len(parts) >= 3 and all(part.islower() or part.startswith("_") for part in parts):
		return "no such module"  # looks like a module path of the app, but is none
	return None


def references() -> list[tuple[str, int, str]]:
	found = []
	for doc in DOCS:
		for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
			found.extend((doc.name, number, span) for span in SPAN.findall(line))
	return found


def test_the_check_tells_existing_from_missing():
	for text in (
		"booking/caps.py",
		"booking.load",
		"scheduler_integration.api.public.book",
		"…api.tracking.track_step",
		"engine/booking_states.lifecycle_event",
		"engine/model.SlotPolicy.reach",
		"engine.validation.clean_phone",
		"tests/",
		"docs/screenshots/",
		"booking_page.js",
		"SchedulerBooking.validate",
		"frappe.utils.password.get_encryption_key",
		"/book/<profile>/<type>",
		"crm.localhost",
		"sites/assets/locale",
	):
		assert problem(text) is None, text
	for text in (
		"services/report_links.py",
		"services.tracking.reference_from_token",
		"services/engagement.on_booking_event",
		"booking/nothing.py",
		"booking.nothing",
		"engine/booking_states.no_such_function",
		"scheduler_integration.api.public.no_such_method",
		"SchedulerBooking.no_such_method",
	):
		assert problem(text) is not None, text


@pytest.mark.parametrize("doc", [doc.name for doc in DOCS])
def test_the_docs_name_only_what_exists(doc):
	missing = [
		f"{name}:{number}: `{text}` ({why})"
		for name, number, text in references()
		if name == doc and (why := problem(text))
	]
	assert missing == [], "\n".join(missing)


# --- the claims of docs/architecture.md that can be checked against the code -----------


def _architecture() -> str:
	return (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def _layer_places() -> list[str]:
	"""The packages of ``LAYERS`` (``scripts/frappe_layer/app_tree.py``, the layer check's
	map), top to bottom."""
	tree = ast.parse((ROOT / "scripts" / "frappe_layer" / "app_tree.py").read_text(encoding="utf-8"))
	for node in tree.body:
		if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "LAYERS":
			layers = ast.literal_eval(node.value)
			return [
				place for _name, places in layers for place in places if "/" not in place and "." not in place
			]
	raise AssertionError("no LAYERS in scripts/frappe_layer/app_tree.py")


def test_the_layer_picture_is_the_checked_order():
	"""Every package of a layer stands in the picture, in the check's order (the entry points
	drawn on one line)."""
	block = _architecture().split("## Layers", 1)[1].split("```")[1]
	drawn = re.findall(r"(?m)^ (\w+)/\s", block)
	places = [p for p in _layer_places() if p not in ("api", "www", "jobs", "patches")]
	order = [p for p in drawn if p in places]
	assert order == places, f"drawn {order}, checked {places}"


def test_the_effect_order_is_the_table():
	"""The worker's order in the booking request's path and the effects' list in the layer
	picture are ``effects/table.TABLE``'s."""
	table = (APP / "effects" / "table.py").read_text(encoding="utf-8").split("TABLE:", 1)[1]
	order = re.findall(r'Effect\("(\w+)"', table.split("\n)\n", 1)[0])
	text = _architecture()
	worker = re.search(r"worker: effects\.run_booking((?:\s*→\s*\w+)+)", text).group(1)
	assert re.findall(r"\w+", worker) == order
	listed = re.search(r"one ordered table of after-commit effects \(([^)]*)\)", text).group(1)
	assert re.findall(r"\w+", listed) == order


def test_the_rules_the_docs_quote_are_the_packages_own():
	"""A "never imports" rule the docs quote is a package docstring's own words."""
	quoted = re.findall(r'"((?:nothing here imports|Imports only|never imports)[^"]*)"', _architecture())
	assert quoted
	docstrings = " ".join(
		" ".join((ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "").split())
		for p in APP.rglob("__init__.py")
	)
	for rule in quoted:
		assert " ".join(rule.split()) in docstrings.replace("``", "`"), rule
