// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

// A repeat builder that writes the RRULE text (RFC 5545) of the Repeat field; the server
// checks the rule (engine/recurrence.py), and the raw text stays editable for anything else.
const SCHED_DAYS = [
	["MO", "Monday"],
	["TU", "Tuesday"],
	["WE", "Wednesday"],
	["TH", "Thursday"],
	["FR", "Friday"],
	["SA", "Saturday"],
	["SU", "Sunday"],
];
const SCHED_FREQ = { Daily: "DAILY", Weekly: "WEEKLY", Monthly: "MONTHLY", Yearly: "YEARLY" };

function sched_parse_rrule(text) {
	const parts = {};
	(text || "").replace(/^RRULE:/i, "").split(";").forEach((pair) => {
		const [key, value] = pair.split("=");
		if (key && value) parts[key.trim().toUpperCase()] = value.trim().toUpperCase();
	});
	return parts;
}

function sched_build_rrule(v) {
	const out = [`FREQ=${SCHED_FREQ[v.frequency] || "WEEKLY"}`];
	if (cint(v.interval) > 1) out.push(`INTERVAL=${cint(v.interval)}`);
	if (v.frequency === "Weekly") {
		const days = SCHED_DAYS.filter(([code]) => v["day_" + code]).map(([code]) => code);
		if (days.length) out.push(`BYDAY=${days.join(",")}`);
	}
	if (v.ends === "On Date" && v.until) out.push(`UNTIL=${v.until.replace(/-/g, "")}`);
	if (v.ends === "After" && cint(v.count) > 0) out.push(`COUNT=${cint(v.count)}`);
	return out.join(";");
}

function sched_describe_rrule(text) {
	if (!text) return __("Does not repeat");
	const p = sched_parse_rrule(text);
	const every = cint(p.INTERVAL || 1);
	const unit = { DAILY: __("day(s)"), WEEKLY: __("week(s)"), MONTHLY: __("month(s)"), YEARLY: __("year(s)") }[p.FREQ] || p.FREQ;
	let out = __("Every {0} {1}", [every, unit]);
	if (p.BYDAY) {
		const names = Object.fromEntries(SCHED_DAYS.map(([code, name]) => [code, __(name)]));
		const days = p.BYDAY.split(",").map((d) => names[d] || d);
		out += " " + __("on {0}", [days.join(", ")]);
	}
	if (p.COUNT) out += ", " + __("{0} times", [p.COUNT]);
	if (p.UNTIL) out += ", " + __("until {0}", [frappe.datetime.str_to_user(`${p.UNTIL.slice(0, 4)}-${p.UNTIL.slice(4, 6)}-${p.UNTIL.slice(6, 8)}`)]);
	return out;
}

function sched_repeat_dialog(frm) {
	const p = sched_parse_rrule(frm.doc.rrule);
	const freq = Object.keys(SCHED_FREQ).find((k) => SCHED_FREQ[k] === p.FREQ) || "Weekly";
	const days = (p.BYDAY || "").split(",");
	const fields = [
		{ fieldtype: "Select", fieldname: "frequency", label: __("Repeats"), options: Object.keys(SCHED_FREQ).map((value) => ({ value, label: __(value) })), default: freq, reqd: 1 },
		{ fieldtype: "Int", fieldname: "interval", label: __("Every"), default: cint(p.INTERVAL || 1), description: __("1 = every time, 2 = every other, …") },
		{ fieldtype: "Section Break", label: __("On"), depends_on: "eval:doc.frequency=='Weekly'" },
		...SCHED_DAYS.flatMap(([code, name], i) => [
			{ fieldtype: "Check", fieldname: "day_" + code, label: __(name), default: days.includes(code) ? 1 : 0 },
			i === 3 ? { fieldtype: "Column Break" } : null,
		]).filter(Boolean),
		{ fieldtype: "Section Break" },
		{ fieldtype: "Select", fieldname: "ends", label: __("Ends"), options: [{ value: "Never", label: __("Never") }, { value: "On Date", label: __("On Date") }, { value: "After", label: __("After a number of times") }], default: p.UNTIL ? "On Date" : p.COUNT ? "After" : "Never" },
		{ fieldtype: "Date", fieldname: "until", label: __("Until"), depends_on: "eval:doc.ends=='On Date'", default: p.UNTIL ? `${p.UNTIL.slice(0, 4)}-${p.UNTIL.slice(4, 6)}-${p.UNTIL.slice(6, 8)}` : null },
		{ fieldtype: "Int", fieldname: "count", label: __("Times"), depends_on: "eval:doc.ends=='After'", default: cint(p.COUNT || 10) },
	];
	const dialog = new frappe.ui.Dialog({
		title: __("Repeat"),
		fields,
		primary_action_label: __("Set Repeat"),
		primary_action(values) {
			frm.set_value("rrule", sched_build_rrule(values));
			dialog.hide();
		},
		secondary_action_label: __("Does not repeat"),
		secondary_action() {
			frm.set_value("rrule", "");
			dialog.hide();
		},
	});
	dialog.show();
	frm.sched_repeat_dialog = dialog; // the open builder (the browser test fills it in)
	return dialog;
}

frappe.ui.form.on("Scheduler Blocked Time", {
	onload(frm) {
		if (frm.is_new() && !frm.doc.user) frm.set_value("user", frappe.session.user);
	},
	refresh(frm) {
		frm.add_custom_button(__("Repeat…"), () => sched_repeat_dialog(frm));
		frm.set_df_property("rrule", "description", frappe.utils.escape_html(sched_describe_rrule(frm.doc.rrule)));
	},
	rrule(frm) {
		frm.set_df_property("rrule", "description", frappe.utils.escape_html(sched_describe_rrule(frm.doc.rrule)));
	},
});
