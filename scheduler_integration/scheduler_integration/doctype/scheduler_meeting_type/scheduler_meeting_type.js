// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Meeting Type", {
	setup(frm) {
		frm.set_query("user", "hosts", () => ({ filters: { enabled: 1, user_type: "System User" } }));
	},
	refresh(frm) {
		if (frm.is_new() || !frm.doc.profile || !frm.doc.slug) return;
		show_invitation(frm);
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

// A colleague invited to host a team type answers here (their to-do sends them to this
// form): until they accept, guests are not offered their times.
function show_invitation(frm) {
	const mine = (frm.doc.hosts || []).find((row) => row.user === frappe.session.user);
	if (!mine || mine.accepted) return;
	frm.set_intro(__("You are invited to host this meeting type. Guests are offered your times once you accept."), "blue");
	const respond = (accept) =>
		frappe
			.call({
				method: "scheduler_integration.api.meeting_type.respond_to_invitation",
				args: { meeting_type: frm.doc.name, accept: accept ? 1 : 0 },
				freeze: true,
			})
			.then((r) => {
				const answer = r.message || {};
				frappe.show_alert({ message: answer.message || "", indicator: accept ? "green" : "orange" });
				// a declined host is no longer on the type: back to the list
				if (accept) frm.reload_doc();
				else frappe.set_route("List", frm.doctype);
			});
	frm.add_custom_button(__("Accept invitation"), () => respond(true)).addClass("btn-primary");
	frm.add_custom_button(__("Decline invitation"), () =>
		frappe.confirm(__("Decline hosting {0}?", [frappe.utils.escape_html(frm.doc.title)]), () => respond(false))
	);
}
