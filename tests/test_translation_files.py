"""The shipped translations (gettext: scheduler_integration/locale/{de,fr,es,pt}.po, and
main.pot listing every message) cover the app's strings, without Frappe: a mirror of what
Frappe's extractor collects (DocType names, labels, descriptions and Select options; report
names; ``_("...")`` in Python, read with ``ast``; ``_("...")`` / ``__("...")`` in JavaScript
and Jinja). The bench test scheduler_integration/tests/setup/test_translations.py runs Frappe's own
extractor on a site and reads the translations back through Frappe."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "scheduler_integration"
LANGUAGES = ("de", "fr", "es", "pt")
CALL = re.compile(r"""(?<![\w$.])_{1,2}\(\s*(["'])((?:(?!\1).)*)\1\s*[,)]""")
SKIP = {"tests", "__pycache__", "node_modules", "dist"}


def translatable(text: str) -> bool:
	return bool(re.search("[a-zA-Z]", text)) and not text.startswith(("eval:", "fa fa-"))


def files(*suffixes):
	for path in sorted(APP.rglob("*")):
		if path.suffix in suffixes and not SKIP.intersection(path.relative_to(APP).parts):
			yield path


def python_strings(path: Path) -> set[str]:
	found = set()
	for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
		if (
			isinstance(node, ast.Call)
			and isinstance(node.func, ast.Name)
			and node.func.id in ("_", "_lt")
			and node.args
			and isinstance(node.args[0], ast.Constant)
			and isinstance(node.args[0].value, str)
		):
			found.add(node.args[0].value)
	return found


def doctype_strings(path: Path) -> set[str]:
	meta = json.loads(path.read_text(encoding="utf-8"))
	if meta.get("doctype") == "Report":
		return {meta["name"]}
	if meta.get("doctype") != "DocType":
		return set()
	found = {meta["name"], meta.get("module") or "", meta.get("description") or ""}
	for field in meta.get("fields", []):
		found |= {field.get("label") or "", field.get("description") or ""}
		if field.get("fieldtype") == "Select" and field.get("options"):
			found |= set(field["options"].split("\n"))
	found |= {perm.get("role") or "" for perm in meta.get("permissions", [])}
	return found


def app_strings() -> set[str]:
	found: set[str] = set()
	for path in files(".py"):
		found |= python_strings(path)
	for path in files(".js", ".html"):
		found |= {match.group(2) for match in CALL.finditer(path.read_text(encoding="utf-8"))}
	for path in files(".json"):
		if "doctype" in path.parts or "report" in path.parts:
			found |= doctype_strings(path)
	return {text for text in found if text and translatable(text)}


def read_po(text: str) -> dict[str, str]:
	"""{msgid (``msgid:msgctxt`` with a context): msgstr} of a .po or .pot file, as Frappe
	keys them; the header entry left out. PO strings are C-escaped, as Python literals are."""
	entries: dict[str, str] = {}
	entry: dict[str, str] = {}
	keyword = ""

	def close():
		if entry.get("msgid"):
			key = entry["msgid"] + (f":{entry['msgctxt']}" if entry.get("msgctxt") else "")
			entries[key] = entry.get("msgstr", "")
		entry.clear()

	for line in text.splitlines():
		line = line.strip()
		if not line or line.startswith("#"):
			continue
		if line.startswith('"'):  # a continuation of the keyword's string
			entry[keyword] += ast.literal_eval(line)
			continue
		keyword, _space, text = line.partition(" ")
		if keyword in ("msgctxt", "msgid") and "msgstr" in entry:
			close()
		entry[keyword] = ast.literal_eval(text)
	close()
	return entries


def table(lang: str) -> dict[str, str]:
	return read_po((APP / "locale" / f"{lang}.po").read_text(encoding="utf-8"))


TEMPLATE = read_po((APP / "locale" / "main.pot").read_text(encoding="utf-8"))


STRINGS = app_strings()


def test_the_mirror_finds_the_apps_strings():
	# one of each kind: a DocType label, a Select option, a Python message, the page script's
	assert {"Guest Time Zone", "Round Robin", "This booking page does not exist", "Time zone"} <= STRINGS
	assert len(STRINGS) > 300


SAMPLE = r"""
msgid ""
msgstr ""
"Language: de\n"

#: a.py:1
msgid "Say \"{0}\""
msgstr "Sag \"{0}\""

msgctxt "Coins"
msgid "Change"
msgstr "Wechselgeld"

msgid ""
"Two\n"
"lines"
msgstr ""
"Zwei\n"
"Zeilen"
"""


def test_the_reader_reads_po_files():
	assert read_po(SAMPLE) == {
		'Say "{0}"': 'Sag "{0}"',
		"Change:Coins": "Wechselgeld",
		"Two\nlines": "Zwei\nZeilen",
	}
	assert len(TEMPLATE) > 800
	assert table("de")["Time zone"] == "Zeitzone"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_translated(lang):
	translations = table(lang)
	missing = sorted(text for text in STRINGS if not (translations.get(text) or "").strip())
	assert missing == [], f"{len(missing)} strings have no {lang} translation: add them to locale/{lang}.po"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_translates_the_template_and_nothing_else(lang):
	# main.pot lists every message (what Frappe's extractor finds, and the few it cannot):
	# a language that lacks one of them, or has one the template lost, fails here
	translations = table(lang)
	assert set(translations) == set(TEMPLATE), (
		sorted(set(TEMPLATE) - set(translations)),
		sorted(set(translations) - set(TEMPLATE)),
	)
	assert sorted(key for key, text in translations.items() if not text.strip()) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive(lang):
	for source, translated in table(lang).items():
		assert sorted(re.findall(r"\{\d+\}", translated)) == sorted(re.findall(r"\{\d+\}", source)), (
			lang,
			source,
			translated,
		)
