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

// From / To of working hours and date overrides are picked from a list of the day's times,
// every TIME_STEP minutes, with 24:00 as the end of a day (Autocomplete fields: a Time field
// has no list and no 24:00). The server checks the same grid (scheduler_availability.py).
scheduler_integration.TIME_STEP = 5;

scheduler_integration.set_time_options = function (frm, doctype) {
	const pad = (n) => String(n).padStart(2, "0");
	const times = [];
	for (let m = 0; m <= 24 * 60; m += scheduler_integration.TIME_STEP) {
		times.push(`${pad(Math.floor(m / 60))}:${pad(m % 60)}`);
	}
	const lists = { from_time: times.slice(0, -1), to_time: times.slice(1) };
	Object.entries(lists).forEach(([fieldname, options]) => {
		// the DocType's field and the form's copy of it, which its grid rows copy in turn
		[frappe.meta.get_docfield(doctype, fieldname), frappe.meta.get_docfield(doctype, fieldname, frm.docname)]
			.filter(Boolean)
			.forEach((df) => Object.assign(df, { options, max_items: options.length }));
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
		scheduler_integration.link_copied();
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

// An element with an optional class and text (set with textContent only: never markup).
scheduler_integration.el = function (tag, cls, text) {
	const node = document.createElement(tag);
	if (cls) node.className = cls;
	if (text !== undefined) node.textContent = text;
	return node;
};

// The Scheduling workspace's "My Next Meetings" block (Custom HTML Block fixture): the signed-in
// host's next meetings on their own clock. Text goes in with textContent only.
scheduler_integration.render_next_meetings = function (box) {
	if (!box) return;
	const el = scheduler_integration.el;
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
				const status = el("span", `indicator-pill ${["Pending", "Awaiting Payment"].includes(row.status) ? "orange" : "green"}`, __(row.status));
				status.style.marginLeft = "auto";
				item.append(time, link, status);
				list.append(item);
			}
			box.replaceChildren(title, list);
		})
		.catch(() => box.replaceChildren(el("p", "text-muted", __("Could not load your meetings."))));
};

// The set-up checklist's last step: a host who copied their booking link has shared it.
scheduler_integration.link_copied = function () {
	return frappe.xcall("scheduler_integration.api.dashboard.link_copied").catch(() => null);
};

// The Scheduling workspace's set-up checklist (reporting/dashboard.setup_checklist): each
// step with its state and the form that does it, until every step is done; then the block
// hides itself.
scheduler_integration.render_setup_checklist = function (box) {
	if (!box) return;
	const el = scheduler_integration.el;
	// the block draws in a shadow root: its widget is around the root's host
	const host = box.getRootNode().host;
	const widget = (host && host.closest(".widget")) || box;
	box.replaceChildren(el("div", "text-muted", __("Loading...")));
	frappe
		.xcall("scheduler_integration.api.dashboard.setup_checklist")
		.then((data) => {
			if (data.complete) {
				widget.style.display = "none";
				return;
			}
			widget.style.display = "";
			const done = data.steps.filter((s) => s.state === "done").length;
			const title = el("div", "widget-title h6 sched-setup-title", __("Set up scheduling ({0} of {1} done)", [done, data.steps.length]));
			title.style.marginBottom = "var(--margin-sm)";
			const list = el("ol", "list-unstyled sched-setup-steps");
			list.style.margin = "0";
			const pills = { done: "green", todo: "gray", waiting: "gray", checking: "blue", failing: "red" };
			const words = { done: __("Done"), todo: __("To do"), waiting: __("Later"), checking: __("Checking"), failing: __("Needs attention") };
			for (const step of data.steps) {
				const item = el("li", "sched-setup-step");
				item.dataset.step = step.key;
				item.dataset.state = step.state;
				item.style.cssText = "display:flex;gap:12px;align-items:baseline;padding:6px 0;border-bottom:1px solid var(--border-color)";
				const text = el("div", "sched-setup-text");
				text.style.flex = "1";
				const name = step.route && step.state !== "done" && step.state !== "waiting" ? el("a", "sched-setup-link", step.label) : el("strong", "", step.label);
				if (name.tagName === "A") {
					name.href = step.route;
					name.style.cssText = "font-weight:600;text-decoration:underline;color:var(--text-color)";
					// inside the block's shadow root the desk's router does not see the click
					name.addEventListener("click", (event) => {
						if (event.ctrlKey || event.metaKey || event.shiftKey) return;
						event.preventDefault();
						frappe.router.push_state(step.route);
					});
				}
				if (step.key === data.next) name.classList.add("bold");
				text.append(name, el("div", "text-muted small", step.hint));
				if (step.key === "share_link" && data.booking_url && step.state === "todo") {
					const copy = el("button", "btn btn-xs btn-default sched-setup-copy", __("Copy Booking Link"));
					copy.type = "button";
					copy.addEventListener("click", () => {
						frappe.utils.copy_to_clipboard(data.booking_url);
						scheduler_integration.link_copied().then(() => scheduler_integration.render_setup_checklist(box));
					});
					text.append(copy);
				}
				item.append(text, el("span", `indicator-pill ${pills[step.state] || "gray"} sched-setup-state`, words[step.state] || step.state));
				list.append(item);
			}
			box.replaceChildren(title, list);
		})
		.catch(() => box.replaceChildren(el("p", "text-muted", __("Could not load your set-up steps."))));
};

// The profile form's "Calendar and Video Connections": each of the host's connections with
// its status (SchedulerProfile.onload), and a button that adds one for this host.
scheduler_integration.render_profile_connections = function (frm) {
	const field = frm.get_field("connections_html");
	if (!field || frm.is_new()) return;
	const rows = (frm.doc.__onload && frm.doc.__onload.connections) || [];
	const esc = frappe.utils.escape_html;
	const pills = { Connected: "green", "Not Synced": "blue", "Needs Reconnect": "orange", Error: "red" };
	const items = rows.map((row) => {
		const status = row.enabled ? row.status : __("Disabled");
		const pill = row.enabled ? pills[row.status] || "gray" : "gray";
		const error = row.last_error && row.enabled && row.status !== "Connected" ? `<div class="text-muted small">${esc(row.last_error)}</div>` : "";
		return `<li class="sched-connection" style="display:flex;gap:12px;align-items:baseline;padding:6px 0;border-bottom:1px solid var(--border-color)">
			<a href="/app/scheduler-calendar-connection/${encodeURIComponent(row.name)}">${esc(__(row.provider))}</a>
			<span class="text-muted small">${esc(row.calendar ? __("Calendar") : __("Video"))}</span>
			<span class="indicator-pill ${pill}" style="margin-left:auto">${esc(__(status))}</span>${error}</li>`;
	});
	const empty = `<p class="text-muted sched-no-connection">${esc(__("No calendar connected yet: guests may be offered times when you are busy elsewhere."))}</p>`;
	field.$wrapper.html(`<div class="sched-connections">${rows.length ? `<ul class="list-unstyled">${items.join("")}</ul>` : empty}
		<button type="button" class="btn btn-xs btn-default sched-add-connection">${esc(__("Add a Connection"))}</button></div>`);
	field.$wrapper.find(".sched-add-connection").on("click", () => {
		frappe.new_doc("Scheduler Calendar Connection", { host: frm.doc.user });
	});
};
