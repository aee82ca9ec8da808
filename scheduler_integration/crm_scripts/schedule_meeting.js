// "Schedule Meeting" on Frappe CRM's lead and deal pages: a standard CRM Form Script the
// app installs for CRM Lead and CRM Deal (install.sync_crm_form_scripts puts
// public/js/scheduler_shared.js ahead of this file and the DocType's class name in place of
// __CLASS__). The rep picks one of their meeting types, then books a free time on the
// prospect's behalf or sends a personal booking link. The server checks everything
// (scheduler_integration.api.crm); this script only asks and shows.
class __CLASS__ {
	onLoad() {
		if (this.doc.__newDocument || !this.doc.name) return;
		const label = __("Schedule Meeting");
		if (this.actions.some((action) => action.label === label)) return;
		this.actions.push({ label, icon: "calendar", onClick: () => this.scheduleMeeting() });
	}

	// the app's API: schedulerRequest (public/js/scheduler_shared.js, ahead of this class in the
	// script); a failure's message says what is wrong with each field too
	async schedulerApi(method, args, post) {
		const token = window.csrf_token !== "{{ csrf_token }}" ? window.csrf_token : "";
		try {
			return await schedulerRequest("crm." + method, args, post, token);
		} catch (e) {
			throw new Error(schedulerErrorText(e));
		}
	}

	async scheduleMeeting() {
		let options;
		try {
			options = await this.schedulerApi("scheduling_options", { reference_doctype: this.doc.doctype, reference_name: this.doc.name });
		} catch (e) {
			toast.error(e.message);
			return;
		}
		if (!options.meeting_types.length) {
			toast.error(__("You have no meeting type to book: create one in the desk under Scheduling."));
			return;
		}
		const first = await formDialog({
			title: __("Schedule Meeting"),
			fields: scheduleMeetingFields(options.meeting_types),
			defaults: { meeting_type: options.meeting_types[0].name, mode: "book" },
			submitLabel: __("Next"),
		});
		if (!first) return;
		if (first.mode === "link") return this.sendBookingLink(options, first.meeting_type);
		return this.bookForProspect(options, first.meeting_type);
	}

	async bookForProspect(options, meetingType) {
		let free;
		try {
			free = await this.schedulerApi("free_times", {
				meeting_type: meetingType,
				reference_doctype: this.doc.doctype,
				reference_name: this.doc.name,
			});
		} catch (e) {
			toast.error(e.message);
			return;
		}
		if (!free.times.length) {
			toast.error(__("No free times in the next {0} days.", [free.days]));
			return;
		}
		const prospect = options.prospect;
		const booked = await formDialog({
			title: __("Book a Meeting"),
			fields: [
				{
					fieldname: "start",
					fieldtype: "Select",
					label: free.prospect_timezone ? __("Time (yours · the prospect's, {0})", [free.prospect_timezone]) : __("Time ({0})", [free.timezone]),
					reqd: 1,
					options: free.times.map((t) => ({ label: t.label, value: t.start })),
				},
				{ fieldname: "name", fieldtype: "Data", label: __("Name"), reqd: 1 },
				{ fieldname: "email", fieldtype: "Data", label: __("Email"), reqd: 1 },
				{ fieldname: "phone", fieldtype: "Data", label: __("Phone") },
				{ fieldname: "notes", fieldtype: "Small Text", label: __("Notes for the invitation") },
			],
			defaults: { start: free.times[0].start, name: prospect.name, email: prospect.email, phone: prospect.phone },
			submitLabel: __("Book Meeting"),
			onSubmit: async (values) => {
				await this.schedulerApi(
					"book_for_record",
					{
						reference_doctype: this.doc.doctype,
						reference_name: this.doc.name,
						meeting_type: meetingType,
						start: values.start,
						name: values.name,
						email: values.email,
						phone: values.phone || undefined,
						notes: values.notes || undefined,
						timezone: free.prospect_timezone || undefined,
					},
					true
				);
			},
		});
		if (booked) {
			toast.success(__("Meeting booked: the invitation is on its way. It shows under Tasks in a moment."));
		}
	}

	async sendBookingLink(options, meetingType) {
		const prospect = options.prospect;
		let made = null;
		const sent = await formDialog({
			title: __("Send a Personal Booking Link"),
			fields: [
				{ fieldname: "name", fieldtype: "Data", label: __("Name") },
				{ fieldname: "email", fieldtype: "Data", label: __("Email"), reqd: 1 },
				{ fieldname: "phone", fieldtype: "Data", label: __("Phone") },
				{ fieldname: "max_uses", fieldtype: "Int", label: __("Bookings Allowed") },
				{ fieldname: "days", fieldtype: "Int", label: __("Valid for (days)") },
				{ fieldname: "send", fieldtype: "Check", label: __("Email the link to the prospect") },
				{ fieldname: "message", fieldtype: "Small Text", label: __("Message") },
			],
			defaults: { name: prospect.name, email: prospect.email, phone: prospect.phone, max_uses: 1, days: 14, send: 1 },
			submitLabel: __("Create Link"),
			onSubmit: async (values) => {
				made = await this.schedulerApi(
					"send_personal_link",
					{
						reference_doctype: this.doc.doctype,
						reference_name: this.doc.name,
						meeting_type: meetingType,
						name: values.name || undefined,
						email: values.email,
						phone: values.phone || undefined,
						max_uses: values.max_uses || 1,
						days: values.days || 14,
						send: values.send ? 1 : 0,
						message: values.message || undefined,
					},
					true
				);
			},
		});
		if (!sent || !made) return;
		createDialog({
			title: made.sent ? __("Link sent") : __("Link created"),
			message: __("Personal booking link: {0}", [made.url]),
			actions: [
				{
					label: __("Copy Link"),
					variant: "solid",
					onClick: (close) => {
						navigator.clipboard && navigator.clipboard.writeText(made.url);
						toast.success(__("Copied"));
						close();
					},
				},
			],
		});
	}
}
