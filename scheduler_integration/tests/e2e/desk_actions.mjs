// The desk's booking actions, calendar and routing-form builder in headless Chromium
// (Playwright, Debian's chromium); axe-core on the dialog and the builder. Screenshots:
// the cancel dialog and the builder at desktop and 375 px, and in the desk's dark theme.
// Usage: node desk_actions.mjs '<json config>'   (see tests/setup/test_desk_actions.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const result = { errors: [], axe: {}, dialogs: [] };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;
const shot = (page, name) => page.screenshot({ path: join(cfg.shots, name), fullPage: false, animations: "disabled" });

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", `--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`],
});

async function axe(page, name, selector) {
	await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
	result.axe[name] = await page.evaluate(async (sel) => {
		const res = await window.axe.run(document.querySelector(sel), { resultTypes: ["violations"] });
		return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
	}, selector);
}
async function theme(page, dark) {
	await page.evaluate((d) => document.documentElement.setAttribute("data-theme", d ? "dark" : "light"), dark);
}
async function openForm(page, doctype, name) {
	await page.goto(site(`/app/${doctype}/${encodeURIComponent(name)}`), { waitUntil: "load" });
	await page.waitForFunction((n) => window.cur_frm && cur_frm.doc.name === n && !cur_frm.is_dirty(), name, { timeout: 60000 });
	await page.waitForTimeout(500);
}
// a custom button of the form, the visible copy (the toolbar also keeps one for small screens)
const action = (page, name) => page.locator(`button[data-sched-action="${name}"]:visible`).first();

try {
	const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC", viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.on("pageerror", (e) => result.errors.push(String(e)));
	page.on("dialog", async (d) => {
		result.dialogs.push(d.message());
		await d.accept();
	});
	await page.goto(site("/login"), { waitUntil: "load" });
	const login = await page.evaluate(async (c) => (await fetch("/api/method/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ usr: c.user, pwd: c.password }) })).status, cfg);
	if (login !== 200) throw new Error("login failed: " + login);

	// a confirmed meeting still to come: Cancel, and why the marks wait
	await openForm(page, "scheduler-booking", cfg.bookings.confirmed);
	result.buttons = await page.evaluate(() => [...new Set([...document.querySelectorAll("button[data-sched-action]")].map((b) => b.dataset.schedAction))]);
	result.headline = await page.evaluate(() => (document.querySelector(".form-message") || {}).innerText || "");
	result.status_read_only = await page.evaluate(() => cur_frm.get_field("status").df.read_only);
	await action(page, "cancel").click();
	const dialog = page.locator(".sched-cancel-dialog .modal-dialog");
	await dialog.waitFor({ state: "visible" });
	result.dialog_text = await dialog.innerText();
	await axe(page, "cancel dialog", ".sched-cancel-dialog");
	await shot(page, "desk-cancel-dialog-desktop.png");
	await page.setViewportSize({ width: 375, height: 800 });
	await shot(page, "desk-cancel-dialog-375px.png");
	await page.setViewportSize({ width: 1280, height: 900 });
	await theme(page, true);
	await shot(page, "desk-cancel-dialog-dark.png");
	await theme(page, false);
	await dialog.locator("textarea").fill("Guest asked by phone");
	await dialog.locator(".modal-footer .btn-primary").click();
	await page.waitForFunction(() => cur_frm.doc.status === "Cancelled", null, { timeout: 30000 });
	await page.waitForFunction(() => !document.querySelector('button[data-sched-action="cancel"]'), null, { timeout: 30000 });
	// the cancelled booking: read-only, and how the guest came in words
	await page.waitForTimeout(500);
	result.cancelled = await page.evaluate(() => ({
		save_shown: !!cur_frm.page.btn_primary.is(":visible"),
		start_read_only: cur_frm.get_field("start").df.read_only ? 1 : 0,
		add_row_shown: [...document.querySelectorAll(".grid-add-row")].some((b) => b.offsetParent !== null),
		intro: (document.querySelector(".form-message") || {}).innerText || "",
		source: cur_frm.get_field("source").$wrapper.find(".control-value").text().trim(),
	}));
	await shot(page, "desk-cancelled-booking-desktop.png");

	// the form was read before the booking was cancelled elsewhere: the server's reason shows
	await openForm(page, "scheduler-booking", cfg.bookings.stale);
	await page.evaluate(async (name) => {
		await fetch("/api/method/scheduler_integration.api.booking.cancel_booking", { method: "POST", headers: { "Content-Type": "application/json", "X-Frappe-CSRF-Token": frappe.csrf_token }, body: JSON.stringify({ booking: name }) });
	}, cfg.bookings.stale);
	await action(page, "cancel").click();
	await page.locator(".sched-cancel-dialog .modal-dialog:visible .modal-footer .btn-primary").click();
	const message = page.locator(".modal.show .msgprint, .modal.show .modal-body .msgprint").last();
	await message.waitFor({ state: "visible", timeout: 30000 });
	result.refusal = await page.evaluate(() => [...document.querySelectorAll(".modal.show")].map((m) => m.innerText).join("\n"));
	await page.keyboard.press("Escape");
	await page.keyboard.press("Escape");

	// the calendar view of that day: one colour per status, a cancelled booking struck through
	await page.goto(site("/app/scheduler-booking/view/calendar/default"), { waitUntil: "load" });
	await page.waitForFunction(() => window.cur_list && cur_list.calendar && cur_list.calendar.$cal, null, { timeout: 60000 });
	await page.evaluate((day) => {
		cur_list.calendar.$cal.fullCalendar("changeView", "agendaDay");
		cur_list.calendar.$cal.fullCalendar("gotoDate", day);
	}, cfg.day);
	await page.waitForFunction(() => document.querySelectorAll(".fc-event[data-sched-status]").length >= 3, null, { timeout: 30000 });
	result.events = await page.evaluate(() => [...document.querySelectorAll(".fc-event[data-sched-status]")].map((e) => ({ status: e.dataset.schedStatus, decoration: getComputedStyle(e).textDecorationLine, background: getComputedStyle(e).backgroundColor, title: e.innerText })));
	await page.locator(".fc-event[data-sched-status]").first().scrollIntoViewIfNeeded();
	await shot(page, "desk-calendar-desktop.png");

	// the routing form: questions with their choices, rules with their conditions, one place
	await openForm(page, "scheduler-routing-form", cfg.form);
	await page.locator(".sched-rb").waitFor();
	result.options_shown = await page.evaluate(() => document.querySelector(".sched-rb-question:nth-of-type(2) textarea, .sched-rb-question textarea").value);
	result.condition_questions = await page.evaluate(() => [...document.querySelectorAll(".sched-rb-cond select")[0].options].map((o) => o.value));
	await page.locator(".sched-rb-add-question").click();
	const q = page.locator(".sched-rb-question").last();
	await q.locator("input[id$='-label']").fill("Budget");
	await q.locator("input[id$='-label']").press("Tab");
	await page.waitForFunction(() => [...document.querySelectorAll(".sched-rb-question input[id$='-key']")].some((i) => i.value === "budget"));
	await page.locator(".sched-rb-question").last().locator("select[id$='-fieldtype']").selectOption("Select");
	await page.locator(".sched-rb-question").last().locator("textarea[id$='-options']").fill("Low\nHigh");
	await page.locator(".sched-rb-question").last().locator("textarea[id$='-options']").press("Tab");
	await page.locator(".sched-rb-add-rule").click();
	const rule = () => page.locator(".sched-rb-rule").last();
	await rule().locator("input[id$='-name']").fill("premium");
	await rule().locator("input[id$='-name']").press("Tab");
	await page.waitForFunction(() => cur_frm.doc.rules.some((r) => r.rule_name === "premium"));
	await rule().locator(".sched-rb-add-condition").click();
	await rule().locator(".sched-rb-cond select[id$='-question']").selectOption("budget");
	await rule().locator(".sched-rb-cond select[id$='-operator']").selectOption("is");
	await rule().locator(".sched-rb-cond select[id$='-value']").selectOption("High");
	await rule().locator("select[id$='-outcome']").selectOption("Message");
	await rule().locator("textarea[id$='-message']").fill("A specialist will call you.");
	await rule().locator("textarea[id$='-message']").press("Tab");
	await axe(page, "routing builder", ".sched-rb");
	await page.locator(".sched-rb-rule").last().scrollIntoViewIfNeeded();
	await shot(page, "desk-routing-builder-desktop.png");
	await page.setViewportSize({ width: 375, height: 800 });
	await shot(page, "desk-routing-builder-375px.png");
	await page.setViewportSize({ width: 1280, height: 900 });
	await theme(page, true);
	await shot(page, "desk-routing-builder-dark.png");
	await theme(page, false);
	await page.evaluate(() => cur_frm.save());
	await page.waitForFunction(() => !cur_frm.is_dirty() && cur_frm.doc.conditions.some((c) => c.rule === "premium" && c.value === "High" && !c.__islocal), null, { timeout: 30000 });
	console.log(JSON.stringify(result));
} catch (e) {
	result.failure = String((e && e.stack) || e);
	// where it stood: the page's address and form, and a screenshot to look at
	for (const page of browser.contexts().flatMap((c) => c.pages())) {
		result.at = { url: page.url(), form: await page.evaluate(() => window.cur_frm && [cur_frm.doctype, cur_frm.doc.name, cur_frm.is_dirty()]).catch(() => null) };
		await shot(page, "desk-actions-failure.png").catch(() => {});
	}
	console.log(JSON.stringify(result));
	process.exitCode = 1;
} finally {
	await browser.close();
}
