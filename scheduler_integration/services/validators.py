"""Document validation for the desk and the API (controllers call these from ``validate``).

Each function cleans the document's fields with the engine's pure cleaners, collects every
field error, and raises one FieldValidationError (HTTP 400) naming all of them.
"""

from __future__ import annotations

import re

import frappe
from frappe import _

from scheduler_integration.engine import adapters
from scheduler_integration.engine.embed import sanitize_embed
from scheduler_integration.engine.errors import InvalidField, SchedulingError
from scheduler_integration.engine.recurrence import validate_rrule
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.engine.validation import (
	ASSIGNMENTS,
	LOCATION_TYPES,
	MAX_DISPLAY_NAME,
	PHASES,
	PROVIDERS,
	clean_choice,
	clean_duration,
	clean_int,
	clean_phases,
	clean_slug,
	clean_text,
	clean_timezone,
	clean_url,
	slugify,
)
from scheduler_integration.permissions import is_manager
from scheduler_integration.services.errors import FieldErrors, translate
from scheduler_integration.services.settings import extra_embed_hosts
from scheduler_integration.services.timeutil import to_utc

MAX_DESCRIPTION = 5000
MAX_MESSAGE = 2000


def default_timezone() -> str:
	from frappe.utils import get_system_timezone

	return frappe.db.get_value("User", frappe.session.user, "time_zone") or get_system_timezone()


def _unique(doc, field: str, value, errors: FieldErrors, message: str, **scope) -> None:
	if not value:
		return
	filters = {field: value, "name": ("!=", doc.name or ""), **scope}
	if frappe.db.exists(doc.doctype, filters):
		errors.add(field, message)


def validate_profile(doc) -> None:
	errors = FieldErrors()
	doc.user = doc.user or frappe.session.user
	if not doc.display_name:
		doc.display_name = frappe.utils.get_fullname(doc.user)
	doc.display_name = errors.clean(
		"display_name", clean_text, doc.display_name, "display_name", MAX_DISPLAY_NAME, required=True
	)
	if not doc.slug and doc.display_name:
		doc.slug = slugify(doc.display_name)
	doc.slug = errors.clean("slug", clean_slug, doc.slug)
	_unique(doc, "slug", doc.slug, errors, _("This booking link is already taken"))
	doc.timezone = errors.clean("timezone", clean_timezone, doc.timezone or default_timezone())
	doc.description = errors.clean(
		"description", clean_text, doc.description, "description", MAX_DESCRIPTION, multiline=True
	)
	doc.scheduler_provider = errors.clean(
		"scheduler_provider",
		clean_choice,
		doc.scheduler_provider,
		"scheduler_provider",
		PROVIDERS,
		default="native",
	)
	doc.scheduler_url = errors.clean("scheduler_url", clean_url, doc.scheduler_url, "scheduler_url")
	if doc.scheduler_provider not in (None, "", "native") and not doc.scheduler_url:
		errors.add("scheduler_url", _("An external scheduler needs its URL"))
	doc.embed_code = errors.clean("embed_code", sanitize_embed, doc.embed_code, extra_embed_hosts())
	if doc.embed_in_reports and not doc.embed_code:
		errors.add("embed_code", _("Paste the scheduler's embed code to embed it in reports"))
	if (
		doc.availability
		and frappe.db.get_value("Scheduler Availability", doc.availability, "user") != doc.user
	):
		errors.add("availability", _("The default availability must belong to the same user"))
	errors.raise_if_any()


def _rows_as_dicts(rows) -> list[dict]:
	return [row.as_dict() if hasattr(row, "as_dict") else dict(row) for row in rows or []]


def validate_availability(doc) -> None:
	errors = FieldErrors()
	doc.user = doc.user or frappe.session.user
	doc.title = errors.clean(
		"title", clean_text, doc.title or _("Working Hours"), "title", 140, required=True
	)
	doc.timezone = errors.clean("timezone", clean_timezone, doc.timezone or default_timezone())
	for row in doc.weekly_rules or []:
		try:
			adapters.weekly_from_rows([row.as_dict()])
		except SchedulingError as exc:
			errors.add("weekly_rules", _("Row {0}: {1}").format(row.idx, translate(exc)))
	for row in doc.date_overrides or []:
		try:
			adapters.overrides_from_rows([row.as_dict()])
		except SchedulingError as exc:
			errors.add("date_overrides", _("Row {0}: {1}").format(row.idx, translate(exc)))
	errors.raise_if_any()


def host_timezone(user: str) -> str:
	return frappe.db.get_value("Scheduler Profile", {"user": user}, "timezone") or default_timezone()


def validate_blocked_time(doc) -> None:
	errors = FieldErrors()
	doc.user = doc.user or frappe.session.user
	doc.reason = errors.clean("reason", clean_text, doc.reason, "reason", 140)
	start, end = to_utc(doc.start), to_utc(doc.end)
	if start and end and end <= start:
		errors.add("end", _("End must be after Start"))
	doc.rrule = (doc.rrule or "").strip()
	if doc.rrule and start:
		try:
			validate_rrule(doc.rrule, get_zone(host_timezone(doc.user)), start)
		except SchedulingError as exc:
			errors.add("rrule", translate(exc))
	errors.raise_if_any()


def validate_meeting_type(doc) -> None:
	errors = FieldErrors()
	if doc.profile:
		doc.user = frappe.db.get_value("Scheduler Profile", doc.profile, "user")
		if doc.user != frappe.session.user and not is_manager():
			frappe.throw(
				_("You can only add meeting types to your own Scheduler Profile"), frappe.PermissionError
			)
	doc.title = errors.clean("title", clean_text, doc.title, "title", 200, required=True)
	if not doc.slug and doc.title:
		doc.slug = slugify(doc.title)
	doc.slug = errors.clean("slug", clean_slug, doc.slug)
	_unique(
		doc,
		"slug",
		doc.slug,
		errors,
		_("This profile already has a meeting type with this slug"),
		profile=doc.profile,
	)
	errors.clean("duration", clean_duration, doc.duration, doc.custom_duration)
	doc.priority = errors.clean("priority", clean_int, doc.priority, "priority", 0, 10, default=0)
	doc.sort_order = errors.clean(
		"sort_order", clean_int, doc.sort_order, "sort_order", -10_000, 10_000, default=0
	)
	bounds = {
		"slot_interval": 24 * 60,
		"buffer_before": 24 * 60,
		"buffer_after": 24 * 60,
		"min_notice": 366 * 24 * 60,
		"max_advance_days": 3650,
		"daily_limit": 10_000,
		"weekly_limit": 10_000,
		"cancel_notice": 366 * 24 * 60,
		"reschedule_notice": 366 * 24 * 60,
	}
	for field, high in bounds.items():
		doc.set(field, errors.clean(field, clean_int, doc.get(field), field, 0, high, default=0))
	doc.description = errors.clean(
		"description", clean_text, doc.description, "description", MAX_DESCRIPTION, multiline=True
	)
	doc.confirmation_message = errors.clean(
		"confirmation_message",
		clean_text,
		doc.confirmation_message,
		"confirmation_message",
		MAX_MESSAGE,
		multiline=True,
	)
	doc.location_details = errors.clean(
		"location_details", clean_text, doc.location_details, "location_details", 1000, multiline=True
	)
	if doc.location_type:
		doc.location_type = errors.clean(
			"location_type", clean_choice, doc.location_type, "location_type", LOCATION_TYPES
		)
	doc.scheduler_event_url = errors.clean(
		"scheduler_event_url", clean_url, doc.scheduler_event_url, "scheduler_event_url"
	)
	doc.assignment = errors.clean(
		"assignment", clean_choice, doc.assignment, "assignment", ASSIGNMENTS, default="Individual"
	)
	try:
		adapters.parse_offsets(doc.reminder_offsets)
	except SchedulingError as exc:
		errors.add("reminder_offsets", translate(exc))
	phases = [row.phase for row in doc.recommended_phases or []]
	errors.clean("recommended_phases", clean_phases, phases)
	_validate_team(doc, errors)
	for row in doc.questions or []:
		try:
			row.label = clean_text(row.label, "label", 200, required=True)
			if row.fieldtype == "Select" and not (row.options or "").strip():
				raise InvalidField(_("A Select question needs options, one per line"), "options")
		except SchedulingError as exc:
			errors.add("questions", _("Row {0}: {1}").format(row.idx, translate(exc)))
	errors.raise_if_any()


def _validate_team(doc, errors: FieldErrors) -> None:
	if doc.assignment == "Individual":
		return
	users = [row.user for row in doc.hosts or []]
	if not users:
		errors.add("hosts", _("Add the team's hosts for a {0} meeting type").format(_(doc.assignment)))
		return
	if len(set(users)) != len(users):
		errors.add("hosts", _("Each host may be listed once"))
	without_profile = [u for u in users if not frappe.db.exists("Scheduler Profile", {"user": u})]
	if without_profile:
		errors.add(
			"hosts", _("These hosts have no Scheduler Profile yet: {0}").format(", ".join(without_profile))
		)
	for row in doc.hosts:
		if (row.weight or 0) < 1:
			errors.add("hosts", _("Row {0}: weight must be at least 1").format(row.idx))


BOOKING_STATUSES = ("Pending", "Confirmed", "Cancelled", "Completed", "No Show")


def validate_booking(doc) -> None:
	errors = FieldErrors()
	start, end = to_utc(doc.start), to_utc(doc.end)
	if start and end and end <= start:
		errors.add("end", _("End must be after Start"))
	doc.status = errors.clean(
		"status", clean_choice, doc.status, "status", BOOKING_STATUSES, default="Confirmed"
	)
	doc.guest_name = errors.clean("guest_name", clean_text, doc.guest_name, "guest_name", 140, required=True)
	type_title = (
		frappe.db.get_value("Scheduler Meeting Type", doc.meeting_type, "title") if doc.meeting_type else ""
	)
	doc.title = f"{type_title}: {doc.guest_name}"[:140] if type_title else (doc.guest_name or "")[:140]
	errors.raise_if_any()


def validate_settings(doc) -> None:
	errors = FieldErrors()
	try:
		adapters.parse_offsets(doc.reminder_offsets)
	except SchedulingError as exc:
		errors.add("reminder_offsets", translate(exc))
	hosts = []
	for line in (doc.allowed_embed_hosts or "").splitlines():
		host = line.strip().lower().rstrip(".")
		if not host:
			continue
		if not re.fullmatch(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", host):
			errors.add("allowed_embed_hosts", _("{0} is not a host name").format(host))
		hosts.append(host)
	doc.allowed_embed_hosts = "\n".join(dict.fromkeys(hosts))
	errors.raise_if_any()


__all__ = [
	"PHASES",
	"validate_availability",
	"validate_blocked_time",
	"validate_booking",
	"validate_meeting_type",
	"validate_profile",
	"validate_settings",
]
