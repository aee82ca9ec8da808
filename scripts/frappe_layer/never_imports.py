"""What a package's docstring says it never imports ("nothing here imports ``booking/``",
"Imports only ...", "Imported only by ...") is read into ``NEVER_IMPORTS``; the import
and by-name checks (``layers``, ``loads_by_name``) hold every module to it with
``never_imported``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from . import app_tree
from .app_tree import LAYERS, is_test, parsed, problem, within
from .pure_packages import PURE_PACKAGES

# A package's docstring may say what it never imports: "nothing here imports ``booking/``",
# "never imports frappe", "Imports only ``engine`` and ``providers``". The check reads those
# sentences and holds the package to them (``NEVER_IMPORTS``, filled by ``read_rules``), as
# a package beside another in one layer (connections/ beside booking/) is not held by the
# layer order. A word it cannot read is a problem, so a written rule never goes unchecked.
NEVER_SAID = re.compile(r"(?:nothing here|never) imports ([^.;:(]+)", re.IGNORECASE)
ONLY_SAID = re.compile(r"(?<!imported )imports only ([^.;:(]+)", re.IGNORECASE)
# "Imported only by controllers, jobs, install and patches" (effects/): every other place
# of the app never imports the package
ONLY_BY_SAID = re.compile(r"imported only by ([^.;:(]+)", re.IGNORECASE)
RULE_WORDS = {"controllers": "scheduler_integration/doctype", "frappe": "frappe"}
# (package, places it never imports, the file that says so)
NEVER_IMPORTS: list[tuple[str, tuple[str, ...], str]] = []


def rule_places(text: str, path: Path) -> list[str]:
	"""The places a rule's list names (``effects``, ``booking/``, controllers, frappe)."""
	out = []
	for word in re.split(r",\s*(?:and\s+|or\s+|nor\s+)?|\s+(?:and|or|nor)\s+", text.strip()):
		word = word.strip().strip("`").rstrip("/")
		place = RULE_WORDS.get(word, word)
		if place != "frappe" and not (app_tree.APP / place).is_dir():
			if (app_tree.APP / f"{place}.py").is_file():  # a module of its own (install.py)
				place = f"{place}.py"
			else:
				problem(path, f"states what it never imports, but {word!r} is no package of the app")
				continue
		out.append(place)
	return out


def read_rules() -> None:
	"""``NEVER_IMPORTS`` from the packages' docstrings; "never imports frappe" is held by
	``check_pure_packages``, so a package saying it must be one of ``PURE_PACKAGES``."""
	NEVER_IMPORTS.clear()
	places = [place for _name, layer in LAYERS for place in layer]
	for path in sorted(app_tree.APP.rglob("__init__.py")):
		if is_test(path) or path.parent == app_tree.APP:
			continue
		doc = " ".join((ast.get_docstring(parsed(path)) or "").split())
		package = path.parent.relative_to(app_tree.APP).as_posix()
		written = path.relative_to(app_tree.APP).as_posix()
		forbidden = [p for m in NEVER_SAID.finditer(doc) for p in rule_places(m.group(1), path)]
		for match in ONLY_SAID.finditer(doc):
			allowed = rule_places(match.group(1), path)
			forbidden += [
				p
				for p in places
				if p not in allowed and not within(app_tree.APP / p, package) and p != package
			]
		for match in ONLY_BY_SAID.finditer(doc):
			allowed = [*rule_places(match.group(1), path), package]
			for place in places:
				if not any(place == a or within(app_tree.APP / place, a) for a in allowed):
					NEVER_IMPORTS.append((place, (package,), written))
		if "frappe" in forbidden and package not in PURE_PACKAGES:
			problem(path, "says it never imports frappe, but is not one of PURE_PACKAGES")
		forbidden = [p for p in dict.fromkeys(forbidden) if p != "frappe"]
		if forbidden:
			NEVER_IMPORTS.append((package, tuple(forbidden), written))


def never_imported(path: Path, target: Path) -> tuple[str, str, str] | None:
	"""(package, the package it never imports, where that is written) when importing
	``target`` from ``path`` breaks a rule of ``NEVER_IMPORTS``."""
	for source, forbidden, written in NEVER_IMPORTS:
		if within(path, source):
			for place in forbidden:
				if within(target, place) and not within(target, source):
					return source, place, written
	return None
