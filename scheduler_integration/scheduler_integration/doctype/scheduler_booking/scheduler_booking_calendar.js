// Calendar view of bookings (/app/scheduler-booking/view/calendar).
frappe.views.calendar["Scheduler Booking"] = {
	field_map: {
		start: "start",
		end: "end",
		id: "name",
		title: "title",
		status: "status",
	},
	style_map: {
		Pending: "warning",
		Confirmed: "info",
		Completed: "success",
		Cancelled: "danger",
		"No Show": "default",
		"Awaiting Payment": "warning",
	},
	filters: [{ fieldtype: "Link", fieldname: "host", options: "User", label: __("Host") }],
	get_events_method: "frappe.desk.calendar.get_events",
};
