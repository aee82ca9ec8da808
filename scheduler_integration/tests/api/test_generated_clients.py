"""Clients generated from the app's OpenAPI document work (issue 51, item 3).

The document is fetched from the site as it serves it; from it, once per class:

* a Python client (``openapi-python-client``, from the API check's virtualenv), which must
  generate without a single warning (a warning means a piece of the API left out: a model
  dropped, an endpoint not generated, an answer never parsed) and import whole;
* a TypeScript client (``openapi-typescript``'s types and ``openapi-fetch``, from
  ``<bench>/.scheduler-api-ts``, both installed by ``.ci/bench-suite``), which must generate
  without a warning and compile with ``tsc --strict`` together with the journeys.

Then each client runs two journeys against the site over real HTTP, using only its generated
code (``tests/clients/``): a guest's — the booking page, a week of slots, book, read the
booking by its manage token, reschedule, another guest refused the taken time (409
``SLOT_UNAVAILABLE`` with ``alternatives``), cancel — and a host's with an API token — list
my bookings, confirm a pending one, and a guest at that host method refused (401). The
journeys print what they read; this test holds it against the site's records.

Both journeys read each answer by the generated types only (the attrs models' attributes, the
TypeScript schema's properties, checked by ``tsc --strict``; the manage token is the
booking's ``manage_token``), so a field renamed or dropped in the document fails them.

It runs on every site (``@every_site``): the journeys book and confirm through a site with
ERPNext, Frappe CRM and payments too, where the booking lands on their records and the
answers carry what those apps add, and the clients must read them there as well.

The generated code lives in a temporary folder and is never kept. The site's proof of work
is off for the class (``SchedulerTestCase``), its rate limits raised (``NO_RATE_LIMITS``),
both handed back after; the host, its token, the bookings, the guests' records, emails and
logs are removed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import frappe

from scheduler_integration.core.clock import to_utc
from scheduler_integration.tests.api.test_api_fuzz import SWEPT, served_document
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	book,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, cleanup, purge_guests
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-gen-client@example.com"
SLUG = "gen-client-host"
CALL = "client-call"
JOURNEYS = Path(__file__).resolve().parents[1] / "clients"  # beside the areas, in tests/
CLIENTS = ("python", "typescript")
GUESTS = {client: f"gen-client-{client}@example.org" for client in CLIENTS}
SECOND_GUESTS = {client: f"gen-client-{client}-2@example.org" for client in CLIENTS}
PENDING_GUESTS = {client: f"gen-client-pending-{client}@example.org" for client in CLIENTS}
TIMEOUT = 300


def python_tools() -> Path | None:
	"""The API check's virtualenv, when it has openapi-python-client."""
	named = os.environ.get("SCHEDULER_API_CHECK_VENV")
	places = [Path(named)] if named else []
	places.append(Path(frappe.utils.get_bench_path()) / ".scheduler-api-check")
	return next((p for p in places if (p / "bin" / "openapi-python-client").exists()), None)


def typescript_tools() -> Path | None:
	"""The node_modules with openapi-typescript, openapi-fetch, typescript and Node's types, when
	Node.js is here."""
	named = os.environ.get("SCHEDULER_API_TS_NODE_MODULES")
	modules = (
		Path(named) if named else Path(frappe.utils.get_bench_path()) / ".scheduler-api-ts" / "node_modules"
	)
	needed = (
		modules / ".bin" / "openapi-typescript",
		modules / ".bin" / "tsc",
		modules / "openapi-fetch",
		modules / "@types" / "node",
	)
	return modules if shutil.which("node") and all(p.exists() for p in needed) else None


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
	return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)


def generator_warnings(output: str, *, quiet_lines: tuple[str, ...]) -> list[str]:
	"""Every line a generator printed besides its own banner (``quiet_lines``: how those start)."""
	return [line for line in output.splitlines() if line.strip() and not line.startswith(quiet_lines)]


@every_site
class TestGeneratedClients(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.folder = Path(tempfile.mkdtemp(prefix="scheduler-clients-"))
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.profile = make_host(HOST, SLUG, tz="UTC", start="09:00", end="17:00")
		call = make_type(cls.profile, CALL, 30)
		frappe.set_user("Administrator")
		user = frappe.get_doc("User", HOST)
		user.api_key = frappe.generate_hash(length=15)
		secret = frappe.generate_hash(length=15)
		user.api_secret = secret
		user.save(ignore_permissions=True)
		frappe.db.commit()
		cls.api_token = f"{user.api_key}:{secret}"
		# the host journeys' bookings awaiting the host (one per client), made as the desk makes them
		cls.pending = {
			client: book(
				call,
				future_day(6) + timedelta(hours=10 + index),
				{"guest_name": "Pending Guest", "guest_email": PENDING_GUESTS[client]},
				status="Pending",
			).name
			for index, client in enumerate(CLIENTS)
		}
		cls.server = LiveServer.get_instance()
		cls.document = served_document(cls.server)
		(cls.folder / "openapi.json").write_text(json.dumps(cls.document))
		# both at once (each is mostly one process of its own)
		venv, modules = python_tools(), typescript_tools()
		with ThreadPoolExecutor(max_workers=1) as pool:
			python = pool.submit(cls._generate_python, venv)
			cls.typescript = cls._generate_typescript(modules)
			cls.python = python.result()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**cls._saved)
		clear_bookings([HOST])
		purge_guests([*GUESTS.values(), *SECOND_GUESTS.values(), *PENDING_GUESTS.values()])
		cleanup([HOST], delete_users=True)
		for doctype in SWEPT:
			if frappe.db.exists("DocType", doctype):
				frappe.db.delete(doctype, {"creation": (">=", cls._started)})
		mails = frappe.get_all("Email Queue", filters={"creation": (">=", cls._started)}, pluck="name")
		frappe.db.delete("Email Queue Recipient", {"parent": ("in", mails or [""])})
		frappe.db.delete("Email Queue", {"name": ("in", mails or [""])})
		frappe.db.commit()
		shutil.rmtree(cls.folder, ignore_errors=True)
		super().tearDownClass()

	# generation (once per class) -----------------------------------------------------
	@classmethod
	def _generate_python(cls, venv: Path | None) -> dict:
		if venv is None:
			return {
				"missing": "openapi-python-client is not installed: .ci/bench-suite builds <bench>/.scheduler-api-check"
			}
		out = cls.folder / "python"
		out.mkdir()
		# the generator runs ruff (a dependency of its own) over what it wrote: from its venv
		env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
		done = _run(
			[
				str(venv / "bin" / "openapi-python-client"),
				"generate",
				"--path",
				str(cls.folder / "openapi.json"),
				"--output-path",
				str(out / "scheduler_client"),
				"--meta",
				"none",
			],
			env=env,
		)
		output = done.stdout + done.stderr
		return {
			"python": str(venv / "bin" / "python"),
			"path": str(out),
			"exit": done.returncode,
			"output": output,
			"warnings": generator_warnings(output, quiet_lines=("Generating ",)),
		}

	@classmethod
	def _generate_typescript(cls, modules: Path | None) -> dict:
		if modules is None:
			return {
				"missing": "Node.js, or openapi-typescript / openapi-fetch / typescript (.ci/bench-suite installs them into <bench>/.scheduler-api-ts)"
			}
		out = cls.folder / "typescript"
		out.mkdir()
		(out / "node_modules").symlink_to(modules, target_is_directory=True)
		(out / "package.json").write_text(json.dumps({"type": "module", "private": True}))
		shutil.copy(JOURNEYS / "ts_journeys.ts", out / "ts_journeys.ts")
		done = _run(
			[
				str(modules / ".bin" / "openapi-typescript"),
				str(cls.folder / "openapi.json"),
				"--output",
				str(out / "schema.ts"),
			],
			cwd=out,
			env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"},
		)
		output = done.stdout + done.stderr
		answer = {
			"path": str(out),
			"exit": done.returncode,
			"output": output,
			# its banner and the line naming what it wrote; anything else is a warning
			"warnings": generator_warnings(output, quiet_lines=("✨ openapi-typescript", "🚀 ")),
		}
		if done.returncode == 0:
			compiled = _run(
				[
					str(modules / ".bin" / "tsc"),
					"--strict",
					"--noEmitOnError",
					# the tools' own declarations (Node's, openapi-fetch's) unchecked: a third of
					# the time; the generated schema.ts and the journeys are checked whole
					"--skipLibCheck",
					"--target",
					"es2022",
					"--module",
					"nodenext",
					"--moduleResolution",
					"nodenext",
					"--types",
					"node",
					"--outDir",
					str(out / "built"),
					str(out / "ts_journeys.ts"),
					str(out / "schema.ts"),
				],
				cwd=out,
			)
			answer["tsc"] = {"exit": compiled.returncode, "output": compiled.stdout + compiled.stderr}
		return answer

	def need(self, generated: dict) -> dict:
		if "missing" in generated:
			if os.environ.get("CI"):
				self.fail(generated["missing"])
			self.skipTest(generated["missing"])
		return generated

	# the journeys ----------------------------------------------------------------------
	def config(self, client: str, week_days: int) -> dict:
		return {
			"base": self.server.base,
			"site": self.server.site,
			"profile": SLUG,
			"meeting_type": CALL,
			"week": future_day(week_days).date().isoformat(),
			"guest_name": f"Gen {client.title()} Guest",
			"guest_email": GUESTS[client],
			"second_email": SECOND_GUESTS[client],
			"api_token": self.api_token,
			"booking": self.pending[client],
		}

	def journey(self, client: str, journey: str, config: dict) -> dict:
		if client == "python":
			generated = self.need(self.python)
			self.assertEqual(generated["exit"], 0, generated["output"])
			command = [generated["python"], str(JOURNEYS / "python_journeys.py"), journey, json.dumps(config)]
			env = {**os.environ, "PYTHONPATH": generated["path"]}
			done = _run(command, env=env, cwd=generated["path"])
		else:
			generated = self.need(self.typescript)
			self.assertEqual(
				generated.get("tsc", {}).get("exit"), 0, generated.get("tsc") or generated["output"]
			)
			built = Path(generated["path"]) / "built" / "ts_journeys.js"
			done = _run(["node", str(built), journey, json.dumps(config)], cwd=generated["path"])
		self.assertEqual(
			done.returncode, 0, f"{client} {journey} journey:\n{done.stdout}\n{done.stderr[-4000:]}"
		)
		seen = json.loads(done.stdout.strip().splitlines()[-1])
		print(f"\n{client} {journey} journey read: {json.dumps(seen)}")
		return seen

	def stored(self, booking: str) -> dict:
		frappe.db.rollback()  # what the server committed since
		row = frappe.db.get_value(
			"Scheduler Booking", booking, ["host", "status", "start", "guest_email"], as_dict=True
		)
		return {**row, "start": iso(to_utc(row.start))}

	def check_guest_journey(self, client: str, seen: dict) -> None:
		self.assertIn(CALL, seen["page_types"])
		self.assertGreater(seen["slots"], 3)
		booked = seen["booked"]
		self.assertEqual((booked["start"], booked["status"]), (booked["asked"], "Confirmed"), seen)
		self.assertEqual(seen["read"], {"start": booked["asked"], "status": "Confirmed"}, seen)
		self.assertEqual(seen["moved"]["start"], seen["moved"]["asked"], seen)
		self.assertNotEqual(seen["moved"]["asked"], booked["asked"])
		taken = seen["taken"]
		self.assertEqual(taken["code"], "SLOT_UNAVAILABLE", seen)
		self.assertTrue(taken["alternatives"], seen)
		self.assertNotIn(seen["moved"]["asked"], taken["alternatives"], seen)
		self.assertEqual(seen["cancelled"], {"status": "Cancelled"}, seen)
		stored = self.stored(booked["id"])
		self.assertEqual(
			stored,
			{
				"host": HOST,
				"status": "Cancelled",
				"start": seen["moved"]["asked"],
				"guest_email": GUESTS[client],
			},
		)
		self.assertFalse(frappe.db.exists("Scheduler Booking", {"guest_email": SECOND_GUESTS[client]}))

	def check_host_journey(self, client: str, seen: dict) -> None:
		booking = self.pending[client]
		self.assertEqual(seen["listed"].get(booking), "Pending", seen)
		self.assertEqual(seen["confirmed"], {"id": booking, "status": "Confirmed"}, seen)
		self.assertIn(booking, seen["listed_confirmed"], seen)
		self.assertEqual(seen["guest"], {"code": "NOT_SIGNED_IN"}, seen)
		self.assertEqual(self.stored(booking)["status"], "Confirmed")

	# the tests -------------------------------------------------------------------------
	def test_python_client_generates_without_a_warning_and_imports_whole(self):
		generated = self.need(self.python)
		self.assertEqual(generated["exit"], 0, generated["output"])
		self.assertEqual(generated["warnings"], [], generated["output"])
		# every module of it, so that a model it dropped fails here, not in a caller's import
		done = _run(
			[
				generated["python"],
				"-c",
				"import importlib, pkgutil, scheduler_client as c\n"
				"names = [m.name for m in pkgutil.walk_packages(c.__path__, 'scheduler_client.')]\n"
				"[importlib.import_module(n) for n in names]\n"
				"print(len(names))",
			],
			env={**os.environ, "PYTHONPATH": generated["path"]},
		)
		self.assertEqual(done.returncode, 0, done.stderr[-4000:])
		operations = sum(len(item) for item in self.document["paths"].values())
		endpoints = list((Path(generated["path"]) / "scheduler_client" / "api").glob("*/*.py"))
		self.assertEqual(len([p for p in endpoints if p.name != "__init__.py"]), operations)

	def test_typescript_client_generates_without_a_warning_and_compiles_strict(self):
		generated = self.need(self.typescript)
		self.assertEqual(generated["exit"], 0, generated["output"])
		self.assertEqual(generated["warnings"], [], generated["output"])
		self.assertEqual(generated["tsc"]["exit"], 0, generated["tsc"]["output"])

	def test_python_guest_journey(self):
		self.check_guest_journey("python", self.journey("python", "guest", self.config("python", 14)))

	def test_typescript_guest_journey(self):
		self.check_guest_journey(
			"typescript", self.journey("typescript", "guest", self.config("typescript", 21))
		)

	def test_python_host_journey(self):
		self.check_host_journey("python", self.journey("python", "host", self.config("python", 14)))

	def test_typescript_host_journey(self):
		self.check_host_journey(
			"typescript", self.journey("typescript", "host", self.config("typescript", 21))
		)
