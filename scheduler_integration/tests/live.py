"""Real HTTP for the bench suite: a gunicorn serving this bench, and signed-in sessions.

Started once per test run on a free loopback port (so it never collides with a developer's
own server), with several workers so concurrent requests really run in parallel. Data a
test wants the server to see must be committed first; the server is a separate process.
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

PASSWORD = "Sched-Test-Pass-2026!"


class LiveServer:
	_instance: LiveServer | None = None

	def __init__(self, workers: int = 4):
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
		if user:
			response = session.post(
				f"{self.base}/api/method/login", json={"usr": user, "pwd": PASSWORD}, timeout=30
			)
			if response.status_code != 200:
				raise RuntimeError(f"login as {user} failed: {response.status_code} {response.text[:200]}")
		return session

	def get(self, path: str, **kwargs) -> requests.Response:
		return requests.get(f"{self.base}{path}", headers={"Host": self.site}, **kwargs)


def method_url(server: LiveServer, dotted: str) -> str:
	return f"{server.base}/api/method/{dotted}"


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
			}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.flags.ignore_permissions = True
	for role in ("Scheduler Host", "Scheduler Manager"):
		if role not in roles and role in [r.role for r in user.roles]:
			user.remove_roles(role)
	user.add_roles(*roles)
	update_password(email, PASSWORD)
	frappe.db.commit()
	return email


def cleanup(users: list[str]) -> None:
	"""Remove every scheduler document of ``users`` (committed), keep the users."""
	frappe.set_user("Administrator")
	for user in users:
		for doctype, field in (
			("Scheduler Booking", "host"),
			("Scheduler Meeting Type", "user"),
			("Scheduler Blocked Time", "user"),
		):
			for name in frappe.get_all(doctype, filters={field: user}, pluck="name"):
				frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
		for name in frappe.get_all("Scheduler Profile", filters={"user": user}, pluck="name"):
			frappe.delete_doc("Scheduler Profile", name, ignore_permissions=True, force=True)
		for name in frappe.get_all("Scheduler Availability", filters={"user": user}, pluck="name"):
			frappe.delete_doc("Scheduler Availability", name, ignore_permissions=True, force=True)
	frappe.db.commit()
