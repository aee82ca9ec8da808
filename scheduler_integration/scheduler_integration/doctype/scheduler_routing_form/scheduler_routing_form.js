// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Routing Form", {
	refresh(frm) {
		// the form's page: copy, open, embed (like a booking page's)
		scheduler_integration.add_link_buttons(frm, frm.doc.slug ? `/book/route/${encodeURIComponent(frm.doc.slug)}` : null);
		if (frm.is_new()) return;
		frm.add_custom_button(__("Decisions"), () => frappe.set_route("List", "Scheduler Routing Submission", { form: frm.doc.name }));
		frm.add_custom_button(__("Funnel Report"), () => frappe.set_route("query-report", "Scheduler Routing Funnel", { form: frm.doc.name }));
		frappe
			.call({ method: "scheduler_integration.api.routing.get_funnel", args: { form: frm.doc.name }, type: "GET" })
			.then((r) => {
				const figures = ((r.message && r.message.data) || {})[frm.doc.name];
				if (!figures) return;
				const cell = (label, value) => `<div class="col-sm-4"><div class="text-muted small">${frappe.utils.escape_html(label)}</div><div class="h4">${value}</div></div>`;
				frm.get_field("funnel_html").$wrapper.html(
					`<div class="row">${cell(__("Submitted"), figures.submitted)}${cell(__("Routed"), figures.routed)}${cell(__("Booked"), figures.booked)}</div>`
				);
			})
			.catch(() => null);
	},
	title(frm) {
		if (frm.is_new() && !frm.doc.slug && frm.doc.title) {
			frm.set_value("slug", frappe.scrub(frm.doc.title).replace(/_/g, "-").replace(/[^a-z0-9-]/g, ""));
		}
	},
});
