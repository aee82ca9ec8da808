"""Scale-out (issue 27): several app servers, workers on another "machine", a read replica.

- Two web servers (two gunicorn processes, one Redis, one database): a change made
  through one shows at once in the other's slot reads, for every source of a slot
  (working hours, a date override, blocked time, the meeting type, a booking, its
  cancellation), whatever each worker process had cached.
- An RQ worker in a process group of its own (as on another machine) drains a booking's
  effects the same way as the site's own workers.
- A read replica (a second MariaDB replicating from the bench's; see docs/development.md,
  development steps): slot reads and booking pages run on it and bookings on the primary;
  a replica whose replication is paused shows a taken slot, and booking it is answered
  409, never a double booking; a replica that is down leaves the reads on the primary.
  Without a replica configured for the site (``read_from_replica``), those tests skip
  with one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unittest
from datetime import timedelta

import frappe

from scheduler_integration.core.clock import to_system
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import (
	LiveServer,
	body,
	cleanup,
	guest_book,
	method_url,
	offered_starts,
)
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-scale@example.com"
PUBLIC = "scheduler_integration.api.public"


class ScaleOutCase(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.profile = make_host(HOST, "scale-host", start="09:00", end="17:00")
		cls.mt = make_type(cls.profile, "scale-call", 60)
		cls.first = LiveServer.get_instance()
		cls.day = future_day(26)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		for name in frappe.get_all("Scheduler Blocked Time", filters={"user": HOST}, pluck="name"):
			frappe.delete_doc("Scheduler Blocked Time", name, ignore_permissions=True, force=True)
		frappe.db.commit()
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([HOST])

	def at(self, hour):
		return self.day + timedelta(hours=hour)

	def offered(self, server, times: int = 8, *, fresh: bool = True) -> set[str]:
		"""The day's slots as ``server`` answers them, asked often enough to meet each worker;
		``fresh``: on a site with a replica, once the replica has every committed change (a
		read there is only as new as the replica)."""
		if fresh:
			self.wait_for_replica()
		return offered_starts(
			server, "scale-host", "scale-call", iso(self.day), iso(self.day + timedelta(days=1)), times
		)

	def replica(self, sql: str):
		"""Run ``sql`` on the replica server as its administrator (root over TCP)."""
		import pymysql

		conf = frappe.get_site_config()
		conn = pymysql.connect(
			host=conf.get("replica_host") or "127.0.0.1",
			port=int(conf.get("replica_db_port") or 3306),
			user="root",
			password=frappe.conf.get("root_password") or os.environ.get("MARIADB_ROOT_PASSWORD") or "root",
		)
		try:
			with conn.cursor() as cursor:
				cursor.execute(sql)
				return cursor.fetchall()
		finally:
			conn.close()

	def wait_for_replica(self):
		"""Until the replica has applied everything committed so far (nothing without one)."""
		import time

		if not replica_configured():
			return
		frappe.db.commit()
		mine = frappe.db.sql("select @@gtid_binlog_pos")[0][0]
		for _ in range(100):
			if self.replica(f"select master_gtid_wait('{mine}', 0.1)")[0][0] == 0:
				return
			time.sleep(0.1)
		self.fail("the replica did not catch up")

	def book(self, server, hour, email):
		return guest_book(
			server, "scale-host", "scale-call", iso(self.at(hour)), name="Scale Guest", email=email
		)


class TestTwoWebServers(ScaleOutCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.second = LiveServer(workers=2)  # another app server: its own processes and caches

	@classmethod
	def tearDownClass(cls):
		cls.second.stop()
		super().tearDownClass()

	def test_a_change_through_one_server_shows_at_once_on_the_other(self):
		host = self.first.session(HOST)
		base = self.first.base
		self.assertIn(iso(self.at(10)), self.offered(self.second))  # warm the second's caches
		availability = frappe.db.get_value("Scheduler Profile", self.profile, "availability")
		url = f"{base}/api/resource/Scheduler Availability/{availability}"
		rules = host.get(url, timeout=30).json()["data"]["weekly_rules"]
		# working hours, through the first server's REST API
		r = host.put(url, json={"weekly_rules": [{**row, "from_time": "12:00"} for row in rules]}, timeout=30)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(min(self.offered(self.second)), iso(self.at(12)))
		host.put(url, json={"weekly_rules": rules}, timeout=30)
		self.assertIn(iso(self.at(10)), self.offered(self.second))
		# a date override
		r = host.put(
			url, json={"date_overrides": [{"date": str(self.day.date()), "unavailable": 1}]}, timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertEqual(self.offered(self.second), set())
		host.put(url, json={"date_overrides": []}, timeout=30)
		self.assertIn(iso(self.at(10)), self.offered(self.second))
		# blocked time
		r = host.post(
			f"{base}/api/resource/Scheduler Blocked Time",
			json={"start": str(to_system(self.at(13))), "end": str(to_system(self.at(14))), "reason": "x"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertNotIn(iso(self.at(13)), self.offered(self.second))
		host.delete(f"{base}/api/resource/Scheduler Blocked Time/{r.json()['data']['name']}", timeout=30)
		self.assertIn(iso(self.at(13)), self.offered(self.second))
		# the meeting type
		r = host.put(
			f"{base}/api/resource/Scheduler Meeting Type/{self.mt}", json={"duration": "120"}, timeout=30
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertNotIn(iso(self.at(10)), self.offered(self.second))  # a 2-hour grid: 9, 11, 13, 15
		host.put(f"{base}/api/resource/Scheduler Meeting Type/{self.mt}", json={"duration": "60"}, timeout=30)
		self.assertIn(iso(self.at(10)), self.offered(self.second))
		# a booking and its cancellation, through the first server's public API
		r = self.book(self.first, 15, "scale@example.org")
		self.assertEqual(r.status_code, 201, r.text)
		self.assertNotIn(iso(self.at(15)), self.offered(self.second))
		self.assertEqual(self.book(self.second, 15, "late@example.org").status_code, 409)
		token = body(r)["data"]["manage_url"].rsplit("/", 1)[1]
		r = self.first.session(None).post(
			method_url(self.first, f"{PUBLIC}.cancel"), json={"token": token}, timeout=60
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertIn(iso(self.at(15)), self.offered(self.second))

	def test_a_worker_in_its_own_process_group_drains_the_effects(self):
		run_background_jobs()
		r = self.book(self.second, 11, "drained@example.org")
		self.assertEqual(r.status_code, 201, r.text)
		booking = body(r)["data"]["id"]
		sites = os.path.abspath(frappe.local.sites_path)
		# as on another machine: its own session and process group, the same Redis and database
		worker = subprocess.run(
			[
				sys.executable,
				"-m",
				"frappe.utils.bench_helper",
				"frappe",
				"--site",
				frappe.local.site,
				"worker",
				"--burst",
			],
			cwd=sites,
			start_new_session=True,
			capture_output=True,
			timeout=300,
		)
		self.assertEqual(worker.returncode, 0, worker.stderr[-2000:])
		run_background_jobs()  # whatever the site's own workers had already taken
		frappe.db.rollback()
		rows = frappe.get_all(
			"Scheduler Booking Effect", filters={"booking": booking}, fields=["effect", "status"]
		)
		self.assertTrue(rows)
		self.assertEqual({row.status for row in rows} - {"Done", "Skipped"}, set(), rows)
		self.assertTrue(frappe.db.exists("Email Queue", {"reference_name": booking}))


def replica_configured() -> bool:
	return bool(frappe.get_site_config().get("read_from_replica"))


class TestReadReplica(ScaleOutCase):
	"""Needs a replica for this site: docs/development.md, "A read replica for development"."""

	@classmethod
	def setUpClass(cls):
		if not replica_configured():
			raise unittest.SkipTest("no read replica configured for this site (read_from_replica)")
		super().setUpClass()

	def test_reads_on_the_replica_bookings_on_the_primary_and_a_lag_never_double_books(self):
		self.wait_for_replica()
		self.assertIn(iso(self.at(10)), self.offered(self.first))
		self.replica("stop slave sql_thread")  # the replica lags from now on
		try:
			r = self.book(self.first, 10, "first@example.org")
			self.assertEqual(r.status_code, 201, r.text)
			# the replica has not seen it: the slot is still shown there…
			self.assertIn(iso(self.at(10)), self.offered(self.first, fresh=False))
			# …and booking it is checked on the primary, under the lock
			r = self.book(self.first, 10, "second@example.org")
			self.assertEqual(r.status_code, 409, r.text)
			self.assertNotIn(iso(self.at(10)), {a["start"] for a in body(r)["alternatives"]})
		finally:
			self.replica("start slave sql_thread")
		self.wait_for_replica()
		self.assertNotIn(iso(self.at(10)), self.offered(self.first))

	def test_a_lagging_replica_never_puts_old_rows_into_the_shared_cache(self):
		def titles():
			r = self.first.session(None).get(
				method_url(self.first, f"{PUBLIC}.get_page"), params={"profile": "scale-host"}, timeout=30
			)
			self.assertEqual(r.status_code, 200, r.text)
			return {row["title"] for row in body(r)["data"]["meeting_types"]}

		self.wait_for_replica()
		self.assertIn("Scale Call", titles())
		self.replica("stop slave sql_thread")
		try:
			doc = frappe.get_doc("Scheduler Meeting Type", self.mt)
			doc.title = "Scale Call Renamed"
			doc.save(ignore_permissions=True)
			frappe.db.commit()  # the primary's commit clears the shared cache of the type
			for _ in range(4):  # pages read on the lagging replica: the old title, not kept
				self.assertIn("Scale Call", titles())
		finally:
			self.replica("start slave sql_thread")
		self.wait_for_replica()
		for _ in range(4):  # every worker: nothing old was left in the shared cache
			self.assertEqual(titles(), {"Scale Call Renamed"})

	def test_a_replica_that_is_down_leaves_the_reads_on_the_primary(self):
		from frappe.installer import update_site_config

		previous = frappe.get_site_config().get("replica_db_port")
		update_site_config("replica_db_port", 1)  # nothing listens there: connection refused
		try:
			server = LiveServer(workers=1)  # a server that reads the changed config
			try:
				# (fresh=False: the site's replica address is the one nobody answers)
				self.assertIn(iso(self.at(10)), self.offered(server, times=3, fresh=False))
				r = self.book(server, 10, "down@example.org")
				self.assertEqual(r.status_code, 201, r.text)
				self.assertNotIn(iso(self.at(10)), self.offered(server, times=3, fresh=False))
			finally:
				server.stop()
		finally:
			update_site_config("replica_db_port", previous)
