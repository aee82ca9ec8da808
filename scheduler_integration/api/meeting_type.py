"""Host API: create, update, delete and list meeting types (seeds/000 shapes)."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import frappe
from frappe import _

from scheduler_integration.api import parse
from scheduler_integration.api.utils import (
	acting_user,
	api,
	check_owner,
	document_fields,
	flag,
	iso,
	ok,
	parse_json,
)
from scheduler_integration.booking.errors import NotConfigured
from scheduler_integration.booking.meeting_types import TYPE_ORDER
from scheduler_integration.core.answers import Answer, DateTime
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.engine.validation import clean_text

# API name -> DocType field
FIELDS = {
	"name": "title",
	"title": "title",
	"slug": "slug",
	"description": "description",
	"scheduler_event_url": "scheduler_event_url",
	"priority": "priority",
	"is_active": "active",
	"active": "active",
	"sort_order": "sort_order",
	"location_type": "location_type",
	"location_details": "location_details",
	"color": "color",
	"confirmation_message": "confirmation_message",
	"event_title_template": "event_title_template",
	"event_description_template": "event_description_template",
	"buffer_before": "buffer_before",
	"buffer_after": "buffer_after",
	"min_notice": "min_notice",
	"max_advance_days": "max_advance_days",
	"slot_interval": "slot_interval",
	"daily_limit": "daily_limit",
	"weekly_limit": "weekly_limit",
	"cancel_notice": "cancel_notice",
	"reschedule_notice": "reschedule_notice",
	"requires_confirmation": "requires_confirmation",
	"reminder_offsets": "reminder_offsets",
	"assignment": "assignment",
	"round_robin_mode": "round_robin_mode",
	"team": "team",
	"booking_page": "booking_page",
}
TEMPLATES = ("event_title_template", "event_description_template")
SPECIAL = {"duration_minutes", "duration", "custom_duration", "recommended_phases", "questions", "hosts"}


class MeetingType(TypedDict):
	"""A host's meeting type as the host API shows it (seeds/000)."""

	id: str
	consultant_id: str
	name: str
	slug: str
	duration_minutes: int
	description: str | None
	scheduler_event_url: str | None
	recommended_phases: list[str]
	priority: int
	is_active: bool
	sort_order: int
	location_type: str | None
	assignment: str | None
	round_robin_mode: str | None
	team: str | None
	booking_page: str | None
	created_at: DateTime
	updated_at: DateTime


class DeletedMeetingType(TypedDict):
	"""The meeting type deleted, or deactivated instead when it has bookings."""

	id: str
	deactivated: NotRequired[bool]


class InvitationAnswer(TypedDict):
	"""Your answer to an invitation to host a team meeting type."""

	id: str
	accepted: bool


def serialize_type(doc) -> MeetingType:
	duration = doc.duration_minutes()
	return {
		"id": doc.name,
		"consultant_id": doc.user,
		"name": doc.title,
		"slug": doc.slug,
		"duration_minutes": duration,
		"description": doc.description,
		"scheduler_event_url": doc.scheduler_event_url,
		"recommended_phases": [row.phase for row in doc.recommended_phases],
		"priority": doc.priority,
		"is_active": bool(doc.active),
		"sort_order": doc.sort_order,
		"location_type": doc.location_type,
		"assignment": doc.assignment,
		"round_robin_mode": doc.round_robin_mode,
		"team": doc.team,
		"booking_page": doc.booking_page,
		"created_at": iso(doc.creation),
		"updated_at": iso(doc.modified),
	}


def active_meeting_types(profile: str) -> list[MeetingType]:
	names = frappe.get_all(
		"Scheduler Meeting Type",
		filters={"profile": profile, "active": 1},
		order_by=TYPE_ORDER,
		pluck="name",
	)
	return [serialize_type(frappe.get_doc("Scheduler Meeting Type", name)) for name in names]


def _apply(doc, fields: dict) -> None:
	fields = document_fields(fields, FIELDS, SPECIAL, TEMPLATES)
	for key, value in fields.items():
		if key in FIELDS:
			target = FIELDS[key]
			doc.set(target, flag(value) if target in ("active", "requires_confirmation") else value)
	duration = fields.get("duration_minutes", fields.get("duration"))
	if duration is not None:
		if str(duration).strip().lower() == "custom" or fields.get("custom_duration"):
			doc.duration = "Custom"
			doc.custom_duration = fields.get("custom_duration") or duration
		else:
			doc.duration = str(duration).strip()
	if "recommended_phases" in fields:
		phases = parse_json(fields["recommended_phases"], "recommended_phases") or []
		if not isinstance(phases, list):
			raise FieldValidationError(
				_("Invalid input"), {"recommended_phases": _("Must be a list of phases")}
			)
		doc.set("recommended_phases", [{"phase": phase} for phase in phases])
	for table in ("questions", "hosts"):
		if table in fields:
			rows = parse_json(fields[table], table) or []
			if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
				raise FieldValidationError(_("Invalid input"), {table: _("Must be a list of rows")})
			allowed = {
				"questions": {"label", "fieldtype", "required", "options"},
				"hosts": {"user", "weight", "priority"},
			}[table]
			doc.set(table, [{k: v for k, v in row.items() if k in allowed} for row in rows])


@frappe.whitelist(methods=["POST"])
@api
def create_meeting_type(user: str | None = None, **fields) -> Answer[MeetingType]:
	user = acting_user(user)
	profile = frappe.db.get_value("Scheduler Profile", {"user": user}, "name")
	if not profile:
		raise NotConfigured(_("Create your scheduler settings before adding meeting types"))
	doc = frappe.new_doc("Scheduler Meeting Type")
	doc.profile = profile
	if "sort_order" not in fields:
		last = frappe.get_all(
			"Scheduler Meeting Type",
			filters={"profile": profile},
			pluck="sort_order",
			order_by="sort_order desc",
			limit=1,
		)
		fields["sort_order"] = int(last[0] or 0) + 1 if last else 0
	_apply(doc, fields)
	doc.insert()
	return ok(serialize_type(doc), _("Meeting type created successfully"), 201)


@frappe.whitelist(methods=["POST", "PUT", "PATCH"])
@api
def update_meeting_type(meeting_type: str, **fields) -> Answer[MeetingType]:
	check_owner("Scheduler Meeting Type", meeting_type)
	doc = frappe.get_doc("Scheduler Meeting Type", meeting_type)
	_apply(doc, fields)
	doc.save()
	return ok(serialize_type(doc), _("Meeting type updated successfully"))


@frappe.whitelist(methods=["POST", "DELETE"])
@api
def delete_meeting_type(meeting_type: str) -> Answer[DeletedMeetingType]:
	meeting_type = clean_text(meeting_type, "meeting_type", 140, required=True)  # not a filter object
	check_owner("Scheduler Meeting Type", meeting_type)
	if frappe.db.exists("Scheduler Booking", {"meeting_type": meeting_type}):
		# bookings keep their history: deactivate instead of deleting
		doc = frappe.get_doc("Scheduler Meeting Type", meeting_type)
		doc.active = 0
		doc.save()
		return ok(
			{"id": meeting_type, "deactivated": True},
			_("Meeting type has bookings, so it was deactivated instead of deleted"),
		)
	frappe.delete_doc("Scheduler Meeting Type", meeting_type)
	return ok({"id": meeting_type}, _("Meeting type deleted successfully"))


@frappe.whitelist(methods=["GET"])
@api
def list_meeting_types(user: str | None = None, include_inactive: int = 0) -> Answer[list[MeetingType]]:
	user = acting_user(user)
	profile = frappe.db.get_value("Scheduler Profile", {"user": user}, "name")
	if not profile:
		raise NotConfigured(_("Scheduler settings are not configured for {0}").format(user))
	filters = {"profile": profile}
	if not flag(include_inactive):
		filters["active"] = 1
	names = frappe.get_all(
		"Scheduler Meeting Type",
		filters=filters,
		order_by=TYPE_ORDER,
		pluck="name",
	)
	return ok([serialize_type(frappe.get_doc("Scheduler Meeting Type", n)) for n in names])


@frappe.whitelist(methods=["POST"])
@api
def respond_to_invitation(meeting_type: str, accept=1) -> Answer[InvitationAnswer]:
	"""Accept (``accept=1``) or decline your invitation to host a team meeting type."""
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Please sign in"))
	if not isinstance(meeting_type, str) or not frappe.db.exists("Scheduler Meeting Type", meeting_type):
		raise frappe.DoesNotExistError(_("This meeting type does not exist"))
	# a decline removes the host: only a clear yes or no decides (400 for anything else)
	accepted = parse.decision(accept, "accept")
	doc = frappe.get_doc("Scheduler Meeting Type", meeting_type)
	doc.respond_to_invitation(frappe.session.user, accepted)
	message = _("You now host {0}") if accepted else _("You declined to host {0}")
	return ok({"id": doc.name, "accepted": accepted}, message.format(doc.title))
