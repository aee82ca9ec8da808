// End-to-end checks in headless Chromium (Playwright, Debian's chromium), one scenario a run.
// Usage: node booking_flow.mjs '<json config>'   (see tests/pages/test_browser_e2e.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const result = { dialogs: [], errors: [], axe: {} };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;
const shot = (page, name) => page.screenshot({ path: join(cfg.shots, name), fullPage: true, animations: "disabled" });

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: [
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		`--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`,
	],
});

// this month on the browser's clock, "YYYY-MM": a page opened with ?month= shows it even when
// it has no time left (opened without, the page goes on to the next month with times)
const THIS_MONTH = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo", year: "numeric", month: "2-digit" }).format(new Date());
async function newPage(options) {
	const context = await browser.newContext(Object.assign({ timezoneId: "Asia/Tokyo", locale: "en-US", viewport: { width: 1280, height: 900 } }, options));
	const page = await context.newPage();
	page.on("dialog", async (d) => {
		if (d.type() === "beforeunload") return d.accept(); // leaving an unsaved desk form
		result.dialogs.push(d.message());
		await d.dismiss();
	});
	page.on("pageerror", (e) => result.errors.push(String(e)));
	// what a failure report shows: refused and unfinished requests, every frame's text
	page.on("request", (r) => pending.set(r, Date.now()));
	page.on("requestfinished", (r) => pending.delete(r));
	page.on("requestfailed", (r) => {
		pending.delete(r);
		http.push(`failed ${r.url()} ${r.failure() && r.failure().errorText}`);
	});
	page.on("response", (r) => r.status() >= 400 && http.push(`${r.status()} ${r.url()}`));
	pages.push(page);
	return page;
}
const pages = [];
const pending = new Map();
const http = [];
async function whatWasShown() {
	const frames = [];
	for (const page of pages) {
		for (const frame of page.frames()) {
			const text = await frame.evaluate(() => (document.body ? document.body.innerText : "").slice(0, 300)).catch((e) => `(${e.message.split("\n")[0]})`);
			frames.push(`${frame.url()}: ${text}`);
		}
	}
	const now = Date.now();
	return { frames, http, pending: [...pending].map(([r, t]) => `${r.method()} ${r.url()} for ${now - t} ms`) };
}
// axe-core (npm) on the whole page: only serious and critical violations are kept
async function axe(page, name) {
	await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
	const out = await page.evaluate(async () => {
		const res = await window.axe.run(document, { resultTypes: ["violations"] });
		return res.violations.filter((v) => ["serious", "critical"].includes(v.impact)).map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
	});
	result.axe[name] = out;
}
async function both(page, name) {
	const size = page.viewportSize();
	await shot(page, `${name}-desktop.png`);
	await page.setViewportSize({ width: 375, height: 800 });
	result.overflow = result.overflow || {};
	result.overflow[name] = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
	await shot(page, `${name}-375px.png`);
	await page.setViewportSize(size);
}
const focused = (page) => page.evaluate(() => {
	const a = document.activeElement;
	return a ? { tag: a.tagName, id: a.id, cls: a.className, date: a.dataset && a.dataset.date, type: a.dataset && a.dataset.type, text: (a.textContent || "").trim().slice(0, 80) } : null;
});
// the focused element's outline as drawn (keyboard focus must be visible)
const focusRing = (page) => page.evaluate(() => {
	const style = getComputedStyle(document.activeElement);
	return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) || 0 };
});
async function tabTo(page, test, limit = 60) {
	for (let i = 0; i < limit; i++) {
		await page.keyboard.press("Tab");
		const f = await focused(page);
		if (f && test(f)) return f;
	}
	throw new Error("keyboard focus never reached the wanted element");
}
// an element's box unchanged for half a second
async function settled(page, selector) {
	await page.waitForFunction((sel) => {
		const r = document.querySelector(sel).getBoundingClientRect();
		const box = [r.x, r.y, r.width, r.height].join();
		const seen = window.__settled || (window.__settled = {});
		if (!seen[sel] || seen[sel].box !== box) seen[sel] = { box, since: performance.now() };
		return performance.now() - seen[sel].since > 500;
	}, selector, { polling: 100, timeout: 15000 });
}
async function waitDays(page) {
	await page.waitForFunction(() => document.querySelector(".sched-times[aria-busy='false']"), null, { timeout: 30000 });
}
// the booking's own month may have no other time (its last day, the one time of it booked):
// the page says "Try the next month", and the guest does
async function toMonthWithTimes(page) {
	for (let i = 0; i < 2 && !(await page.locator("button.sched-day.has").count()); i++) {
		await page.click(".sched-month-nav button:last-child");
		await waitDays(page);
	}
}
// keyboard only: into the grid, arrows to a day with times, Enter, Enter on the first time
async function pickByKeyboard(page) {
	await waitDays(page);
	let f = await tabTo(page, (x) => x.cls.includes("sched-day"));
	result.focus_ring = [await focusRing(page)];
	const start = f.date;
	await page.keyboard.press("ArrowDown");
	await waitDays(page);
	const down = (await focused(page)).date;
	await page.keyboard.press("ArrowUp");
	await waitDays(page);
	const back = (await focused(page)).date;
	result.grid_moves = { start, down, back };
	for (let i = 0; i < 70; i++) {
		f = await focused(page);
		if (f.cls.includes("has")) break;
		await page.keyboard.press("ArrowRight");
		await waitDays(page);
	}
	await page.keyboard.press("Enter");
	await page.waitForSelector("button.sched-slot");
	f = await focused(page);
	result.focus_after_day = f.cls;
	result.focus_ring.push(await focusRing(page));
	result.groups = await page.locator("h4.sched-group").allTextContents();
	return f;
}

try {
	if (cfg.scenario === "keyboard") {
		const page = await newPage();
		await page.goto(site(`/book/${cfg.profile}`), { waitUntil: "load" });
		await axe(page, "profile");
		await both(page, "profile");
		await tabTo(page, (f) => f.type === cfg.type);
		await Promise.all([page.waitForURL(`**/book/${cfg.profile}/${cfg.type}**`), page.keyboard.press("Enter")]);
		result.detected_zone = await page.getAttribute("#sched-zone", "data-zone");
		await pickByKeyboard(page);
		result.live = await page.textContent("#sched-live");
		await axe(page, "type");
		await both(page, "booking");
		await page.keyboard.press("Enter"); // the focused first time
		await page.waitForSelector("#sched-f-name");
		result.focus_form = (await focused(page)).id;
		await page.keyboard.type("Hanako Yamada");
		await page.keyboard.press("Enter"); // submit with the email missing
		await page.waitForSelector("#sched-f-email[aria-invalid='true']");
		result.invalid = await page.evaluate(() => {
			const input = document.getElementById("sched-f-email");
			const ids = (input.getAttribute("aria-describedby") || "").split(" ");
			return { focused: document.activeElement === input, described: ids.map((id) => (document.getElementById(id) || {}).textContent || "").join(" | ") };
		});
		await page.keyboard.type("hanako@example.jp");
		await tabTo(page, (f) => f.id === "sched-f-notes", 10);
		await page.keyboard.type("Expansion plans");
		await tabTo(page, (f) => f.tag === "BUTTON" && f.cls.includes("sched-primary"), 10);
		const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes("api.public.book")), page.keyboard.press("Enter")]);
		const booked = (await response.json()).message;
		result.book_status = response.status();
		result.booking = booked.data;
		await page.waitForSelector("#sched-confirm-time");
		result.confirm_text = (await page.textContent("#sched-confirm-time")).trim();
		result.expected_text = new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Tokyo", weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "numeric", minute: "2-digit" }).format(new Date(booked.data.start));
		await axe(page, "confirmation");
		await both(page, "confirmation");
		await tabTo(page, (f) => f.id === "sched-manage-link", 20);
		await Promise.all([page.waitForURL("**/book/manage/**"), page.keyboard.press("Enter")]);
		await page.waitForSelector("#sched-cancel");
		result.manage_text = await page.textContent("#sched-app");
		result.manage_time = (await page.textContent("#sched-manage-time")).trim();
		await axe(page, "manage");
		await both(page, "manage");
		// reschedule: a picked time waits for confirmation; "keep" leaves the booking alone
		await page.click("#sched-reschedule");
		await page.waitForSelector("#sched-keep");
		await waitDays(page);
		result.reschedule_focus = await page.evaluate(() => document.activeElement && document.activeElement.id);
		await toMonthWithTimes(page);
		await page.locator("button.sched-day.has").last().click();
		await page.locator("button.sched-slot").last().click();
		await page.waitForSelector("#sched-move");
		result.move_to = (await page.textContent("#sched-move-time")).trim();
		await shot(page, "reschedule-confirm-desktop.png");
		await page.click("#sched-keep");
		await page.waitForSelector("#sched-manage-time");
		result.keep_focus = await page.evaluate(() => document.activeElement && document.activeElement.id);
		result.kept_time = (await page.textContent("#sched-manage-time")).trim();
		await page.click("#sched-reschedule");
		await waitDays(page);
		await toMonthWithTimes(page);
		await page.locator("button.sched-day.has").last().click();
		await page.locator("button.sched-slot").last().click();
		await page.waitForSelector("#sched-confirm-move");
		const [moved] = await Promise.all([page.waitForResponse((r) => r.url().includes("api.public.reschedule")), page.click("#sched-confirm-move")]);
		result.moved = (await moved.json()).message.data;
		await page.waitForSelector(".sched-notice");
		result.moved_notice = (await page.textContent(".sched-notice")).trim();
		result.moved_focus = await page.evaluate(() => document.activeElement && document.activeElement.id);
		result.moved_time = (await page.textContent("#sched-manage-time")).trim();
		result.confirmed_badge = await page.evaluate(() => { const b = document.getElementById("sched-status"); return [b.textContent.trim(), getComputedStyle(b).backgroundColor]; });
		await page.click("#sched-cancel"); // cancelling asks first (tests/e2e/every_meeting.mjs)
		await page.fill("#sched-cancel-reason", "Plans changed");
		await page.click("#sched-cancel-confirm");
		await page.waitForSelector("#sched-status");
		await page.waitForFunction(() => !document.getElementById("sched-cancel"));
		result.cancel_notice = (await page.textContent(".sched-notice")).trim();
		result.cancel_focus = await page.evaluate(() => document.activeElement && document.activeElement.id);
		result.cancelled_badge = await page.evaluate(() => { const b = document.getElementById("sched-status"); return [b.textContent.trim(), getComputedStyle(b).backgroundColor]; });
		result.book_again = await page.evaluate(() => { const a = document.getElementById("sched-book-again"); return a && new URL(a.href).pathname; });
		await axe(page, "cancelled");
		await shot(page, "cancelled-375px.png");
		// the cancelled booking's manage page, opened again later: the same way back
		await page.reload({ waitUntil: "load" });
		await page.waitForSelector("#sched-status");
		result.book_again_later = await page.evaluate(() => { const a = document.getElementById("sched-book-again"); return a && new URL(a.href).pathname; });
	} else if (cfg.scenario === "german") {
		const page = await newPage({ locale: "de-DE" }); // Accept-Language: de-DE
		await page.goto(site(`/book/${cfg.profile}/${cfg.type}`), { waitUntil: "load" });
		result.html_lang = await page.getAttribute("html", "lang");
		await waitDays(page);
		result.zone_label = (await page.textContent("label[for='sched-zone']")).trim();
		result.next_label = await page.getAttribute(".sched-month-nav button:last-child", "aria-label");
		await toMonthWithTimes(page);
		await page.locator("button.sched-day.has").first().click();
		await page.waitForSelector("button.sched-slot");
		result.groups = await page.locator("h4.sched-group").allTextContents();
		await axe(page, "type_de");
		await both(page, "booking-de");
		await page.locator("button.sched-slot").first().click();
		await page.fill("#sched-f-name", "Greta Schmidt");
		await page.fill("#sched-f-email", "greta@example.de");
		result.submit_label = (await page.textContent("button.sched-primary")).trim();
		const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes("api.public.book")), page.click("button.sched-primary")]);
		result.book_status = response.status();
		result.booking = (await response.json()).message.data;
		await page.waitForSelector("#sched-confirm");
		result.confirm_heading = (await page.textContent("#sched-confirm h2")).trim();
		await both(page, "confirmation-de");
		// ?lang= wins over the browser's language; ?date= opens the picker on that day; dark mode
		const en = await newPage({ locale: "en-US", colorScheme: "dark" });
		await en.goto(site(`/book/${cfg.profile}/${cfg.type}?lang=de`), { waitUntil: "load" });
		await waitDays(en);
		result.param_zone_label = (await en.textContent("label[for='sched-zone']")).trim();
		await toMonthWithTimes(en); // the German booking above may have taken the month's last time
		const days = await en.locator("button.sched-day.has").evaluateAll((b) => b.map((x) => x.dataset.date));
		result.wanted_date = days[days.length - 1];
		await en.goto(site(`/book/${cfg.profile}/${cfg.type}?lang=de&date=${result.wanted_date}`), { waitUntil: "load" });
		await waitDays(en);
		result.selected_date = await en.getAttribute("button.sched-day.selected", "data-date");
		await axe(en, "type_dark");
		await both(en, "booking-dark");
	} else if (cfg.scenario === "embed") {
		// the host copies the snippets from the meeting type form
		const desk = await newPage({ timezoneId: "America/New_York" });
		await login(desk);
		await desk.goto(site(`/app/scheduler-meeting-type/${encodeURIComponent(cfg.type_name)}`), { waitUntil: "load" });
		await desk.getByRole("button", { name: "Embed on a Website" }).click();
		await desk.waitForSelector(".modal.show .modal-title");
		const snippets = await desk.evaluate(() => {
			const d = scheduler_integration.embed_dialog;
			return { inline: d.get_value("inline"), popup: d.get_value("popup") };
		});
		await shot(desk, "desk-embed-dialog-desktop.png");
		result.snippets = snippets;
		// a plain page of another website (another port) with both snippets
		const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme Consulting</title></head>
<body style="font-family:sans-serif;margin:0 auto;max-width:980px;padding:16px"><h1>Acme Consulting</h1><p>Talk to us:</p>
<section id="inline">${snippets.inline}</section><hr><p id="popup">${snippets.popup}</p>
<script>window.booked = []; document.addEventListener("scheduler:booked", (e) => window.booked.push(e.detail));</script></body></html>`;
		const server = createServer((req, res) => { res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }); res.end(html); });
		await new Promise((ok) => server.listen(cfg.embed_port, "127.0.0.1", ok));
		try {
			const page = await newPage();
			await page.goto(`http://127.0.0.1:${cfg.embed_port}/`, { waitUntil: "load" });
			const frame = page.frameLocator("#inline iframe");
			await frame.locator(".sched-times[aria-busy='false']").waitFor({ timeout: 30000 });
			if (!(await frame.locator("button.sched-day.has").count())) {
				await frame.locator(".sched-month-nav button:last-child").click();
				await frame.locator(".sched-times[aria-busy='false']").waitFor({ timeout: 30000 });
			}
			result.inline_height_before = await page.evaluate(() => document.querySelector("#inline iframe").getBoundingClientRect().height);
			await frame.locator("button.sched-day.has").first().click();
			await frame.locator("button.sched-slot").first().click();
			await frame.locator("#sched-f-name").fill("Inline Guest");
			await frame.locator("#sched-f-email").fill("inline-guest@example.com");
			await frame.locator("button.sched-primary").click();
			await frame.locator("#sched-confirm-time").waitFor({ timeout: 30000 });
			result.inline_confirm = (await frame.locator("#sched-confirm-time").textContent()).trim();
			await page.waitForFunction(() => window.booked.length === 1);
			result.inline_height_after = await page.evaluate(() => document.querySelector("#inline iframe").getBoundingClientRect().height);
			await shot(page, "embed-inline-desktop.png");
			await page.setViewportSize({ width: 375, height: 800 });
			await shot(page, "embed-inline-375px.png");
			await page.setViewportSize({ width: 1280, height: 900 });
			// pop-up. The inline frame takes its page's new height by message after the viewport
			// change; a click aimed before that lands on whatever moved under the pointer.
			await settled(page, "#inline iframe");
			await page.click("#popup button");
			await page.waitForSelector("dialog.scheduler-embed-dialog[open]", { timeout: 5000 });
			const pop = page.frameLocator("dialog.scheduler-embed-dialog iframe");
			await pop.locator(".sched-times[aria-busy='false']").waitFor({ timeout: 30000 });
			if (!(await pop.locator("button.sched-day.has").count())) {
				await pop.locator(".sched-month-nav button:last-child").click();
				await pop.locator(".sched-times[aria-busy='false']").waitFor({ timeout: 30000 });
			}
			await pop.locator("button.sched-day.has").last().click();
			await pop.locator("button.sched-slot").last().click();
			await shot(page, "embed-popup-desktop.png");
			await page.setViewportSize({ width: 375, height: 800 });
			await shot(page, "embed-popup-375px.png");
			await page.setViewportSize({ width: 1280, height: 900 });
			await pop.locator("#sched-f-name").fill("Popup Guest");
			await pop.locator("#sched-f-email").fill("popup-guest@example.com");
			await pop.locator("button.sched-primary").click();
			await pop.locator("#sched-confirm-time").waitFor({ timeout: 30000 });
			result.popup_confirm = (await pop.locator("#sched-confirm-time").textContent()).trim();
			await page.waitForFunction(() => window.booked.length === 2);
			result.booked_events = await page.evaluate(() => window.booked);
			await page.keyboard.press("Escape");
			await page.waitForFunction(() => !document.querySelector("dialog.scheduler-embed-dialog"));
			result.focus_after_close = await page.evaluate(() => document.activeElement && document.activeElement.dataset.schedulerEmbed);
		} finally {
			server.close();
		}
	} else if (cfg.scenario === "taken") {
		// the time is taken while the guest fills the form: the nearest times are offered, and
		// the form the guest comes back to keeps what they typed; British English: the times
		// of the grid and of the nearest times read alike ("09:30", not "9:30")
		const page = await newPage({ locale: "en-GB" });
		let taken = false;
		await page.route("**/api/method/scheduler_integration.api.public.book", async (route) => {
			if (!taken) {
				taken = true; // the other guest's request passes through here too
				const mine = JSON.parse(route.request().postData());
				const other = { ...mine, name: "Other Guest", email: cfg.other_email, idempotency_key: undefined, challenge: undefined, nonce: undefined };
				result.other_status = await page.evaluate(async (body) => (await fetch("/api/method/scheduler_integration.api.public.book", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) })).status, other);
			}
			await route.continue();
		});
		await page.goto(site(`/book/${cfg.profile}/${cfg.type}`), { waitUntil: "load" });
		await waitDays(page);
		if (!(await page.locator("button.sched-day.has").count())) {
			await page.click(".sched-month-nav button:last-child");
			await waitDays(page);
		}
		await page.locator("button.sched-day.has").first().click();
		await page.waitForSelector("button.sched-slot");
		result.grid_times = await page.locator("button.sched-slot").allTextContents();
		await page.locator("button.sched-slot").first().click();
		// every mistake at once, and nothing sent (issue 50, item 9): the server's limits
		let sent = 0;
		page.on("request", (r) => { if (r.url().includes("api.public.book")) sent++; });
		await page.fill("#sched-f-name", "Tanja Taken");
		await page.fill("#sched-f-email", "not-an-email");
		await page.fill("#sched-f-phone", "call me maybe");
		await page.fill("#sched-f-company", "C".repeat(300));
		await page.fill("#sched-f-notes", "N".repeat(6000));
		await page.click("button.sched-primary");
		result.one_round = await page.evaluate(() => [...document.querySelectorAll("form.sched-form [aria-invalid='true']")].map((i) => i.name).sort());
		result.one_round_sent = sent;
		result.one_round_kept = await page.evaluate(() => [document.querySelector("#sched-f-company").value.length, document.querySelector("#sched-f-notes").value.length]);
		await shot(page, "one-round.png");
		await page.fill("#sched-f-phone", "");
		await page.fill("#sched-f-company", "");
		await page.fill("#sched-f-name", "Tanja Taken");
		await page.fill("#sched-f-email", cfg.guest_email);
		await page.fill("#sched-f-notes", "About the offer");
		const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes("api.public.book") && r.request().postDataJSON().email === cfg.guest_email), page.click("button.sched-primary")]);
		result.book_status = response.status();
		await page.waitForSelector("#sched-alt-title");
		result.taken_focus = await page.evaluate(() => document.activeElement && document.activeElement.id);
		result.alternative_times = await page.locator(".sched-slot-list button.sched-slot").allTextContents();
		await shot(page, "taken.png");
		await page.locator(".sched-slot-list button.sched-slot").first().click();
		await page.waitForSelector("#sched-f-name");
		result.values = await page.evaluate(() => Object.fromEntries(["name", "email", "notes"].map((n) => [n, document.querySelector(`form.sched-form [name="${n}"]`).value])));
		await shot(page, "taken-form.png");
	} else if (cfg.scenario === "invitation") {
		// the invited colleague opens the team type from their to-do and accepts there
		const page = await newPage({ timezoneId: "America/New_York" });
		await login(page);
		await page.goto(site(`/app/scheduler-meeting-type/${encodeURIComponent(cfg.meeting_type)}`), { waitUntil: "load" });
		// the answer's buttons sit in the form's message (the toolbar folds its own into "⋯"
		// on a phone)
		const accept = page.locator(".form-message").getByRole("button", { name: cfg.accept_label });
		await accept.waitFor({ timeout: 60000 });
		result.intro = (await page.locator(".form-message").first().textContent()).trim();
		result.decline_shown = await page.locator(".form-message").getByRole("button", { name: cfg.decline_label }).isVisible();
		// the invitee reads the type; only its owner saves it
		result.save_shown = await page.evaluate(() => cur_frm.page.btn_primary.is(":visible"));
		await page.setViewportSize({ width: 375, height: 800 });
		result.accept_on_phone = await accept.isVisible();
		await page.setViewportSize({ width: 1280, height: 900 });
		await both(page, "invitation");
		await accept.click();
		await page.waitForFunction((label) => ![...document.querySelectorAll("button")].some((b) => b.textContent.trim() === label && b.offsetParent), cfg.accept_label, { timeout: 60000 });
		result.accepted_shown = true;
	} else if (cfg.scenario === "months") {
		// months asked quickly one after the other may answer out of order (the first slowest):
		// the page shows the last one asked; a month arrow used with the keyboard keeps the focus
		const page = await newPage({});
		let asked = 0;
		await page.route("**/api/method/scheduler_integration.api.public.get_slots*", async (route) => {
			asked += 1;
			if (asked === 2) await new Promise((done) => setTimeout(done, 1500)); // the first arrow's month
			await route.continue();
		});
		await page.goto(site(`/book/${cfg.profile}/${cfg.far_type}?month=${THIS_MONTH}`), { waitUntil: "load" });
		await waitDays(page);
		await page.click("[data-nav='next']");
		await page.click("[data-nav='next']");
		await page.waitForTimeout(2500);
		await waitDays(page);
		result.title = (await page.textContent("#sched-month-title")).trim();
		result.day_months = [...new Set(await page.locator("button.sched-day.has").evaluateAll((b) => b.map((x) => x.dataset.date.slice(0, 7))))];
		result.selected = await page.getAttribute("button.sched-day.selected", "data-date");
		await page.focus("[data-nav='prev']");
		await page.keyboard.press("Enter");
		await waitDays(page);
		result.focus_after_prev = await page.evaluate(() => document.activeElement && document.activeElement.dataset.nav);
		result.title_after_prev = (await page.textContent("#sched-month-title")).trim();
		await shot(page, "months.png");
		// a month no answer can come for (the slot API's dates end in 2200): not kept
		await page.goto(site(`/book/${cfg.profile}/${cfg.far_type}?month=2200-12`), { waitUntil: "load" });
		await waitDays(page);
		result.far = { title: (await page.textContent("#sched-month-title")).trim(), error: await page.locator(".sched-error").count(), days: await page.locator("button.sched-day.has").count() };
	} else if (cfg.scenario === "next_month") {
		// no time left this month (the type's notice reaches past its end): the page opens on
		// the next month, its first day with times chosen; asked for by ?month=, this month stays
		const page = await newPage({});
		await page.goto(site(`/book/${cfg.profile}/${cfg.late_type}`), { waitUntil: "load" });
		await waitDays(page);
		result.opened = {
			title: (await page.textContent("#sched-month-title")).trim(),
			day_months: [...new Set(await page.locator("button.sched-day.has").evaluateAll((b) => b.map((x) => x.dataset.date.slice(0, 7))))],
			selected: await page.getAttribute("button.sched-day.selected", "data-date"),
			prev_disabled: await page.locator("[data-nav='prev']").isDisabled(),
		};
		await shot(page, "next-month.png");
		// back to this month by the arrow: it stays, empty, with the hint
		await page.click("[data-nav='prev']");
		await waitDays(page);
		await page.waitForTimeout(500);
		result.back = { title: (await page.textContent("#sched-month-title")).trim(), days: await page.locator("button.sched-day.has").count(), hint: (await page.textContent(".sched-times")).trim() };
		await page.goto(site(`/book/${cfg.profile}/${cfg.late_type}?month=${THIS_MONTH}`), { waitUntil: "load" });
		await waitDays(page);
		await page.waitForTimeout(500);
		result.asked = { title: (await page.textContent("#sched-month-title")).trim(), days: await page.locator("button.sched-day.has").count() };
	} else if (cfg.scenario === "horizon") {
		// a type bookable at most N days ahead: the month picker stops at the month of its
		// last bookable day, by the button and by Page Down alike
		const page = await newPage({});
		await page.goto(site(`/book/${cfg.profile}/${cfg.horizon_type}?month=${THIS_MONTH}`), { waitUntil: "load" });
		await waitDays(page);
		result.months = [];
		const next = page.locator(".sched-month-nav button:last-child");
		for (let i = 0; i < 6; i++) {
			const disabled = await next.isDisabled();
			result.months.push({ title: (await page.textContent("#sched-month-title")).trim(), disabled });
			if (disabled) break;
			await next.click();
			await waitDays(page);
		}
		const last = await page.locator("button.sched-day").last().getAttribute("data-date");
		await page.locator("button.sched-day[tabindex='0']").focus();
		await page.keyboard.press("PageDown");
		await page.waitForTimeout(500);
		result.after_page_down = (await page.textContent("#sched-month-title")).trim();
		result.last_day_shown = last;
		await shot(page, "horizon.png");
	} else if (cfg.scenario === "desk") {
		const page = await newPage({ timezoneId: "America/New_York" });
		await login(page);
		await page.goto(site("/app/scheduling"), { waitUntil: "load" });
		await page.waitForFunction((n) => document.querySelectorAll(".number-widget-box .number").length >= n && [...document.querySelectorAll(".number-widget-box .number")].every((x) => x.textContent.trim() && !/Loading/.test(x.textContent)), 5, { timeout: 60000 });
		await page.waitForSelector(".sched-next-item, .sched-next-empty", { timeout: 60000 });
		// both charts drawn: bookings per day and per month (a Custom chart, its source's method)
		await page.waitForFunction(() => document.querySelectorAll(".dashboard-widget-box .chart-container .frappe-chart").length >= 2, null, { timeout: 60000 });
		await page.waitForTimeout(1000); // the charts draw their bars after their data arrives
		result.month_labels = await page.evaluate(() => [...document.querySelectorAll(".dashboard-widget-box")].filter((w) => /Month/.test(w.querySelector(".widget-title").textContent)).flatMap((w) => [...w.querySelectorAll(".x.axis text, .x-axis text, text.x-axis-label")].map((t) => t.textContent.trim())));
		result.cards = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll(".number-widget-box")].map((w) => [w.querySelector(".widget-title").textContent.trim(), w.querySelector(".number").textContent.trim()])));
		result.next = await page.locator(".sched-next-item").allTextContents();
		result.chart = await page.locator(".widget.dashboard-widget-box .widget-title").allTextContents();
		await both(page, "workspace");
		// desk forms changed by this work
		await page.goto(site("/app/scheduler-availability/new"), { waitUntil: "load" });
		await page.waitForFunction(() => window.cur_frm && cur_frm.doc.doctype === "Scheduler Availability" && cur_frm.doc.timezone);
		result.new_availability = await page.evaluate(() => ({ title: cur_frm.doc.title, timezone: cur_frm.doc.timezone, rows: cur_frm.doc.weekly_rules.length, from_type: frappe.meta.get_docfield("Scheduler Availability Rule", "from_time").fieldtype }));
		await shot(page, "desk-availability-desktop.png");
		await page.goto(site("/app/scheduler-blocked-time/new"), { waitUntil: "load" });
		await page.waitForFunction(() => window.cur_frm && cur_frm.doc.doctype === "Scheduler Blocked Time");
		await page.getByRole("button", { name: "Repeat…" }).click();
		await page.waitForSelector(".modal.show [data-fieldname='frequency']");
		await page.evaluate(() => cur_frm.sched_repeat_dialog.set_values({ frequency: "Weekly", interval: 2, day_MO: 1, day_WE: 1, ends: "After", count: 6 }));
		await shot(page, "desk-blocked-time-repeat-desktop.png");
		await page.evaluate(() => { const d = cur_frm.sched_repeat_dialog; d.primary_action(d.get_values()); });
		result.rrule = await page.evaluate(() => cur_frm.doc.rrule);
		result.rrule_text = await page.evaluate(() => cur_frm.get_field("rrule").df.description);
		await page.goto(site(`/app/scheduler-booking/${encodeURIComponent(cfg.booking_name)}`), { waitUntil: "load" });
		await page.waitForSelector("[data-fieldname='answers_html'] table");
		result.answers_table = await page.locator("[data-fieldname='answers_html'] table").innerText();
		result.answers_markup = await page.locator("[data-fieldname='answers_html']").innerHTML();
		await shot(page, "desk-booking-answers-desktop.png");
		await page.goto(site(`/app/scheduler-profile/${encodeURIComponent(cfg.profile_name)}`), { waitUntil: "load" });
		await page.waitForSelector(".form-message");
		await page.evaluate(() => cur_frm.dirty());
		await page.keyboard.press("Control+s"); // save: the banner must not be added twice
		await page.waitForFunction(() => !cur_frm.is_dirty());
		await page.waitForTimeout(1500);
		result.banners = await page.locator(".form-message").count();
		await shot(page, "desk-profile-desktop.png");
	}
	console.log(JSON.stringify(result));
} catch (e) {
	result.failure = String((e && e.stack) || e);
	result.shown = await whatWasShown().catch((err) => String(err));
	console.log(JSON.stringify(result));
	process.exitCode = 1;
} finally {
	await browser.close();
}

async function login(page) {
	await page.goto(site("/login"), { waitUntil: "load" });
	const res = await page.evaluate(async (c) => {
		const r = await fetch("/api/method/login", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ usr: c.user, pwd: c.password }) });
		return r.status;
	}, cfg);
	if (res !== 200) throw new Error("login failed: " + res);
}
