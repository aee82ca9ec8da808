// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.query_reports["Scheduler Routing Funnel"] = {
	filters: [
		{ fieldname: "form", label: __("Routing Form"), fieldtype: "Link", options: "Scheduler Routing Form" },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.add_months(frappe.datetime.get_today(), -1) },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today() },
	],
};
