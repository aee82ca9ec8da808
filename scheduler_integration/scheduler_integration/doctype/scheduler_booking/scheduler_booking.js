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

frappe.ui.form.on("Scheduler Booking", {
	refresh(frm) {
		frm.get_field("answers_html").$wrapper.html(sched_answers_html(frm.doc.answers));
		if (frm.is_new()) return;
		const act = (method, label, args = {}) =>
			frappe
				.call({ method: `scheduler_integration.api.booking.${method}`, args: { booking: frm.doc.name, ...args } })
				.then((r) => {
					const res = r.message || {};
					frappe.show_alert({ message: res.message || label, indicator: res.success ? "green" : "red" });
					frm.reload_doc();
				});
		if (frm.doc.status === "Pending") {
			frm.add_custom_button(__("Confirm"), () => act("confirm_booking", __("Booking confirmed"))).addClass("btn-primary");
			frm.add_custom_button(__("Decline"), () =>
				frappe.prompt(
					{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason for the guest") },
					(v) => act("decline_booking", __("Booking declined"), { reason: v.reason }),
					__("Decline booking"),
					__("Decline")
				)
			);
		}
		if (["Confirmed", "Completed"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Mark No Show"), () => act("mark_no_show", __("Marked as no-show")));
		}
	},
});
