"""Row-level permissions: a host sees and edits only their own scheduler documents.

Registered in hooks as ``permission_query_conditions`` (list views, reports,
``frappe.get_list`` and REST all go through it) and ``has_permission`` (single documents).
Scheduler Managers and System Managers see everything; guests have no role permission at
all, so they never get here.
"""

from __future__ import annotations

import frappe

MANAGER_ROLES = {"Scheduler Manager", "System Manager"}
# the field that names the host who owns each document
OWNER_FIELD = {
	"Scheduler Profile": "user",
	"Scheduler Availability": "user",
	"Scheduler Blocked Time": "user",
	"Scheduler Meeting Type": "user",
	"Scheduler Booking": "host",
	"Scheduler Engagement": "host",
	"Scheduler Reminder": "host",
	"Scheduler Calendar Connection": "host",
	"Scheduler Busy Time": "host",
}


def is_manager(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(MANAGER_ROLES.intersection(frappe.get_roles(user)))


def _conditions(doctype: str, user: str | None) -> str:
	user = user or frappe.session.user
	if is_manager(user):
		return ""
	owner = f"`tab{doctype}`.`{OWNER_FIELD[doctype]}` = {frappe.db.escape(user)}"
	if doctype == "Scheduler Meeting Type":  # team members can read their team's types
		return (
			f"({owner} or `tabScheduler Meeting Type`.`name` in (select `parent` from "
			f"`tabScheduler Meeting Type Host` where `user` = {frappe.db.escape(user)}))"
		)
	if doctype == "Scheduler Booking":  # the type's owner sees bookings assigned to team members
		return (
			f"({owner} or `tabScheduler Booking`.`meeting_type` in (select `name` from "
			f"`tabScheduler Meeting Type` where `user` = {frappe.db.escape(user)}))"
		)
	return owner


def profile_query(user=None):
	return _conditions("Scheduler Profile", user)


def availability_query(user=None):
	return _conditions("Scheduler Availability", user)


def blocked_time_query(user=None):
	return _conditions("Scheduler Blocked Time", user)


def meeting_type_query(user=None):
	return _conditions("Scheduler Meeting Type", user)


def booking_query(user=None):
	return _conditions("Scheduler Booking", user)


def reminder_query(user=None):
	return _conditions("Scheduler Reminder", user)


def connection_query(user=None):
	return _conditions("Scheduler Calendar Connection", user)


def busy_time_query(user=None):
	return _conditions("Scheduler Busy Time", user)


def engagement_query(user=None):
	return _conditions("Scheduler Engagement", user)


def has_permission(doc, ptype=None, user=None, debug=False):
	"""False when a host touches another host's document; None defers to role permissions."""
	user = user or frappe.session.user
	if is_manager(user):
		return True
	owner = doc.get(OWNER_FIELD[doc.doctype])
	if not owner and doc.doctype == "Scheduler Engagement":  # unmatched events: managers only
		return False
	if not owner or owner == user:  # a new document is assigned to its creator on validate
		return True
	if ptype in (None, "read", "print", "email", "report", "export"):
		if doc.doctype == "Scheduler Meeting Type":
			return any(row.user == user for row in doc.get("hosts") or [])
		if doc.doctype == "Scheduler Booking" and doc.get("meeting_type"):
			return frappe.db.get_value("Scheduler Meeting Type", doc.meeting_type, "user") == user
	return False
