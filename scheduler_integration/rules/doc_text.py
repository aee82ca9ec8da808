"""A method's description (its docstring, as the OpenAPI document carries it) as text a page
shows: paragraphs, and in them the `code` spans apart from the prose.

Docstrings are wrapped at a line length: a paragraph's lines are one sentence flow, joined
with a space; paragraphs are separated by blank lines only. A span between single backticks
is code (the document writes a docstring's double backticks as single ones; a lone backtick
stays text). Nothing here is markup: the parts are plain text, which the page escapes
(``www/scheduler_api.py``), so a docstring can never inject HTML.
"""

from __future__ import annotations

import re

_BLANK = re.compile(r"\n[ \t]*\n")
_CODE = re.compile(r"`([^`\n]+)`")

Part = tuple[str, bool]  # (text, is code)


def paragraphs(text: str) -> list[list[Part]]:
	"""``text`` as paragraphs, each a list of (text, is_code) parts (see the module)."""
	out = []
	for block in _BLANK.split((text or "").replace("\r\n", "\n").replace("``", "`")):
		flow = " ".join(line.strip() for line in block.split("\n") if line.strip())
		if flow:
			out.append(_parts(flow))
	return out


def _parts(flow: str) -> list[Part]:
	parts: list[Part] = []
	end = 0
	for match in _CODE.finditer(flow):
		if match.start() > end:
			parts.append((flow[end : match.start()], False))
		parts.append((match.group(1), True))
		end = match.end()
	if end < len(flow):
		parts.append((flow[end:], False))
	return parts
