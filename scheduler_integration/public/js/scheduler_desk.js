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

// ``path``: a page of this site ("/book/…"), or a whole URL (one on a custom domain)
scheduler_integration.add_link_buttons = function (frm, path) {
	if (frm.is_new() || !path) return;
	const url = /^https?:\/\//.test(path) ? path : frappe.urllib.get_base_url() + path;
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
// host's next meetings on their own clock (their profile's zone), each with the zone's name.
// Text goes in with textContent only.
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
			for (const row of rows) {
				const item = el("li", "sched-next-item");
				item.style.cssText = "display:flex;gap:12px;align-items:baseline;padding:6px 0;border-bottom:1px solid var(--border-color)";
				const time = el("strong", "sched-next-time", row.when || `${row.date} ${row.time}`);
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

// The app's own API (schedulerRequest, public/js/scheduler_shared.js): the data, or an Error whose
// ``errors`` are {field: message} (api.utils).
scheduler_integration.api = async function (method, args, post) {
	return schedulerRequest(method, args, post, frappe.csrf_token);
};

// The zone a host's new working hours start in: their profile's (one zone per host).
scheduler_integration.host_timezone = function (user) {
	return scheduler_integration
		.api("setup.host_zone", user && user !== frappe.session.user ? { user } : {})
		.then((data) => data.timezone)
		.catch(() => scheduler_integration.default_timezone());
};

// The browser's own zone when the server knows it (a new host's likely zone), else the user's.
scheduler_integration.browser_timezone = function (zones) {
	let zone = "";
	try {
		zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
	} catch (e) {
		zone = "";
	}
	return zone && (!zones || zones.includes(zone)) ? zone : scheduler_integration.default_timezone();
};

// Why the host's page offers no times, each with the button that fixes it (the checklist and
// the profile form). Text goes in with textContent only.
scheduler_integration.problems_box = function (problems) {
	const el = scheduler_integration.el;
	const box = el("div", "sched-page-problems");
	box.setAttribute("role", "alert");
	box.style.cssText = "border:1px solid var(--red-300, #f5b5b5);background:var(--red-50, #fff5f5);border-radius:var(--border-radius-md, 8px);padding:8px 12px;margin-bottom:var(--margin-sm)";
	box.append(el("strong", "sched-page-problems-title", __("Guests see no times on your booking page")));
	for (const problem of problems) {
		const row = el("div", "sched-page-problem");
		row.dataset.problem = problem.key;
		row.style.cssText = "display:flex;gap:12px;align-items:baseline;justify-content:space-between;padding-top:4px";
		row.append(el("span", "", problem.text));
		if (problem.route) {
			const fix = el("button", "btn btn-xs btn-default sched-page-fix", problem.fix);
			fix.type = "button";
			fix.addEventListener("click", () => frappe.router.push_state(problem.route));
			row.append(fix);
		}
		box.append(row);
	}
	return box;
};

// The checklist hidden by its host once everything was done (per user, this browser).
scheduler_integration.setup_hidden_key = () => `sched-setup-hidden:${frappe.session.user}`;

// The Scheduling workspace's set-up checklist (reporting/dashboard.setup_checklist): each
// step with its state and the form that does it, why the page offers no times (with the fix)
// and, before there is a profile, the quick set-up. Once every step is done it says so until
// its host hides it.
scheduler_integration.render_setup_checklist = function (box) {
	if (!box) return;
	const el = scheduler_integration.el;
	// the block draws in a shadow root: its widget is around the root's host
	const host = box.getRootNode().host;
	const widget = (host && host.closest(".widget")) || box;
	scheduler_integration.setup_box = box;
	if (!box.childElementCount) box.replaceChildren(el("div", "text-muted", __("Loading...")));
	frappe
		.xcall("scheduler_integration.api.dashboard.setup_checklist")
		.then((data) => {
			const hidden = localStorage.getItem(scheduler_integration.setup_hidden_key());
			if (data.complete && hidden) {
				widget.style.display = "none";
				return;
			}
			if (!data.complete) localStorage.removeItem(scheduler_integration.setup_hidden_key());
			widget.style.display = "";
			const done = data.steps.filter((s) => s.state === "done").length;
			const heading = data.complete ? __("Scheduling is set up ({0} of {1} done)", [done, data.steps.length]) : __("Set up scheduling ({0} of {1} done)", [done, data.steps.length]);
			const title = el("div", "widget-title h6 sched-setup-title", heading);
			title.style.marginBottom = "var(--margin-sm)";
			const parts = [title];
			if (!data.facts.has_profile) {
				const quick = el("div", "sched-quick-setup");
				quick.style.cssText = "display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin-bottom:var(--margin-sm)";
				const start = el("button", "btn btn-primary btn-sm sched-quick-setup-button", __("Set up your booking page"));
				start.type = "button";
				start.addEventListener("click", () => scheduler_integration.quick_setup(() => scheduler_integration.render_setup_checklist(box)));
				quick.append(start, el("span", "text-muted small", __("Your link, working hours and a first meeting type in one step; or follow the steps below.")));
				parts.push(quick);
			}
			if ((data.problems || []).length) parts.push(scheduler_integration.problems_box(data.problems));
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
				if (step.key === "share_link" && data.booking_url && step.state !== "waiting") {
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
			parts.push(list);
			if (data.complete) {
				const hide = el("button", "btn btn-xs btn-default sched-setup-hide", __("Hide"));
				hide.type = "button";
				hide.style.marginTop = "var(--margin-sm)";
				hide.addEventListener("click", () => {
					localStorage.setItem(scheduler_integration.setup_hidden_key(), "1");
					widget.style.display = "none";
				});
				parts.push(hide);
			}
			box.replaceChildren(...parts);
			// a calendar being checked: look again shortly, until its first sync is done
			clearTimeout(box.sched_timer);
			if (data.steps.some((s) => s.state === "checking")) {
				box.sched_timer = setTimeout(() => box.isConnected && scheduler_integration.render_setup_checklist(box), 5000);
			}
		})
		.catch(() => box.replaceChildren(el("p", "text-muted", __("Could not load your set-up steps."))));
};

// Every 30 minutes of the day, for the quick set-up's From / To.
scheduler_integration.half_hours = function (last) {
	const pad = (n) => String(n).padStart(2, "0");
	const out = [];
	for (let m = 0; m <= 24 * 60; m += 30) out.push(`${pad(Math.floor(m / 60))}:${pad(m % 60)}`);
	return last ? out.slice(1) : out.slice(0, -1);
};

// The quick set-up (api.setup.quick_setup): a new host's booking page in one step, prefilled
// with their name, a free link, the browser's zone, Monday to Friday 09:00-17:00 and a first
// 30-minute type; a calendar's secret iCal address may be pasted. Then the link to share.
scheduler_integration.quick_setup = async function (done) {
	let defaults;
	try {
		defaults = await scheduler_integration.api("setup.setup_defaults");
	} catch (e) {
		frappe.msgprint({ title: __("Set up your booking page"), message: frappe.utils.escape_html(e.message), indicator: "red" });
		return;
	}
	const zones = await frappe
		.xcall("frappe.core.doctype.user.user.get_timezones")
		.then((r) => (r && r.timezones) || [])
		.catch(() => []);
	const base = frappe.urllib.get_base_url() + "/book/";
	const weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
	const dialog = new frappe.ui.Dialog({
		title: __("Set up your booking page"),
		size: "large",
		fields: [
			{ fieldtype: "Data", fieldname: "display_name", label: __("Your name, as guests see it"), reqd: 1, default: defaults.display_name },
			{ fieldtype: "Data", fieldname: "slug", label: __("Your booking link"), reqd: 1, default: defaults.slug, description: __("Your page: {0}", [frappe.utils.escape_html(base + defaults.slug)]) },
			{ fieldtype: "Column Break", fieldname: "col_who" },
			{ fieldtype: "Autocomplete", fieldname: "timezone", label: __("Your time zone"), reqd: 1, options: zones, default: scheduler_integration.browser_timezone(zones.length ? zones : null) },
			{ fieldtype: "Section Break", fieldname: "hours_section", label: __("Working hours (when guests may book you)") },
			{
				fieldtype: "MultiCheck",
				fieldname: "days",
				label: __("Days"),
				columns: "8rem 4",
				sort_options: false,
				options: weekdays.map((day, i) => ({ label: __(day), value: day, checked: i < 5 })),
			},
			{ fieldtype: "Section Break", fieldname: "times_section" },
			{ fieldtype: "Select", fieldname: "from_time", label: __("From"), options: scheduler_integration.half_hours(false), default: "09:00" },
			{ fieldtype: "Column Break", fieldname: "col_hours" },
			{ fieldtype: "Select", fieldname: "to_time", label: __("To"), options: scheduler_integration.half_hours(true), default: "17:00" },
			{ fieldtype: "Section Break", fieldname: "type_section", label: __("Your first meeting type") },
			{ fieldtype: "Data", fieldname: "title", label: __("Title"), reqd: 1, default: __("{0}-minute meeting", [30]) },
			{ fieldtype: "Column Break", fieldname: "col_type" },
			{
				fieldtype: "Select",
				fieldname: "duration",
				label: __("Length (minutes)"),
				options: ["15", "30", "45", "60", "90", "120"],
				default: "30",
				onchange() {
					const title = dialog.get_value("title");
					if (!title || /^\d+-/.test(title)) dialog.set_value("title", __("{0}-minute meeting", [dialog.get_value("duration")]));
				},
			},
			{
				fieldtype: "Select",
				fieldname: "buffer_after",
				label: __("Free time after each meeting (minutes)"),
				options: ["0", "5", "10", "15", "30"],
				default: "15",
				description: __("Kept free after each meeting, so meetings never run back to back. Change it on the meeting type later."),
			},
			{ fieldtype: "Section Break", fieldname: "calendar_section", label: __("Your calendar (optional)") },
			{
				fieldtype: "Data",
				fieldname: "ics_url",
				label: __("Secret address in iCal format"),
				placeholder: "https://calendar.google.com/calendar/ical/…/basic.ics",
				description: __(
					"Times that are busy in this calendar are never offered. Google Calendar: Settings → your calendar → Integrate calendar → Secret address in iCal format. Outlook: Settings → Calendar → Shared calendars → Publish a calendar → ICS. Google, Microsoft 365 and CalDAV can also be connected later from the checklist."
				),
			},
		],
		primary_action_label: __("Create my booking page"),
		async primary_action(values) {
			dialog.$wrapper.find(".has-error").removeClass("has-error");
			dialog.get_primary_btn().prop("disabled", true);
			try {
				const made = await scheduler_integration.api(
					"setup.quick_setup",
					{
						display_name: values.display_name,
						slug: values.slug,
						timezone: values.timezone,
						days: values.days || [],
						from_time: values.from_time,
						to_time: values.to_time,
						title: values.title,
						duration: values.duration,
						buffer_after: values.buffer_after,
						ics_url: (values.ics_url || "").trim() || null,
					},
					true
				);
				dialog.hide();
				// the desk now shows times on the profile's clock (the User's zone followed it)
				if (frappe.boot.time_zone) frappe.boot.time_zone.user = made.timezone;
				scheduler_integration.show_booking_link(made.booking_url, done);
				if (done) done(made);
			} catch (e) {
				const lines = Object.entries(e.errors || {}).map(([field, text]) => {
					const control = dialog.fields_dict[field];
					if (control) control.$wrapper.addClass("has-error");
					return `<li>${frappe.utils.escape_html((control ? control.df.label + ": " : "") + text)}</li>`;
				});
				frappe.msgprint({ title: __("Set up your booking page"), message: `<p>${frappe.utils.escape_html(e.message)}</p>${lines.length ? `<ul>${lines.join("")}</ul>` : ""}`, indicator: "red" });
			} finally {
				dialog.get_primary_btn().prop("disabled", false);
			}
		},
	});
	// the typed text itself, and only the description redrawn: set_df_property refreshed the
	// whole control, which put back the value it had before the keystroke
	const slug = dialog.fields_dict.slug;
	slug.$input.on("input", () => {
		slug.set_description(__("Your page: {0}", [frappe.utils.escape_html(base + (slug.$input.val() || ""))]));
	});
	dialog.show();
	scheduler_integration.setup_dialog = dialog; // the open one (the browser test reads it)
	return dialog;
};

// The page is ready: its link, to copy (the checklist's last step) or open.
scheduler_integration.show_booking_link = function (url, done) {
	const esc = frappe.utils.escape_html;
	const dialog = new frappe.ui.Dialog({
		title: __("Your booking page is ready"),
		fields: [
			{
				fieldtype: "HTML",
				fieldname: "link",
				options: `<p>${esc(__("Share this link: guests pick a free time and book."))}</p>
					<p><a class="sched-ready-link" href="${esc(url)}" target="_blank" rel="noopener">${esc(url)}</a></p>`,
			},
		],
		primary_action_label: __("Copy Booking Link"),
		primary_action() {
			frappe.utils.copy_to_clipboard(url);
			scheduler_integration.link_copied().then(() => {
				dialog.hide();
				if (done) done();
			});
		},
		secondary_action_label: __("Open Booking Page"),
		secondary_action() {
			window.open(url, "_blank", "noopener");
		},
	});
	dialog.show();
	scheduler_integration.link_dialog = dialog;
	return dialog;
};

// A provider's or meeting location's mark, name and colour (rules/branding.py, carried by
// the boot: api/branding.py); null for a value without one.
scheduler_integration.brand = function (value) {
	const table = frappe.boot.scheduler_branding || {};
	const row = (table.brands || {})[value || ""];
	return row ? Object.assign({ src: table.icon_dir + row.icon }, row) : null;
};

// The mark as an image with its name as alt text. Its name is always written beside it as
// well: neither the mark nor its colour is the only signal.
scheduler_integration.brand_mark = function (value, size) {
	const row = scheduler_integration.brand(value);
	if (!row) return "";
	const esc = frappe.utils.escape_html;
	const px = size || 20;
	return `<img class="sched-mark" src="${esc(row.src)}" alt="${esc(__(row.label))}" width="${px}" height="${px}" style="flex:none;border-radius:4px">`;
};

// A Select of providers or locations (the connection's provider, the meeting type's
// location) shows the chosen one's mark inside it and its colour on the control's left edge;
// read-only, the mark goes before the value. Called again on every refresh and change:
// Frappe redraws a read-only value.
scheduler_integration.show_select_mark = function (frm, fieldname) {
	const field = frm.get_field(fieldname);
	if (!field || !field.$wrapper) return;
	field.$wrapper.find(".sched-select-mark").remove();
	const select = field.$wrapper.find("select");
	const row = scheduler_integration.brand(frm.doc[fieldname]);
	select.css({ "padding-left": row ? "36px" : "", "box-shadow": row ? `inset 4px 0 0 ${row.color}` : "" });
	if (!row) return;
	const mark = scheduler_integration.brand_mark(frm.doc[fieldname], 18);
	const input = select.closest(".control-input");
	if (input.length && input.is(":visible")) {
		input.css("position", "relative");
		input.prepend(`<span class="sched-select-mark" style="position:absolute;left:12px;top:50%;transform:translateY(-50%);display:flex;pointer-events:none;z-index:1">${mark}</span>`);
	} else {
		field.$wrapper
			.find(".control-value")
			.css({ display: "flex", "align-items": "center", gap: "8px" })
			.prepend(`<span class="sched-select-mark" style="display:flex">${mark}</span>`);
	}
};

// The profile form's "Calendar and Video Connections": each of the host's connections with
// its mark, name, colour and status (SchedulerProfile.onload), and a button that adds one for
// this host.
scheduler_integration.render_profile_connections = function (frm) {
	const field = frm.get_field("connections_html");
	if (!field || frm.is_new()) return;
	const rows = (frm.doc.__onload && frm.doc.__onload.connections) || [];
	const esc = frappe.utils.escape_html;
	const pills = { Connected: "green", "Not Synced": "blue", "Needs Reconnect": "orange", Error: "red" };
	const items = rows.map((row) => {
		const status = row.enabled ? row.status : __("Disabled");
		const pill = row.enabled ? pills[row.status] || "gray" : "gray";
		const error = row.last_error && row.enabled && row.status !== "Connected" ? `<div class="text-muted small" style="flex-basis:100%">${esc(row.last_error)}</div>` : "";
		const brand = scheduler_integration.brand(row.provider);
		const accent = brand ? `border-left:4px solid ${brand.color};padding-left:8px;` : "";
		return `<li class="sched-connection" style="display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;padding:6px 0;${accent}border-bottom:1px solid var(--border-color)">
			${scheduler_integration.brand_mark(row.provider, 20)}
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
