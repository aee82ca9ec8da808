// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt

// The form is built in one place (the "Questions and Rules" section): each question with its
// choices in view, each rule with its conditions inline — a condition picks its question
// from the form's questions and, for a question with choices, its value from those choices.
// The builder writes the same child rows the tables hold (Scheduler Routing Question, Rule,
// Condition; a condition names its rule), so saving, validation and the API are unchanged;
// "Show as tables" brings the tables back. Labels and help come from the DocTypes.
frappe.provide("scheduler_integration.routing");

scheduler_integration.routing.Builder = class RoutingBuilder {
	constructor(frm) {
		this.frm = frm;
		this.root = frm.get_field("builder_html").$wrapper.get(0);
		this.tables = false;
	}

	// --- the DocTypes' own words and choices ---
	df(doctype, fieldname) {
		return frappe.meta.get_docfield(doctype, fieldname) || {};
	}
	label(doctype, fieldname) {
		return __(this.df(doctype, fieldname).label || fieldname);
	}
	choices(doctype, fieldname) {
		return (this.df(doctype, fieldname).options || "").split("\n");
	}

	// --- a small DOM builder: text is always set as text, never as HTML ---
	h(tag, attrs, ...children) {
		const node = document.createElement(tag);
		for (const [key, value] of Object.entries(attrs || {})) {
			if (value === null || value === undefined || value === false) continue;
			if (key === "class") node.className = value;
			else if (key === "text") node.textContent = value;
			else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
			else if (key === "value") node.value = value;
			else node.setAttribute(key, value === true ? "" : value);
		}
		for (const child of children.flat(Infinity)) {
			if (child === null || child === undefined || child === false) continue;
			node.append(child instanceof Node ? child : document.createTextNode(String(child)));
		}
		return node;
	}
	uid(...parts) {
		return ["sched-rb", ...parts].join("-").replace(/[^A-Za-z0-9_-]/g, "_");
	}
	field(id, label, control, help) {
		return this.h("div", { class: "sched-rb-field" }, this.h("label", { for: id, class: "control-label", text: label }), control, help ? this.h("p", { class: "help-box small text-muted", text: help }) : null);
	}
	input(id, value, onchange, attrs = {}) {
		return this.h("input", { id, class: "form-control input-sm", type: "text", value: value || "", onchange: (e) => onchange(e.target.value), ...attrs });
	}
	textarea(id, value, onchange, attrs = {}) {
		return this.h("textarea", { id, class: "form-control input-sm", rows: "3", onchange: (e) => onchange(e.target.value), ...attrs }, value || "");
	}
	select(id, options, value, onchange, labels = {}) {
		const node = this.h("select", { id, class: "form-control input-sm", onchange: (e) => onchange(e.target.value) }, options.map((o) => this.h("option", { value: o, text: labels[o] !== undefined ? labels[o] : o ? __(o) : "" })));
		node.value = value || options[0] || "";
		return node;
	}
	button(text, onclick, attrs = {}) {
		return this.h("button", { type: "button", class: "btn btn-xs btn-default", onclick, ...attrs }, text);
	}

	// --- the rows ---
	rows(table) {
		return this.frm.doc[table] || [];
	}
	set(row, fieldname, value) {
		return frappe.model.set_value(row.doctype, row.name, fieldname, value);
	}
	changed(table) {
		this.frm.refresh_field(table);
		this.frm.dirty();
		this.render();
	}
	move(table, row, delta) {
		const rows = this.rows(table);
		const at = rows.indexOf(row);
		const to = at + delta;
		if (at < 0 || to < 0 || to >= rows.length) return;
		rows.splice(at, 1);
		rows.splice(to, 0, row);
		rows.forEach((r, i) => (r.idx = i + 1));
		this.changed(table);
		this.focus(`[data-move="${table}-${row.name}-${delta}"]`);
	}
	remove(table, row) {
		if (table === "rules") {
			for (const condition of this.conditions(row)) frappe.model.clear_doc(condition.doctype, condition.name);
			this.frm.refresh_field("conditions");
		}
		frappe.model.clear_doc(row.doctype, row.name);
		this.changed(table);
	}
	focus(selector) {
		const node = this.root.querySelector(selector);
		if (node) node.focus();
	}
	conditions(rule) {
		return this.rows("conditions").filter((c) => c.rule === rule.rule_name);
	}
	// a question's key as the server makes one from its label (lowercase letters, digits, _)
	key_for(label) {
		const key = (label || "").toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "_").replace(/^[^a-z]+|_+$/g, "");
		let out = key.slice(0, 60) || "question";
		const taken = new Set(this.rows("questions").map((q) => q.question_key));
		for (let n = 2; taken.has(out); n++) out = `${key.slice(0, 55) || "question"}_${n}`;
		return out;
	}
	with_choices(question) {
		return question && ["Select", "Radio", "Multi Select"].includes(question.fieldtype);
	}
	choice_list(question) {
		return (question.options || "").split("\n").map((o) => o.trim()).filter(Boolean);
	}

	// --- drawing ---
	css() {
		return [
			".sched-rb-card{border:1px solid var(--border-color);border-radius:var(--border-radius-md);padding:12px;margin-bottom:12px;background:var(--card-bg)}",
			".sched-rb-head{display:flex;gap:8px;align-items:center;justify-content:space-between;margin-bottom:8px}",
			".sched-rb-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:8px 12px}",
			".sched-rb-field .control-label{margin-bottom:2px}",
			".sched-rb-cond{display:grid;grid-template-columns:minmax(140px,1.2fr) minmax(120px,1fr) minmax(140px,1.5fr) auto;gap:8px;align-items:end;padding:8px;border-radius:var(--border-radius);background:var(--subtle-fg);margin-bottom:6px}",
			"@media (max-width:640px){.sched-rb-cond{grid-template-columns:1fr}}",
			".sched-rb-tools{display:flex;gap:4px;flex-wrap:wrap}",
			".sched-rb-checks{display:flex;flex-wrap:wrap;gap:4px 14px}",
			".sched-rb-checks label{font-weight:normal;margin:0}",
			".sched-rb h4{font-size:var(--text-lg);margin:8px 0}",
			// a dropdown looks like one (Frappe's own selects draw their arrow in a wrapper)
			".sched-rb select.form-control{-webkit-appearance:auto;appearance:auto}",
		].join("");
	}
	render() {
		if (!this.root) return;
		const active = document.activeElement && this.root.contains(document.activeElement) ? document.activeElement.id : null;
		this.root.replaceChildren(
			this.h(
				"div",
				{ class: "sched-rb" },
				this.h("style", {}, this.css()),
				this.h("div", { class: "sched-rb-tools", style: "justify-content:flex-end" }, this.button(this.tables ? __("Hide the tables") : __("Show as tables"), () => this.toggle_tables(), { class: "btn btn-xs btn-link sched-rb-tables" })),
				this.h("h4", { text: __("Questions") }),
				this.rows("questions").length ? this.rows("questions").map((q, i) => this.question_card(q, i)) : this.h("p", { class: "text-muted", text: __("No questions yet.") }),
				this.button(__("Add a question"), () => this.add_question(), { class: "btn btn-sm btn-default sched-rb-add-question" }),
				this.h("h4", { text: __("Rules"), style: "margin-top:20px" }),
				this.h("p", { class: "text-muted small", text: __(this.df(this.frm.doctype, "rules").description || "") }),
				this.rows("rules").length ? this.rows("rules").map((r, i) => this.rule_card(r, i)) : this.h("p", { class: "text-muted", text: __("No rules yet: every answer goes where No Rule Matches says.") }),
				this.button(__("Add a rule"), () => this.add_rule(), { class: "btn btn-sm btn-default sched-rb-add-rule" })
			)
		);
		this.frm.toggle_display(["questions", "rules", "conditions"], this.tables);
		if (active) this.focus(`#${CSS.escape(active)}`);
	}
	toggle_tables() {
		this.tables = !this.tables;
		this.render();
	}
	tools(table, row, index, count, name) {
		return this.h(
			"div",
			{ class: "sched-rb-tools" },
			this.button("↑", () => this.move(table, row, -1), { "aria-label": __("Move {0} up", [name]), title: __("Move up"), disabled: index === 0, "data-move": `${table}-${row.name}--1` }),
			this.button("↓", () => this.move(table, row, 1), { "aria-label": __("Move {0} down", [name]), title: __("Move down"), disabled: index === count - 1, "data-move": `${table}-${row.name}-1` }),
			this.button(__("Remove"), () => this.remove(table, row), { "aria-label": __("Remove {0}", [name]) })
		);
	}
	question_card(q, index) {
		const Q = "Scheduler Routing Question";
		const id = (f) => this.uid("q", q.name, f);
		const name = __("Question {0}", [index + 1]);
		const options = this.with_choices(q)
			? this.field(id("options"), this.label(Q, "options"), this.textarea(id("options"), q.options, (v) => this.set(q, "options", v).then(() => this.render()), { rows: "4", placeholder: __("One choice per line") }), __(this.df(Q, "options").description || ""))
			: null;
		return this.h(
			"div",
			{ class: "sched-rb-card sched-rb-question", "data-row": q.name },
			this.h("div", { class: "sched-rb-head" }, this.h("strong", { text: name }), this.tools("questions", q, index, this.rows("questions").length, name)),
			this.h(
				"div",
				{ class: "sched-rb-grid" },
				this.field(id("label"), this.label(Q, "label"), this.input(id("label"), q.label, (v) => this.set_label(q, v))),
				this.field(id("key"), this.label(Q, "question_key"), this.input(id("key"), q.question_key, (v) => this.set_key(q, v), { spellcheck: "false" })),
				this.field(id("fieldtype"), this.label(Q, "fieldtype"), this.select(id("fieldtype"), this.choices(Q, "fieldtype"), q.fieldtype || "Data", (v) => this.set(q, "fieldtype", v).then(() => this.render()))),
				this.field(id("maps_to"), this.label(Q, "maps_to"), this.select(id("maps_to"), this.choices(Q, "maps_to"), q.maps_to || "", (v) => this.set(q, "maps_to", v), { "": __("Nothing") })),
				this.field(id("crm_field"), this.label(Q, "crm_field"), this.input(id("crm_field"), q.crm_field, (v) => this.set(q, "crm_field", v), { spellcheck: "false" })),
				this.h("div", { class: "sched-rb-field checkbox", style: "align-self:end" }, this.h("label", { for: id("required") }, this.h("input", { id: id("required"), type: "checkbox", checked: !!q.required, onchange: (e) => this.set(q, "required", e.target.checked ? 1 : 0) }), " ", this.label(Q, "required")))
			),
			options
		);
	}
	set_label(q, label) {
		const wanted = !q.question_key ? this.key_for(label) : null;
		this.set(q, "label", label).then(() => (wanted ? this.set_key(q, wanted) : this.render()));
	}
	set_key(q, key) {
		const before = q.question_key;
		const updates = [this.set(q, "question_key", key)];
		// the conditions that asked about this question follow it
		if (before) for (const c of this.rows("conditions")) if (c.question === before) updates.push(this.set(c, "question", key));
		Promise.all(updates).then(() => this.render());
	}
	add_question() {
		const row = this.frm.add_child("questions", { fieldtype: "Data" });
		this.changed("questions");
		this.focus(`#${this.uid("q", row.name, "label")}`);
	}
	rule_card(rule, index) {
		const R = "Scheduler Routing Rule";
		const id = (f) => this.uid("r", rule.name, f);
		const name = rule.rule_name || __("Rule {0}", [index + 1]);
		const outcome = rule.outcome || "Meeting Type";
		const books = ["Meeting Type", "Record Owner", "Team Hosts"].includes(outcome);
		const conditions = this.conditions(rule);
		const type_holder = this.h("div", { class: "sched-rb-field sched-rb-type" });
		if (books) {
			const control = frappe.ui.form.make_control({
				df: { fieldtype: "Link", options: "Scheduler Meeting Type", fieldname: `sched_rb_type_${rule.name}`, label: this.label(R, "meeting_type"), change: () => {
					const value = control.get_value();
					if (value !== (rule.meeting_type || "")) this.set(rule, "meeting_type", value);
				} },
				parent: type_holder,
				render_input: true,
			});
			control.set_value(rule.meeting_type || "");
			control.$input.attr("id", id("meeting_type"));
			control.$wrapper.find("label").attr("for", id("meeting_type"));
		}
		return this.h(
			"div",
			{ class: "sched-rb-card sched-rb-rule", "data-row": rule.name },
			this.h("div", { class: "sched-rb-head" }, this.h("strong", { text: __("Rule {0}", [index + 1]) }), this.tools("rules", rule, index, this.rows("rules").length, name)),
			this.field(id("name"), this.label(R, "rule_name"), this.input(id("name"), rule.rule_name, (v) => this.rename_rule(rule, v))),
			this.h("p", { class: "small", style: "margin:10px 0 6px", text: conditions.length ? __("When all of these hold:") : __("No conditions: this rule matches every answer.") }),
			conditions.map((c, i) => this.condition_row(c, i, name)),
			this.button(__("Add a condition"), () => this.add_condition(rule), { class: "btn btn-xs btn-default sched-rb-add-condition", "aria-label": __("Add a condition to {0}", [name]) }),
			this.h("p", { class: "small", style: "margin:12px 0 6px", text: __("Then:") }),
			this.h(
				"div",
				{ class: "sched-rb-grid" },
				this.field(id("outcome"), this.label(R, "outcome"), this.select(id("outcome"), this.choices(R, "outcome"), outcome, (v) => this.set(rule, "outcome", v).then(() => this.render()))),
				books ? type_holder : null,
				outcome === "Team Hosts" ? this.field(id("hosts"), this.label(R, "hosts"), this.textarea(id("hosts"), rule.hosts, (v) => this.set(rule, "hosts", v)), __(this.df(R, "hosts").description || "")) : null,
				outcome === "External URL" ? this.field(id("url"), this.label(R, "url"), this.input(id("url"), rule.url, (v) => this.set(rule, "url", v), { type: "url", placeholder: "https://" })) : null,
				outcome === "Message" ? this.field(id("message"), this.label(R, "message"), this.textarea(id("message"), rule.message, (v) => this.set(rule, "message", v))) : null
			)
		);
	}
	rename_rule(rule, value) {
		const before = rule.rule_name;
		const taken = this.rows("rules").some((r) => r !== rule && r.rule_name === value);
		if (!value || taken) {
			frappe.show_alert({ message: taken ? __("Each rule needs its own name") : __("A rule needs a name"), indicator: "orange" });
			return this.render();
		}
		const updates = [this.set(rule, "rule_name", value)];
		for (const c of this.rows("conditions")) if (c.rule === before) updates.push(this.set(c, "rule", value));
		Promise.all(updates).then(() => this.render());
	}
	add_rule() {
		const names = new Set(this.rows("rules").map((r) => r.rule_name));
		let n = this.rows("rules").length + 1;
		while (names.has(__("Rule {0}", [n]))) n++;
		const row = this.frm.add_child("rules", { rule_name: __("Rule {0}", [n]), outcome: "Meeting Type" });
		this.changed("rules");
		this.focus(`#${this.uid("r", row.name, "name")}`);
	}
	add_condition(rule) {
		const first = this.rows("questions").find((q) => q.question_key);
		const row = this.frm.add_child("conditions", { rule: rule.rule_name, question: first ? first.question_key : "", operator: "is" });
		this.changed("conditions");
		this.focus(`#${this.uid("c", row.name, "question")}`);
	}
	condition_row(c, index, rule_name) {
		const C = "Scheduler Routing Condition";
		const id = (f) => this.uid("c", c.name, f);
		const operator = c.operator || "is";
		const questions = this.rows("questions").filter((q) => q.question_key);
		const question = questions.find((q) => q.question_key === c.question);
		const labels = {};
		for (const q of questions) labels[q.question_key] = `${q.label || q.question_key} (${q.question_key})`;
		const keys = questions.map((q) => q.question_key);
		if (c.question && !keys.includes(c.question)) {
			keys.push(c.question);
			labels[c.question] = __("{0} (no such question)", [c.question]);
		}
		const asks = operator !== "known record";
		const value = this.condition_value(c, operator, question, id("value"));
		const where = __("Condition {0} of {1}", [index + 1, rule_name]);
		return this.h(
			"div",
			{ class: "sched-rb-cond", "data-row": c.name, role: "group", "aria-label": where },
			asks ? this.field(id("question"), __("Question"), this.select(id("question"), ["", ...keys], c.question || "", (v) => this.set(c, "question", v).then(() => this.render()), { "": __("Choose…"), ...labels })) : this.h("div", { class: "small text-muted", text: __("The prospect is already in the CRM") }),
			this.field(id("operator"), this.label(C, "operator"), this.select(id("operator"), this.choices(C, "operator"), operator, (v) => this.set(c, "operator", v).then(() => this.render()))),
			value ? this.field(id("value"), this.label(C, "value"), value) : this.h("div"),
			this.button(__("Remove"), () => this.remove("conditions", c), { "aria-label": __("Remove {0}", [where]) })
		);
	}
	// the value's control: the question's own choices where it has them
	condition_value(c, operator, question, id) {
		if (["is empty", "is not empty"].includes(operator)) return null;
		const save = (v) => this.set(c, "value", v);
		if (operator === "known record") return this.input(id, c.value, save, { placeholder: __("CRM Lead, CRM Deal (empty: any)") });
		const choices = this.with_choices(question) ? this.choice_list(question) : [];
		if (choices.length && operator === "is one of") {
			const picked = new Set((c.value || "").split("\n").map((v) => v.trim()).filter(Boolean));
			const boxes = choices.map((choice, j) =>
				this.h("label", { for: `${id}-${j}` }, this.h("input", { id: `${id}-${j}`, type: "checkbox", value: choice, checked: picked.has(choice), onchange: () => save([...this.root.querySelectorAll(`input[id^="${id}-"]:checked`)].map((b) => b.value).join("\n")) }), " ", choice)
			);
			return this.h("div", { id, class: "sched-rb-checks", role: "group", tabindex: "-1" }, boxes);
		}
		if (choices.length && ["is", "is not", "contains"].includes(operator)) {
			const options = choices.includes(c.value) || !c.value ? ["", ...choices] : ["", c.value, ...choices];
			return this.select(id, options, c.value || "", save, { "": __("Choose…") });
		}
		const numeric = ["greater than", "less than", "at least", "at most"].includes(operator);
		if (operator === "is one of") return this.textarea(id, c.value, save, { rows: "2", placeholder: __("One value per line") });
		return this.input(id, c.value, save, numeric ? { inputmode: "decimal" } : {});
	}
};

frappe.ui.form.on("Scheduler Routing Form", {
	refresh(frm) {
		// the form's page: copy, open, embed (like a booking page's)
		scheduler_integration.add_link_buttons(frm, frm.doc.slug ? `/book/route/${encodeURIComponent(frm.doc.slug)}` : null);
		frm.sched_builder = frm.sched_builder || new scheduler_integration.routing.Builder(frm);
		frm.sched_builder.render();
		if (frm.is_new()) return;
		frm.add_custom_button(__("Decisions"), () => frappe.set_route("List", "Scheduler Routing Submission", { form: frm.doc.name }));
		frm.add_custom_button(__("Funnel Report"), () => frappe.set_route("query-report", "Scheduler Routing Funnel", { form: frm.doc.name }));
		frappe
			.call({ method: "scheduler_integration.api.routing.get_funnel", args: { form: frm.doc.name }, type: "GET" })
			.then((r) => {
				const figures = ((r.message && r.message.data) || {})[frm.doc.name];
				if (!figures) return;
				const cell = (label, value) => `<div class="col-sm-4"><div class="text-muted small">${frappe.utils.escape_html(label)}</div><div class="h4">${value}</div></div>`;
				frm.get_field("funnel_html").$wrapper.html(
					`<div class="row">${cell(__("Submitted"), figures.submitted)}${cell(__("Routed"), figures.routed)}${cell(__("Booked"), figures.booked)}</div>`
				);
			})
			.catch(() => null);
	},
	title(frm) {
		if (frm.is_new() && !frm.doc.slug && frm.doc.title) {
			frm.set_value("slug", frappe.scrub(frm.doc.title).replace(/_/g, "-").replace(/[^a-z0-9-]/g, ""));
		}
	},
	// the tables and the builder are two views of the same rows
	questions_remove(frm) {
		if (frm.sched_builder) frm.sched_builder.render();
	},
	rules_remove(frm) {
		if (frm.sched_builder) frm.sched_builder.render();
	},
	conditions_remove(frm) {
		if (frm.sched_builder) frm.sched_builder.render();
	},
});
