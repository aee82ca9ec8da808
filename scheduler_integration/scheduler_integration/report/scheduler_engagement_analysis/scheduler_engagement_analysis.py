# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""Engagement by meeting type, phase or host: clicks, bookings, outcomes and conversion."""

import frappe
from frappe import _

from scheduler_integration.reporting.analytics import occurred_filter
from scheduler_integration.rules.analytics import breakdown

OUTCOMES = ("link_clicked", "meeting_booked", "meeting_completed", "meeting_cancelled", "no_show")
GROUPS = {"Meeting Type": "meeting_type", "Phase": "phase", "Host": "host"}


def execute(filters=None):
	filters = frappe._dict(filters or {})
	key = GROUPS.get(filters.group_by or "Meeting Type", "meeting_type")
	conditions = occurred_filter(filters.from_date, filters.to_date)
	conditions.append(["event_type", "in", list(OUTCOMES)])
	for field in ("host", "meeting_type", "phase"):
		if filters.get(field):
			conditions.append([field, "=", filters.get(field)])
	rows = frappe.get_list(  # permission-aware: a host sees only their own events
		"Scheduler Engagement", filters=conditions, fields=["event_type", key], limit_page_length=0
	)
	data = breakdown(rows, key)
	link = {"meeting_type": "Scheduler Meeting Type", "phase": "Scheduler Phase", "host": "User"}[key]
	names = display_names(link, [row["group"] for row in data if row["group"]])
	for row in data:
		row["group_name"] = names.get(row["group"]) or row["group"] or _("Not Set")
	columns = [
		{
			"fieldname": "group_name",
			"label": _(filters.group_by or "Meeting Type"),
			"fieldtype": "Data",
			"width": 220,
		},
		{"fieldname": "group", "label": _("Document"), "fieldtype": "Link", "options": link, "width": 140},
		{"fieldname": "clicks", "label": _("Link Clicks"), "fieldtype": "Int", "width": 110},
		{"fieldname": "bookings", "label": _("Bookings"), "fieldtype": "Int", "width": 100},
		{"fieldname": "completed", "label": _("Completed"), "fieldtype": "Int", "width": 100},
		{"fieldname": "cancelled", "label": _("Cancelled"), "fieldtype": "Int", "width": 100},
		{"fieldname": "no_show", "label": _("No Show"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "conversion_rate",
			"label": _("Conversion %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 120,
		},
	]
	chart = {
		"data": {
			"labels": [row["group_name"] for row in data],
			"datasets": [
				{"name": _("Link Clicks"), "values": [row["clicks"] for row in data]},
				{"name": _("Bookings"), "values": [row["bookings"] for row in data]},
			],
		},
		"type": "bar",
	}
	return columns, data, None, chart


def display_names(doctype: str, names: list[str]) -> dict[str, str]:
	"""What people call these documents: meeting type titles, users' full names (a meeting
	type's name is a random hash; a phase's name is already its title)."""
	field = {"Scheduler Meeting Type": "title", "User": "full_name"}.get(doctype)
	if not field or not names:
		return {}
	return dict(
		frappe.get_all(doctype, filters={"name": ("in", names)}, fields=["name", field], as_list=True)
	)
