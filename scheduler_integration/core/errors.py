"""Field errors for the desk and the API: every message translated, every field named.

Controllers collect all field errors of a document before failing, so a form or an API
client sees every problem at once. ``FieldValidationError`` maps to HTTP 400 (Frappe's own
ValidationError is 417) and carries ``errors``: {fieldname: message}; ``RequestRefused`` and
its kinds refuse a request as a whole. ``api.utils`` maps each onto its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import frappe
from frappe import _

from scheduler_integration.core import error_codes as codes
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.validation import (
	MAX_DISPLAY_NAME,
	clean_color,
	clean_logo,
	clean_slug,
	clean_text,
	slugify,
)


class FieldValidationError(frappe.ValidationError):
	code = codes.VALIDATION_ERROR
	http_status_code = codes.STATUS[code]

	def __init__(
		self,
		message: str = "",
		errors: dict[str, str] | None = None,
		code: str | None = None,
		links: dict[str, str] | None = None,
	):
		super().__init__(message)
		self.errors = errors or {}
		self.code = code or self.code
		# {field: desk route} of the form that fixes the field (a missing connection)
		self.links = links or {}


class RequestRefused(frappe.ValidationError):
	"""A request refused as a whole, not for one of its fields (a body that is not JSON):
	answered with its ``http_status_code`` and its message."""

	code = codes.INVALID_REQUEST
	http_status_code = codes.STATUS[code]


class MissingArguments(RequestRefused):
	"""A required parameter was not sent (a plain-style method: Frappe answers it)."""

	code = codes.MISSING_ARGUMENTS


class Unauthorized(RequestRefused):
	"""The request does not prove who sent it (an unsigned webhook)."""

	code = codes.UNAUTHORIZED
	http_status_code = codes.STATUS[code]


class RequestTooLarge(RequestRefused):
	"""A body larger than the endpoint takes (a webhook's events are a few kilobytes)."""

	code = codes.REQUEST_TOO_LARGE
	http_status_code = codes.STATUS[code]


class ServerBusy(RequestRefused):
	"""The same work is under way in another request: the sender should try again."""

	code = codes.SERVER_BUSY
	http_status_code = codes.STATUS[code]


def translate(error: SchedulingError) -> str:
	"""The error's message in the user's language (engine templates are marked for extraction)."""
	args = [_(FIELD_LABELS[a]) if isinstance(a, str) and a in FIELD_LABELS else a for a in error.args_]
	return _(error.template).format(*args) if error.template else str(error)


def provider_error_text(exc: Exception) -> str:
	"""A calendar or video provider's error (``providers.errors``) in the user's language,
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
	"acuity_user_id": "Acuity User ID",
	"acuity_report_field": "Acuity Report Field ID",
	"oncehub_user_id": "OnceHub User ID",
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
	"location_type": "Location",
	"event_title_template": "Event Title Template",
	"event_description_template": "Event Description Template",
	"captcha_verify_url": "CAPTCHA Verify URL",
	"custom_domain": "Custom Domain",
	"team": "Team",
	"members": "Members",
	"round_robin_mode": "Round Robin Mode",
	"booking_page": "Booking Page",
	"user": "Host",
	"brand_color": "Brand Color",
	"meeting_types": "Meeting Types",
}


class FieldErrors:
	"""Collects per-field errors; ``clean`` returns the cleaned value or the original."""

	def __init__(self):
		self.errors: dict[str, str] = {}
		self.links: dict[str, tuple[str, str]] = {}

	def add(self, field: str, message: str, link: tuple[str, str] | None = None) -> None:
		"""``link``: (label, desk route) of the form that fixes it, shown after the message."""
		self.errors.setdefault(field, message)
		if link and field not in self.links:
			self.links[field] = link

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

	def title_and_slug(self, doc, taken: str, **scope) -> None:
		"""A page's ``title`` (required) and its link's ``slug`` (made from the title when
		empty), cleaned in place; ``taken``: the slug is another document's (within ``scope``)."""
		doc.title = self.clean("title", clean_text, doc.title, "title", MAX_DISPLAY_NAME, required=True)
		if not doc.slug and doc.title:
			doc.slug = slugify(doc.title)
		doc.slug = self.clean("slug", clean_slug, doc.slug)
		self.unique(doc, "slug", taken, **scope)

	def branding(self, doc) -> None:
		"""A page's ``brand_color`` and ``logo`` (profile, team, booking page), cleaned in
		place; a logo only when it is new or changed (an older one keeps working)."""
		doc.brand_color = self.clean("brand_color", clean_color, doc.brand_color, "brand_color")
		if doc.is_new() or doc.has_value_changed("logo"):
			doc.logo = self.clean("logo", clean_logo, doc.logo, "logo")

	def raise_if_any(self, title: str | None = None) -> None:
		if not self.errors:
			return
		escape = frappe.utils.escape_html
		lines = []
		for field, text in self.errors.items():
			line = escape(f"{_(FIELD_LABELS.get(field, field))}: {text}")
			if field in self.links:
				label, route = self.links[field]
				line += f' <a href="{escape(route)}">{escape(label)}</a>'
			lines.append(line)
		message = "<br>".join(lines)
		# shown by the desk; the API wrappers answer with ``errors`` and drop the message log
		frappe.msgprint(message, title=title or _("Please correct these fields"), indicator="red")
		links = {field: route for field, (_label, route) in self.links.items()}
		raise FieldValidationError(message, dict(self.errors), links=links)
