"""Host API: my scheduler settings (profile) and its meeting types.

Shapes follow the scheduler-settings endpoints of seeds/000 (GET and PATCH).
"""

from __future__ import annotations

from typing import TypedDict

import frappe
from frappe import _

from scheduler_integration.api.meeting_type import MeetingType, active_meeting_types
from scheduler_integration.api.utils import acting_user, api, flag, iso, ok, payload
from scheduler_integration.booking.domains import profile_url
from scheduler_integration.booking.errors import NotConfigured
from scheduler_integration.core.answers import Answer, DateTime, Url
from scheduler_integration.engine.validation import SchedulerProvider

UPDATABLE = (
	"scheduler_provider",
	"scheduler_url",
	"embed_code",
	"display_name",
	"description",
	"show_in_reports",
	"embed_in_reports",
	"slug",
	"timezone",
	"active",
	"brand_color",
	"availability",
)
FLAGS = ("show_in_reports", "embed_in_reports", "active")


def profile_name(user: str) -> str | None:
	return frappe.db.get_value("Scheduler Profile", {"user": user}, "name")


class HostProfile(TypedDict):
	"""A host's scheduler settings: their booking page's profile."""

	id: str
	consultant_id: str  # the host's User (as ``user``)
	user: str
	slug: str
	display_name: str
	description: str | None
	timezone: str
	active: bool
	scheduler_provider: SchedulerProvider
	scheduler_url: str | None  # an external scheduler's absolute URL; empty or null for none
	embed_code: str | None
	show_in_reports: bool
	embed_in_reports: bool
	availability: str | None  # the working hours it uses
	booking_url: Url
	created_at: DateTime
	updated_at: DateTime


class HostSettings(HostProfile):
	"""A host's scheduler settings with their active meeting types, in the page's order."""

	meeting_types: list[MeetingType]


def serialize_profile(doc) -> HostProfile:
	return {
		"id": doc.name,
		"consultant_id": doc.user,
		"user": doc.user,
		"slug": doc.slug,
		"display_name": doc.display_name,
		"description": doc.description,
		"timezone": doc.timezone,
		"active": bool(doc.active),
		"scheduler_provider": doc.scheduler_provider,
		"scheduler_url": doc.scheduler_url,
		"embed_code": doc.embed_code,
		"show_in_reports": bool(doc.show_in_reports),
		"embed_in_reports": bool(doc.embed_in_reports),
		"availability": doc.availability,
		"booking_url": profile_url(doc),
		"created_at": iso(doc.creation),
		"updated_at": iso(doc.modified),
	}


@frappe.whitelist(methods=["GET"])
@api
def get_my_settings(user: str | None = None) -> Answer[HostSettings]:
	"""The profile with its active meeting types (priority desc, sort order asc)."""
	user = acting_user(user)
	name = profile_name(user)
	if not name:
		raise NotConfigured(_("Scheduler settings are not configured for {0}").format(user))
	doc = frappe.get_doc("Scheduler Profile", name)
	data: HostSettings = {**serialize_profile(doc), "meeting_types": active_meeting_types(name)}
	return ok(data)


@frappe.whitelist(methods=["POST", "PUT", "PATCH"])
@api
def update_my_settings(user: str | None = None, **fields) -> Answer[HostProfile]:
	"""Create or update the profile with the given fields; others stay as they are."""
	user = acting_user(user)
	fields = payload(fields)
	unknown = sorted(set(fields) - set(UPDATABLE))
	from scheduler_integration.core.errors import FieldValidationError

	if unknown:
		raise FieldValidationError(_("Unknown fields"), {field: _("Unknown field") for field in unknown})
	# every field is one value: an object or a list is a 400, not a database error (500)
	nested = {field: _("Must be a single value") for field, v in fields.items() if isinstance(v, dict | list)}
	# a text field (not a flag) given a number or true/false: a 400, never stored as 0 (a link to "0")
	nested |= {
		field: _("Must be text")
		for field, v in fields.items()
		if field not in FLAGS and v is not None and not isinstance(v, str | dict | list)
	}
	if nested:
		raise FieldValidationError(_("Invalid input"), nested)
	name = profile_name(user)
	created = not name
	doc = frappe.get_doc("Scheduler Profile", name) if name else frappe.new_doc("Scheduler Profile")
	doc.user = user
	for field, value in fields.items():
		doc.set(field, flag(value) if field in FLAGS else value)
	doc.save() if name else doc.insert()
	message = (
		_("Scheduler settings created successfully")
		if created
		else _("Scheduler settings updated successfully")
	)
	return ok(serialize_profile(doc), message, 201 if created else 200)
