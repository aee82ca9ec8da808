"""The CRM effect works as the booking's host (``effects.crm.timeline.acting_as``): with the
host's own roles and permissions, and back to the job's user after; and without throwing
away the process's copy of the site's cache (Frappe's ``set_user`` empties it, and each
booking's effects then read every DocType's metadata from Redis again)."""

import frappe

from scheduler_integration.effects.crm.timeline import acting_as
from scheduler_integration.tests.live import cleanup, make_user
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-acting-host@example.com"


class TestActingAs(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(HOST)

	@classmethod
	def tearDownClass(cls):
		cleanup([HOST], delete_users=True)
		frappe.db.commit()
		super().tearDownClass()

	def test_the_host_acts_with_their_roles_and_the_cache_stays_warm(self):
		frappe.set_user("Administrator")
		frappe.get_meta("Scheduler Booking")
		metas = frappe.cache.make_key("doctype_meta")
		self.assertIn("Scheduler Booking", frappe.local.cache[metas])
		with acting_as(HOST):
			self.assertEqual(frappe.session.user, HOST)
			roles = set(frappe.get_roles())
			self.assertIn("Scheduler Host", roles)
			self.assertNotIn("System Manager", roles)
			self.assertFalse(frappe.has_permission("User", "write", doc="Administrator"))
			self.assertIn("Scheduler Booking", frappe.local.cache[metas])  # not read again
		self.assertEqual(frappe.session.user, "Administrator")
		self.assertIn("System Manager", frappe.get_roles())
		self.assertTrue(frappe.has_permission("User", "write", doc="Administrator"))
		self.assertIn("Scheduler Booking", frappe.local.cache[metas])

	def test_a_user_who_is_gone_leaves_the_job_as_it_was(self):
		frappe.set_user("Administrator")
		with acting_as("sched-nobody@example.com"):
			self.assertEqual(frappe.session.user, "Administrator")
		with acting_as(None):
			self.assertEqual(frappe.session.user, "Administrator")
