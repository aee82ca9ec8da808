// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

// The series' meetings on its host's clock, each with the zone's name (one zone per host;
// api.setup.host_times); the first start's field says the same.
frappe.ui.form.on("Scheduler Booking Series", {
	refresh(frm) {
		const field = frm.get_field("meetings_html");
		if (!field || frm.is_new()) return;
		const esc = frappe.utils.escape_html;
		scheduler_integration
			.api("setup.host_times", { doctype: frm.doctype, name: frm.doc.name })
			.then((data) => {
				const rows = data.lines.map((line) => `<tr><td>${esc(line.text)}</td><td><span class="indicator-pill ${line.status === "Cancelled" ? "gray" : "blue"}">${esc(line.label)}</span></td></tr>`);
				field.$wrapper.html(
					rows.length
						? `<table class="table table-sm sched-series-times"><tbody>${rows.join("")}</tbody></table>`
						: `<p class="text-muted">${esc(__("No meetings."))}</p>`
				);
				if (data.lines.length) {
					frm.set_df_property("first_start", "description", esc(__("Host's time: {0}", [data.lines[0].text])));
				}
			})
			.catch(() => null);
	},
});
