// Status colours of guests' payments in the list view.
frappe.listview_settings["Scheduler Payment"] = {
	add_fields: ["status", "booking"],
	get_indicator(doc) {
		const colours = {
			"Not Started": "gray",
			Open: "orange",
			Paid: "green",
			Expired: "gray",
			"Partly Refunded": "blue",
			Refunded: "red",
		};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
