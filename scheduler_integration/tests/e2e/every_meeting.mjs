// The guest's confirmation and manage pages in headless Chromium (see tests/calendars/test_every_meeting.py):
// sent-to, start and end, add to calendar, reschedule near the booking, cancel in two steps, a
// series' meetings and a workshop's header. Prints one JSON line; exits non-zero on a failure.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const result = { dialogs: [], errors: [], axe: {}, overflow: {} };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;
const spaces = (text) => (text || "").replace(/[\u202f\u00a0\u2009]/g, " ").trim();

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: [
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		`--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`,
	],
});
const context = await browser.newContext({ timezoneId: cfg.zone, locale: "en-US", viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.on("dialog", async (d) => {
	result.dialogs.push(d.message());
	await d.dismiss();
});
page.on("pageerror", (e) => result.errors.push(String(e)));
let cancels = 0;
page.on("request", (r) => {
	if (r.url().includes("api.public.cancel")) cancels += 1;
});

async function axe(name) {
	await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
	result.axe[name] = await page.evaluate(async () => {
		const res = await window.axe.run(document, { resultTypes: ["violations"] });
		return res.violations.filter((v) => ["serious", "critical"].includes(v.impact)).map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
	});
}
const shot = (name) => page.screenshot({ path: join(cfg.shots, name), fullPage: true, animations: "disabled" });
async function both(name) {
	await shot(`${name}-desktop.png`);
	await page.setViewportSize({ width: 375, height: 800 });
	result.overflow[name] = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
	await shot(`${name}-375px.png`);
	await page.setViewportSize({ width: 1280, height: 900 });
}
const waitDays = () => page.waitForFunction(() => document.querySelector(".sched-times[aria-busy='false']"), null, { timeout: 30000 });
const focusedId = () => page.evaluate(() => (document.activeElement ? document.activeElement.id : ""));
async function tabTo(id, limit = 20) {
	for (let i = 0; i < limit; i++) {
		await page.keyboard.press("Tab");
		if ((await focusedId()) === id) return;
	}
	throw new Error(`keyboard focus never reached #${id}`);
}
// book the first time of ``date`` (a series of ``count``) on the type's page
async function book(slug, name, email, count) {
	await page.goto(site(`/book/${cfg.profile}/${slug}?date=${cfg.date}`), { waitUntil: "load" });
	await waitDays();
	if (count) {
		await page.selectOption("#sched-count", String(count));
		await waitDays();
	}
	await page.locator("button.sched-slot").first().click();
	await page.fill("#sched-f-name", name);
	await page.fill("#sched-f-email", email);
	const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes("api.public.book")), page.click("button.sched-primary")]);
	await page.waitForSelector("#sched-confirm");
	return (await response.json()).message.data;
}
const href = (selector) => page.getAttribute(selector, "href");

try {
	// confirmation of one meeting
	result.booking = await book("call", "Paula Page", cfg.guest);
	result.sent = spaces(await page.textContent("#sched-sent"));
	result.end = spaces(await page.textContent("#sched-confirm-time-end"));
	result.zone = spaces(await page.textContent("#sched-confirm .sched-when .sched-muted"));
	result.links = { google: await href("#sched-add-google"), outlook: await href("#sched-add-outlook"), office: await href("#sched-add-office"), ics: await href("#sched-add-ics") };
	await axe("confirmation");
	await both("every-confirmation");

	// the manage page
	await Promise.all([page.waitForURL("**/book/manage/**"), page.click("#sched-manage-link")]);
	await page.waitForSelector("#sched-cancel");
	result.manage_end = spaces(await page.textContent("#sched-manage-time-end"));
	await axe("manage");
	await both("every-manage");
	// reschedule opens where the booking is
	await page.click("#sched-reschedule");
	await waitDays();
	result.picker_month = spaces(await page.textContent("#sched-month-title"));
	result.picker_selected = await page.getAttribute("button.sched-day.selected", "data-date").catch(() => null);
	await page.click("#sched-keep");
	await page.waitForSelector("#sched-cancel");
	// cancel: the first click only asks
	await page.click("#sched-cancel");
	await page.waitForSelector("#sched-cancel-step", { state: "visible" });
	result.cancel_step = { requests: cancels, focus: await focusedId() };
	await axe("cancel_step");
	await both("every-cancel-step");
	await page.focus("#sched-cancel-reason");
	await page.keyboard.press("Escape");
	await page.waitForSelector("#sched-cancel-step", { state: "hidden" });
	result.cancel_step.back = { hidden: await page.$eval("#sched-cancel-step", (n) => n.hidden), focus: await focusedId() };
	// by keyboard: open, a reason, confirm
	await page.keyboard.press("Enter");
	await page.waitForSelector("#sched-cancel-step", { state: "visible" });
	await tabTo("sched-cancel-reason");
	await page.keyboard.type("Changed plans");
	await tabTo("sched-cancel-confirm");
	await Promise.all([page.waitForResponse((r) => r.url().includes("api.public.cancel")), page.keyboard.press("Enter")]);
	await page.waitForSelector(".sched-notice");
	result.cancel_notice = spaces(await page.textContent(".sched-notice"));

	// a weekly series of three: each meeting listed with its own calendar links
	await book("coaching", "Sid Series", cfg.series_guest, 3);
	await page.waitForSelector("#sched-series li");
	result.series_count = await page.locator("#sched-series li").count();
	result.series_google = await page.locator('#sched-series li a[href^="https://calendar.google.com/"]').count();
	result.series_office = await page.locator('#sched-series li a[href^="https://outlook.office.com/"]').count();
	result.series_ics = spaces(await page.textContent("#sched-add-ics"));
	await axe("series_confirmation");
	await both("every-series-confirmation");

	// a workshop's header: its days and daily hours on the guest's clock
	await page.goto(site(`/book/${cfg.profile}/workshop?date=${cfg.workshop_date}`), { waitUntil: "load" });
	await waitDays();
	// on the host's clock (a month of New York times may cross a change of summer time that
	// Berlin's does not, and then the hours differ between the days and are left out)
	await page.locator("#sched-zone").fill("Berlin"); // the time zone search: type, then Enter
	await page.waitForSelector("#sched-zone-list [data-zone='Europe/Berlin']");
	await page.keyboard.press("Enter");
	await page.waitForFunction(() => document.querySelector("#sched-zone").dataset.zone === "Europe/Berlin");
	await waitDays();
	result.workshop_length = spaces(await page.textContent("#sched-length"));
	await both("every-workshop");
} catch (e) {
	result.failure = String((e && e.stack) || e);
	result.shown = await page.evaluate(() => document.body.innerText.slice(0, 1500)).catch(() => "");
	process.exitCode = 1;
} finally {
	console.log(JSON.stringify(result));
	await browser.close();
}
