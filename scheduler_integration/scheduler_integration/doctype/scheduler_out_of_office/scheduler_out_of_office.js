// The colleague asked to cover a leave answers here (api.availability.respond_to_cover), and
// may change their answer later; to them the leave is someone else's, shown read-only.
frappe.ui.form.on("Scheduler Out of Office", {
	onload(frm) {
		if (frm.is_new() && !frm.doc.user) frm.set_value("user", frappe.session.user);
		const colleagues = () => ({ filters: { enabled: 1, user_type: "System User" } });
		frm.set_query("user", colleagues);
		frm.set_query("delegate", colleagues);
	},
	refresh(frm) {
		const me = frappe.session.user;
		if (frm.is_new() || frm.doc.delegate !== me) return;
		if (frm.doc.user !== me && !frappe.user.has_role("Scheduler Manager")) frm.disable_form();
		const host = frappe.user.full_name(frm.doc.user);
		const status = frm.doc.delegate_status;
		frm.dashboard.set_headline(
			status === "Accepted"
				? __("You cover {0}'s meetings on these dates", [host])
				: status === "Declined"
				? __("You declined to cover {0}", [host])
				: __("{0} asks you to cover their meetings on these dates.", [host])
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
		if (status !== "Accepted") frm.add_custom_button(__("Accept"), () => respond(true)).addClass("btn-primary");
		if (status !== "Declined") frm.add_custom_button(__("Decline"), () => respond(false));
	},
});
