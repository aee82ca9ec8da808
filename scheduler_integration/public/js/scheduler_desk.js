// Shared desk helpers of Scheduler Integration (loaded on every desk page via hooks).
frappe.provide("scheduler_integration");

scheduler_integration.set_timezone_options = function (frm, fieldname) {
	frappe.call({
		method: "frappe.core.doctype.user.user.get_timezones",
		callback(r) {
			frm.set_df_property(fieldname, "options", (r.message && r.message.timezones) || []);
		},
	});
};

scheduler_integration.add_link_buttons = function (frm, path) {
	if (frm.is_new() || !path) return;
	const url = frappe.urllib.get_base_url() + path;
	frm.add_custom_button(__("Copy Booking Link"), () => {
		frappe.utils.copy_to_clipboard(url);
	});
	frm.add_custom_button(__("Open Booking Page"), () => {
		window.open(url, "_blank", "noopener");
	});
	frm.set_intro(__("Booking page: {0}", [`<a href="${encodeURI(url)}" target="_blank" rel="noopener">${frappe.utils.escape_html(url)}</a>`]), "blue");
};
