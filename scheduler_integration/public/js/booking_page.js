// Public booking pages: the list of a host's meeting types, month view and time slots in the
// booker's time zone, the booking form, confirmation, and the manage page (cancel /
// reschedule). No framework; every piece of text from the server is inserted with
// textContent, never as HTML. Strings go through __() so Frappe's extractor finds them; the
// page ships their translations in the reader's language (booking/pages.page_messages).
(function () {
	"use strict";
	const { page, __, el, add, reportHeight } = window.scheduler_guest_page;
	if (!page) return;
	const locale = readerLocale((page.lang || document.documentElement.lang || "en").replace("_", "-"));
	const root = document.getElementById("sched-app");
	const API = "/api/method/scheduler_integration.api.public.";
	const query = new URLSearchParams(window.location.search);
	const state = { zone: detectZone(), month: null, days: {}, date: null, focusDate: null, slot: null, key: newKey(), busy: false, count: 1 };

	// The reader's language and region: the browser's own locale when it is of the page's
	// language (en-GB reads 19:00 where en-US reads 7:00 PM), else the page's language. It is
	// sent with the booking, so the emails write dates and times as this page does: the full
	// date and short time of the same CLDR locale (rules/locales.py).
	function readerLocale(lang) {
		const base = lang.split("-")[0].toLowerCase();
		const own = [].concat(navigator.languages || [], navigator.language || []).find((tag) => String(tag).split("-")[0].toLowerCase() === base);
		try {
			return Intl.DateTimeFormat.supportedLocalesOf([own || lang])[0] || lang;
		} catch (e) {
			return lang;
		}
	}
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
	function clear(node) {
		while (node.firstChild) node.removeChild(node.firstChild);
		return node;
	}
	function announce(text) {
		const live = document.getElementById("sched-live");
		if (live) live.textContent = text;
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
	// solved while the guest fills in the form, so booking never waits for it; solved again
	// before the server's 10 minutes run out, and after each attempt (a proof opens one booking)
	let pendingProof = null;
	function prepareProof() {
		if (!pendingProof || Date.now() - pendingProof.at > 540000) pendingProof = { at: Date.now(), proof: solveChallenge().catch(() => ({})) };
		return pendingProof.proof;
	}
	function takeProof() {
		const proof = prepareProof();
		pendingProof = null;
		return proof;
	}
	// Settings → CAPTCHA: the provider's widget (Turnstile or hCaptcha); its one-time token
	// goes with the booking and the server asks the provider about it
	const captcha = { token: "", widget: null };
	function captchaApi() {
		return page.captcha ? window[page.captcha.provider === "turnstile" ? "turnstile" : "hcaptcha"] : null;
	}
	function renderCaptcha() {
		if (!page.captcha) return null;
		const holder = el("div");
		const draw = () => {
			captcha.token = "";
			captcha.widget = captchaApi().render(holder, {
				sitekey: page.captcha.site_key,
				callback: (token) => { captcha.token = token; },
				"expired-callback": () => { captcha.token = ""; },
			});
			reportHeight();
		};
		if (captchaApi()) setTimeout(draw, 0); // once the form is on the page
		else {
			const script = el("script", { src: page.captcha.script, async: true });
			script.addEventListener("load", draw);
			document.head.append(script);
		}
		return el("div", { class: "sched-field sched-captcha", "data-field": "captcha" }, holder, el("div", { class: "sched-error", id: "sched-f-captcha-error" }));
	}
	function resetCaptcha() {
		captcha.token = "";
		if (captcha.widget !== null && captchaApi()) captchaApi().reset(captcha.widget);
	}
	function csrf(headers) {
		if (window.frappe && frappe.csrf_token && frappe.csrf_token !== "{{ csrf_token }}") headers["X-Frappe-CSRF-Token"] = frappe.csrf_token;
		return headers;
	}
	async function call(method, params, post) {
		const headers = csrf({ Accept: "application/json" });
		// the page's language, so the API answers in it whatever the browser's is
		params = page.lang ? { ...params, lang: page.lang } : params;
		// "api.payments.pay": another module of the app's API
		let url = (method.includes(".") ? "/api/method/scheduler_integration." : API) + method;
		const options = { method: post ? "POST" : "GET", headers, credentials: "same-origin" };
		if (post) {
			headers["Content-Type"] = "application/json";
			options.body = JSON.stringify(params);
		} else {
			// an undefined value is left out (URLSearchParams would send the text "undefined")
			url += "?" + new URLSearchParams(Object.entries(params).filter((entry) => entry[1] !== undefined)).toString();
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
	// who the page belongs to, as the API names it: a team's page its team, else the host
	// (and a personal link's or routing decision's token: its hosts only, booked through it)
	function owner() {
		const who = page.team ? { team: page.team } : { profile: page.profile.slug };
		if (page.link) who.link = page.link;
		else if (page.routed) who.routed = page.routed; // a routing form's decision
		return who;
	}
	// what the form starts with: what the guest typed before their time was taken (state.draft),
	// else a personal link's prospect, a routing form's answers, the URL's ?name=…&email=…
	// (cleaned by the server); set as values, never as markup
	function applyPrefill(form, questions) {
		const draft = state.draft || {};
		const known = Object.assign({}, page.prefill || {}, draft);
		for (const name of ["name", "email", "phone", "company", "notes", "attendees"]) {
			if (known[name] && form.elements[name] && !form.elements[name].value) form.elements[name].value = known[name];
		}
		const answers = Object.assign({}, (page.prefill || {}).answers || {}, draft.answers || {});
		for (const { q, set } of questions) {
			if (Object.prototype.hasOwnProperty.call(answers, q.label)) set(answers[q.label]);
		}
	}
	function track(step, extra) {
		const body = Object.assign({
			step,
			session_id: sessionId(),
			...owner(),
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
		return new Intl.DateTimeFormat(locale, Object.assign({ timeZone: "UTC" }, opts || { dateStyle: "full" })).format(new Date(Date.UTC(y, m - 1, d)));
	}
	// --- the time zone: a search by city, country or zone name ---------------------------------
	// (a combobox: type "Kolkata", "India" or "Asia/Kol", pick with the arrows and Enter). The
	// zones and the old names browsers still report come from the server's own list
	// (public/data/time_zones.json, engine/zone_names.py); country names from the browser, in
	// the reader's language. The box is made once and kept while months and zones redraw.
	const COMMON_ZONES = [
		"Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Chicago",
		"America/Mexico_City", "America/New_York", "America/Bogota", "America/Halifax", "America/Sao_Paulo",
		"America/Argentina/Buenos_Aires", "UTC", "Europe/London", "Europe/Lisbon", "Europe/Paris",
		"Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Warsaw", "Europe/Athens", "Europe/Kyiv",
		"Europe/Istanbul", "Europe/Moscow", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg",
		"Africa/Nairobi", "Asia/Jerusalem", "Asia/Riyadh", "Asia/Tehran", "Asia/Dubai", "Asia/Karachi",
		"Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "Asia/Shanghai",
		"Asia/Hong_Kong", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney",
		"Pacific/Auckland",
	];
	// what people call a zone besides its city: big cities it covers and the abbreviations
	// of everyday speech ("Mumbai", "EST"), matched as its city is
	const ZONE_WORDS = {
		"Asia/Kolkata": "Mumbai Delhi New Delhi Bangalore Bengaluru Chennai Hyderabad Pune IST",
		"America/New_York": "EST EDT Eastern Boston Washington Miami Atlanta Philadelphia",
		"America/Chicago": "CST CDT Central Dallas Houston",
		"America/Denver": "MST MDT Mountain",
		"America/Phoenix": "MST Arizona",
		"America/Los_Angeles": "PST PDT Pacific San Francisco Seattle",
		"America/Toronto": "Ottawa Montreal",
		"America/Sao_Paulo": "Rio de Janeiro Brasilia BRT",
		"Europe/London": "GMT BST",
		"Europe/Berlin": "CET CEST Munich Hamburg Frankfurt",
		"Europe/Paris": "CET CEST",
		"Europe/Moscow": "MSK",
		"Asia/Shanghai": "Beijing Shenzhen Guangzhou",
		"Asia/Tokyo": "JST Osaka",
		"Asia/Dubai": "Abu Dhabi GST",
		"Asia/Karachi": "Lahore Islamabad PKT",
		"Asia/Jakarta": "WIB",
		"Asia/Ho_Chi_Minh": "Saigon Hanoi",
		"Africa/Lagos": "Abuja WAT",
		"Africa/Johannesburg": "Cape Town Pretoria SAST",
		"Australia/Sydney": "AEST AEDT Canberra",
		"Pacific/Auckland": "NZST NZDT Wellington",
	};
	const MAX_SHOWN = 50;
	let zoneData = { zones: {}, aliases: {} };
	const zoneDataLoaded = page.zones_url
		? fetch(page.zones_url, { credentials: "omit" }).then((r) => (r.ok ? r.json() : null)).then((data) => {
				if (data && data.zones) zoneData = data;
			}).catch(() => null)
		: Promise.resolve();
	const currentZone = (zone) => zoneData.aliases[zone] || zone;
	const fold = (text) => String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
	const words = (text) => fold(text).split(/[\s_/,().+-]+/).filter(Boolean);
	function regionName(code, lang) {
		try {
			return code ? new Intl.DisplayNames([lang], { type: "region" }).of(code) : "";
		} catch (e) {
			return "";
		}
	}
	// "UTC+05:30" (the zone's offset now)
	function zoneOffset(zone) {
		try {
			const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(new Date()).find((p) => p.type === "timeZoneName");
			const offset = part ? part.value.replace("GMT", "") : "";
			return "UTC" + (offset || "±00:00");
		} catch (e) {
			return "";
		}
	}
	const zoneInfo = new Map();
	function describeZone(zone) {
		if (!zoneInfo.has(zone)) {
			const code = zoneData.zones[zone] || "";
			const city = zone === "UTC" ? __("Coordinated Universal Time") : zone.split("/").pop().replace(/_/g, " ");
			const country = regionName(code, locale);
			const english = regionName(code, "en");
			const aliases = Object.keys(zoneData.aliases).filter((old) => zoneData.aliases[old] === zone);
			zoneInfo.set(zone, {
				zone,
				city,
				label: country && country !== city ? city + ", " + country : city,
				offset: zoneOffset(zone),
				// what a query is matched against, best first: the city, the country (in the
				// reader's language and English), the zone's name and its old names
				kinds: [[...words(city), ...words(ZONE_WORDS[zone] || "")], [...words(country), ...words(english)], [...words(zone), ...aliases.flatMap(words), ...words(zone === "UTC" ? "UTC GMT" : "")]],
			});
		}
		return zoneInfo.get(zone);
	}
	function knownZone(zone) {
		try {
			new Intl.DateTimeFormat("en-US", { timeZone: zone });
			return true;
		} catch (e) {
			return false;
		}
	}
	// the zones a query finds, best first: a city's name, then a country's, then the rest
	function findZones(query) {
		const asked = words(query);
		const everyZone = Object.keys(zoneData.zones).filter(knownZone);
		if (!asked.length) {
			const first = [state.zone, currentZone(detectZone()), page.profile && page.profile.timezone, "UTC"].filter(Boolean).map(currentZone);
			const list = [...new Set([...first, ...COMMON_ZONES])].filter(knownZone);
			return list.map(describeZone);
		}
		// each word asked scores where it is found: a whole word before the start of one, a
		// city before a country before a zone's name ("India" finds India before Indianapolis)
		const score = (info, w) => {
			let best = Infinity;
			info.kinds.forEach((list, kind) => {
				if (list.includes(w)) best = Math.min(best, kind);
				else if (list.some((x) => x.startsWith(w))) best = Math.min(best, 3 + kind);
			});
			return best;
		};
		const found = [];
		for (const zone of everyZone) {
			const info = describeZone(zone);
			const rank = asked.reduce((sum, w) => sum + score(info, w), 0);
			if (rank !== Infinity) found.push([rank, info]);
		}
		found.sort((a, b) => a[0] - b[0] || a[1].label.localeCompare(b[1].label, locale));
		return found.map((f) => f[1]);
	}
	function zoneText(zone) {
		const info = describeZone(zone);
		return info.label + " (" + info.offset + ")";
	}
	let zoneBox = null;
	function zonePicker() {
		if (zoneBox) {
			zoneBox.sync();
			return zoneBox.node;
		}
		const input = el("input", {
			id: "sched-zone",
			type: "text",
			role: "combobox",
			"aria-autocomplete": "list",
			"aria-expanded": "false",
			"aria-controls": "sched-zone-list",
			"aria-describedby": "sched-zone-hint",
			autocomplete: "off",
			spellcheck: "false",
		});
		const list = el("ul", { id: "sched-zone-list", role: "listbox", class: "sched-zone-list", "aria-label": __("Time zones"), hidden: true });
		const count = el("p", { class: "sched-sr", role: "status", "aria-live": "polite" });
		// nothing found: said beside the box (a listbox holds options only)
		const none = el("p", { class: "sched-muted sched-zone-none", hidden: true, text: __("No time zone found") });
		const hint = el("small", { id: "sched-zone-hint", class: "sched-sr", text: __("Type a city, a country or a zone, then choose with the arrow keys and Enter.") });
		let shown = [];
		let active = -1;
		const sync = () => {
			input.value = zoneText(state.zone);
			input.dataset.zone = state.zone;
		};
		const close = () => {
			list.hidden = true;
			none.hidden = true;
			input.setAttribute("aria-expanded", "false");
			input.removeAttribute("aria-activedescendant");
			active = -1;
		};
		const mark = (i) => {
			active = i;
			[...list.children].forEach((li, n) => li.setAttribute("aria-selected", String(n === i)));
			if (i >= 0 && list.children[i]) {
				input.setAttribute("aria-activedescendant", list.children[i].id);
				list.children[i].scrollIntoView({ block: "nearest" });
			} else input.removeAttribute("aria-activedescendant");
		};
		const open = (query) => {
			const found = findZones(query);
			shown = found.slice(0, MAX_SHOWN);
			clear(list);
			shown.forEach((info, n) => {
				list.append(el("li", { id: "sched-zone-" + n, role: "option", "aria-selected": "false", "data-zone": info.zone,
					onmousedown: (e) => e.preventDefault(), // the input keeps the focus
					onclick: () => choose(info.zone) },
				el("span", { text: info.label }), " ", el("span", { class: "sched-muted", text: info.offset })));
			});
			none.hidden = shown.length > 0;
			list.hidden = !shown.length;
			input.setAttribute("aria-expanded", String(shown.length > 0));
			count.textContent = found.length === 1 ? __("1 time zone found") : __("{0} time zones found", [found.length]);
			mark(query.trim() && shown.length ? 0 : shown.findIndex((info) => info.zone === state.zone));
		};
		const choose = (zone) => {
			close();
			if (zone && zone !== state.zone) {
				state.zone = zone;
				state.date = null;
				sync();
				loadMonth();
			} else sync();
			input.focus();
		};
		input.addEventListener("focus", () => input.select());
		input.addEventListener("click", () => { if (list.hidden) open(""); });
		input.addEventListener("input", () => open(input.value));
		input.addEventListener("blur", () => { close(); sync(); });
		input.addEventListener("keydown", (e) => {
			if (e.key === "ArrowDown" || e.key === "ArrowUp") {
				e.preventDefault();
				if (list.hidden) return open(none.hidden ? "" : input.value);
				if (!shown.length) return;
				const step = e.key === "ArrowDown" ? 1 : -1;
				mark(active < 0 ? 0 : (active + step + shown.length) % shown.length);
			} else if (e.key === "Enter") {
				if (list.hidden) return;
				e.preventDefault(); // not a form's submit
				if (active >= 0 && shown[active]) choose(shown[active].zone);
			} else if (e.key === "Escape") {
				if (list.hidden) return;
				e.preventDefault(); // not the embed pop-up's Escape
				close();
				sync();
				input.select();
			}
		});
		const node = el("div", { class: "sched-zone" },
			el("label", { for: "sched-zone", text: __("Time zone") }),
			el("div", { class: "sched-combo" }, input, list), none, hint, count);
		zoneBox = { node, sync };
		sync();
		// once the list is in: the browser's old name (Asia/Calcutta) becomes the current one
		zoneDataLoaded.then(() => {
			const current = currentZone(state.zone);
			zoneInfo.clear();
			if (current !== state.zone) state.zone = current;
			if (document.activeElement !== input) sync();
		});
		return node;
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
	// the date of an instant on the page's clock: { y, m, d, key: "YYYY-MM-DD" }
	function dateInZone(when) {
		const key = new Intl.DateTimeFormat("en-CA", { timeZone: state.zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(when);
		const parts = key.split("-");
		return { y: +parts[0], m: +parts[1], d: +parts[2], key };
	}
	function todayInZone() {
		return dateInZone(new Date());
	}
	// "one" in the reader's language picks the singular text (1 day, but 21 дней in Russian)
	function isOne(count) {
		try {
			return new Intl.PluralRules(locale).select(count) === "one";
		} catch (e) {
			return count === 1;
		}
	}
	function hourOf(iso) {
		return Number(new Intl.DateTimeFormat("en-GB", { timeZone: state.zone, hour: "2-digit", hourCycle: "h23" }).format(new Date(iso)));
	}

	// --- slot picking ---------------------------------------------------------------------
	async function loadMonth(focusKey) {
		const { y, m } = state.month;
		const next = m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 };
		// months asked quickly one after the other answer in any order: only the last one shows
		const asked = (state.monthAsked = (state.monthAsked || 0) + 1);
		state.days = {};
		renderPicker(true, null, focusKey);
		announce(__("Loading available times…"));
		const res = await call("get_slots", {
			...owner(),
			meeting_type: page.meeting_type.slug,
			start: ymd(y, m, 1),
			end: ymd(next.y, next.m, 1),
			timezone: state.zone,
			count: state.count > 1 ? state.count : undefined,
			token: page.token || undefined, // rescheduling: the booking's own time is free to it
		});
		if (asked !== state.monthAsked) return;
		if (res.body.success) {
			// moving a booking: its own time is no move, so it is not offered
			const own = page.mode === "manage" && page.booking ? Date.parse(page.booking.start) : null;
			for (const day of res.body.data.days) {
				const slots = own === null ? day.slots : day.slots.filter((s) => Date.parse(s.start) !== own);
				if (slots.length) state.days[day.date] = slots;
			}
			// the month a picker opens on may have no time left (its last evening, say): the next
			// month with times shows instead, as on Calendly; a month the guest asked for stays
			if (!Object.keys(state.days).length && state.seek > 0 && !nextDisabled()) {
				state.seek -= 1;
				shiftMonth(1, true);
				return;
			}
			state.seek = 0;
			const wanted = state.wantDate && state.days[state.wantDate] ? state.wantDate : null;
			state.wantDate = null;
			if (wanted) state.date = wanted;
			else if (!state.date || !state.days[state.date]) state.date = Object.keys(state.days)[0] || null;
			const count = Object.keys(state.days).length;
			const month = monthTitle();
			announce(!count ? emptyMonthText() : isOne(count) ? __("{0} day with free times in {1}", [count, month]) : __("{0} days with free times in {1}", [count, month]));
			showDailyHours();
			renderPicker(false, null, focusKey);
		} else {
			renderPicker(false, res.body.message || __("Could not load available times."), focusKey);
			announce(res.body.message || __("Could not load available times."));
		}
	}
	// a workshop's header: its days and daily hours on the page's clock, when every start
	// offered this month is at the same time of day ("2 days, 09:00 – 17:00")
	function showDailyHours() {
		const days = page.meeting_type && page.meeting_type.days;
		const head = document.getElementById("sched-length");
		const slots = Object.values(state.days).flat();
		if (!(days > 1 && head && slots.length)) return;
		const hours = new Set(slots.map((s) => clock(s.start) + " – " + clock(s.end)));
		head.dataset.text = head.dataset.text || head.textContent; // the server's "2 days, 8 h a day"
		head.textContent = hours.size === 1 ? __("{0} days, {1}", [days, [...hours][0]]) : head.dataset.text;
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
	// a month past the type's booking window (max_advance_days: its first day after the last
	// bookable one) has no times; nor one the slot API does not answer (years up to 2200)
	function afterWindow(y, m) {
		if (y >= 2200) return true;
		const days = page.meeting_type && page.meeting_type.max_advance_days;
		if (!days) return false;
		const today = todayInZone();
		return Date.UTC(y, m - 1, 1) > Date.UTC(today.y, today.m - 1, today.d + days);
	}
	function nextDisabled() {
		const { y, m } = state.month;
		return m === 12 ? afterWindow(y + 1, 1) : afterWindow(y, m + 1);
	}
	function emptyMonthText() {
		const days = page.meeting_type.max_advance_days;
		if (!nextDisabled()) return __("No times available this month. Try the next month.");
		return isOne(days)
			? __("No times available this month. Bookings open at most {0} day ahead.", [days])
			: __("No times available this month. Bookings open at most {0} days ahead.", [days]);
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
			if ((ty > y || (ty === y && tm > m)) && nextDisabled()) return;
			state.month = { y: ty, m: tm };
			state.seek = 0;
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
		announce(isOne(slots.length) ? __("{0} time available on {1}", [slots.length, fmtDay(key)]) : __("{0} times available on {1}", [slots.length, fmtDay(key)]));
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
		// a month arrow pressed with the keyboard keeps the focus on the arrow drawn anew
		const navHadFocus = box.contains(document.activeElement) ? document.activeElement.dataset.nav : null;
		const zoneNode = zonePicker(); // the same box each time: what is typed and the focus stay
		for (const child of [...box.childNodes]) if (child !== zoneNode) child.remove();
		if (zoneNode.parentNode !== box) box.prepend(zoneNode);
		const prev = el("button", { type: "button", class: "sched-icon", "data-nav": "prev", "aria-label": __("Previous month"), disabled: prevDisabled(), onclick: () => shiftMonth(-1) }, "‹");
		const next = el("button", { type: "button", class: "sched-icon", "data-nav": "next", "aria-label": __("Next month"), disabled: nextDisabled(), onclick: () => shiftMonth(1) }, "›");
		const nav = el("div", { class: "sched-month-nav" }, prev, el("h2", { id: "sched-month-title", text: monthTitle() }), next);
		const times = el("div", { class: "sched-times", "aria-busy": loading ? "true" : "false" });
		if (loading) times.append(el("p", { class: "sched-muted", text: __("Loading available times…") }));
		else if (error) times.append(el("p", { class: "sched-error", role: "alert", tabindex: "-1", id: "sched-times-error", text: error }));
		else if (!state.date) times.append(el("p", { class: "sched-muted", text: emptyMonthText() }));
		else {
			times.append(el("h3", { id: "sched-day-title", text: fmtDay(state.date) }));
			for (const group of slotGroups(state.days[state.date])) {
				const id = "sched-group-" + group.label.replace(/\W/g, "");
				times.append(el("h4", { id, class: "sched-group", text: group.label }));
				const list = el("ul", { class: "sched-slot-list", "aria-labelledby": id });
				for (const slot of group.slots) {
					const time = fmtDate(slot.start, { timeStyle: "short" });
					// a group session says how many seats it has left
					const seats = slot.seats_left == null ? null : el("span", { class: "sched-seats", text: slot.seats_left === 1 ? __("1 seat left") : __("{0} seats left", [slot.seats_left]) });
					list.append(el("li", {}, el("button", { type: "button", class: "sched-slot", onclick: () => pickSlot(slot) }, time, seats)));
				}
				times.append(list);
			}
		}
		add(box, [
			renderRepeat(),
			el("div", { class: "sched-cal" }, nav, renderGrid(focusKey)),
			times,
		]);
		if (navHadFocus) {
			// a disabled arrow takes no focus: then the other one
			const wanted = navHadFocus === "next" ? next : prev;
			(wanted.disabled ? (wanted === next ? prev : next) : wanted).focus();
		} else if (error && (focusKey || hadFocus)) document.getElementById("sched-times-error").focus();
		else if (!loading && (focusKey || hadFocus)) focusDay(focusKey || state.focusDate);
		reportHeight();
	}
	// a type that allows a series: how many meetings (the picker offers starts for that many)
	function renderRepeat() {
		const series = page.mode === "book" && page.meeting_type && page.meeting_type.series;
		if (!series) return null;
		const labels = { Weekly: __("weekly"), "Every 2 Weeks": __("every 2 weeks"), Monthly: __("monthly") };
		const select = el("select", { id: "sched-count", onchange: (e) => { state.count = Number(e.target.value); loadMonth(); } });
		for (let n = 1; n <= series.max; n++) {
			select.append(el("option", { value: String(n), selected: n === state.count }, n === 1 ? __("One meeting") : __("{0} meetings, {1}", [n, labels[series.frequency] || series.frequency])));
		}
		return el("div", { class: "sched-zone" }, el("label", { for: "sched-count", text: __("Repeat") }), select);
	}
	// every meeting a booking makes (a workshop's days, a series), each free or taken
	async function renderMeetings(slot, box) {
		const mt = page.meeting_type;
		if (!(mt.days > 1 || state.count > 1)) return;
		const res = await call("get_meetings", { ...owner(), meeting_type: mt.slug, start: slot.start, count: state.count > 1 ? state.count : undefined, timezone: state.zone });
		if (!res.body.success) return;
		const data = res.body.data;
		const list = el("ol", { class: "sched-meetings", id: "sched-meetings" });
		for (const m of data.meetings) {
			const when = m.start ? fmtDate(m.start, { weekday: "short", day: "numeric", month: "short" }) + ", " + clock(m.start) : __("no such time that day");
			list.append(el("li", { class: m.free ? "sched-free" : "sched-taken" }, when, " ", el("span", { class: "sched-muted", text: m.free ? __("free") : data.skip_taken ? __("taken: left out") : __("taken") })));
		}
		add(box, [el("h3", { text: mt.days > 1 ? __("Your days") : __("Your meetings") }), list]);
		reportHeight();
	}
	function shiftMonth(delta, seeking = false) {
		if (!seeking) state.seek = 0; // the guest's own move: the month they went to stays
		if ((delta > 0 && nextDisabled()) || (delta < 0 && prevDisabled())) return; // Page Up / Down too
		let { y, m } = state.month;
		m += delta;
		if (m < 1) { m = 12; y -= 1; }
		if (m > 12) { m = 1; y += 1; }
		state.month = { y, m };
		state.date = null;
		state.focusDate = null;
		loadMonth();
	}
	const SEEK_MONTHS = 2; // how many empty months an opening picker passes over
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
		// a month asked for that has no times (past, or past the booking window) is not kept
		const ahead = wanted && wanted.m >= 1 && wanted.m <= 12 && (wanted.y > today.y || (wanted.y === today.y && wanted.m >= today.m));
		state.asked = Boolean(ahead && !afterWindow(wanted.y, wanted.m));
		if (state.asked) return wanted;
		state.wantDate = null;
		return { y: today.y, m: today.m };
	}
	function startPicker(onPick, intro) {
		state.onPick = onPick;
		state.month = state.month || startMonth();
		state.seek = state.asked ? 0 : SEEK_MONTHS;
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
		const when = longWhen(slot.start);
		const back = el("button", { type: "button", class: "sched-link", onclick: () => startPicker(renderForm) }, __("← Pick another time"));
		const form = el("form", { class: "sched-form", novalidate: true, "aria-labelledby": "sched-form-title" });
		const meetingsBox = el("div", { class: "sched-meetings-box" });
		renderMeetings(slot, meetingsBox);
		const price = page.meeting_type.price;
		// add() leaves out the empty parts (DOM append would write "null" for a type without a price)
		add(form, [
			el("h2", { id: "sched-form-title", text: __("Your details") }),
			el("p", { class: "sched-when" }, el("strong", { text: when }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
			// a paid type says what it costs before anything is typed
			price ? el("p", { class: "sched-price", id: "sched-price" }, el("strong", { text: __("Price: {0}", [price.display]) }), " ", el("span", { class: "sched-muted", text: __("You pay on the next page; we hold this time for you for {0} minutes.", [price.hold_minutes]) })) : null,
			meetingsBox,
			// no maxlength: a browser cuts a longer paste without a word; the check below says it
			field("name", __("Your name"), el("input", { type: "text", autocomplete: "name" }), null, true),
			field("email", __("Email"), el("input", { type: "email", autocomplete: "email", maxlength: "254" }), __("We send the confirmation here."), true),
			field("phone", __("Phone"), el("input", { type: "tel", autocomplete: "tel" }), null, !!page.meeting_type.phone_required),
			field("company", __("Company"), el("input", { type: "text", autocomplete: "organization" })),
			field("notes", __("What would you like to discuss?"), el("textarea", { rows: "4" })),
		]);
		// each question: how its answer is read and set (a radio group or several checkboxes
		// are one answer)
		const questions = [];
		(page.meeting_type.questions || []).forEach((q, i) => {
			const name = "answers." + i;
			if (q.fieldtype === "Radio" || q.fieldtype === "Multi Select") {
				const multi = q.fieldtype === "Multi Select";
				const id = "sched-f-answers_" + i;
				const boxes = q.options.map((o, j) => el("input", { type: multi ? "checkbox" : "radio", name, value: o, id: id + "-" + j }));
				const group = el(
					"fieldset",
					{ id, class: "sched-choices", "aria-describedby": id + "-error", "aria-required": q.required ? "true" : null },
					el("legend", {}, q.label, q.required ? el("span", { class: "sched-req", "aria-hidden": "true" }, " *") : null),
					boxes.map((box, j) => el("div", { class: "sched-check" }, box, " ", el("label", { for: box.id, text: q.options[j] })))
				);
				form.append(el("div", { class: "sched-field", "data-field": name }, group, el("div", { class: "sched-error", id: id + "-error" })));
				questions.push({
					q,
					name,
					focus: boxes[0],
					read: () => (multi ? boxes.filter((b) => b.checked).map((b) => b.value) : (boxes.find((b) => b.checked) || { value: "" }).value),
					set: (value) => {
						const wanted = [].concat(value).map(String);
						boxes.forEach((b) => { b.checked = wanted.includes(b.value); });
					},
				});
				return;
			}
			let input;
			let hint = null;
			if (q.fieldtype === "Select" || q.fieldtype === "Country") {
				input = el("select", {}, el("option", { value: "" }, __("Choose…")), q.options.map((o) => el("option", { value: o }, o)));
			} else if (q.fieldtype === "Check") {
				input = el("input", { type: "checkbox" });
			} else if (q.fieldtype === "Text") {
				input = el("textarea", { rows: "3" });
			} else {
				const kinds = { Email: ["email", "email"], Phone: ["tel", "tel"], Number: ["text", "decimal"] };
				const [type, mode] = kinds[q.fieldtype] || ["text", null];
				input = el("input", { type, inputmode: mode });
				if (q.fieldtype === "Multi Email") hint = __("Separate the addresses with commas.");
			}
			form.append(field(name, q.label, input, hint, q.required));
			questions.push({
				q,
				name,
				focus: input,
				read: () => (input.type === "checkbox" ? input.checked : input.value),
				set: (value) => {
					if (input.type === "checkbox") input.checked = !!value;
					else if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === String(value))) return;
					else input.value = Array.isArray(value) ? value.join(", ") : String(value);
				},
			});
		});
		// the colleagues a guest may add: each gets the invitation
		if (page.meeting_type.max_attendees) {
			form.append(field("attendees", __("Colleagues to invite"), el("input", { type: "text", autocomplete: "off", maxlength: "2000", inputmode: "email" }), __("Up to {0} email addresses, separated by commas. They get the invitation too.", [page.meeting_type.max_attendees])));
		}
		// honeypot: hidden from people and assistive tech, filled by naive bots
		form.append(el("div", { class: "sched-hp", "aria-hidden": "true" }, el("label", { for: "sched-website" }, "Website"), el("input", { id: "sched-website", name: "website", type: "text", tabindex: "-1", autocomplete: "off" })));
		add(form, renderCaptcha());
		prepareProof();
		const label = () => (page.meeting_type.price ? __("Continue to payment") : page.meeting_type.requires_confirmation ? __("Request Meeting") : __("Book Meeting"));
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
			// the server's own rules (page.limits): every mistake in this one round
			const limits = page.limits || {};
			const short = (name, most) => !most || value(name).trim().length <= most;
			const longer = (most) => __("At most {0} characters, please.", [most]);
			need("name", value("name").trim(), __("Please enter your name."));
			need("name", short("name", limits.name), longer(limits.name));
			need("email", /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value("email").trim()), __("Please enter a valid email address."));
			const phone = value("phone").trim();
			if (page.meeting_type.phone_required) need("phone", phone, __("Please enter your phone number."));
			if (phone && limits.phone_pattern) need("phone", new RegExp("^(?:" + limits.phone_pattern + ")$").test(phone), __("Please enter a valid phone number."));
			need("company", short("company", limits.company), longer(limits.company));
			need("notes", short("notes", limits.notes), longer(limits.notes));
			for (const { q, name, read, focus } of questions) {
				const answer = read();
				const empty = answer === false || (Array.isArray(answer) ? !answer.length : !String(answer).trim());
				const problem = q.required && empty ? __("This answer is required.") : typeof answer === "string" && limits.answer && answer.trim().length > limits.answer ? longer(limits.answer) : null;
				if (problem) {
					setError(form, name, problem);
					firstBad = firstBad || focus;
				}
			}
			if (firstBad) {
				status.textContent = __("Please correct the marked fields.");
				firstBad.focus();
				return;
			}
			state.busy = true;
			submit.disabled = true;
			submit.textContent = __("Booking…");
			const answers = {};
			for (const { q, read } of questions) answers[q.label] = read();
			track("form_submitted");
			const proof = await takeProof();
			const res = await call(
				"book",
				{
					...owner(),
					meeting_type: page.meeting_type.slug,
					start: slot.start,
					name: value("name"),
					email: value("email"),
					phone: value("phone"),
					company: value("company"),
					notes: value("notes"),
					timezone: state.zone,
					language: page.lang || undefined,
					locale,
					answers,
					attendees: value("attendees") || undefined,
					website: value("website"),
					idempotency_key: state.key,
					utm_source: query.get("utm_source") || undefined,
					utm_medium: query.get("utm_medium") || undefined,
					utm_campaign: query.get("utm_campaign") || undefined,
					ref: query.get("ref") || undefined,
					challenge: proof.challenge,
					nonce: proof.nonce,
					captcha_token: captcha.token || undefined,
					count: state.count > 1 ? state.count : undefined,
				},
				true
			);
			state.busy = false;
			submit.disabled = false;
			submit.textContent = label();
			if (res.body.success) {
				if (res.body.data.status === "Awaiting Payment") return toPayment(res.body.data);
				if (res.body.data.manage_url) track("meeting_booked", { token: res.body.data.manage_url.split("/").pop() });
				notifyParent("booked", { status: res.body.data.status, start: res.body.data.start });
				return renderConfirmation(res.body.data);
			}
			if (res.status === 409) {
				// the guest picks another time next: the form they come back to keeps what they typed
				state.draft = { name: value("name"), email: value("email"), phone: value("phone"), company: value("company"), notes: value("notes"), attendees: value("attendees"), answers };
				return renderTaken(res.body);
			}
			prepareProof();
			if (page.captcha) resetCaptcha(); // its token was spent on this attempt
			for (const [name, message] of Object.entries(res.body.errors || {})) {
				const input = setError(form, name, message);
				firstBad = firstBad || input;
			}
			status.textContent = res.body.message || __("Something went wrong: please try again.");
			if (firstBad) firstBad.focus();
			reportHeight();
		});
		clear(root).append(back, form);
		applyPrefill(form, questions);
		form.elements.name.focus();
		reportHeight();
	}
	// a paid booking holds its time while the guest pays on the gateway's page: go there
	// (from the embed widget's frame, the whole window: checkout pages refuse frames)
	function toPayment(b) {
		const url = b.payment && b.payment.url;
		clear(root).append(
			el("div", { class: "sched-confirm", tabindex: "-1", id: "sched-to-payment" },
				el("h2", { text: __("One step left: the payment") }),
				el("p", { class: "sched-when" }, el("strong", { text: bookedWhen(b) }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
				el("p", { text: __("We hold this time for you while you pay {0}.", [b.payment.display]) }),
				url ? el("p", { class: "sched-actions" }, el("a", { class: "sched-primary", id: "sched-pay", href: url, target: page.embed ? "_top" : null }, __("Pay now"))) : null
			)
		);
		document.getElementById("sched-to-payment").focus();
		reportHeight();
		if (url && !page.embed) window.location.assign(url);
	}
	function renderTaken(body) {
		const section = clear(root);
		const taken = el("p", { class: "sched-error", id: "sched-taken", role: "alert", tabindex: "-1", text: body.message || __("This time was just taken.") });
		section.append(taken);
		if ((body.alternatives || []).length) {
			section.append(el("h2", { id: "sched-alt-title", text: __("Nearest available times") }));
			const list = el("ul", { class: "sched-slot-list", "aria-labelledby": "sched-alt-title" });
			for (const slot of body.alternatives) {
				list.append(el("li", {}, el("button", { type: "button", class: "sched-slot", onclick: () => state.onPick(slot) }, fmtDate(slot.start, { weekday: "short", day: "numeric", month: "short" }) + ", " + clock(slot.start))));
			}
			section.append(list);
		}
		section.append(el("button", { type: "button", class: "sched-link", onclick: () => startPicker(state.onPick) }, __("See all times")));
		state.key = newKey();
		taken.focus(); // the focus was on the button that is gone: it goes to what happened
		reportHeight();
	}
	function longWhen(iso) {
		return fmtDate(iso, { dateStyle: "full", timeStyle: "short" });
	}
	// a booking's start in the words of its emails (the server's, in the guest's locale),
	// while the page shows the zone they were written in
	function bookedWhen(b) {
		return b.when_text && b.timezone === state.zone ? b.when_text : longWhen(b.start);
	}
	function clock(iso) {
		return fmtDate(iso, { timeStyle: "short" });
	}
	// a section's heading under the page's h1: h2 on the manage page, h3 under the
	// confirmation's h2 (headings never skip a level)
	function subHeading() {
		return page.mode === "manage" ? "h2" : "h3";
	}
	function isActive(status) {
		return status === "Confirmed" || status === "Pending";
	}
	// a meeting from start to end on the page's clock, with its zone; ``id`` names the start
	function whenLine(b, id) {
		const end = dateInZone(new Date(b.start)).key === dateInZone(new Date(b.end)).key ? clock(b.end) : longWhen(b.end);
		return el("p", { class: "sched-when" },
			el("strong", {}, el("span", { id, text: bookedWhen(b) }), " – ", el("span", { id: id + "-end", text: end })),
			" ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" }));
	}
	const external = { target: "_blank", rel: "noopener noreferrer" };
	// every meeting of a series or multi-day booking (date, start – end, zone), each with its
	// Google and Outlook links; ``manage``: on the manage page, with the other meetings' links
	function meetingList(b, manage) {
		const s = b.series;
		if (!s) return null;
		return el("div", { id: "sched-series" },
			el(subHeading(), { id: "sched-series-title" }, s.kind === "Multi-day" ? __("Every day of this booking") : __("Every meeting of this series"), " ", el("span", { class: "sched-muted sched-zone-note", text: "(" + state.zone + ")" })),
			el("ol", { class: "sched-meetings", "aria-labelledby": "sched-series-title" }, s.meetings.map((m, i) => el("li", { class: isActive(m.status) ? null : "sched-taken", "aria-current": manage && i === s.index ? "true" : null },
				el("span", { class: "sched-meeting-when", text: fmtDate(m.start, { weekday: "short", day: "numeric", month: "short", year: "numeric" }) + ", " + clock(m.start) + " – " + clock(m.end) }),
				" ", el("span", { class: "sched-muted", text: __(m.status) }),
				m.calendar
					? [
							" · ",
							el("a", { href: m.calendar.google, ...external }, __("Google Calendar")),
							" · ",
							el("a", { href: m.calendar.outlook, ...external }, __("Outlook")),
							" · ",
							el("a", { href: m.calendar.office365, ...external }, __("Microsoft 365")),
					  ]
					: null,
				manage && m.manage_url && i !== s.index ? [" · ", el("a", { href: m.manage_url, target: page.embed ? "_top" : null }, __("Manage this meeting"))] : null))));
	}
	// Google Calendar, Outlook (personal and work) and the .ics file; a series' meetings each
	// have their Google and Outlook links in the list, its .ics holds them all
	function addToCalendar(b) {
		if (!b.ics_url || !isActive(b.status)) return null;
		const links = !b.series && b.calendar;
		return el("div", { class: "sched-add", role: "group", "aria-labelledby": "sched-add-title" },
			el(subHeading(), { id: "sched-add-title", text: __("Add to calendar") }),
			el("div", { class: "sched-actions" },
				links ? [
					el("a", { class: "sched-button", id: "sched-add-google", href: links.google, ...external }, __("Google Calendar")),
					el("a", { class: "sched-button", id: "sched-add-outlook", href: links.outlook, ...external }, __("Outlook")),
					el("a", { class: "sched-button", id: "sched-add-office", href: links.office365, ...external }, __("Microsoft 365")),
				] : null,
				el("a", { class: "sched-button", id: "sched-add-ics", href: b.ics_url, download: "" }, b.series ? __("All meetings (.ics)") : __("Apple, other (.ics)"))));
	}
	// "We sent the details to <address>." with the address kept whole on a narrow screen
	function sentTo(address) {
		const [before, after] = __("We sent the details to {0}.").split("{0}");
		return el("p", { id: "sched-sent" }, before, el("strong", { class: "sched-address", text: address }), after);
	}
	function renderConfirmation(b) {
		clear(root).append(
			el("div", { class: "sched-confirm", tabindex: "-1", id: "sched-confirm" },
				el("h2", { text: b.status === "Pending" ? __("Request sent") : __("You are booked") }),
				whenLine(b, "sched-confirm-time"),
				el("p", { text: b.meeting_type + " · " + __("with {0}", [b.host_name]) }),
				b.email_sent_to ? sentTo(b.email_sent_to) : null,
				b.status === "Pending" ? el("p", { class: "sched-muted", text: __("The host will confirm this time; you will get an email either way.") }) : null,
				b.location ? el("p", { text: __("Location") + ": " + b.location }) : null,
				b.confirmation_message ? el("p", { class: "sched-message", text: b.confirmation_message }) : null,
				meetingList(b, false),
				addToCalendar(b),
				b.manage_url ? el("p", { class: "sched-actions" }, el("a", { class: "sched-button", id: "sched-manage-link", href: b.manage_url, target: page.embed ? "_top" : null }, __("Reschedule or cancel"))) : null
			)
		);
		document.getElementById("sched-confirm").focus();
		reportHeight();
	}

	// --- manage page --------------------------------------------------------------------------
	// a status badge: its own colour, and a mark besides the word (never colour alone)
	const STATUS_MARKS = { Confirmed: "✓", Cancelled: "✕", Pending: "…", Completed: "✓" };
	function statusBadge(status) {
		const kind = String(status || "").toLowerCase().replace(/[^a-z]+/g, "-");
		return el("span", { class: "sched-badge sched-badge-" + kind, id: "sched-status" },
			STATUS_MARKS[status] ? el("span", { "aria-hidden": "true", text: STATUS_MARKS[status] + " " }) : null, __(status));
	}
	// where a guest books this meeting type again: its page while it is offered, else the host's
	function rebookUrl() {
		const mt = page.meeting_type;
		const listed = mt && (page.meeting_types || []).find((t) => t.slug === mt.slug);
		return (listed ? listed.url : page.home_url) || null;
	}
	function renderManage(b, notice) {
		const section = clear(root);
		const again = isActive(b.status) || b.status === "Awaiting Payment" ? null : rebookUrl();
		add(section, [
			notice ? el("p", { class: "sched-notice", id: "sched-notice", role: "status", tabindex: "-1", text: notice }) : null,
			whenLine(b, "sched-manage-time"),
			el("p", {}, statusBadge(b.status)),
			b.location ? el("p", { text: __("Location") + ": " + b.location }) : null,
			b.seats ? el("p", { id: "sched-seats", class: "sched-muted", text: __("Group session: {0} of {1} seats taken", [b.seats.taken, b.seats.total]) }) : null,
			b.seats && b.seats.others && b.seats.others.length ? el("p", { id: "sched-attendees", text: __("Also attending: {0}", [b.seats.others.join(", ")]) }) : null,
			meetingList(b, true),
		]);
		if (b.status === "Awaiting Payment") renderPay(b, section);
		else if (b.payment && b.payment.paid) {
			section.append(el("p", { id: "sched-paid", class: "sched-muted" }, __("Paid: {0}", [b.payment.display]),
				b.payment.refunded ? " · " + __("Refunded: {0}", [money(b.payment.refunded, b.payment.currency)]) : null,
				b.payment.receipt_url ? [" · ", el("a", { href: b.payment.receipt_url }, __("Receipt"))] : null));
		}
		add(section, addToCalendar(b));
		// not a dead end once cancelled: the same type's page, to book a new time
		if (again) section.append(el("p", { class: "sched-actions" }, el("a", { class: "sched-button sched-primary", id: "sched-book-again", href: again, target: page.embed ? "_top" : null }, __("Book a new time"))));
		// after a change the page says what happened, and the focus is there to hear it
		const focusNotice = () => { if (notice) document.getElementById("sched-notice").focus(); };
		if (!b.can_cancel) { focusNotice(); return reportHeight(); }
		const rescheduleBtn = el("button", { type: "button", class: "sched-primary", id: "sched-reschedule", onclick: () => {
			openAt(b.start);
			// the focus goes to where the guest now is: the booking's current time, then the times
			const current = el("p", { class: "sched-muted", id: "sched-current", tabindex: "-1" }, __("Your current time: {0}", [bookedWhen(b)]));
			startPicker((slot) => confirmMove(b, slot), current);
			root.prepend(el("button", { type: "button", class: "sched-link", id: "sched-keep", onclick: () => keepTime(b) }, __("Keep my current time")));
			current.focus();
		} }, __("Reschedule"));
		const cancelBtn = el("button", { type: "button", class: "sched-danger", id: "sched-cancel", "aria-expanded": "false", "aria-controls": "sched-cancel-step", onclick: () => toggleCancel(true) }, __("Cancel booking"));
		const step = cancelStep(b, () => toggleCancel(false));
		function toggleCancel(open) {
			step.hidden = !open;
			cancelBtn.setAttribute("aria-expanded", String(open));
			(open ? step.querySelector("h2") : cancelBtn).focus();
			reportHeight();
		}
		add(section, [el("div", { class: "sched-actions" }, b.can_reschedule === false ? null : rescheduleBtn, cancelBtn), step]);
		focusNotice();
		reportHeight();
	}
	// cancelling is a second step: what goes, an optional reason, then "Yes, cancel" or back
	// (Escape goes back too)
	function cancelStep(b, close) {
		const reason = el("textarea", { id: "sched-cancel-reason", rows: "3", maxlength: "1000" });
		// a meeting of a recurring series may take the later ones with it; a multi-day
		// booking is cancelled and moved as a whole
		const later = b.series && b.series.kind === "Recurring" && b.series.meetings.some((m, i) => i > b.series.index && isActive(m.status));
		const following = later ? el("input", { type: "checkbox", id: "sched-cancel-following" }) : null;
		const error = el("div", { class: "sched-error", role: "alert" });
		const yes = el("button", { type: "submit", class: "sched-danger", id: "sched-cancel-confirm" }, __("Yes, cancel"));
		return el(
			"form",
			{ class: "sched-form sched-cancel-step", id: "sched-cancel-step", hidden: true, "aria-labelledby": "sched-cancel-title",
				onkeydown: (e) => {
					if (e.key !== "Escape") return;
					e.preventDefault(); // not the embed pop-up's Escape
					close();
				},
				onsubmit: async (e) => {
					e.preventDefault();
					yes.disabled = true;
					const res = await call("cancel", { token: page.token, reason: reason.value, following: following && following.checked ? 1 : undefined }, true);
					yes.disabled = false;
					const refund = res.body.success && res.body.data.payment && res.body.data.payment.refund_due;
					if (res.body.success) renderManage(Object.assign(b, res.body.data, { can_cancel: false }), __("Your booking is cancelled.") + (refund ? " " + __("{0} goes back to the card you paid with.", [money(refund, res.body.data.payment.currency)]) : ""));
					else error.textContent = res.body.message;
				} },
			el("h2", { id: "sched-cancel-title", tabindex: "-1", text: __("Cancel this booking?") }),
			el("p", { text: bookedWhen(b) + " (" + state.zone + ") · " + b.meeting_type }),
			el("label", { for: "sched-cancel-reason", text: __("Reason (optional)") }),
			reason,
			following ? el("div", { class: "sched-check" }, following, " ", el("label", { for: "sched-cancel-following", text: __("Also cancel every later meeting of the series") })) : null,
			b.series && b.series.kind === "Multi-day" ? el("p", { class: "sched-muted", text: __("Cancelling or rescheduling changes every day of this booking.") }) : null,
			error,
			el("div", { class: "sched-actions" }, yes, el("button", { type: "button", class: "sched-button", id: "sched-cancel-back", onclick: close }, __("Keep my booking")))
		);
	}
	// the reschedule picker opens on the current booking's month and day, while it is ahead
	function openAt(iso) {
		const at = dateInZone(new Date(iso));
		const today = todayInZone();
		if (new Date(iso) <= new Date() || at.y < today.y || (at.y === today.y && at.m < today.m)) return;
		state.month = { y: at.y, m: at.m };
		state.date = null;
		state.focusDate = null;
		state.wantDate = at.key;
	}
	function money(amount, currency) {
		try {
			return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount);
		} catch (e) {
			return amount + " " + currency;
		}
	}
	// a booking still awaiting its payment: pay (the open checkout, or one opened now)
	function renderPay(b, section) {
		const error = el("div", { class: "sched-error", role: "alert" });
		const until = b.payment.hold_until ? fmtDate(b.payment.hold_until, { timeStyle: "short" }) : "";
		const pay = el("button", { type: "button", class: "sched-primary", id: "sched-pay", onclick: async () => {
			pay.disabled = true;
			const res = await call("api.payments.pay", { token: page.token }, true);
			pay.disabled = false;
			if (res.body.success && res.body.data.url) window.location.assign(res.body.data.url);
			else error.textContent = res.body.message || __("Something went wrong: please try again.");
		} }, __("Pay now"));
		section.append(
			el("p", { class: "sched-notice", id: "sched-awaiting" }, until ? __("Not paid yet: we hold this time for you until {0}.", [until]) : __("Not paid yet")),
			el("p", {}, __("Price: {0}", [b.payment.display])),
			error,
			el("div", { class: "sched-actions" }, pay)
		);
	}
	// "Keep my current time": the manage page again, the focus back on Reschedule
	function keepTime(b) {
		renderManage(b);
		const again = document.getElementById("sched-reschedule");
		if (again) again.focus();
	}
	// a picked time is only a proposal until the guest confirms it
	function confirmMove(b, slot) {
		const error = el("div", { class: "sched-error", role: "alert" });
		const confirmBtn = el("button", { type: "button", class: "sched-primary", id: "sched-confirm-move", onclick: async () => {
			confirmBtn.disabled = true;
			const res = await call("reschedule", { token: page.token, start: slot.start, timezone: state.zone }, true);
			confirmBtn.disabled = false;
			if (res.body.success) {
				// a round-robin meeting moved to a time another host of the team has free is theirs now
				const before = b.host_name;
				const moved = Object.assign(b, res.body.data);
				const withLine = document.getElementById("sched-with");
				if (withLine && moved.host_name) withLine.textContent = __("with {0}", [moved.host_name]);
				renderManage(moved, moved.host_name && moved.host_name !== before
					? __("Your booking is rescheduled. It is now with {0}.", [moved.host_name])
					: __("Your booking is rescheduled."));
			}
			else if (res.status === 409) renderTaken(res.body);
			else error.textContent = res.body.message || __("Something went wrong: please try again.");
		} }, __("Move my booking"));
		clear(root).append(
			el("div", { class: "sched-confirm", id: "sched-move", tabindex: "-1", role: "group", "aria-labelledby": "sched-move-title" },
				el("h2", { id: "sched-move-title", text: __("Move your booking?") }),
				el("p", {}, __("From"), ": ", el("s", { text: bookedWhen(b) })),
				el("p", {}, __("To"), ": ", el("strong", { id: "sched-move-time", text: longWhen(slot.start) }), " ", el("span", { class: "sched-muted", text: "(" + state.zone + ")" })),
				error,
				el("p", { class: "sched-actions" }, confirmBtn, " ",
					el("button", { type: "button", class: "sched-button", onclick: () => startPicker((s) => confirmMove(b, s)) }, __("Pick another time")), " ",
					el("button", { type: "button", class: "sched-link", id: "sched-keep", onclick: () => keepTime(b) }, __("Keep my current time")))
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
	else if (page.mode === "receipt") return; // the receipt is the server's page alone
	else if (!root) return;
	else if (page.mode === "manage") {
		if (page.booking.timezone) state.zone = page.booking.timezone;
		renderManage(page.booking);
	} else startBooking();
	reportHeight();
})();
