"""The Scheduling workspace's "Bookings per Month" over real HTTP: the chart's source method
counts the bookings a host made in each of the last 12 calendar months of the system time
zone (a booking made at the last second of a month counts for that month, one at midnight
for the next), only the host's own, and Frappe's chart widget finds the method through the
chart's Dashboard Chart Source."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import frappe

from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.rules.analytics import last_months
from scheduler_integration.tests.factory import book, future_day, make_host, make_type
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-month-host@example.com"
OTHER = "sched-month-other@example.com"
GUEST = "mona-month@example.org"
CHART = "Scheduler Bookings per Month"


class TestBookingsPerMonth(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup([HOST, OTHER], delete_users=True)  # what a run that stopped half-way left
		cls.mt = make_type(make_host(HOST, "sched-month-host"), "month-call", 30)
		cls.other_mt = make_type(make_host(OTHER, "sched-month-other"), "month-call", 30)
		cls.server = LiveServer.get_instance()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cleanup([HOST, OTHER], delete_users=True)
		super().tearDownClass()

	def made_at(self, meeting_type: str, hour: int, creation: datetime) -> str:
		"""A booking made through the checked path, dated back to ``creation`` (system time,
		as Frappe stores it): as if it had been made then."""
		guest = {"guest_name": "Mona Month", "guest_email": GUEST}
		name = book(meeting_type, future_day(3) + timedelta(hours=hour), guest).name
		frappe.db.set_value("Scheduler Booking", name, "creation", creation, update_modified=False)
		frappe.db.commit()
		return name

	def test_bookings_are_counted_in_the_calendar_month_they_were_made(self):
		months = last_months(to_system(utc_now()).date(), 12)
		this_month = datetime.combine(months[-1], time.min)
		oldest = datetime.combine(months[0], time.min)
		self.made_at(self.mt, 8, this_month)  # midnight: this month
		self.made_at(self.mt, 9, this_month - timedelta(seconds=1))  # the last second of the last
		self.made_at(self.mt, 10, oldest)  # the first moment shown
		self.made_at(self.mt, 11, oldest - timedelta(seconds=1))  # a month too old
		self.made_at(self.other_mt, 12, this_month)  # another host's

		r = self.server.session(HOST).get(
			method_url(self.server, "scheduler_integration.api.dashboard.bookings_per_month"),
			params={"chart_name": CHART, "refresh": 1},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		chart = r.json()["message"]
		self.assertEqual(chart["datasets"][0]["values"], [1] + [0] * 9 + [1, 1])
		self.assertEqual(chart["labels"], [f"{month:%b %Y}" for month in months])  # "Nov 2026"

		# the workspace's chart finds the method through its source, as Frappe's widget does
		self.assertEqual(
			frappe.db.get_value("Dashboard Chart", CHART, ["chart_type", "source"]), ("Custom", CHART)
		)
		config = self.server.session(HOST).get(
			method_url(
				self.server, "frappe.desk.doctype.dashboard_chart_source.dashboard_chart_source.get_config"
			),
			params={"name": CHART},
			timeout=60,
		)
		self.assertEqual(config.status_code, 200, config.text[:300])
		self.assertIn("scheduler_integration.api.dashboard.bookings_per_month", config.json()["message"])

		# a guest gets no figures
		guest = self.server.session(None).get(
			method_url(self.server, "scheduler_integration.api.dashboard.bookings_per_month"), timeout=60
		)
		self.assertEqual(guest.status_code, 401, guest.text[:300])  # the app's "Please sign in"
