// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Profile", {
	setup(frm) {
		scheduler_integration.set_timezone_options(frm, "timezone");
		frm.set_query("availability", () => ({ filters: { user: frm.doc.user } }));
	},
	refresh(frm) {
		scheduler_integration.add_link_buttons(frm, frm.doc.slug ? `/book/${encodeURIComponent(frm.doc.slug)}` : null);
	},
	display_name(frm) {
		if (frm.is_new() && !frm.doc.slug && frm.doc.display_name) {
			frm.set_value("slug", frappe.scrub(frm.doc.display_name).replace(/_/g, "-").replace(/[^a-z0-9-]/g, ""));
		}
	},
});
