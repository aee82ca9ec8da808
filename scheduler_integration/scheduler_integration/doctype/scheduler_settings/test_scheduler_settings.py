"""Scheduler Settings written without their document reach every running process
(``core/settings.py``; issue 50, item 6), over real HTTP against the multi-worker test server.

A patch or the console writes a setting with ``frappe.db.set_single_value`` — no ``on_update``
runs. Each web worker still reads the new value within a second: Frappe dropped its cached
copy of the document, and the workers look for that copy once a second.
"""

from __future__ import annotations

import time

import frappe

from scheduler_integration.core import settings
from scheduler_integration.tests.factory import make_host, set_settings
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase, no_test_records

# Beside its DocType, Frappe's runner would make the stock test records of every DocType this
# one links to (test users among them) and leave them on the site: none is made
# (tests/utils.no_test_records). Frappe 16 reads the second name.
test_ignore = IGNORE_TEST_RECORD_DEPENDENCIES = no_test_records("Scheduler Settings")

HOST = "sched-settings-host@example.com"


class TestSettingsWrittenDirectly(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(public_rate_limit=100000)
		make_host(HOST, "settings-host")
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**cls._saved)
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def write(self, value: int) -> None:
		frappe.db.set_single_value("Scheduler Settings", "public_rate_limit", value)
		frappe.db.commit()
		time.sleep(getattr(settings, "RECHECK", 1.0) + 0.3)

	def page(self) -> int:
		url = method_url(self.server, "scheduler_integration.api.public.get_page")
		return self.guest.get(url, params={"profile": "settings-host"}, timeout=60).status_code

	def test_a_limit_written_without_the_document_holds_on_every_worker(self):
		for _ in range(12):  # every worker reads (and keeps) the settings as they are
			self.assertEqual(self.page(), 200)
		try:
			self.write(2)
			# four workers, each of which read the settings before: every one holds the new limit
			codes = [self.page() for _ in range(12)]
			self.assertIn(429, codes, codes)
			self.assertLessEqual(codes.count(200), 2, codes)
		finally:
			self.write(100000)
		self.assertEqual(self.page(), 200)
