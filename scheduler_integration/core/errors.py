"""Field errors for the desk and the API: every message translated, every field named.

Controllers collect all field errors of a document before failing, so a form or an API
client sees every problem at once. ``FieldValidationError`` maps to HTTP 400 (Frappe's own
ValidationError is 417) and carries ``errors``: {fieldname: message}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import frappe
from frappe import _

from scheduler_integration.engine.errors import SchedulingError


class FieldValidationError(frappe.ValidationError):
	http_status_code = 400

	def __init__(self, message: str = "", errors: dict[str, str] | None = None):
		super().__init__(message)
		self.errors = errors or {}


def translate(error: SchedulingError) -> str:
	"""The error's message in the user's language (engine templates are marked for extraction)."""
	args = [_(FIELD_LABELS[a]) if isinstance(a, str) and a in FIELD_LABELS else a for a in error.args_]
	return _(error.template).format(*args) if error.template else str(error)


def provider_error_text(exc: Exception) -> str:
	"""A calendar or video provider's error (``calendars.errors``) in the user's language,
	else the exception's type and text; at most 1000 characters."""
	template = getattr(exc, "template", None)
	if template:
		return _(template).format(*getattr(exc, "args_", ()))[:1000]
	return f"{type(exc).__name__}: {exc}"[:1000]


# fieldnames the engine names in messages, shown to users by their label
FIELD_LABELS = {
	"slug": "Slug",
	"display_name": "Display Name",
	"scheduler_url": "Scheduler URL",
	"scheduler_event_url": "External Scheduler URL",
	"embed_code": "Embed Code",
	"scheduler_provider": "Scheduler Provider",
	"timezone": "Time Zone",
	"title": "Title",
	"duration": "Duration",
	"custom_duration": "Custom Duration",
	"priority": "Priority",
	"recommended_phases": "Recommended for Phases",
	"description": "Description",
	"from_time": "From",
	"to_time": "To",
	"rrule": "Repeat Rule (RRULE)",
}


class FieldErrors:
	"""Collects per-field errors; ``clean`` returns the cleaned value or the original."""

	def __init__(self):
		self.errors: dict[str, str] = {}

	def add(self, field: str, message: str) -> None:
		self.errors.setdefault(field, message)

	def clean(self, field: str, cleaner: Callable[..., Any], *args, **kwargs):
		try:
			return cleaner(*args, **kwargs)
		except SchedulingError as exc:
			self.add(exc.field or field, translate(exc))
			return args[0] if args else None

	def unique(self, doc, field: str, message: str, **scope) -> None:
		"""``doc.<field>`` must not be used by another document of its DocType (within ``scope``)."""
		value = doc.get(field)
		if value and frappe.db.exists(doc.doctype, {field: value, "name": ("!=", doc.name or ""), **scope}):
			self.add(field, message)

	def raise_if_any(self, title: str | None = None) -> None:
		if not self.errors:
			return
		lines = [f"{_(FIELD_LABELS.get(field, field))}: {message}" for field, message in self.errors.items()]
		message = "<br>".join(frappe.utils.escape_html(line) for line in lines)
		# shown by the desk; the API wrappers answer with ``errors`` and drop the message log
		frappe.msgprint(message, title=title or _("Please correct these fields"), indicator="red")
		raise FieldValidationError(message, dict(self.errors))
