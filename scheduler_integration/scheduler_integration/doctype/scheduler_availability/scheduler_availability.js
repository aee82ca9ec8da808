// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Availability", {
	setup(frm) {
		scheduler_integration.set_timezone_options(frm, "timezone");
		scheduler_integration.set_time_options(frm, "Scheduler Availability Rule");
		scheduler_integration.set_time_options(frm, "Scheduler Date Override");
	},
	onload(frm) {
		if (!frm.is_new()) return;
		// a new schedule starts filled in: a title, the user's own zone, Monday to Friday 09:00-17:00
		if (!frm.doc.title) frm.set_value("title", __("Working Hours"));
		if (!frm.doc.user) frm.set_value("user", frappe.session.user);
		if (!frm.doc.timezone) frm.set_value("timezone", scheduler_integration.default_timezone());
		if (!(frm.doc.weekly_rules || []).length) {
			["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"].forEach((weekday) =>
				frm.add_child("weekly_rules", { weekday, from_time: "09:00", to_time: "17:00" })
			);
			frm.refresh_field("weekly_rules");
		}
	},
});
