// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Meeting Type", {
	setup(frm) {
		frm.set_query("user", "hosts", () => ({ filters: { enabled: 1, user_type: "System User" } }));
	},
	refresh(frm) {
		if (frm.is_new() || !frm.doc.profile || !frm.doc.slug) return;
		// refresh runs twice after a save: only the latest answer adds the buttons and banner
		const ask = (frm.__sched_link_ask = (frm.__sched_link_ask || 0) + 1);
		frappe.db.get_value("Scheduler Profile", frm.doc.profile, "slug").then((r) => {
			const slug = r.message && r.message.slug;
			if (slug && ask === frm.__sched_link_ask) {
				scheduler_integration.add_link_buttons(
					frm,
					`/book/${encodeURIComponent(slug)}/${encodeURIComponent(frm.doc.slug)}`
				);
			}
		});
	},
	title(frm) {
		if (frm.is_new() && !frm.doc.slug && frm.doc.title) {
			frm.set_value("slug", frappe.scrub(frm.doc.title).replace(/_/g, "-").replace(/[^a-z0-9-]/g, ""));
		}
	},
});
