"""HTTP benchmark against a running bench: slot reads, bookings, effects and email latency,
each printed with its ratio to `/api/method/ping` measured in the same run.

    ~/frappe-bench/env/bin/python benchmarks/bench_http.py --site test.localhost \\
        --url http://127.0.0.1:8000 [--duration 10] [--connections 16] [--workers 2]

The web server (e.g. gunicorn with 4 workers) must already serve the site at ``--url``;
run it from the bench with the scheduler *off* for the site. The script:

1. creates its own data on the site (fixed seed): one host with weekday hours, and a team
   of 50 hosts in six zones with 500 external busy intervals each (25,000 in all) and a
   round-robin meeting type over them; a local SMTP sink and a non-default outgoing Email
   Account that Scheduler Settings send booking emails from;
2. measures with ``wrk`` (Debian package) at ``--connections`` connections: ping, then
   ``get_slots`` for one host over 1 and 30 days and for the 50-host team over 30 days —
   p50 and p90, and p90 / ping p90;
3. books distinct slots with ``wrk`` (16 connections, ``--duration`` seconds) and reports
   committed bookings/s (and checks that no host is double-booked);
4. times the after-commit effects of one booking in this process (worker time, all
   effects, no remote provider), median of several bookings;
5. starts ``--workers`` RQ workers, lets them finish the effects of the bookings above,
   then books 100 times in a burst and reports when each confirmation reached the SMTP
   sink, after its booking: p50, p95 and max; then half of those guests reschedule and
   the other half cancel through their manage links, each in a burst, and the same is
   reported for the guests' reschedule and cancel emails;
6. removes everything it created and restores the settings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UTC = timezone.utc
ZONES = (
	"America/New_York",
	"Europe/London",
	"Europe/Amsterdam",
	"Asia/Kolkata",
	"Australia/Sydney",
	"Asia/Tokyo",
)
TEAM = 50
BUSY_PER_HOST = 500
SOLO = "bench-solo@example.com"
PREFIX = "bench-team-"
PUBLIC = "/api/method/scheduler_integration.api.public."


# Scheduler Settings for a load from 127.0.0.1: no rate limits or caps, and no bot check (its
# proof of work is the guest's browser's); set_settings gives back what they were
OPEN_LIMITS = {
	"public_rate_limit": 1_000_000,
	"booking_rate_limit": 0,
	"bookings_per_host_per_hour": 0,
	"bookings_per_type_per_day": 0,
	"booking_challenge_bits": 0,
}


def connect(site: str, sites_path: str):
	import frappe

	os.chdir(sites_path)  # Frappe opens its logs relative to the sites folder
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	return frappe


# --- data ---------------------------------------------------------------------------------------


def team_users() -> list[str]:
	return [f"{PREFIX}{index:02d}@example.com" for index in range(TEAM)]


def make_data(frappe, days_ahead: int, ics_url=None) -> dict:
	"""The hosts, types and busy time; ``ics_url(user)``: where each host's calendar is
	read fresh when a booking is checked (default: an address that never answers, so the
	booking falls back to the synced rows after the fresh read's deadline)."""
	from scheduler_integration.tests.factory import make_host, make_type

	# 51 host users at once, as a data import would make them: Frappe refuses more than 60
	# new users an hour outside imports, and a second run (or a test run) within the hour hit it
	frappe.flags.in_import = True
	rng = random.Random(42)
	solo_profile = make_host(
		SOLO,
		"bench-solo",
		tz="UTC",
		start="09:00",
		end="17:00",
		days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
	)
	make_type(solo_profile, "call", 30, max_advance_days=365)
	hosts = []
	for index, user in enumerate(team_users()):
		make_host(
			user,
			f"bench-team-{index:02d}",
			tz=ZONES[index % len(ZONES)],
			start="09:00",
			end="17:00",
			days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
		)
		hosts.append(user)
	team_type = make_type(
		frappe.db.get_value("Scheduler Profile", {"user": hosts[0]}, "name"),
		"team",
		30,
		assignment="Round Robin",
		max_advance_days=365,
		hosts=[{"user": user, "weight": rng.choice((50, 100, 200))} for user in hosts],
	)
	start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days_ahead)
	busy = add_busy(frappe, hosts, start, rng, ics_url)
	frappe.flags.in_import = False
	return {"hosts": hosts, "team_type": team_type, "start": start, "busy": busy}


def add_busy(frappe, hosts: list[str], start: datetime, rng: random.Random, ics_url=None) -> dict:
	"""An enabled ICS connection per host with BUSY_PER_HOST external busy intervals of 15 to 90
	minutes in the 30 days from ``start`` (bulk-inserted, then the hosts' busy caches dropped);
	returns {host: [(start, end)]}."""
	from scheduler_integration.booking import busy
	from scheduler_integration.core.clock import to_system

	span, rows, intervals = 30 * 24 * 60, [], {}
	for user in hosts:
		connection = frappe.get_doc(
			{
				"doctype": "Scheduler Calendar Connection",
				"host": user,
				"provider": "ICS",
				"ics_url": ics_url(user) if ics_url else "https://calendar.invalid/bench.ics",
				"enabled": 1,
			}
		)
		connection.flags.ignore_permissions = True
		connection.insert()
		for _ in range(BUSY_PER_HOST):
			begin = start + timedelta(minutes=rng.randrange(0, span, 5))
			end = begin + timedelta(minutes=rng.choice((15, 30, 45, 60, 75, 90)))
			intervals.setdefault(user, []).append((begin, end))
			now = frappe.utils.now_datetime()
			rows.append(
				(
					frappe.generate_hash(length=12),
					connection.name,
					user,
					to_system(begin),
					to_system(end),
					now,
					now,
				)
			)
	frappe.db.bulk_insert(
		"Scheduler Busy Time", ["name", "connection", "host", "start", "end", "creation", "modified"], rows
	)
	frappe.db.commit()
	busy.invalidate(hosts)
	return intervals


def remove_data(frappe, hosts) -> None:
	from scheduler_integration.tests.live import cleanup

	frappe.db.rollback()
	names = frappe.get_all("Scheduler Calendar Connection", filters={"host": ("in", hosts)}, pluck="name")
	frappe.db.delete("Scheduler Busy Time", {"host": ("in", hosts)})
	for name in names:
		frappe.delete_doc("Scheduler Calendar Connection", name, ignore_permissions=True, force=True)
	frappe.db.commit()
	cleanup([SOLO, *hosts], delete_users=True, force_users=True)


# --- measuring ------------------------------------------------------------------------------------

_PERCENTILE = re.compile(r"^\s+(50|90)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_output(url: str, host: str, duration: int, connections: int, *options: str, margin: int = 60) -> str:
	"""What wrk prints for GET ``url`` under ``connections`` connections for ``duration`` s."""
	return subprocess.run(
		[
			"wrk",
			"-t2",
			f"-c{connections}",
			f"-d{duration}s",
			*options,
			"--latency",
			"-H",
			f"Host: {host}",
			url,
		],
		capture_output=True,
		text=True,
		timeout=duration + margin,
	).stdout


def wrk_percentiles(out: str) -> dict[int, float]:
	"""wrk's p50 and p90 in ms."""
	return {int(p): float(v) * _UNIT[u] for p, v, u in _PERCENTILE.findall(out)}


def non2xx(out: str) -> int:
	errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
	return int(errors.group(1)) if errors else 0


def wrk(url: str, host: str, duration: int, connections: int) -> dict:
	"""p50 and p90 in ms of GET ``url`` under ``connections`` connections for ``duration`` s."""
	out = wrk_output(url, host, duration, connections)
	found = wrk_percentiles(out)
	requests_line = re.search(r"Requests/sec:\s+([\d.]+)", out)
	return {
		"p50": found.get(50),
		"p90": found.get(90),
		"rps": float(requests_line.group(1)) if requests_line else 0.0,
		"non2xx": non2xx(out),
	}


def slots_url(base: str, profile: str, meeting_type: str, start: datetime, days: int) -> str:
	params = {
		"profile": profile,
		"meeting_type": meeting_type,
		"start": start.strftime("%Y-%m-%d"),
		"end": (start + timedelta(days=days)).strftime("%Y-%m-%d"),
		"timezone": "UTC",
	}
	return base + PUBLIC + "get_slots?" + "&".join(f"{k}={v}" for k, v in params.items())


def post_many(base: str, site: str, method: str, payloads: list[dict], threads: int):
	"""POST each payload to the public ``method`` from ``threads`` clients; returns
	[(when sent, response)] in the payloads' order and the seconds it all took."""

	def one(payload):
		session = requests.Session()
		session.headers["Host"] = site
		began = time.time()
		return began, session.post(base + PUBLIC + method, json=payload, timeout=120)

	t0 = time.perf_counter()
	with ThreadPoolExecutor(max_workers=threads) as pool:
		results = list(pool.map(one, payloads))
	return results, time.perf_counter() - t0


def book_many(
	base: str, site: str, profile: str, meeting_type: str, starts: list[datetime], threads: int, prefix: str
):
	"""POST a booking for each start from ``threads`` clients; returns (responses, seconds)."""
	payloads = [
		{
			"profile": profile,
			"meeting_type": meeting_type,
			"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
			"name": f"Bench Guest {index}",
			"email": f"{prefix}{index}@example.org",
			"timezone": "UTC",
		}
		for index, start in enumerate(starts)
	]
	return post_many(base, site, "book", payloads, threads)


def answer(response) -> dict:
	"""The body of a public method's answer (Frappe wraps a plain return in "message")."""
	data = response.json()
	return data["message"] if isinstance(data.get("message"), dict) else data


def mail_latencies(sink, sent: dict[str, float], timeout: float = 600) -> list[float]:
	"""Seconds from each request (``sent``: guest address -> when) to the guest's next mail
	at the sink, sorted; a guest whose mail never came is left out."""
	deadline = time.time() + timeout
	while time.time() < deadline and any(sink.received.get(k, 0) < at for k, at in sent.items()):
		time.sleep(0.2)
	return sorted(sink.received[k] - at for k, at in sent.items() if sink.received.get(k, 0) >= at)


def percentiles(latencies: list[float]) -> dict:
	return {
		"p50": statistics.median(latencies),
		"p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
		"max": latencies[-1],
		"delivered": len(latencies),
	}


# wrk sends the bookings: one POST per distinct slot, the slots read from a file, thread i
# of n taking slots i, i+n, i+2n … (the client must not be what limits the rate)
BOOK_LUA = """
local starts, counter, step = {}, 0, 1
local created = 0
function setup(thread)
  thread:set("tid", created)
  created = created + 1
end
function init(args)
  for line in io.lines(args[1]) do starts[#starts + 1] = line end
  step = tonumber(args[2])
  counter = tid
end
function request()
  local i = counter + 1
  counter = counter + step
  local body = string.format('{"profile":"%s","meeting_type":"%s","start":"%s","name":"Bench Guest %d",'
    .. '"email":"%s%d@example.org","timezone":"UTC"}', args_profile, args_type, starts[i], i, args_prefix, i)
  return wrk.format("POST", "%s", {["Content-Type"] = "application/json", ["Host"] = "%s"}, body)
end
"""


def book_with_wrk(
	base: str, site: str, profile: str, meeting_type: str, starts: list[datetime], duration: int, prefix: str
) -> dict:
	"""POST bookings of distinct slots for ``duration`` s with 16 connections (2 threads)."""
	import tempfile

	with tempfile.TemporaryDirectory() as folder:
		slots = Path(folder, "starts.txt")
		slots.write_text("\n".join(s.strftime("%Y-%m-%dT%H:%M:%SZ") for s in starts))
		script = Path(folder, "book.lua")
		script.write_text(
			f'args_profile, args_type, args_prefix = "{profile}", "{meeting_type}", "{prefix}"\n'
			+ BOOK_LUA.replace('"%s", {', f'"{PUBLIC}book", {{', 1).replace('"%s"}', f'"{site}"}}', 1)
		)
		out = subprocess.run(
			[
				"wrk",
				"-t2",
				"-c16",
				f"-d{duration}s",
				"--latency",
				"-s",
				str(script),
				base,
				"--",
				str(slots),
				"2",
			],
			capture_output=True,
			text=True,
			timeout=duration + 60,
		).stdout
	sent = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", out)
	seconds = float(sent.group(2)) * (0.001 if sent.group(3) == "ms" else 1.0)
	return {
		"sent": int(sent.group(1)),
		"seconds": seconds,
		"non2xx": non2xx(out),
		"p90": wrk_percentiles(out).get(90),
	}


def weekday_starts(first: datetime, count: int, step_minutes: int = 30) -> list[datetime]:
	out, day = [], first
	while len(out) < count:
		if day.weekday() < 5:
			slot = day.replace(hour=9)
			while slot < day.replace(hour=17) and len(out) < count:
				out.append(slot)
				slot += timedelta(minutes=step_minutes)
		day += timedelta(days=1)
	return out


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default="test.localhost")
	parser.add_argument("--url", default="http://127.0.0.1:8000")
	parser.add_argument("--bench", default=os.path.expanduser("~/frappe-bench"))
	parser.add_argument("--duration", type=int, default=10)
	parser.add_argument("--connections", type=int, default=16)
	parser.add_argument("--workers", type=int, default=2, help="RQ workers for the email burst (README: 2)")
	parser.add_argument("--burst", type=int, default=100)
	args = parser.parse_args()
	sites = os.path.join(args.bench, "sites")
	os.chdir(sites)
	frappe = connect(args.site, sites)
	from scheduler_integration import effects
	from scheduler_integration.tests.factory import Outbox, clear_bookings, runnable_effects, set_settings

	saved = set_settings(**OPEN_LIMITS)
	outbox = Outbox()
	results: dict = {}
	try:
		# inside the try: data made before a failure is removed too
		data = make_data(frappe, days_ahead=30)
		base, site, start = args.url, args.site, data["start"]
		frappe.cache.delete_keys("rl:")
		# warm-up: every endpoint once (first requests import modules and fill caches)
		for url in (
			base + "/api/method/ping",
			slots_url(base, "bench-solo", "call", start, 30),
			slots_url(base, "bench-team-00", "team", start, 30),
		):
			for _ in range(3):
				requests.get(url, headers={"Host": site}, timeout=120)
		ping = wrk(base + "/api/method/ping", site, args.duration, args.connections)
		results["ping"] = ping
		cases = {
			"get_slots, one host, 1 day": slots_url(base, "bench-solo", "call", start, 1),
			"get_slots, one host, 30 days": slots_url(base, "bench-solo", "call", start, 30),
			f"get_slots, {TEAM}-host round robin, 30 days, {TEAM * BUSY_PER_HOST:,} busy": slots_url(
				base, "bench-team-00", "team", start, 30
			),
		}
		print(f"{'request':62} {'p50 ms':>8} {'p90 ms':>8} {'x ping p90':>11} {'req/s':>8} {'non-2xx':>8}")
		print(
			f"{'ping':62} {ping['p50']:8.1f} {ping['p90']:8.1f} {1.0:11.2f} {ping['rps']:8.0f} {ping['non2xx']:8d}"
		)
		for name, url in cases.items():
			row = wrk(url, site, args.duration, args.connections)
			results[name] = row
			print(
				f"{name:62} {row['p50']:8.1f} {row['p90']:8.1f} {row['p90'] / ping['p90']:11.2f} {row['rps']:8.0f} {row['non2xx']:8d}"
			)
		# bookings: distinct slots, 16 connections (more slots than can be booked meanwhile)
		starts = weekday_starts(start + timedelta(days=40), 16 * 8 * 20 * args.duration // 10 + 400)
		sent = book_with_wrk(base, site, "bench-solo", "call", starts, args.duration, "bench-rate-")
		frappe.db.rollback()
		rows = frappe.get_all(
			"Scheduler Booking",
			filters={"host": SOLO, "status": ("in", ["Pending", "Confirmed"])},
			fields=["name", "start", "end", "guest_email"],
			order_by="start",
		)
		created = sum(1 for row in rows if row.guest_email.startswith("bench-rate-"))
		overlaps = sum(1 for a, b in pairwise(rows) if b.start < a.end)
		# a request still in flight when wrk stops may commit after it: count only bookings
		# answered within the run
		answered = min(created, sent["sent"] - sent["non2xx"])
		results["bookings_per_second"] = answered / sent["seconds"]
		print(
			f"\nbookings: {answered} committed and answered ({created} committed) of {sent['sent']} sent in {sent['seconds']:.2f} s = {answered / sent['seconds']:.1f} bookings/s (16 connections, distinct slots, p90 {sent['p90']:.0f} ms; non-2xx: {sent['non2xx']}; overlaps: {overlaps})"
		)
		# effects of one booking, in this process
		names = [row.name for row in rows if row.guest_email.startswith("bench-rate-")][:23]
		for name in names[:3]:  # the first ones import modules and fill caches: not timed
			effects.run_booking(name, drain=False)
		names = names[3:]
		timings = []
		for name in names:
			t0 = time.perf_counter()
			effects.run_booking(name, drain=False)
			timings.append((time.perf_counter() - t0) * 1000)
		results["effects_ms"] = statistics.median(timings)
		print(
			f"after-commit effects of one booking (crm, calendar, reminders, engagement, email): median {statistics.median(timings):.0f} ms, min {min(timings):.0f}, max {max(timings):.0f} (n={len(timings)})"
		)
		frappe.db.commit()
		# email latency with real workers
		workers = [
			subprocess.Popen(
				[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "worker"],
				cwd=sites,
				stdout=subprocess.DEVNULL,
				stderr=subprocess.DEVNULL,
			)
			for _ in range(args.workers)
		]
		try:
			# the burst starts on an idle site: the workers first finish the effects of the
			# bookings made above (measured on their own), then the sink forgets them
			frappe.db.rollback()
			backlog, began = runnable_effects(), time.time()
			deadline = began + 600
			while time.time() < deadline and runnable_effects():
				time.sleep(1)
				frappe.db.rollback()
			print(
				f"effects backlog of the bookings above: {backlog} rows, finished by {args.workers} workers in {time.time() - began:.0f} s"
			)
			clear_bookings([SOLO])  # the burst books on an empty calendar
			outbox.sink.received = {}
			burst = weekday_starts(start + timedelta(days=90), args.burst)
			booked, _seconds = book_many(base, site, "bench-solo", "call", burst, 16, "bench-mail-")
			made = {
				f"bench-mail-{i}@example.org": (began, r)
				for i, (began, r) in enumerate(booked)
				if r.status_code == 201
			}
			refused = [f"{r.status_code} {r.text[:200]}" for _began, r in booked if r.status_code != 201]
			if refused:
				print(f"burst bookings refused: {len(refused)}: {refused[:3]}")
			mails = {
				"confirmation": (len(made), mail_latencies(outbox.sink, {k: v[0] for k, v in made.items()}))
			}
			# then the guests change their minds through their manage links: half reschedule,
			# half cancel, in a burst each; each guest's next mail is timed from the request
			tokens = {k: answer(r)["data"]["manage_url"].rsplit("/", 1)[1] for k, (_b, r) in made.items()}
			guests = sorted(tokens)
			moving, leaving = guests[: len(guests) // 2], guests[len(guests) // 2 :]
			later = weekday_starts(start + timedelta(days=120), len(moving))
			for kind, payloads, who in (
				(
					"reschedule",
					[
						{"token": tokens[k], "start": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "timezone": "UTC"}
						for k, at in zip(moving, later, strict=True)
					],
					moving,
				),
				("cancel", [{"token": tokens[k], "reason": "Bench"} for k in leaving], leaving),
			):
				replies, _seconds = post_many(base, site, kind, payloads, 16)
				done = {k: began for k, (began, r) in zip(who, replies, strict=True) if r.status_code == 200}
				if len(done) < len(who):
					bad = [f"{r.status_code} {r.text[:200]}" for _b, r in replies if r.status_code != 200]
					print(f"{kind} requests refused: {len(bad)}: {bad[:3]}")
				mails[kind] = (len(done), mail_latencies(outbox.sink, done))
		finally:
			for worker in workers:
				worker.terminate()
			for worker in workers:
				worker.wait(30)
		# nothing above may have needed a retry (a deadlock between two workers, say)
		frappe.db.rollback()
		errors = frappe.get_all(
			"Scheduler Booking Effect", filters={"last_error": ("is", "set")}, pluck="last_error"
		) + frappe.get_all("Scheduler Reminder", filters={"last_error": ("is", "set")}, pluck="last_error")
		results["retried_after_error"] = len(errors)
		print(f"effect and reminder rows retried after an error: {len(errors)} {errors[:1]}")
		results["email"] = {}
		for kind, (requested, latencies) in mails.items():
			if not latencies:
				print(f"{kind} emails: none reached the SMTP server of {requested}")
				continue
			row = results["email"][kind] = {**percentiles(latencies), "requested": requested}
			print(
				f"{kind} emails of a {requested}-request burst, {args.workers} workers: delivered {row['delivered']}, after the request p50 {row['p50']:.1f} s, p95 {row['p95']:.1f} s, max {row['max']:.1f} s"
			)
		print("\n" + json.dumps(results, default=str))
	finally:
		try:
			remove_data(frappe, team_users())
		finally:  # the settings and the Email Account even when removing the data failed
			outbox.close()
			set_settings(**saved)
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
