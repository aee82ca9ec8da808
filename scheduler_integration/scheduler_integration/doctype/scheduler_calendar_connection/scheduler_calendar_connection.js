// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt
//
// The fields a provider needs come from the provider registry (what the server says of
// each provider), not from a list of provider names here: a new provider needs no change.

const SCHED_CONNECTION_API = "scheduler_integration.api.connections.";
const SCHED_CREDENTIAL_FIELDS = {
	url: ["ics_url"],
	password: ["caldav_url", "caldav_username", "caldav_password"],
	google: ["google_calendar"],
	oauth: ["connected_app"],
};

frappe.ui.form.on("Scheduler Calendar Connection", {
	setup(frm) {
		frm.sched_providers = null;
		frappe.call({ method: SCHED_CONNECTION_API + "providers", type: "GET" }).then((r) => {
			frm.sched_providers = r.message || {};
			frm.trigger("show_provider_fields");
		});
	},
	onload(frm) {
		// a new connection is the signed-in host's own unless one was named
		if (frm.is_new() && !frm.doc.host) frm.set_value("host", frappe.session.user);
	},
	refresh(frm) {
		scheduler_integration.show_select_mark(frm, "provider");
		frm.trigger("show_provider_fields");
		frm.trigger("show_status");
		sched_connection_admin_setup(frm);
		if (frm.is_new()) return;
		const info = (frm.sched_providers || {})[frm.doc.provider] || frm.doc.__onload?.provider || {};
		const needsAuth = (info.auth === "oauth" && !frm.doc.account_wide) || info.auth === "google";
		if (needsAuth && frm.doc.host === frappe.session.user) {
			const label = frm.doc.status === "Connected" ? __("Reconnect") : __("Connect");
			frm.add_custom_button(label, () => {
				frappe
					.call({ method: SCHED_CONNECTION_API + "authorize", args: { name: frm.doc.name } })
					.then((r) => {
						if (r.message && r.message.url) window.location.href = r.message.url;
					});
			}).addClass(frm.doc.status === "Connected" ? "" : "btn-primary");
		}
		frm.add_custom_button(__("Check Now"), () => {
			frappe
				.call({ method: SCHED_CONNECTION_API + "check", args: { name: frm.doc.name }, freeze: true })
				.then(() => frm.reload_doc());
		});
	},
	provider(frm) {
		scheduler_integration.show_select_mark(frm, "provider");
		frm.trigger("show_provider_fields");
		sched_connection_admin_setup(frm);
	},
	after_save(frm) {
		sched_connection_first_check(frm);
	},
	account_wide(frm) {
		frm.trigger("show_provider_fields");
	},
	show_provider_fields(frm) {
		const info = (frm.sched_providers || {})[frm.doc.provider] || frm.doc.__onload?.provider;
		if (!info) return;
		for (const [auth, fields] of Object.entries(SCHED_CREDENTIAL_FIELDS)) {
			fields.forEach((f) => frm.toggle_display(f, auth === info.auth));
		}
		frm.toggle_display("account_wide", !!info.account_app);
		frm.toggle_display("account_id", !!info.account_app && !!frm.doc.account_wide);
		frm.toggle_display(["check_calendars", "last_sync"], !!info.calendar);
		frm.toggle_display("write_bookings", !!info.writable);
		frm.toggle_display("destination_calendar", !!info.writable && !!frm.doc.write_bookings);
	},
	show_status(frm) {
		if (frm.is_new()) return;
		const colors = { Connected: "green", "Needs Reconnect": "red", Error: "orange", "Not Synced": "gray" };
		frm.page.set_indicator(__(frm.doc.status), colors[frm.doc.status] || "gray");
		if (frm.doc.status === "Needs Reconnect") {
			frm.dashboard.set_headline_alert(
				__("{0} refused the authorisation: click Connect to authorise it again. Meeting links and calendar writes that wait for it are retried then.", [__(frm.doc.provider)]),
				"red"
			);
		} else if (frm.doc.status === "Error" && frm.doc.next_retry_at) {
			frm.dashboard.set_headline_alert(
				__("{0} Next try: {1} ({2}).", [
					frappe.utils.escape_html(frm.doc.last_error || ""),
					frappe.datetime.str_to_user(frm.doc.next_retry_at),
					frappe.utils.escape_html((frappe.boot.time_zone && frappe.boot.time_zone.user) || frappe.sys_defaults.time_zone),
				]),
				"orange"
			);
		} else if (frm.doc.status === "Connected" && frm.doc.last_sync) {
			frm.dashboard.set_headline_alert(__("Connected: busy times in this calendar are never offered to guests."), "green");
		}
	},
});

// A provider an administrator must set up first (Google Settings, a Connected App): the host
// reads what is missing, in words, and the administrators are told once that they wait
// (api.setup.ask_admins); an administrator reads where to set it up.
function sched_connection_admin_setup(frm) {
	const esc = frappe.utils.escape_html;
	// the form's one message area also carries the status headline (show_status): clear
	// only what was put there here
	const show = (needed, told) => {
		if (frm.sched_setup_intro) {
			frm.set_intro();
			frm.sched_setup_intro = false;
		}
		if (!needed || !needed.text) return;
		const manager = frappe.user.has_role("System Manager");
		let text = esc(needed.text);
		if (manager && needed.route) {
			text += ` <a href="${encodeURI(needed.route)}">${esc(__("Set it up now"))}</a>`;
		} else if (told) {
			text += " " + esc(__("Your administrators have been told that you are waiting for it."));
		}
		frm.set_intro(text, "orange");
		frm.sched_setup_intro = true;
	};
	if (!frm.doc.provider) return show(null);
	if (!frm.is_new() && frm.doc.__onload && "admin_setup" in frm.doc.__onload && frm.sched_setup_for === undefined) {
		show(frm.doc.__onload.admin_setup, false);
	}
	const provider = frm.doc.provider;
	frm.sched_setup_for = provider;
	scheduler_integration
		.api("setup.provider_setup", { provider })
		.then((needed) => {
			if (frm.doc.provider !== provider) return;
			if (!needed.needed) return show(null);
			show(needed, false);
			// the host themselves is waiting: their administrators hear it (once)
			if ((frm.doc.host || frappe.session.user) !== frappe.session.user) return;
			return scheduler_integration.api("setup.ask_admins", { provider }, true).then((answer) => {
				if (frm.doc.provider === provider) show(needed, answer.admins > 0);
			});
		})
		.catch(() => null);
}

// A calendar connection is checked as soon as it is saved: the host sees at once whether it
// works (or why not, in words), instead of waiting for the next sync.
function sched_connection_first_check(frm) {
	const info = (frm.sched_providers || {})[frm.doc.provider] || {};
	if (!info.calendar || !frm.doc.enabled || frm.doc.status === "Connected" || frm.sched_checked === frm.doc.name) return;
	if (info.auth !== "url" && info.auth !== "password") return; // OAuth ones check after Connect
	frm.sched_checked = frm.doc.name;
	frm.dashboard.set_headline_alert(__("Checking your calendar…"), "blue");
	frappe
		.call({ method: SCHED_CONNECTION_API + "check", args: { name: frm.doc.name } })
		.then(() => frm.reload_doc())
		.catch(() => frm.reload_doc());
}
