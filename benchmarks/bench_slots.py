"""Slot search benchmark: the engine against a naive per-candidate scan, in one run.

    python benchmarks/bench_slots.py [--repeat N] [--quick]

Synthetic data (seeded, so every run sees the same input): hosts spread over several
zones, weekday hours 09:00-17:00 local, busy intervals of 15-90 minutes at random
5-minute-aligned times over the 30-day window (a fifth of them bookings with 10-minute
buffers, the rest external calendar busy time).

The naive baseline is the algorithm of the seed specification (002): walk each day's
candidate starts and scan every busy interval for each candidate. It implements the same
rules as the engine (grid, buffers, notice, horizon), and the script checks that both
return identical slots before it prints any timing.

The engine times a search from its inputs as a web worker holds them: hosts' busy time
merged once per change (``BusyTime``, kept per host by the Frappe side), bookings as
records, and the hosts' day ranges and grids for the window's dates and the team's layout
of them kept in the process by an earlier search (``slots._days``, ``slots._layout``:
keyed by the hours' values and the dates, so made once per change of hours and per day).
The merge and a search that makes the kept parts first ("first search") are timed and
printed next to it.

Prints: the two named cases with engine time, baseline time and the speed-up ratio, then
each case's engine figure on its own (median of the repeats) with its target where it has
one (the 50-host month: at most 5 ms) and whether it is met, and its first search's
figure, then a scaling table (hosts x busy intervals per host) with the engine's time per
busy interval, which stays flat when cost grows linearly.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_http import ZONES  # the same six zones as the HTTP benchmarks

from scheduler_integration.engine import (
	Assignment,
	Availability,
	Booking,
	BusyTime,
	HostSchedule,
	Interval,
	SlotPolicy,
	WeeklyRange,
	find_slots,
)
from scheduler_integration.engine.slots import clear_kept
from scheduler_integration.engine.timezones import get_zone, wall_exists, wall_to_instant

UTC = timezone.utc
NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
DAYS = 30
POLICY = SlotPolicy(duration=30, buffer_before=5, buffer_after=10, min_notice=240, max_advance_days=60)
# engine time (median) a case should stay within, in ms
TARGETS = {"50-host round robin, 30 days, 25000 busy": 5.0}


def make_hosts(count: int, busy_per_host: int, seed: int = 42) -> list[HostSchedule]:
	return [host for host, _raw in make_hosts_raw(count, busy_per_host, seed)]


def make_hosts_raw(count: int, busy_per_host: int, seed: int = 42) -> list[tuple[HostSchedule, tuple]]:
	"""Hosts with their busy time as the raw, unmerged intervals they were made from."""
	rng = random.Random(seed)
	span_minutes = DAYS * 24 * 60
	hosts = []
	for index in range(count):
		zone = ZONES[index % len(ZONES)]
		weekly = tuple(WeeklyRange.parse(day, "09:00", "17:00") for day in range(5))
		busy, bookings = [], []
		for _ in range(busy_per_host):
			start = NOW + timedelta(minutes=rng.randrange(0, span_minutes, 5))
			end = start + timedelta(minutes=rng.choice((15, 30, 45, 60, 75, 90)))
			if rng.random() < 0.2:
				bookings.append(Booking(start, end, buffer_before=10, buffer_after=10))
			else:
				busy.append(Interval(start, end))
		raw = tuple(sorted(busy, key=lambda item: item.start))
		hosts.append(
			(
				HostSchedule(
					f"host{index:03d}",
					Availability(zone, weekly),
					# ordered by start, as the database (ORDER BY start) and freeBusy deliver them
					tuple(sorted(bookings, key=lambda item: item.start)),
					raw,
					weight=rng.choice((50, 100, 200)),
					bookings_so_far=rng.randrange(0, 20),
				),
				raw,
			)
		)
	return hosts


def naive_slots(
	hosts: list[HostSchedule], raw_busy: list[tuple], policy: SlotPolicy, window_start, window_end, now
) -> list[tuple]:
	"""The naive approach: every candidate start checked against every busy interval."""
	duration = timedelta(minutes=policy.duration)
	step = timedelta(minutes=policy.step)
	before, after = timedelta(minutes=policy.buffer_before), timedelta(minutes=policy.buffer_after)
	earliest = now + timedelta(minutes=policy.min_notice)
	latest = now + timedelta(days=policy.max_advance_days)
	free: dict[datetime, list[str]] = {}
	for host, raw in zip(hosts, raw_busy, strict=True):
		zone = get_zone(host.availability.timezone)
		busy = [
			(b.start - timedelta(minutes=b.buffer_before), b.end + timedelta(minutes=b.buffer_after))
			for b in host.bookings
		]
		busy += [(b.start, b.end) for b in raw]
		day = window_start.astimezone(zone).date() - timedelta(days=1)
		last = window_end.astimezone(zone).date() + timedelta(days=1)
		while day <= last:
			midnight = datetime(day.year, day.month, day.day)
			for rule in host.availability.weekly:
				if rule.weekday != day.weekday():
					continue
				wall = midnight + timedelta(minutes=rule.start)
				wall_end = midnight + timedelta(minutes=rule.end)
				range_end = wall_to_instant(wall_end, zone)
				while wall < wall_end:
					if wall_exists(wall, zone):
						start = wall_to_instant(wall, zone)
						end = start + duration
						ok = (
							end <= range_end
							and window_start <= start < window_end
							and earliest <= start <= latest
						)
						if ok:
							for b_start, b_end in busy:
								if start - before < b_end and end + after > b_start:
									ok = False
									break
						if ok:
							free.setdefault(start, []).append(host.host)
					wall += step
			day += timedelta(days=1)
	return sorted(free)


def timed(fn, repeat: int) -> tuple[float, object]:
	times, result = [], None
	for _ in range(repeat):
		started = time.perf_counter()
		result = fn()
		times.append(time.perf_counter() - started)
	return statistics.median(times), result


def run_case(name: str, count: int, per_host: int, repeat: int) -> tuple[float, float]:
	"""Prints the case's line and returns the engine's median time in seconds, and that of
	a first search (nothing kept)."""
	made = make_hosts_raw(count, per_host)
	raw_busy = [raw for _host, raw in made]
	# busy time arrives as records and is merged once per change (BusyTime): the Frappe
	# side keeps it per host in each web worker, so a search starts from the merged form
	prepare_time, hosts = timed(lambda: [replace(h, busy=BusyTime(raw)) for h, raw in made], repeat)
	window_start, window_end = NOW, NOW + timedelta(days=DAYS)
	mode = Assignment.INDIVIDUAL if len(hosts) == 1 else Assignment.ROUND_ROBIN

	def search():
		return find_slots(hosts, POLICY, window_start, window_end, NOW, mode)

	def first_search():  # nothing kept yet: it makes the day ranges, grids and layout
		clear_kept()
		return search()

	first_time, _ = timed(first_search, repeat)
	engine_time, slots = timed(search, repeat)
	naive_time, naive = timed(
		lambda: naive_slots(hosts, raw_busy, POLICY, window_start, window_end, NOW), max(1, repeat // 3)
	)
	engine_starts = [slot.start for slot in slots]
	if engine_starts != naive:
		raise SystemExit(f"{name}: engine and baseline disagree ({len(engine_starts)} vs {len(naive)} slots)")
	print(
		f"{name:<38} busy={count * per_host:>6} slots={len(slots):>5}  engine {engine_time * 1000:8.2f} ms  "
		f"naive {naive_time * 1000:9.2f} ms  ratio {naive_time / engine_time:6.1f}x  "
		f"(merging the busy time once per change: {prepare_time * 1000:.2f} ms; first search, making the "
		f"day ranges, grids and layout kept per hours and dates: {first_time * 1000:.2f} ms)"
	)
	return engine_time, first_time


def report(figures: dict[str, tuple[float, float]], repeat: int) -> None:
	"""Each case's engine figure on one line, with its target and whether it is met, and
	the first search's figure (hours' day ranges, grids and layout made, not yet kept)."""
	print(f"\nengine, median of {repeat} runs")
	for name, (seconds, first) in figures.items():
		line = f"  {name:<42} {seconds * 1000:7.2f} ms"
		target = TARGETS.get(name)
		if target is not None:
			verdict = "met" if seconds * 1000 <= target else "MISSED"
			line += f"  target <= {target:g} ms: {verdict}"
		print(f"{line}  (first search {first * 1000:.2f} ms)")


def scaling(repeat: int) -> None:
	print("\nscaling (engine, median ms; us/busy = time per busy interval, flat when linear)")
	print(f"{'hosts':>6} {'busy/host':>10} {'total busy':>11} {'ms':>9} {'us/busy':>9}")
	window_start, window_end = NOW, NOW + timedelta(days=DAYS)
	for count in (1, 10, 100):
		for per_host in (10, 100, 1000):
			hosts = make_hosts(count, per_host, seed=count * 7919 + per_host)
			mode = Assignment.INDIVIDUAL if count == 1 else Assignment.ROUND_ROBIN
			elapsed, _ = timed(
				lambda hosts=hosts, mode=mode: find_slots(hosts, POLICY, window_start, window_end, NOW, mode),
				repeat,
			)
			total = count * per_host
			print(f"{count:>6} {per_host:>10} {total:>11} {elapsed * 1000:9.2f} {elapsed * 1e6 / total:9.2f}")


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--repeat", type=int, default=7)
	parser.add_argument("--quick", action="store_true", help="fewer repeats, no scaling table")
	args = parser.parse_args()
	repeat = 5 if args.quick else args.repeat
	print(f"python {sys.version.split()[0]}, window {DAYS} days, policy {POLICY.duration} min, buffers 5/10")
	figures = {}
	for name, count in (("one host, 30 days, 500 busy", 1), ("50-host round robin, 30 days, 25000 busy", 50)):
		figures[name] = run_case(name, count, 500, repeat)
	report(figures, repeat)
	if not args.quick:
		scaling(repeat)


if __name__ == "__main__":
	main()
