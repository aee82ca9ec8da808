// Status colours of bookings in the list view.
frappe.listview_settings["Scheduler Booking"] = {
	add_fields: ["status", "start"],
	get_indicator(doc) {
		const colours = {
			Pending: "orange",
			Confirmed: "blue",
			Completed: "green",
			Cancelled: "red",
			"No Show": "gray",
		};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
