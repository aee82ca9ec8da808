// What the guest pages' scripts share (booking_page.js, routing_form.js; loaded before them
// by templates/scheduler_booking_base.html): the page's data, its translations, a DOM builder
// that inserts text with textContent only (never as HTML), and the embed frame's height.
window.scheduler_guest_page = (function () {
	"use strict";
	const dataEl = document.getElementById("sched-data");
	const page = dataEl ? JSON.parse(dataEl.textContent) : null;
	const messages = (page && page.messages) || {};
	function __(text, args) {
		const out = Object.prototype.hasOwnProperty.call(messages, text) ? messages[text] : text;
		return args ? out.replace(/\{(\d+)\}/g, (m, i) => (args[i] !== undefined ? args[i] : m)) : out;
	}
	function el(tag, attrs, ...children) {
		const node = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === null || v === undefined || v === false) continue;
			if (k === "class") node.className = v;
			else if (k === "text") node.textContent = v;
			else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
			else node.setAttribute(k, v === true ? "" : v);
		}
		add(node, children);
		return node;
	}
	// append children, skipping empty ones (Node.append would print "null")
	function add(node, children) {
		for (const child of [children].flat(Infinity)) {
			if (child === null || child === undefined || child === false) continue;
			node.append(child instanceof Node ? child : document.createTextNode(String(child)));
		}
		return node;
	}
	// the embed widget's iframe grows with the page (public/js/embed.js listens)
	function reportHeight() {
		if (!page || !page.embed || window.parent === window) return;
		const main = document.querySelector("main.sched");
		if (!main) return;
		const height = Math.ceil(main.getBoundingClientRect().bottom + window.scrollY + 24);
		window.parent.postMessage({ type: "scheduler-integration:resize", height }, "*");
	}
	return { page, __, el, add, reportHeight };
})();
