// The booking pages' own frame in headless Chromium (Playwright, Debian's chromium): what a
// type page loads (every request and its size), axe-core in light and dark mode, a booking
// made through it, the time zone list (short until asked for more), and a routing form's page
// marking every missing and every refused answer.
// Screenshots at desktop and 375 px, light and dark.
// Usage: node page_frame.mjs '<json config>'   (see tests/pages/test_page_frame.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const result = { errors: [], axe: {}, overflow: {}, requests: [] };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", `--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`],
});

async function newPage(options) {
	const context = await browser.newContext({ locale: "en-US", timezoneId: "Europe/Paris", viewport: { width: 1280, height: 900 }, ...options });
	const page = await context.newPage();
	page.on("pageerror", (e) => result.errors.push(String(e)));
	return page;
}
async function axe(page, name) {
	await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
	result.axe[name] = await page.evaluate(async () => {
		const res = await window.axe.run(document, { resultTypes: ["violations"] });
		return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
	});
}
async function both(page, name) {
	await page.screenshot({ path: join(cfg.shots, `${name}-desktop.png`), fullPage: true, animations: "disabled" });
	await page.setViewportSize({ width: 375, height: 800 });
	result.overflow[name] = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
	await page.screenshot({ path: join(cfg.shots, `${name}-375px.png`), fullPage: true, animations: "disabled" });
	await page.setViewportSize({ width: 1280, height: 900 });
}
const days = (page) => page.waitForFunction(() => document.querySelector(".sched-times[aria-busy='false']"), null, { timeout: 30000 });
// the questions marked wrong: each one's error shown and its control flagged
const marked = (page) => page.evaluate(() => [...document.querySelectorAll("#sched-route .sched-field")].filter((f) => f.querySelector(".sched-error").textContent.trim() && f.querySelector("[aria-invalid='true']")).map((f) => f.dataset.field));

try {
	// light: every request the page makes until its times show, then a booking; a guest in
	// India, whose browser calls the zone by its old name (Asia/Calcutta)
	const page = await newPage({ colorScheme: "light", timezoneId: "Asia/Kolkata" });
	page.on("requestfinished", async (r) => {
		const sizes = await r.sizes();
		result.requests.push({ path: new URL(r.url()).pathname, type: r.resourceType(), bytes: sizes.responseBodySize + sizes.responseHeadersSize });
	});
	await page.goto(site(cfg.page), { waitUntil: "load" });
	await days(page);
	await page.waitForTimeout(500);
	result.browser_zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
	result.india_zone = await page.evaluate(() => [document.querySelector("#sched-zone").dataset.zone, document.querySelector("#sched-zone").value]);
	result.favicon = await page.evaluate(() => new URL(document.querySelector("link[rel~=icon]").href).pathname);
	result.bytes = result.requests.reduce((sum, r) => sum + r.bytes, 0);
	await axe(page, "type page");
	await both(page, "frame-type");
	await page.locator(".sched-day.has").first().click();
	await page.locator(".sched-slot").first().click();
	await page.locator("#sched-f-name").fill("Frame Guest");
	await page.locator("#sched-f-email").fill(cfg.email);
	const [answer] = await Promise.all([
		page.waitForResponse((r) => r.url().includes("api.public.book") && r.request().method() === "POST", { timeout: 60000 }),
		page.locator("form.sched-form button[type=submit]").click(),
	]);
	result.book_status = answer.status();
	await page.locator("#sched-confirm").waitFor({ timeout: 30000 });
	await axe(page, "confirmation");

	// dark: the whole page is dark (no white navbar), and still axe clean
	const dark = await newPage({ colorScheme: "dark" });
	await dark.goto(site(cfg.page), { waitUntil: "load" });
	await days(dark);
	result.dark_background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
	await axe(dark, "type page, dark");
	await both(dark, "frame-type-dark");
	// the time zone: a search by city, country or zone name (issue 50, item 7)
	const zone = dark.locator("#sched-zone");
	const options = () => dark.evaluate(() => [...document.querySelectorAll("#sched-zone-list [role=option]")].map((o) => o.dataset.zone));
	const state = () => dark.evaluate(() => { const i = document.querySelector("#sched-zone"); return { zone: i.dataset.zone, text: i.value, focus: document.activeElement === i, expanded: i.getAttribute("aria-expanded"), active: i.getAttribute("aria-activedescendant") }; });
	result.zone_start = await state();
	await zone.click();
	result.zone_open = { options: (await options()).length, state: await state() };
	await axe(dark, "time zone list, dark");
	await both(dark, "frame-zone-list-dark");
	result.zone_found = {};
	for (const query of ["Kolkata", "new york", "India", "Asia/Kol", "Calcutta", "são paulo", "Mumbai", "EST", "nowhere at all"]) {
		await zone.fill(query);
		result.zone_found[query] = (await options()).slice(0, 3);
	}
	result.zone_count = await dark.evaluate(() => document.querySelector(".sched-zone [role=status]").textContent);
	// nothing found: said beside the box, the list closed (a listbox holds options only), axe clean
	result.zone_none = await dark.evaluate(() => [document.querySelector(".sched-zone-none").hidden, document.querySelector("#sched-zone-list").hidden, document.querySelector("#sched-zone").getAttribute("aria-expanded")]);
	await axe(dark, "time zone search, nothing found");
	// by keyboard: type, the arrows move through what was found, Enter chooses, the times follow
	await zone.fill("");
	await zone.pressSequentially("tokyo");
	await dark.keyboard.press("ArrowDown");
	await dark.keyboard.press("ArrowUp");
	result.zone_before_enter = await state();
	await dark.keyboard.press("Enter");
	await days(dark);
	result.zone_picked = await state();
	// Escape leaves the zone as it was
	await zone.fill("Berlin");
	await dark.keyboard.press("Escape");
	result.zone_escaped = await state();

	// a page that does not exist: the frame's own 404, light and dark
	const lost = await newPage({ colorScheme: "light" });
	const lostAnswer = await lost.goto(site(cfg.missing), { waitUntil: "load" });
	result.missing_status = lostAnswer.status();
	result.missing_text = await lost.evaluate(() => document.querySelector("main").innerText);
	await axe(lost, "page not found");
	await both(lost, "frame-not-found");
	await lost.emulateMedia({ colorScheme: "dark" });
	await axe(lost, "page not found, dark");

	// a routing form: every missing answer at once, then every answer the server refused
	const form = await newPage({ colorScheme: "light" });
	await form.goto(site(cfg.form), { waitUntil: "load" });
	await form.locator("#sched-q-0").waitFor();
	await form.locator("#sched-route button.sched-primary").click();
	result.required_marked = await marked(form);
	await form.locator("#sched-q-0").fill("not-an-email");
	await form.locator("#sched-q-2").fill("lots");
	await Promise.all([
		form.waitForResponse((r) => r.url().includes("api.routing.submit"), { timeout: 60000 }),
		form.locator("#sched-route button.sched-primary").click(),
	]);
	await form.waitForFunction(() => document.querySelectorAll("#sched-route [aria-invalid='true']").length >= 2, null, { timeout: 30000 });
	result.refused_marked = await marked(form);
	await axe(form, "routing form with errors");
	await both(form, "frame-route-errors");
	await form.emulateMedia({ colorScheme: "dark" });
	await form.setViewportSize({ width: 375, height: 800 });
	await form.screenshot({ path: join(cfg.shots, "frame-route-errors-dark-375px.png"), fullPage: true, animations: "disabled" });
	await axe(form, "routing form with errors, dark");
	console.log(JSON.stringify(result));
} catch (e) {
	result.failure = String((e && e.stack) || e);
	console.log(JSON.stringify(result));
	process.exitCode = 1;
} finally {
	await browser.close();
}
