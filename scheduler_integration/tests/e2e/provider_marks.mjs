// Providers' marks in the desk and meeting type colours on the booking page, in headless
// Chromium (Playwright, Debian's chromium): the profile's connections, a connection's form,
// the connections list and the meeting type's location picker show each provider's mark
// (loaded, with alt text) and colour; the host's page with a pale yellow and a default type
// passes axe's colour-contrast rule in light and dark mode, and what each type's colour edge
// is drawn in.
// Usage: node provider_marks.mjs '<json config>'   (see tests/calendars/test_provider_marks.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const result = { errors: [], axe: {}, desk: {}, page: {} };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", `--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`],
});

// every mark in `selector`: its alt text, whether it loaded, and the file it shows
const marks = (page, selector) =>
	page.evaluate(async (sel) => {
		const images = [...document.querySelectorAll(`${sel} img.sched-mark`)];
		const settled = (img) =>
			new Promise((done) => {
				img.addEventListener("load", done, { once: true });
				img.addEventListener("error", done, { once: true });
			});
		await Promise.all(images.map((img) => (img.complete ? null : settled(img))));
		return images.map((img) => ({ alt: img.getAttribute("alt"), loaded: img.complete && img.naturalWidth > 0, file: new URL(img.src).pathname.split("/").pop() }));
	}, selector);
async function openForm(page, route, name) {
	await page.goto(site(`/app/${route}/${encodeURIComponent(name)}`), { waitUntil: "load" });
	await page.waitForFunction((n) => window.cur_frm && cur_frm.doc.name === n && !cur_frm.is_dirty(), name, { timeout: 60000 });
	await page.waitForTimeout(500);
}
async function axe(page, name) {
	await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
	result.axe[name] = await page.evaluate(async () => {
		const res = await window.axe.run(document, { runOnly: ["color-contrast"], resultTypes: ["violations"] });
		return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
	});
}

try {
	// the desk, as the host
	const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC", viewport: { width: 1280, height: 900 } });
	const desk = await context.newPage();
	desk.on("pageerror", (e) => result.errors.push(String(e)));
	await desk.goto(site("/login"), { waitUntil: "load" });
	const login = await desk.evaluate(async (c) => (await fetch("/api/method/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ usr: c.user, pwd: c.password }) })).status, cfg);
	if (login !== 200) throw new Error("login failed: " + login);

	// the profile's "Calendar and Video Connections"
	await openForm(desk, "scheduler-profile", cfg.profile);
	await desk.locator(".sched-connection").first().waitFor({ timeout: 30000 });
	result.desk.profile = await marks(desk, ".sched-connections");
	result.desk.profile_rows = await desk.evaluate(() =>
		[...document.querySelectorAll(".sched-connection")].map((li) => ({ text: li.querySelector("a").textContent.trim(), edge: getComputedStyle(li).borderLeftColor, edge_width: getComputedStyle(li).borderLeftWidth }))
	);
	await desk.screenshot({ path: join(cfg.shots, "marks-profile.png"), animations: "disabled" });

	// a connection's form: the provider's mark in its Select (read-only: before the value)
	await openForm(desk, "scheduler-calendar-connection", cfg.connection);
	result.desk.connection = await marks(desk, '[data-fieldname="provider"]');
	await desk.screenshot({ path: join(cfg.shots, "marks-connection.png"), animations: "disabled" });

	// the connections list
	await desk.goto(site("/app/scheduler-calendar-connection?host=" + encodeURIComponent(cfg.user)), { waitUntil: "load" });
	await desk.waitForFunction(() => document.querySelectorAll(".list-subject img.sched-mark").length >= 2, null, { timeout: 30000 });
	result.desk.list = await marks(desk, ".frappe-list");

	// the meeting type's location picker, then another location picked
	await openForm(desk, "scheduler-meeting-type", cfg.meeting_type);
	result.desk.location = await marks(desk, '[data-fieldname="location_type"]');
	result.desk.location_select = await desk.evaluate(() => {
		const select = document.querySelector('[data-fieldname="location_type"] select');
		return { value: select.value, visible: select.offsetParent !== null, padding: getComputedStyle(select).paddingLeft };
	});
	await desk.locator('[data-fieldname="location_type"] select').scrollIntoViewIfNeeded();
	await desk.screenshot({ path: join(cfg.shots, "marks-location.png"), animations: "disabled" });
	await desk.locator('[data-fieldname="location_type"] select').selectOption("Zoom");
	await desk.waitForFunction(() => (document.querySelector('[data-fieldname="location_type"] img.sched-mark') || {}).alt === "Zoom", null, { timeout: 10000 });
	result.desk.location_changed = await marks(desk, '[data-fieldname="location_type"]');
	await desk.locator('[data-fieldname="location_type"] select').selectOption("");
	await desk.waitForTimeout(300);
	result.desk.location_cleared = await marks(desk, '[data-fieldname="location_type"]');

	// the booking page in light and dark mode
	for (const scheme of ["light", "dark"]) {
		const pageContext = await browser.newContext({ locale: "en-US", colorScheme: scheme, viewport: { width: 1280, height: 900 } });
		const page = await pageContext.newPage();
		page.on("pageerror", (e) => result.errors.push(String(e)));
		await page.goto(site(`/book/${cfg.page}`), { waitUntil: "load" });
		await page.locator("a.sched-type").first().waitFor();
		result.page[scheme] = await page.evaluate(() =>
			[...document.querySelectorAll("a.sched-type")].map((a) => ({ type: a.dataset.type, edge: getComputedStyle(a).borderLeftColor, width: getComputedStyle(a).borderLeftWidth, background: getComputedStyle(a).backgroundColor }))
		);
		await axe(page, `page, ${scheme}`);
		await page.screenshot({ path: join(cfg.shots, `marks-page-${scheme}.png`), fullPage: true, animations: "disabled" });
		await pageContext.close();
	}
} catch (e) {
	result.errors.push(String(e && e.stack ? e.stack : e));
} finally {
	await browser.close();
	console.log(JSON.stringify(result));
	process.exit(result.errors.length ? 1 : 0);
}
