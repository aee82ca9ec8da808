"""Group sessions, workshops and series: a month of slots against an ordinary type's, in one run.

    python benchmarks/bench_occurrences.py [--repeat N]
    ~/frappe-bench/env/bin/python benchmarks/bench_occurrences.py --site test.localhost \
        --url http://127.0.0.1:8000 [--duration 10]

Engine (no site):
The same synthetic hosts as ``bench_slots`` (seeded; weekday hours 09:00-17:00 in six
zones, busy time and bookings over the month) answer a month of slots for:

- an ordinary 60-minute type (the baseline of the run);
- a seated 60-minute type (10 seats), with a seated slot open every weekday of the month;
- a 3-day workshop type (consecutive days, 180 minutes a day): starts whose every day is free;
- a weekly series of 4 meetings booked whole: starts whose every meeting is free;

for one host and a 10-host round robin. Each figure is the median of the repeats and its
ratio to the ordinary type's in the same run (issue 29's target: at most 1.5x).

HTTP (``--site``, a running bench serving it at ``--url``, its scheduler off): one host
with weekday hours, 60 bookings and a seated slot open every weekday, and the four types;
``get_slots`` for 30 days of each under ``wrk`` (16 connections), p50 and p90 and the
ratio to the ordinary type's; everything made is removed afterwards.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_slots import DAYS, NOW, make_hosts, timed

from scheduler_integration.engine import Assignment, Booking, SlotPolicy, find_slots
from scheduler_integration.engine.occurrences import Occurrences, Repeat, find_series_slots

UTC = timezone.utc
BASE = SlotPolicy(duration=60, buffer_before=5, buffer_after=10, min_notice=240, max_advance_days=60)
SEATED = replace(BASE, meeting_type="class", seats=10)
WORKSHOP = replace(BASE, duration=180)
THREE_DAYS = Occurrences(Repeat.DAYS, 3)
WEEKLY_4 = Occurrences(Repeat.WEEKLY, 4)


def with_open_slots(hosts):
	"""Each host holds an open seated slot (3 of 10 seats) at 13:00 UTC every weekday."""
	out = []
	for host in hosts:
		seats = []
		for day in range(DAYS):
			start = NOW + timedelta(days=day, hours=13)
			if start.weekday() < 5:
				seats += [Booking(start, start + timedelta(minutes=60), 5, 10, "class")] * 3
		bookings = tuple(sorted((*host.bookings, *seats), key=lambda item: item.start))
		out.append(replace(host, bookings=bookings))
	return out


HOST = "bench-occurrences@example.com"
PROFILE = "bench-occurrences"


def http(args) -> None:
	"""The four types' month of slots over HTTP, each against the ordinary type's."""
	import os
	import random

	from bench_http import PUBLIC, connect, wrk

	frappe = connect(args.site, os.path.join(args.bench, "sites"))
	from scheduler_integration.core.clock import to_system
	from scheduler_integration.tests.factory import NO_RATE_LIMITS, make_host, make_type, set_settings
	from scheduler_integration.tests.live import cleanup

	saved = set_settings(**NO_RATE_LIMITS, booking_challenge_bits=0)  # wrk asks from one address

	weekdays = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
	profile = make_host(HOST, PROFILE, tz="UTC", start="09:00", end="17:00", days=weekdays)
	common = {"max_advance_days": 365, "buffer_after": 10}
	make_type(profile, "call", 60, **common)
	seated = make_type(profile, "class", 60, seats_per_slot=10, **common)
	make_type(profile, "workshop", "Custom", custom_duration=180, slot_interval=60, days=3, **common)
	make_type(profile, "coaching", 60, allow_series=1, series_max_count=4, **common)
	start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=7)
	rng = random.Random(29)
	try:
		for day in range(30):  # an open seated slot each weekday, and two other bookings
			moment = start + timedelta(days=day)
			if moment.weekday() >= 5:
				continue
			for n in range(3):
				frappe.get_doc(
					{
						"doctype": "Scheduler Booking",
						"meeting_type": seated,
						"start": to_system(moment + timedelta(hours=13)),
						"guest_name": f"Seat {n}",
						"guest_email": f"seat{day}-{n}@example.org",
					}
				).insert(ignore_permissions=True)
			for hour in rng.sample((9, 11, 15), 2):
				frappe.get_doc(
					{
						"doctype": "Scheduler Booking",
						"meeting_type": frappe.db.get_value(
							"Scheduler Meeting Type", {"profile": profile, "slug": "call"}
						),
						"start": to_system(moment + timedelta(hours=hour)),
						"guest_name": "Busy",
						"guest_email": f"busy{day}-{hour}@example.org",
					}
				).insert(ignore_permissions=True)
		frappe.db.commit()
		host = args.site
		query = f"start={start:%Y-%m-%d}&end={start + timedelta(days=30):%Y-%m-%d}&timezone=UTC"

		def url(slug, extra=""):
			return f"{args.url}{PUBLIC}get_slots?profile={PROFILE}&meeting_type={slug}&{query}{extra}"

		wrk(url("call"), host, 2, args.connections)  # warm the workers' caches
		base = wrk(url("call"), host, args.duration, args.connections)
		print(f"\nHTTP, one host, 30 days of slots, {args.connections} connections, {args.duration} s each")
		print(f"  ordinary type          p50 {base['p50']:7.1f} ms  p90 {base['p90']:7.1f} ms")
		for name, slug, extra in (
			("seated, 10 seats", "class", ""),
			("3-day workshop", "workshop", ""),
			("weekly series of 4", "coaching", "&count=4"),
		):
			wrk(url(slug, extra), host, 2, args.connections)
			found = wrk(url(slug, extra), host, args.duration, args.connections)
			print(
				f"  {name:<22} p50 {found['p50']:7.1f} ms  p90 {found['p90']:7.1f} ms"
				f"  {found['p90'] / base['p90']:5.2f}x the ordinary type's p90"
				+ (f"  ({found['non2xx']} non-2xx)" if found["non2xx"] else "")
			)
	finally:
		frappe.db.rollback()
		set_settings(**saved)
		cleanup([HOST], delete_users=True, force_users=True)
		frappe.db.commit()
		frappe.destroy()


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--repeat", type=int, default=15)
	parser.add_argument("--site", help="a bench site to measure over HTTP too")
	parser.add_argument("--url", default="http://127.0.0.1:8000")
	parser.add_argument("--bench", default=str(Path("~/frappe-bench").expanduser()))
	parser.add_argument("--duration", type=int, default=10)
	parser.add_argument("--connections", type=int, default=16)
	args = parser.parse_args()
	if args.site:
		http(args)
		return
	window = (NOW, NOW + timedelta(days=DAYS))
	worst = 0.0
	for label, count in (("one host", 1), ("10-host round robin", 10)):
		hosts = make_hosts(count, 200)
		mode = Assignment.INDIVIDUAL if count == 1 else Assignment.ROUND_ROBIN
		seated_hosts = with_open_slots(hosts)
		base, slots = timed(
			lambda hosts=hosts, mode=mode: find_slots(hosts, BASE, *window, NOW, mode), args.repeat
		)
		cases = {
			"seated, 10 seats": partial(find_slots, seated_hosts, SEATED, *window, NOW, mode),
			"3-day workshop": partial(find_series_slots, hosts, WORKSHOP, THREE_DAYS, *window, NOW, mode),
			"weekly series of 4": partial(find_series_slots, hosts, BASE, WEEKLY_4, *window, NOW, mode),
		}
		print(f"\n{label}, {DAYS} days: ordinary type {base * 1000:.2f} ms ({len(slots)} slots)")
		for name, search in cases.items():
			elapsed, found = timed(search, args.repeat)
			ratio = elapsed / base
			worst = max(worst, ratio)
			print(
				f"  {name:<22} {elapsed * 1000:8.2f} ms  {len(found):>5} slots  {ratio:5.2f}x the ordinary type"
			)
	print(f"\nworst ratio {worst:.2f}x (target: at most 1.5x)")


if __name__ == "__main__":
	main()
