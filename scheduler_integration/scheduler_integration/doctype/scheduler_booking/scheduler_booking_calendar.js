// Calendar view of bookings (/app/scheduler-booking/view/calendar), coloured by status:
// pending amber, confirmed in the desk's brand blue, awaiting payment purple, completed
// green, no-show red, cancelled grey and struck through. Frappe's calendar reads the
// colour from get_css_class (a style_map is not read by it); status is fetched with the
// events for that. Only an active booking can be dragged to another time.
frappe.views.calendar["Scheduler Booking"] = {
	field_map: {
		start: "start",
		end: "end",
		id: "name",
		title: "title",
		status: "status",
	},
	fields: ["name", "start", "end", "title", "status"],
	get_css_class(event) {
		const colours = {
			Pending: "yellow",
			Confirmed: "blue",
			"Awaiting Payment": "purple",
			Completed: "green",
			"No Show": "red",
			Cancelled: "gray",
		};
		// called once per event as it is prepared: the place to stop moving finished ones
		if (!["Pending", "Confirmed", "Awaiting Payment"].includes(event.status)) event.editable = false;
		return colours[event.status] || "blue";
	},
	options: {
		eventRender(event, element) {
			const status = event.status || "";
			element.attr("title", `${event.title || ""} (${__(status)})`);
			element.attr("data-sched-status", status);
			element.find(".fc-title").append(document.createTextNode(` · ${__(status)}`));
			if (status === "Cancelled") element.css({ "text-decoration": "line-through", opacity: 0.75 });
		},
	},
	filters: [{ fieldtype: "Link", fieldname: "host", options: "User", label: __("Host") }],
	get_events_method: "frappe.desk.calendar.get_events",
};

// --- the zone the calendar draws in (issue 38: one zone per host) ---
// The desk draws Datetimes on the viewer's User zone, which follows their profile's; the
// header names it, and says so when the viewer's booking page uses another one.
function sched_calendar_zone_label(view, element) {
	const header = $(element).closest(".layout-main-section, .page-body").find(".fc-toolbar .fc-left");
	if (!header.length) return;
	header.find(".sched-calendar-zone").remove();
	const shown = (frappe.boot.time_zone && frappe.boot.time_zone.user) || frappe.sys_defaults.time_zone;
	const label = $('<span class="sched-calendar-zone text-muted small" style="margin-left:12px"></span>').text(__("Times in {0}", [shown]));
	header.append(label);
	scheduler_integration.own_zone = scheduler_integration.own_zone || scheduler_integration.host_timezone();
	scheduler_integration.own_zone.then((zone) => {
		if (zone && zone !== shown) label.text(__("Times in {0}; your booking page uses {1}", [shown, zone]));
	});
}

frappe.views.calendar["Scheduler Booking"].options = Object.assign(frappe.views.calendar["Scheduler Booking"].options || {}, {
	viewRender: sched_calendar_zone_label,
});
// --- end of the zone the calendar draws in ---
