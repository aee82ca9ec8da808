// Group sessions, workshops and series in headless Chromium (Playwright, Debian's chromium).
// Usage: node group_booking.mjs '<json config>'   (see tests/pages/test_group_booking_browser.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const result = { dialogs: [], errors: [], axe: {}, overflow: {} };
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
const context = await browser.newContext({ timezoneId: "UTC", locale: "en-US", viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.on("dialog", async (d) => { result.dialogs.push(d.message()); await d.dismiss(); });
page.on("pageerror", (e) => result.errors.push(String(e)));

async function axe(name) {
	await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
	result.axe[name] = await page.evaluate(async () => {
		const res = await window.axe.run(document, { resultTypes: ["violations"] });
		return res.violations.filter((v) => ["serious", "critical"].includes(v.impact)).map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
	});
}
async function both(name) {
	await shot(page, `${name}-desktop.png`);
	await page.setViewportSize({ width: 375, height: 800 });
	result.overflow[name] = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
	await shot(page, `${name}-375px.png`);
	await page.setViewportSize({ width: 1280, height: 900 });
}
const idle = () => page.waitForFunction(() => document.querySelector(".sched-times[aria-busy='false']"), null, { timeout: 30000 });
async function openDay(date) {
	await page.goto(site(`/book/${cfg.profile}/${cfg.slug}?date=${date}`), { waitUntil: "load" });
	await idle();
}

try {
	// a seated slot: the times say how many seats are left
	cfg.slug = cfg.seated;
	await openDay(cfg.date);
	await page.waitForSelector(".sched-seats");
	result.seats = await page.locator(".sched-seats").allTextContents();
	await axe("seats");
	await both("group-session");

	// a three-day workshop: the form lists its days
	cfg.slug = cfg.workshop;
	await openDay(cfg.date);
	await page.locator("button.sched-slot").first().click();
	await page.waitForSelector("#sched-meetings li");
	result.workshop_days = await page.locator("#sched-meetings li").allTextContents();
	await axe("workshop");
	await both("workshop-days");

	// a weekly series: four meetings picked, listed, booked; the manage page lists them
	cfg.slug = cfg.series;
	await openDay(cfg.date);
	await page.selectOption("#sched-count", "4");
	await idle();
	await page.locator("button.sched-slot").first().click();
	await page.waitForSelector("#sched-meetings li");
	result.series_meetings = await page.locator("#sched-meetings li").allTextContents();
	await both("series-meetings");
	await page.fill("#sched-f-name", "Sam Series");
	await page.fill("#sched-f-email", "sam-series@example.org");
	const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes("api.public.book")), page.click("button.sched-primary")]);
	result.book_status = response.status();
	result.booking = (await response.json()).message.data;
	await page.goto(result.booking.manage_url.replace(/^https?:\/\/[^/]+/, site("")), { waitUntil: "load" });
	await page.waitForSelector("#sched-series li");
	result.manage_meetings = await page.locator("#sched-series li").count();
	result.cancel_following = await page.locator("#sched-cancel-following").count();
	await axe("series_manage");
	await both("series-manage");
} catch (error) {
	result.errors.push(String(error && error.stack || error));
}
await browser.close();
console.log(JSON.stringify(result));
process.exit(result.errors.length ? 1 : 0);
