app_name = "scheduler_integration"
app_title = "Scheduler Integration"
app_publisher = "scheduler_integration contributors"
app_description = "Native meeting scheduling for Frappe, ERPNext and Frappe CRM"
app_email = "maintainers@scheduler-integration.invalid"
app_license = "mit"

# Generated `DF` type blocks in DocType controllers (bench keeps them current on save).
export_python_type_annotations = True

after_install = "scheduler_integration.install.after_install"
after_migrate = "scheduler_integration.install.after_migrate"

# Roles and the five client phases ship as fixtures (synced on install and migrate).
fixtures = [
	{"dt": "Role", "filters": [["name", "in", ["Scheduler Host", "Scheduler Manager"]]]},
	{"dt": "Scheduler Phase"},
]

# A host sees only their own scheduler documents; managers see all (see permissions.py).
permission_query_conditions = {
	"Scheduler Profile": "scheduler_integration.permissions.profile_query",
	"Scheduler Availability": "scheduler_integration.permissions.availability_query",
	"Scheduler Blocked Time": "scheduler_integration.permissions.blocked_time_query",
	"Scheduler Meeting Type": "scheduler_integration.permissions.meeting_type_query",
	"Scheduler Booking": "scheduler_integration.permissions.booking_query",
	"Scheduler Reminder": "scheduler_integration.permissions.reminder_query",
	"Scheduler Calendar Connection": "scheduler_integration.permissions.connection_query",
	"Scheduler Busy Time": "scheduler_integration.permissions.busy_time_query",
}
has_permission = {
	"Scheduler Profile": "scheduler_integration.permissions.has_permission",
	"Scheduler Availability": "scheduler_integration.permissions.has_permission",
	"Scheduler Blocked Time": "scheduler_integration.permissions.has_permission",
	"Scheduler Meeting Type": "scheduler_integration.permissions.has_permission",
	"Scheduler Booking": "scheduler_integration.permissions.has_permission",
	"Scheduler Reminder": "scheduler_integration.permissions.has_permission",
	"Scheduler Calendar Connection": "scheduler_integration.permissions.has_permission",
	"Scheduler Busy Time": "scheduler_integration.permissions.has_permission",
}

# Desk helpers shared by the scheduler forms (time zone options, booking link buttons).
app_include_js = "/assets/scheduler_integration/js/scheduler_desk.js"

# Public booking pages: /book/<profile>, /book/<profile>/<meeting type>, /book/manage/<token>
website_route_rules = [
	{"from_route": "/book/manage/<token>", "to_route": "book/manage"},
	{"from_route": "/book/<profile>/<meeting_type>", "to_route": "book/meeting_type"},
	{"from_route": "/book/<profile>", "to_route": "book/profile"},
]

scheduler_events = {
	"cron": {
		"* * * * *": ["scheduler_integration.jobs.reminders.dispatch_due_reminders"],
		"*/15 * * * *": [
			"scheduler_integration.jobs.reminders.complete_past_bookings",
			"scheduler_integration.jobs.calendar.refresh_all_busy",
		],
		"*/5 * * * *": ["scheduler_integration.jobs.calendar.retry_calendar_writes"],
	},
	"hourly": ["scheduler_integration.jobs.maintenance.expire_pending_bookings"],
}

# Called by jobs/booking_effects.run with (booking, lifecycle event) after each commit.
scheduler_booking_effects = [
	"scheduler_integration.services.reminders.on_booking_event",
	"scheduler_integration.services.calendar_sync.on_booking_event",
]

# External busy time (calendar connections' cache) that slot searches subtract.
scheduler_busy_source = ["scheduler_integration.services.calendar_sync.busy_for"]

# --- reports, tracking, analytics ---
# Scheduler Engagement: a host sees only their own events, managers all (see permissions.py).
permission_query_conditions["Scheduler Engagement"] = "scheduler_integration.permissions.engagement_query"
has_permission["Scheduler Engagement"] = "scheduler_integration.permissions.has_permission"

# Report templates (Print Formats, Web Pages) call {{ scheduler_section(...) }}.
jinja = {
	"methods": [
		"scheduler_integration.services.report_section.scheduler_section",
		"scheduler_integration.services.report_section.scheduler_section_markdown",
	]
}

# Native bookings record meeting_booked / _cancelled / _completed / no_show engagements.
scheduler_booking_effects = [
	*globals().get("scheduler_booking_effects", []),
	"scheduler_integration.services.engagement.on_booking_event",
]

# Engagement history never blocks deleting a booking, meeting type or report document.
ignore_links_on_delete = [*globals().get("ignore_links_on_delete", []), "Scheduler Engagement"]
