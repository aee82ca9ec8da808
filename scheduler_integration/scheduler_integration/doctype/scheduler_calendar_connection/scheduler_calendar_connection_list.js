// Copyright (c) 2026, scheduler_integration contributors
// For license information, please see license.txt
//
// Each connection's row shows its provider's mark and colour before the provider's name (the
// list's title: Frappe writes it as plain text, so the mark is put in after each render).
frappe.listview_settings["Scheduler Calendar Connection"] = {
	refresh(listview) {
		const byName = Object.fromEntries((listview.data || []).map((doc) => [doc.name, doc]));
		listview.$result.find(".list-subject a[data-name]").each((_, link) => {
			const doc = byName[link.dataset.name];
			const brand = doc && scheduler_integration.brand(doc.provider);
			if (!brand || link.querySelector(".sched-mark")) return;
			link.insertAdjacentHTML("afterbegin", scheduler_integration.brand_mark(doc.provider, 16) + " ");
			link.querySelector(".sched-mark").style.verticalAlign = "text-bottom";
			$(link).closest(".list-row").css("box-shadow", `inset 4px 0 0 ${brand.color}`);
		});
	},
};
