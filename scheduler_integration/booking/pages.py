"""The public booking pages' data: a profile and its meeting types, found by slug.

Only active profiles and types are public; an unknown or malformed slug is "does not
exist", never an error that tells more. Which names a profile slug leads to (the profile
and its active types by slug) is kept per worker process (``core.versioned_cache``): every
slot read starts there, and two lookups cost more than the rest of a one-day read. The
profile and meeting type controllers outdate the slug's entry on every change (insert,
slug or active changed, delete); an unknown slug is cached as unknown until a profile
takes it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import frappe
from frappe import _

from scheduler_integration.booking import meetings
from scheduler_integration.booking.meeting_types import TypeContext, type_context
from scheduler_integration.core.settings import setting
from scheduler_integration.core.versioned_cache import VersionedCache
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.guest_form import Question
from scheduler_integration.engine.meetings import needs_phone
from scheduler_integration.engine.statuses import STATUSES
from scheduler_integration.engine.validation import clean_slug


@dataclass(frozen=True)
class Page:
	profile: str  # the Scheduler Profile's name
	types: dict[str, str]  # active meeting types: slug -> name


SLUGS = VersionedCache("scheduler_integration:page_slug")


def invalidate(slugs) -> None:
	"""Outdate the pages of these profile slugs (old and new, on a change of slug)."""
	SLUGS.invalidate(slug for slug in slugs if slug)


def _build(slugs: list[str]) -> dict[str, Page | None]:
	"""Two queries for any number of slugs."""
	profiles = frappe.get_all(
		"Scheduler Profile", filters={"slug": ("in", slugs), "active": 1}, fields=["name", "slug"]
	)
	types: dict[str, dict[str, str]] = {row.name: {} for row in profiles}
	for row in frappe.get_all(
		"Scheduler Meeting Type",
		filters={"profile": ("in", list(types) or [""]), "active": 1},
		fields=["name", "slug", "profile"],
		order_by="creation asc",
	):
		types[row.profile].setdefault(row.slug, row.name)
	found = {row.slug: Page(row.name, types[row.name]) for row in profiles}
	return {slug: found.get(slug) for slug in slugs}


def page(slug) -> Page:
	try:
		slug = clean_slug(slug, "profile")
	except SchedulingError:
		raise frappe.DoesNotExistError(_("This booking page does not exist")) from None
	found = SLUGS.get_many([slug], _build)[slug]
	if found is None:
		raise frappe.DoesNotExistError(_("This booking page does not exist"))
	return found


def profile_by_slug(slug):
	return frappe.get_cached_doc("Scheduler Profile", page(slug).profile)


def public_type(profile_slug, slug) -> TypeContext:
	"""The active meeting type ``slug`` of the active profile ``profile_slug``."""
	found = page(profile_slug)
	try:
		slug = clean_slug(slug, "meeting_type")
	except SchedulingError:
		raise frappe.DoesNotExistError(_("This meeting type does not exist")) from None
	name = found.types.get(slug)
	if not name:
		raise frappe.DoesNotExistError(_("This meeting type does not exist"))
	return type_context(name)


def meeting_type_by_slug(profile, slug):
	"""The meeting type ``slug`` of ``profile`` (a Scheduler Profile) as a cached document."""
	return public_type(profile.slug, slug).doc


def active_types(profile_name: str) -> list:
	names = frappe.get_all(
		"Scheduler Meeting Type",
		filters={"profile": profile_name, "active": 1},
		order_by="priority desc, sort_order asc, creation asc",
		pluck="name",
	)
	return [frappe.get_cached_doc("Scheduler Meeting Type", name) for name in names]


def questions(doc) -> list[Question]:
	return [
		Question(
			row.label,
			row.fieldtype or "Data",
			bool(row.required),
			tuple(line.strip() for line in (row.options or "").splitlines() if line.strip()),
		)
		for row in doc.questions
	]


def type_summary(doc) -> dict:
	return {
		"slug": doc.slug,
		"title": doc.title,
		"duration": doc.duration_minutes(),
		"description": doc.description or "",
		"location_type": doc.location_type or "",
		"color": doc.color or "",
		"requires_confirmation": bool(doc.requires_confirmation),
		# a video link is promised only when every host who could be assigned can make it
		# now; otherwise the page shows the location alone (the link still comes by email
		# once the host reconnects: the video effect retries)
		"video_link": meetings.promises_link(doc),
		"phone_required": needs_phone(doc.location_type),
	}


# Frappe's website pages carry no translations for app scripts: the page ships the ones
# its script uses (every literal ``__("...")`` in it) in the reader's language.
_SCRIPT = ("public", "js", "booking_page.js")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@functools.lru_cache(maxsize=1)
def script_messages() -> tuple[str, ...]:
	from frappe.translate import extract_messages_from_javascript_code

	with open(frappe.get_app_path("scheduler_integration", *_SCRIPT), encoding="utf-8") as handle:
		code = handle.read()
	found = {message for _line, message, _context in extract_messages_from_javascript_code(code)}
	return tuple(sorted(found | set(STATUSES)))


def page_messages() -> dict[str, str]:
	"""{English: translation} of the booking script's strings in ``frappe.local.lang``."""
	out = {}
	for message in script_messages():
		translated = _(message)
		if translated != message:
			out[message] = translated
	return out


def organization() -> dict:
	"""The site's name and logo (Website Settings), shown above every booking page."""
	try:
		row = frappe.get_cached_doc("Website Settings")
	except frappe.DoesNotExistError:
		return {"name": "", "logo": ""}
	name = row.get("app_name") or ""
	if name == "Frappe":  # the framework's placeholder, not an organisation anyone set
		name = ""
	return {"name": name, "logo": row.get("app_logo") or ""}


def page_data(profile_slug, meeting_type_slug=None) -> dict:
	profile = profile_by_slug(profile_slug)
	brand = profile.brand_color or ""
	data = {
		"profile": {
			"slug": profile.slug,
			"display_name": profile.display_name,
			"description": profile.description or "",
			"timezone": profile.timezone,
			"brand_color": brand if _COLOR.match(brand) else "",
			"logo": profile.logo or "",
		},
		"organization": organization(),
		"meeting_types": [type_summary(doc) for doc in active_types(profile.name)],
		"max_window_days": int(setting("max_slot_window_days") or 62),
	}
	if meeting_type_slug:
		doc = meeting_type_by_slug(profile, meeting_type_slug)
		data["meeting_type"] = {
			**type_summary(doc),
			"questions": [
				{
					"label": q.label,
					"fieldtype": q.fieldtype,
					"required": q.required,
					"options": list(q.options),
				}
				for q in questions(doc)
			],
			"max_advance_days": int(doc.max_advance_days or 0),
		}
	return data
