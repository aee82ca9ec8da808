"""Row-level permissions: a host sees and edits only their own scheduler documents.

Registered in hooks as ``permission_query_conditions`` (list views, reports, counts,
``frappe.get_list`` and REST all go through it) and ``has_permission`` (single documents).
Scheduler Managers and System Managers see everything; guests have no role permission at
all, so they never get here.

A booking belongs to *every* host of it (its Scheduler Booking Host rows): each may read
and change it. The owner of a team meeting type may read the bookings of that type; only
the booking's hosts and managers may change them. Team members (invited or accepted)
may read their team's meeting types.
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
	"Scheduler Video Meeting Log": "host",
}
READ_ONLY = ("read", "print", "email", "report", "export")


def is_manager(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(MANAGER_ROLES.intersection(frappe.get_roles(user)))


def _hosted_bookings(user: str) -> str:
	return (
		"select `parent` from `tabScheduler Booking Host` where `parenttype` = 'Scheduler Booking' "
		f"and `user` = {frappe.db.escape(user)}"
	)


def _owned_types(user: str) -> str:
	return f"select `name` from `tabScheduler Meeting Type` where `user` = {frappe.db.escape(user)}"


def conditions(doctype: str, user: str | None = None) -> str:
	user = user or frappe.session.user
	if is_manager(user):
		return ""
	me = frappe.db.escape(user)
	table = f"`tab{doctype}`"
	if doctype == "Scheduler Booking":
		return f"({table}.`name` in ({_hosted_bookings(user)}) or {table}.`meeting_type` in ({_owned_types(user)}))"
	if doctype == "Scheduler Booking Effect":
		return f"{table}.`booking` in ({_hosted_bookings(user)})"
	if doctype == "Scheduler Meeting Type":
		return (
			f"({table}.`user` = {me} or {table}.`name` in (select `parent` from "
			f"`tabScheduler Meeting Type Host` where `user` = {me}))"
		)
	return f"{table}.`{OWNER_FIELD[doctype]}` = {me}"


# the permission_query_conditions hooks, one per DocType
def profile_query(user=None):
	return conditions("Scheduler Profile", user)


def availability_query(user=None):
	return conditions("Scheduler Availability", user)


def blocked_time_query(user=None):
	return conditions("Scheduler Blocked Time", user)


def meeting_type_query(user=None):
	return conditions("Scheduler Meeting Type", user)


def booking_query(user=None):
	return conditions("Scheduler Booking", user)


def booking_effect_query(user=None):
	return conditions("Scheduler Booking Effect", user)


def reminder_query(user=None):
	return conditions("Scheduler Reminder", user)


def connection_query(user=None):
	return conditions("Scheduler Calendar Connection", user)


def busy_time_query(user=None):
	return conditions("Scheduler Busy Time", user)


def engagement_query(user=None):
	return conditions("Scheduler Engagement", user)


def video_meeting_log_query(user=None):
	return conditions("Scheduler Video Meeting Log", user)


def _is_host_of(doc, user: str) -> bool:
	return any(row.user == user for row in doc.get("hosts") or []) or doc.get("host") == user


def _may_book(meeting_type, user: str) -> bool:
	if not meeting_type or not frappe.db.exists("Scheduler Meeting Type", meeting_type):
		return True  # nothing to book yet: the form is being filled in; validate refuses it
	doc = frappe.get_cached_doc("Scheduler Meeting Type", meeting_type)
	return user == doc.user or user in doc.host_users()


def has_permission(doc, ptype=None, user=None, debug=False):
	"""False when a host touches another host's document; None defers to role permissions."""
	user = user or frappe.session.user
	if is_manager(user):
		return True
	if doc.doctype == "Scheduler Booking":
		if doc.is_new():  # hosts of the meeting type may book it from the desk and REST
			return _may_book(doc.get("meeting_type"), user)
		if _is_host_of(doc, user):
			return True
		if ptype in (None, *READ_ONLY) and doc.get("meeting_type"):
			return frappe.db.get_value("Scheduler Meeting Type", doc.meeting_type, "user") == user
		return False
	if doc.doctype == "Scheduler Booking Effect":
		return ptype in (None, *READ_ONLY) and bool(
			frappe.db.exists("Scheduler Booking Host", {"parent": doc.booking, "user": user})
		)
	owner = doc.get(OWNER_FIELD[doc.doctype])
	if not owner and doc.doctype == "Scheduler Engagement":  # unmatched events: managers only
		return False
	if not owner or owner == user:  # a new document is assigned to its creator on validate
		return True
	if ptype in (None, *READ_ONLY) and doc.doctype == "Scheduler Meeting Type":
		return any(row.user == user for row in doc.get("hosts") or [])
	return False
