"""Issue 37's races for one slot, over real HTTP with the site's workers (items 2 and 8).

- Seats (item 2): guests racing for an empty seated slot make one leader, and the host one
  desk event for it; one email in several letter cases takes one seat.
- Lock order (item 8): requests for one slot of one host through every entry point a host
  has — REST insert and update, ``frappe.client.insert``/``set_value``/``save`` and the
  desk's ``savedocs`` — and a guest's series beside guests' single bookings and the host's
  moves: one booking on the slot, the others refused with a code, never a 500 or a
  traceback, and no deadlock in the Error Log. A load of a booking for a change waits for
  its hosts' profiles before it locks the booking's rows (made deterministic).

Requests go to 127.0.0.1 only, in bounded numbers, released together by a barrier.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import frappe
import requests

from scheduler_integration.core.clock import to_system, to_utc
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	book,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, body, cleanup, method_url, waiting_for_lock
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.trust.test_side_doors_bookings import overlapping
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-trust-race@example.com"
PROFILE = "trust-race"
REST = "/api/resource/Scheduler Booking"
BOOK = "scheduler_integration.api.public.book"
ACTIVE = ("in", ["Pending", "Confirmed"])
# races book many meetings of one host within the hour: its caps have their own tests
NO_CAPS = {**NO_RATE_LIMITS, "bookings_per_host_per_hour": 0, "bookings_per_type_per_day": 0}
MOVES = ("put", "set_value", "save", "savedocs")  # the host's ways to change a booking
LOCK_ERRORS = ("QueryDeadlockError", "QueryTimeoutError", "Deadlock found", "Lock wait timeout")


def race(calls) -> list:
	"""Run every call (no arguments, one request each) at once: one thread each, released
	together by a barrier; their answers (or the exception a call raised), in order."""
	barrier = threading.Barrier(len(calls))
	results: list = [None] * len(calls)

	def run(index, call):
		barrier.wait(timeout=60)
		try:
			results[index] = call()
		except requests.RequestException as exc:  # recorded, asserted by the caller
			results[index] = exc

	threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(240)
	return results


def problems(response) -> list[str]:
	"""What an answer may never be: no answer, a 5xx other than the app's 503, a traceback,
	a deadlock or lock wait named anywhere in it."""
	if not isinstance(response, requests.Response):
		return [f"no answer: {response!r}"]
	found = []
	text = response.text
	if response.status_code >= 500 and not busy_in_app_shape(response):
		found.append(f"status {response.status_code}")
	if "Traceback" in text:
		found.append("traceback")
	if response.status_code != 503 and any(name in text for name in LOCK_ERRORS):
		found.append("lock error")
	return found


def all_problems(calls, results) -> list[tuple[str, str, str]]:
	"""(entry point, problem, the answer's start) of every answer of a race that has one."""
	return [
		(kind, problem, getattr(response, "text", "")[:300])
		for (kind, _call), response in zip(calls, results, strict=True)
		for problem in problems(response)
	]


def busy_in_app_shape(response) -> bool:
	"""The app's answer to a lost race that reached Frappe's own routes (api.refusals)."""
	try:
		data = response.json()
	except ValueError:
		return False
	message = data.get("message") if isinstance(data, dict) else None
	return (
		response.status_code == 503
		and response.headers.get("Retry-After") is not None
		and isinstance(message, dict)
		and message.get("code") == "SERVER_BUSY"
	)


def refusal_code(response) -> str | None:
	"""The machine-readable code a refused change carries (the app's envelope, or the code
	the app adds to Frappe's own exception answer)."""
	try:
		data = response.json()
	except ValueError:
		return None
	if not isinstance(data, dict):
		return None
	message = data.get("message")
	if isinstance(message, dict) and message.get("code"):
		return message["code"]
	return data.get("code")


def deadlocks_logged(since) -> list[str]:
	"""Error Log rows made since ``since`` that name a deadlock or a lock wait timeout."""
	frappe.db.commit()  # a fresh snapshot
	rows = frappe.get_all(
		"Error Log", filters={"creation": (">=", since)}, fields=["name", "method", "error"]
	)
	return [
		f"{row.name} {row.method}: {(row.error or '')[-300:]}"
		for row in rows
		if any(name in (row.error or "") for name in LOCK_ERRORS)
	]


@every_site
class TestTrustRaces(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cleanup([HOST], delete_users=True)  # what a killed run left
			cls._saved = set_settings(**NO_CAPS)
			cls.outbox = Outbox()
			cls.profile = make_host(HOST, PROFILE)
			cls.call = make_type(cls.profile, "call", 30)
			cls.seated = make_type(cls.profile, "class", 60, seats_per_slot=3)
			cls.weekly = make_type(
				cls.profile,
				"coaching",
				30,
				allow_series=1,
				series_frequency="Weekly",
				series_max_count=4,
				series_booking="Book None",
			)
			cls.server = LiveServer.get_instance(workers=4)
			cls.host_cookies = cls.server.session(HOST).cookies
			cls.day = future_day(12)
		except Exception:  # leave the site as found even when setting up failed
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		if getattr(cls, "outbox", None):
			cls.outbox.close()
		set_settings(**getattr(cls, "_saved", {}))
		clear_bookings([HOST])
		frappe.db.delete("Scheduler Booking Series", {"host": HOST})
		frappe.db.commit()
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([HOST])
		frappe.db.delete("Scheduler Booking Series", {"host": HOST})
		frappe.db.commit()

	def guest(self, slug: str, start, email: str, name: str = "Race Guest", **extra):
		"""A call booking ``slug`` at ``start`` as a guest."""
		values = {
			"profile": PROFILE,
			"meeting_type": slug,
			"start": iso(start),
			"name": name,
			"email": email,
			"timezone": "UTC",
			**extra,
		}
		return lambda: requests.post(
			method_url(self.server, BOOK), json=values, headers={"Host": self.server.site}, timeout=120
		)

	def active(self, meeting_type: str, start) -> list[str]:
		frappe.db.commit()
		return frappe.get_all(
			"Scheduler Booking",
			filters={"host": HOST, "status": ACTIVE, "meeting_type": meeting_type, "start": to_system(start)},
			pluck="name",
		)

	# --- item 2: seats ---

	def test_simultaneous_first_seats_make_one_leader_and_one_guest_one_seat(self):
		rounds, guests = 3, 4  # four guests for three seats
		per_round = guests + 3
		calls, slots = [], []
		for r in range(rounds):
			open_slot = self.day + timedelta(hours=8 + 2 * r)
			one_guest = open_slot + timedelta(hours=1)
			slots.append((open_slot, one_guest))
			calls += [
				self.guest("class", open_slot, f"seat-{r}-{i}@example.org", f"Seat {i}")
				for i in range(guests)
			]
			calls += [
				self.guest("class", one_guest, email, "Same Guest")
				for email in (f"same-{r}@example.org", f"SAME-{r}@example.org", f"Same-{r}@Example.org")
			]
		results = []
		for r in range(rounds):  # a round: four guests for one slot, one guest thrice for another
			results += race(calls[per_round * r : per_round * (r + 1)])
		for response in results:
			self.assertEqual(problems(response), [], getattr(response, "text", response))
		for r, (open_slot, one_guest) in enumerate(slots):
			answers = results[per_round * r : per_round * r + guests]
			codes = sorted(response.status_code for response in answers)
			self.assertEqual(codes, [201, 201, 201, 409], [x.text[:500] for x in answers])
			seats = self.active(self.seated, open_slot)
			self.assertEqual(len(seats), 3)
			leaders = frappe.get_all(
				"Scheduler Booking", filters={"name": ("in", seats), "seat_leader": 1}, pluck="name"
			)
			self.assertEqual(len(leaders), 1, f"round {r}: one seat leads the slot, not {leaders}")
			same = results[per_round * r + guests : per_round * (r + 1)]
			self.assertEqual(sorted(x.status_code for x in same)[0], 201, [x.text for x in same])
			refused = [x for x in same if x.status_code != 201]
			self.assertEqual(len(refused), 2, f"round {r}: one guest, one seat: {[x.text for x in same]}")
			for response in refused:
				# the slot is taken for this guest (issue 50, item 28): a conflict, not a refusal
				self.assertEqual(response.status_code, 409, response.text)
				self.assertEqual(
					(body(response).get("code"), body(response).get("reason")),
					("CONFLICT", "already_booked"),
					response.text,
				)
			self.assertEqual(len(self.active(self.seated, one_guest)), 1)
		run_background_jobs()
		frappe.db.commit()
		for open_slot, _one_guest in slots:
			seats = self.active(self.seated, open_slot)
			events = frappe.get_all(
				"Scheduler Booking Host",
				filters={"parent": ("in", seats), "parenttype": "Scheduler Booking", "event": ("is", "set")},
				pluck="event",
			)
			self.assertEqual(len(events), 1, f"the host gets one desk event for the slot: {events}")
			self.assertTrue(frappe.db.exists("Event", events[0]))

	# --- item 8: one lock order ---

	def signed_in(self) -> requests.Session:
		"""A session of its own for one thread, signed in as the host (the cookies of one login)."""
		session = requests.Session()
		session.headers["Host"] = self.server.site
		session.cookies.update(self.host_cookies)
		return session

	def new_call(self, kind: str, when: str, email: str):
		"""A call making a booking at ``when`` (system time) as the host: through REST
		(``rest``) or ``frappe.client.insert``."""
		values = {"meeting_type": self.call, "start": when, "guest_name": "Desk Guest", "guest_email": email}
		session = self.signed_in()
		if kind == "rest":
			return lambda: session.post(f"{self.server.base}{REST}", json=values, timeout=120)
		url = method_url(self.server, "frappe.client.insert")
		doc = {"doctype": "Scheduler Booking", **values}
		return lambda: session.post(url, json={"doc": doc}, timeout=120)

	def move_call(self, kind: str, name: str, when: str):
		"""A call moving booking ``name`` to ``when`` (system time) as the host: a REST update
		(``put``), ``set_value``, ``frappe.client.save`` or the desk's ``savedocs`` (the last two
		load the document first, as their client or form would, before the race)."""
		session = self.signed_in()
		if kind == "put":
			url = f"{self.server.base}{REST}/{name}"
			return lambda: session.put(url, json={"start": when}, timeout=120)
		if kind == "set_value":
			payload = {"doctype": "Scheduler Booking", "name": name, "fieldname": "start", "value": when}
			url = method_url(self.server, "frappe.client.set_value")
			return lambda: session.post(url, json=payload, timeout=120)
		if kind == "save":
			r = session.get(f"{self.server.base}{REST}/{name}", timeout=60)
			self.assertEqual(r.status_code, 200, r.text)
			doc = {**r.json()["data"], "start": when}
			url = method_url(self.server, "frappe.client.save")
			return lambda: session.post(url, json={"doc": doc}, timeout=120)
		r = session.get(
			method_url(self.server, "frappe.desk.form.load.getdoc"),
			params={"doctype": "Scheduler Booking", "name": name},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text)
		doc = {**r.json()["docs"][0], "start": when}
		url = method_url(self.server, "frappe.desk.form.save.savedocs")
		return lambda: session.post(url, data={"doc": json.dumps(doc), "action": "Save"}, timeout=120)

	def movers(self, starts, tag: str) -> list[str]:
		"""Bookings of the host at ``starts`` (committed), their effects run."""
		return [
			book(
				self.call, start, {"guest_name": f"Mover {i}", "guest_email": f"mover-{tag}-{i}@example.org"}
			).name
			for i, start in enumerate(starts)
		]

	def entry_points(self, start, movers: list[str], tag: str) -> list[tuple[str, object]]:
		"""(entry point, call): new bookings at ``start`` through REST and
		``frappe.client.insert``, and the ``movers`` moved onto it through every update."""
		when, calls = str(to_system(start)), []
		for i in range(len(movers) // len(MOVES)):
			calls.append(("rest insert", self.new_call("rest", when, f"desk-{tag}-rest-{i}@example.org")))
			calls.append(("client insert", self.new_call("insert", when, f"desk-{tag}-ins-{i}@example.org")))
		for i, name in enumerate(movers):
			kind = MOVES[i % len(MOVES)]
			calls.append((kind, self.move_call(kind, name, when)))
		return calls

	def test_every_entry_point_racing_for_one_slot_makes_one_booking_and_refuses_the_rest(self):
		since = frappe.utils.now()
		rounds, movers_per_round = 3, 20  # 30 requests a round: 5 through each entry point
		plans = []
		for r in range(rounds):
			contested = self.day + timedelta(days=1 + r, hours=12)
			# within the contested slot's reach (booking.load reads 12 hours on), so the
			# checked path's locking read and the loads of the movers meet on their rows
			starts = [contested + timedelta(hours=1, minutes=30 * i) for i in range(movers_per_round)]
			plans.append((contested, self.movers(starts, str(r))))
		run_background_jobs()  # the movers' own effects are done before the races
		for r, (contested, movers) in enumerate(plans):
			calls = self.entry_points(contested, movers, str(r))
			results = race([call for _kind, call in calls])
			answers = [
				(kind, getattr(x, "status_code", repr(x)), refusal_code(x) if hasattr(x, "json") else None)
				for (kind, _call), x in zip(calls, results, strict=True)
			]
			self.assertEqual(all_problems(calls, results), [], f"round {r}")
			self.assertEqual([a[1] for a in answers].count(200), 1, answers)
			on_slot = self.active(self.call, contested)
			self.assertEqual(len(on_slot), 1, f"round {r}: one booking on the slot: {on_slot}")
			for kind, status, code in answers:
				if status == 200:
					continue
				# a lost race is a refusal with its code, never a 500; the 503 of api.refusals
				# stays for one deadlock left: an effect job writing the winner's row, then its
				# host rows, while a loser's locking read holds them (the reverse order)
				self.assertIn(status, (409, 417, 503), f"{kind}: {answers}")
				self.assertTrue(code, f"{kind}: a refusal carries its code: {answers}")
		self.assertEqual(deadlocks_logged(since), [])

	def test_a_change_loading_a_booking_waits_for_its_hosts_before_locking_its_rows(self):
		"""Frappe loads a booking for a change (REST, frappe.client, the desk's save) by
		locking its row, then its host rows; the checked path holds the hosts' profiles and
		locks host rows, then their bookings. Made deterministic: this test's transaction
		plays the checked path (the profile, the booking's host rows, then its row) and is the
		heavier one, so a REST update that held the booking's row while waiting would be the
		deadlock's victim; one that waits for the profile first holds nothing meanwhile."""
		start = self.day + timedelta(days=4, hours=9)
		mover = book(self.call, start, {"guest_name": "Loaded", "guest_email": "loaded@example.org"}).name
		run_background_jobs()  # its effects write its rows: done before the locks are taken
		session = self.server.session(HOST)
		for i in range(300):  # heavier than the request: written rows, rolled back at the end
			frappe.db.sql(
				"insert into `tabScheduler Booking Effect` (name, booking, effect, status)"
				" values (%s, %s, 'x', 'Done')",
				(f"trust-race-{i}", mover),
			)
		frappe.db.sql("select name from `tabScheduler Profile` where user = %s for update", HOST)
		frappe.db.sql("select name from `tabScheduler Booking Host` where parent = %s for update", (mover,))
		answer, moved = {}, start + timedelta(hours=2)
		url, values = f"{self.server.base}{REST}/{mover}", {"start": str(to_system(moved))}

		def update():
			answer["r"] = session.put(url, json=values, timeout=120)

		thread = threading.Thread(target=update)
		thread.start()
		try:
			waits = (  # for the profile (first), or with the booking's row for its host rows
				f"%tabScheduler Profile%{HOST}%for update%",
				f"%tabScheduler Booking Host%{mover}%for update%",
			)
			self.assertTrue(waiting_for_lock(*waits), "the update never waited")
			# the checked path reads the booking's row next
			frappe.db.sql("select name from `tabScheduler Booking` where name = %s for update", (mover,))
		finally:
			frappe.db.rollback()
		thread.join(120)
		self.assertEqual(answer["r"].status_code, 200, answer["r"].text[:1000])
		self.assertEqual(to_utc(frappe.db.get_value("Scheduler Booking", mover, "start")), moved)

	def test_a_series_booked_while_its_hosts_other_bookings_are_made_never_deadlocks(self):
		"""A guest books a series of four weekly meetings while guests book single slots of
		its host (its own times and next to them, on each of its days) and the host moves
		bookings of those days next to its meetings through the desk's doors."""
		since = frappe.utils.now()
		rounds, singles = 3, 12
		for r in range(rounds):
			first = self.day + timedelta(days=2, hours=8 + 3 * r)
			weeks = [first + timedelta(days=7 * w) for w in range(4)]
			movers = self.movers([week + timedelta(hours=2) for week in weeks], f"series-{r}")
			run_background_jobs()
			emails = [f"series-{r}@example.org"] + [f"single-{r}-{k}@example.org" for k in range(singles)]
			calls = [("series", self.guest("coaching", first, emails[0], "Series Guest", count=4))]
			for k in range(singles):
				start = weeks[k % 4] + timedelta(minutes=30 * (k // 4))
				calls.append(("single", self.guest("call", start, emails[1 + k], f"Single {k}")))
			for w, name in enumerate(movers):  # onto the half hour after the series' meeting
				when = str(to_system(weeks[w] + timedelta(minutes=30)))
				calls.append((MOVES[w], self.move_call(MOVES[w], name, when)))
			results = race([call for _kind, call in calls])
			self.assertEqual(all_problems(calls, results), [], f"round {r}")
			for (kind, _call), response in zip(calls, results, strict=True):
				# guests' requests run again after a deadlock (api.utils): a lost race is a 409
				allowed = (201, 409) if kind in ("series", "single") else (200, 409, 417, 503)
				self.assertIn(response.status_code, allowed, f"{kind}: {response.text}")
			booked = sum(1 for response in results if response.status_code == 201)
			frappe.db.commit()  # a fresh snapshot
			made = frappe.db.count("Scheduler Booking", {"status": ACTIVE, "guest_email": ("in", emails)})
			series = results[0].status_code == 201
			self.assertEqual(made, booked + (3 if series else 0), "a series is booked whole or not at all")
			self.assertEqual(overlapping(HOST), [], "no two bookings of the host overlap")
		self.assertEqual(deadlocks_logged(since), [])
