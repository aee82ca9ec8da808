"""Desk documents as people meet them: times written one way, readable names for new
documents, the embed origins setting, and the patches that bring older sites along."""

from __future__ import annotations

import json
from datetime import timedelta

import frappe

from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.effects.email_templates import DEFAULT_TEMPLATES
from scheduler_integration.patches import availability_times, translatable_email_templates
from scheduler_integration.tests.factory import make_host, make_type
from scheduler_integration.tests.live import cleanup
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-forms-host@example.com"


class TestDeskForms(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.profile = make_host(HOST, "forms-host", tz="Europe/Madrid", start="09:00", end="17:00")

	@classmethod
	def tearDownClass(cls):
		cleanup([HOST], delete_users=True)  # its types, schedules and blocks too
		super().tearDownClass()

	def tearDown(self):
		frappe.db.rollback()

	def schedule(self, rows, title="Summer Hours"):
		return frappe.get_doc(
			{
				"doctype": "Scheduler Availability",
				"title": title,
				"user": HOST,
				"timezone": "Europe/Madrid",
				"weekly_rules": rows,
			}
		)

	def test_times_are_written_as_the_list_spells_them(self):
		doc = self.schedule(
			[
				{"weekday": "Monday", "from_time": "9:00", "to_time": "17:00:00"},
				{"weekday": "Friday", "from_time": "22:30", "to_time": "24:00"},
			]
		).insert(ignore_permissions=True)
		self.assertEqual(
			[(r.from_time, r.to_time) for r in doc.weekly_rules], [("09:00", "17:00"), ("22:30", "24:00")]
		)
		with self.assertRaises(FieldValidationError) as ctx:
			self.schedule([{"weekday": "Monday", "from_time": "09:07", "to_time": "17:00"}]).insert(
				ignore_permissions=True
			)
		self.assertIn("5", ctx.exception.errors["weekly_rules"])

	def test_new_documents_get_readable_names(self):
		meeting_type = make_type(self.profile, "first-call", 30)  # committed, before anything else
		self.assertEqual(meeting_type, "forms-host-first-call")
		doc = self.schedule([{"weekday": "Monday", "from_time": "09:00", "to_time": "12:00"}]).insert(
			ignore_permissions=True
		)
		self.assertEqual(doc.name, f"Summer Hours ({HOST})")
		again = self.schedule([{"weekday": "Monday", "from_time": "09:00", "to_time": "12:00"}]).insert(
			ignore_permissions=True
		)
		self.assertEqual(again.name, f"Summer Hours ({HOST}) 2")
		start = frappe.utils.now_datetime().replace(microsecond=0) + timedelta(days=3)
		block = frappe.get_doc(
			{
				"doctype": "Scheduler Blocked Time",
				"user": HOST,
				"reason": "Dentist / check-up?",
				"start": start,
				"end": start + timedelta(hours=1),
			}
		).insert(ignore_permissions=True)
		self.assertEqual(
			block.name, f"Dentist check-up {start.date().isoformat()}"
		)  # no "/" or "?" in routes

	def test_embed_origins_setting_refuses_anything_but_origins(self):
		settings = frappe.get_doc("Scheduler Settings")
		settings.booking_embed_origins = "https://www.example.com/\nhttps://*.example.com"
		with self.assertRaises(FieldValidationError) as ctx:
			settings.save(ignore_permissions=True)
		self.assertIn("*.example.com", ctx.exception.errors["booking_embed_origins"])
		settings.reload()
		settings.booking_embed_origins = "HTTPS://WWW.EXAMPLE.COM/\nhttps://www.example.com"
		settings.save(ignore_permissions=True)
		self.assertEqual(settings.booking_embed_origins, "https://www.example.com")

	def test_patch_spells_old_free_text_times_and_leaves_odd_ones(self):
		doc = self.schedule([{"weekday": "Monday", "from_time": "09:00", "to_time": "12:00"}]).insert(
			ignore_permissions=True
		)
		row = doc.weekly_rules[0].name
		frappe.db.set_value("Scheduler Availability Rule", row, {"from_time": "9:00", "to_time": "12:00:00"})
		availability_times.execute()
		self.assertEqual(
			frappe.db.get_value("Scheduler Availability Rule", row, ["from_time", "to_time"]),
			("09:00", "12:00"),
		)
		frappe.db.set_value("Scheduler Availability Rule", row, "from_time", "9:07")
		availability_times.execute()
		self.assertEqual(frappe.db.get_value("Scheduler Availability Rule", row, "from_time"), "9:07")

	def test_patch_replaces_only_templates_nobody_edited(self):
		name = "Scheduler: Booking Confirmed (Guest)"
		subject, body = DEFAULT_TEMPLATES[name]
		old = "Confirmed: {{ meeting_type }} with {{ host_name }} on {{ date }}"
		# untouched since it was made (an older default): replaced
		frappe.db.set_value("Email Template", name, {"subject": old, "response_html": "<p>Hi</p>"})
		frappe.db.sql("update `tabEmail Template` set modified = creation where name = %s", name)
		translatable_email_templates.execute()
		self.assertEqual(
			frappe.db.get_value("Email Template", name, ["subject", "response_html"]), (subject, body)
		)
		# edited by an admin: kept as it is
		frappe.db.set_value("Email Template", name, {"subject": old, "response_html": "<p>Our own words</p>"})
		translatable_email_templates.execute()
		self.assertEqual(frappe.db.get_value("Email Template", name, "response_html"), "<p>Our own words</p>")

	def test_an_edited_email_template_is_used_at_once_and_dunder_access_refused(self):
		# templates are compiled once per process and source (core.jinja): an edit is a new source
		from scheduler_integration.core import jinja
		from scheduler_integration.effects.email import render

		name = "Scheduler: Booking Confirmed (Guest)"
		doc = frappe.get_doc("Email Template", name)
		doc.subject, doc.response_html = "First {{ guest_name }}", "<p>{{ guest_name }} {{ _('Cancel') }}</p>"
		doc.save(ignore_permissions=True)
		self.assertEqual(
			render(name, {"guest_name": "Ada <b>"}), ("First Ada <b>", "<p>Ada &lt;b&gt; Cancel</p>")
		)
		doc.subject = "Second {{ guest_name }}"
		doc.save(ignore_permissions=True)
		self.assertEqual(render(name, {"guest_name": "Ada"})[0], "Second Ada")
		previous, frappe.local.lang = frappe.local.lang, "de"
		try:
			self.assertIn(frappe._("Cancel"), render(name, {"guest_name": "Ada"})[1])
			self.assertNotEqual(frappe._("Cancel"), "Cancel")
		finally:
			frappe.local.lang = previous
		with self.assertRaises(frappe.ValidationError):
			jinja.render("{{ guest_name.__class__.__mro__ }}", {"guest_name": "Ada"})

	def test_every_workspace_block_finds_its_widget(self):
		"""Frappe draws a block only when its name equals the label of a row of the workspace
		(blocks named after the card documents drew nothing)."""
		workspace = frappe.get_doc("Workspace", "Scheduling")
		tables = {
			"number_card": ("number_cards", "number_card_name", "Number Card"),
			"chart": ("charts", "chart_name", "Dashboard Chart"),
			"custom_block": ("custom_blocks", "custom_block_name", "Custom HTML Block"),
			"shortcut": ("shortcuts", "shortcut_name", None),
			"card": ("links", "card_name", None),
		}
		seen = set()
		for block in json.loads(workspace.content):
			if block["type"] not in tables:
				continue
			table, key, doctype = tables[block["type"]]
			rows = [row for row in workspace.get(table) if row.label == block["data"][key]]
			self.assertTrue(rows, f"{block['type']} {block['data'][key]!r} has no row with that label")
			if doctype:
				target = rows[0].get(key) or rows[0].get("chart_name")
				self.assertTrue(frappe.db.exists(doctype, target), target)
			seen.add(block["type"])
		self.assertEqual(seen, set(tables))
		self.assertEqual(len(workspace.number_cards), 6)  # the calendar connection rate too
