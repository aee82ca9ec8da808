// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Team", {
	onload(frm) {
		// a host who starts a team is its first admin (also set on save: SchedulerTeam.validate_members)
		if (frm.is_new() && !(frm.doc.members || []).length) {
			frm.add_child("members", { user: frappe.session.user, is_admin: 1 });
			frm.refresh_field("members");
		}
	},
	refresh(frm) {
		// the server's link (booking.domains.team_url): the team's custom domain when it has one
		scheduler_integration.add_link_buttons(frm, (frm.doc.__onload || {}).booking_url);
	},
	title(frm) {
		if (frm.is_new() && !frm.doc.slug && frm.doc.title) {
			frm.set_value("slug", frappe.scrub(frm.doc.title).replace(/_/g, "-").replace(/[^a-z0-9-]/g, ""));
		}
	},
});
