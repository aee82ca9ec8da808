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
			"Awaiting Payment": "purple", // a paid booking's hold while the guest pays
		};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
