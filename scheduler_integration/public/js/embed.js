// Scheduler Integration embed widget for other websites. Put on any page:
//   <div data-scheduler-embed="inline" data-url="https://SITE/book/HOST/TYPE"></div>
//   <button type="button" data-scheduler-embed="popup" data-url="https://SITE/book/HOST">Book</button>
//   <script src="https://SITE/assets/scheduler_integration/js/embed.js" async></script>
// Inline: an iframe that grows with the booking page. Pop-up: the button opens the booking page
// in a modal dialog (Escape, also inside the page, or the close button closes it, and focus
// returns to the button).
// The booking site only lets websites listed in its Scheduler Settings frame its pages.
// Events: the element dispatches "scheduler:booked" when a booking is made inside it.
(function () {
	"use strict";
	if (window.__schedulerEmbed) return window.__schedulerEmbed.scan();
	const PREFIX = "scheduler-integration:";
	const frames = new Set(); // { iframe, origin, owner } of every frame this script made

	function frameUrl(url, mode) {
		const u = new URL(url, window.location.href);
		u.searchParams.set("embed", mode);
		return u;
	}
	function makeFrame(url, mode, title, owner) {
		const u = frameUrl(url, mode);
		const iframe = document.createElement("iframe");
		iframe.src = u.href;
		iframe.title = title;
		iframe.setAttribute("loading", mode === "inline" ? "lazy" : "eager");
		iframe.style.cssText = "display:block;width:100%;border:0;min-height:320px;background:transparent;color-scheme:normal";
		frames.add({ iframe, origin: u.origin, owner });
		return iframe;
	}
	window.addEventListener("message", (event) => {
		const data = event.data;
		if (!data || typeof data.type !== "string" || !data.type.startsWith(PREFIX)) return;
		let entry = null;
		frames.forEach((e) => {
			if (e.iframe.contentWindow === event.source) entry = e;
		});
		if (!entry || event.origin !== entry.origin) return; // only our own frames speak
		if (data.type === PREFIX + "resize" && entry.iframe.dataset.mode === "inline") {
			const height = Math.max(200, Math.min(5000, Number(data.height) || 0));
			entry.iframe.style.height = height + "px";
		} else if (data.type === PREFIX + "close" && entry.iframe.dataset.mode === "popup") {
			const dialog = entry.iframe.closest("dialog");
			if (dialog && dialog.open) dialog.close();
		} else if (data.type === PREFIX + "booked") {
			entry.owner.dispatchEvent(new CustomEvent("scheduler:booked", { bubbles: true, detail: { status: String(data.status || ""), start: String(data.start || "") } }));
		}
	});

	function inline(node) {
		const iframe = makeFrame(node.dataset.url, "inline", node.dataset.title || "Booking", node);
		iframe.dataset.mode = "inline";
		node.replaceChildren(iframe);
	}

	function popup(button) {
		button.setAttribute("aria-haspopup", "dialog");
		button.addEventListener("click", (event) => {
			event.preventDefault();
			open(button);
		});
	}
	function open(button) {
		const dialog = document.createElement("dialog");
		dialog.className = "scheduler-embed-dialog";
		dialog.setAttribute("aria-label", button.dataset.title || button.textContent.trim() || "Booking");
		dialog.style.cssText = "width:min(900px,96vw);height:min(760px,92vh);padding:0;border:0;border-radius:12px;box-shadow:0 20px 60px rgba(0,0,0,.35);overflow:hidden";
		const close = document.createElement("button");
		close.type = "button";
		close.textContent = "×";
		close.setAttribute("aria-label", button.dataset.closeLabel || "Close");
		close.className = "scheduler-embed-close";
		close.style.cssText = "position:absolute;top:8px;right:8px;z-index:1;width:36px;height:36px;border-radius:50%;border:1px solid #d1d5db;background:#fff;color:#111;font-size:22px;line-height:1;cursor:pointer";
		close.addEventListener("click", () => dialog.close());
		const iframe = makeFrame(button.dataset.url, "popup", dialog.getAttribute("aria-label"), button);
		iframe.dataset.mode = "popup";
		iframe.style.height = "100%";
		dialog.append(close, iframe);
		dialog.addEventListener("close", () => {
			frames.forEach((e) => e.iframe === iframe && frames.delete(e));
			dialog.remove();
			button.focus();
		});
		document.body.append(dialog);
		if (typeof dialog.showModal === "function") dialog.showModal();
		else dialog.setAttribute("open", "");
		iframe.focus();
	}

	function scan() {
		document.querySelectorAll("[data-scheduler-embed]:not([data-scheduler-ready])").forEach((node) => {
			if (!node.dataset.url) return;
			node.setAttribute("data-scheduler-ready", "1");
			if (node.dataset.schedulerEmbed === "popup") popup(node);
			else inline(node);
		});
	}
	window.__schedulerEmbed = { scan };
	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
	else scan();
})();
