"""Row-level permissions: a host sees and edits only their own scheduler documents.

Registered in hooks as ``permission_query_conditions`` (list views, reports, counts,
``frappe.get_list`` and REST all go through it) and ``has_permission`` (single documents).
The app's child tables have query hooks too (``CHILD_PARENTS``): a row is listed exactly
when its parent document would be.
Scheduler Managers and System Managers see everything; guests have no role permission at
all, so they never get here.

A booking belongs to *every* host of it (its Scheduler Booking Host rows): each may read
and change it. The owner of a team meeting type may read the bookings of that type; only
the booking's hosts and managers may change them. Team members (invited or accepted)
may read their team's meeting types.

A Scheduler Team is read by its members and changed (or deleted) only by its admins
(members flagged admin), judged by the rows *stored*, so a member cannot make themselves
admin by saving the team with a changed row; any host may start a team (its creator becomes
its first admin).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.core.hosts import type_hosts
from scheduler_integration.core.links import ChecksLinksItSets

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
	"Scheduler Booking Series": "host",
	"Scheduler Personal Link": "host",
	"Scheduler Routing Form": "user",
	"Scheduler Routing Submission": "form_owner",
	"Scheduler Out of Office": "user",
	"Scheduler Payment": "host",
	"Scheduler Host Booking Count": "user",
	"Scheduler Booking Page": "user",
}
# DocTypes no host reads at all (no Scheduler Host role permission): the managers' own
MANAGERS_ONLY = frozenset(
	{
		"Scheduler Automation Log",
		"Scheduler Cache Version",
		"Scheduler External Meeting",
		"Scheduler Settings",
		"Scheduler SMS Reply",
	}
)
# DocTypes every host reads whole, on purpose: what they all choose from
SHARED = {"Scheduler Phase": "the client phases every host recommends types for"}
# DocTypes whose rows are a host's through other rows (``conditions``)
THROUGH = {
	"Scheduler Team": "its members (Scheduler Team Member)",
	"Scheduler Booking Effect": "its booking's hosts",
}
READ_ONLY = ("read", "print", "email", "report", "export")


def row_rule(doctype: str) -> str | None:
	"""Who sees the rows of ``doctype``, as this module enforces it (None: no rule, which
	``test_row_rules`` refuses for any DocType of the app): its owner field, its parents
	(a child table), managers only, everyone (shared), or other rows (through)."""
	if doctype in OWNER_FIELD:
		return f"owner: {OWNER_FIELD[doctype]}"
	if doctype in CHILD_PARENTS:
		return "child of " + ", ".join(CHILD_PARENTS[doctype])
	if doctype in MANAGERS_ONLY:
		return "managers only"
	if doctype in SHARED:
		return "shared: " + SHARED[doctype]
	if doctype in THROUGH:
		return "through " + THROUGH[doctype]
	return None


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


def _team_rows(user: str, admin: bool = False) -> str:
	return (
		"select `parent` from `tabScheduler Team Member` where `parenttype` = 'Scheduler Team' "
		f"and `user` = {frappe.db.escape(user)}" + (" and `is_admin` = 1" if admin else "")
	)


def is_team_admin(team: str | None, user: str | None = None) -> bool:
	user = user or frappe.session.user
	return bool(team) and bool(
		frappe.db.exists(
			"Scheduler Team Member",
			{"parenttype": "Scheduler Team", "parent": team, "user": user, "is_admin": 1},
		)
	)


def conditions(doctype: str, user: str | None = None) -> str:
	user = user or frappe.session.user
	if is_manager(user):
		return ""
	me = frappe.db.escape(user)
	table = f"`tab{doctype}`"
	if doctype == "Scheduler Team":
		return f"{table}.`name` in ({_team_rows(user)})"
	if doctype == "Scheduler Booking":
		return f"({table}.`name` in ({_hosted_bookings(user)}) or {table}.`meeting_type` in ({_owned_types(user)}))"
	if doctype == "Scheduler Booking Effect":
		return f"{table}.`booking` in ({_hosted_bookings(user)})"
	if doctype == "Scheduler Meeting Type":
		return (
			f"({table}.`user` = {me} or {table}.`name` in (select `parent` from "
			f"`tabScheduler Meeting Type Host` where `user` = {me}))"
		)
	if doctype == "Scheduler Out of Office":  # the colleague asked to cover reads it too
		return f"({table}.`user` = {me} or {table}.`delegate` = {me})"
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


def booking_series_query(user=None):
	return conditions("Scheduler Booking Series", user)


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


def personal_link_query(user=None):
	return conditions("Scheduler Personal Link", user)


def routing_form_query(user=None):
	return conditions("Scheduler Routing Form", user)


def routing_submission_query(user=None):
	return conditions("Scheduler Routing Submission", user)


def out_of_office_query(user=None):
	return conditions("Scheduler Out of Office", user)


def team_query(user=None):
	return conditions("Scheduler Team", user)


def payment_query(user=None):
	return conditions("Scheduler Payment", user)


def host_booking_count_query(user=None):
	return conditions("Scheduler Host Booking Count", user)


def booking_page_query(user=None):
	return conditions("Scheduler Booking Page", user)


# Child tables: Frappe checks a child DocType's *role* permission through the parent named
# in the request (``parent=``) but filters its rows only by the child's own query hooks, so
# without these every host could list every other host's rows. A row is visible exactly
# when its parent document is (``conditions`` of the parent); rows of any other parent
# (a custom field reusing the table) only to managers. Single rows (``frappe.get_doc``,
# ``frappe.client.get``) already go through the parent's ``has_permission``.
CHILD_PARENTS = {
	"Scheduler Availability Rule": ("Scheduler Availability",),
	"Scheduler Date Override": ("Scheduler Availability",),
	"Scheduler Booking Host": ("Scheduler Booking",),
	"Scheduler Booking Record": ("Scheduler Booking",),
	"Scheduler Meeting Type Host": ("Scheduler Meeting Type",),
	"Scheduler Meeting Type Phase": ("Scheduler Meeting Type",),
	"Scheduler Question": ("Scheduler Meeting Type",),
	"Scheduler Team Member": ("Scheduler Team",),
	"Scheduler Routing Question": ("Scheduler Routing Form",),
	"Scheduler Routing Rule": ("Scheduler Routing Form",),
	"Scheduler Routing Condition": ("Scheduler Routing Form",),
	"Scheduler Payment Refund": ("Scheduler Payment",),
}


def child_conditions(doctype: str, user: str | None = None) -> str:
	user = user or frappe.session.user
	if is_manager(user):
		return ""
	table = f"`tab{doctype}`"
	visible = [
		f"({table}.`parenttype` = {frappe.db.escape(parent)} and {table}.`parent` in "
		f"(select `tab{parent}`.`name` from `tab{parent}` where {conditions(parent, user)}))"
		for parent in CHILD_PARENTS[doctype]
	]
	return "(" + " or ".join(visible) + ")"


class ChildRow(ChecksLinksItSets, Document):
	"""Base of the app's child controllers: a row loaded on its own (``frappe.client.get``,
	``/api/resource/<child>/<name>``, the desk) is readable exactly when its parent is.

	Frappe checks a child row through its parent (``has_child_permission``), but passes
	the parent *document* only when the row was loaded with it; a row loaded alone has no
	``parent_doc``, so only the parent DocType's role permission was checked and every
	host could read every row by name. The parent is loaded here first, so the parent's
	``has_permission`` hook decides. A row whose parent is gone: managers only. A row's
	save checks only the links it sets (``core.links``)."""

	def validate(self):
		"""A row saved on its own (``frappe.client.bulk_update`` loads and saves rows by name)
		would skip its parent's rules: who may host, who accepted an invitation, what a
		booking's hosts are. Rows change through their parent's save (the desk's grid,
		``set_value`` on a row and REST all do), which never runs a row's ``validate``."""
		if not self.flags.ignore_permissions:
			frappe.throw(
				_("Change {0} through its {1}").format(_(self.doctype), _(self.parenttype or "")),
				frappe.PermissionError,
			)

	def has_permission(self, permtype="read", *, debug=False, user=None) -> bool:
		if not self.flags.ignore_permissions and self.parent_doc is None and self.parenttype:
			if not (self.parent and frappe.db.exists(self.parenttype, self.parent)):
				return is_manager(user)
			self.parent_doc = frappe.get_doc(self.parenttype, self.parent)
		return super().has_permission(permtype, debug=debug, user=user)


def availability_rule_query(user=None):
	return child_conditions("Scheduler Availability Rule", user)


def date_override_query(user=None):
	return child_conditions("Scheduler Date Override", user)


def booking_host_query(user=None):
	return child_conditions("Scheduler Booking Host", user)


def booking_record_query(user=None):
	return child_conditions("Scheduler Booking Record", user)


def meeting_type_host_query(user=None):
	return child_conditions("Scheduler Meeting Type Host", user)


def meeting_type_phase_query(user=None):
	return child_conditions("Scheduler Meeting Type Phase", user)


def question_query(user=None):
	return child_conditions("Scheduler Question", user)


def team_member_query(user=None):
	return child_conditions("Scheduler Team Member", user)


def payment_refund_query(user=None):
	return child_conditions("Scheduler Payment Refund", user)


def routing_question_query(user=None):
	return child_conditions("Scheduler Routing Question", user)


def routing_rule_query(user=None):
	return child_conditions("Scheduler Routing Rule", user)


def routing_condition_query(user=None):
	return child_conditions("Scheduler Routing Condition", user)


def _is_host_of(doc, user: str) -> bool:
	"""A host of the booking as stored: rows a caller's unsaved change adds (set_value, a
	REST PUT of its hosts) make nobody a host before the change is allowed."""
	stored = _stored_value(doc, "host")
	if stored is not None:
		return stored == user or bool(
			frappe.db.exists(
				"Scheduler Booking Host",
				{"parenttype": "Scheduler Booking", "parent": doc.name, "user": user},
			)
		)
	return any(row.user == user for row in doc.get("hosts") or []) or doc.get("host") == user


def _stored_value(doc, field: str) -> str | None:
	"""``field`` of ``doc`` as stored ("" when empty); None for a record not stored yet. One
	query: who may change a record is read from it, never from the caller's changed copy."""
	if doc.is_new() or not doc.name:
		return None
	row = frappe.db.get_value(doc.doctype, doc.name, ["name", field], as_dict=True)
	return None if row is None else (row.get(field) or "")


def may_book(meeting_type, user: str) -> bool:
	"""May ``user`` create a booking of ``meeting_type`` (its owner or one of its hosts)?"""
	if is_manager(user):
		return True
	if not meeting_type or not frappe.db.exists("Scheduler Meeting Type", meeting_type):
		return True  # nothing to book yet: the form is being filled in; validate refuses it
	doc = frappe.get_doc("Scheduler Meeting Type", meeting_type)  # as committed: it decides
	return user == doc.user or user in type_hosts(doc)


def has_permission(doc, ptype=None, user=None, debug=False):
	"""False when a host touches another host's document; None defers to role permissions."""
	user = user or frappe.session.user
	if is_manager(user):
		return True
	if doc.doctype in CHILD_PARENTS:  # Frappe asks the parent itself; kept for direct callers
		if doc.get("parenttype") not in CHILD_PARENTS[doc.doctype] or not doc.get("parent"):
			return False
		parent = getattr(doc, "parent_doc", None)
		if parent is None:
			if not frappe.db.exists(doc.parenttype, doc.parent):
				return False
			parent = frappe.get_doc(doc.parenttype, doc.parent)
		return has_permission(parent, ptype, user)
	if doc.doctype == "Scheduler Booking":
		if doc.is_new():  # hosts of the meeting type may book it from the desk and REST
			return may_book(doc.get("meeting_type"), user)
		if _is_host_of(doc, user):
			return True
		if ptype in (None, *READ_ONLY) and doc.get("meeting_type"):
			return frappe.db.get_value("Scheduler Meeting Type", doc.meeting_type, "user") == user
		return False
	if doc.doctype == "Scheduler Booking Effect":
		return ptype in (None, *READ_ONLY) and bool(
			frappe.db.exists("Scheduler Booking Host", {"parent": doc.booking, "user": user})
		)
	if doc.doctype == "Scheduler Team":
		if doc.is_new() or not frappe.db.exists("Scheduler Team", doc.name):
			return True  # a host starts a team; its creator becomes its admin on validate
		if ptype in (None, *READ_ONLY):
			return bool(
				frappe.db.exists(
					"Scheduler Team Member",
					{"parenttype": "Scheduler Team", "parent": doc.name, "user": user},
				)
			)
		return is_team_admin(doc.name, user)
	field = OWNER_FIELD[doc.doctype]
	# whose it is as stored: a change that names the caller its owner is not theirs to make
	owner = _stored_value(doc, field)
	stored = owner is not None
	owner = owner if stored else doc.get(field)
	if not owner and doc.doctype == "Scheduler Engagement":  # unmatched events: managers only
		return False
	if stored and ptype not in (None, *READ_ONLY) and (doc.get(field) or owner) != owner:
		return False  # giving one's record to another host is a manager's (walk: blocked time)
	if not owner or owner == user:  # a new document is assigned to its creator on validate
		return True
	if ptype in (None, *READ_ONLY) and doc.doctype == "Scheduler Meeting Type":
		if stored:
			return bool(
				frappe.db.exists(
					"Scheduler Meeting Type Host",
					{"parenttype": doc.doctype, "parent": doc.name, "user": user},
				)
			)
		return any(row.user == user for row in doc.get("hosts") or [])
	if ptype in (None, *READ_ONLY) and doc.doctype == "Scheduler Out of Office":
		return doc.get("delegate") == user  # asked to cover it: reads it to answer
	return False
