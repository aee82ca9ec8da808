# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""Staff performance, per host: bookings, completion / cancellation / no-show rates, lead
time, peak hours on the host's own clock, revenue and forecast, and what guests paid for
paid bookings and what was refunded to them.

Revenue is Completed bookings × their meeting type's price, the forecast Confirmed bookings
still ahead × price, both in the Currency filter's currency (the site's default currency
when empty; bookings priced in another currency are not added in). Paid and Refunded are
the money of paid bookings in that currency, whatever became of them. A booking counts for its
organiser. The desk's Export gives the same columns as CSV or Excel.
"""

import frappe
from frappe import _

from scheduler_integration.core.clock import utc_now
from scheduler_integration.core.hosts import host_timezones
from scheduler_integration.reporting.analytics import priced_bookings, start_filter
from scheduler_integration.rules.analytics import host_performance


def execute(filters=None):
	filters = frappe._dict(filters or {})
	conditions = start_filter(filters.from_date, filters.to_date)
	if filters.host:
		conditions.append(["host", "=", filters.host])
	currency = filters.currency or frappe.db.get_default("currency") or None
	# permission-aware: a host sees only their own bookings
	rows = priced_bookings(conditions, permission_aware=True)
	zones = host_timezones({row["host"] for row in rows})
	data = host_performance(rows, zones=zones, now=utc_now(), currency=currency)
	for row in data:
		row["peak_hours"] = ", ".join(f"{hour:02d}:00" for hour in row["peak_hours"])
		row["timezone"] = zones.get(row["host"], "")
		row["currency"] = currency
	columns = [
		{"fieldname": "host", "label": _("Host"), "fieldtype": "Link", "options": "User", "width": 220},
		{"fieldname": "bookings", "label": _("Bookings"), "fieldtype": "Int", "width": 100},
		{"fieldname": "completed", "label": _("Completed"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "completion_rate",
			"label": _("Completion %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 120,
		},
		{
			"fieldname": "cancellation_rate",
			"label": _("Cancellation %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 120,
		},
		{
			"fieldname": "no_show_rate",
			"label": _("No-show %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 110,
		},
		{
			"fieldname": "avg_lead_time_hours",
			"label": _("Avg Lead Time (h)"),
			"fieldtype": "Float",
			"width": 140,
		},
		{"fieldname": "peak_hours", "label": _("Peak Booking Hours"), "fieldtype": "Data", "width": 160},
		{"fieldname": "timezone", "label": _("Host Time Zone"), "fieldtype": "Data", "width": 150},
		{
			"fieldname": "revenue",
			"label": _("Revenue"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{
			"fieldname": "forecast",
			"label": _("Forecast"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{
			"fieldname": "paid",
			"label": _("Paid"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 120,
		},
		{
			"fieldname": "refunded",
			"label": _("Refunded"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 120,
		},
		# Data, not a Link: Frappe checks a report's link columns against the reader's
		# permissions, and hosts may not read Currency
		{"fieldname": "currency", "label": _("Currency"), "fieldtype": "Data", "width": 90},
	]
	summary = [
		{
			"label": label,
			"value": round(sum(row[key] for row in data), 2),
			"datatype": "Currency",
			"currency": currency,
			"indicator": indicator,
		}
		for key, label, indicator in (
			("revenue", _("Revenue"), "Green"),
			("forecast", _("Forecast"), "Blue"),
			("paid", _("Paid"), "Green"),
			("refunded", _("Refunded"), "Orange"),
		)
	]
	return columns, data, None, None, summary
