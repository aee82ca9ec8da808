"""Real HTTP for the bench suite: a gunicorn serving this bench, and signed-in sessions.

Started once per test run on a free loopback port (so it never collides with a developer's
own server), with several workers so concurrent requests really run in parallel. Data a
test wants the server to see must be committed first; the server is a separate process.
A module that needs its server process set up differently (``env``: variables added to
this process's environment) starts a ``LiveServer`` of its own and stops it when it ends.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import frappe
import requests

from scheduler_integration.booking import slot_answers
from scheduler_integration.booking.deletion import delete_event
from scheduler_integration.tests import answer_check

PASSWORD = "Sched-Test-Pass-2026!"


class LiveServer:
	_instance: LiveServer | None = None

	def __init__(self, workers: int = 4, env: dict[str, str] | None = None):
		self.site = frappe.local.site
		sock = socket.socket()
		sock.bind(("127.0.0.1", 0))
		self.port = sock.getsockname()[1]
		sock.close()
		sites = os.path.abspath(frappe.local.sites_path)
		gunicorn = Path(sys.executable).with_name("gunicorn")
		log = open(os.path.join(sites, "..", "logs", "scheduler-test-web.log"), "ab")
		self.process = subprocess.Popen(
			[
				str(gunicorn),
				"-b",
				f"127.0.0.1:{self.port}",
				"-w",
				str(workers),
				"-t",
				"120",
				"frappe.app:application_with_statics()",  # serves the pages' own /assets too
			],
			cwd=sites,
			env={**os.environ, **env} if env else None,
			stdout=log,
			stderr=log,
		)
		atexit.register(self.stop)
		deadline = time.monotonic() + 60
		while time.monotonic() < deadline:
			try:
				if self.get("/api/method/ping", timeout=2).ok:
					return
			except requests.RequestException:
				time.sleep(0.3)
		self.stop()
		raise RuntimeError(
			f"test web server did not start on port {self.port}: see logs/scheduler-test-web.log"
		)

	@classmethod
	def get_instance(cls, workers: int = 4) -> LiveServer:
		if cls._instance is None or cls._instance.process.poll() is not None:
			cls._instance = cls(workers)
		return cls._instance

	def stop(self) -> None:
		if self.process.poll() is None:
			self.process.terminate()
			try:
				self.process.wait(10)
			except subprocess.TimeoutExpired:
				self.process.kill()

	@property
	def base(self) -> str:
		return f"http://127.0.0.1:{self.port}"

	def session(self, user: str | None = None) -> requests.Session:
		"""A session signed in as ``user`` (None = guest)."""
		session = requests.Session()
		session.headers["Host"] = self.site
		session.hooks["response"].append(answer_check.hook)  # every answer held to the document
		if user:
			response = session.post(
				f"{self.base}/api/method/login", json={"usr": user, "pwd": PASSWORD}, timeout=30
			)
			if response.status_code != 200:
				raise RuntimeError(f"login as {user} failed: {response.status_code} {response.text[:200]}")
		return session

	def get(self, path: str, **kwargs) -> requests.Response:
		response = requests.get(f"{self.base}{path}", headers={"Host": self.site}, **kwargs)
		answer_check.check(response)
		return response


def commit_elsewhere(*statements) -> None:
	"""Run ``statements`` ((query, values) pairs) on a second connection to this site's
	database and commit them, as another process (a worker, a request) would: this
	process's transaction, and what its snapshot shows, go on untouched."""
	from frappe.database import get_db

	other = get_db(
		socket=frappe.conf.db_socket,
		host=frappe.conf.db_host,
		port=frappe.conf.db_port,
		user=frappe.conf.db_name,
		password=frappe.conf.db_password,
		cur_db_name=frappe.conf.db_name,
	)
	other.connect()
	try:
		for query, values in statements:
			other.sql(query, values)
		other.commit()
	finally:
		other.close()


def method_url(server: LiveServer, dotted: str) -> str:
	return f"{server.base}/api/method/{dotted}"


def body(response):
	"""The app's answer: Frappe wraps a whitelisted method's return value in ``message``
	(held to the document's schema of its status first: ``answer_check``)."""
	answer_check.check(response)
	data = response.json()
	return data.get("message") if isinstance(data.get("message"), dict) else data


def guest_book(server: LiveServer, profile: str, meeting_type: str, start: str, **fields):
	"""A guest's booking through the public API (``start`` an ISO instant)."""
	values = {"name": "Gus Guest", "email": "gus@example.org", "timezone": "UTC", **fields}
	return requests.post(
		method_url(server, "scheduler_integration.api.public.book"),
		json={"profile": profile, "meeting_type": meeting_type, "start": start, **values},
		headers={"Host": server.site},
		timeout=60,
	)


def offered_starts(server: LiveServer, profile: str, meeting_type: str, start: str, end: str, times: int = 1):
	"""The starts ``server`` offers in [start, end), asked ``times`` times (to reach each of its
	workers, which keep their own caches); every answer must be the same."""
	seen = []
	for _ in range(times):
		r = requests.get(
			method_url(server, "scheduler_integration.api.public.get_slots"),
			params={
				"profile": profile,
				"meeting_type": meeting_type,
				"start": start,
				"end": end,
				"timezone": "UTC",
			},
			headers={"Host": server.site},
			timeout=60,
		)
		if r.status_code != 200:
			raise AssertionError(f"get_slots answered {r.status_code}: {r.text[:300]}")
		seen.append({s["start"] for d in body(r)["data"]["days"] for s in d["slots"]})
	if any(s != seen[0] for s in seen):
		raise AssertionError(f"the workers answer differently: {seen}")
	return seen[0]


CREATED_USERS: set[str] = set()  # users this test run made; cleanup deletes them again


def make_user(email: str, roles=("Scheduler Host",), first_name: str | None = None) -> str:
	"""A committed test user with a known password (created once, roles reset each time)."""
	from frappe.utils.password import update_password

	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name or email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": "System User",
				"enabled": 1,  # said: an insert inside an import (benchmarks' data) skips defaults
			}
		).insert(ignore_permissions=True)
		CREATED_USERS.add(email)
	user = frappe.get_doc("User", email)
	user.flags.ignore_permissions = True
	for role in ("Scheduler Host", "Scheduler Manager"):
		if role not in roles and role in [r.role for r in user.roles]:
			user.remove_roles(role)
	user.add_roles(*roles)
	update_password(email, PASSWORD)
	frappe.db.commit()
	return email


def _delete(doctype: str, names) -> None:
	for name in set(names):
		if doctype == "Event":
			delete_event(name, permanently=True)  # with what a worker committed since this snapshot
			continue
		if frappe.db.exists(doctype, name):
			frappe.delete_doc(doctype, name, ignore_permissions=True, force=True, delete_permanently=True)


def purge_bookings(names) -> set[str]:
	"""Delete bookings and everything their effects made; returns the guests' emails."""
	names = list(set(names))
	if not names:
		return set()
	guests = set(frappe.get_all("Scheduler Booking", filters={"name": ("in", names)}, pluck="guest_email"))
	purge_payments(names)
	events = frappe.get_all(
		"Scheduler Booking Host", filters={"parent": ("in", names), "event": ("is", "set")}, pluck="event"
	)
	mails = frappe.get_all("Email Queue", filters={"reference_name": ("in", names)}, pluck="name")
	frappe.db.delete("Email Queue Recipient", {"parent": ("in", mails or [""])})
	for doctype, field in (
		("Email Queue", "reference_name"),
		("Comment", "reference_name"),
		("Error Log", "reference_name"),
		("Scheduler Booking Effect", "booking"),
		("Scheduler Reminder", "booking"),
		("Scheduler Engagement", "booking"),
		("Scheduler Video Meeting Log", "booking"),
		("Scheduler Automation Log", "booking"),
	):
		if frappe.db.exists("DocType", doctype):
			frappe.db.delete(doctype, {field: ("in", names)})
	_delete("Event", events)
	# deleted behind the controller's back: their hosts' kept slot answers go too
	slot_answers.invalidate_bookings(
		frappe.get_all(
			"Scheduler Booking Host", filters={"parent": ("in", names)}, pluck="user", distinct=True
		)
	)
	for name in names:
		frappe.db.delete("Version", {"ref_doctype": "Scheduler Booking", "docname": name})
		frappe.db.delete("Scheduler Booking Host", {"parent": name})
		frappe.db.delete("Scheduler Booking Record", {"parent": name})
		frappe.db.delete("Scheduler Booking", {"name": name})
	# the guest caps' windows count what was booked, deleted or not (booking.caps): the
	# next test starts from the database again
	frappe.cache.delete_keys("scheduler_integration:caps:")
	return guests


LEDGER_ROWS = (
	("GL Entry", "voucher_no"),
	("Payment Ledger Entry", "voucher_no"),
	("Payment Entry Reference", "parent"),
	("Payment Entry Deduction", "parent"),
	("Payment Entry", "name"),
)


def purge_payments(bookings) -> None:
	"""The Scheduler Payments of ``bookings``, their webhook log, and with ERPNext the
	Payment Entries of them (ledger rows too) and the Customers made for their guests."""
	payments = frappe.get_all(
		"Scheduler Payment",
		filters={"booking": ("in", list(bookings) or [""])},
		fields=["name", "party_type", "party", "payment_entry"],
	)
	if not payments:
		return
	names = [row.name for row in payments]
	entries = {row.payment_entry for row in payments if row.payment_entry}
	entries |= set(
		frappe.get_all("Scheduler Payment Refund", filters={"parent": ("in", names)}, pluck="payment_entry")
	)
	for entry in entries - {None, ""}:
		for table, field in LEDGER_ROWS:
			if frappe.db.exists("DocType", table):
				frappe.db.delete(table, {field: entry})
	for doctype, field in (
		("Integration Request", "reference_docname"),
		("Comment", "reference_name"),
		("Error Log", "reference_name"),
	):
		frappe.db.delete(doctype, {field: ("in", names)})
	frappe.db.delete("Version", {"ref_doctype": "Scheduler Payment", "docname": ("in", names)})
	frappe.db.delete("Scheduler Payment Refund", {"parent": ("in", names)})
	frappe.db.delete("Scheduler Payment", {"name": ("in", names)})
	for customer in {row.party for row in payments if row.party_type == "Customer" and row.party}:
		if not frappe.db.exists("GL Entry", {"party_type": "Customer", "party": customer}):
			frappe.db.delete("Dynamic Link", {"link_doctype": "Customer", "link_name": customer})
			frappe.db.delete("Version", {"ref_doctype": "Customer", "docname": customer})
			_delete("Customer", [customer])


def purge_guests(emails) -> None:
	"""Contacts and CRM records the effects made for these guests, with their timeline."""
	emails = [e for e in set(emails) if e]
	if not emails:
		return
	records = [
		("Contact", frappe.get_all("Contact Email", filters={"email_id": ("in", emails)}, pluck="parent"))
	]
	for doctype, field in (("CRM Lead", "email"), ("CRM Deal", "email"), ("Lead", "email_id")):
		if frappe.db.exists("DocType", doctype):
			records.append((doctype, frappe.get_all(doctype, filters={field: ("in", emails)}, pluck="name")))
	for doctype, names in records:
		if not names:
			continue
		frappe.db.delete("Comment", {"reference_doctype": doctype, "reference_name": ("in", names)})
		participants = frappe.get_all(
			"Event Participants",
			filters={"reference_doctype": doctype, "reference_docname": ("in", names)},
			pluck="parent",
		)
		_delete("Event", participants)
		for table, type_field, name_field in (
			("CRM Task", "reference_doctype", "reference_docname"),
			("FCRM Note", "reference_doctype", "reference_docname"),
			("CRM Notification", "reference_doctype", "reference_name"),
			("ToDo", "reference_type", "reference_name"),
		):
			if not frappe.db.exists("DocType", table):
				continue
			if table == "CRM Task":  # the tasks' own assignments and notifications first
				tasks = [
					str(t)
					for t in frappe.get_all(
						table, filters={type_field: doctype, name_field: ("in", names)}, pluck="name"
					)
				]
				# a task's to-do cancelled with it kept a Version of that change
				todos = frappe.get_all(
					"ToDo",
					filters={"reference_type": table, "reference_name": ("in", tasks or [""])},
					pluck="name",
				)
				frappe.db.delete("Version", {"ref_doctype": "ToDo", "docname": ("in", todos or [""])})
				frappe.db.delete("ToDo", {"name": ("in", todos or [""])})
				frappe.db.delete("CRM Notification", {"notification_type_doc": ("in", tasks or [""])})
				frappe.db.delete(
					"Comment", {"reference_doctype": table, "reference_name": ("in", tasks or [""])}
				)
				logs = frappe.get_all(
					"Notification Log",
					filters={"document_type": table, "document_name": ("in", tasks or [""])},
					pluck="name",
				)
				frappe.db.delete("Error Log", {"reference_name": ("in", logs or [""])})
				frappe.db.delete("Notification Log", {"name": ("in", logs or [""])})
			# with their Versions: a to-do or task cancelled with its meeting kept one
			rows = frappe.get_all(
				table, filters={type_field: doctype, name_field: ("in", names)}, pluck="name"
			)
			frappe.db.delete("Version", {"ref_doctype": table, "docname": ("in", rows or [""])})
			frappe.db.delete(table, {"name": ("in", rows or [""])})
		frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", names)})
		_delete(doctype, names)


def cleanup(users: list[str], delete_users: bool = False, force_users: bool = False) -> None:
	"""Remove every scheduler document of ``users`` and what their bookings made (committed);
	the users themselves too when this test run created them."""
	from scheduler_integration.tests.factory import run_background_jobs

	frappe.set_user("Administrator")
	frappe.db.rollback()
	run_background_jobs()  # effects still running would make records after the purge
	bookings = set(frappe.get_all("Scheduler Booking", filters={"host": ("in", users)}, pluck="name"))
	bookings |= set(
		frappe.get_all(
			"Scheduler Booking Host",
			filters={"parenttype": "Scheduler Booking", "user": ("in", users)},
			pluck="parent",
		)
	)
	types = frappe.get_all("Scheduler Meeting Type", filters={"user": ("in", users)}, pluck="name")
	bookings |= set(
		frappe.get_all("Scheduler Booking", filters={"meeting_type": ("in", types or [""])}, pluck="name")
	)
	purge_guests(purge_bookings(bookings))
	_delete("Event", frappe.get_all("Event", filters={"owner": ("in", users)}, pluck="name"))
	frappe.db.delete("Scheduler Engagement", {"host": ("in", users)})
	frappe.db.delete("Scheduler External Meeting", {"host": ("in", users)})
	frappe.db.delete("ToDo", {"allocated_to": ("in", users)})
	# the desk notifications they were sent (team invitations and their answers)
	frappe.db.delete("Notification Log", {"for_user": ("in", users)})
	frappe.db.delete(
		"ToDo", {"reference_type": "Scheduler Meeting Type", "reference_name": ("in", types or [""])}
	)
	for doctype, field in (
		("Scheduler Meeting Type", "user"),
		("Scheduler Booking Page", "user"),
		("Scheduler Blocked Time", "user"),
		("Scheduler Busy Time", "host"),
		("Scheduler Calendar Connection", "host"),
		("Scheduler Profile", "user"),
		("Scheduler Availability", "user"),
	):
		_delete(doctype, frappe.get_all(doctype, filters={field: ("in", users)}, pluck="name"))
	frappe.db.delete("Scheduler Meeting Type Host", {"user": ("in", users)})
	if delete_users:
		# users this run made, and any left by an earlier run that stopped half-way
		for user in [u for u in users if force_users or u in CREATED_USERS or u.startswith("sched-")]:
			# ERPNext gives every new user a Contact; it goes with the user
			_delete("Contact", frappe.get_all("Contact", filters={"user": user}, pluck="name"))
			_delete("Contact", frappe.get_all("Contact Email", filters={"email_id": user}, pluck="parent"))
			_delete("User", [user])
			CREATED_USERS.discard(user)
	frappe.db.commit()
	frappe.cache.delete_keys("scheduler_integration:")


def waiting_for_lock(*patterns: str, seconds: float = 30) -> bool:
	"""True once another connection of this site runs a query like one of ``patterns`` (it
	shows in the processlist of the site's database user): a locking read waiting."""
	deadline = time.monotonic() + seconds
	while time.monotonic() < deadline:
		waiting = frappe.db.sql(
			"select count(*) from information_schema.processlist where id != connection_id()"
			f" and ({' or '.join(['info like %s'] * len(patterns))})",
			patterns,
		)[0][0]
		if waiting:
			time.sleep(0.3)  # let it settle into the lock wait
			return True
		time.sleep(0.05)
	return False
