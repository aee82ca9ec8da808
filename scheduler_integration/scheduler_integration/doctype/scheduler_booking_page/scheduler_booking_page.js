// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Booking Page", {
	refresh(frm) {
		// the server's link (booking.domains.booking_page_url): its custom domain's when it has one
		scheduler_integration.add_link_buttons(frm, (frm.doc.__onload || {}).booking_url);
		render_types(frm);
	},
	title(frm) {
		if (frm.is_new() && !frm.doc.slug && frm.doc.title) {
			frm.set_value("slug", frappe.scrub(frm.doc.title).replace(/_/g, "-").replace(/[^a-z0-9-]/g, ""));
		}
	},
});

// the page's meeting types, each a link to its form; a type joins the page from its own form
function render_types(frm) {
	const field = frm.get_field("types_html");
	if (!field) return;
	if (frm.is_new()) {
		field.$wrapper.html(`<p class="text-muted">${__("Save the page, then pick it as the Booking Page of your meeting types.")}</p>`);
		return;
	}
	const types = (frm.doc.__onload || {}).types || [];
	const rows = types
		.map(
			(row) =>
				`<li><a class="underline" href="/app/scheduler-meeting-type/${encodeURIComponent(row.name)}">${frappe.utils.escape_html(row.title)}</a>` +
				(row.active ? "" : ` <span class="text-muted">(${__("inactive")})</span>`) +
				"</li>",
		)
		.join("");
	const empty = `<p class="text-muted">${__("No meeting type is on this page yet: open one of your meeting types and pick this page as its Booking Page.")}</p>`;
	// what deleting the page does, said before anyone presses Delete
	const on_delete = `<p class="text-muted small">${__("Deleting this page puts its meeting types back on your main page; links to this page stop working, links through your main page keep working.")}</p>`;
	field.$wrapper.html((rows ? `<ul>${rows}</ul>` : empty) + on_delete);
}
