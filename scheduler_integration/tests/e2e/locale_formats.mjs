// How the booking page writes a date and a time, per browser locale, in headless Chromium
// (Playwright, Debian's chromium); then one booking in cfg.book's locale.
// Usage: node locale_formats.mjs '<json config>'   (see tests/effects/test_host_emails.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";

const cfg = JSON.parse(process.argv[2]);
const result = { errors: [], pages: {} };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: [
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		`--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`,
	],
});

async function open(locale) {
	// the locale sets navigator.language and Accept-Language, as a reader's browser does
	const context = await browser.newContext({ timezoneId: "UTC", locale, viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.on("pageerror", (e) => result.errors.push(`${locale}: ${e}`));
	await page.goto(site(`/book/${cfg.profile}/${cfg.slug}?date=${cfg.date}`), { waitUntil: "load" });
	await page.waitForSelector("#sched-day-title", { timeout: 30000 });
	return { context, page };
}

try {
	// each locale's page: the day's heading, its first time, the form's date and time
	for (const locale of cfg.locales) {
		const { context, page } = await open(locale);
		const seen = {
			lang: await page.evaluate(() => document.documentElement.lang),
			heading: (await page.textContent("#sched-day-title")).trim(),
			slot: (await page.locator("button.sched-slot").first().textContent()).trim(),
		};
		await page.locator("button.sched-slot").first().click();
		await page.waitForSelector(".sched-when strong");
		seen.when = (await page.textContent(".sched-when strong")).trim();
		result.pages[locale] = seen;
		await context.close();
	}
	// then one booking of that first time, in cfg.book's locale
	const { context, page } = await open(cfg.book);
	await page.locator("button.sched-slot").first().click();
	await page.fill("#sched-f-name", "Lena Locale");
	await page.fill("#sched-f-email", cfg.email);
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.url().includes("api.public.book")),
		page.click("button.sched-primary"),
	]);
	result.book_status = response.status();
	result.booking = (await response.json()).message.data.id;
	await context.close();
} catch (e) {
	result.errors.push(String(e && e.stack ? e.stack : e));
} finally {
	await browser.close();
	console.log(JSON.stringify(result));
	process.exit(result.errors.length ? 1 : 0);
}
