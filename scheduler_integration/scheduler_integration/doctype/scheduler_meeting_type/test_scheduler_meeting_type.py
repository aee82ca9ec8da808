"""One test per validation rule of profiles, availability, blocked time and meeting types."""

from __future__ import annotations

import frappe

from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.tests.live import cleanup, make_user
from scheduler_integration.tests.utils import SchedulerTestCase, no_test_records

# Beside its DocType, Frappe's runner would make the stock test records of every DocType this
# one links to (test users among them) and leave them on the site: none is made
# (tests/utils.no_test_records). Frappe 16 reads the second name.
test_ignore = IGNORE_TEST_RECORD_DEPENDENCIES = no_test_records("Scheduler Meeting Type")

HOST = "sched-valid@example.com"
CALENDLY = '<iframe src="https://calendly.com/jane/30min" width="100%" height="600"></iframe>'


class TestValidationRules(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(HOST)
		cleanup([HOST])
		frappe.set_user(HOST)
		cls.profile = frappe.get_doc(
			{
				"doctype": "Scheduler Profile",
				"user": HOST,
				"display_name": "Valid Host",
				"slug": "valid-host",
				"timezone": "Asia/Kolkata",
			}
		).insert()
		frappe.set_user("Administrator")

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		cleanup([HOST, "sched-valid-2@example.com"], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		frappe.set_user(HOST)

	def tearDown(self):
		frappe.set_user("Administrator")

	def assertFieldError(self, doc, field, method="insert"):
		with self.assertRaises(FieldValidationError) as ctx:
			getattr(doc, method)()
		self.assertIn(field, ctx.exception.errors, ctx.exception.errors)
		self.assertTrue(ctx.exception.errors[field])
		self.assertEqual(ctx.exception.http_status_code, 400)
		return ctx.exception.errors[field]

	def profile_with(self, **fields):
		doc = frappe.get_doc("Scheduler Profile", self.profile.name)
		doc.update(fields)
		return doc

	def meeting_type(self, **fields):
		values = {
			"doctype": "Scheduler Meeting Type",
			"profile": self.profile.name,
			"title": "Intro",
			"duration": "30",
		}
		values.update(fields)
		return frappe.get_doc(values)

	# --- profile -----------------------------------------------------------------------------
	def test_provider_must_be_known(self):
		self.assertFieldError(self.profile_with(scheduler_provider="zoom"), "scheduler_provider", "save")

	def test_external_provider_needs_url(self):
		self.assertFieldError(
			self.profile_with(scheduler_provider="calendly", scheduler_url=""), "scheduler_url", "save"
		)

	def test_scheduler_url_http_only(self):
		for url in ("javascript:alert(1)", "ftp://x.org/a", "calendly.com/jane", "https://u:p@calendly.com"):
			self.assertFieldError(self.profile_with(scheduler_url=url), "scheduler_url", "save")

	def test_scheduler_url_at_most_2048(self):
		self.assertFieldError(
			self.profile_with(scheduler_url="https://calendly.com/" + "a" * 2030), "scheduler_url", "save"
		)

	def test_display_name_at_most_200(self):
		message = self.assertFieldError(self.profile_with(display_name="x" * 201), "display_name", "save")
		self.assertIn("200", message)

	def test_embed_code_at_most_5000(self):
		self.assertFieldError(
			self.profile_with(embed_code=CALENDLY + " " * 10 + "x" * 5000), "embed_code", "save"
		)

	def test_embed_code_attacks_are_rejected(self):
		attacks = [
			"<script>alert(1)</script>",
			CALENDLY + "<script>alert(1)</script>",
			'<iframe src="https://calendly.com/a" onload="alert(1)"></iframe>',
			'<iframe src="javascript:alert(1)"></iframe>',
			'<iframe src="https://evil.example/x"></iframe>',
			'<img src=x onerror="alert(1)">',
		]
		for code in attacks:
			self.assertFieldError(self.profile_with(embed_code=code), "embed_code", "save")

	def test_embed_code_is_reduced_to_a_canonical_iframe(self):
		doc = self.profile_with(
			embed_code='<IFRAME SRC="https://calendly.com/jane/30min" class="x" width="100%"></IFRAME>'
		)
		doc.save()
		self.assertEqual(
			doc.embed_code, '<iframe src="https://calendly.com/jane/30min" width="100%"></iframe>'
		)

	def test_embed_hosts_added_in_settings_are_allowed(self):
		code = '<iframe src="https://book.example.org/jane"></iframe>'
		self.assertFieldError(self.profile_with(embed_code=code), "embed_code", "save")
		frappe.set_user("Administrator")
		settings = frappe.get_single("Scheduler Settings")
		old = settings.allowed_embed_hosts
		settings.allowed_embed_hosts = "book.example.org"
		settings.save()
		try:
			frappe.set_user(HOST)
			doc = self.profile_with(embed_code=code)
			doc.save()
			self.assertEqual(doc.embed_code, code)
		finally:
			frappe.set_user("Administrator")
			settings.reload()
			settings.allowed_embed_hosts = old
			settings.save()

	def test_settings_refuse_bad_hosts_and_offsets(self):
		frappe.set_user("Administrator")
		settings = frappe.get_single("Scheduler Settings")
		settings.allowed_embed_hosts = "not a host"
		self.assertFieldError(settings, "allowed_embed_hosts", "save")
		settings.reload()
		settings.reminder_offsets = "24h"
		self.assertFieldError(settings, "reminder_offsets", "save")
		# a month's request of the booking page must fit (31 days and a summer-time hour)
		settings.reload()
		settings.max_slot_window_days = 31
		self.assertFieldError(settings, "max_slot_window_days", "save")
		settings.reload()
		settings.max_slot_window_days = "10"  # as a REST body may send it
		self.assertFieldError(settings, "max_slot_window_days", "save")

	def test_profile_slug_rules_and_uniqueness(self):
		for slug in ("Valid Host", "UPPER", "a/b", "with space", "-lead"):
			self.assertFieldError(self.profile_with(slug=slug), "slug", "save")
		make_user("sched-valid-2@example.com")
		frappe.set_user("sched-valid-2@example.com")
		other = frappe.get_doc(
			{
				"doctype": "Scheduler Profile",
				"user": "sched-valid-2@example.com",
				"display_name": "Other",
				"slug": "valid-host",
			}
		)
		self.assertFieldError(other, "slug")

	def test_profile_timezone_must_be_iana(self):
		self.assertFieldError(self.profile_with(timezone="Mars/Olympus"), "timezone", "save")

	# --- availability ---------------------------------------------------------------------------
	def availability(self, rules=(), overrides=(), timezone="Asia/Kolkata"):
		return frappe.get_doc(
			{
				"doctype": "Scheduler Availability",
				"title": "Hours",
				"user": HOST,
				"timezone": timezone,
				"weekly_rules": list(rules),
				"date_overrides": list(overrides),
			}
		)

	def test_rule_from_before_to_and_24_00_allowed(self):
		self.assertFieldError(
			self.availability([{"weekday": "Monday", "from_time": "17:00", "to_time": "09:00"}]),
			"weekly_rules",
		)
		self.assertFieldError(
			self.availability([{"weekday": "Monday", "from_time": "9am", "to_time": "17:00"}]), "weekly_rules"
		)
		self.assertFieldError(
			self.availability([{"weekday": "Monday", "from_time": "23:00", "to_time": "24:30"}]),
			"weekly_rules",
		)
		doc = self.availability([{"weekday": "Friday", "from_time": "22:00", "to_time": "24:00"}]).insert()
		self.assertEqual(doc.weekly_rules[0].to_time, "24:00")

	def test_overlapping_rules_are_accepted(self):
		doc = self.availability(
			[
				{"weekday": "Monday", "from_time": "09:00", "to_time": "12:00"},
				{"weekday": "Monday", "from_time": "11:00", "to_time": "14:00"},
			]
		).insert()
		self.assertEqual(len(doc.weekly_rules), 2)

	def test_override_ranges_are_checked(self):
		self.assertFieldError(
			self.availability(overrides=[{"date": "2030-01-01", "from_time": "12:00", "to_time": "10:00"}]),
			"date_overrides",
		)
		self.availability(overrides=[{"date": "2030-01-01", "unavailable": 1}]).insert()

	def test_availability_timezone_must_be_iana(self):
		self.assertFieldError(self.availability(timezone="Nowhere/City"), "timezone")

	# --- blocked time ------------------------------------------------------------------------------
	def test_blocked_time_end_after_start_and_valid_rrule(self):
		blocked = {"doctype": "Scheduler Blocked Time", "user": HOST}
		self.assertFieldError(
			frappe.get_doc({**blocked, "start": "2030-01-01 10:00:00", "end": "2030-01-01 09:00:00"}), "end"
		)
		bad = {**blocked, "start": "2030-01-01 10:00:00", "end": "2030-01-01 11:00:00"}
		for rule in ("FREQ=FORTNIGHTLY", "FREQ=MINUTELY", "FREQ=DAILY;INTERVAL=0", "RRULE:BYDAY=MO"):
			self.assertFieldError(frappe.get_doc({**bad, "rrule": rule}), "rrule")
		frappe.get_doc({**bad, "rrule": "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20301231"}).insert()

	# --- meeting type ------------------------------------------------------------------------------
	def test_duration_standard_or_custom_within_bounds(self):
		self.assertFieldError(self.meeting_type(duration="20"), "duration")
		self.assertFieldError(self.meeting_type(duration="Custom", custom_duration=2), "custom_duration")
		self.assertFieldError(self.meeting_type(duration="Custom", custom_duration=1000), "custom_duration")
		self.meeting_type(slug="custom-25", duration="Custom", custom_duration=25).insert()
		for minutes in ("15", "45", "90", "120"):
			self.meeting_type(slug=f"std-{minutes}", duration=minutes).insert()

	def test_a_colour_is_a_colour_never_other_css(self):
		# written into the booking page's style (walk: a host's value covered the page)
		for value in (
			"red;position:fixed;inset:0",
			"url(https://evil.example/p.png)",
			"#12345g",
			"blue",
			"#abc",
		):
			self.assertFieldError(self.meeting_type(color=value), "color")
		self.meeting_type(slug="colour-long", color="#2490EF").insert()

	def test_a_price_is_a_number_and_every_host_row_names_a_user(self):
		# walk: a REST body's {"$gt": 0} or "1e308" price, a host row without a user: 500s
		for value in ({"$gt": 0}, "1e308x", "nan", float("inf")):
			self.assertFieldError(self.meeting_type(price=value), "price")
		self.assertFieldError(
			self.meeting_type(slug="team", assignment="Round Robin", hosts=[{"user": None}]), "hosts"
		)

	def test_priority_zero_to_ten(self):
		self.assertFieldError(self.meeting_type(priority=11), "priority")
		self.assertFieldError(self.meeting_type(priority=-1), "priority")

	def test_phases_are_the_five_known_ones(self):
		doc = self.meeting_type(
			slug="phased", recommended_phases=[{"phase": "Build"}, {"phase": "Grow"}]
		).insert()
		self.assertEqual([r.phase for r in doc.recommended_phases], ["Build", "Grow"])
		with self.assertRaises(frappe.ValidationError):  # Link to a phase that does not exist
			self.meeting_type(slug="bad-phase", recommended_phases=[{"phase": "Scale"}]).insert()

	def test_type_slug_rules_and_uniqueness_per_profile(self):
		self.assertFieldError(self.meeting_type(slug="Not A Slug"), "slug")
		self.meeting_type(slug="unique-one").insert()
		self.assertFieldError(self.meeting_type(slug="unique-one"), "slug")

	def test_numbers_are_non_negative_and_bounded(self):
		for field, value in (
			("buffer_before", -5),
			("buffer_after", 100_000),
			("min_notice", -1),
			("max_advance_days", 10_000),
			("daily_limit", -2),
			("weekly_limit", 20_000),
			("slot_interval", 5000),
		):
			self.assertFieldError(self.meeting_type(**{field: value}), field)

	def test_event_url_http_only(self):
		self.assertFieldError(
			self.meeting_type(scheduler_event_url="javascript:alert(1)"), "scheduler_event_url"
		)

	def test_team_types_need_hosts_who_can_sign_in(self):
		self.assertFieldError(self.meeting_type(slug="team", assignment="Round Robin"), "hosts")
		# a colleague without a profile may be invited (accepting makes it); one who cannot sign
		# in to the desk to answer may not
		self.assertFieldError(
			self.meeting_type(slug="team", assignment="Collective", hosts=[{"user": "Guest", "weight": 100}]),
			"hosts",
		)

	def test_all_bad_fields_are_reported_at_once(self):
		with self.assertRaises(FieldValidationError) as ctx:
			self.meeting_type(slug="Bad Slug", duration="7", priority=99).insert()
		self.assertTrue({"slug", "duration", "priority"} <= set(ctx.exception.errors))
