// Public booking pages: the list of a host's meeting types, month view and time slots in the
// booker's time zone, the booking form, confirmation, and the manage page (cancel /
// reschedule). No framework; every piece of text from the server is inserted with
// textContent, never as HTML. Strings go through __() so Frappe's extractor finds them; the
// page ships their translations in the reader's language (booking/pages.page_messages).
(function () {
	"use strict";
	const dataEl = document.getElementById("sched-data");
	if (!dataEl) return;
	const page = JSON.parse(dataEl.textContent);
	const messages = page.messages || {};
	function __(text, args) {
		const out = Object.prototype.hasOwnProperty.call(messages, text) ? messages[text] : text;
		return args ? out.replace(/\{(\d+)\}/g, (m, i) => (args[i] !== undefined ? args[i] : m)) : out;
	}
	const locale = (page.lang || document.documentElement.lang || "en").replace("_", "-");
	const root = document.getElementById("sched-app");
	const API = "/api/method/scheduler_integration.api.public.";
	const query = new URLSearchParams(window.location.search);
	const state = { zone: detectZone(), month: null, days: {}, date: null, focusDate: null, slot: null, key: newKey(), busy: false };

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
		add(node, children);
		return node;
	}
	// append children, skipping empty ones (Node.append would print "null")
	function add(node, children) {
		for (const child of [children].flat(Infinity)) {
			if (child === null || child === undefined || child === false) continue;
			node.append(child instanceof Node ? child : document.createTextNode(String(child)));
		}
		return node;
	}
	function clear(node) {
		while (node.firstChild) node.removeChild(node.firstChild);
		return node;
	}
	function announce(text) {
		const live = document.getElementById("sched-live");
		if (live) live.textContent = text;
	}
	// the embed widget's iframe grows with the page (public/js/embed.js listens)
	function reportHeight() {
		if (!page.embed || window.parent === window) return;
		const main = document.querySelector("main.sched");
		if (!main) return;
		const height = Math.ceil(main.getBoundingClientRect().bottom + window.scrollY + 24);
		window.parent.postMessage({ type: "scheduler-integration:resize", height }, "*");
	}
	function notifyParent(type, extra) {
		if (page.embed && window.parent !== window) window.parent.postMessage(Object.assign({ type: "scheduler-integration:" + type }, extra || {}), "*");
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
	function csrf(headers) {
		if (window.frappe && frappe.csrf_token && frappe.csrf_token !== "{{ csrf_token }}") headers["X-Frappe-CSRF-Token"] = frappe.csrf_token;
		return headers;
	}
	async function call(method, params, post) {
		const headers = csrf({ Accept: "application/json" });
		let url = API + method;
		const options = { method: post ? "POST" : "GET", headers, credentials: "same-origin" };
		if (post) {
			headers["Content-Type"] = "application/json";
			options.body = JSON.stringify(params);
		} else {
			url += "?" + new URLSearchParams(params).toString();
		}
		let response;
		try {
			response = await fetch(url, options);
		} catch (e) {
			return { status: 0, body: { success: false, message: __("Network error: please try again.") } };
		}
		let body = {};
		try {
			const json = await response.json();
			body = json.message && typeof json.message === "object" ? json.message : json;
			if (response.status === 429 || (!body.message && json.exception)) {
				body = { success: false, message: __("Too many requests: please wait a minute and try again.") };
			}
		} catch (e) {
			body = { success: false, message: __("Something went wrong: please try again.") };
		}
		return { status: response.status, body };
	}

	// --- funnel: one random id per browser tab session, each step sent once ----------------
	function sessionId() {
		try {
			let id = sessionStorage.getItem("sched-session");
			if (!id) sessionStorage.setItem("sched-session", (id = newKey()));
			return id;
		} catch (e) {
			return state.key;
		}
	}
	function remember(key, value) {
		try {
			if (value === undefined) return sessionStorage.getItem(key);
			sessionStorage.setItem(key, value);
		} catch (e) {
			return null;
		}
		return null;
	}
	function track(step, extra) {
		const body = Object.assign({
			step,
			session_id: sessionId(),
			profile: page.profile.slug,
			meeting_type: page.meeting_type ? page.meeting_type.slug : undefined,
			ref: query.get("ref") || undefined,
			referrer: document.referrer || undefined,
			utm_source: query.get("utm_source") || undefined,
			utm_medium: query.get("utm_medium") || undefined,
			utm_campaign: query.get("utm_campaign") || undefined,
		}, extra || {});
		const headers = csrf({ "Content-Type": "application/json", Accept: "application/json" });
		try {
			fetch("/api/method/scheduler_integration.api.tracking.track_step", { method: "POST", headers, body: JSON.stringify(body), keepalive: true, credentials: "same-origin" }).catch(() => {});
		} catch (e) {
			/* tracking never breaks booking */
		}
	}

	// --- dates --------------------------------------------------------------------------------
	function fmtDate(iso, opts) {
		return new Intl.DateTimeFormat(locale, Object.assign({ timeZone: state.zone }, opts)).format(new Date(iso));
	}
	function fmtDay(key, opts) {
		const [y, m, d] = key.split("-").map(Number);
		return new Intl.DateTimeFormat(locale, Object.assign({ weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }, opts)).format(new Date(Date.UTC(y, m - 1, d)));
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
	function ymd(y, m, d) {
		return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
	}
	function parseKey(key) {
		const [y, m, d] = key.split("-").map(Number);
		return new Date(Date.UTC(y, m - 1, d));
	}
	function keyOf(date) {
		return ymd(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
	}
	function todayInZone() {
		const parts = new Intl.DateTimeFormat("en-CA", { timeZone: state.zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date()).split("-");
		return { y: +parts[0], m: +parts[1], d: +parts[2] };
	}
	function hourOf(iso) {
		return Number(new Intl.DateTimeFormat("en-GB", { timeZone: state.zone, hour: "2-digit", hourCycle: "h23" }).format(new Date(iso)));
	}

	// --- slot picking ---------------------------------------------------------------------
	async function loadMonth(focusKey) {
		const { y, m } = state.month;
		const next = m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 };
		state.days = {};
		renderPicker(true);
		announce(__("Loading available times…"));
		const res = await call("get_slots", {
			profile: page.profile.slug,
			meeting_type: page.meeting_type.slug,
			start: ymd(y, m, 1),
			end: ymd(next.y, next.m, 1),
			timezone: state.zone,
		});
		if (res.body.success) {
			for (const day of res.body.data.days) state.days[day.date] = day.slots;
			const wanted = state.wantDate && state.days[state.wantDate] ? state.wantDate : null;
			state.wantDate = null;
			if (wanted) state.date = wanted;
			else if (!state.date || !state.days[state.date]) state.date = Object.keys(state.days)[0] || null;
			const count = Object.keys(state.days).length;
			announce(count ? __("{0} days with free times in {1}", [count, monthTitle()]) : __("No times available this month. Try the next month."));
			renderPicker(false, null, focusKey);
		} else {
			renderPicker(false, res.body.message || __("Could not load available times."));
			announce(res.body.message || __("Could not load available times."));
		}
	}
	function monthTitle() {
		const { y, m } = state.month;
		return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, 1)));
	}
	function prevDisabled() {
		const today = todayInZone();
		const { y, m } = state.month;
		return y < today.y || (y === today.y && m <= today.m);
	}
	// The month grid follows the ARIA grid pattern: one tab stop (roving tabindex), arrow keys
	// move by day / week, Home / End to the week's ends, Page Up / Down by month.
	function renderGrid(focusKey) {
		const { y, m } = state.month;
		const table = el("table", { class: "sched-grid", role: "grid", "aria-labelledby": "sched-month-title" });
		const head = el("tr", {});
		const short = new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" });
		const long = new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" });
		for (let i = 0; i < 7; i++) {
			const day = new Date(Date.UTC(2024, 0, 1 + i)); // a Monday
			head.append(el("th", { scope: "col", abbr: long.format(day), class: "sched-dow" }, short.format(day)));
		}
		table.append(el("thead", {}, head));
		const body = el("tbody", {});
		const offset = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7; // weeks start on Monday
		const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
		const keys = Object.keys(state.days);
		const tabKey = [focusKey, state.focusDate, state.date, keys[0], ymd(y, m, 1)].find((k) => k && k.startsWith(ymd(y, m, 1).slice(0, 8)));
		let row = el("tr", {});
		for (let i = 0; i < offset; i++) row.append(el("td", { class: "sched-pad" }));
		for (let d = 1; d <= daysInMonth; d++) {
			const key = ymd(y, m, d);
			const has = !!state.days[key];
			const button = el("button", {
				type: "button",
				class: "sched-day" + (has ? " has" : "") + (key === state.date ? " selected" : ""),
				tabindex: key === tabKey ? "0" : "-1",
				"data-date": key,
				"aria-disabled": has ? null : "true",
				"aria-label": fmtDay(key) + (has ? "" : " — " + __("no times")),
				onclick: () => has && chooseDate(key),
				onkeydown: (e) => gridKey(e, key),
			}, String(d));
			row.append(el("td", { role: "gridcell", "aria-selected": key === state.date ? "true" : "false" }, button));
			if ((offset + d) % 7 === 0) {
				body.append(row);
				row = el("tr", {});
			}
		}
		if (row.childNodes.length) {
			while (row.childNodes.length < 7) row.append(el("td", { class: "sched-pad" }));
			body.append(row);
		}
		table.append(body);
		return table;
	}
	function gridKey(event, key) {
		const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
		const date = parseKey(key);
		const weekday = (date.getUTCDay() + 6) % 7;
		let target = null;
		if (event.key in moves) target = new Date(date.getTime() + moves[event.key] * 86400000);
		else if (event.key === "Home") target = new Date(date.getTime() - weekday * 86400000);
		else if (event.key === "End") target = new Date(date.getTime() + (6 - weekday) * 86400000);
		else if (event.key === "PageUp" || event.key === "PageDown") {
			const delta = event.key === "PageUp" ? -1 : 1;
			const t = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + delta, 1));
			const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
			target = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), Math.min(date.getUTCDate(), last)));
		} else return;
		event.preventDefault();
		const targetKey = keyOf(target);
		const { y, m } = state.month;
		if (target.getUTCFullYear() !== y || target.getUTCMonth() + 1 !== m) {
			const ty = target.getUTCFullYear(), tm = target.getUTCMonth() + 1;
			const today = todayInZone();
			if (ty < today.y || (ty === today.y && tm < today.m)) return;
			state.month = { y: ty, m: tm };
			state.date = null;
			state.focusDate = targetKey;
			loadMonth(targetKey);
			return;
		}
		focusDay(targetKey);
	}
	function focusDay(key) {
		const grid = document.querySelector(".sched-grid");
		if (!grid) return;
		grid.querySelectorAll(".sched-day").forEach((b) => b.setAttribute("tabindex", b.dataset.date === key ? "0" : "-1"));
		const button = grid.querySelector(`[data-date="${key}"]`);
		state.focusDate = key;
		if (button) button.focus();
	}
	function chooseDate(key) {
		state.date = key;
		state.focusDate = key;
		renderPicker(false, null, key);
		const slots = state.days[key] || [];
		announce(__("{0} times available on {1}", [slots.length, fmtDay(key)]));
		const first = document.querySelector(".sched-slot");
		if (first) first.focus();
	}
	// Morning before 12:00, afternoon before 17:00, evening after, on the booker's clock.
	function slotGroups(slots) {
		const groups = [
			{ label: __("Morning"), slots: [] },
			{ label: __("Afternoon"), slots: [] },
			{ label: __("Evening"), slots: [] },
		];
		for (const slot of slots) {
			const hour = hourOf(slot.start);
			groups[hour < 12 ? 0 : hour < 17 ? 1 : 2].slots.push(slot);
		}
		return groups.filter((g) => g.slots.length);
	}
	function renderPicker(loading, error, focusKey) {
		const box = document.getElementById("sched-picker");
		if (!box) return;
		const hadFocus = box.contains(document.activeElement) && document.activeElement.classList.contains("sched-day");
		clear(box);
		const nav = el(
			"div",
			{ class: "sched-month-nav" },
			el("button", { type: "button", class: "sched-icon", "aria-label": __("Previous month"), disabled: prevDisabled(), onclick: () => shiftMonth(-1) }, "‹"),
			el("h2", { id: "sched-month-title", text: monthTitle() }),
			el("button", { type: "button", class: "sched-icon", "aria-label": __("Next month"), onclick: () => shiftMonth(1) }, "›")
		);
		const zoneSelect = el("select", { id: "sched-zone", onchange: (e) => { state.zone = e.target.value; state.date = null; loadMonth(); } });
		for (const zone of zoneOptions()) zoneSelect.append(el("option", { value: zone, selected: zone === state.zone }, zone.replace(/_/g, " ")));
		const times = el("div", { class: "sched-times", "aria-busy": loading ? "true" : "false" });
		if (loading) times.append(el("p", { class: "sched-muted", text: __("Loading available times…") }));
		else if (error) times.append(el("p", { class: "sched-error", role: "alert", text: error }));
		else if (!state.date) times.append(el("p", { class: "sched-muted", text: __("No times available this month. Try the next month.") }));
		else {
			times.append(el("h3", { id: "sched-day-title", text: fmtDay(state.date) }));
			for (const group of slotGroups(state.days[state.date])) {
				const id = "sched-group-" + group.label.replace(/\W/g, "");
				times.append(el("h4", { id, class: "sched-group", text: group.label }));
				const list = el("ul", { class: "sched-slot-list", "aria-labelledby": id });
				for (const slot of group.slots) {
					list.append(el("li", {}, el("button", { type: "button", class: "sched-slot", onclick: () => pickSlot(slot) }, fmtDate(slot.start, { hour: "numeric", minute: "2-digit" }))));
				}
				times.append(list);
			}
		}
		add(box, [
			el("div", { class: "sched-zone" }, el("label", { for: "sched-zone", text: __("Time zone") }), zoneSelect),
			el("div", { class: "sched-cal" }, nav, renderGrid(focusKey)),
			times,
		]);
		if (!loading && (focusKey || hadFocus)) focusDay(focusKey || state.focusDate);
		reportHeight();
	}
	function shiftMonth(delta) {
		let { y, m } = state.month;
		m += delta;
		if (m < 1) { m = 12; y -= 1; }
		if (m > 12) { m = 1; y += 1; }
		state.month = { y, m };
		state.date = null;
		state.focusDate = null;
		loadMonth();
	}
	// ?date=YYYY-MM-DD or ?month=YYYY-MM open the picker there (not before this month)
	function startMonth() {
		const today = todayInZone();
		const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(query.get("date") || "");
		const month = /^(\d{4})-(\d{2})$/.exec(query.get("month") || "");
		let wanted = null;
		if (date) {
			wanted = { y: +date[1], m: +date[2] };
			state.wantDate = date[0];
		} else if (month) wanted = { y: +month[1], m: +month[2] };
		if (wanted && wanted.m >= 1 && wanted.m <= 12 && (wanted.y > today.y || (wanted.y === today.y && wanted.m >= today.m))) return wanted;
		state.wantDate = null;
		return { y: today.y, m: today.m };
	}
	function startPicker(onPick, intro) {
		state.onPick = onPick;
		state.month = state.month || startMonth();
		clear(root);
		add(root, [intro, el("p", { id: "sched-live", class: "sched-sr", role: "status", "aria-live": "polite" }), el("section", { id: "sched-picker", class: "sched-picker", "aria-label": __("Pick a time") })]);
		loadMonth();
	}
	function pickSlot(slot) {
		state.slot = slot;
		if (page.mode === "book") track("slot_selected");
		state.onPick(slot);
	}

	// --- booking form ------------------------------------------------------------------------
	function field(name, label, input, hint, required) {
		input.id = "sched-f-" + name.replace(/\W/g, "_");
		input.name = name;
		const errorId = input.id + "-error";
		const hintId = hint ? input.id + "-hint" : null;
		input.setAttribute("aria-describedby", [hintId, errorId].filter(Boolean).join(" "));
		if (required) input.setAttribute("aria-required", "true");
		return el(
			"div",
			{ class: "sched-field", "data-field": name },
			el("label", { for: input.id }, label, required ? el("span", { class: "sched-req", "aria-hidden": "true" }, " *") : null),
			input,
			hint ? el("small", { class: "sched-muted", id: hintId, text: hint }) : null,
			el("div", { class: "sched-error", id: errorId })
		);
	}
	function setError(form, name, message) {
		const box = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
		if (!box) return null;
		const input = box.querySelector("input, textarea, select");
		box.querySelector(".sched-error").textContent = message || "";
		if (input) {
			if (message) input.setAttribute("aria-invalid", "true");
			else input.removeAttribute("aria-invalid");
		}
		return input;
	}
	function renderForm(slot) {
		const when = fmtDate(slot.start, { weekday: "long", day: "numeric", month: "long", hour: "numeric", minute: "2-digit" });
		const back = el("button", { type: "button", class: "sched-link", onclick: () => startPicker(renderForm) }, __("← Pick another time"));
		const form = el("form", { class: "sched-form", novalidate: true, "aria-labelledby": "sched-form-title" });
		form.append(
			el("h2", { id: "sched-form-title", text: __("Your details") }),
			el("p", { class: "sched-when" }, el("strong", { text: when }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
			field("name", __("Your name"), el("input", { type: "text", autocomplete: "name", maxlength: "140" }), null, true),
			field("email", __("Email"), el("input", { type: "email", autocomplete: "email", maxlength: "254" }), __("We send the confirmation here."), true),
			field("phone", __("Phone"), el("input", { type: "tel", autocomplete: "tel", maxlength: "40" }), null, !!page.meeting_type.phone_required),
			field("company", __("Company"), el("input", { type: "text", autocomplete: "organization", maxlength: "140" })),
			field("notes", __("What would you like to discuss?"), el("textarea", { rows: "4", maxlength: "5000" }))
		);
		(page.meeting_type.questions || []).forEach((q, i) => {
			let input;
			if (q.fieldtype === "Select") {
				input = el("select", {}, el("option", { value: "" }, __("Choose…")), q.options.map((o) => el("option", { value: o }, o)));
			} else if (q.fieldtype === "Check") {
				input = el("input", { type: "checkbox" });
			} else if (q.fieldtype === "Text") {
				input = el("textarea", { rows: "3", maxlength: "2000" });
			} else {
				input = el("input", { type: "text", maxlength: "2000" });
			}
			input.dataset.question = q.label;
			if (q.required) input.dataset.required = "1";
			form.append(field("answers." + i, q.label, input, null, q.required));
		});
		// honeypot: hidden from people and assistive tech, filled by naive bots
		form.append(el("div", { class: "sched-hp", "aria-hidden": "true" }, el("label", { for: "sched-website" }, "Website"), el("input", { id: "sched-website", name: "website", type: "text", tabindex: "-1", autocomplete: "off" })));
		const label = () => (page.meeting_type.requires_confirmation ? __("Request Meeting") : __("Book Meeting"));
		const submit = el("button", { type: "submit", class: "sched-primary" }, label());
		const status = el("div", { class: "sched-error sched-form-error", role: "alert" });
		form.append(status, submit);
		form.addEventListener("submit", async (event) => {
			event.preventDefault();
			if (state.busy) return; // a double click sends one request; retries reuse the key
			form.querySelectorAll("[data-field]").forEach((box) => setError(form, box.dataset.field, ""));
			status.textContent = "";
			const value = (n) => (form.elements[n] ? form.elements[n].value : "");
			// the server checks everything again; this only saves a round trip for the obvious
			let firstBad = null;
			const need = (name, ok, message) => {
				if (ok) return;
				const input = setError(form, name, message);
				firstBad = firstBad || input;
			};
			need("name", value("name").trim(), __("Please enter your name."));
			need("email", /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value("email").trim()), __("Please enter a valid email address."));
			if (page.meeting_type.phone_required) need("phone", value("phone").trim(), __("Please enter your phone number."));
			form.querySelectorAll("[data-question][data-required]").forEach((input) => {
				need(input.name, input.type === "checkbox" ? input.checked : input.value.trim(), __("This answer is required."));
			});
			if (firstBad) {
				status.textContent = __("Please correct the marked fields.");
				firstBad.focus();
				return;
			}
			state.busy = true;
			submit.disabled = true;
			submit.textContent = __("Booking…");
			const answers = {};
			form.querySelectorAll("[data-question]").forEach((input) => {
				answers[input.dataset.question] = input.type === "checkbox" ? input.checked : input.value;
			});
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
					language: page.lang || undefined,
					answers,
					website: value("website"),
					idempotency_key: state.key,
					utm_source: query.get("utm_source") || undefined,
					utm_medium: query.get("utm_medium") || undefined,
					utm_campaign: query.get("utm_campaign") || undefined,
					ref: query.get("ref") || undefined,
					challenge: proof.challenge,
					nonce: proof.nonce,
				},
				true
			);
			state.busy = false;
			submit.disabled = false;
			submit.textContent = label();
			if (res.body.success) {
				if (res.body.data.manage_url) track("meeting_booked", { token: res.body.data.manage_url.split("/").pop() });
				notifyParent("booked", { status: res.body.data.status, start: res.body.data.start });
				return renderConfirmation(res.body.data);
			}
			if (res.status === 409) return renderTaken(res.body);
			for (const [name, message] of Object.entries(res.body.errors || {})) {
				const input = setError(form, name, message);
				firstBad = firstBad || input;
			}
			status.textContent = res.body.message || __("Something went wrong: please try again.");
			if (firstBad) firstBad.focus();
			reportHeight();
		});
		clear(root).append(back, form);
		form.elements.name.focus();
		reportHeight();
	}
	function renderTaken(body) {
		const section = clear(root);
		section.append(el("p", { class: "sched-error", role: "alert", text: body.message || __("This time was just taken.") }));
		if ((body.alternatives || []).length) {
			section.append(el("h3", { id: "sched-alt-title", text: __("Nearest available times") }));
			const list = el("ul", { class: "sched-slot-list", "aria-labelledby": "sched-alt-title" });
			for (const slot of body.alternatives) {
				list.append(el("li", {}, el("button", { type: "button", class: "sched-slot", onclick: () => state.onPick(slot) }, fmtDate(slot.start, { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" }))));
			}
			section.append(list);
		}
		section.append(el("button", { type: "button", class: "sched-link", onclick: () => startPicker(state.onPick) }, __("See all times")));
		state.key = newKey();
		reportHeight();
	}
	function longWhen(iso) {
		return fmtDate(iso, { weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "numeric", minute: "2-digit" });
	}
	function renderConfirmation(b) {
		clear(root).append(
			el("div", { class: "sched-confirm", tabindex: "-1", id: "sched-confirm" },
				el("h2", { text: b.status === "Pending" ? __("Request sent") : __("You are booked") }),
				el("p", { class: "sched-when" }, el("strong", { id: "sched-confirm-time", text: longWhen(b.start) }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
				el("p", { text: b.meeting_type + " · " + __("with {0}", [b.host_name]) }),
				b.status === "Pending" ? el("p", { class: "sched-muted", text: __("The host will confirm this time; you will get an email either way.") }) : null,
				b.location ? el("p", { text: __("Location") + ": " + b.location }) : null,
				b.confirmation_message ? el("p", { class: "sched-message", text: b.confirmation_message }) : null,
				el("p", { class: "sched-actions" },
					b.ics_url ? el("a", { class: "sched-button", href: b.ics_url, download: "meeting.ics" }, __("Add to calendar (.ics)")) : null,
					b.manage_url ? el("a", { class: "sched-button", id: "sched-manage-link", href: b.manage_url, target: page.embed ? "_top" : null }, __("Reschedule or cancel")) : null
				)
			)
		);
		document.getElementById("sched-confirm").focus();
		reportHeight();
	}

	// --- manage page --------------------------------------------------------------------------
	function renderManage(b, notice) {
		const section = clear(root);
		add(section, [
			notice ? el("p", { class: "sched-notice", role: "status", text: notice }) : null,
			el("p", { class: "sched-when" }, el("strong", { id: "sched-manage-time", text: longWhen(b.start) }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
			el("p", {}, el("span", { class: "sched-badge", id: "sched-status", text: __(b.status) })),
			b.location ? el("p", { text: __("Location") + ": " + b.location }) : null,
		]);
		if (b.ics_url && (b.status === "Confirmed" || b.status === "Pending")) {
			section.append(el("p", {}, el("a", { class: "sched-button", href: b.ics_url, download: "meeting.ics" }, __("Add to calendar (.ics)"))));
		}
		if (!b.can_cancel) return reportHeight();
		const reason = el("textarea", { id: "sched-cancel-reason", rows: "3", maxlength: "1000" });
		const error = el("div", { class: "sched-error", role: "alert" });
		const cancelForm = el(
			"form",
			{ class: "sched-form", "aria-labelledby": "sched-cancel-title", onsubmit: async (e) => {
				e.preventDefault();
				const res = await call("cancel", { token: page.token, reason: reason.value }, true);
				if (res.body.success) renderManage(Object.assign(b, res.body.data, { can_cancel: false }), __("Your booking is cancelled."));
				else error.textContent = res.body.message;
			} },
			el("h3", { id: "sched-cancel-title", text: __("Cancel") }),
			el("label", { for: "sched-cancel-reason", text: __("Reason (optional)") }),
			reason,
			error,
			el("button", { type: "submit", class: "sched-danger", id: "sched-cancel" }, __("Cancel booking"))
		);
		const rescheduleBtn = el("button", { type: "button", class: "sched-primary", id: "sched-reschedule", onclick: () => {
			startPicker((slot) => confirmMove(b, slot), el("p", { class: "sched-muted" }, __("Your current time: {0}", [longWhen(b.start)])));
			root.prepend(el("button", { type: "button", class: "sched-link", id: "sched-keep", onclick: () => renderManage(b) }, __("Keep my current time")));
		} }, __("Reschedule"));
		section.append(el("div", { class: "sched-actions" }, rescheduleBtn), cancelForm);
		reportHeight();
	}
	// a picked time is only a proposal until the guest confirms it
	function confirmMove(b, slot) {
		const error = el("div", { class: "sched-error", role: "alert" });
		const confirmBtn = el("button", { type: "button", class: "sched-primary", id: "sched-confirm-move", onclick: async () => {
			confirmBtn.disabled = true;
			const res = await call("reschedule", { token: page.token, start: slot.start, timezone: state.zone }, true);
			confirmBtn.disabled = false;
			if (res.body.success) renderManage(Object.assign(b, res.body.data), __("Your booking is rescheduled."));
			else if (res.status === 409) renderTaken(res.body);
			else error.textContent = res.body.message || __("Something went wrong: please try again.");
		} }, __("Move my booking"));
		clear(root).append(
			el("div", { class: "sched-confirm", id: "sched-move", tabindex: "-1", role: "group", "aria-labelledby": "sched-move-title" },
				el("h2", { id: "sched-move-title", text: __("Move your booking?") }),
				el("p", {}, __("From"), ": ", el("s", { text: longWhen(b.start) })),
				el("p", {}, __("To"), ": ", el("strong", { id: "sched-move-time", text: longWhen(slot.start) }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
				error,
				el("p", { class: "sched-actions" }, confirmBtn, " ",
					el("button", { type: "button", class: "sched-button", onclick: () => startPicker((s) => confirmMove(b, s)) }, __("Pick another time")), " ",
					el("button", { type: "button", class: "sched-link", id: "sched-keep", onclick: () => renderManage(b) }, __("Keep my current time")))
			)
		);
		document.getElementById("sched-move").focus();
		reportHeight();
	}

	// --- the list of a host's meeting types ----------------------------------------------------
	function startProfile() {
		if (!remember("sched-viewed:" + page.profile.slug)) {
			remember("sched-viewed:" + page.profile.slug, "1");
			track("page_viewed");
		}
		// a type chosen here is recorded by the type page it opens (it may be a new document)
		document.querySelectorAll("a.sched-type[data-type]").forEach((link) =>
			link.addEventListener("click", () => remember("sched-chose:" + page.profile.slug, link.dataset.type))
		);
	}
	function startBooking() {
		const chosenKey = "sched-chose:" + page.profile.slug;
		if (remember(chosenKey) === page.meeting_type.slug) {
			remember(chosenKey, "");
			track("type_selected");
		} else if (!remember("sched-viewed:" + page.profile.slug)) {
			// a direct link to the type: a page view, the type was chosen by whoever shared it
			remember("sched-viewed:" + page.profile.slug, "1");
			track("page_viewed");
		}
		startPicker(renderForm);
	}

	if (page.embed) {
		window.addEventListener("resize", reportHeight);
		// Escape inside the pop-up's frame closes the pop-up (the key never reaches the parent)
		document.addEventListener("keydown", (e) => {
			if (e.key === "Escape" && !e.defaultPrevented) notifyParent("close");
		});
		window.addEventListener("load", reportHeight);
		// links inside the frame stay in it; the manage link opens the whole window
		document.querySelectorAll("a.sched-type, a.sched-back").forEach((a) => a.setAttribute("target", "_self"));
	}
	if (page.mode === "profile") startProfile();
	else if (!root) return;
	else if (page.mode === "manage") {
		if (page.booking.timezone) state.zone = page.booking.timezone;
		renderManage(page.booking);
	} else startBooking();
	reportHeight();
})();
