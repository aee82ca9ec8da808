"""The types an API answer is declared with, once, beside the code that shapes it.

A shape function returns a ``TypedDict`` (its fields, their types, which are required), a
whitelisted method its ``Answer[…]`` (the envelope of ``api.utils.ok``) or its plain value;
``api.schemas`` reads those annotations into the OpenAPI document's answer schemas, so a
field added to an answer without its type fails the answer check of the bench suite.

Text with a format is ``Annotated[str, Format(…)]``: ``DateTime`` (UTC, ``…Z``), ``Date``,
``Email``, ``Url`` (absolute) and ``Path`` (a link on the site, absolute or relative).
Imports nothing of the app or of Frappe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypedDict, TypeVar


@dataclass(frozen=True)
class Format:
	"""JSON Schema's ``format`` of a text."""

	json_format: str


@dataclass(frozen=True)
class Pattern:
	"""JSON Schema's ``pattern`` of a text."""

	json_pattern: str


DateTime = Annotated[str, Format("date-time")]
Date = Annotated[str, Format("date")]
Time = Annotated[str, Pattern(r"^\d{2}:\d{2}$")]
Email = Annotated[str, Format("email")]
Url = Annotated[str, Format("uri")]
Path = Annotated[str, Format("uri-reference")]

T = TypeVar("T")


class Answer(TypedDict, Generic[T]):
	"""The envelope of a success (``api.utils.ok``): ``data`` is the method's own answer."""

	success: bool
	data: T
	message: str | None
