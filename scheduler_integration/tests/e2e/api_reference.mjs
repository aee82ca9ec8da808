// The API reference page (/scheduler-api) in headless Chromium (Playwright, Debian's chromium)
// at 375x800 and at desktop width: nothing wider than the screen (no table cut or scrolled
// sideways), descriptions as text in paragraphs with their `code` as <code>, the rate limit's
// number and window, axe-core.
// Screenshots of the top and of one operation at each width.
// Usage: node api_reference.mjs '<json config>'   (see tests/api/test_api_document.py)
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const result = { errors: [], axe: {}, widths: {} };
const url = `${cfg.base.replace("127.0.0.1", cfg.site)}/scheduler-api`;

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", `--host-resolver-rules=MAP ${cfg.site} 127.0.0.1`],
});

// what a reader sees at this width: anything wider than the screen or scrolled sideways
const measure = (op) =>
	page.evaluate((op) => {
		const width = window.innerWidth;
		const name = (e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}`;
		const section = document.getElementById(op);
		const descriptions = [...document.querySelectorAll(".sched-api-description")];
		return {
			page_wider: document.documentElement.scrollWidth > width + 1,
			tables: document.querySelectorAll("table").length,
			tables_cut: [...document.querySelectorAll("table")].filter((t) => t.getBoundingClientRect().right > width + 1 || t.scrollWidth > t.clientWidth + 1).map(name).slice(0, 5),
			sideways: [...document.querySelectorAll("body *")].filter((e) => e.scrollWidth > e.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(e).overflowX)).map(name).slice(0, 5),
			beyond: [...document.querySelectorAll(".sched-api-reference *")].filter((e) => e.getBoundingClientRect().right > width + 1).map(name).slice(0, 5),
			descriptions: descriptions.length,
			backticks: descriptions.filter((d) => d.textContent.includes("`")).length,
			line_breaks: descriptions.filter((d) => d.querySelector("br") || getComputedStyle(d.querySelector("p") || d).whiteSpace !== "normal").length,
			codes: document.querySelectorAll(".sched-api-description p code").length,
			paragraphs: section ? section.querySelectorAll(".sched-api-description p").length : 0,
			limit: section ? section.querySelector(".sched-api-limit")?.textContent.trim() : null,
			// stacked on a phone: the parameter's name, then each cell labelled
			first_row: section ? [...section.querySelectorAll(".sched-api-params tbody tr:first-child td")].map((td) => `${getComputedStyle(td, "::before").content} ${td.textContent}`.trim()) : [],
			cell_display: section ? getComputedStyle(section.querySelector(".sched-api-params td")).display : null,
		};
	}, op);

let page;
const lap = (label, started) => (result.seconds[label] = (Date.now() - started) / 1000);
result.seconds = {};
try {
	// one load, read at each width (the page's layout follows the viewport)
	const context = await browser.newContext({ locale: "en-US", viewport: { width: 375, height: 800 } });
	page = await context.newPage();
	page.on("pageerror", (e) => result.errors.push(String(e)));
	let started = Date.now();
	const answer = await page.goto(url, { waitUntil: "domcontentloaded" });
	await page.evaluate(() => document.fonts.ready);
	result.status = answer.status();
	lap("load", started);
	await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
	for (const [label, viewport] of [["375px", { width: 375, height: 800 }], ["desktop", { width: 1280, height: 900 }]]) {
		started = Date.now();
		await page.setViewportSize(viewport);
		await page.evaluate(() => window.scrollTo(0, 0));
		result.widths[label] = await measure(cfg.operation);
		await page.screenshot({ path: join(cfg.shots, `api-reference-top-${label}.png`) });
		await page.evaluate((op) => document.getElementById(op).scrollIntoView(), cfg.operation);
		await page.screenshot({ path: join(cfg.shots, `api-reference-book-${label}.png`) });
		await page.evaluate((op) => document.querySelector(`[id="${op}"] table`).scrollIntoView(), cfg.operation);
		await page.screenshot({ path: join(cfg.shots, `api-reference-parameters-${label}.png`) });
		// the whole page on the phone (110 operations: the longest step); at desktop width the
		// parts whose layout changes with it (the head, the codes, one operation and its table)
		const parts = label === "375px" ? null : [".sched-api-reference > h1", ".sched-api-reference > table", `#${cfg.operation.replaceAll(".", "\\.")}`];
		result.axe[label] = await page.evaluate(async (parts) => {
			const res = await window.axe.run(parts ? { include: parts.map((p) => [p]) } : document, { resultTypes: ["violations"] });
			return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
		}, parts);
		lap(label, started);
	}
	await context.close();
} catch (e) {
	result.errors.push(String(e.stack || e));
}
await browser.close();
console.log(JSON.stringify(result));
process.exit(result.errors.length ? 1 : 0);
