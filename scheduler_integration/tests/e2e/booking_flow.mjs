// End-to-end booking in headless Chromium (Playwright, Debian's chromium).
// Usage: node booking_flow.mjs <base url> <site host> <profile slug> <type slug> <screenshot dir>
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, site, profile, type, shots] = process.argv.slice(2);
const result = { dialogs: [], errors: [] };

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: [
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		`--host-resolver-rules=MAP ${site} 127.0.0.1`,
	],
});
try {
	const context = await browser.newContext({ timezoneId: "Asia/Tokyo", locale: "en-US", viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.on("dialog", async (d) => { result.dialogs.push(d.message()); await d.dismiss(); });
	page.on("pageerror", (e) => result.errors.push(String(e)));
	const url = `${base.replace("127.0.0.1", site)}/book/${profile}/${type}`;
	await page.goto(url, { waitUntil: "load" });
	await page.waitForFunction(() => document.querySelector("button.sched-day.has") || /No times available/.test(document.body.innerText), null, { timeout: 30000 });
	if (!(await page.locator("button.sched-day.has").count())) {
		await page.getByLabel("Next month").click(); // late in a month: book next month
		await page.waitForSelector("button.sched-day.has", { timeout: 30000 });
	}
	result.detected_zone = await page.inputValue("#sched-zone");
	// keyboard: focus the first available day and press Enter
	await page.locator("button.sched-day.has").first().focus();
	await page.keyboard.press("Enter");
	await page.waitForSelector("button.sched-slot");
	result.slot_label = (await page.locator("button.sched-slot").first().textContent()).trim();
	await page.screenshot({ path: join(shots, "booking-desktop.png"), fullPage: true });
	await page.setViewportSize({ width: 375, height: 800 });
	result.mobile_overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
	await page.screenshot({ path: join(shots, "booking-375px.png"), fullPage: true });
	await page.setViewportSize({ width: 1280, height: 900 });
	await page.locator("button.sched-slot").first().click();
	await page.getByLabel("Your name *").fill("Hanako Yamada");
	await page.getByLabel("Email *").fill("hanako@example.jp");
	await page.getByLabel("What would you like to discuss?").fill("Expansion plans");
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.url().includes("api.public.book")),
		page.getByRole("button", { name: "Book Meeting" }).click(),
	]);
	const booked = (await response.json()).message;
	result.book_status = response.status();
	result.booking = booked.data;
	await page.waitForSelector("#sched-confirm-time");
	result.confirm_text = (await page.textContent("#sched-confirm-time")).trim();
	result.expected_text = new Intl.DateTimeFormat("en-US", {
		timeZone: "Asia/Tokyo", weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "numeric", minute: "2-digit",
	}).format(new Date(booked.data.start));
	await page.screenshot({ path: join(shots, "confirmation-desktop.png"), fullPage: true });
	await page.setViewportSize({ width: 375, height: 800 });
	await page.screenshot({ path: join(shots, "confirmation-375px.png"), fullPage: true });
	// manage link: cancel
	await page.click("#sched-manage-link");
	await page.waitForSelector("#sched-cancel");
	result.manage_time = (await page.textContent("#sched-manage-time")).trim();
	await page.fill("#sched-cancel-reason", "Plans changed");
	await page.click("#sched-cancel");
	await page.waitForSelector(".sched-notice");
	result.cancel_notice = (await page.textContent(".sched-notice")).trim();
	result.status_after = (await page.textContent("#sched-status")).trim();
	await page.screenshot({ path: join(shots, "cancelled-375px.png"), fullPage: true });
	console.log(JSON.stringify(result));
} catch (e) {
	result.failure = String(e && e.stack || e);
	console.log(JSON.stringify(result));
	process.exitCode = 1;
} finally {
	await browser.close();
}
