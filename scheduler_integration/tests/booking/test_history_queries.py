"""Every query of the slot path, the booking path, the manage link, the host's own views
and the scheduled jobs reads rows bounded by its window and its hosts, never by history
(issue 27).

A synthetic history (``HISTORY_ROWS`` bookings; 8,000 in CI, 30,000 with
``SCHEDULER_LONG_TESTS=1``: years past and future,
mostly other hosts', a fifth the measured hosts', each with an effect that ran and a
reminder that went out) is bulk-inserted; then Frappe's own
Recorder (``frappe.recorder``, the desk's *Recorder*) records every query of real HTTP
requests and background jobs doing what guests, hosts and the scheduler do, and EXPLAINs
them. The test fails, naming the query, when a query on a table that grows with history
(bookings, their host rows, reminders, effects, engagement) scans the whole table or
reads more rows than a bounded window could hold. The history is removed afterwards.
"""

from __future__ import annotations

import os
import random
import re
from datetime import timedelta

import frappe
import frappe.recorder

from scheduler_integration.core.clock import to_system, utc_now
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
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

SOLO = "sched-hist-solo@example.com"
TEAM = [f"sched-hist-{i}@example.com" for i in range(4)]
PUBLIC = "scheduler_integration.api.public"
PREFIX = "HIST-"
# tables that grow with history, and the most rows one query may read from them: a
# month of a few hosts' meetings, far below what the history holds for those hosts
GROWING = {
	"tabScheduler Booking": 800,
	"tabScheduler Booking Host": 800,
	"tabScheduler Reminder": 800,
	"tabScheduler Booking Effect": 800,
	"tabScheduler Engagement": 800,
}


def history_rows() -> int:
	# 8,000 still puts a fifth (1,600) under the measured hosts: twice what GROWING allows, so
	# a scan by host alone fails as surely as a scan of the whole table
	default = 30_000 if os.environ.get("SCHEDULER_LONG_TESTS") == "1" else 8_000
	return int(os.environ.get("HISTORY_ROWS") or default)


def insert_history(count: int, hosts: list[str], meeting_types: list[str], avoid) -> None:
	"""``count`` bookings over four years, a fifth for ``hosts``, none inside ``avoid``."""
	rng = random.Random(27)
	now = utc_now().replace(minute=0, second=0, microsecond=0)
	# as a real site keeps them: the past finished, the future waiting or confirmed
	past = ("Completed",) * 7 + ("Cancelled", "Cancelled", "No Show")
	future = ("Confirmed",) * 17 + ("Cancelled", "Cancelled", "Pending")
	bookings, rows = [], []
	lo, hi = avoid
	for i in range(count):
		start = now + timedelta(hours=rng.randint(-3 * 365 * 24, 365 * 24))
		if lo - timedelta(days=2) <= start <= hi + timedelta(days=2):
			start -= timedelta(days=30)
		end = start + timedelta(minutes=30)
		ours = i % 5 == 0
		user = rng.choice(hosts) if ours else f"hist-other-{i % 2000}@example.invalid"
		mt = rng.choice(meeting_types) if ours else f"hist-type-{i % 500}"
		status = future[i % 20] if start > now else past[i % 10]
		name = f"{PREFIX}{i:08d}"
		created = to_system(start - timedelta(days=rng.randint(1, 60)))
		s, e = to_system(start), to_system(end)
		bookings.append(
			(
				name,
				created,
				created,
				"Administrator",
				"Administrator",
				0,
				0,
				mt,
				user,
				status,
				s,
				e,
				"Hist Guest",
				f"hist{i % 5000}@example.invalid",
				"booking_page",
				"UTC",
			)
		)
		rows.append(
			(
				f"{PREFIX}H{i:08d}",
				created,
				created,
				"Administrator",
				"Administrator",
				0,
				1,
				name,
				"hosts",
				"Scheduler Booking",
				user,
				s,
				e,
				0,
				0,
			)
		)
	for at in range(0, count, 5000):
		frappe.db.sql(
			"""insert into `tabScheduler Booking` (name, creation, modified, owner, modified_by,
				docstatus, idx, meeting_type, host, status, start, `end`, guest_name, guest_email,
				source, booker_timezone) values """
			+ ", ".join(["(%s)" % ", ".join(["%s"] * 16)] * len(bookings[at : at + 5000])),
			[v for row in bookings[at : at + 5000] for v in row],
		)
		frappe.db.sql(
			"""insert into `tabScheduler Booking Host` (name, creation, modified, owner, modified_by,
				docstatus, idx, parent, parentfield, parenttype, user, start, `end`, buffer_before,
				buffer_after) values """
			+ ", ".join(["(%s)" % ", ".join(["%s"] * 15)] * len(rows[at : at + 5000])),
			[v for row in rows[at : at + 5000] for v in row],
		)
		frappe.db.commit()
	# the effects that ran and the reminders that went out for that history
	effects = [
		(
			f"{PREFIX}E{i:08d}",
			b[1],
			b[1],
			"Administrator",
			"Administrator",
			0,
			0,
			b[0],
			"booked",
			"email",
			"Done",
			3,
			1,
		)
		for i, b in enumerate(bookings)
	]
	reminders = [
		(
			f"{PREFIX}R{i:08d}",
			b[1],
			b[1],
			"Administrator",
			"Administrator",
			0,
			0,
			b[0],
			b[8],
			"Sent",
			b[10],
			1,
		)
		for i, b in enumerate(bookings)
	]
	for at in range(0, count, 5000):
		frappe.db.sql(
			"""insert into `tabScheduler Booking Effect` (name, creation, modified, owner, modified_by,
				docstatus, idx, booking, lifecycle_event, effect, status, seq, attempts) values """
			+ ", ".join(["(%s)" % ", ".join(["%s"] * 13)] * len(effects[at : at + 5000])),
			[v for row in effects[at : at + 5000] for v in row],
		)
		frappe.db.sql(
			"""insert into `tabScheduler Reminder` (name, creation, modified, owner, modified_by,
				docstatus, idx, booking, host, status, due_at, attempts) values """
			+ ", ".join(["(%s)" % ", ".join(["%s"] * 12)] * len(reminders[at : at + 5000])),
			[v for row in reminders[at : at + 5000] for v in row],
		)
		frappe.db.commit()
	frappe.db.sql(
		"analyze table `tabScheduler Booking`, `tabScheduler Booking Host`, `tabScheduler Booking Effect`,"
		" `tabScheduler Reminder`"
	)


def remove_history() -> None:
	frappe.db.sql("delete from `tabScheduler Booking Effect` where name like %s", f"{PREFIX}%")
	frappe.db.sql("delete from `tabScheduler Reminder` where name like %s", f"{PREFIX}%")
	frappe.db.sql("delete from `tabScheduler Booking Host` where name like %s", f"{PREFIX}%")
	frappe.db.sql("delete from `tabScheduler Booking` where name like %s", f"{PREFIX}%")
	frappe.db.commit()


def touches_history(call) -> bool:
	"""A query on one of the tables that grow with history, whoever built it: the app's
	own SQL, and Frappe's for the app's DocTypes (document loads, lists under the app's
	row rules)."""
	return any(f"`{table}`" in call["query"] or f" {table} " in call["query"] for table in GROWING)


def explain(query: str) -> list[dict]:
	"""EXPLAIN a query the Recorder could not: it explains in a read-only transaction, where
	a locking read (the booking check's ``FOR UPDATE``) is refused."""
	text = re.sub(r"\s+(FOR\s+UPDATE|LOCK\s+IN\s+SHARE\s+MODE)\s*$", "", query.strip(), flags=re.I)
	if not re.match(r"(?is)\s*(select|update|delete)\b", text):
		return []
	return frappe.db.sql(f"EXPLAIN {text}", as_dict=True)


class TestHistoryQueries(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.solo_profile = make_host(SOLO, "hist-solo", start="08:00", end="18:00")
		cls.solo = make_type(cls.solo_profile, "solo", 30)
		cls.seated = make_type(cls.solo_profile, "class", 60, seats_per_slot=3)
		profiles = [
			make_host(user, f"hist-team-{i}", start="08:00", end="18:00") for i, user in enumerate(TEAM)
		]
		hosts = [{"user": user} for user in TEAM]
		cls.rr = make_type(profiles[0], "rr", 30, assignment="Round Robin", hosts=hosts)
		cls.team = make_type(profiles[0], "team", 30, assignment="Collective", hosts=hosts)
		cls.server = LiveServer.get_instance()
		cls.day = future_day(20)
		remove_history()
		insert_history(
			history_rows(),
			[SOLO, *TEAM],
			[cls.solo, cls.rr, cls.team],
			(cls.day, cls.day + timedelta(days=30)),
		)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		try:
			remove_history()
			frappe.recorder.delete()
		finally:
			cls.outbox.close()
		set_settings(**cls._saved)
		cleanup([SOLO, *TEAM], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([SOLO, *TEAM])

	def exercise(self):
		"""What guests, hosts and the scheduler do, over HTTP and in the site's jobs."""
		guest = self.server.session(None)
		slots = {}
		for profile, slug in (
			("hist-solo", "solo"),
			("hist-team-0", "rr"),
			("hist-team-0", "team"),
			("hist-solo", "class"),
		):
			guest.get(
				method_url(self.server, f"{PUBLIC}.get_page"),
				params={"profile": profile, "meeting_type": slug},
				timeout=60,
			)
			r = guest.get(
				method_url(self.server, f"{PUBLIC}.get_slots"),
				params={
					"profile": profile,
					"meeting_type": slug,
					"start": iso(self.day),
					"end": iso(self.day + timedelta(days=30)),
					"timezone": "UTC",
				},
				timeout=60,
			)
			self.assertEqual(r.status_code, 200, r.text)
			slots[slug] = [s["start"] for d in r.json()["message"]["data"]["days"] for s in d["slots"]]
			guest.get(f"{self.server.base}/book/{profile}/{slug}", timeout=60)
		tokens = []
		for n, (profile, slug) in enumerate(
			(("hist-solo", "solo"), ("hist-team-0", "rr"), ("hist-team-0", "team"))
		):
			slots[slug] = slots[slug][n * 40 :]  # a day apart: a team booking never meets the round robin's
			r = guest.post(
				method_url(self.server, f"{PUBLIC}.book"),
				json={
					"profile": profile,
					"meeting_type": slug,
					"start": slots[slug][3],
					"name": f"Hist Guest {slug}",
					"email": f"{slug}@example.org",
					"timezone": "UTC",
				},
				timeout=60,
			)
			self.assertEqual(r.status_code, 201, r.text)
			tokens.append((slug, r.json()["message"]["data"]["manage_url"].rsplit("/", 1)[1]))
			# the same slot again: refused under the lock, alternatives searched
			r = guest.post(
				method_url(self.server, f"{PUBLIC}.book"),
				json={
					"profile": profile,
					"meeting_type": slug,
					"start": slots[slug][3],
					"name": f"Late Guest {slug}",
					"email": f"late-{slug}@example.org",
					"timezone": "UTC",
				},
				timeout=60,
			)
			# (round robin gives it to the next free host)
			self.assertEqual(r.status_code, 201 if slug == "rr" else 409, r.text)
		for slug, token in tokens:
			guest.get(f"{self.server.base}/book/manage/{token}", timeout=60)
			r = guest.post(
				method_url(self.server, f"{PUBLIC}.reschedule"),
				json={"token": token, "start": slots[slug][8]},
				timeout=60,
			)
			self.assertEqual(r.status_code, 200, r.text)
		r = guest.post(method_url(self.server, f"{PUBLIC}.cancel"), json={"token": tokens[0][1]}, timeout=60)
		self.assertEqual(r.status_code, 200, r.text)
		# a group session: two seats of one slot, then its first seat (the slot's leader) leaves
		seat_tokens = []
		for n in range(2):
			r = guest.post(
				method_url(self.server, f"{PUBLIC}.book"),
				json={
					"profile": "hist-solo",
					"meeting_type": "class",
					"start": slots["class"][-1],
					"name": f"Seat {n}",
					"email": f"seat{n}@example.org",
					"timezone": "UTC",
				},
				timeout=60,
			)
			self.assertEqual(r.status_code, 201, r.text)
			seat_tokens.append(r.json()["message"]["data"]["manage_url"].rsplit("/", 1)[1])
		r = guest.post(
			method_url(self.server, f"{PUBLIC}.cancel"), json={"token": seat_tokens[0]}, timeout=60
		)
		self.assertEqual(r.status_code, 200, r.text)
		host = self.server.session(SOLO)
		host.get(
			method_url(self.server, "scheduler_integration.api.booking.list_my_bookings"),
			params={"from_date": iso(self.day)[:10], "to_date": iso(self.day + timedelta(days=7))[:10]},
			timeout=60,
		)
		for card in ("today", "this_week", "pending", "next_meetings"):
			host.get(method_url(self.server, f"scheduler_integration.api.dashboard.{card}"), timeout=60)
		# the scheduler's jobs, as the site's workers run them
		for job in (
			"scheduler_integration.jobs.reminders.dispatch_due_reminders",
			"scheduler_integration.jobs.effects.sweep_effects",
			"scheduler_integration.jobs.bookings.complete_past_bookings",
			"scheduler_integration.jobs.bookings.expire_pending_bookings",
		):
			frappe.enqueue(job, queue="short")
		frappe.db.commit()
		run_background_jobs()

	def test_no_query_reads_more_than_its_window(self):
		frappe.recorder.delete()
		frappe.recorder.start(capture_stack=True, explain=True)
		frappe.db.commit()
		try:
			self.exercise()
		finally:
			frappe.recorder.stop()
		calls = [call for request in frappe.recorder.export_data() for call in request["calls"]]
		frappe.db.rollback()  # the Recorder left a read-only transaction open
		checked, problems = 0, []
		for call in filter(touches_history, calls):
			for row in call.get("explain_result") or explain(call["query"]):
				table = row.get("table") or ""
				name = f"tab{table}" if not table.startswith("tab") else table
				limit = GROWING.get(name)
				if limit is None:
					continue
				checked += 1
				rows = int(re.match(r"\d*", str(row.get("rows") or "")).group() or 0)
				if row.get("type") == "ALL" or rows > limit:
					problems.append(
						f"{name}: {row.get('type')} {row.get('key')} rows={row.get('rows')}\n{call['query']}"
					)
		self.assertGreater(checked, 20, f"the recorder saw the app's queries ({len(calls)} in all)")
		if problems:
			self.fail(f"{len(problems)} queries read more than their window:\n\n" + "\n\n".join(problems))
