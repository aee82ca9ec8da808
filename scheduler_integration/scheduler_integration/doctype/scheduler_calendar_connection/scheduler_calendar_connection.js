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
	refresh(frm) {
		frm.trigger("show_provider_fields");
		frm.trigger("show_status");
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
		frm.trigger("show_provider_fields");
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
				__("Last error: {0}. Next retry: {1}.", [frappe.utils.escape_html(frm.doc.last_error || ""), frappe.datetime.str_to_user(frm.doc.next_retry_at)]),
				"orange"
			);
		}
	},
});
