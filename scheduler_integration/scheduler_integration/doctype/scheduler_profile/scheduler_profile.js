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
		sched_profile_existing_hours(frm);
	},
	refresh(frm) {
		// the server's link (booking.domains.profile_url): the custom domain when it has one
		scheduler_integration.add_link_buttons(frm, (frm.doc.__onload || {}).booking_url);
		scheduler_integration.render_profile_connections(frm);
		sched_profile_page_status(frm);
	},
	after_save(frm) {
		sched_profile_follow_zone(frm);
	},
	user(frm) {
		// a new profile made for someone else (an administrator's): their name, link and zone,
		// not the signed-in user's the form started with
		if (!frm.is_new() || !frm.doc.user) return;
		frappe.db.get_value("User", frm.doc.user, ["full_name", "time_zone"]).then((r) => {
			const user = r.message || {};
			if (user.full_name) {
				frm.set_value("display_name", user.full_name);
				frm.set_value("slug", frappe.scrub(user.full_name).replace(/_/g, "-").replace(/[^a-z0-9-]/g, ""));
			}
			frm.set_value("timezone", user.time_zone || scheduler_integration.default_timezone());
			frm.set_value("availability", "");
			sched_profile_existing_hours(frm);
		});
	},
	display_name(frm) {
		if (frm.is_new() && !frm.doc.slug && frm.doc.display_name) {
			frm.set_value("slug", frappe.scrub(frm.doc.display_name).replace(/_/g, "-").replace(/[^a-z0-9-]/g, ""));
		}
	},
});

// Hours the host already made become the new profile's (never a second set of hours).
function sched_profile_existing_hours(frm) {
	if (frm.doc.availability || !frm.doc.user) return;
	frappe.db
		.get_list("Scheduler Availability", { filters: { user: frm.doc.user }, fields: ["name"], order_by: "modified desc", limit: 1 })
		.then((rows) => {
			if (rows.length && !frm.doc.availability) frm.set_value("availability", rows[0].name);
		});
}

// Why the page offers no times, with the fix (api.setup.page_status), above the form.
function sched_profile_page_status(frm) {
	const layout = $(frm.layout.wrapper);
	layout.find(".sched-page-problems").remove();
	if (frm.is_new()) return;
	scheduler_integration
		.api("setup.page_status", { profile: frm.doc.name })
		.then((status) => {
			if (!status.problems.length) return;
			const box = scheduler_integration.problems_box(status.problems);
			box.style.margin = "var(--margin-md) var(--margin-md) 0";
			layout.find(".sched-page-problems").remove();
			layout.prepend(box);
		})
		.catch(() => null);
}

// One zone per host: after the host changes their profile's zone, their desk (their User's
// zone) follows it, so every Datetime the desk and Frappe CRM show is on the profile's clock.
function sched_profile_follow_zone(frm) {
	if (frm.doc.user !== frappe.session.user || !frm.doc.timezone) return;
	if (frappe.boot.time_zone && frappe.boot.time_zone.user === frm.doc.timezone) return;
	scheduler_integration
		.api("setup.follow_profile_zone", {}, true)
		.then((data) => {
			if (frappe.boot.time_zone) frappe.boot.time_zone.user = data.timezone;
			if (data.changed) {
				frappe.show_alert({ message: __("Your desk now shows times in {0}, your profile's time zone", [data.timezone]), indicator: "green" });
			}
		})
		.catch(() => null);
}
