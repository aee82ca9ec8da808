// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

frappe.ui.form.on("Scheduler Availability", {
	setup(frm) {
		scheduler_integration.set_timezone_options(frm, "timezone");
		scheduler_integration.set_time_options(frm, "Scheduler Availability Rule");
		scheduler_integration.set_time_options(frm, "Scheduler Date Override");
	},
	onload(frm) {
		if (!frm.is_new()) return;
		// a new schedule starts filled in: a title, the host's profile zone (one zone per
		// host), Monday to Friday 09:00-17:00
		if (!frm.doc.title) frm.set_value("title", __("Working Hours"));
		if (!frm.doc.user) frm.set_value("user", frappe.session.user);
		if (!frm.doc.timezone) {
			scheduler_integration.host_timezone(frm.doc.user).then((zone) => {
				if (!frm.doc.timezone) frm.set_value("timezone", zone);
			});
		}
		if (!(frm.doc.weekly_rules || []).length) {
			["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"].forEach((weekday) =>
				frm.add_child("weekly_rules", { weekday, from_time: "09:00", to_time: "17:00" })
			);
			frm.refresh_field("weekly_rules");
		}
	},
	refresh(frm) {
		sched_availability_default_banner(frm);
		sched_hours_editor(frm);
	},
	weekly_rules_add(frm) {
		sched_hours_editor(frm);
	},
	weekly_rules_remove(frm) {
		sched_hours_editor(frm);
	},
});

frappe.ui.form.on("Scheduler Availability Rule", {
	weekday: (frm) => sched_hours_editor(frm),
	from_time: (frm) => sched_hours_editor(frm),
	to_time: (frm) => sched_hours_editor(frm),
});

// The weekly hours as a person sets them: each day on or off with its time ranges, a range
// added or removed, one day's hours copied to others. It writes the Weekly Hours table (the
// server checks the rows as always); the table stays below for whoever prefers it.
function sched_hours_editor(frm) {
	const field = frm.get_field("hours_editor");
	if (!field) return;
	const el = scheduler_integration.el;
	const days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
	const pad = (n) => String(n).padStart(2, "0");
	const times = [];
	for (let m = 0; m <= 24 * 60; m += 15) times.push(`${pad(Math.floor(m / 60))}:${pad(m % 60)}`);
	const read = () => {
		const byDay = Object.fromEntries(days.map((d) => [d, []]));
		for (const row of frm.doc.weekly_rules || []) {
			if (byDay[row.weekday]) byDay[row.weekday].push([String(row.from_time || "").slice(0, 5), String(row.to_time || "").slice(0, 5)]);
		}
		days.forEach((d) => byDay[d].sort());
		return byDay;
	};
	const write = (byDay) => {
		frm.clear_table("weekly_rules");
		for (const day of days) {
			for (const [from_time, to_time] of byDay[day]) frm.add_child("weekly_rules", { weekday: day, from_time, to_time });
		}
		frm.refresh_field("weekly_rules");
		frm.dirty();
		draw(byDay);
	};
	const select = (value, options, onchange, label) => {
		const box = el("select", "form-control input-xs sched-hours-time");
		box.setAttribute("aria-label", label);
		box.style.cssText = "width:auto;display:inline-block";
		const list = options.includes(value) ? options : [value, ...options].sort();
		for (const option of list) {
			const item = el("option", "", option);
			item.value = option;
			if (option === value) item.selected = true;
			box.append(item);
		}
		box.disabled = !frm.perm?.[0]?.write && !frm.is_new();
		box.addEventListener("change", () => onchange(box.value));
		return box;
	};
	const draw = (byDay) => {
		const table = el("div", "sched-hours-editor");
		table.setAttribute("role", "group");
		table.setAttribute("aria-label", __("Weekly hours"));
		for (const day of days) {
			const row = el("div", "sched-hours-day");
			row.dataset.day = day;
			row.style.cssText = "display:flex;gap:12px;align-items:flex-start;padding:6px 0;border-bottom:1px solid var(--border-color)";
			const toggle = el("label", "sched-hours-toggle");
			toggle.style.cssText = "min-width:130px;margin:0;display:flex;gap:6px;align-items:center";
			const check = el("input");
			check.type = "checkbox";
			check.checked = byDay[day].length > 0;
			check.addEventListener("change", () => {
				byDay[day] = check.checked ? [["09:00", "17:00"]] : [];
				write(byDay);
			});
			toggle.append(check, el("span", "", __(day)));
			const ranges = el("div", "sched-hours-ranges");
			ranges.style.flex = "1";
			if (!byDay[day].length) ranges.append(el("span", "text-muted", __("Unavailable")));
			byDay[day].forEach(([from, to], i) => {
				const line = el("div", "sched-hours-range");
				line.style.cssText = "display:flex;gap:6px;align-items:center;margin-bottom:4px";
				const change = (k) => (value) => {
					byDay[day][i][k] = value;
					write(byDay);
				};
				const remove = el("button", "btn btn-xs btn-default sched-hours-remove", "×");
				remove.type = "button";
				remove.setAttribute("aria-label", __("Remove this range"));
				remove.addEventListener("click", () => {
					byDay[day].splice(i, 1);
					write(byDay);
				});
				line.append(select(from, times.slice(0, -1), change(0), __("From")), el("span", "", "–"), select(to, times.slice(1), change(1), __("To")), remove);
				ranges.append(line);
			});
			const actions = el("div", "sched-hours-actions");
			actions.style.cssText = "display:flex;gap:6px";
			const add = el("button", "btn btn-xs btn-default sched-hours-add", __("Add a Range"));
			add.type = "button";
			add.addEventListener("click", () => {
				const last = byDay[day][byDay[day].length - 1];
				const start = last ? last[1] : "09:00";
				const at = Math.min(times.indexOf(start) + 4, times.length - 1);
				byDay[day].push([start === "24:00" ? "23:00" : start, start === "24:00" ? "24:00" : times[at]]);
				write(byDay);
			});
			const copy = el("button", "btn btn-xs btn-default sched-hours-copy", __("Copy to…"));
			copy.type = "button";
			copy.disabled = !byDay[day].length;
			copy.addEventListener("click", () => sched_hours_copy(frm, day, byDay, write));
			actions.append(add, copy);
			row.append(toggle, ranges, actions);
			table.append(row);
		}
		field.$wrapper.empty().append(table);
	};
	draw(read());
}

// Copy one day's ranges to the days ticked in a small dialog.
function sched_hours_copy(frm, day, byDay, write) {
	const others = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"].filter((d) => d !== day);
	const dialog = new frappe.ui.Dialog({
		title: __("Copy {0}'s hours to", [__(day)]),
		fields: [{ fieldtype: "MultiCheck", fieldname: "days", options: others.map((d) => ({ label: __(d), value: d })) }],
		primary_action_label: __("Copy"),
		primary_action(values) {
			for (const target of values.days || []) byDay[target] = byDay[day].map((range) => [...range]);
			write(byDay);
			dialog.hide();
		},
	});
	dialog.show();
	frm.sched_copy_dialog = dialog;
}

// Hours that are not the profile's offer nothing on the booking page: say so, and make
// them the profile's in one click (api.setup.use_hours).
function sched_availability_default_banner(frm) {
	frm.set_intro();
	const profile = frm.doc.__onload && frm.doc.__onload.profile;
	if (frm.is_new() || !profile) return;
	if (profile.is_default) {
		frm.set_intro(__("These are the working hours of your booking page."), "green");
		return;
	}
	frm.set_intro(__("Your booking page uses other working hours: guests are not offered these."), "orange");
	frm.add_custom_button(__("Use as My Working Hours"), () => {
		scheduler_integration
			.api("setup.use_hours", { availability: frm.doc.name }, true)
			.then(() => {
				frappe.show_alert({ message: __("Your booking page now uses these hours"), indicator: "green" });
				frm.reload_doc();
			})
			.catch((e) => frappe.msgprint({ message: frappe.utils.escape_html(e.message), indicator: "red" }));
	}).addClass("btn-primary");
}
