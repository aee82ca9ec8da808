// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Availability", {
	setup(frm) {
		scheduler_integration.set_timezone_options(frm, "timezone");
	},
	refresh(frm) {
		if (frm.is_new() && !(frm.doc.weekly_rules || []).length) {
			// a sensible start: Monday to Friday, 09:00-17:00
			["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"].forEach((weekday) =>
				frm.add_child("weekly_rules", { weekday, from_time: "09:00", to_time: "17:00" })
			);
			frm.refresh_field("weekly_rules");
		}
	},
});
