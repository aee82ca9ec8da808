"""Committed test data for the booking tests (hosts, availability, meeting types) and a
real RQ worker run."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import frappe

from scheduler_integration.tests.live import make_user

UTC = timezone.utc
ALL_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def make_host(
	email: str, slug: str, tz: str = "UTC", start: str = "00:00", end: str = "24:00", days=ALL_DAYS
) -> str:
	"""A host with a profile and availability on ``days`` from ``start`` to ``end`` (committed)."""
	make_user(email)
	frappe.set_user("Administrator")
	name = frappe.db.get_value("Scheduler Profile", {"user": email}, "name")
	profile = frappe.get_doc("Scheduler Profile", name) if name else frappe.new_doc("Scheduler Profile")
	availability_name = profile.availability if name else None
	availability = (
		frappe.get_doc("Scheduler Availability", availability_name)
		if availability_name
		else frappe.new_doc("Scheduler Availability")
	)
	availability.update({"user": email, "title": "Hours", "timezone": tz})
	availability.set("weekly_rules", [{"weekday": d, "from_time": start, "to_time": end} for d in days])
	availability.set("date_overrides", [])
	availability.save(ignore_permissions=True)
	profile.update(
		{
			"user": email,
			"display_name": email.split("@")[0],
			"slug": slug,
			"timezone": tz,
			"availability": availability.name,
			"active": 1,
		}
	)
	profile.save(ignore_permissions=True)
	frappe.db.commit()
	return profile.name


def make_type(profile: str, slug: str, duration: int = 30, **fields) -> str:
	name = frappe.db.get_value("Scheduler Meeting Type", {"profile": profile, "slug": slug}, "name")
	doc = frappe.get_doc("Scheduler Meeting Type", name) if name else frappe.new_doc("Scheduler Meeting Type")
	values = {
		"profile": profile,
		"title": slug.replace("-", " ").title(),
		"slug": slug,
		"duration": str(duration),
		"active": 1,
		"min_notice": 0,
		"max_advance_days": 365,
		"buffer_before": 0,
		"buffer_after": 0,
		"daily_limit": 0,
		"weekly_limit": 0,
		"cancel_notice": 0,
		"reschedule_notice": 0,
		"requires_confirmation": 0,
		"assignment": "Individual",
	}
	values.update(fields)
	hosts = values.pop("hosts", None)
	doc.update(values)
	if hosts is not None:
		doc.set("hosts", hosts)
	doc.save(ignore_permissions=True)
	frappe.db.commit()
	return doc.name


NO_RATE_LIMITS = {"public_rate_limit": 100000, "booking_rate_limit": 100000}  # the limiter has its own test


def set_settings(**values) -> dict:
	"""Change Scheduler Settings (committed, so the web server sees it); returns the previous
	values, to hand back to set_settings in tearDownClass. Clears rate-limit counters.

	A job of the site's worker whose transaction began before this commit can read the old
	row after the commit has cleared the cached document, and cache it again (Frappe's
	``get_cached_doc`` has no guard against that): so the jobs are run to the end and the
	cached settings cleared once more after them."""
	settings = frappe.get_single("Scheduler Settings")
	previous = {key: settings.get(key) for key in values}
	settings.update(values)
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	run_background_jobs()
	frappe.clear_document_cache("Scheduler Settings", "Scheduler Settings")
	frappe.cache.delete_keys("rl:")
	return previous


def future_day(days: int = 10) -> datetime:
	"""Midnight UTC ``days`` from now (a date safely past any notice)."""
	today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
	return today + timedelta(days=days)


def iso(moment: datetime) -> str:
	return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clear_bookings(hosts: list[str]) -> None:
	"""Delete every booking of ``hosts`` and what its effects made (committed)."""
	from scheduler_integration.tests.live import purge_bookings, purge_guests

	run_background_jobs()  # effects still running would make records after the purge
	names = set(frappe.get_all("Scheduler Booking", filters={"host": ("in", hosts)}, pluck="name"))
	names |= set(
		frappe.get_all(
			"Scheduler Booking Host",
			filters={"parenttype": "Scheduler Booking", "user": ("in", hosts)},
			pluck="parent",
		)
	)
	purge_guests(purge_bookings(names))
	frappe.db.commit()


def runnable_effects() -> int:
	"""Booking effects that are running or due and not waiting behind an earlier row of
	the same booking and effect (that one waits for its retry)."""
	rows = frappe.get_all(
		"Scheduler Booking Effect",
		filters={"status": ("in", ["Pending", "Running"])},
		fields=["booking", "effect", "status", "next_attempt_at"],
		order_by="creation asc, seq asc",
	)
	now, waiting, count = frappe.utils.now_datetime(), set(), 0
	for row in rows:
		key = (row.booking, row.effect)
		if key in waiting:
			continue
		if row.status == "Running" or row.next_attempt_at <= now:
			count += 1
		waiting.add(key)
	return count


def _take_own_jobs(queues, connection):
	"""Move this site's queued jobs to a queue of this test run's own and return it.

	The bench's queues are shared by every site. A worker forked from a test process keeps
	the test's open site (``frappe.init`` returns early when a site is open), so it would
	run another site's job against this site's database, and that site would lose it."""
	from rq import Queue

	own = Queue(f"scheduler-tests:{frappe.local.site}", connection=connection)
	for queue in queues:
		for job in queue.get_jobs():
			if _own([job]) and queue.remove(job.id):
				own.enqueue_job(job)
	return own


def _own(jobs) -> int:
	"""How many of ``jobs`` belong to this site."""
	return sum(1 for job in jobs if job is not None and (job.kwargs or {}).get("site") == frappe.local.site)


def _dead_here(worker) -> bool:
	"""A worker of this machine whose process is gone (killed with its machine or by -9):
	its key stays "busy" in Redis until its heartbeat's TTL runs out, minutes later."""
	import os
	import socket

	if worker.hostname != socket.gethostname() or not worker.pid:
		return False
	try:
		os.kill(worker.pid, 0)  # signal 0: only asks whether the process exists
	except ProcessLookupError:
		return True
	except PermissionError:
		pass  # alive, another user's
	return False


def _busy_with_own_or_unknown(connection) -> int:
	"""Workers that took a job of this site, or one they have not named yet.

	A worker takes a job off its queue and forks before the job enters the started registry;
	in between, only the worker's own state (busy, no current job yet) shows it."""
	from rq import Worker
	from rq.job import Job

	count = 0
	for worker in Worker.all(connection=connection):
		if worker.get_state() != "busy" or _dead_here(worker):
			continue
		job_id = worker.get_current_job_id()
		if not job_id:
			count += 1
			continue
		job = Job.fetch(job_id, connection=connection) if Job.exists(job_id, connection) else None
		count += _own([job])
	return count


def run_background_jobs(timeout: float = 120) -> None:
	"""Run what this site has queued until it is idle: a real (forking) RQ worker in burst
	mode here, side by side with the site's own worker when one runs, then wait until no job
	is queued or running (nor taken by a worker that has not started it yet) and no booking
	effect is due, twice in a row. Works with or without background processes; other sites'
	jobs are left to their own workers."""
	import time

	from frappe.utils.background_jobs import get_queue, get_redis_conn
	from rq import Worker
	from rq.registry import StartedJobRegistry

	frappe.db.commit()
	connection = get_redis_conn()
	queues = [get_queue(q) for q in ("short", "default", "long")]
	deadline = time.monotonic() + timeout
	idle_seen = False
	while True:
		own = _take_own_jobs(queues, connection)
		if own.count:  # a worker's start and stop cost a few tenths of a second: only with work
			# RQ's INFO lines (three per job) buried a benchmark's figures under 11,000 lines
			Worker([own], connection=connection).work(burst=True, logging_level="WARNING")
		frappe.db.commit()  # a fresh snapshot
		running = _own(
			job
			for q in queues
			for job in q.job_class.fetch_many(
				StartedJobRegistry(queue=q, connection=connection).get_job_ids(), connection=connection
			)
		)
		queued = _own(job for q in queues for job in q.get_jobs())
		running += _busy_with_own_or_unknown(connection)
		due = runnable_effects()
		if not running and not due and not queued:
			if idle_seen:
				return
			idle_seen = True  # once more after a pause: a job between its queue and a worker
			time.sleep(0.3)
			continue
		idle_seen = False
		if due and not running and not queued:
			from scheduler_integration import effects

			effects.sweep()  # due rows whose job another worker dropped
		if time.monotonic() > deadline:
			rows = frappe.get_all(
				"Scheduler Booking Effect",
				filters={"status": ("in", ["Pending", "Running"])},
				fields=["booking", "effect", "status", "next_attempt_at", "last_error"],
			)
			raise AssertionError(
				f"background work did not settle: {running} running, {due} effects due: {rows}"
			)
		time.sleep(0.2)


class SmtpSink:
	"""A minimal SMTP server on 127.0.0.1 that accepts and keeps every message (raw).
	``hold`` makes it wait before taking a message's text, until ``release`` (at most a
	minute): a job that sends mail stops there, as on a slow mail server."""

	def __init__(self):
		import socket
		import threading

		self.open = threading.Event()
		self.open.set()
		self.waiting = 0  # sessions held at DATA now
		self.messages: list[str] = []
		self.received: dict[str, float] = {}  # recipient -> when their latest message arrived
		self.counts: dict[str, int] = {}  # recipient -> how many messages they got
		self.sock = socket.socket()
		self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		self.sock.bind(("127.0.0.1", 0))
		self.sock.listen(8)
		self.port = self.sock.getsockname()[1]
		threading.Thread(target=self._serve, daemon=True).start()

	def _serve(self):
		import threading

		while True:
			try:
				conn, _addr = self.sock.accept()
			except OSError:
				return
			threading.Thread(target=self._session, args=(conn,), daemon=True).start()

	def _session(self, conn):
		with conn, conn.makefile("rwb") as f:
			f.write(b"220 sink ESMTP\r\n")
			f.flush()
			data, in_data, recipients = [], False, []
			for line in f:
				if in_data:
					if line in (b".\r\n", b".\n"):
						self.messages.append(b"".join(data).decode("utf-8", "replace"))
						arrived = time.time()
						for recipient in recipients:
							self.received[recipient] = arrived
							self.counts[recipient] = self.counts.get(recipient, 0) + 1
						data, in_data, recipients = [], False, []
						f.write(b"250 OK\r\n")
					else:
						data.append(line[1:] if line.startswith(b"..") else line)
					f.flush()
					continue
				verb = line[:4].upper()
				if verb in (b"EHLO", b"HELO"):
					f.write(b"250 sink\r\n")
				elif verb == b"RCPT":
					address = line.decode("utf-8", "replace").split(":", 1)[-1].strip().strip("<>")
					recipients.append(address.lower())
					f.write(b"250 OK\r\n")
				elif verb == b"DATA":
					if not self.open.is_set():
						self.waiting += 1
						self.open.wait(60)
						self.waiting -= 1
					in_data = True
					f.write(b"354 go\r\n")
				elif verb == b"QUIT":
					f.write(b"221 bye\r\n")
					f.flush()
					break
				else:
					f.write(b"250 OK\r\n")
				f.flush()

	def hold(self) -> None:
		self.open.clear()

	def release(self) -> None:
		self.open.set()

	def close(self):
		self.open.set()
		self.sock.close()


class Outbox:
	"""A local SMTP sink, and a *non-default* outgoing Email Account delivering to it that
	Scheduler Settings send booking emails from, for one test class. The site's default
	outgoing account is never touched. ``close`` restores the setting and removes the account
	and every Email Queue row sent from it."""

	NAME = "Scheduler Test Outbox"
	ADDRESS = "outbox@scheduler-test.example"

	def __init__(self):
		self.sink = SmtpSink()
		values = {
			"email_id": self.ADDRESS,
			"email_account_name": self.NAME,
			"enable_outgoing": 1,
			"default_outgoing": 0,
			"smtp_server": "127.0.0.1",
			"smtp_port": self.sink.port,
			"use_tls": 0,
			"use_ssl_for_outgoing": 0,
			"no_smtp_authentication": 1,
			"enable_incoming": 0,
			"awaiting_password": 0,
		}
		doc = (
			frappe.get_doc("Email Account", self.NAME)
			if frappe.db.exists("Email Account", self.NAME)
			else frappe.new_doc("Email Account")
		)
		doc.update(values)
		doc.save(ignore_permissions=True)
		self.previous = set_settings(email_account=self.NAME)
		if self.previous.get("email_account") == self.NAME:  # left behind by a run that crashed
			self.previous["email_account"] = None

	@property
	def messages(self) -> list[str]:
		return self.sink.messages

	def close(self) -> None:
		frappe.db.rollback()
		set_settings(**self.previous)
		sent = frappe.get_all("Email Queue", filters={"sender": ("like", f"%{self.ADDRESS}%")}, pluck="name")
		frappe.db.delete("Email Queue Recipient", {"parent": ("in", sent or [""])})
		frappe.db.delete("Email Queue", {"name": ("in", sent or [""])})
		frappe.delete_doc("Email Account", self.NAME, ignore_permissions=True, force=True)
		frappe.db.commit()
		self.sink.close()


class ShippedTemplates:
	"""The app's shipped default of each Email Template ``names`` for one test class (a site may
	keep older, edited ones), and each back as it was at ``restore``, ``modified`` untouched
	both ways: a template a test changed must not look edited by an admin afterwards (migrate
	then never brings it up to the app's newer default)."""

	def __init__(self, names):
		from scheduler_integration.effects.email_templates import DEFAULT_TEMPLATES

		self.stored = {
			name: frappe.db.get_value("Email Template", name, ["subject", "response_html"]) for name in names
		}
		for name in names:
			subject, html = DEFAULT_TEMPLATES[name]
			frappe.db.set_value(
				"Email Template", name, {"subject": subject, "response_html": html}, update_modified=False
			)
		frappe.clear_document_cache("Email Template")
		frappe.db.commit()

	def restore(self) -> None:
		for name, values in self.stored.items():
			if values:
				frappe.db.set_value(
					"Email Template",
					name,
					{"subject": values[0], "response_html": values[1]},
					update_modified=False,
				)
		frappe.clear_document_cache("Email Template")
		frappe.db.commit()


class SchedulerPaused:
	"""Pause the site's scheduler for a test class that drives the scheduled jobs itself
	(``pause_scheduler`` in the site config, which the scheduler process reads on every
	tick), and let jobs it had already queued finish first. ``resume`` restores the config."""

	def __init__(self):
		import time

		from frappe.installer import update_site_config

		self.previous = frappe.get_site_config().get("pause_scheduler")
		update_site_config("pause_scheduler", 1)
		frappe.local.conf.pause_scheduler = 1
		time.sleep(1)  # a tick that was enqueueing when we paused
		run_background_jobs()

	def resume(self) -> None:
		from frappe.installer import update_site_config

		update_site_config("pause_scheduler", self.previous if self.previous is not None else "None")
		if self.previous is None:
			frappe.local.conf.pop("pause_scheduler", None)


def book(meeting_type: str, start: datetime, guest: dict, **fields):
	"""A booking made by a host (the session's user) through the checked path (committed)."""
	from scheduler_integration.core.clock import to_system

	doc = frappe.get_doc(
		{
			"doctype": "Scheduler Booking",
			"meeting_type": meeting_type,
			"start": to_system(start),
			**guest,
			**fields,
		}
	)
	doc.insert(ignore_permissions=True)
	frappe.db.commit()
	return doc
