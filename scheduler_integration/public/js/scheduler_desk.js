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

// The signed-in user's zone (User → Time Zone), else the system's.
scheduler_integration.default_timezone = function () {
	const zones = frappe.boot.time_zone || {};
	return zones.user || zones.system || "UTC";
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
	frm.add_custom_button(__("Embed on a Website"), () => scheduler_integration.show_embed_dialog(url));
	// set_intro adds a block each time: clear first, or every save stacks another banner
	frm.set_intro();
	frm.set_intro(__("Booking page: {0}", [`<a href="${encodeURI(url)}" target="_blank" rel="noopener">${frappe.utils.escape_html(url)}</a>`]), "blue");
};

// The copy-paste snippets of the embed widget (public/js/embed.js): inline and pop-up.
scheduler_integration.embed_snippets = function (url) {
	const base = frappe.urllib.get_base_url();
	const src = `${base}/assets/scheduler_integration/js/embed.js`;
	const attr = (value) => frappe.utils.escape_html(value);
	return {
		inline: `<div data-scheduler-embed="inline" data-url="${attr(url)}"></div>\n<script src="${attr(src)}" async></script>`,
		popup: `<button type="button" data-scheduler-embed="popup" data-url="${attr(url)}">${attr(__("Book a meeting"))}</button>\n<script src="${attr(src)}" async></script>`,
	};
};

scheduler_integration.show_embed_dialog = function (url) {
	const snippets = scheduler_integration.embed_snippets(url);
	const dialog = new frappe.ui.Dialog({
		title: __("Embed on a Website"),
		fields: [
			{
				fieldtype: "HTML",
				fieldname: "help",
				options: `<p class="text-muted">${__("Paste one of these into a page of your website. The website's address must be listed in Scheduler Settings → Websites Allowed to Embed Booking Pages.")}</p>`,
			},
			{ fieldtype: "Code", fieldname: "inline", label: __("Inline (the booking page inside your page)"), options: "HTML", read_only: 1, default: snippets.inline },
			{ fieldtype: "Button", fieldname: "copy_inline", label: __("Copy Inline Snippet") },
			{ fieldtype: "Code", fieldname: "popup", label: __("Pop-up (a button that opens the booking page)"), options: "HTML", read_only: 1, default: snippets.popup },
			{ fieldtype: "Button", fieldname: "copy_popup", label: __("Copy Pop-up Snippet") },
		],
	});
	dialog.fields_dict.copy_inline.input.onclick = () => frappe.utils.copy_to_clipboard(snippets.inline);
	dialog.fields_dict.copy_popup.input.onclick = () => frappe.utils.copy_to_clipboard(snippets.popup);
	dialog.show();
	scheduler_integration.embed_dialog = dialog; // the open one (the browser test reads it)
	return dialog;
};

// The Scheduling workspace's "My Next Meetings" block (Custom HTML Block fixture): the signed-in
// host's next meetings on their own clock. Text goes in with textContent only.
scheduler_integration.render_next_meetings = function (box) {
	if (!box) return;
	const el = (tag, cls, text) => {
		const node = document.createElement(tag);
		if (cls) node.className = cls;
		if (text !== undefined) node.textContent = text;
		return node;
	};
	box.replaceChildren(el("div", "text-muted", __("Loading...")));
	frappe
		.xcall("scheduler_integration.api.dashboard.next_meetings", { limit: 5 })
		.then((rows) => {
			const title = el("div", "widget-title h6", __("My Next Meetings"));
			title.style.marginBottom = "var(--margin-sm)";
			if (!rows.length) {
				box.replaceChildren(title, el("p", "text-muted sched-next-empty", __("No upcoming meetings.")));
				return;
			}
			const list = el("ul", "list-unstyled sched-next-list");
			list.style.margin = "0";
			const today = frappe.datetime.get_today();
			for (const row of rows) {
				const item = el("li", "sched-next-item");
				item.style.cssText = "display:flex;gap:12px;align-items:baseline;padding:6px 0;border-bottom:1px solid var(--border-color)";
				const when = row.date === today ? __("Today") : frappe.datetime.str_to_user(row.date);
				const time = el("strong", "sched-next-time", `${when} ${row.time}`);
				time.style.minWidth = "140px";
				const link = el("a", "sched-next-link", `${row.meeting_type} · ${row.guest}${row.company ? " (" + row.company + ")" : ""}`);
				link.href = `/app/scheduler-booking/${encodeURIComponent(row.name)}`;
				const status = el("span", `indicator-pill ${row.status === "Pending" ? "orange" : "green"}`, __(row.status));
				status.style.marginLeft = "auto";
				item.append(time, link, status);
				list.append(item);
			}
			box.replaceChildren(title, list);
		})
		.catch(() => box.replaceChildren(el("p", "text-muted", __("Could not load your meetings."))));
};
