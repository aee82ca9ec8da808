// A brand-new host's first hour, in headless Chromium (Playwright, Debian's chromium): from
// signing in to a guest's confirmed booking on their page, using only what the desk and the
// booking page show. Every click (host and guest) is counted, with what it was for.
// Usage: node first_hour.mjs '<json config>'   (see tests/setup/test_first_hour_browser.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { join } from "node:path";

const cfg = JSON.parse(process.argv[2]);
const result = { dialogs: [], errors: [], clicks: [], http: [] };
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

async function newPage(options) {
	const context = await browser.newContext(Object.assign({ locale: "en-US", viewport: { width: 1280, height: 900 } }, options));
	await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: site("") }).catch(() => null);
	const page = await context.newPage();
	page.on("dialog", async (d) => {
		if (d.type() === "beforeunload") return d.accept();
		result.dialogs.push(d.message());
		await d.dismiss();
	});
	page.on("pageerror", (e) => result.errors.push(String(e)));
	page.on("console", (m) => m.type() === "error" && (result.console = result.console || []).push(m.text().slice(0, 300)));
	page.on("response", (r) => r.status() >= 400 && result.http.push(`${r.status()} ${r.url()}`));
	return page;
}

// one counted click: who made it and what for
async function click(who, what, locator) {
	await locator.waitFor({ state: "visible", timeout: 60000 });
	await locator.click();
	result.clicks.push({ who, what });
}

// the checklist's steps as the workspace shows them (its block draws in a shadow root;
// Playwright's CSS pierces it)
async function checklist(page) {
	await page.locator(".sched-setup-step").first().waitFor({ timeout: 60000 });
	return {
		title: (await page.locator(".sched-setup-title").textContent()).trim(),
		steps: await page.locator(".sched-setup-step").evaluateAll((items) => items.map((li) => ({ key: li.dataset.step, state: li.dataset.state }))),
		problems: await page.locator(".sched-page-problem").evaluateAll((items) => items.map((p) => p.dataset.problem)),
	};
}

try {
	// --- the host: sign in ---
	const host = await newPage({ timezoneId: cfg.host_zone });
	await host.goto(site("/login"), { waitUntil: "load" });
	// the email field has the focus (autofocus): typing, no click
	result.login_focus = await host.evaluate(() => document.activeElement && document.activeElement.id);
	await host.keyboard.type(cfg.user);
	await host.keyboard.press("Tab");
	await host.keyboard.type(cfg.password);
	await click("host", "Login", host.locator(".btn-login").first());
	await host.waitForURL(/\/app(\/|\?|$)/, { timeout: 60000 });
	await host.waitForFunction(() => window.frappe && frappe.boot && frappe.get_route && frappe.get_route().length, null, { timeout: 60000 });
	result.landed = await host.evaluate(() => frappe.get_route());
	// --- the Scheduling workspace, from the sidebar when the desk opened elsewhere ---
	if ((result.landed[1] || "").toLowerCase() !== "scheduling") {
		await click("host", "Scheduling (sidebar)", host.locator(".sidebar-item-container .item-anchor", { hasText: "Scheduling" }).first());
	}
	await host.waitForFunction(() => frappe.get_route()[0] === "Workspaces" && /scheduling/i.test(frappe.get_route()[1] || ""), null, { timeout: 60000 });
	result.first = await checklist(host);
	await host.locator(".sched-quick-setup-button").waitFor({ timeout: 60000 });
	await shot(host, "first-hour-checklist-desktop.png");

	// --- the quick set-up: everything prefilled; the calendar's secret address pasted ---
	await click("host", "Set up your booking page", host.locator(".sched-quick-setup-button"));
	await host.waitForFunction(() => scheduler_integration.setup_dialog && scheduler_integration.setup_dialog.$wrapper.is(":visible"), null, { timeout: 60000 });
	result.prefilled = await host.evaluate(() => scheduler_integration.setup_dialog.get_values(true));
	// the host makes the link their own: typed text stays, and the line below follows it
	const slugInput = host.locator(".modal.show [data-fieldname='slug'] input");
	await host.waitForTimeout(1000); // the dialog puts the focus on its first field once shown
	await slugInput.focus();
	await host.keyboard.press("End");
	await host.keyboard.type("-now", { delay: 60 });
	await host.waitForTimeout(700); // past the control's debounce
	result.slug_typed = await slugInput.inputValue();
	result.slug_help = (await host.locator(".modal.show [data-fieldname='slug'] .help-box").textContent()).trim();
	await click("host", "Secret address in iCal format (field)", host.locator(".modal.show [data-fieldname='ics_url'] input"));
	await host.keyboard.type(cfg.feed);
	await shot(host, "first-hour-setup-dialog-desktop.png");
	const [made] = await Promise.all([
		host.waitForResponse((r) => r.url().includes("api.setup.quick_setup"), { timeout: 60000 }),
		click("host", "Create my booking page", host.locator(".modal.show .btn-modal-primary")),
	]);
	result.setup_status = made.status();
	result.made = (await made.json()).message;
	await host.waitForFunction(() => scheduler_integration.link_dialog && scheduler_integration.link_dialog.$wrapper.is(":visible"), null, { timeout: 60000 });
	result.booking_url = (await host.locator(".modal.show .sched-ready-link").textContent()).trim();
	await shot(host, "first-hour-link-ready-desktop.png");
	await Promise.all([
		host.waitForResponse((r) => r.url().includes("api.dashboard.link_copied"), { timeout: 60000 }),
		click("host", "Copy Booking Link", host.locator(".modal.show .btn-modal-primary")),
	]);
	result.clipboard = await host.evaluate(() => navigator.clipboard.readText()).catch(() => null);
	// the checklist follows by itself while the calendar's first sync runs (no reload)
	const deadline = Date.now() + 120000;
	let state;
	do {
		await host.waitForTimeout(1000);
		state = await checklist(host);
	} while (state.steps.some((s) => s.state !== "done" && s.key === "calendar") && Date.now() < deadline);
	result.after_setup = state;
	result.host_clicks = result.clicks.length;

	// --- the guest: the shared link on a phone, in another zone ---
	const guest = await newPage({ timezoneId: cfg.guest_zone, viewport: { width: 375, height: 800 }, isMobile: true, hasTouch: true });
	await guest.goto(result.booking_url.replace(/^https?:\/\/[^/]+/, site("")), { waitUntil: "load" });
	// a host with one meeting type shares that type's page: the guest starts at the times
	await guest.waitForFunction(() => document.querySelector(".sched-times[aria-busy='false']"), null, { timeout: 60000 });
	await shot(guest, "first-hour-booking-page-375px.png");
	await click("guest", "a day with times", guest.locator("button.sched-day.has").first());
	await guest.locator("button.sched-slot").first().waitFor({ timeout: 60000 });
	await shot(guest, "first-hour-times-375px.png");
	await click("guest", "a time", guest.locator("button.sched-slot").first());
	await guest.locator("#sched-f-name").waitFor({ timeout: 60000 });
	result.guest_focus = await guest.evaluate(() => document.activeElement && document.activeElement.id);
	await guest.keyboard.type("Gina Guest"); // the name field has the focus
	// a phone has no Tab key: the guest taps the email field (counted)
	await click("guest", "Email (field)", guest.locator("#sched-f-email"));
	await guest.keyboard.type(cfg.guest_email);
	const [booked] = await Promise.all([
		guest.waitForResponse((r) => r.url().includes("api.public.book"), { timeout: 60000 }),
		click("guest", "Confirm", guest.locator("button.sched-primary").first()),
	]);
	result.book_status = booked.status();
	result.booking = (await booked.json()).message.data;
	await guest.locator("#sched-confirm-time").waitFor({ timeout: 60000 });
	result.confirm_text = (await guest.locator("#sched-confirm-time").textContent()).trim();
	await shot(guest, "first-hour-confirmed-375px.png");
	result.total_clicks = result.clicks.length;

	// --- after the journey (not counted): the host's workspace, booking and calendar ---
	await host.goto(site("/app/scheduling"), { waitUntil: "load" });
	result.done = await checklist(host);
	await host.locator(".sched-next-item").first().waitFor({ timeout: 60000 });
	result.next = await host.locator(".sched-next-time").allTextContents();
	result.boot_zone = await host.evaluate(() => frappe.boot.time_zone && frappe.boot.time_zone.user);
	await shot(host, "first-hour-done-desktop.png");
	await host.goto(site(`/app/scheduler-booking/${encodeURIComponent(result.booking.id)}`), { waitUntil: "load" });
	await host.locator(".sched-host-times").waitFor({ timeout: 60000 });
	result.booking_form = {
		host_times: (await host.locator(".sched-host-times").textContent()).trim(),
		start_field: (await host.locator("[data-fieldname='start'] .help-box, [data-fieldname='start'] .frappe-control .help-box").first().textContent().catch(() => "")).trim(),
	};
	await shot(host, "first-hour-booking-form-desktop.png");
	await host.goto(site("/app/scheduler-booking/view/calendar/default"), { waitUntil: "load" });
	await host.locator(".sched-calendar-zone").waitFor({ timeout: 60000 });
	result.calendar_zone = (await host.locator(".sched-calendar-zone").textContent()).trim();
	// a calendar that cannot be read says why, in words, as soon as it is saved
	await host.goto(site("/app/scheduler-calendar-connection/new"), { waitUntil: "load" });
	await host.waitForFunction(() => window.cur_frm && cur_frm.doctype === "Scheduler Calendar Connection" && cur_frm.is_new(), null, { timeout: 60000 });
	await host.evaluate((url) => cur_frm.set_value({ provider: "ICS", ics_url: url }), cfg.broken_feed);
	await host.waitForFunction(() => cur_frm.doc.ics_url);
	await host.keyboard.press("Control+s");
	await host.waitForFunction(() => window.cur_frm && !cur_frm.is_new() && cur_frm.doc.status === "Error", null, { timeout: 60000 });
	await host.waitForFunction(() => /Next try/.test(document.body.innerText), null, { timeout: 15000 }).catch(() => null);
	result.connection_error = await host.evaluate(() => cur_frm.doc.last_error);
	await shot(host, "first-hour-calendar-error-desktop.png");
	// Google before an administrator set it up: the host reads what is missing, the
	// administrators are told
	await host.goto(site("/app/scheduler-calendar-connection/new?provider=Google"), { waitUntil: "load" });
	await host.waitForFunction(() => window.cur_frm && cur_frm.doctype === "Scheduler Calendar Connection" && cur_frm.doc.provider === "Google", null, { timeout: 60000 });
	await host.waitForFunction(() => /administrators have been told/.test((document.querySelector(".form-message") || {}).textContent || ""), null, { timeout: 60000 });
	result.google_intro = (await host.locator(".form-message").first().textContent()).trim();
	await shot(host, "first-hour-google-needs-admin-desktop.png");
	// a page that offers no times says so, with the fix (its only type switched off)
	await host.evaluate((name) => frappe.xcall("frappe.client.set_value", { doctype: "Scheduler Meeting Type", name, fieldname: "active", value: 0 }), result.made.data.meeting_type);
	await host.goto(site("/app/scheduling"), { waitUntil: "load" });
	result.no_times = await checklist(host);
	await shot(host, "first-hour-no-times-desktop.png");
	// the profile form says the same, with the same fix
	await host.goto(site(`/app/scheduler-profile/${encodeURIComponent(result.made.data.profile)}`), { waitUntil: "load" });
	await host.locator(".sched-page-problem").first().waitFor({ timeout: 60000 });
	result.profile_problems = await host.locator(".sched-page-problem").evaluateAll((items) => items.map((p) => p.dataset.problem));
	await shot(host, "first-hour-profile-no-times-desktop.png");
	// the working hours as a person sets them: each day on or off, its ranges, copy to others
	await host.goto(site(`/app/scheduler-availability/${encodeURIComponent(result.made.data.availability)}`), { waitUntil: "load" });
	await host.locator(".sched-hours-day").first().waitFor({ timeout: 60000 });
	result.hours_editor = await host.locator(".sched-hours-day").evaluateAll((rows) =>
		rows.map((row) => ({ day: row.dataset.day, on: row.querySelector("input[type=checkbox]").checked, ranges: row.querySelectorAll(".sched-hours-range").length }))
	);
	result.hours_intro = ((await host.locator(".form-message").first().textContent().catch(() => "")) || "").trim();
	await shot(host, "first-hour-hours-editor-desktop.png");
	await host.evaluate((name) => frappe.xcall("frappe.client.set_value", { doctype: "Scheduler Meeting Type", name, fieldname: "active", value: 1 }), result.made.data.meeting_type);
	console.log(JSON.stringify(result));
} catch (e) {
	result.failure = String((e && e.stack) || e);
	const open = browser.contexts().flatMap((c) => c.pages());
	result.failure_pages = [];
	for (const [i, page] of open.entries()) {
		result.failure_pages.push({
			url: page.url(),
			form: await page.evaluate(() => window.cur_frm && { doctype: cur_frm.doctype, name: cur_frm.doc.name, status: cur_frm.doc.status, error: cur_frm.doc.last_error, dirty: cur_frm.is_dirty() }).catch(() => null),
		});
		await shot(page, `first-hour-failure-${i}.png`).catch(() => null);
	}
	console.log(JSON.stringify(result));
	process.exitCode = 1;
} finally {
	await browser.close();
}
