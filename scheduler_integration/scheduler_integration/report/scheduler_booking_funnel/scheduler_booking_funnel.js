// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.query_reports["Scheduler Booking Funnel"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.add_months(frappe.datetime.get_today(), -1) },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today() },
		{ fieldname: "host", label: __("Host"), fieldtype: "Link", options: "User" },
		{ fieldname: "meeting_type", label: __("Meeting Type"), fieldtype: "Link", options: "Scheduler Meeting Type" },
	],
};
