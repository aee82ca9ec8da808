// Schedule Meeting in Frappe CRM's own UI (/crm/leads/<name>), in headless Chromium
// (Playwright, Debian's chromium): the rep opens their lead, books a free time for the
// prospect through the app's CRM Form Script, and the meeting appears on the lead (its
// task, and the comment in the activity) once the effects have run; then the personal link
// dialog, and its page at 375 px.
// Usage: node crm_schedule.mjs '<json config>'   (see tests/crm/test_crm_schedule_browser.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { join } from "node:path";

const cfg = JSON.parse(process.argv[2]);
const result = { dialogs: [], errors: [] };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;
const shot = (page, name) => page.screenshot({ path: join(cfg.shots, name), fullPage: false, animations: "disabled" });

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: [
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		`--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`,
	],
});

// the dialog that is open now (frappe-ui dialogs are role="dialog")
const dialog = (page) => page.locator("[role=dialog]").last();

try {
	const context = await browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 900 }, timezoneId: cfg.zone });
	const page = await context.newPage();
	page.on("dialog", async (d) => {
		result.dialogs.push(d.message());
		await d.dismiss();
	});
	// errors of the page while the app's action runs (the CRM's own start-up is not ours)
	let ours = false;
	page.on("pageerror", (e) => (ours ? result.errors : (result.crm_errors = result.crm_errors || [])).push(String(e)));
	page.on("response", (r) => {
		if (r.url().includes("/api/") && (r.headers()["content-type"] || "").includes("text/html")) (result.html_api = result.html_api || []).push(r.url());
	});
	await page.goto(site("/login"), { waitUntil: "load" });
	const status = await page.evaluate(async (c) => {
		const r = await fetch("/api/method/login", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ usr: c.user, pwd: c.password }) });
		return r.status;
	}, cfg);
	if (status !== 200) throw new Error("login failed: " + status);

	// the lead's page in Frappe CRM, with the app's action in its header
	await page.goto(site(`/crm/leads/${cfg.lead}`), { waitUntil: "load" });
	const action = page.getByRole("button", { name: "Schedule Meeting" });
	await action.waitFor({ timeout: 90000 });
	// the CRM's welcome panel of a first visit: closed, as a rep would
	const welcome = page.getByText("Welcome to Frappe CRM");
	if (await welcome.isVisible().catch(() => false)) {
		await page.locator("div.fixed.w-80 div.flex.gap-1 button").last().click().catch(() => null);
	}
	await shot(page, "crm-schedule-action-desktop.png");
	ours = true;
	await action.click();

	// 1: which meeting type, and how
	await dialog(page).getByText("Meeting Type").first().waitFor({ timeout: 30000 });
	result.first_dialog = (await dialog(page).innerText()).slice(0, 500);
	await shot(page, "crm-schedule-dialog-desktop.png");
	await dialog(page).getByRole("button", { name: "Next" }).click();

	// 2: the rep's free times, the prospect prefilled from the lead
	await page.getByText("Book a Meeting").first().waitFor({ timeout: 30000 });
	const book = dialog(page);
	result.prefilled = await book.locator("input").evaluateAll((inputs) => inputs.map((i) => i.value));
	result.book_dialog = await book.innerText();
	await shot(page, "crm-schedule-times-desktop.png");
	await book.getByRole("button", { name: "Book Meeting" }).click();
	await page.getByText("Meeting booked").first().waitFor({ timeout: 60000 });
	result.booked = true;

	// the meeting on the lead, once the effects ran (the test's worker runs them meanwhile)
	let found = false;
	for (let attempt = 0; attempt < 40 && !found; attempt++) {
		await page.waitForTimeout(1500);
		found = await page.evaluate(async (lead) => {
			const r = await fetch("/api/method/crm.api.activities.get_activities", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json", "X-Frappe-CSRF-Token": window.csrf_token }, body: JSON.stringify({ name: lead }) });
			const data = (await r.json()).message || [];
			return (data[3] || []).some((t) => /^Meeting:/.test(t.title || ""));
		}, cfg.lead);
	}
	if (!found) throw new Error("no meeting task on the lead");
	await page.goto(site(`/crm/leads/${cfg.lead}#tasks`), { waitUntil: "load" });
	const task = page.getByText(/Meeting: /).first();
	await task.waitFor({ timeout: 60000 });
	result.task_text = (await task.innerText()).trim();
	await shot(page, "crm-schedule-lead-task-desktop.png");
	await page.goto(site(`/crm/leads/${cfg.lead}#activity`), { waitUntil: "load" });
	// the rep booked it with the lead (effects/crm on_booked)
	const comment = page.getByText(/Meeting booked by .+ with Lena Prospect: Discovery/).first();
	await comment.waitFor({ timeout: 60000 });
	result.activity = (await comment.innerText()).trim();
	await shot(page, "crm-schedule-lead-activity-desktop.png");

	// the personal link: made from the same action, shown to copy
	await page.getByRole("button", { name: "Schedule Meeting" }).click();
	await dialog(page).getByText("Meeting Type").first().waitFor({ timeout: 30000 });
	await dialog(page).getByText("Book a time now").click();
	await page.getByRole("option", { name: "Send a personal booking link" }).or(page.getByText("Send a personal booking link")).first().click();
	await dialog(page).getByRole("button", { name: "Next" }).click();
	await page.getByText("Send a Personal Booking Link").first().waitFor({ timeout: 30000 });
	await dialog(page).getByRole("button", { name: "Create Link" }).click();
	const made = page.getByText(/Personal booking link: /).first();
	await made.waitFor({ timeout: 60000 });
	result.link_text = (await made.innerText()).trim();
	await shot(page, "crm-personal-link-desktop.png");
	const url = result.link_text.match(/https?:\/\/\S+/)[0];

	// the prospect's view of it, on a phone
	const phone = await browser.newContext({ locale: "en-US", viewport: { width: 375, height: 800 }, timezoneId: "America/New_York" });
	const prospect = await phone.newPage();
	await prospect.goto(url.replace(/^https?:\/\/[^/]+/, site("")), { waitUntil: "load" });
	await prospect.locator(".sched-day.has").first().waitFor({ timeout: 60000 });
	await prospect.locator(".sched-day.has").first().click();
	await prospect.locator(".sched-slot").first().click();
	await prospect.locator("#sched-f-email").waitFor({ timeout: 30000 });
	result.link_prefill = { name: await prospect.inputValue("#sched-f-name"), email: await prospect.inputValue("#sched-f-email") };
	result.link_overflow = await prospect.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
	await prospect.screenshot({ path: join(cfg.shots, "personal-link-form-375px.png"), fullPage: true, animations: "disabled" });

	// ERPNext's Lead form in the desk: the same action as a desk dialog, booking for the lead
	if (cfg.erp_lead) {
		await page.goto(site(`/app/lead/${cfg.erp_lead}`), { waitUntil: "load" });
		const button = page.locator(".page-actions button, .form-inner-toolbar button, .inner-group-button button").filter({ hasText: "Schedule Meeting" }).first();
		await button.waitFor({ timeout: 90000 });
		await button.click();
		const modal = page.locator(".modal.show").last();
		await modal.locator("select[data-fieldname=start] option").first().waitFor({ state: "attached", timeout: 60000 });
		result.desk_times = await modal.locator("select[data-fieldname=start] option").count();
		result.desk_email = await modal.locator("input[data-fieldname=email]").inputValue();
		await page.screenshot({ path: join(cfg.shots, "erpnext-lead-schedule-desktop.png"), animations: "disabled" });
		await modal.locator(".btn-primary").click();
		await page.locator(".alert-message, .desk-alert").filter({ hasText: "Meeting booked" }).first().waitFor({ timeout: 60000 });
		result.desk_booked = true;
	}
	// the desk forms of the sales workflow: a routing form, a host's time away
	for (const [route, name] of cfg.desk_forms || []) {
		await page.goto(site(route), { waitUntil: "load" });
		await page.locator(".form-layout").first().waitFor({ timeout: 60000 });
		await page.waitForTimeout(800); // the form's own script draws its buttons and funnel
		await page.screenshot({ path: join(cfg.shots, name), animations: "disabled" });
	}
	console.log(JSON.stringify(result));
} catch (e) {
	result.failure = String((e && e.stack) || e);
	const open = browser.contexts().flatMap((c) => c.pages());
	if (open.length) {
		result.failure_url = open[0].url();
		await shot(open[0], "crm-schedule-failure.png").catch(() => null);
	}
	console.log(JSON.stringify(result));
	process.exitCode = 1;
} finally {
	await browser.close();
}
