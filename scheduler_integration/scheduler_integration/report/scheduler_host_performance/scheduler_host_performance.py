# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""Per host: bookings, completion / cancellation / no-show rates, lead time, peak hours."""

from datetime import datetime, time

import frappe
from frappe import _

from scheduler_integration.engine.analytics import host_performance
from scheduler_integration.reporting.analytics import parse_day


def execute(filters=None):
	filters = frappe._dict(filters or {})
	conditions = []
	lo, hi = parse_day(filters.from_date, "from_date"), parse_day(filters.to_date, "to_date")
	if lo:
		conditions.append(["start", ">=", datetime.combine(lo, time.min)])
	if hi:
		conditions.append(["start", "<=", datetime.combine(hi, time.max)])
	if filters.host:
		conditions.append(["host", "=", filters.host])
	rows = frappe.get_list(  # permission-aware: a host sees only their own bookings
		"Scheduler Booking",
		filters=conditions,
		fields=["host", "status", "start", "creation"],
		limit_page_length=0,
	)
	data = host_performance(rows)
	for row in data:
		row["peak_hours"] = ", ".join(f"{hour:02d}:00" for hour in row["peak_hours"])
	columns = [
		{"fieldname": "host", "label": _("Host"), "fieldtype": "Link", "options": "User", "width": 220},
		{"fieldname": "bookings", "label": _("Bookings"), "fieldtype": "Int", "width": 100},
		{"fieldname": "completed", "label": _("Completed"), "fieldtype": "Int", "width": 100},
		{"fieldname": "completion_rate", "label": _("Completion %"), "fieldtype": "Percent", "width": 120},
		{
			"fieldname": "cancellation_rate",
			"label": _("Cancellation %"),
			"fieldtype": "Percent",
			"width": 120,
		},
		{"fieldname": "no_show_rate", "label": _("No-show %"), "fieldtype": "Percent", "width": 110},
		{
			"fieldname": "avg_lead_time_hours",
			"label": _("Avg Lead Time (h)"),
			"fieldtype": "Float",
			"width": 140,
		},
		{"fieldname": "peak_hours", "label": _("Peak Booking Hours"), "fieldtype": "Data", "width": 180},
	]
	return columns, data
