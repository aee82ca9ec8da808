"""Committed test data for the booking tests (hosts, availability, meeting types) and a
real RQ worker run."""

from __future__ import annotations

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
	values, to hand back to set_settings in tearDownClass. Clears rate-limit counters."""
	settings = frappe.get_single("Scheduler Settings")
	previous = {key: settings.get(key) for key in values}
	settings.update(values)
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	frappe.cache.delete_keys("rl:")
	return previous


def future_day(days: int = 10) -> datetime:
	"""Midnight UTC ``days`` from now (a date safely past any notice)."""
	today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
	return today + timedelta(days=days)


def iso(moment: datetime) -> str:
	return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clear_bookings(hosts: list[str]) -> None:
	frappe.db.commit()  # start a fresh snapshot: see what the web server committed
	for name in frappe.get_all("Scheduler Booking", filters={"host": ("in", hosts)}, pluck="name"):
		frappe.delete_doc("Scheduler Booking", name, ignore_permissions=True, force=True)
	frappe.db.commit()


def run_background_jobs() -> None:
	"""Run every queued job with a real (forking) RQ worker in burst mode."""
	from frappe.utils.background_jobs import get_queue, get_redis_conn
	from rq import Worker

	frappe.db.commit()
	connection = get_redis_conn()
	queues = [get_queue(q) for q in ("short", "default")]
	Worker(queues, connection=connection).work(burst=True)


class SmtpSink:
	"""A minimal SMTP server on 127.0.0.1 that accepts and keeps every message (raw)."""

	def __init__(self):
		import socket
		import threading

		self.messages: list[str] = []
		self.sock = socket.socket()
		self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		self.sock.bind(("127.0.0.1", 0))
		self.sock.listen(8)
		self.port = self.sock.getsockname()[1]
		threading.Thread(target=self._serve, daemon=True).start()

	def _serve(self):
		while True:
			try:
				conn, _addr = self.sock.accept()
			except OSError:
				return
			with conn, conn.makefile("rwb") as f:
				f.write(b"220 sink ESMTP\r\n")
				f.flush()
				data, in_data = [], False
				for line in f:
					if in_data:
						if line in (b".\r\n", b".\n"):
							self.messages.append(b"".join(data).decode("utf-8", "replace"))
							data, in_data = [], False
							f.write(b"250 OK\r\n")
						else:
							data.append(line[1:] if line.startswith(b"..") else line)
						f.flush()
						continue
					verb = line[:4].upper()
					if verb in (b"EHLO", b"HELO"):
						f.write(b"250 sink\r\n")
					elif verb == b"DATA":
						in_data = True
						f.write(b"354 go\r\n")
					elif verb == b"QUIT":
						f.write(b"221 bye\r\n")
						f.flush()
						break
					else:
						f.write(b"250 OK\r\n")
					f.flush()

	def close(self):
		self.sock.close()


def use_outgoing_account(port: int) -> str:
	"""Make a default outgoing Email Account that delivers to the local sink (committed)."""
	name = "Scheduler Test Outbox"
	values = {
		"email_id": "outbox@scheduler-test.example",
		"email_account_name": name,
		"enable_outgoing": 1,
		"default_outgoing": 1,
		"smtp_server": "127.0.0.1",
		"smtp_port": port,
		"use_tls": 0,
		"use_ssl_for_outgoing": 0,
		"no_smtp_authentication": 1,
		"enable_incoming": 0,
		"awaiting_password": 0,
	}
	doc = (
		frappe.get_doc("Email Account", name)
		if frappe.db.exists("Email Account", name)
		else frappe.new_doc("Email Account")
	)
	doc.update(values)
	doc.flags.ignore_validate = False
	doc.save(ignore_permissions=True)
	frappe.db.commit()
	return name
