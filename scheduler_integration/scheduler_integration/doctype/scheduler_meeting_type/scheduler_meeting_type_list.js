frappe.listview_settings["Scheduler Meeting Type"] = {
	add_fields: ["active"],
	get_indicator(doc) {
		return doc.active ? [__("Active"), "green", "active,=,1"] : [__("Inactive"), "gray", "active,=,0"];
	},
};
