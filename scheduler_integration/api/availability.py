"""Host API: weekly hours and date overrides of my default availability."""

from __future__ import annotations

from typing import Literal, TypedDict

import frappe
from frappe import _

from scheduler_integration.api import parse
from scheduler_integration.api.utils import acting_user, api, flag, ok, parse_json
from scheduler_integration.booking.errors import NotConfigured
from scheduler_integration.core.answers import Answer, Date, Time
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.engine.adapters import Weekday
from scheduler_integration.engine.validation import clean_text


def _default_availability(user: str, create: bool = False):
	profile = frappe.db.get_value(
		"Scheduler Profile", {"user": user}, ["name", "availability", "timezone"], as_dict=True
	)
	if not profile:
		raise NotConfigured(_("Scheduler settings are not configured for {0}").format(user))
	if profile.availability:
		return frappe.get_doc("Scheduler Availability", profile.availability)
	if not create:
		raise NotConfigured(_("No availability is configured yet"))
	doc = frappe.get_doc(
		{
			"doctype": "Scheduler Availability",
			"user": user,
			"title": _("Working Hours"),
			"timezone": profile.timezone,
		}
	)
	try:
		doc.insert()
	except Exception as exc:
		if not isinstance(exc, frappe.DuplicateEntryError) and not frappe.db.is_primary_key_violation(exc):
			raise
		# made by a request at the same moment, or kept after the profile let go of it: that one
		frappe.clear_messages()  # Frappe's "already exists" is not this answer's
		doc = frappe.get_doc("Scheduler Availability", doc.name)
	profile_doc = frappe.get_doc("Scheduler Profile", profile.name)
	profile_doc.availability = doc.name
	profile_doc.save()
	return doc


class WeeklyRule(TypedDict):
	"""A weekly range of working hours, on the hours' own clock."""

	weekday: Weekday
	from_time: Time
	to_time: Time


class DateOverride(TypedDict):
	"""A date's own hours (or none: ``unavailable``), instead of its weekday's."""

	id: str
	date: Date
	unavailable: bool
	# HH:MM on an available date; an unavailable one's as stored (none from this API)
	from_time: str | None
	to_time: str | None
	reason: str | None


class WorkingHours(TypedDict):
	"""A host's working hours: weekly rules and date overrides in one zone."""

	id: str
	title: str
	timezone: str
	rules: list[WeeklyRule]
	overrides: list[DateOverride]


class CoverAnswer(TypedDict):
	"""A colleague's answer to covering a leave."""

	id: str
	status: Literal["Accepted", "Declined"]


def serialize_availability(doc) -> WorkingHours:
	return {
		"id": doc.name,
		"title": doc.title,
		"timezone": doc.timezone,
		"rules": [
			{"weekday": r.weekday, "from_time": r.from_time, "to_time": r.to_time} for r in doc.weekly_rules
		],
		"overrides": [
			{
				"id": r.name,
				"date": str(r.date),
				"unavailable": bool(r.unavailable),
				"from_time": r.from_time,
				"to_time": r.to_time,
				"reason": r.reason,
			}
			for r in doc.date_overrides
		],
	}


@frappe.whitelist(methods=["GET"])
@api
def get_availability(user: str | None = None) -> Answer[WorkingHours]:
	user = acting_user(user)
	return ok(serialize_availability(_default_availability(user)))


@frappe.whitelist(methods=["POST", "PUT"])
@api
def replace_rules(rules, timezone: str | None = None, user: str | None = None) -> Answer[WorkingHours]:
	"""Replace all weekly rules: rules = [{"weekday": "Monday", "from_time": "09:00", "to_time": "17:00"}, …]."""
	user = acting_user(user)
	rules = parse_json(rules, "rules")
	if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
		raise FieldValidationError(_("Invalid input"), {"rules": _("Must be a list of rules")})
	doc = _default_availability(user, create=True)
	if timezone:
		doc.timezone = timezone
	doc.set("weekly_rules", [{k: r.get(k) for k in ("weekday", "from_time", "to_time")} for r in rules])
	doc.save()
	return ok(serialize_availability(doc), _("Availability updated"))


@frappe.whitelist(methods=["POST"])
@api
def add_override(
	date: str,
	from_time: str | None = None,
	to_time: str | None = None,
	unavailable=0,
	reason: str | None = None,
	user: str | None = None,
) -> Answer[WorkingHours]:
	user = acting_user(user)
	doc = _default_availability(user, create=True)
	try:
		day = frappe.utils.getdate(date)
	except Exception:
		raise FieldValidationError(_("Invalid date"), {"date": _("Use YYYY-MM-DD")}) from None
	unavailable = flag(unavailable)
	if not unavailable and not (from_time and to_time):
		raise FieldValidationError(
			_("Invalid input"), {"from_time": _("Give From and To, or mark the date unavailable")}
		)
	doc.append(
		"date_overrides",
		{
			"date": day,
			"unavailable": unavailable,
			"from_time": None if unavailable else from_time,
			"to_time": None if unavailable else to_time,
			# no control characters or lone surrogates (a 500 when stored); kept to 140 as before
			"reason": clean_text(reason, "reason", 100_000, multiline=True)[:140],
		},
	)
	doc.save()
	return ok(serialize_availability(doc), _("Date override added"), 201)


@frappe.whitelist(methods=["POST", "DELETE"])
@api
def remove_override(
	date: str | None = None, override: str | None = None, user: str | None = None
) -> Answer[WorkingHours]:
	"""Remove one override row (``override`` id) or every row of ``date``."""
	user = acting_user(user)
	doc = _default_availability(user)
	keep = [
		r
		for r in doc.date_overrides
		if not (
			(override and r.name == override) or (date and str(r.date) == str(frappe.utils.getdate(date)))
		)
	]
	if len(keep) == len(doc.date_overrides):
		raise frappe.DoesNotExistError(_("No such date override"))
	doc.set("date_overrides", keep)
	doc.save()
	return ok(serialize_availability(doc), _("Date override removed"))


@frappe.whitelist(methods=["POST"])
@api
def respond_to_cover(out_of_office: str, accept=1) -> Answer[CoverAnswer]:
	"""Agree (``accept=1``) or decline to cover a colleague's leave you were asked to cover."""
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Please sign in"))
	if not isinstance(out_of_office, str) or not frappe.db.exists("Scheduler Out of Office", out_of_office):
		raise frappe.DoesNotExistError(_("This leave does not exist"))
	agreed = parse.decision(accept, "accept")
	doc = frappe.get_doc("Scheduler Out of Office", out_of_office)
	doc.respond_to_cover(frappe.session.user, agreed)
	message = _("You cover {0}'s meetings on these dates") if agreed else _("You declined to cover {0}")
	return ok(
		{"id": doc.name, "status": doc.delegate_status}, message.format(frappe.utils.get_fullname(doc.user))
	)
