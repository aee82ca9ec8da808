// The colleague asked to cover a leave answers here (api.availability.respond_to_cover).
frappe.ui.form.on("Scheduler Out of Office", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.delegate !== frappe.session.user || frm.doc.delegate_status !== "Invited") {
			return;
		}
		frm.dashboard.set_headline(
			__("{0} asks you to cover their meetings on these dates.", [frappe.user.full_name(frm.doc.user)])
		);
		const respond = (accept) =>
			frappe
				.call({
					method: "scheduler_integration.api.availability.respond_to_cover",
					args: { out_of_office: frm.doc.name, accept: accept ? 1 : 0 },
					freeze: true,
				})
				.then((r) => {
					frappe.show_alert({ message: r.message.message, indicator: accept ? "green" : "orange" });
					frm.reload_doc();
				});
		frm.add_custom_button(__("Accept"), () => respond(true)).addClass("btn-primary");
		frm.add_custom_button(__("Decline"), () => respond(false));
	},
});
