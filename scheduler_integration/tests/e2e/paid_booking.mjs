// Paid bookings in headless Chromium (Playwright, Debian's chromium): the price before the
// form, booking sends the guest to Stripe's checkout (answered here, offline), the receipt
// of a paid booking and the manage page of a hold with its Pay now button.
// Usage: node paid_booking.mjs '<json config>'   (see scheduler_integration/scheduler_integration/doctype/scheduler_payment/test_scheduler_payment.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const result = { dialogs: [], errors: [], axe: {}, overflow: {} };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;
const local = (url) => url.replace(/^https?:\/\/[^/]+/, site(""));
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
// Stripe's hosted page is not reachable here: a stand-in answers its address
await context.route("https://checkout.stripe.com/**", (route) =>
	route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Checkout</title><h1>Stripe Checkout (stand-in)</h1>" })
);
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

try {
	// the price in the header and above the form
	await page.goto(site(`/book/${cfg.profile}/${cfg.slug}?date=${cfg.date}`), { waitUntil: "load" });
	await page.waitForFunction(() => document.querySelector(".sched-times[aria-busy='false']"), null, { timeout: 30000 });
	result.header_price = await page.locator("#sched-price-tag").textContent();
	await page.locator("button.sched-slot").first().click();
	await page.waitForSelector("#sched-price");
	result.form_price = await page.locator("#sched-price").textContent();
	result.button = await page.locator("button.sched-primary").textContent();
	await axe("form");
	await both("paid-form");
	// booking sends the guest to the checkout
	await page.fill("#sched-f-name", "Paula Payer");
	await page.fill("#sched-f-email", cfg.email);
	// the answer is read on its way to the page (the page leaves for the checkout at once)
	await page.route("**/api/method/scheduler_integration.api.public.book", async (route) => {
		const response = await route.fetch();
		result.book_status = response.status();
		result.booking = (await response.json()).message.data;
		await route.fulfill({ response });
	});
	await page.click("button.sched-primary");
	await page.waitForURL("https://checkout.stripe.com/**", { timeout: 30000 });
	result.redirected_to = page.url();
	// the receipt of a paid booking
	await page.goto(local(cfg.receipt), { waitUntil: "load" });
	result.receipt = await page.locator("#sched-receipt").textContent();
	await axe("receipt");
	await both("paid-receipt");
	// a hold's manage page: Pay now
	await page.goto(local(cfg.hold_manage), { waitUntil: "load" });
	await page.waitForSelector("#sched-pay");
	result.manage = await page.locator("#sched-app").textContent();
	result.reschedule_buttons = await page.locator("#sched-reschedule").count();
	await axe("manage");
	await both("paid-manage");
} catch (error) {
	result.errors.push(String(error && error.stack || error));
}
await browser.close();
console.log(JSON.stringify(result));
process.exit(result.errors.length ? 1 : 0);
