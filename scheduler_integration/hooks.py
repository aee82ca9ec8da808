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
}
has_permission = {
	"Scheduler Profile": "scheduler_integration.permissions.has_permission",
	"Scheduler Availability": "scheduler_integration.permissions.has_permission",
	"Scheduler Blocked Time": "scheduler_integration.permissions.has_permission",
	"Scheduler Meeting Type": "scheduler_integration.permissions.has_permission",
	"Scheduler Booking": "scheduler_integration.permissions.has_permission",
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
	"hourly": ["scheduler_integration.jobs.maintenance.expire_pending_bookings"],
}
