// A routing form in headless Chromium (Playwright, Debian's chromium): the prospect answers
// on a phone and on a desktop, is sent to the meeting type's page with the form prefilled
// from the answers, and books. Screenshots: the form (desktop, 375 px), the prefilled form.
// Usage: node routing_form.mjs '<json config>'   (see scheduler_integration/scheduler_integration/doctype/scheduler_routing_form/test_scheduler_routing_form.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { join } from "node:path";

const cfg = JSON.parse(process.argv[2]);
const result = { dialogs: [], errors: [] };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: [
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		`--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`,
	],
});

try {
	// on a phone: the form fits, and says what is missing
	const phone = await browser.newContext({ locale: "en-US", viewport: { width: 375, height: 800 }, timezoneId: "Europe/Paris" });
	const small = await phone.newPage();
	small.on("pageerror", (e) => result.errors.push(String(e)));
	await small.goto(site(`/book/route/${cfg.form}`), { waitUntil: "load" });
	await small.locator("#sched-q-0").waitFor({ timeout: 30000 });
	await small.locator("button.sched-primary").click();
	result.required_error = (await small.locator("#sched-q-0-error").textContent()).trim();
	result.overflow = await small.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
	await small.screenshot({ path: join(cfg.shots, "routing-form-375px.png"), fullPage: true, animations: "disabled" });

	// on a desktop: answered, sent on to the team's meeting with the form prefilled
	const desk = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 }, timezoneId: "Europe/Paris" });
	const page = await desk.newPage();
	page.on("pageerror", (e) => result.errors.push(String(e)));
	page.on("dialog", async (d) => {
		result.dialogs.push(d.message());
		await d.dismiss();
	});
	await page.goto(site(`/book/route/${cfg.form}?size=201-500`), { waitUntil: "load" });
	await page.locator("#sched-q-0").waitFor({ timeout: 30000 });
	result.prefilled_size = await page.inputValue("#sched-q-2");
	await page.fill("#sched-q-0", cfg.email);
	await page.fill("#sched-q-1", "Noor Prospect");
	await page.fill("#sched-q-3", "400");
	await page.locator("label", { hasText: "Slack" }).click();
	await page.screenshot({ path: join(cfg.shots, "routing-form-desktop.png"), fullPage: true, animations: "disabled" });
	await Promise.all([page.waitForURL(/routed=/, { timeout: 60000 }), page.locator("button.sched-primary").click()]);
	result.routed_url = page.url();
	// the same booking page on a phone: the routed answers already in its form
	const booking375 = await phone.newPage();
	await booking375.goto(result.routed_url, { waitUntil: "load" });
	await booking375.locator(".sched-day.has").first().waitFor({ timeout: 60000 });
	await booking375.locator(".sched-day.has").first().click();
	await booking375.locator(".sched-slot").first().click();
	await booking375.locator("#sched-f-email").waitFor({ timeout: 30000 });
	result.seats_prefill = await booking375.inputValue("#sched-f-answers_1");
	result.overflow_booking = await booking375.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
	await booking375.screenshot({ path: join(cfg.shots, "routing-booking-prefilled-375px.png"), fullPage: true, animations: "disabled" });
	await page.locator(".sched-day.has").first().waitFor({ timeout: 60000 });
	await page.locator(".sched-day.has").first().click();
	await page.locator(".sched-slot").first().click();
	await page.locator("#sched-f-email").waitFor({ timeout: 30000 });
	result.booking_prefill = { name: await page.inputValue("#sched-f-name"), email: await page.inputValue("#sched-f-email") };
	await page.locator("label", { hasText: "Security" }).click();
	await page.fill("#sched-f-attendees", cfg.colleague);
	await page.screenshot({ path: join(cfg.shots, "routing-booking-prefilled-desktop.png"), fullPage: true, animations: "disabled" });
	const [answer] = await Promise.all([
		page.waitForResponse((r) => r.url().includes("api.public.book") && r.request().method() === "POST", { timeout: 60000 }),
		page.locator("form.sched-form button[type=submit]").click(),
	]);
	result.book_status = answer.status();
	result.booking = (await answer.json()).message.data;
	await page.locator("#sched-confirm").waitFor({ timeout: 30000 });
	console.log(JSON.stringify(result));
} catch (e) {
	result.failure = String((e && e.stack) || e);
	console.log(JSON.stringify(result));
	process.exitCode = 1;
} finally {
	await browser.close();
}
