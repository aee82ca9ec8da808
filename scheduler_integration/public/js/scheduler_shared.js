// What the desk and Frappe CRM's lead and deal pages share: hooks.app_include_js loads this
// file on every desk page (before scheduler_desk.js), and install.sync_crm_form_scripts puts
// it ahead of crm_scripts/schedule_meeting.js in the CRM Form Script it makes.

// The one client of the app's own API, which answers {success, data, message, errors}
// (api.utils; the desk's is scheduler_integration.api). ``method`` is dotted below
// scheduler_integration.api (``crm.free_times``); sent with ``csrfToken`` when there is one.
// The answer's data, or an Error with the answer's message and its {field: message}
// ``errors``.
async function schedulerRequest(method, args, post, csrfToken) {
	const headers = { Accept: "application/json" };
	if (csrfToken) headers["X-Frappe-CSRF-Token"] = csrfToken;
	let url = `/api/method/scheduler_integration.api.${method}`;
	const options = { method: post ? "POST" : "GET", headers, credentials: "same-origin" };
	if (post) {
		headers["Content-Type"] = "application/json";
		options.body = JSON.stringify(args || {});
	} else if (args) {
		url += "?" + new URLSearchParams(Object.entries(args).filter((entry) => entry[1] != null)).toString();
	}
	const response = await fetch(url, options);
	let body = {};
	try {
		const json = await response.json();
		body = json.message && typeof json.message === "object" ? json.message : json;
	} catch (e) {
		body = {};
	}
	if (!response.ok || !body.success) {
		// Frappe's own 429 (its rate limiter on some methods) carries no message of ours
		const fallback = response.status === 429 ? __("Too many requests: please wait a minute and try again.") : __("Something went wrong: please try again.");
		const error = new Error(body.message || body.error || fallback);
		error.errors = body.errors || {};
		throw error;
	}
	return body.data;
}

// An error of schedulerRequest in one line: its message, then what it says of each field.
function schedulerErrorText(error) {
	return [error.message, Object.values(error.errors || {}).join(" ")].filter(Boolean).join(" ");
}

// The first question of "Schedule Meeting", in the desk's dialog (schedule_meeting.js) and
// Frappe CRM's (crm_scripts/schedule_meeting.js): which of the rep's meeting types
// (api.crm.scheduling_options), and how: book a time now or send a personal link.
function scheduleMeetingFields(meetingTypes) {
	return [
		{
			fieldname: "meeting_type",
			fieldtype: "Select",
			label: __("Meeting Type"),
			reqd: 1,
			options: meetingTypes.map((t) => ({ label: __("{0} ({1} min)", [t.title, t.duration]), value: t.name })),
		},
		{
			fieldname: "mode",
			fieldtype: "Select",
			label: __("How"),
			reqd: 1,
			options: [
				{ label: __("Book a time now"), value: "book" },
				{ label: __("Send a personal booking link"), value: "link" },
			],
		},
	];
}
