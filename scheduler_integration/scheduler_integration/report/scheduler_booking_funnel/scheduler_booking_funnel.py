# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""Booking page funnel per anonymous session, with the drop-off at each step."""

import frappe
from frappe import _, _lt

from scheduler_integration.reporting.analytics import occurred_filter
from scheduler_integration.rules.analytics import FUNNEL_STEPS, funnel

LABELS = {
	"page_viewed": _lt("Page Viewed"),
	"type_selected": _lt("Meeting Type Selected"),
	"slot_selected": _lt("Time Slot Selected"),
	"form_submitted": _lt("Form Submitted"),
	"meeting_booked": _lt("Booked"),
}


def execute(filters=None):
	filters = frappe._dict(filters or {})
	conditions = occurred_filter(filters.from_date, filters.to_date)
	conditions += [["session_id", "is", "set"], ["event_type", "in", list(FUNNEL_STEPS)]]
	for field in ("host", "meeting_type"):
		if filters.get(field):
			conditions.append([field, "=", filters.get(field)])
	rows = frappe.get_list(
		"Scheduler Engagement", filters=conditions, fields=["session_id", "event_type"], limit_page_length=0
	)
	data = funnel(rows)
	for row in data:
		row["label"] = str(LABELS[row["step"]])
	columns = [
		{"fieldname": "label", "label": _("Step"), "fieldtype": "Data", "width": 200},
		{"fieldname": "sessions", "label": _("Sessions"), "fieldtype": "Int", "width": 110},
		{"fieldname": "drop_off", "label": _("Drop-off"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "drop_off_rate",
			"label": _("Drop-off %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 110,
		},
		{
			"fieldname": "conversion_rate",
			"label": _("Of First Step %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 130,
		},
	]
	chart = {
		"data": {
			"labels": [row["label"] for row in data],
			"datasets": [{"name": _("Sessions"), "values": [row["sessions"] for row in data]}],
		},
		"type": "bar",
	}
	return columns, data, None, chart
