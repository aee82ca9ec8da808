# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""Each routing form's funnel: submitted → routed → booked, and which rules decided.

A host sees their own forms' decisions, a Scheduler Manager every form's (the decisions'
row permissions, ``core.permissions``)."""

import frappe
from frappe import _

from scheduler_integration.core import naming
from scheduler_integration.rules.routing import funnel


def _rate(part: int, whole: int) -> float:
	return round(100.0 * part / whole, 1) if whole else 0.0


def execute(filters=None):
	filters = frappe._dict(filters or {})
	conditions = []
	if filters.form:
		conditions.append(["form", "=", filters.form])
	if filters.from_date:
		conditions.append(["creation", ">=", filters.from_date])
	if filters.to_date:
		conditions.append(["creation", "<", frappe.utils.add_days(filters.to_date, 1)])
	rows = frappe.get_list(
		"Scheduler Routing Submission",
		filters=conditions,
		fields=["form", "status", "rule", "outcome"],
		limit_page_length=0,
	)
	titles = naming.titles("Scheduler Routing Form", (row.form for row in rows))
	data = []
	for form in sorted({row.form for row in rows}, key=lambda name: titles.get(name) or name):
		mine = [row for row in rows if row.form == form]
		figures = funnel(row.status for row in mine)
		data.append(
			{
				"form": form,
				"title": titles.get(form) or form,
				"rule": "",
				**figures,
				"routed_rate": _rate(figures["routed"], figures["submitted"]),
				"booked_rate": _rate(figures["booked"], figures["submitted"]),
				"indent": 0,
			}
		)
		for rule in sorted({row.rule or "" for row in mine}):
			of_rule = [row for row in mine if (row.rule or "") == rule]
			figures = funnel(row.status for row in of_rule)
			data.append(
				{
					"form": form,
					"title": "",
					"rule": rule or _("(no rule: the fallback)"),
					**figures,
					"routed_rate": _rate(figures["routed"], figures["submitted"]),
					"booked_rate": _rate(figures["booked"], figures["submitted"]),
					"indent": 1,
				}
			)
	columns = [
		{
			"fieldname": "form",
			"label": _("Routing Form"),
			"fieldtype": "Link",
			"options": "Scheduler Routing Form",
			"width": 140,
		},
		{"fieldname": "title", "label": _("Title"), "fieldtype": "Data", "width": 180},
		{"fieldname": "rule", "label": _("Rule"), "fieldtype": "Data", "width": 160},
		{"fieldname": "submitted", "label": _("Submitted"), "fieldtype": "Int", "width": 100},
		{"fieldname": "routed", "label": _("Routed"), "fieldtype": "Int", "width": 100},
		{"fieldname": "booked", "label": _("Booked"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "routed_rate",
			"label": _("Routed %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 100,
		},
		{
			"fieldname": "booked_rate",
			"label": _("Booked %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 100,
		},
	]
	totals = funnel(row.status for row in rows)
	chart = {
		"data": {
			"labels": [_("Submitted"), _("Routed"), _("Booked")],
			"datasets": [
				{"name": _("Prospects"), "values": [totals["submitted"], totals["routed"], totals["booked"]]}
			],
		},
		"type": "bar",
	}
	return columns, data, None, chart
