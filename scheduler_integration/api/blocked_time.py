"""Host API: add, list and remove blocked time (optionally repeating by RRULE)."""

from __future__ import annotations

from typing import TypedDict

import frappe
from frappe import _

from scheduler_integration.api.utils import acting_user, api, check_owner, iso, ok
from scheduler_integration.core.answers import Answer, DateTime
from scheduler_integration.core.clock import to_system
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.engine.timezones import get_zone


def _moment(value, field: str, zone):
	"""ISO 8601; without an offset the time is read on the host's clock."""
	from datetime import datetime

	try:
		moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
	except (TypeError, ValueError):
		raise FieldValidationError(_("Invalid date-time"), {field: _("Use an ISO 8601 date-time")}) from None
	if moment.tzinfo is None:
		moment = moment.replace(tzinfo=zone)
	return to_system(moment)


class BlockedTime(TypedDict):
	"""Time a host is not bookable, once or repeating (``rrule``, from ``start``)."""

	id: str
	start: DateTime
	end: DateTime
	reason: str | None
	rrule: str | None


class RemovedBlockedTime(TypedDict):
	"""The blocked time removed."""

	id: str


def serialize_blocked(doc) -> BlockedTime:
	return {
		"id": doc.name,
		"start": iso(doc.start),
		"end": iso(doc.end),
		"reason": doc.reason,
		"rrule": doc.rrule or None,
	}


@frappe.whitelist(methods=["POST"])
@api
def add_blocked_time(
	start: str, end: str, reason: str | None = None, rrule: str | None = None, user: str | None = None
) -> Answer[BlockedTime]:
	user = acting_user(user)
	zone = get_zone(host_timezone(user))
	doc = frappe.get_doc(
		{
			"doctype": "Scheduler Blocked Time",
			"user": user,
			"start": _moment(start, "start", zone),
			"end": _moment(end, "end", zone),
			"reason": reason,
			"rrule": rrule,
		}
	)
	doc.insert()
	return ok(serialize_blocked(doc), _("Blocked time added"), 201)


@frappe.whitelist(methods=["GET"])
@api
def list_blocked_times(user: str | None = None) -> Answer[list[BlockedTime]]:
	user = acting_user(user)
	names = frappe.get_all(
		"Scheduler Blocked Time", filters={"user": user}, order_by="start asc", pluck="name"
	)
	return ok([serialize_blocked(frappe.get_doc("Scheduler Blocked Time", n)) for n in names])


@frappe.whitelist(methods=["POST", "DELETE"])
@api
def remove_blocked_time(blocked_time: str) -> Answer[RemovedBlockedTime]:
	check_owner("Scheduler Blocked Time", blocked_time)
	frappe.delete_doc("Scheduler Blocked Time", blocked_time)
	return ok({"id": blocked_time}, _("Blocked time removed"))
