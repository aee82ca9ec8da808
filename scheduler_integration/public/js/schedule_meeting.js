// "Schedule Meeting" on ERPNext's Lead, Opportunity and Customer forms and the Contact form
// (hooks.doctype_js): the rep picks one of their meeting types, then books a free time on
// the prospect's behalf or sends a personal booking link. The server checks everything
// (scheduler_integration.api.crm); this only asks and shows.
(function () {
	"use strict";
	if (window.scheduler_schedule_meeting) return; // the file is loaded with each form's script
	// the app's API (scheduler_integration.api, public/js/scheduler_desk.js): api.crm's methods
	const schedulerApi = (method, args, post) => scheduler_integration.api(`crm.${method}`, args, post);

	function fail(error) {
		frappe.msgprint({ title: __("Schedule Meeting"), message: frappe.utils.escape_html(schedulerErrorText(error)), indicator: "red" });
	}

	async function scheduleMeeting(frm) {
		let options;
		try {
			options = await schedulerApi("scheduling_options", { reference_doctype: frm.doctype, reference_name: frm.docname });
		} catch (e) {
			return fail(e);
		}
		if (!options.meeting_types.length) {
			return fail(new Error(__("You have no meeting type to book: create one in the desk under Scheduling.")));
		}
		const prospect = options.prospect;
		let free = null;
		const [typeField, modeField] = scheduleMeetingFields(options.meeting_types); // public/js/scheduler_shared.js
		const dialog = new frappe.ui.Dialog({
			title: __("Schedule Meeting"),
			fields: [
				{ ...typeField, default: options.meeting_types[0].name, onchange: () => loadTimes() },
				{ ...modeField, default: "book", onchange: () => showMode() },
				{ fieldname: "start", fieldtype: "Select", label: __("Time"), depends_on: "eval:doc.mode=='book'" },
				{ fieldname: "section_prospect", fieldtype: "Section Break", label: __("Prospect") },
				{ fieldname: "name", fieldtype: "Data", label: __("Name"), default: prospect.name },
				{ fieldname: "email", fieldtype: "Data", options: "Email", label: __("Email"), reqd: 1, default: prospect.email },
				{ fieldname: "phone", fieldtype: "Data", label: __("Phone"), default: prospect.phone },
				{ fieldname: "notes", fieldtype: "Small Text", label: __("Notes for the invitation"), depends_on: "eval:doc.mode=='book'" },
				{ fieldname: "section_link", fieldtype: "Section Break", label: __("Personal Link"), depends_on: "eval:doc.mode=='link'" },
				{ fieldname: "max_uses", fieldtype: "Int", label: __("Bookings Allowed"), default: 1 },
				{ fieldname: "days", fieldtype: "Int", label: __("Valid for (days)"), default: 14 },
				{ fieldname: "send", fieldtype: "Check", label: __("Email the link to the prospect"), default: 1 },
				{ fieldname: "message", fieldtype: "Small Text", label: __("Message") },
			],
			primary_action_label: __("Book Meeting"),
			primary_action: (values) => submit(values),
		});

		async function loadTimes() {
			const field = dialog.get_field("start");
			field.df.options = [];
			field.df.description = __("Loading available times…");
			field.refresh();
			try {
				free = await schedulerApi("free_times", {
					meeting_type: dialog.get_value("meeting_type"),
					reference_doctype: frm.doctype,
					reference_name: frm.docname,
				});
			} catch (e) {
				field.df.description = frappe.utils.escape_html(schedulerErrorText(e));
				field.refresh();
				return;
			}
			field.df.options = free.times.map((t) => ({ label: t.label, value: t.start }));
			field.df.label = free.prospect_timezone
				? __("Time (yours · the prospect's, {0})", [free.prospect_timezone])
				: __("Time ({0})", [free.timezone]);
			field.df.description = free.times.length ? "" : __("No free times in the next {0} days.", [free.days]);
			field.refresh();
			if (free.times.length) dialog.set_value("start", free.times[0].start);
		}
		function showMode() {
			dialog.set_primary_action(dialog.get_value("mode") === "link" ? __("Create Link") : __("Book Meeting"), (values) => submit(values));
		}
		async function submit(values) {
			const common = {
				reference_doctype: frm.doctype,
				reference_name: frm.docname,
				meeting_type: values.meeting_type,
				name: values.name || undefined,
				email: values.email,
				phone: values.phone || undefined,
			};
			dialog.disable_primary_action();
			try {
				if (values.mode === "link") {
					const made = await schedulerApi("send_personal_link", { ...common, max_uses: values.max_uses || 1, days: values.days || 14, send: values.send ? 1 : 0, message: values.message || undefined }, true);
					dialog.hide();
					frappe.msgprint({
						title: made.sent ? __("Link sent") : __("Link created"),
						message: __("Personal booking link: {0}", [`<a href="${frappe.utils.escape_html(made.url)}" target="_blank" rel="noopener">${frappe.utils.escape_html(made.url)}</a>`]),
						indicator: "green",
					});
				} else {
					if (!values.start) throw new Error(__("Pick a time"));
					await schedulerApi("book_for_record", { ...common, start: values.start, notes: values.notes || undefined, timezone: (free && free.prospect_timezone) || undefined }, true);
					dialog.hide();
					frappe.show_alert({ message: __("Meeting booked: the invitation is on its way."), indicator: "green" });
				}
				frm.reload_doc();
			} catch (e) {
				fail(e);
			} finally {
				dialog.enable_primary_action();
			}
		}
		dialog.show();
		loadTimes();
	}

	window.scheduler_schedule_meeting = scheduleMeeting;
	for (const doctype of ["Lead", "Opportunity", "Customer", "Contact"]) {
		frappe.ui.form.on(doctype, {
			refresh(frm) {
				if (frm.is_new()) return;
				frm.add_custom_button(__("Schedule Meeting"), () => scheduleMeeting(frm));
			},
		});
	}
})();
