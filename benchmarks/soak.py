"""Soak benchmark (opt-in, not CI): mixed guest and host traffic at about half the measured
capacity for ``--minutes``, against the bench's own gunicorn, its RQ workers and scheduler.

    pip install locust          # any venv; --locust points at its executable
    ~/frappe-bench/env/bin/python benchmarks/soak.py --site test2.localhost \\
        --url http://127.0.0.1:8000 [--minutes 30] [--probe 60] [--locust /root/venvs/st/bin/locust]

The web server, two RQ workers and the scheduler must already run (as in production). The
script runs in the bench's Python (it needs Frappe for the data and keeps the SMTP sink);
Locust runs headless as a subprocess with this same file as its locustfile. It:

1. creates its own data (4 hosts open around the clock, a 15-minute meeting type each, an
   API key for host 0, a routing form, a Calendly signing key), points Scheduler Settings
   at a local SMTP sink (``tests.factory.Outbox``), turns off the bot check and raises the
   rate limits (127.0.0.1 sends everything);
2. probes capacity: ``--probe`` s of the mix with 32 users and no wait, requests/s overall;
3. soaks at ``--load`` (0.5) of it for ``--minutes``: slot reads, bookings, reschedules and
   cancellations through manage tokens, manage pages (page and ``get_booking``), routing
   submits, signed Calendly webhooks, a host's ``list_my_bookings`` (API token), and ping;
4. prints requests and errors by kind, p50/p95/p99 and their ratio to ping's in the same run,
   RSS of the gunicorn master+workers and the RQ workers at start and end (found however
   they were started: the processes listening on ``--url``'s port, RQ's registry of live
   workers; a part it cannot find or read is printed CANNOT MEASURE and the run exits 1,
   never a 0 MB figure), queue lengths when
   the load stops and the seconds until they and the site's booking effects drained, and
   that each booking answered 201 got exactly one confirmation at the sink;
5. removes what it made and restores the settings.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import itertools
import json
import os
import random
import time
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
PUBLIC = "/api/method/scheduler_integration.api.public."
HOSTS = 4
SLOT_MINUTES = 15
PER_DAY = 24 * 60 // SLOT_MINUTES
PREFIX = "soak-host-"
FORM = "soak-route"
TYPE = "soak"
SIGNING_KEY = "soak-calendly-signing-key"
ISO = "%Y-%m-%dT%H:%M:%SZ"

# --- the locustfile (imported by Locust in its own venv: no Frappe here) --------------------

if os.environ.get("SOAK_CONFIG"):
	from locust import HttpUser, constant, constant_throughput, events, task

	with open(os.environ["SOAK_CONFIG"]) as f:
		CONF = json.load(f)
	FIRST = datetime.strptime(CONF["first_day"], ISO).replace(tzinfo=UTC)
	SLOTS = {p: itertools.count() for p in CONF["profiles"]}
	WHICH_HOST = itertools.count()
	STABLE: list[str] = []  # tokens only read (manage pages)
	CHANGEABLE: collections.deque = collections.deque()  # (profile, token) to reschedule or cancel
	BOOKED: list[str] = []  # guest emails answered 201
	CHANGED: list[tuple[str, str]] = []  # (kind, guest email) answered 200
	EMAIL_OF: dict[str, str] = {}
	RUN = CONF["run"]

	def next_start(profile: str) -> str:
		k = next(SLOTS[profile])
		return (FIRST + timedelta(days=k // PER_DAY, minutes=(k % PER_DAY) * SLOT_MINUTES)).strftime(ISO)

	def token_of(response) -> str | None:
		data = response.json()
		data = data.get("message") if isinstance(data.get("message"), dict) else data
		url = (data.get("data") or {}).get("manage_url")
		return url.rsplit("/", 1)[1] if url else None

	def checked(response, status: int) -> bool:
		if response.status_code != status:
			response.failure(f"{response.status_code} {(response.text or '')[:160]}")
			return False
		response.success()
		return True

	@events.test_stop.add_listener
	def _save(**_kwargs):
		with open(CONF["out"], "w") as f:
			json.dump({"booked": BOOKED, "changed": CHANGED}, f)

	class Mixed(HttpUser):
		host = CONF["url"]
		wait_time = constant(0) if CONF["per_user_rps"] <= 0 else constant_throughput(CONF["per_user_rps"])

		def on_start(self):
			self.client.headers["Host"] = CONF["site"]

		@task(10)
		def slots(self):
			day = FIRST + timedelta(days=random.randrange(0, 28))
			params = {
				"profile": random.choice(CONF["profiles"]),
				"meeting_type": TYPE,
				"start": day.strftime("%Y-%m-%d"),
				"end": (day + timedelta(days=7)).strftime("%Y-%m-%d"),
				"timezone": "UTC",
			}
			with self.client.get(
				PUBLIC + "get_slots", params=params, name="get_slots 7 days", catch_response=True
			) as r:
				checked(r, 200)

		@task(3)
		def book(self):
			profiles = CONF["profiles"]
			profile = profiles[next(WHICH_HOST) % len(profiles)]
			email = f"soak-{RUN}-{len(BOOKED)}-{random.getrandbits(32):08x}@example.org"
			payload = {
				"profile": profile,
				"meeting_type": TYPE,
				"start": next_start(profile),
				"name": "Soak Guest",
				"email": email,
				"timezone": "UTC",
			}
			with self.client.post(PUBLIC + "book", json=payload, name="book", catch_response=True) as r:
				if checked(r, 201):
					BOOKED.append(email)
					token = token_of(r)
					EMAIL_OF[token] = email
					if len(BOOKED) % 2:
						STABLE.append(token)
					else:
						CHANGEABLE.append((profile, token))

		@task(1)
		def reschedule(self):
			if not CHANGEABLE:
				return
			profile, token = CHANGEABLE.popleft()
			payload = {"token": token, "start": next_start(profile), "timezone": "UTC"}
			with self.client.post(
				PUBLIC + "reschedule", json=payload, name="reschedule", catch_response=True
			) as r:
				if checked(r, 200):
					CHANGED.append(("reschedule", EMAIL_OF[token]))
					new = token_of(r) or token
					EMAIL_OF[new] = EMAIL_OF[token]
					CHANGEABLE.append((profile, new))

		@task(1)
		def cancel(self):
			if not CHANGEABLE:
				return
			_profile, token = CHANGEABLE.popleft()
			with self.client.post(
				PUBLIC + "cancel", json={"token": token, "reason": "Soak"}, name="cancel", catch_response=True
			) as r:
				if checked(r, 200):
					CHANGED.append(("cancel", EMAIL_OF[token]))

		@task(3)
		def manage(self):
			if not STABLE:
				return
			token = random.choice(STABLE)
			if random.random() < 0.5:
				with self.client.get(f"/book/manage/{token}", name="manage page", catch_response=True) as r:
					checked(r, 200)
			else:
				with self.client.get(
					PUBLIC + "get_booking", params={"token": token}, name="get_booking", catch_response=True
				) as r:
					checked(r, 200)

		@task(1)
		def routing(self):
			payload = {
				"form": CONF["form"],
				"answers": {"email": f"soak-prospect-{random.getrandbits(40):010x}@example.org", "name": "P"},
			}
			with self.client.post(
				"/api/method/scheduler_integration.api.routing.submit",
				json=payload,
				name="routing submit",
				catch_response=True,
			) as r:
				checked(r, 201)

		@task(1)
		def webhook(self):
			n = random.getrandbits(48)
			payload = {
				"event": "invitee.created",
				"created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
				"payload": {
					"uri": f"https://api.calendly.com/scheduled_events/S{n}/invitees/I{n}",
					"name": "Cal Guest",
					"email": "soak-calendly@example.org",
					"scheduled_event": {
						"uri": f"https://api.calendly.com/scheduled_events/S{n}",
						"event_type": "https://api.calendly.com/event_types/soak-unknown",
						"start_time": "2030-05-08T15:00:00.000000Z",
						"event_memberships": [{"user_email": CONF["host_user"]}],
					},
					"tracking": {},
				},
			}
			body = json.dumps(payload).encode()
			stamp = int(time.time())
			digest = hmac.new(SIGNING_KEY.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
			headers = {
				"Content-Type": "application/json",
				"Calendly-Webhook-Signature": f"t={stamp},v1={digest}",
			}
			with self.client.post(
				"/api/method/scheduler_integration.api.tracking.calendly_webhook",
				data=body,
				headers=headers,
				name="calendly webhook",
				catch_response=True,
			) as r:
				checked(r, 200)

		@task(2)
		def host_list(self):
			with self.client.get(
				"/api/method/scheduler_integration.api.booking.list_my_bookings",
				headers={"Authorization": f"token {CONF['api_token']}"},
				name="host list_my_bookings",
				catch_response=True,
			) as r:
				checked(r, 200)

		@task(1)
		def ping(self):
			with self.client.get("/api/method/ping", name="ping", catch_response=True) as r:
				checked(r, 200)


# --- the driver (the bench's Python) -----------------------------------------------------------


def make_data(frappe) -> dict:
	from scheduler_integration.tests.factory import make_host, make_type

	frappe.flags.in_import = True  # Frappe's cap on new users an hour
	profiles, users = [], []
	for index in range(HOSTS):
		user = f"{PREFIX}{index}@example.com"
		profile = make_host(user, f"{PREFIX}{index}", tz="UTC", start="00:00", end="24:00")
		make_type(profile, TYPE, SLOT_MINUTES, max_advance_days=365)
		profiles.append(frappe.db.get_value("Scheduler Profile", profile, "slug") or f"{PREFIX}{index}")
		users.append(user)
	frappe.flags.in_import = False
	user = frappe.get_doc("User", users[0])
	secret = frappe.generate_hash(length=15)
	user.api_key = user.api_key or frappe.generate_hash(length=15)
	user.api_secret = secret
	user.enabled = 1  # made during an import, the user may be disabled: token auth refuses it
	user.flags.ignore_permissions = True
	user.save()
	for stale in frappe.get_all("Scheduler Routing Form", {"slug": FORM}, pluck="name"):
		frappe.db.delete("Scheduler Routing Submission", {"form": stale})
		frappe.delete_doc("Scheduler Routing Form", stale, ignore_permissions=True, force=True)
	form = frappe.get_doc(
		{
			"doctype": "Scheduler Routing Form",
			"title": "Soak",
			"slug": FORM,
			"user": users[0],
			"questions": [
				{
					"question_key": "email",
					"label": "Email",
					"fieldtype": "Email",
					"required": 1,
					"maps_to": "Email",
				},
				{"question_key": "name", "label": "Name", "fieldtype": "Data", "maps_to": "Name"},
			],
			"fallback_outcome": "Message",
			"fallback_message": "Thanks.",
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	return {"profiles": profiles, "users": users, "api_token": f"{user.api_key}:{secret}", "form": form.name}


def remove_data(frappe, data: dict) -> None:
	from scheduler_integration.tests.live import cleanup

	frappe.db.rollback()
	if data.get("form"):
		frappe.db.delete("Scheduler Routing Submission", {"form": data["form"]})
		frappe.delete_doc("Scheduler Routing Form", data["form"], ignore_permissions=True, force=True)
		frappe.db.delete("Version", {"ref_doctype": "Scheduler Routing Form", "docname": data["form"]})
	frappe.db.commit()
	cleanup([f"{PREFIX}{i}@example.com" for i in range(HOSTS)], delete_users=True, force_users=True)


class CannotMeasure(Exception):
	"""A figure this run cannot take: it is reported so, never as 0 MB or +0.0 %."""


def _listening_inodes(port: int) -> set[str]:
	"""Socket inodes listening on ``port`` (IPv4 and IPv6)."""
	inodes = set()
	for table in ("/proc/net/tcp", "/proc/net/tcp6"):
		try:
			with open(table) as f:
				next(f)
				for line in f:
					cols = line.split()
					if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
						inodes.add(cols[9])
		except OSError:
			continue
	return inodes


def _holders(inodes: set[str]) -> set[int]:
	"""Processes holding one of these sockets open."""
	pids = set()
	for entry in os.listdir("/proc"):
		if not entry.isdigit():
			continue
		try:
			for fd in os.listdir(f"/proc/{entry}/fd"):
				target = os.readlink(f"/proc/{entry}/fd/{fd}")
				if target.startswith("socket:[") and target[8:-1] in inodes:
					pids.add(int(entry))
					break
		except OSError:
			continue
	return pids


def _parent(pid: int) -> int:
	try:
		with open(f"/proc/{pid}/stat") as f:
			return int(f.read().rsplit(")", 1)[1].split()[1])
	except (OSError, IndexError, ValueError):
		return 0


def web_pids(url: str) -> list[int]:
	"""The web server answering ``url``, however it was started (bench start, dev-bench, by
	hand): the processes listening on its port — gunicorn's master first, then its workers."""
	from urllib.parse import urlsplit

	port = urlsplit(url).port or 80
	holders = _holders(_listening_inodes(port))
	if not holders:
		raise CannotMeasure(f"no process of this machine listens on port {port}")
	masters = sorted(pid for pid in holders if _parent(pid) not in holders)
	return masters + sorted(holders - set(masters))


def worker_pids(frappe) -> list[int]:
	"""The bench's RQ workers' main processes, from RQ's own registry of live workers (a
	job's forked work-horse is left out)."""
	from frappe.utils.background_jobs import get_redis_conn
	from rq import Worker

	pids = sorted({worker.pid for worker in Worker.all(connection=get_redis_conn()) if worker.pid})
	alive = [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
	if not alive:
		raise CannotMeasure("RQ's registry names no live worker on this machine")
	return alive


def rss_kb(pid: int) -> int:
	try:
		with open(f"/proc/{pid}/status") as f:
			return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
	except (OSError, StopIteration):
		return 0


def children(pid: int) -> list[int]:
	try:
		with open(f"/proc/{pid}/task/{pid}/children") as f:
			return [int(p) for p in f.read().split()]
	except OSError:
		return []


def memory(frappe, url: str) -> dict:
	"""RSS in MB of the web server (gunicorn master + workers) and of each RQ worker's main
	process; a part that cannot be measured carries its reason instead of a figure."""
	out = {}
	for part, find in (("web", lambda: web_pids(url)), ("workers", lambda: worker_pids(frappe))):
		try:
			pids = find()
		except CannotMeasure as exc:
			out[part] = {"error": str(exc)}
			continue
		sizes = [rss_kb(pid) for pid in pids]
		if not all(sizes):
			out[part] = {"error": f"cannot read the memory of {pids}"}
			continue
		out[part] = {"pids": pids, "mb": sum(sizes) / 1024}
	return out


def queue_lengths(frappe) -> dict:
	"""Jobs waiting in each of the bench's RQ queues (shared by every site)."""
	from frappe.utils.background_jobs import get_queues

	return {queue.name: queue.count for queue in get_queues()}


def site_pending(frappe) -> int:
	from scheduler_integration.tests.factory import runnable_effects

	frappe.db.rollback()
	mails = frappe.db.count(
		"Email Queue", {"status": ("in", ["Not Sent", "Sending"]), "sender": ("like", "%outbox@%")}
	)
	return runnable_effects() + mails


def run_locust(args, conf: dict, users: int, seconds: int, csv: str, sample=None) -> dict:
	"""Run Locust headless; ``sample`` (if given) is called about once a minute while it runs,
	its answers returned as ``samples`` [(seconds since the start, answer)]."""
	import csv as csvlib
	import subprocess
	import tempfile

	with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
		json.dump(conf, f)
	env = {**os.environ, "SOAK_CONFIG": f.name}
	began = time.time()
	process = subprocess.Popen(
		[
			args.locust,
			"-f",
			os.path.abspath(__file__),
			"--headless",
			"-u",
			str(users),
			"-r",
			str(max(1, users // 4)),
			"-t",
			f"{seconds}s",
			"--csv",
			csv,
			"--only-summary",
			"--stop-timeout",
			"30",
		],
		env=env,
		stdout=subprocess.DEVNULL,
		stderr=open(csv + ".log", "w"),
	)
	samples = []
	next_sample = began + 60
	while process.poll() is None:
		if time.time() - began > seconds + 300:
			process.kill()
			break
		if sample and time.time() >= next_sample:
			samples.append((round(time.time() - began), sample()))
			next_sample += 60
		time.sleep(1)
	os.unlink(f.name)
	rows = {}
	with open(csv + "_stats.csv") as f:
		for row in csvlib.DictReader(f):
			rows[row["Name"]] = row
	failures = []
	if os.path.exists(csv + "_failures.csv"):
		with open(csv + "_failures.csv") as f:
			failures = list(csvlib.DictReader(f))
	return {"rows": rows, "failures": failures, "samples": samples}


def slope_per_minute(samples: list[tuple[int, int]]) -> float:
	"""Least-squares growth of a sampled count, per minute (0 with fewer than 2 samples)."""
	if len(samples) < 2:
		return 0.0
	xs = [t / 60 for t, _ in samples]
	ys = [n for _, n in samples]
	mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
	var = sum((x - mx) ** 2 for x in xs)
	return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def guest_mails(messages: list[str]) -> collections.Counter:
	"""(guest address, subject word) -> messages at the sink."""
	from email import message_from_string
	from email.header import decode_header, make_header

	counts = collections.Counter()
	for raw in messages:
		msg = message_from_string(raw)
		subject = str(make_header(decode_header(msg.get("Subject", ""))))
		for address in (msg.get("To") or "").split(","):
			address = address.strip().strip("<>").lower()
			if "<" in address:
				address = address.rsplit("<", 1)[1].strip(">")
			counts[(address, subject.split(":", 1)[0])] += 1
	return counts


def main() -> int:
	import argparse
	import sys
	from pathlib import Path

	sys.path.insert(0, str(Path(__file__).resolve().parent))
	sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
	from bench_http import connect

	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default="test2.localhost")
	parser.add_argument("--url", default="http://127.0.0.1:8000")
	parser.add_argument("--bench", default=os.path.expanduser("~/frappe-bench"))
	parser.add_argument("--minutes", type=float, default=30)
	parser.add_argument("--probe", type=int, default=60)
	parser.add_argument("--load", type=float, default=0.5)
	parser.add_argument("--users", type=int, default=32)
	parser.add_argument("--locust", default="/root/venvs/st/bin/locust")
	args = parser.parse_args()
	sys.stdout.reconfigure(line_buffering=True)  # figures show as they come when redirected
	sites = os.path.join(args.bench, "sites")
	frappe = connect(args.site, sites)
	from scheduler_integration.tests.factory import Outbox, set_settings

	run = f"{int(time.time()) % 100000}"
	out_dir = f"/tmp/soak-{run}"
	os.makedirs(out_dir, exist_ok=True)
	saved = set_settings(
		public_rate_limit=1_000_000,
		booking_rate_limit=0,
		webhook_rate_limit=1_000_000,
		bookings_per_host_per_hour=0,
		bookings_per_type_per_day=0,
		booking_challenge_bits=0,
	)
	from frappe.utils.password import get_decrypted_password

	key_before = get_decrypted_password(
		"Scheduler Settings", "Scheduler Settings", "calendly_signing_key", raise_exception=False
	)
	settings = frappe.get_single("Scheduler Settings")
	settings.calendly_signing_key = SIGNING_KEY
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	frappe.clear_document_cache("Scheduler Settings", "Scheduler Settings")
	outbox = Outbox()
	data: dict = {}
	results: dict = {"run": run}
	unmeasured: list[str] = []  # figures this run could not take: it fails
	try:
		data = make_data(frappe)
		today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
		conf = {
			"url": args.url,
			"site": args.site,
			"profiles": data["profiles"],
			"form": FORM,
			"api_token": data["api_token"],
			"host_user": data["users"][0],
			"run": run,
		}
		import requests

		for url in ("/api/method/ping", f"/book/{data['profiles'][0]}/{TYPE}"):
			requests.get(args.url + url, headers={"Host": args.site}, timeout=60)
		mine = requests.get(
			args.url + "/api/method/scheduler_integration.api.booking.list_my_bookings",
			headers={"Host": args.site, "Authorization": f"token {data['api_token']}"},
			timeout=60,
		)
		if mine.status_code != 200:
			raise RuntimeError(f"the host's API token: {mine.status_code} {mine.text[:200]}")
		# 1. capacity: the mix with no wait, bookings far ahead (day 250 on)
		probe = run_locust(
			args,
			{
				**conf,
				"first_day": (today + timedelta(days=250)).strftime(ISO),
				"per_user_rps": 0,
				"out": f"{out_dir}/probe.json",
			},
			args.users,
			args.probe,
			f"{out_dir}/probe",
		)
		capacity = float(probe["rows"]["Aggregated"]["Requests/s"])
		probe_failures = int(probe["rows"]["Aggregated"]["Failure Count"])
		results["capacity_rps"] = capacity
		print(
			f"capacity probe: {capacity:.1f} req/s for the mix ({args.users} users, no wait, {args.probe} s; failures {probe_failures})"
		)
		for row in probe["failures"][:5]:
			print(
				f"  probe failure: {row['Method']} {row['Name']} x{row['Occurrences']}: {row['Error'][:200]}"
			)
		# let the probe's effects finish before the start figures
		began = time.time()
		while time.time() - began < 120 and site_pending(frappe):
			time.sleep(2)
		print(f"probe backlog drained in {time.time() - began:.0f} s")
		start_mem = memory(frappe, args.url)
		target = capacity * args.load
		print(
			f"soak: {target:.1f} req/s target ({args.load:.0%}) for {args.minutes:g} min, {args.users} users"
		)
		seconds = int(args.minutes * 60)
		soak = run_locust(
			args,
			{
				**conf,
				"first_day": (today + timedelta(days=3)).strftime(ISO),
				"per_user_rps": target / args.users,
				"out": f"{out_dir}/soak.json",
			},
			args.users,
			seconds,
			f"{out_dir}/soak",
			sample=lambda: site_pending(frappe),
		)
		stopped = time.time()
		queues_at_stop = queue_lengths(frappe)
		pending_at_stop = site_pending(frappe)
		site_done = queues_done = None  # seconds after the stop: this site's work / the bench's queues
		while time.time() - stopped < 600 and (site_done is None or queues_done is None):
			if site_done is None and not site_pending(frappe):
				site_done = round(time.time() - stopped, 1)
			if queues_done is None and not sum(queue_lengths(frappe).values()):
				queues_done = round(time.time() - stopped, 1)
			time.sleep(0.5)
		drained = max(600 if x is None else x for x in (site_done, queues_done))
		end_mem = memory(frappe, args.url)
		# emails: every booking answered 201 (probe and soak) once confirmed at the sink
		booked, changed = [], []
		for name in ("probe", "soak"):
			with open(f"{out_dir}/{name}.json") as f:
				got = json.load(f)
			booked += got["booked"]
			changed += got["changed"]
		# every guest ends with exactly the news of their booking's last state: a change made
		# before the previous one's email went out overtakes it (``news_is_stale``), so a
		# booking rescheduled at once may get "Rescheduled" without "Confirmed" first
		moves = collections.Counter(e.lower() for kind, e in changed if kind == "reschedule")
		cancelled = {e.lower() for kind, e in changed if kind == "cancel"}
		guests = sorted({e.lower() for e in booked})

		def settled(counts) -> bool:
			return all(
				counts[(e, "Cancelled")]
				if e in cancelled
				else counts[(e, "Confirmed")] or counts[(e, "Rescheduled")]
				for e in guests
			)

		wait_until = time.time() + 300
		while time.time() < wait_until and not settled(guest_mails(list(outbox.messages))):
			time.sleep(2)
		counts = guest_mails(list(outbox.messages))
		wrong, overtaken = [], 0
		for e in guests:
			confirmed, moved, gone = (counts[(e, w)] for w in ("Confirmed", "Rescheduled", "Cancelled"))
			if e in cancelled:
				ok = gone == 1 and confirmed <= 1 and moved <= moves[e]
			else:
				ok = gone == 0 and confirmed <= 1 and moved <= moves[e] and confirmed + moved >= 1
			overtaken += ok and not confirmed
			if not ok:
				wrong.append((e, confirmed, moved, gone, moves[e], e in cancelled))
		# what Frappe's Email Queue marked Sent to these guests == what the sink received
		frappe.db.rollback()
		queue_sent = frappe.db.sql(
			"""select count(*) from `tabEmail Queue Recipient` r join `tabEmail Queue` q on q.name = r.parent
			where r.recipient like %s and r.status = 'Sent' and q.sender like %s""",
			(f"soak-{run}-%", f"%{Outbox.ADDRESS}%"),
		)[0][0]
		sink_got = sum(n for (address, _word), n in counts.items() if address.startswith(f"soak-{run}-"))
		# report
		rows = soak["rows"]
		ping = rows.get("ping", {})
		p = lambda row, q: float(row.get(q) or 0)  # noqa: E731
		print(
			f"\n{'kind':24} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'p95 x ping':>10} {'p99 x ping':>10}"
		)
		results["kinds"] = {}
		for name, row in rows.items():
			r95 = p(row, "95%") / p(ping, "95%") if p(ping, "95%") else 0
			r99 = p(row, "99%") / p(ping, "99%") if p(ping, "99%") else 0
			results["kinds"][name] = {
				"requests": int(row["Request Count"]),
				"errors": int(row["Failure Count"]),
				"rps": float(row["Requests/s"]),
				"p50": p(row, "50%"),
				"p95": p(row, "95%"),
				"p99": p(row, "99%"),
			}
			print(
				f"{name:24} {int(row['Request Count']):9d} {int(row['Failure Count']):7d} {float(row['Requests/s']):7.1f} {p(row, '50%'):7.0f} {p(row, '95%'):7.0f} {p(row, '99%'):7.0f} {r95:10.1f} {r99:10.1f}"
			)
		for row in soak["failures"][:10]:
			print(f"  failure: {row['Method']} {row['Name']} x{row['Occurrences']}: {row['Error'][:200]}")
		for part in ("web", "workers"):
			a, b = start_mem[part], end_mem[part]
			if "mb" not in a or "mb" not in b:
				# no figure is better than a false one: the run fails below
				reason = a.get("error") or b.get("error")
				print(f"RSS {part}: CANNOT MEASURE ({reason})")
				unmeasured.append(part)
				continue
			growth = (b["mb"] / a["mb"] - 1) * 100
			same = "same pids" if a["pids"] == b["pids"] else f"pids {a['pids']} -> {b['pids']}"
			print(f"RSS {part}: {a['mb']:.0f} MB -> {b['mb']:.0f} MB ({growth:+.1f} %, {same})")
			results[f"rss_{part}"] = [a["mb"], b["mb"], growth]
		print(
			f"queues when the load stopped: {queues_at_stop} (this site's effects and emails pending: {pending_at_stop}); queues empty {queues_done if queues_done is not None else '>600':} s after, this site's effects and emails done {site_done if site_done is not None else '>600'} s after"
		)
		due = soak["samples"]
		# the first minutes fill the pipeline; growth is judged over the rest of the run
		later = [(t, n) for t, n in due if t >= 300] or due
		growth = slope_per_minute(later)
		print(
			f"this site's due effect rows and unsent mails, once a minute during the load: {[n for _, n in due]}"
		)
		print(
			f"  growth from minute 5 on: {growth:+.1f} a minute (least squares) -> "
			+ ("the workers keep up" if growth <= 1 else "the workers fall behind the load")
		)
		results.update(due_samples=due, due_growth_per_minute=round(growth, 2))
		print(
			f"emails: {len(guests)} bookings answered 201 (probe and soak), {len(cancelled)} of them cancelled later, {sum(moves.values())} reschedules;"
			f" each guest's news right and none twice: {len(guests) - len(wrong)} (of them {overtaken} told of a reschedule or cancellation that overtook the confirmation), wrong: {len(wrong)} {wrong[:3]}"
		)
		print(
			f"        Email Queue sent {queue_sent} mails to these guests, the SMTP sink received {sink_got}"
		)
		frappe.db.rollback()
		errors = frappe.get_all(
			"Scheduler Booking Effect", filters={"last_error": ("is", "set")}, pluck="last_error"
		)
		print(f"booking effect rows retried after an error: {len(errors)} {errors[:1]}")
		results.update(
			queues_at_stop=queues_at_stop,
			drained_s=drained,
			bookings=len(guests),
			emails_wrong=len(wrong),
			queue_sent=queue_sent,
			sink_received=sink_got,
			effect_errors=len(errors),
		)
		print("\n" + json.dumps(results, default=str))
	finally:
		try:
			remove_data(frappe, data)
		finally:
			outbox.close()
			set_settings(**saved)
			settings = frappe.get_single("Scheduler Settings")
			settings.calendly_signing_key = key_before
			settings.save(ignore_permissions=True)
			frappe.db.commit()
			frappe.clear_document_cache("Scheduler Settings", "Scheduler Settings")
		frappe.destroy()
	if unmeasured:
		print(f"FAILED: no figure for {', '.join(unmeasured)} (see above)")
		return 1
	return 0


if __name__ == "__main__" and not os.environ.get("SOAK_CONFIG"):
	raise SystemExit(main())
