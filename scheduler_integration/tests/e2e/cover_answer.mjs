// A colleague answers a request to cover a host's leave in the desk, and changes the answer
// later; the leave itself is shown to them read-only (it is the host's). Screenshots of the
// form before and after. Usage: node cover_answer.mjs '<json config>' (tests/setup/test_desk_actions.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { join } from "node:path";

const cfg = JSON.parse(process.argv[2]);
const result = { errors: [], seen: [] };
const site = (path) => `${cfg.base.replace("127.0.0.1", cfg.site)}${path}`;
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", `--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`],
});

// what the form offers: its custom buttons, its headline, whether the reason can be edited
async function look(page, name) {
	await page.goto(site(`/app/scheduler-out-of-office/${encodeURIComponent(cfg.leave)}`), { waitUntil: "load" });
	await page.waitForFunction((n) => window.cur_frm && cur_frm.doc.name === n && !cur_frm.is_dirty(), cfg.leave, { timeout: 60000 });
	await page.waitForTimeout(500);
	await page.screenshot({ path: join(cfg.shots, `cover-${name}.png`) });
	const seen = await page.evaluate(() => ({
		status: cur_frm.doc.delegate_status,
		buttons: [...document.querySelectorAll(".page-actions .custom-actions button:not(.hidden), .page-actions .inner-group-button button")]
			.map((b) => b.innerText.trim())
			.filter(Boolean),
		headline: (document.querySelector(".form-dashboard .form-headline, .form-message") || {}).innerText || "",
		reason_editable: cur_frm.fields_dict.reason.disp_status === "Write",
		save_shown: !!document.querySelector(".page-actions .primary-action:not(.hide)") && cur_frm.save_disabled !== true,
	}));
	result.seen.push(seen);
	return seen;
}
async function press(page, label, status) {
	await page.locator(`.page-actions button:visible`, { hasText: label }).first().click();
	await page.waitForFunction((s) => window.cur_frm && cur_frm.doc.delegate_status === s, status, { timeout: 60000 });
}

try {
	const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC", viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.on("pageerror", (e) => result.errors.push(String(e)));
	await page.goto(site("/login"), { waitUntil: "load" });
	const login = await page.evaluate(async (c) => (await fetch("/api/method/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ usr: c.user, pwd: c.password }) })).status, cfg);
	if (login !== 200) throw new Error("login failed: " + login);
	await look(page, "accepted");
	await press(page, "Decline", "Declined");
	await look(page, "declined");
	await press(page, "Accept", "Accepted");
	await look(page, "accepted-again");
} catch (e) {
	result.errors.push(String(e && e.stack ? e.stack : e));
}
await browser.close();
console.log(JSON.stringify(result));
process.exit(result.errors.length ? 1 : 0);
