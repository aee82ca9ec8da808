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
# Frappe's test runner switches a running scheduler off and, for `run-tests --doctype`, then
# starts a transaction without committing that switch (ImplicitCommitError): committed here
before_tests = "scheduler_integration.tests.utils.before_tests"

# Roles and the five client phases ship as fixtures (synced on install and migrate).
fixtures = [
	{"dt": "Role", "filters": [["name", "in", ["Scheduler Host", "Scheduler Manager"]]]},
	{"dt": "Scheduler Phase"},
	# the Scheduling workspace's "My Next Meetings" block and the new host's set-up checklist
	# (drawn by public/js/scheduler_desk.js)
	{
		"dt": "Custom HTML Block",
		"filters": [["name", "in", ["Scheduler Next Meetings", "Scheduler Setup Checklist"]]],
	},
]

# A host sees only their own scheduler documents; managers see all (core/permissions.py).
permission_query_conditions = {
	"Scheduler Profile": "scheduler_integration.core.permissions.profile_query",
	"Scheduler Availability": "scheduler_integration.core.permissions.availability_query",
	"Scheduler Blocked Time": "scheduler_integration.core.permissions.blocked_time_query",
	"Scheduler Meeting Type": "scheduler_integration.core.permissions.meeting_type_query",
	"Scheduler Booking": "scheduler_integration.core.permissions.booking_query",
	"Scheduler Booking Effect": "scheduler_integration.core.permissions.booking_effect_query",
	"Scheduler Booking Series": "scheduler_integration.core.permissions.booking_series_query",
	"Scheduler Reminder": "scheduler_integration.core.permissions.reminder_query",
	"Scheduler Calendar Connection": "scheduler_integration.core.permissions.connection_query",
	"Scheduler Busy Time": "scheduler_integration.core.permissions.busy_time_query",
	"Scheduler Engagement": "scheduler_integration.core.permissions.engagement_query",
	"Scheduler Video Meeting Log": "scheduler_integration.core.permissions.video_meeting_log_query",
	"Scheduler Team": "scheduler_integration.core.permissions.team_query",
	"Scheduler Personal Link": "scheduler_integration.core.permissions.personal_link_query",
	"Scheduler Routing Form": "scheduler_integration.core.permissions.routing_form_query",
	"Scheduler Routing Submission": "scheduler_integration.core.permissions.routing_submission_query",
	"Scheduler Out of Office": "scheduler_integration.core.permissions.out_of_office_query",
	"Scheduler Payment": "scheduler_integration.core.permissions.payment_query",
	"Scheduler Host Booking Count": "scheduler_integration.core.permissions.host_booking_count_query",
	"Scheduler Booking Page": "scheduler_integration.core.permissions.booking_page_query",
	# child tables: a row is visible exactly when its parent is (core.permissions.CHILD_PARENTS)
	"Scheduler Availability Rule": "scheduler_integration.core.permissions.availability_rule_query",
	"Scheduler Date Override": "scheduler_integration.core.permissions.date_override_query",
	"Scheduler Booking Host": "scheduler_integration.core.permissions.booking_host_query",
	"Scheduler Booking Record": "scheduler_integration.core.permissions.booking_record_query",
	"Scheduler Meeting Type Host": "scheduler_integration.core.permissions.meeting_type_host_query",
	"Scheduler Meeting Type Phase": "scheduler_integration.core.permissions.meeting_type_phase_query",
	"Scheduler Question": "scheduler_integration.core.permissions.question_query",
	"Scheduler Team Member": "scheduler_integration.core.permissions.team_member_query",
	"Scheduler Routing Question": "scheduler_integration.core.permissions.routing_question_query",
	"Scheduler Routing Rule": "scheduler_integration.core.permissions.routing_rule_query",
	"Scheduler Routing Condition": "scheduler_integration.core.permissions.routing_condition_query",
	"Scheduler Payment Refund": "scheduler_integration.core.permissions.payment_refund_query",
}
has_permission = {
	doctype: "scheduler_integration.core.permissions.has_permission"
	for doctype in permission_query_conditions
}

# Counts over scheduler DocTypes honour the same row rules as lists (api/counts.py).
override_whitelisted_methods = {
	"frappe.client.get_count": "scheduler_integration.api.counts.get_count",
	"frappe.desk.listview.get_group_by_count": "scheduler_integration.api.counts.get_group_by_count",
	# CSV / Excel exports: what guests typed is text, never a formula (api/exports.py)
	"frappe.desk.reportview.export_query": "scheduler_integration.api.exports.export_query",
	"frappe.desk.query_report.export_query": "scheduler_integration.api.exports.export_report",
	# link search: ignore_user_permissions would skip the row rules (api/search.py)
	"frappe.desk.search.search_link": "scheduler_integration.api.search.search_link",
	"frappe.desk.search.search_widget": "scheduler_integration.api.search.search_widget",
}

# Manage links and feeds carry secrets: never cached, never sent on as a referrer.
after_request = [
	"scheduler_integration.api.headers.secret_pages",
	# bodies Frappe cannot parse and Frappe's own refusals, on the app's routes: the app's
	# failure shape without a traceback; Retry-After on every 429 (api/refusals.py)
	"scheduler_integration.api.refusals.public_errors",
]

# Desk helpers shared by the scheduler forms (time zone options, booking link buttons), after
# what the desk shares with Frappe CRM's form scripts (the API client, Schedule Meeting's
# first fields: install.py puts the same file in those scripts).
app_include_js = [
	"/assets/scheduler_integration/js/scheduler_shared.js",
	"/assets/scheduler_integration/js/scheduler_desk.js",
]

# The providers' and locations' marks (logo, name, colour) the desk scripts draw
boot_session = "scheduler_integration.api.branding.boot_session"

# "Schedule Meeting" on the forms a rep works from (book for the prospect, or send a
# personal link: api/crm.py); Frappe CRM's own pages get a CRM Form Script (install.py)
doctype_js = {
	doctype: "public/js/schedule_meeting.js" for doctype in ("Lead", "Opportunity", "Customer", "Contact")
}

# Public booking pages: /book/<profile>, /book/<profile>/<meeting type>, /book/manage/<token>
website_route_rules = [
	{"from_route": "/book/manage/<token>", "to_route": "book/manage"},
	# a paid booking's receipt, by its payment's key (www/book/receipt.py)
	{"from_route": "/book/receipt", "to_route": "book/receipt"},
	# a rep's personal booking link (www/book/link.py)
	{"from_route": "/book/link/<token>", "to_route": "book/link"},
	# a routing form: questions that send a prospect to the right meeting (www/book/route.py)
	{"from_route": "/book/route/<slug>", "to_route": "book/route"},
	# a team's page and its types (before /book/<profile>/<meeting_type>: more static parts win)
	{"from_route": "/book/team/<team>/<meeting_type>", "to_route": "book/team_type"},
	{"from_route": "/book/team/<team>", "to_route": "book/team"},
	# the short manage link of an SMS: a redirect to /book/manage/<token> (www/b.py)
	{"from_route": "/b/<code>", "to_route": "b"},
	{"from_route": "/book/<profile>/<meeting_type>", "to_route": "book/meeting_type"},
	{"from_route": "/book/<profile>", "to_route": "book/profile"},
]

# A profile's or team's custom domain serves its pages at its root and nothing else: Frappe
# asks custom renderers first, and this one takes the website paths of such a host only.
page_renderer = ["scheduler_integration.www.book.custom_domain.CustomDomainPage"]

scheduler_events = {
	"cron": {
		"* * * * *": [
			"scheduler_integration.jobs.reminders.dispatch_due_reminders",
			"scheduler_integration.jobs.effects.sweep_effects",
			# paid bookings whose hold ended: paid after all, or their time freed (once)
			"scheduler_integration.jobs.payments.expire_holds",
		],
		"*/15 * * * *": [
			"scheduler_integration.jobs.bookings.complete_past_bookings",
			"scheduler_integration.jobs.external_meetings.complete_external_meetings",
			"scheduler_integration.jobs.calendar.refresh_all_busy",
		],
	},
	"hourly": ["scheduler_integration.jobs.bookings.expire_pending_bookings"],
}

# A host's Holiday List (ERPNext's, or Frappe CRM's) makes its dates days off: its hosts'
# cached hours are read again when it changes (booking.availability).
doc_events = {
	doctype: {
		"on_update": "scheduler_integration.booking.availability.holiday_list_changed",
		"on_trash": "scheduler_integration.booking.availability.holiday_list_changed",
	}
	for doctype in ("Holiday List", "CRM Holiday List")
}
# hosts open the desk on the Scheduling workspace (core/roles.py)
doc_events["User"] = {
	"on_update": [
		"scheduler_integration.core.roles.open_on_scheduling",
		# a disabled user is no longer offered on the types they host (core.hosts.bookable_hosts)
		"scheduler_integration.booking.meeting_types.host_changed",
	]
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
# and to-dos it made (Scheduler Booking Record) deleting one of those in the CRM, nor the
# guests' SMS replies.
ignore_links_on_delete = [
	"Scheduler SMS Reply",
	"Scheduler Engagement",
	"Scheduler Video Meeting Log",
	"Scheduler Automation Log",
	"Scheduler Booking Record",
	# history that keeps the name of a deleted booking or meeting type (booking/deletion.py):
	# the money taken and refunded, external schedulers' meetings, routing decisions
	"Scheduler Payment",
	"Scheduler External Meeting",
	"Scheduler Routing Submission",
]
# a to-do, event or CRM task deleted in the desk leaves its booking's "Meeting in the CRM" list
for _doctype in ("ToDo", "Event", "CRM Task", "FCRM Note", "CRM Notification"):
	doc_events.setdefault(_doctype, {})["on_trash"] = "scheduler_integration.booking.deletion.record_deleted"
