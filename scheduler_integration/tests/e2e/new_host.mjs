// A brand-new host's first visit to the Scheduling workspace, in headless Chromium
// (Playwright, Debian's chromium): the set-up checklist, the way to the calendar connection
// form from the workspace alone, and the checklist after connecting.
// Usage: node new_host.mjs '<json config>'   (see tests/setup/test_setup_browser.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { join } from "node:path";

const cfg = JSON.parse(process.argv[2]);
const result = { dialogs: [], errors: [] };
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

// each step of the checklist (drawn in the block's shadow root; Playwright's CSS pierces it)
async function checklist(page) {
	await page.goto(site("/app/scheduling"), { waitUntil: "load" });
	await page.locator(".sched-setup-step").first().waitFor({ timeout: 60000 });
	return {
		title: (await page.locator(".sched-setup-title").textContent()).trim(),
		steps: await page.locator(".sched-setup-step").evaluateAll((items) =>
			items.map((li) => ({
				key: li.dataset.step,
				state: li.dataset.state,
				label: li.querySelector(".sched-setup-text > :first-child").textContent.trim(),
				link: !!li.querySelector("a.sched-setup-link"),
			}))
		),
	};
}

try {
	const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.on("dialog", async (d) => {
		if (d.type() === "beforeunload") return d.accept();
		result.dialogs.push(d.message());
		await d.dismiss();
	});
	page.on("pageerror", (e) => result.errors.push(String(e)));
	page.on("console", (m) => { if (m.type() === "error") (result.console = result.console || []).push(m.text()); });
	await page.goto(site("/login"), { waitUntil: "load" });
	const status = await page.evaluate(async (c) => {
		const r = await fetch("/api/method/login", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ usr: c.user, pwd: c.password }) });
		return r.status;
	}, cfg);
	if (status !== 200) throw new Error("login failed: " + status);

	// first visit: the checklist, the Setup card's link and the connection rate card
	result.first = await checklist(page);
	result.setup_links = await page.locator(".links-widget-box .link-item").allTextContents();
	await page.waitForFunction(() => [...document.querySelectorAll(".number-widget-box")].some((w) => /Calendar Connection Rate/.test(w.textContent) && !/Loading/.test(w.querySelector(".number")?.textContent || "Loading")), null, { timeout: 60000 });
	result.rate_card = await page.evaluate(() => {
		const box = [...document.querySelectorAll(".number-widget-box")].find((w) => /Calendar Connection Rate/.test(w.textContent));
		return box.querySelector(".number").textContent.trim();
	});
	await shot(page, "setup-checklist-desktop.png");

	// from the checklist to a new connection of this host
	await page.locator(".sched-setup-step[data-step='calendar'] a.sched-setup-link").click();
	await page.waitForFunction(() => window.cur_frm && cur_frm.doctype === "Scheduler Calendar Connection" && cur_frm.is_new(), null, { timeout: 60000 });
	result.form = await page.evaluate(() => ({ route: frappe.get_route(), host: cur_frm.doc.host, path: location.pathname }));
	await page.evaluate((url) => cur_frm.set_value({ provider: "ICS", ics_url: url }), cfg.feed);
	await page.waitForFunction(() => cur_frm.doc.provider === "ICS" && cur_frm.doc.ics_url);
	await shot(page, "setup-connection-form-desktop.png");
	await page.keyboard.press("Control+s");
	await page.waitForFunction(() => !cur_frm.is_new() && !cur_frm.is_dirty(), null, { timeout: 60000 });
	result.saved = await page.evaluate(() => ({ name: cur_frm.doc.name, host: cur_frm.doc.host, status: cur_frm.doc.status }));

	// back on the workspace: the calendar step is being checked
	result.after = await checklist(page);

	// the Setup card's link leads to the connections too
	await page.locator(".links-widget-box .link-item", { hasText: "Calendar and Video Connections" }).first().click();
	await page.waitForFunction(() => frappe.get_route()[0] === "List" && frappe.get_route()[1] === "Scheduler Calendar Connection", null, { timeout: 60000 });
	await page.waitForSelector(".list-row-container, .no-result", { timeout: 60000 });
	result.list_rows = await page.locator(".list-row-container").count();
	result.list_route = await page.evaluate(() => frappe.get_route());
	console.log(JSON.stringify(result));
} catch (e) {
	result.failure = String((e && e.stack) || e);
	const open = browser.contexts().flatMap((c) => c.pages());
	if (open.length) {
		result.failure_url = open[0].url();
		await shot(open[0], "setup-failure.png").catch(() => null);
	}
	console.log(JSON.stringify(result));
	process.exitCode = 1;
} finally {
	await browser.close();
}
