"""Slot reads use cached working hours, busy time and meeting types (kept per web worker,
outdated by a version in Redis): every change of a source shows at once over HTTP, and a
stale cache can show a wrong slot but never let a booking through."""

from __future__ import annotations

import http.server
import threading
from datetime import timedelta

import frappe

from scheduler_integration.booking.meeting_types import type_context
from scheduler_integration.booking.slots import slots_for
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.settings import store
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-cache@example.com"
OTHER = "sched-cache-other@example.com"  # a second host, with evening hours
PUBLIC = "scheduler_integration.api.public"


def body(response):
	data = response.json()
	return data.get("message") if isinstance(data.get("message"), dict) else data


class TestCacheInvalidation(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._saved = set_settings(**NO_RATE_LIMITS, allow_private_calendar_hosts=1)
		cls.outbox = Outbox()
		cls.profile = make_host(HOST, "cache-host", tz="UTC", start="09:00", end="17:00")
		cls.mt = make_type(cls.profile, "cache-call", 60)
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.day = future_day(33)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		for doctype, field in (("Scheduler Busy Time", "host"), ("Scheduler Calendar Connection", "host")):
			for name in frappe.get_all(doctype, filters={field: HOST}, pluck="name"):
				frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
		frappe.db.commit()
		cleanup([HOST, OTHER], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		clear_bookings([HOST])

	def at(self, hour):
		return self.day + timedelta(hours=hour)

	def offered(self, meeting_type: str = "cache-call") -> set[str]:
		"""The day's slots, asked of every web worker (each keeps its own cache)."""
		seen = []
		for _ in range(6):
			r = self.guest.get(
				method_url(self.server, f"{PUBLIC}.get_slots"),
				params={
					"profile": "cache-host",
					"meeting_type": meeting_type,
					"start": iso(self.day),
					"end": iso(self.day + timedelta(days=1)),
					"timezone": "UTC",
				},
				timeout=60,
			)
			self.assertEqual(r.status_code, 200, r.text)
			seen.append({s["start"] for d in body(r)["data"]["days"] for s in d["slots"]})
		self.assertTrue(all(s == seen[0] for s in seen), "every worker answers the same")
		return seen[0]

	def book(self, hour, email):
		return self.guest.post(
			method_url(self.server, f"{PUBLIC}.book"),
			json={
				"profile": "cache-host",
				"meeting_type": "cache-call",
				"start": iso(self.at(hour)),
				"name": "Cache Guest",
				"email": email,
				"timezone": "UTC",
			},
			timeout=60,
		)

	def availability(self):
		name = frappe.db.get_value("Scheduler Profile", self.profile, "availability")
		return frappe.get_doc("Scheduler Availability", name)

	def test_every_source_change_shows_at_once(self):
		self.assertIn(iso(self.at(10)), self.offered())
		# a weekly rule edit
		doc = self.availability()
		for row in doc.weekly_rules:
			row.from_time = "12:00"
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		self.assertEqual(min(self.offered()), iso(self.at(12)))
		for row in doc.weekly_rules:
			row.from_time = "09:00"
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		self.assertIn(iso(self.at(10)), self.offered())
		# a date override
		doc.append("date_overrides", {"date": self.day.date(), "unavailable": 1})
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		self.assertEqual(self.offered(), set())
		doc.set("date_overrides", [])
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		self.assertIn(iso(self.at(10)), self.offered())
		# blocked time, added and removed
		blocked = frappe.get_doc(
			{
				"doctype": "Scheduler Blocked Time",
				"user": HOST,
				"start": to_system(self.at(13)),
				"end": to_system(self.at(14)),
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		self.assertNotIn(iso(self.at(13)), self.offered())
		frappe.delete_doc("Scheduler Blocked Time", blocked.name, ignore_permissions=True)
		frappe.db.commit()
		self.assertIn(iso(self.at(13)), self.offered())
		# a booking, then its cancellation
		r = self.book(15, "cached@example.org")
		self.assertEqual(r.status_code, 201, r.text)
		self.assertNotIn(iso(self.at(15)), self.offered())
		token = body(r)["data"]["manage_url"].rsplit("/", 1)[1]
		self.guest.post(method_url(self.server, f"{PUBLIC}.cancel"), json={"token": token}, timeout=60)
		self.assertIn(iso(self.at(15)), self.offered())
		# the meeting type itself
		mt = frappe.get_doc("Scheduler Meeting Type", self.mt)
		mt.min_notice = 60 * 24 * 365
		mt.save(ignore_permissions=True)
		frappe.db.commit()
		self.assertEqual(self.offered(), set())
		mt.min_notice = 0
		mt.save(ignore_permissions=True)
		frappe.db.commit()
		# a calendar sync
		feed = CalendarFeed(self.at(16), self.at(17))
		try:
			frappe.set_user(HOST)
			connection = frappe.get_doc(
				{
					"doctype": "Scheduler Calendar Connection",
					"provider": "ICS",
					"ics_url": feed.url,
					"enabled": 1,
				}
			).insert()
			frappe.set_user("Administrator")
			frappe.db.commit()
			self.assertIn(iso(self.at(16)), self.offered())
			self.assertTrue(frappe.get_doc("Scheduler Calendar Connection", connection.name).refresh_busy())
			self.assertNotIn(iso(self.at(16)), self.offered())
		finally:
			frappe.set_user("Administrator")
			feed.close()

	def answers(self, profile: str, meeting_type: str, days: int = 1) -> set[int]:
		"""The status ``get_slots`` answers for these slugs, asked of every web worker."""
		seen = set()
		for _ in range(6):
			r = self.guest.get(
				method_url(self.server, f"{PUBLIC}.get_slots"),
				params={
					"profile": profile,
					"meeting_type": meeting_type,
					"start": iso(self.day),
					"end": iso(self.day + timedelta(days=days)),
					"timezone": "UTC",
				},
				timeout=60,
			)
			seen.add(r.status_code)
		return seen

	def change(self, doctype: str, name: str, **values):
		doc = frappe.get_doc(doctype, name)
		doc.update(values)
		doc.save(ignore_permissions=True)
		frappe.db.commit()

	def test_page_slugs_follow_every_change(self):
		"""Slug lookups are cached per worker: a slug's page follows every change at once."""
		self.assertEqual(self.answers("cache-host", "cache-call"), {200})
		self.assertEqual(self.answers("cache-moved", "cache-call"), {404})  # cached as unknown
		# the profile's slug moves: the old one is gone, the new one (cached unknown) works
		self.change("Scheduler Profile", self.profile, slug="cache-moved")
		try:
			self.assertEqual(self.answers("cache-host", "cache-call"), {404})
			self.assertEqual(self.answers("cache-moved", "cache-call"), {200})
		finally:
			self.change("Scheduler Profile", self.profile, slug="cache-host")
		self.assertEqual(self.answers("cache-host", "cache-call"), {200})
		# the profile switched off and on
		self.change("Scheduler Profile", self.profile, active=0)
		self.assertEqual(self.answers("cache-host", "cache-call"), {404})
		self.change("Scheduler Profile", self.profile, active=1)
		self.assertEqual(self.answers("cache-host", "cache-call"), {200})
		# the meeting type's slug and its active flag
		self.change("Scheduler Meeting Type", self.mt, slug="cache-call-moved")
		try:
			self.assertEqual(self.answers("cache-host", "cache-call"), {404})
			self.assertEqual(self.answers("cache-host", "cache-call-moved"), {200})
		finally:
			self.change("Scheduler Meeting Type", self.mt, slug="cache-call")
		self.change("Scheduler Meeting Type", self.mt, active=0)
		self.assertEqual(self.answers("cache-host", "cache-call"), {404})
		self.change("Scheduler Meeting Type", self.mt, active=1)
		self.assertEqual(self.answers("cache-host", "cache-call"), {200})
		# a new type is found at once, and is gone once deleted
		self.assertEqual(self.answers("cache-host", "cache-extra"), {404})
		extra = make_type(self.profile, "cache-extra", 30)
		frappe.db.commit()
		try:
			self.assertEqual(self.answers("cache-host", "cache-extra"), {200})
		finally:
			frappe.delete_doc("Scheduler Meeting Type", extra, ignore_permissions=True, force=True)
			frappe.db.commit()
		self.assertEqual(self.answers("cache-host", "cache-extra"), {404})

	def test_settings_follow_every_change(self):
		"""Each worker keeps the settings too (every public request reads its rate limit):
		a change shows on the next request of every worker, made through the document (the
		desk, the REST API) or through ``store`` (install, patches)."""
		self.assertEqual(self.answers("cache-host", "cache-call", days=40), {200})
		previous = set_settings(max_slot_window_days=35)
		try:
			self.assertEqual(self.answers("cache-host", "cache-call", days=40), {400})
		finally:
			set_settings(**previous)
		self.assertEqual(self.answers("cache-host", "cache-call", days=40), {200})
		store(max_slot_window_days=35)
		frappe.db.commit()
		try:
			self.assertEqual(self.answers("cache-host", "cache-call", days=40), {400})
		finally:
			store(**previous)
			frappe.db.commit()
		self.assertEqual(self.answers("cache-host", "cache-call", days=40), {200})

	def test_a_team_whose_hosts_change_shows_them_at_once(self):
		"""A read reads ahead the versions its last read with the same slugs needed; when
		the type's hosts change, that guess is wrong and the answer must still be new."""
		other = make_host(OTHER, "cache-other", tz="UTC", start="18:00", end="20:00")
		team = make_type(self.profile, "cache-team", 60, assignment="Round Robin", hosts=[{"user": HOST}])
		try:
			evening = iso(self.at(18))
			self.assertNotIn(evening, self.offered("cache-team"))
			self.change("Scheduler Meeting Type", team, hosts=[{"user": HOST}, {"user": OTHER}])
			self.assertIn(evening, self.offered("cache-team"))
			# the other host's hours change: a key the last reads only read ahead
			availability = frappe.db.get_value("Scheduler Profile", other, "availability")
			doc = frappe.get_doc("Scheduler Availability", availability)
			doc.set(
				"weekly_rules",
				[{"weekday": d.weekday, "from_time": "19:00", "to_time": "20:00"} for d in doc.weekly_rules],
			)
			doc.save(ignore_permissions=True)
			frappe.db.commit()
			offered = self.offered("cache-team")
			self.assertNotIn(evening, offered)
			self.assertIn(iso(self.at(19)), offered)
			self.change("Scheduler Meeting Type", team, hosts=[{"user": HOST}])
			self.assertNotIn(iso(self.at(19)), self.offered("cache-team"))
		finally:
			frappe.delete_doc("Scheduler Meeting Type", team, ignore_permissions=True, force=True)
			frappe.db.commit()
			cleanup([OTHER], delete_users=True)

	def test_a_warm_read_sends_its_version_reads_with_the_request_count(self):
		"""A slot read's versions (settings, slug, type, each host's hours, busy time and
		bookings) go to Redis in the round trip that counts the request against the
		client's limit: a warm worker's request sends the count, then every version read,
		and reads no version after them (the app's one round trip above Frappe's own)."""
		import redis

		meeting_type = make_type(self.profile, "cache-ahead", 30)
		monitor = redis.Redis.from_url(frappe.conf.redis_cache).monitor()
		monitor.__enter__()  # monitoring before the first request, so that nothing is missed
		seen: list[dict] = []

		def listen():
			for event in monitor.listen():
				if event["command"] == "ECHO stop-listening":
					return
				seen.append(event)

		listener = threading.Thread(target=listen)
		try:
			listener.start()
			for _ in range(4):
				self.offered("cache-ahead")
		finally:
			redis.Redis.from_url(frappe.conf.redis_cache).echo("stop-listening")
			listener.join(30)
			monitor.__exit__()
			frappe.delete_doc("Scheduler Meeting Type", meeting_type, ignore_permissions=True, force=True)
			frappe.db.commit()
		# each web worker's requests, in order: a request starts with Frappe's first read
		requests: dict[tuple, list[list[str]]] = {}
		for event in seen:
			client, words = (event["client_address"], event["client_port"]), event["command"].split(" ")
			if "installed_app_modules" in event["command"]:
				requests.setdefault(client, []).append([])
			elif (
				client in requests
				and len(words) > 1
				and any(mark in words[1] for mark in ("|rl:scheduler:", "|scheduler_integration:"))
			):
				requests[client][-1].append((words[0], words[1].split("|", 1)[1]))
		warm = [app for worker in requests.values() for app in worker[2:] if app]
		self.assertTrue(warm, "some worker served a third read")
		for app in warm:
			self.assertEqual([command for command, _key in app[:2]], ["INCRBY", "PTTL"], app)
			self.assertTrue(all(command == "HMGET" for command, _key in app[2:]), app)
			self.assertEqual(
				{key for _command, key in app[2:]},
				{
					f"scheduler_integration:{name}"
					for name in (
						"settings",
						"page_slug",
						"meeting_type",
						"availability",
						"busy",
						"host_bookings",
					)
				},
				app,
			)

	def test_a_transaction_reads_each_version_once(self):
		"""Within one transaction a version Redis gave is reused (its rows are of one snapshot
		too); its own change is seen at once, another process's from its next transaction."""
		import redis

		from scheduler_integration.core.versioned_cache import VersionedCache

		cache = VersionedCache("scheduler_integration:test_memo")
		builds = []

		def build(keys):
			builds.append(tuple(keys))
			return {key: len(builds) for key in keys}

		frappe.db.rollback()
		try:
			cache.invalidate(["a"])
			frappe.db.commit()
			self.assertEqual(cache.get_many(["a"], build), {"a": 1})
			# another process publishes a change of "a": this transaction keeps the version it read
			redis.Redis.hset(frappe.cache, frappe.cache.make_key(cache.name), "a", b"elsewhere")
			self.assertEqual(cache.get_many(["a"], build), {"a": 1})
			frappe.db.rollback()
			self.assertEqual(cache.get_many(["a"], build), {"a": 2}, "the next transaction reads it")
			# a change made in this transaction is seen in it at once, and by the next
			cache.invalidate(["a"])
			self.assertEqual(cache.get_many(["a"], build), {"a": 3})
			frappe.db.commit()
			self.assertEqual(cache.get_many(["a"], build), {"a": 3}, "built under the version it committed")
		finally:
			frappe.db.sql("delete from `tabScheduler Cache Version` where cache=%s", cache.name)
			frappe.db.commit()
			frappe.cache.delete_value(cache.name)

	def test_versions_lost_from_redis_outdate_every_entry(self):
		"""``bench clear-cache`` (or anything clearing the site's Redis keys) loses the
		versions: an entry built before must not come back as current afterwards."""
		from scheduler_integration.booking import pages

		key = "scheduler_integration:page_slug"
		frappe.cache.delete_value(key)  # as a clear-cache before the entry was built
		self.assertIn("cache-call", pages.page("cache-host").types)
		# the slug changes behind the cache's back, then the versions are lost again
		frappe.db.sql("update `tabScheduler Meeting Type` set slug='cache-raw' where name=%s", self.mt)
		frappe.db.commit()
		self.assertIn("cache-call", pages.page("cache-host").types, "the entry is still current")
		frappe.cache.delete_value(key)
		frappe.db.rollback()  # a later request (a transaction reads each version once)
		try:
			self.assertEqual(pages.page("cache-host").types.get("cache-raw"), self.mt)
		finally:
			frappe.db.sql("update `tabScheduler Meeting Type` set slug='cache-call' where name=%s", self.mt)
			frappe.db.commit()
			pages.invalidate(["cache-host"])
			frappe.db.commit()

	def test_hours_built_after_a_change_are_shared_by_every_worker(self):
		"""A change of a host's hours builds them once, as it commits, for every worker to
		read from Redis (under the change's version); a later change is never answered with
		what was shared before it."""
		import pickle

		from scheduler_integration.booking import availability

		cache = availability.CACHE
		doc = self.availability()
		doc.weekly_rules[0].to_time = "16:00:00"
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		try:
			epoch, (version,) = cache._redis_versions([HOST])
			shared = frappe.cache.get(cache._shared_key(epoch, HOST, version))
			self.assertIsNotNone(shared, "built and shared as the change committed")
			self.assertEqual(pickle.loads(shared), availability._load([HOST])[HOST])
			# another worker (its own entries empty) reads what was shared, not the database
			frappe.cache.set(cache._shared_key(epoch, HOST, version), pickle.dumps("as shared"))
			cache.entries.clear()
			frappe.db.rollback()  # a new request
			self.assertEqual(availability.for_users([HOST])[HOST], "as shared")
			doc.reload()
			doc.weekly_rules[0].to_time = "17:00:00"
			doc.save(ignore_permissions=True)
			frappe.db.commit()
			cache.entries.clear()
			self.assertEqual(availability.for_users([HOST])[HOST], availability._load([HOST])[HOST])
		finally:
			cache.entries.clear()
			doc.reload()
			doc.weekly_rules[0].to_time = "17:00:00"
			doc.save(ignore_permissions=True)
			frappe.db.commit()

	def offered_here(self) -> set[str]:
		"""The day's slots as this process computes them, through its own caches."""
		ctx = type_context(self.mt)
		return {iso(s.start) for s in slots_for(ctx, self.day, self.day + timedelta(days=1), utc_now())}

	def test_a_stale_cache_never_lets_a_double_booking_through(self):
		connection = frappe.get_doc(
			{
				"doctype": "Scheduler Calendar Connection",
				"host": HOST,
				"provider": "ICS",
				"ics_url": "https://calendar.invalid/x.ics",
				"enabled": 1,
			}
		)
		connection.flags.ignore_permissions = True
		connection.insert()
		frappe.db.commit()
		self.assertIn(iso(self.at(11)), self.offered_here())  # warm this process's cache
		# busy time written behind the cache's back: no version bump
		frappe.db.sql(
			"""insert into `tabScheduler Busy Time` (name, connection, host, start, end, creation, modified)
			values (%s, %s, %s, %s, %s, now(), now())""",
			("stale-busy-1", connection.name, HOST, to_system(self.at(11)), to_system(self.at(12))),
		)
		frappe.db.commit()
		self.assertIn(iso(self.at(11)), self.offered_here(), "the stale cache still shows 11:00")
		r = self.book(11, "stale@example.org")
		self.assertEqual(
			(r.status_code, body(r)["reason"]), (409, "conflict"), "but the booking reads the rows"
		)
		# and two guests for one time: one booking, whatever the caches say
		first, second = self.book(14, "one@example.org"), self.book(14, "two@example.org")
		self.assertEqual(sorted([first.status_code, second.status_code]), [201, 409])
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.count("Scheduler Booking", {"host": HOST, "status": ("in", ["Pending", "Confirmed"])}),
			1,
		)


class CalendarFeed:
	"""A published calendar on 127.0.0.1 with one busy event."""

	def __init__(self, start, end):
		body_text = (
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:cache-1\r\n"
			f"DTSTART:{start.strftime('%Y%m%dT%H%M%SZ')}\r\nDTEND:{end.strftime('%Y%m%dT%H%M%SZ')}\r\n"
			"SUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		).encode()

		class Handler(http.server.BaseHTTPRequestHandler):
			def do_GET(self):
				self.send_response(200)
				self.send_header("Content-Type", "text/calendar")
				self.send_header("Content-Length", str(len(body_text)))
				self.end_headers()
				self.wfile.write(body_text)

			def log_message(self, *args):
				pass

		self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		threading.Thread(target=self.server.serve_forever, daemon=True).start()
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}/busy.ics"

	def close(self):
		self.server.shutdown()
