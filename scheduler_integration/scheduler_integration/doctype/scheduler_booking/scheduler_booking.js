// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Booking", {
	refresh(frm) {
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
