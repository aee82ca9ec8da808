// Public booking page: month view, time slots in the booker's time zone, the booking form,
// confirmation, and the manage page (cancel / reschedule). No framework; every piece of
// text from the server is inserted with textContent, never as HTML.
(function () {
	"use strict";
	const t = (s, args) => {
		const text = typeof window.__ === "function" ? window.__(s) : s;
		return args ? text.replace(/\{(\d+)\}/g, (m, i) => (args[i] !== undefined ? args[i] : m)) : text;
	};
	const root = document.getElementById("sched-app");
	const dataEl = document.getElementById("sched-data");
	if (!root || !dataEl) return;
	const page = JSON.parse(dataEl.textContent);
	const API = "/api/method/scheduler_integration.api.public.";
	const state = {
		zone: detectZone(),
		month: null,
		days: {},
		date: null,
		slot: null,
		key: newKey(),
		busy: false,
	};

	function detectZone() {
		try {
			return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
		} catch (e) {
			return "UTC";
		}
	}
	function newKey() {
		const bytes = new Uint8Array(16);
		(window.crypto || window.msCrypto).getRandomValues(bytes);
		return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
	}
	function el(tag, attrs, ...children) {
		const node = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === null || v === undefined || v === false) continue;
			if (k === "class") node.className = v;
			else if (k === "text") node.textContent = v;
			else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
			else node.setAttribute(k, v === true ? "" : v);
		}
		for (const child of children.flat()) {
			if (child === null || child === undefined || child === false) continue;
			node.append(child instanceof Node ? child : document.createTextNode(String(child)));
		}
		return node;
	}
	function clear(node) {
		while (node.firstChild) node.removeChild(node.firstChild);
		return node;
	}
	// The site may ask for a small proof of work before a booking (Scheduler Settings):
	// find a nonce whose SHA-256 with the challenge starts with `bits` zero bits.
	async function solveChallenge() {
		const res = await call("get_challenge", {}, false);
		const data = (res.body && res.body.data) || {};
		if (!data.bits || !window.crypto || !crypto.subtle) return {};
		const encoder = new TextEncoder();
		for (let n = 0; n < 1 << 26; n++) {
			const nonce = n.toString(16);
			const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(data.challenge + ":" + nonce)));
			let bits = 0;
			for (const byte of digest) {
				if (byte === 0) { bits += 8; continue; }
				bits += Math.clz32(byte) - 24;
				break;
			}
			if (bits >= data.bits) return { challenge: data.challenge, nonce };
		}
		return {};
	}
	async function call(method, params, post) {
		const headers = { Accept: "application/json" };
		let url = API + method;
		const options = { method: post ? "POST" : "GET", headers, credentials: "same-origin" };
		if (post) {
			headers["Content-Type"] = "application/json";
			if (window.frappe && frappe.csrf_token && frappe.csrf_token !== "{{ csrf_token }}") {
				headers["X-Frappe-CSRF-Token"] = frappe.csrf_token;
			}
			options.body = JSON.stringify(params);
		} else {
			url += "?" + new URLSearchParams(params).toString();
		}
		let response;
		try {
			response = await fetch(url, options);
		} catch (e) {
			return { status: 0, body: { success: false, message: t("Network error: please try again.") } };
		}
		let body = {};
		try {
			const json = await response.json();
			body = json.message && typeof json.message === "object" ? json.message : json;
			if (response.status === 429 || (!body.message && json.exception)) {
				body = { success: false, message: t("Too many requests: please wait a minute and try again.") };
			}
		} catch (e) {
			body = { success: false, message: t("Something went wrong: please try again.") };
		}
		return { status: response.status, body };
	}
	// funnel tracking: one random id per browser tab session, steps sent fire-and-forget
	function sessionId() {
		try {
			let id = sessionStorage.getItem("sched-session");
			if (!id) sessionStorage.setItem("sched-session", (id = newKey()));
			return id;
		} catch (e) {
			return state.key;
		}
	}
	function track(step, extra) {
		if (page.mode !== "book") return;
		const params = new URLSearchParams(window.location.search);
		const body = Object.assign({
			step,
			session_id: sessionId(),
			profile: page.profile.slug,
			meeting_type: page.meeting_type.slug,
			ref: params.get("ref") || undefined,
			referrer: document.referrer || undefined,
			utm_source: params.get("utm_source") || undefined,
			utm_medium: params.get("utm_medium") || undefined,
			utm_campaign: params.get("utm_campaign") || undefined,
		}, extra || {});
		const headers = { "Content-Type": "application/json", Accept: "application/json" };
		if (window.frappe && frappe.csrf_token && frappe.csrf_token !== "{{ csrf_token }}") headers["X-Frappe-CSRF-Token"] = frappe.csrf_token;
		try {
			fetch("/api/method/scheduler_integration.api.tracking.track_step", { method: "POST", headers, body: JSON.stringify(body), keepalive: true, credentials: "same-origin" }).catch(() => {});
		} catch (e) {
			/* tracking never breaks booking */
		}
	}
	function fmtDate(iso, opts) {
		return new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: state.zone }, opts)).format(new Date(iso));
	}
	function zoneOptions() {
		let zones = [];
		try {
			zones = Intl.supportedValuesOf("timeZone");
		} catch (e) {
			zones = [];
		}
		if (!zones.includes(state.zone)) zones.unshift(state.zone);
		if (!zones.includes("UTC")) zones.push("UTC");
		return zones;
	}
	function monthStart(date) {
		return { y: date.y, m: date.m };
	}
	function ymd(y, m, d) {
		return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
	}
	function todayInZone() {
		const parts = new Intl.DateTimeFormat("en-CA", { timeZone: state.zone, year: "numeric", month: "2-digit", day: "2-digit" })
			.format(new Date())
			.split("-");
		return { y: +parts[0], m: +parts[1], d: +parts[2] };
	}

	// --- slot picking ---------------------------------------------------------------------
	async function loadMonth() {
		const { y, m } = state.month;
		const next = m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 };
		state.days = {};
		renderPicker(true);
		const res = await call("get_slots", {
			profile: page.profile.slug,
			meeting_type: page.meeting_type.slug,
			start: ymd(y, m, 1),
			end: ymd(next.y, next.m, 1),
			timezone: state.zone,
		});
		if (res.body.success) {
			for (const day of res.body.data.days) state.days[day.date] = day.slots;
			if (!state.date || !state.days[state.date]) state.date = Object.keys(state.days)[0] || null;
			renderPicker(false);
		} else {
			renderPicker(false, res.body.message || t("Could not load available times."));
		}
	}

	function renderPicker(loading, error) {
		const box = clear(document.getElementById("sched-picker"));
		const { y, m } = state.month;
		const title = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, 1)));
		const today = todayInZone();
		const prevDisabled = y < today.y || (y === today.y && m <= today.m);
		const nav = el(
			"div",
			{ class: "sched-month-nav" },
			el("button", { type: "button", class: "sched-icon", "aria-label": t("Previous month"), disabled: prevDisabled, onclick: () => shiftMonth(-1) }, "‹"),
			el("h2", { id: "sched-month-title", text: title }),
			el("button", { type: "button", class: "sched-icon", "aria-label": t("Next month"), onclick: () => shiftMonth(1) }, "›")
		);
		const grid = el("div", { class: "sched-grid", role: "grid", "aria-labelledby": "sched-month-title" });
		const weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", timeZone: "UTC" });
		for (let i = 0; i < 7; i++) grid.append(el("div", { class: "sched-dow", "aria-hidden": "true", text: weekdayFmt.format(new Date(Date.UTC(2024, 0, 1 + i))) }));
		const first = new Date(Date.UTC(y, m - 1, 1)).getUTCDay();
		const offset = (first + 6) % 7; // weeks start on Monday
		const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
		for (let i = 0; i < offset; i++) grid.append(el("div", { class: "sched-pad" }));
		for (let d = 1; d <= daysInMonth; d++) {
			const key = ymd(y, m, d);
			const has = !!state.days[key];
			grid.append(
				el(
					"button",
					{
						type: "button",
						class: "sched-day" + (has ? " has" : "") + (key === state.date ? " selected" : ""),
						disabled: !has,
						"aria-pressed": key === state.date ? "true" : "false",
						"aria-label": fmtDay(key) + (has ? "" : " — " + t("no times")),
						onclick: () => {
							state.date = key;
							renderPicker(false);
							const first = document.querySelector(".sched-slot");
							if (first) first.focus();
						},
					},
					String(d)
				)
			);
		}
		const zoneSelect = el("select", { id: "sched-zone", onchange: (e) => { state.zone = e.target.value; state.date = null; loadMonth(); } });
		for (const zone of zoneOptions()) zoneSelect.append(el("option", { value: zone, selected: zone === state.zone }, zone.replace(/_/g, " ")));
		const times = el("div", { class: "sched-times" });
		if (loading) times.append(el("p", { class: "sched-muted", text: t("Loading available times…") }));
		else if (error) times.append(el("p", { class: "sched-error", role: "alert", text: error }));
		else if (!state.date) times.append(el("p", { class: "sched-muted", text: t("No times available this month. Try the next month.") }));
		else {
			times.append(el("h3", { text: fmtDay(state.date) }));
			const list = el("div", { class: "sched-slot-list" });
			for (const slot of state.days[state.date]) {
				list.append(el("button", { type: "button", class: "sched-slot", onclick: () => pickSlot(slot) }, fmtDate(slot.start, { hour: "numeric", minute: "2-digit" })));
			}
			times.append(list);
		}
		box.append(
			el("div", { class: "sched-zone" }, el("label", { for: "sched-zone", text: t("Time zone") }), zoneSelect),
			el("div", { class: "sched-cal" }, nav, grid),
			times
		);
	}
	function fmtDay(key) {
		const [y, m, d] = key.split("-").map(Number);
		return new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
	}
	function shiftMonth(delta) {
		let { y, m } = state.month;
		m += delta;
		if (m < 1) { m = 12; y -= 1; }
		if (m > 12) { m = 1; y += 1; }
		state.month = { y, m };
		state.date = null;
		loadMonth();
	}
	function startPicker(onPick) {
		state.onPick = onPick;
		const today = todayInZone();
		state.month = monthStart(today);
		root.append(el("section", { id: "sched-picker", class: "sched-picker" }));
		loadMonth();
	}
	function pickSlot(slot) {
		state.slot = slot;
		track("slot_selected");
		state.onPick(slot);
	}

	// --- booking form ------------------------------------------------------------------------
	function field(name, label, input, hint) {
		input.id = "sched-f-" + name.replace(/\W/g, "_");
		input.name = name;
		return el(
			"div",
			{ class: "sched-field", "data-field": name },
			el("label", { for: input.id, text: label }),
			input,
			hint ? el("small", { class: "sched-muted", text: hint }) : null,
			el("div", { class: "sched-error", id: input.id + "-error", role: "alert" })
		);
	}
	function renderForm(slot) {
		const section = clear(root);
		const when = fmtDate(slot.start, { weekday: "long", day: "numeric", month: "long", hour: "numeric", minute: "2-digit" });
		const back = el("button", { type: "button", class: "sched-link", onclick: () => { clear(root); startPicker(renderForm); } }, t("← Pick another time"));
		const form = el("form", { class: "sched-form", novalidate: true });
		form.append(
			el("p", { class: "sched-when" }, el("strong", { text: when }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
			field("name", t("Your name") + " *", el("input", { type: "text", autocomplete: "name", required: true, maxlength: "140" })),
			field("email", t("Email") + " *", el("input", { type: "email", autocomplete: "email", required: true, maxlength: "254" })),
			field("phone", t("Phone"), el("input", { type: "tel", autocomplete: "tel", maxlength: "40" })),
			field("company", t("Company"), el("input", { type: "text", autocomplete: "organization", maxlength: "140" })),
			field("notes", t("What would you like to discuss?"), el("textarea", { rows: "4", maxlength: "5000" }))
		);
		(page.meeting_type.questions || []).forEach((q, i) => {
			let input;
			const label = q.label + (q.required ? " *" : "");
			if (q.fieldtype === "Select") {
				input = el("select", { required: q.required }, el("option", { value: "" }, t("Choose…")), q.options.map((o) => el("option", { value: o }, o)));
			} else if (q.fieldtype === "Check") {
				input = el("input", { type: "checkbox" });
			} else if (q.fieldtype === "Text") {
				input = el("textarea", { rows: "3", maxlength: "2000", required: q.required });
			} else {
				input = el("input", { type: "text", maxlength: "2000", required: q.required });
			}
			input.dataset.question = q.label;
			form.append(field("answers." + i, label, input));
		});
		// honeypot: hidden from people and assistive tech, filled by naive bots
		form.append(el("div", { class: "sched-hp", "aria-hidden": "true" }, el("label", { for: "sched-website" }, "Website"), el("input", { id: "sched-website", name: "website", type: "text", tabindex: "-1", autocomplete: "off" })));
		const submit = el("button", { type: "submit", class: "sched-primary" }, page.meeting_type.requires_confirmation ? t("Request Meeting") : t("Book Meeting"));
		const status = el("div", { class: "sched-error sched-form-error", role: "alert" });
		form.append(status, submit);
		form.addEventListener("submit", async (event) => {
			event.preventDefault();
			if (state.busy) return; // a double click sends one request; retries reuse the key
			state.busy = true;
			submit.disabled = true;
			submit.textContent = t("Booking…");
			form.querySelectorAll(".sched-error").forEach((e) => (e.textContent = ""));
			const answers = {};
			form.querySelectorAll("[data-question]").forEach((input) => {
				answers[input.dataset.question] = input.type === "checkbox" ? input.checked : input.value;
			});
			const value = (n) => (form.elements[n] ? form.elements[n].value : "");
			const params = new URLSearchParams(window.location.search);
			track("form_submitted");
			const proof = await solveChallenge();
			const res = await call(
				"book",
				{
					profile: page.profile.slug,
					meeting_type: page.meeting_type.slug,
					start: slot.start,
					name: value("name"),
					email: value("email"),
					phone: value("phone"),
					company: value("company"),
					notes: value("notes"),
					timezone: state.zone,
					answers,
					website: value("website"),
					idempotency_key: state.key,
					utm_source: params.get("utm_source") || undefined,
					utm_medium: params.get("utm_medium") || undefined,
					utm_campaign: params.get("utm_campaign") || undefined,
					ref: params.get("ref") || undefined,
					challenge: proof.challenge,
					nonce: proof.nonce,
				},
				true
			);
			state.busy = false;
			submit.disabled = false;
			submit.textContent = page.meeting_type.requires_confirmation ? t("Request Meeting") : t("Book Meeting");
			if (res.body.success) {
				if (res.body.data.manage_url) track("meeting_booked", { token: res.body.data.manage_url.split("/").pop() });
				return renderConfirmation(res.body.data);
			}
			if (res.status === 409) return renderTaken(res.body);
			const errors = res.body.errors || {};
			let firstBad = null;
			for (const [name, message] of Object.entries(errors)) {
				const box = form.querySelector(`[data-field="${CSS.escape(name)}"] .sched-error`);
				if (box) {
					box.textContent = message;
					firstBad = firstBad || form.querySelector(`[data-field="${CSS.escape(name)}"] input, [data-field="${CSS.escape(name)}"] textarea, [data-field="${CSS.escape(name)}"] select`);
				}
			}
			status.textContent = res.body.message || t("Something went wrong: please try again.");
			if (firstBad) firstBad.focus();
		});
		section.append(back, form);
		form.elements.name.focus();
	}
	function renderTaken(body) {
		const section = clear(root);
		section.append(el("p", { class: "sched-error", role: "alert", text: body.message || t("This time was just taken.") }));
		if ((body.alternatives || []).length) {
			section.append(el("h3", { text: t("Nearest available times") }));
			const list = el("div", { class: "sched-slot-list" });
			for (const slot of body.alternatives) {
				list.append(el("button", { type: "button", class: "sched-slot", onclick: () => state.onPick(slot) }, fmtDate(slot.start, { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" })));
			}
			section.append(list);
		}
		section.append(el("button", { type: "button", class: "sched-link", onclick: () => { clear(root); startPicker(state.onPick); } }, t("See all times")));
		state.key = newKey();
	}
	function renderConfirmation(b) {
		const section = clear(root);
		const when = fmtDate(b.start, { weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "numeric", minute: "2-digit" });
		section.append(
			el("div", { class: "sched-confirm", tabindex: "-1", id: "sched-confirm" },
				el("h2", { text: b.status === "Pending" ? t("Request sent") : t("You are booked") }),
				el("p", { class: "sched-when" }, el("strong", { id: "sched-confirm-time", text: when }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
				el("p", { text: b.meeting_type + " · " + t("with {0}", [b.host_name]) }),
				b.status === "Pending" ? el("p", { class: "sched-muted", text: t("The host will confirm this time; you will get an email either way.") }) : null,
				b.location ? el("p", { text: t("Location") + ": " + b.location }) : null,
				b.confirmation_message ? el("p", { class: "sched-message", text: b.confirmation_message }) : null,
				el("p", {},
					b.ics_url ? el("a", { class: "sched-button", href: b.ics_url, download: "meeting.ics" }, t("Add to calendar (.ics)")) : null,
					" ",
					b.manage_url ? el("a", { class: "sched-button", id: "sched-manage-link", href: b.manage_url }, t("Reschedule or cancel")) : null
				)
			)
		);
		document.getElementById("sched-confirm").focus();
	}

	// --- manage page --------------------------------------------------------------------------
	function renderManage(b, notice) {
		const section = clear(root);
		const when = fmtDate(b.start, { weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "numeric", minute: "2-digit" });
		section.append(
			notice ? el("p", { class: "sched-notice", role: "status", text: notice }) : null,
			el("p", { class: "sched-when" }, el("strong", { id: "sched-manage-time", text: when }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
			el("p", {}, el("span", { class: "sched-badge", id: "sched-status", text: t(b.status) })),
			b.location ? el("p", { text: t("Location") + ": " + b.location }) : null
		);
		if (b.ics_url && (b.status === "Confirmed" || b.status === "Pending")) {
			section.append(el("p", {}, el("a", { class: "sched-button", href: b.ics_url, download: "meeting.ics" }, t("Add to calendar (.ics)"))));
		}
		if (!b.can_cancel) return;
		const reason = el("textarea", { id: "sched-cancel-reason", rows: "3", maxlength: "1000" });
		const error = el("div", { class: "sched-error", role: "alert" });
		const cancelForm = el(
			"form",
			{ class: "sched-form", onsubmit: async (e) => {
				e.preventDefault();
				const res = await call("cancel", { token: page.token, reason: reason.value }, true);
				if (res.body.success) renderManage(Object.assign(b, res.body.data, { can_cancel: false }), t("Your booking is cancelled."));
				else error.textContent = res.body.message;
			} },
			el("h3", { text: t("Cancel") }),
			el("label", { for: "sched-cancel-reason", text: t("Reason (optional)") }),
			reason,
			error,
			el("button", { type: "submit", class: "sched-danger", id: "sched-cancel" }, t("Cancel booking"))
		);
		const rescheduleBtn = el("button", { type: "button", class: "sched-primary", id: "sched-reschedule", onclick: () => {
			clear(root);
			startPicker(async (slot) => {
				const res = await call("reschedule", { token: page.token, start: slot.start, timezone: state.zone }, true);
				if (res.body.success) renderManage(Object.assign(b, res.body.data), t("Your booking is rescheduled."));
				else if (res.status === 409) renderTaken(res.body);
				else renderManage(b, res.body.message);
			});
		} }, t("Reschedule"));
		section.append(el("div", { class: "sched-actions" }, rescheduleBtn), cancelForm);
	}

	if (page.mode === "manage") {
		if (page.booking.timezone) state.zone = page.booking.timezone;
		renderManage(page.booking);
	} else {
		track("page_viewed");
		track("type_selected");
		startPicker(renderForm);
	}
})();
