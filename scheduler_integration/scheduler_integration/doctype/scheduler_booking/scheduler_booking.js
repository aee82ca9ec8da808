// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

// The guest's answers (JSON) as a table; every question and answer is escaped.
function sched_answers_html(raw) {
	let answers = raw;
	if (typeof raw === "string") {
		try {
			answers = JSON.parse(raw || "{}");
		} catch (e) {
			answers = {};
		}
	}
	const rows = Object.entries(answers || {});
	if (!rows.length) return `<p class="text-muted">${__("The guest answered no questions.")}</p>`;
	const esc = frappe.utils.escape_html;
	const show = (v) => (v === true ? __("Yes") : v === false ? __("No") : esc(String(v ?? "")));
	return `<table class="table table-bordered table-sm"><thead><tr><th scope="col">${__("Question")}</th><th scope="col">${__("Answer")}</th></tr></thead><tbody>${rows
		.map(([q, a]) => `<tr><th scope="row" style="font-weight:normal">${esc(q)}</th><td style="white-space:pre-wrap">${show(a)}</td></tr>`)
		.join("")}</tbody></table>`;
}

// --- the booking's actions (issue 38) ---
// The server decides what may be done (the controller's onload: engine.booking_states
// .actions_for); the form only draws it. Changes go through the host API, whose refusals
// carry their reason (ChangeRefused), shown as it is.

// (a function: a form script may be evaluated again, and a top-level const would then throw)
function sched_booking_action_specs() {
	return {
		confirm: { label: __("Confirm"), method: "confirm_booking", done: __("Booking confirmed"), primary: true },
		decline: { label: __("Decline"), method: "decline_booking", done: __("Booking declined") },
		cancel: { label: __("Cancel Booking"), method: "cancel_booking", done: __("Booking cancelled") },
		mark_completed: { label: __("Mark Completed"), method: "mark_completed", done: __("Marked as completed") },
		mark_no_show: { label: __("Mark No Show"), method: "mark_no_show", done: __("Marked as no-show") },
	};
}

// POST to the host API; the answer's envelope whatever the status (frappe.call would
// answer a 403 with its own "Not permitted" instead of the server's reason)
async function sched_booking_post(method, args) {
	let response;
	try {
		response = await fetch(`/api/method/scheduler_integration.api.booking.${method}`, {
			method: "POST",
			credentials: "same-origin",
			headers: { "Content-Type": "application/json", Accept: "application/json", "X-Frappe-CSRF-Token": frappe.csrf_token },
			body: JSON.stringify(args),
		});
	} catch (e) {
		return { success: false, message: __("Network error: please try again.") };
	}
	try {
		const json = await response.json();
		const body = json.message && typeof json.message === "object" ? json.message : json;
		if (body.success === undefined) return { success: false, message: strip_html(String(json.exception || "")) || __("Something went wrong: please try again.") };
		return body;
	} catch (e) {
		return { success: false, message: __("Something went wrong: please try again.") };
	}
}

async function sched_booking_act(frm, action, args = {}) {
	const spec = sched_booking_action_specs()[action];
	frappe.dom.freeze();
	let res;
	try {
		res = await sched_booking_post(spec.method, { booking: frm.doc.name, ...args });
	} finally {
		frappe.dom.unfreeze();
	}
	if (res.success) {
		frappe.show_alert({ message: res.message || spec.done, indicator: "green" });
	} else {
		frappe.msgprint({ title: __("Not changed"), indicator: "red", message: frappe.utils.escape_html(res.message || "") });
	}
	frm.reload_doc();
	return res;
}

// Cancel asks first, says who is told, and takes a reason for the guest
function sched_booking_cancel_dialog(frm) {
	const esc = frappe.utils.escape_html;
	const guest = frm.doc.guest_email ? `${frm.doc.guest_name || ""} (${frm.doc.guest_email})` : frm.doc.guest_name || "";
	const dialog = new frappe.ui.Dialog({
		title: __("Cancel this booking?"),
		fields: [
			{
				fieldname: "what",
				fieldtype: "HTML",
				options: `<p>${esc(__("{0} and the hosts are told that the meeting is cancelled. This cannot be undone.", [guest]))}</p>`,
			},
			{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason (optional, sent to the guest)") },
		],
		primary_action_label: __("Cancel Booking"),
		secondary_action_label: __("Keep Booking"),
		secondary_action() {
			dialog.hide();
		},
		async primary_action(values) {
			dialog.get_primary_btn().prop("disabled", true);
			const res = await sched_booking_act(frm, "cancel", { reason: values.reason || "" });
			dialog.get_primary_btn().prop("disabled", false);
			if (res.success) dialog.hide();
		},
	});
	dialog.$wrapper.addClass("sched-cancel-dialog");
	// names for what Frappe's dialog leaves unnamed (screen readers, axe)
	dialog.$wrapper.find(".btn-modal-close").attr("aria-label", __("Close"));
	dialog.fields_dict.reason.$input.attr("aria-label", __("Reason (optional, sent to the guest)"));
	// the dialog itself is named by its title (Frappe's .modal has role="dialog" but no name)
	const title_id = `sched-cancel-title-${frappe.utils.get_random(6)}`;
	dialog.$wrapper.find(".modal-title").attr("id", title_id);
	dialog.$wrapper.attr("aria-labelledby", title_id);
	dialog.show();
	return dialog;
}

function sched_booking_decline_dialog(frm) {
	frappe.prompt(
		{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason for the guest") },
		(v) => sched_booking_act(frm, "decline", { reason: v.reason || "" }),
		__("Decline booking"),
		__("Decline")
	);
}

// the buttons the server allows, and why the others the status leads to must wait
function sched_booking_actions(frm) {
	// the status changes only through these actions (a new booking may start Pending or Confirmed)
	frm.set_df_property("status", "read_only", frm.is_new() ? 0 : 1);
	if (frm.is_new()) return;
	const found = (frm.doc.__onload && frm.doc.__onload.actions) || { allowed: [], waiting: {} };
	const specs = sched_booking_action_specs();
	for (const action of found.allowed) {
		const spec = specs[action];
		if (!spec) continue;
		const run = action === "cancel" ? () => sched_booking_cancel_dialog(frm) : action === "decline" ? () => sched_booking_decline_dialog(frm) : () => sched_booking_act(frm, action);
		const button = frm.add_custom_button(spec.label, run);
		button.attr("data-sched-action", action);
		if (spec.primary) button.addClass("btn-primary");
	}
	const esc = frappe.utils.escape_html;
	const waiting = Object.entries(found.waiting || {}).filter(([action]) => specs[action]);
	if (waiting.length) {
		// why an action the status leads to is refused (a meeting still to come is not
		// explained: Completed and No Show are simply not offered before it starts)
		frm.dashboard.set_headline(waiting.map(([action, why]) => `<div class="sched-action-waiting" data-sched-action="${esc(action)}">${esc(specs[action].label)}: ${esc(why)}</div>`).join(""), "blue");
	}
}
// --- end of the booking's actions ---

// How the guest arrived, in words (the stored value is a code; an integration's own stays as sent)
function sched_booking_source_labels() {
	return { booking_page: __("Booking page"), report: __("Client report link") };
}

// A cancelled booking is over: nothing on it can change, so the form offers no Save, no
// editable field and no Add Row (the server refuses such a change too, with its reason)
function sched_booking_read_only(frm) {
	if (frm.is_new() || frm.doc.status !== "Cancelled") return;
	frm.disable_form();
	frm.set_intro(__("This booking was cancelled: it can no longer be changed."), "orange");
}

frappe.ui.form.on("Scheduler Booking", {
	setup(frm) {
		const df = (frappe.meta.docfield_map[frm.doctype] || {}).source;
		if (df) {
			df.formatter = (value) => {
				const labels = sched_booking_source_labels();
				return labels[value] || frappe.utils.escape_html(value || "");
			};
		}
	},
	refresh(frm) {
		frm.get_field("answers_html").$wrapper.html(sched_answers_html(frm.doc.answers));
		sched_booking_actions(frm);
		sched_booking_read_only(frm);
	},
});

// --- the booking's time on its host's clock (issue 38: one zone per host) ---
// Under Start: the meeting on the host's profile clock with the zone's name (and the
// co-host's own and the guest's, when they differ), from api.setup.host_times.
function sched_booking_host_times(frm) {
	if (frm.is_new() || !frm.doc.start) return;
	scheduler_integration
		.api("setup.host_times", { doctype: frm.doctype, name: frm.doc.name })
		.then((data) => {
			const text = data.lines.map((line) => `${line.label}: ${line.text}`).join(" · ");
			frm.set_df_property("start", "description", `<span class="sched-host-times">${frappe.utils.escape_html(text)}</span>`);
		})
		.catch(() => null);
}

frappe.ui.form.on("Scheduler Booking", { refresh: sched_booking_host_times });
// --- end of the booking's time on its host's clock ---
