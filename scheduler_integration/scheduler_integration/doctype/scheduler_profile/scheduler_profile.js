// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Profile", {
	setup(frm) {
		scheduler_integration.set_timezone_options(frm, "timezone");
		frm.set_query("availability", () => ({ filters: { user: frm.doc.user } }));
	},
	onload(frm) {
		if (!frm.is_new()) return;
		// a new profile starts as the signed-in user's: their name, zone and a link slug
		if (!frm.doc.user) frm.set_value("user", frappe.session.user);
		if (!frm.doc.timezone) frm.set_value("timezone", scheduler_integration.default_timezone());
		if (!frm.doc.display_name && frm.doc.user === frappe.session.user) {
			frm.set_value("display_name", frappe.session.user_fullname || "");
		}
	},
	refresh(frm) {
		scheduler_integration.add_link_buttons(frm, frm.doc.slug ? `/book/${encodeURIComponent(frm.doc.slug)}` : null);
		scheduler_integration.render_profile_connections(frm);
	},
	display_name(frm) {
		if (frm.is_new() && !frm.doc.slug && frm.doc.display_name) {
			frm.set_value("slug", frappe.scrub(frm.doc.display_name).replace(/_/g, "-").replace(/[^a-z0-9-]/g, ""));
		}
	},
});
