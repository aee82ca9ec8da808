"""Revenue in analytics and the staff performance report, against hand-computed figures.

Two hosts in different time zones, priced meeting types in two currencies, bookings in
every status. Checked: the report's revenue, forecast and peak hours (on each host's own
clock), the analytics API (a host's own figures, a manager's whole team), the report's CSV
export over real HTTP, and that a host sees only their own row.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import frappe

from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.scheduler_integration.report.scheduler_host_performance.scheduler_host_performance import (
	execute,
)
from scheduler_integration.tests.factory import (
	Outbox,
	book,
	clear_bookings,
	make_host,
	make_type,
	run_background_jobs,
)
from scheduler_integration.tests.live import LiveServer, cleanup, make_user, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

A = "sched-rev-a@example.com"  # New York
B = "sched-rev-b@example.com"  # Tokyo
M = "sched-rev-manager@example.com"
GUEST = {"guest_name": "Rita Revenue", "guest_email": "rita-revenue@example.org", "booker_timezone": "UTC"}


class TestRevenue(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cls.outbox = Outbox()
			for currency in ("USD", "EUR"):
				if not frappe.db.exists("Currency", currency):
					frappe.get_doc({"doctype": "Currency", "currency_name": currency, "enabled": 1}).insert(
						ignore_permissions=True
					)
					cls.made_currencies = [*getattr(cls, "made_currencies", []), currency]
			pa = make_host(A, "rev-a", tz="America/New_York")
			pb = make_host(B, "rev-b", tz="Asia/Tokyo")
			make_user(M, roles=("Scheduler Manager",))
			clear_bookings([A, B])
			cls.audit = make_type(pa, "audit", 60, price=150, currency="USD", slot_interval=15)
			cls.intro = make_type(pa, "intro", 30, price=0, currency="USD", slot_interval=15)
			cls.coaching = make_type(pb, "coaching", 45, price=99.99, currency="USD", slot_interval=15)
			cls.eu = make_type(pb, "eu-call", 30, price=80, currency="EUR", slot_interval=15)
			cls.server = LiveServer.get_instance()
			cls.make_bookings()
		except Exception:  # leave the site as found even when setting up failed
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		if getattr(cls, "outbox", None):
			cls.outbox.close()
		clear_bookings([A, B])
		cleanup([A, B, M], delete_users=True)
		for currency in getattr(cls, "made_currencies", []):
			frappe.delete_doc("Currency", currency, ignore_permissions=True, force=True)
		frappe.db.commit()
		super().tearDownClass()

	@classmethod
	def make_bookings(cls):
		"""Bookings through the checked path, then moved into the past and given their outcome
		directly (the host path may not book in the past)."""
		now = utc_now().replace(minute=0, second=0, microsecond=0)
		ahead = now + timedelta(days=20)
		# (meeting type, status, days from now, hour UTC)
		plan = [
			(cls.audit, "Completed", -10, 14),
			(cls.audit, "Completed", -9, 14),
			(cls.intro, "Completed", -8, 14),  # free
			(cls.audit, "No Show", -7, 20),
			(cls.audit, "Cancelled", 5, 14),
			(cls.audit, "Confirmed", 6, 14),  # forecast
			(cls.audit, "Pending", 7, 15),  # not confirmed: no forecast
			(cls.coaching, "Completed", -10, 1),
			(cls.coaching, "Completed", -9, 1),
			(cls.coaching, "Completed", -8, 5),
			(cls.coaching, "Confirmed", 6, 1),
			(cls.eu, "Completed", -6, 1),
		]
		cls.starts = {}
		for index, (mt, status, days, hour) in enumerate(plan):
			doc = book(mt, ahead + timedelta(hours=index), dict(GUEST))
			start = (now + timedelta(days=days)).replace(hour=hour)
			duration = frappe.get_cached_doc("Scheduler Meeting Type", mt).duration_minutes()
			frappe.db.set_value(
				"Scheduler Booking",
				doc.name,
				{
					"start": to_system(start),
					"end": to_system(start + timedelta(minutes=duration)),
					"status": status,
				},
				update_modified=False,
			)
			cls.starts.setdefault(doc.host, []).append(start)
		frappe.db.commit()
		run_background_jobs()

	def report(self, **filters):
		filters.setdefault("from_date", (utc_now() - timedelta(days=30)).date().isoformat())
		filters.setdefault("to_date", (utc_now() + timedelta(days=30)).date().isoformat())
		_columns, data, _message, _chart, summary = execute(filters)
		return {row["host"]: row for row in data if row["host"] in (A, B)}, summary

	def test_report_revenue_forecast_and_peak_hours_on_each_hosts_clock(self):
		rows, summary = self.report(currency="USD")
		a, b = rows[A], rows[B]
		self.assertEqual((a["revenue"], a["forecast"]), (300.0, 150.0))
		self.assertEqual((b["revenue"], b["forecast"]), (299.97, 99.99))
		self.assertEqual((a["bookings"], a["completed"], b["bookings"], b["completed"]), (7, 3, 5, 4))
		self.assertEqual(a["currency"], "USD")
		# the EUR meeting type counts in EUR only
		eur, _summary = self.report(currency="EUR")
		self.assertEqual((eur[B]["revenue"], eur[A]["revenue"]), (80.0, 0.0))
		totals = {item["label"]: item["value"] for item in summary}
		self.assertEqual(totals["Revenue"], round(300.0 + 299.97, 2))
		self.assertEqual(totals["Forecast"], round(150.0 + 99.99, 2))

		def peaks(host, zone):
			counts = {}
			for start in self.starts[host]:
				hour = start.astimezone(ZoneInfo(zone)).hour
				counts[hour] = counts.get(hour, 0) + 1
			top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
			return ", ".join(f"{hour:02d}:00" for hour, _n in top)

		self.assertEqual(a["peak_hours"], peaks(A, "America/New_York"))
		self.assertEqual(b["peak_hours"], peaks(B, "Asia/Tokyo"))
		self.assertEqual((a["timezone"], b["timezone"]), ("America/New_York", "Asia/Tokyo"))
		# 01:00 UTC is 10:00 in Tokyo: the host's clock, not UTC nor the site's
		self.assertTrue(b["peak_hours"].startswith("10:00"), b["peak_hours"])

	def test_analytics_api_revenue_per_host_and_meeting_type(self):
		span = {
			"start_date": (utc_now() - timedelta(days=30)).date().isoformat(),
			"end_date": (utc_now() + timedelta(days=30)).date().isoformat(),
		}
		r = self.server.session(A).get(
			method_url(self.server, "scheduler_integration.api.analytics.get_analytics"),
			params=span,
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text)
		revenue = r.json()["message"]["data"]["revenue"]
		self.assertEqual((revenue["revenue"], revenue["forecast"]), ({"USD": 300.0}, {"USD": 150.0}))
		types = {row["name"]: (row["revenue"], row["forecast"]) for row in revenue["by_meeting_type"]}
		self.assertEqual(types, {"Audit": (300.0, 150.0)})
		# a manager: the whole team, per host and currency
		r = self.server.session(M).get(
			method_url(self.server, "scheduler_integration.api.analytics.get_revenue"),
			params={**span, "user": "all"},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text)
		team = r.json()["message"]["data"]
		hosts = {(row["host"], row["currency"]): (row["revenue"], row["forecast"]) for row in team["by_host"]}
		self.assertEqual(hosts[(A, "USD")], (300.0, 150.0))
		self.assertEqual(hosts[(B, "USD")], (299.97, 99.99))
		self.assertEqual(hosts[(B, "EUR")], (80.0, 0.0))
		# a host may not ask for the team
		r = self.server.session(A).get(
			method_url(self.server, "scheduler_integration.api.analytics.get_revenue"),
			params={**span, "user": B},
			timeout=60,
		)
		self.assertEqual(r.status_code, 403, r.text)

	def test_csv_export_and_a_host_sees_only_their_row(self):
		filters = {
			"from_date": (utc_now() - timedelta(days=30)).date().isoformat(),
			"to_date": (utc_now() + timedelta(days=30)).date().isoformat(),
			"currency": "USD",
		}
		r = self.server.session(M).post(
			method_url(self.server, "frappe.desk.query_report.export_query"),
			data={
				"report_name": "Scheduler Host Performance",
				"file_format_type": "CSV",
				"filters": json.dumps(filters),
				"visible_idx": json.dumps(list(range(100))),
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:500])
		table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
		header = table[0]
		self.assertIn("Revenue", header)
		self.assertIn("Forecast", header)
		by_host = {row[header.index("Host")]: row for row in table[1:] if row}
		self.assertEqual(float(by_host[A][header.index("Revenue")]), 300.0)
		self.assertEqual(float(by_host[B][header.index("Revenue")]), 299.97)
		self.assertEqual(float(by_host[B][header.index("Forecast")]), 99.99)
		# host B through the report API: their own row only
		r = self.server.session(B).post(
			method_url(self.server, "frappe.desk.query_report.run"),
			data={"report_name": "Scheduler Host Performance", "filters": json.dumps(filters)},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:500])
		result = r.json()["message"]["result"]
		self.assertEqual([row["host"] for row in result if isinstance(row, dict) and row.get("host")], [B])
