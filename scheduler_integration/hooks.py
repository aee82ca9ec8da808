app_name = "scheduler_integration"
app_title = "Scheduler Integration"
app_publisher = "scheduler_integration contributors"
app_description = "Native meeting scheduling for Frappe, ERPNext and Frappe CRM"
app_email = "maintainers@scheduler-integration.invalid"
app_license = "mit"

# Generated `DF` type blocks in DocType controllers (bench keeps them current on save).
export_python_type_annotations = True

before_install = "scheduler_integration.install.before_install"
after_install = "scheduler_integration.install.after_install"
after_migrate = "scheduler_integration.install.after_migrate"
after_app_install = "scheduler_integration.install.after_app_install"
before_uninstall = "scheduler_integration.install.before_uninstall"

# Roles and the five client phases ship as fixtures (synced on install and migrate).
fixtures = [
	{"dt": "Role", "filters": [["name", "in", ["Scheduler Host", "Scheduler Manager"]]]},
	{"dt": "Scheduler Phase"},
	# the Scheduling workspace's "My Next Meetings" block (drawn by public/js/scheduler_desk.js)
	{"dt": "Custom HTML Block", "filters": [["name", "=", "Scheduler Next Meetings"]]},
]

# A host sees only their own scheduler documents; managers see all (core/permissions.py).
permission_query_conditions = {
	"Scheduler Profile": "scheduler_integration.core.permissions.profile_query",
	"Scheduler Availability": "scheduler_integration.core.permissions.availability_query",
	"Scheduler Blocked Time": "scheduler_integration.core.permissions.blocked_time_query",
	"Scheduler Meeting Type": "scheduler_integration.core.permissions.meeting_type_query",
	"Scheduler Booking": "scheduler_integration.core.permissions.booking_query",
	"Scheduler Booking Effect": "scheduler_integration.core.permissions.booking_effect_query",
	"Scheduler Reminder": "scheduler_integration.core.permissions.reminder_query",
	"Scheduler Calendar Connection": "scheduler_integration.core.permissions.connection_query",
	"Scheduler Busy Time": "scheduler_integration.core.permissions.busy_time_query",
	"Scheduler Engagement": "scheduler_integration.core.permissions.engagement_query",
	"Scheduler Video Meeting Log": "scheduler_integration.core.permissions.video_meeting_log_query",
}
has_permission = {
	doctype: "scheduler_integration.core.permissions.has_permission"
	for doctype in permission_query_conditions
}

# Counts over scheduler DocTypes honour the same row rules as lists (api/counts.py).
override_whitelisted_methods = {
	"frappe.client.get_count": "scheduler_integration.api.counts.get_count",
	"frappe.desk.listview.get_group_by_count": "scheduler_integration.api.counts.get_group_by_count",
}

# Manage links and feeds carry secrets: never cached, never sent on as a referrer.
after_request = ["scheduler_integration.api.headers.secret_pages"]

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
		"* * * * *": [
			"scheduler_integration.jobs.reminders.dispatch_due_reminders",
			"scheduler_integration.jobs.effects.sweep_effects",
		],
		"*/15 * * * *": [
			"scheduler_integration.jobs.bookings.complete_past_bookings",
			"scheduler_integration.jobs.calendar.refresh_all_busy",
		],
	},
	"hourly": ["scheduler_integration.jobs.bookings.expire_pending_bookings"],
}

# Report templates (Print Formats, Web Pages) call {{ scheduler_section(...) }}.
jinja = {
	"methods": [
		"scheduler_integration.reporting.section.scheduler_section",
		"scheduler_integration.reporting.section.scheduler_section_markdown",
	]
}

# Engagement history and the video meeting log never block deleting a booking, meeting type
# or report document; nor does the automation log, nor a booking's list of the tasks, notes
# and to-dos it made (Scheduler Booking Record) deleting one of those in the CRM.
ignore_links_on_delete = [
	"Scheduler Engagement",
	"Scheduler Video Meeting Log",
	"Scheduler Automation Log",
	"Scheduler Booking Record",
]
