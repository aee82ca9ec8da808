// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.query_reports["Scheduler Host Performance"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.add_months(frappe.datetime.get_today(), -3) },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.add_months(frappe.datetime.get_today(), 1) },
		{ fieldname: "host", label: __("Host"), fieldtype: "Link", options: "User" },
		{
			fieldname: "currency",
			label: __("Currency"),
			fieldtype: "Data",
			default: frappe.defaults.get_default("currency"),
			description: __("Revenue and forecast count the meeting types priced in this currency."),
		},
	],
};
