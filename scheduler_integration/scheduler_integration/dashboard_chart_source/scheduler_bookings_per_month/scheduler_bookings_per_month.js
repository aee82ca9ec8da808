// The Scheduling workspace's "Bookings per Month": bookings made in each of the last 12
// calendar months, the viewer's own (a host's) or everyone's (a manager's).
frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Scheduler Bookings per Month"] = {
	method: "scheduler_integration.api.dashboard.bookings_per_month",
	filters: [],
};
