// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Meeting Type", {
	setup(frm) {
		frm.set_query("user", "hosts", () => ({ filters: { enabled: 1, user_type: "System User" } }));
		// a type lists on one of its own host's extra pages
		frm.set_query("booking_page", () => ({ filters: { user: frm.doc.user || frappe.session.user } }));
	},
	onload(frm) {
		// a new type starts on the signed-in host's profile when they have exactly one
		// (a link from a host's set-up fix names it: ?profile=…)
		if (!frm.is_new() || frm.doc.profile) return;
		frappe.db
			.get_list("Scheduler Profile", { filters: { user: frappe.session.user }, fields: ["name"], limit: 2 })
			.then((rows) => {
				if (rows.length === 1 && !frm.doc.profile) frm.set_value("profile", rows[0].name);
			})
			.catch(() => null);
	},
	refresh(frm) {
		scheduler_integration.show_select_mark(frm, "location_type");
		if (frm.is_new() || !frm.doc.profile || !frm.doc.slug) return;
		// a colleague who hosts it (or is invited) reads it; only its owner changes it
		if (frm.doc.__onload && frm.doc.__onload.may_edit === false) frm.disable_form();
		// an invitee answers first: their message keeps Accept / Decline (the link's banner
		// would replace it). Others get the server's link (booking.domains.type_url): a team
		// type's on the team's page, on the team's or profile's custom domain when it has one
		if (!show_invitation(frm)) {
			scheduler_integration.add_link_buttons(frm, (frm.doc.__onload || {}).booking_url);
		}
	},
	location_type(frm) {
		scheduler_integration.show_select_mark(frm, "location_type");
	},
	assignment(frm) {
		// a team type starts with its owner as its first host (a type whose only host has no
		// hours yet would be listed offering no times)
		if (frm.doc.assignment === "Individual" || (frm.doc.hosts || []).length || !frm.doc.user) return;
		frm.add_child("hosts", { user: frm.doc.user, weight: 1 });
		frm.refresh_field("hosts");
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
	if (!mine || mine.accepted) return false;
	// the answer's buttons in the message itself: the toolbar folds them into "⋯" on a phone
	const esc = frappe.utils.escape_html;
	frm.set_intro(
		`<div>${esc(__("You are invited to host this meeting type. Guests are offered your times once you accept."))}</div>` +
			`<div class="sched-invite-answer" style="margin-top:8px;display:flex;gap:8px;flex-wrap:wrap">` +
			`<button type="button" class="btn btn-xs btn-primary sched-invite-accept">${esc(__("Accept invitation"))}</button>` +
			`<button type="button" class="btn btn-xs btn-default sched-invite-decline">${esc(__("Decline invitation"))}</button></div>`,
		"blue"
	);
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
	const decline = () => frappe.confirm(__("Decline hosting {0}?", [esc(frm.doc.title)]), () => respond(false));
	const box = $(frm.layout.wrapper);
	box.find(".sched-invite-accept").on("click", () => respond(true));
	box.find(".sched-invite-decline").on("click", decline);
	frm.add_custom_button(__("Accept invitation"), () => respond(true)).addClass("btn-primary");
	frm.add_custom_button(__("Decline invitation"), decline);
	return true;
}
