// A routing form's page (/book/route/<slug>): the questions, and on submit the server's
// decision — a booking page (its form prefilled), another web page, or a message. No
// framework; every text from the server is inserted with textContent, never as HTML.
(function () {
	"use strict";
	const { page, __, el, reportHeight } = window.scheduler_guest_page;
	const root = document.getElementById("sched-route");
	if (!page || !root) return;
	const form = el("form", { class: "sched-form", novalidate: true, "aria-label": page.form.title });
	const inputs = [];
	function field(q, i) {
		const id = "sched-q-" + i;
		const errorId = id + "-error";
		const label = el("label", { for: id }, q.label, q.required ? el("span", { class: "sched-req", "aria-hidden": "true" }, " *") : null);
		let control;
		let read;
		const common = { id, name: q.key, "aria-describedby": errorId, "aria-required": q.required ? "true" : null };
		if (q.fieldtype === "Select" || q.fieldtype === "Country") {
			control = el("select", common, el("option", { value: "" }, __("Choose…")), q.options.map((o) => el("option", { value: o }, o)));
			read = () => control.value;
		} else if (q.fieldtype === "Radio" || q.fieldtype === "Multi Select") {
			const multi = q.fieldtype === "Multi Select";
			const boxes = q.options.map((o, j) => {
				const input = el("input", { type: multi ? "checkbox" : "radio", name: q.key, value: o, id: id + "-" + j });
				return { input, node: el("div", { class: "sched-check" }, input, " ", el("label", { for: id + "-" + j, text: o })) };
			});
			control = el("fieldset", { id, class: "sched-choices", "aria-describedby": errorId }, el("legend", { class: "sched-sr" }, q.label), boxes.map((b) => b.node));
			read = () => (multi ? boxes.filter((b) => b.input.checked).map((b) => b.input.value) : (boxes.find((b) => b.input.checked) || { input: { value: "" } }).input.value);
		} else if (q.fieldtype === "Check") {
			control = el("input", { ...common, type: "checkbox" });
			read = () => control.checked;
		} else if (q.fieldtype === "Text") {
			control = el("textarea", { ...common, rows: "3", maxlength: "2000" });
			read = () => control.value;
		} else {
			const types = { Email: "email", Phone: "tel", Number: "text", "Multi Email": "text" };
			const modes = { Number: "decimal", Phone: "tel", Email: "email" };
			control = el("input", { ...common, type: types[q.fieldtype] || "text", inputmode: modes[q.fieldtype] || null, maxlength: "2000", autocomplete: q.fieldtype === "Email" ? "email" : q.fieldtype === "Phone" ? "tel" : null });
			read = () => control.value;
		}
		inputs.push({ q, i, read, control });
		return el("div", { class: "sched-field", "data-field": "answers." + i }, label, control, el("div", { class: "sched-error", id: errorId }));
	}
	page.form.questions.forEach((q, i) => form.append(field(q, i)));
	// ?<question key>=… in the link (cleaned by the server): set as values, never as markup
	for (const { q, control } of inputs) {
		const value = (page.form.prefill || {})[q.key];
		if (value === undefined) continue;
		if (control.tagName === "FIELDSET") {
			const wanted = [].concat(value).map(String);
			control.querySelectorAll("input").forEach((box) => { box.checked = wanted.includes(box.value); });
		} else if (control.type === "checkbox") control.checked = !!value;
		else control.value = Array.isArray(value) ? value.join(", ") : String(value);
	}
	// honeypot: hidden from people and assistive tech, filled by naive bots
	form.append(el("div", { class: "sched-hp", "aria-hidden": "true" }, el("label", { for: "sched-website" }, "Website"), el("input", { id: "sched-website", name: "website", type: "text", tabindex: "-1", autocomplete: "off" })));
	const status = el("div", { class: "sched-error sched-form-error", role: "alert" });
	const submit = el("button", { type: "submit", class: "sched-primary" }, __("Continue"));
	form.append(status, submit);
	function setError(i, message) {
		const box = form.querySelector(`[data-field="answers.${i}"]`);
		if (!box) return null;
		box.querySelector(".sched-error").textContent = message || "";
		const control = box.querySelector("input, select, textarea");
		if (control) {
			if (message) control.setAttribute("aria-invalid", "true");
			else control.removeAttribute("aria-invalid");
		}
		return control;
	}
	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		status.textContent = "";
		// every missing answer is marked at once; the focus goes to the first of them
		let first = null;
		const answers = {};
		for (const { q, i, read } of inputs) {
			const value = read();
			answers[q.key] = value;
			const empty = value === "" || value === false || (Array.isArray(value) && !value.length);
			const control = setError(i, q.required && empty ? __("This answer is required.") : "");
			if (q.required && empty) first = first || control;
		}
		if (first) {
			status.textContent = __("Please correct the marked fields.");
			first.focus();
			return reportHeight();
		}
		submit.disabled = true;
		let response;
		let body = {};
		try {
			const headers = { "Content-Type": "application/json", Accept: "application/json" };
			if (window.frappe && frappe.csrf_token && frappe.csrf_token !== "{{ csrf_token }}") headers["X-Frappe-CSRF-Token"] = frappe.csrf_token;
			response = await fetch("/api/method/scheduler_integration.api.routing.submit", {
				method: "POST",
				headers,
				credentials: "same-origin",
				body: JSON.stringify({ form: page.form.slug, answers, website: form.elements.website.value }),
			});
			const json = await response.json();
			body = json.message && typeof json.message === "object" ? json.message : json;
		} catch (e) {
			body = { success: false, message: __("Network error: please try again.") };
		}
		submit.disabled = false;
		if (!body.success) {
			// the server names each refused answer (answers.<position>): all of them are marked
			for (const [name, message] of Object.entries(body.errors || {})) {
				const i = Number(name.split(".")[1]);
				if (!name.startsWith("answers.") || Number.isNaN(i)) continue;
				// the server names the answer by its place; under the question, its label reads better
				const asked = inputs.find((x) => x.i === i);
				const control = setError(i, asked ? String(message).split(name).join(asked.q.label) : message);
				first = first || control;
			}
			status.textContent = (response && response.status === 429) ? __("Too many requests: please wait a minute and try again.") : body.message || __("Something went wrong: please try again.");
			if (first) first.focus();
			return reportHeight();
		}
		const next = body.data;
		if (next.action === "book" || next.action === "redirect") {
			const url = new URL(next.url, window.location.href);
			if (next.action === "book") {
				for (const key of ["embed", "lang"]) if (page[key] && new URLSearchParams(window.location.search).get(key)) url.searchParams.set(key, new URLSearchParams(window.location.search).get(key));
				window.location.assign(url.href);
			} else if (page.embed && window.top !== window) {
				window.open(url.href, "_top");
			} else {
				window.location.assign(url.href);
			}
			return;
		}
		root.replaceChildren(el("div", { class: "sched-confirm", id: "sched-routed", tabindex: "-1" }, el("p", { class: "sched-message", text: next.message })));
		document.getElementById("sched-routed").focus();
		reportHeight();
	});
	root.replaceChildren(form);
	if (page.embed) {
		window.addEventListener("resize", reportHeight);
		window.addEventListener("load", reportHeight);
	}
	reportHeight();
})();
