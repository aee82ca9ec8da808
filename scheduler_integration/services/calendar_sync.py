"""Calendar connections: busy time in, bookings out, and the host's ICS feed.

- **Busy in.** Every 15 minutes each enabled Scheduler Calendar Connection is read through
  its adapter (calendars/: ICS subscription, CalDAV, Google via the core Google Calendar
  authorisation) and its busy intervals for the next ``HORIZON_DAYS`` replace the
  connection's rows in Scheduler Busy Time. Guests never wait on a provider: slot searches
  read only that cache (``busy_for``, registered as ``scheduler_busy_source``).
- **Bookings out.** After a booking commits, its calendar write is attempted; a failure
  marks the booking's Calendar Sync as Failed with the error and a retry time, and a job
  retries with backoff (the booking itself is never touched: invariant 5).
- **Failures** of a connection increment ``error_count``, set ``next_retry_at`` with
  exponential backoff and show in the desk; the last good busy rows are kept meanwhile.
- Every URL fetched for a host goes through calendars.urlguard (private addresses refused
  unless Scheduler Settings → Allow Private Calendar Hosts).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe
from frappe import _

from scheduler_integration.engine.booking_rules import retry_delay
from scheduler_integration.engine.model import Interval
from scheduler_integration.engine.validation import clean_url
from scheduler_integration.services.settings import setting
from scheduler_integration.services.timeutil import to_system, to_utc, utc_now

HORIZON_DAYS = 90
MAX_WRITE_ATTEMPTS = 8


def validate_calendar_connection(doc) -> None:
	from scheduler_integration.permissions import is_manager
	from scheduler_integration.services.errors import FieldErrors

	errors = FieldErrors()
	doc.host = doc.host or frappe.session.user
	if doc.host != frappe.session.user and not is_manager():
		frappe.throw(_("You can only connect your own calendars"), frappe.PermissionError)
	if doc.provider == "ICS":
		url = (doc.ics_url or "").strip()
		if url.lower().startswith(("webcal://", "webcals://")):
			url = "https://" + url.split("://", 1)[1]
		doc.ics_url = errors.clean("ics_url", clean_url, url, "ics_url", required=True)
	elif doc.provider == "CalDAV":
		doc.caldav_url = errors.clean("caldav_url", clean_url, doc.caldav_url, "caldav_url", required=True)
	elif doc.provider == "Google" and not doc.google_calendar:
		errors.add("google_calendar", _("Pick the authorised Google Calendar to use"))
	if doc.write_bookings and not (doc.destination_calendar or "").strip() and doc.provider == "CalDAV":
		errors.add("destination_calendar", _("Give the calendar URL that bookings are added to"))
	errors.raise_if_any()


def _guard():
	from scheduler_integration.calendars.urlguard import URLGuard

	return URLGuard(allow_private=bool(setting("allow_private_calendar_hosts")))


def _host_zone(user: str) -> str:
	return (
		frappe.db.get_value("Scheduler Profile", {"user": user}, "timezone")
		or frappe.utils.get_system_timezone()
	)


def _calendars(doc) -> list[str]:
	return [line.strip() for line in (doc.check_calendars or "").splitlines() if line.strip()]


def _caldav(doc):
	from scheduler_integration.calendars.caldav_client import CalDAVAccount

	return CalDAVAccount(
		doc.caldav_url,
		username=doc.caldav_username or None,
		password=doc.get_password("caldav_password", raise_exception=False) or None,
		guard=_guard(),
	)


GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


def _google(doc):
	"""The adapter on the core Google Calendar authorisation (no second OAuth flow): the
	refresh token of the core Google Calendar document and the client of Google Settings.
	Site config ``scheduler_google_api_base`` / ``scheduler_google_token_uri`` point it at
	other endpoints (the tests' local Calendar v3 server)."""
	from google.oauth2.credentials import Credentials

	from scheduler_integration.calendars.google import GoogleCalendar

	core = frappe.get_doc("Google Calendar", doc.google_calendar)
	settings = frappe.get_single("Google Settings")
	credentials = Credentials(
		token=None,
		refresh_token=core.get_password("refresh_token", raise_exception=False),
		token_uri=frappe.conf.get("scheduler_google_token_uri") or GOOGLE_TOKEN_URI,
		client_id=settings.client_id,
		client_secret=settings.get_password("client_secret", raise_exception=False),
	)
	base = frappe.conf.get("scheduler_google_api_base")
	return GoogleCalendar(credentials=credentials, **({"base_url": base} if base else {}))


def _sync_google(doc, now: datetime) -> None:
	"""Incremental pull: events changed since each calendar's sync token update the cache;
	an expired token (410) or none means a full listing that replaces the calendar's rows."""
	import json

	from scheduler_integration.calendars.errors import FullSyncRequired

	google = _google(doc)
	tokens = json.loads(doc.sync_token or "{}")
	zone = _host_zone(doc.host)
	for calendar in _calendars(doc) or ["primary"]:
		token = tokens.get(calendar)
		try:
			changes, next_token = google.list_changes(calendar, token, host_timezone=zone)
		except FullSyncRequired:
			token = None
			changes, next_token = google.list_changes(calendar, None, host_timezone=zone)
		if token is None:
			frappe.db.delete("Scheduler Busy Time", {"connection": doc.name, "calendar": calendar})
		for change in changes:
			frappe.db.delete(
				"Scheduler Busy Time", {"connection": doc.name, "calendar": calendar, "source_id": change.id}
			)
			if change.busy and change.interval and change.interval.end > now - timedelta(days=1):
				_insert_busy(doc, change.interval, calendar, change.id)
		tokens[calendar] = next_token
	frappe.db.set_value("Scheduler Calendar Connection", doc.name, "sync_token", json.dumps(tokens))


def _insert_busy(doc, interval, calendar: str | None = None, source_id: str | None = None) -> None:
	frappe.get_doc(
		{
			"doctype": "Scheduler Busy Time",
			"connection": doc.name,
			"host": doc.host,
			"start": to_system(interval.start),
			"end": to_system(interval.end),
			"calendar": calendar,
			"source_id": source_id,
		}
	).db_insert()


def fetch_busy(doc, start: datetime, end: datetime) -> list[Interval]:
	if doc.provider == "ICS":
		from scheduler_integration.calendars.ics_feed import fetch_busy as fetch_ics

		return fetch_ics(doc.ics_url, (start, end), _host_zone(doc.host), _guard().get)
	if doc.provider == "CalDAV":
		account = _caldav(doc)
		try:
			urls = _calendars(doc) or [c.url for c in account.calendars()]
			return account.busy(urls, start, end, _host_zone(doc.host))
		finally:
			account.close()
	if doc.provider == "Google":
		return _google(doc).free_busy(_calendars(doc) or ["primary"], start, end)
	return []


def refresh_busy(name: str, now: datetime | None = None) -> bool:
	"""Replace the connection's cached busy time; record the error and back off on failure."""
	now = now or utc_now()
	doc = frappe.get_doc("Scheduler Calendar Connection", name)
	try:
		if doc.provider == "Google":
			_sync_google(doc, now)
			intervals = None
		else:
			intervals = fetch_busy(doc, now - timedelta(days=1), now + timedelta(days=HORIZON_DAYS))
	except Exception as exc:
		frappe.db.rollback()
		count = int(doc.error_count or 0) + 1
		frappe.db.set_value(
			"Scheduler Calendar Connection",
			name,
			{
				"status": "Error",
				"error_count": count,
				"last_error": f"{type(exc).__name__}: {exc}"[:1000],
				"next_retry_at": to_system(now + retry_delay(count)),
			},
		)
		frappe.db.commit()
		return False
	if intervals is not None:  # full replacement for feeds and CalDAV
		frappe.db.delete("Scheduler Busy Time", {"connection": name})
		for interval in intervals:
			_insert_busy(doc, interval)
	frappe.db.set_value(
		"Scheduler Calendar Connection",
		name,
		{
			"status": "OK",
			"error_count": 0,
			"last_error": None,
			"next_retry_at": None,
			"last_sync": to_system(now),
		},
	)
	frappe.db.commit()
	return True


def refresh_due(now: datetime | None = None) -> int:
	"""Every 15 minutes: refresh every enabled connection not backing off."""
	now = now or utc_now()
	names = frappe.get_all(
		"Scheduler Calendar Connection", filters={"enabled": 1}, fields=["name", "next_retry_at"]
	)
	count = 0
	for row in names:
		if row.next_retry_at and to_utc(row.next_retry_at) > now:
			continue
		frappe.enqueue(
			"scheduler_integration.jobs.calendar.refresh_connection",
			queue="long",
			connection=row.name,
			job_id=f"scheduler-busy-{row.name}",
			deduplicate=True,
		)
		count += 1
	return count


def busy_for(user: str, start: datetime, end: datetime) -> list[Interval]:
	"""scheduler_busy_source: external busy time of ``user`` overlapping [start, end).

	From the cache, except for connections read fresh during this request (``fresh_check``
	on the booking path), whose fresh answer replaces their cached rows.
	"""
	fresh = getattr(frappe.local, "scheduler_fresh_busy", None) or {}
	rows = frappe.get_all(
		"Scheduler Busy Time",
		filters={"host": user, "end": (">", to_system(start)), "start": ("<", to_system(end))},
		fields=["start", "end", "connection"],
		order_by="start",
	)
	out = []
	for row in rows:
		s, e = to_utc(row.start), to_utc(row.end)
		if row.connection in fresh:
			_host, _intervals, lo, hi = fresh[row.connection]
			if s >= lo and e <= hi:
				continue  # inside the freshly read window: the fresh answer replaces it
		if e > s:
			out.append(Interval(s, e))
	for host, intervals, _lo, _hi in fresh.values():
		if host == user:
			out.extend(i for i in intervals if i.end > start and i.start < end)
	return out


FRESH_DEADLINE = 2.0  # seconds a booking may wait for the providers, all together


def _prepared_fetch(doc, start: datetime, end: datetime):
	"""A zero-argument callable that reads ``doc``'s busy time without touching frappe
	(everything from the database is read here, in the request's thread)."""
	from scheduler_integration.calendars.urlguard import URLGuard

	zone = _host_zone(doc.host)
	guard = URLGuard(allow_private=bool(setting("allow_private_calendar_hosts")), timeout=FRESH_DEADLINE)
	if doc.provider == "ICS":
		from scheduler_integration.calendars.ics_feed import fetch_busy as fetch_ics

		url = doc.ics_url
		return lambda: fetch_ics(url, (start, end), zone, guard.get)
	if doc.provider == "CalDAV":
		from scheduler_integration.calendars.caldav_client import CalDAVAccount

		url, user = doc.caldav_url, doc.caldav_username or None
		password = doc.get_password("caldav_password", raise_exception=False) or None
		calendars = _calendars(doc)

		def caldav_busy():
			account = CalDAVAccount(
				url, username=user, password=password, guard=guard, timeout=FRESH_DEADLINE
			)
			try:
				return account.busy(calendars or [c.url for c in account.calendars()], start, end, zone)
			finally:
				account.close()

		return caldav_busy
	if doc.provider == "Google":
		google = _google(doc)
		calendars = _calendars(doc) or ["primary"]
		return lambda: google.free_busy(calendars, start, end)
	return None


def fresh_check(users: list[str], start: datetime, end: datetime) -> dict:
	"""One bounded fresh read of the hosts' calendars for the booking path.

	All connections are read in parallel; whatever answers within ``FRESH_DEADLINE``
	seconds replaces the cache for this request, the rest falls back to the cache. A slow
	or failing provider therefore never blocks a booking for more than the deadline.
	Returns {connection: (host, intervals, window start, window end)}.
	"""
	from concurrent.futures import ThreadPoolExecutor, wait

	connections = frappe.get_all(
		"Scheduler Calendar Connection",
		filters={"host": ("in", users), "enabled": 1},
		pluck="name",
	)
	jobs = {}
	for name in connections:
		doc = frappe.get_doc("Scheduler Calendar Connection", name)
		try:
			fetch = _prepared_fetch(doc, start, end)
		except Exception:
			continue  # the cache answers for this one
		if fetch:
			jobs[name] = (doc.host, fetch)
	if not jobs:
		return {}
	pool = ThreadPoolExecutor(max_workers=min(8, len(jobs)), thread_name_prefix="scheduler-fresh")
	futures = {pool.submit(fetch): (name, host) for name, (host, fetch) in jobs.items()}
	done, _pending = wait(futures, timeout=FRESH_DEADLINE)
	pool.shutdown(wait=False, cancel_futures=True)  # never wait for the slow ones
	results = {}
	for future in done:
		if future.exception() is None:
			name, host = futures[future]
			results[name] = (host, list(future.result()), start, end)
	return results


# --- bookings out -----------------------------------------------------------------------


def _writers(host: str) -> list:
	names = frappe.get_all(
		"Scheduler Calendar Connection",
		filters={"host": host, "enabled": 1, "write_bookings": 1},
		pluck="name",
	)
	return [frappe.get_doc("Scheduler Calendar Connection", n) for n in names]


def _draft(booking):
	from scheduler_integration.calendars.model import Attendee, EventDraft
	from scheduler_integration.services.notifications import plain

	title = frappe.db.get_value("Scheduler Meeting Type", booking.meeting_type, "title")
	return EventDraft(
		start=to_utc(booking.start),
		end=to_utc(booking.end),
		summary=f"{title}: {plain(booking.guest_name)}"[:200],
		description=plain(booking.notes)[:2000],
		location=booking.meeting_link or plain(booking.location),
		timezone=_host_zone(booking.host),
		attendees=(Attendee(booking.guest_email, plain(booking.guest_name)),),
		uid=booking.ical_uid or f"{booking.name}@scheduler_integration",
		sequence=int(booking.sequence or 0),
		status="tentative" if booking.status == "Pending" else "confirmed",
		private={"scheduler_booking": booking.name},
	)


def write_booking(booking, event: str) -> None:
	"""Create, move or remove the booking's event in each connected destination calendar."""
	for connection in _writers(booking.host):
		if connection.provider == "CalDAV":
			account = _caldav(connection)
			try:
				if event in ("cancelled", "declined"):
					account.delete_event(connection.destination_calendar, _draft(booking).uid)
				else:
					account.save_event(connection.destination_calendar, _draft(booking))
			finally:
				account.close()
		elif connection.provider == "Google":
			google = _google(connection)
			calendar = connection.destination_calendar or "primary"
			if event in ("cancelled", "declined"):
				if booking.calendar_event_id:
					google.delete_event(calendar, booking.calendar_event_id)
			elif booking.calendar_event_id and event == "rescheduled":
				google.patch_event(calendar, booking.calendar_event_id, _draft(booking))
			else:
				location = frappe.db.get_value(
					"Scheduler Meeting Type", booking.meeting_type, "location_type"
				)
				event_id, meet = google.insert_event(
					calendar, _draft(booking), with_meet=location == "Google Meet"
				)
				values = {"calendar_event_id": event_id}
				if meet:
					values["meeting_link"] = meet
				frappe.db.set_value("Scheduler Booking", booking.name, values, update_modified=False)


def on_booking_event(booking, event: str, now: datetime | None = None) -> None:
	"""scheduler_booking_effects hook: write the booking to the host's calendars (outbox)."""
	if event not in ("booked", "pending", "confirmed", "rescheduled", "cancelled", "declined"):
		return
	if not _writers(booking.host):
		return
	now = now or utc_now()
	attempts = int(frappe.db.get_value("Scheduler Booking", booking.name, "calendar_sync_attempts") or 0)
	try:
		write_booking(booking, event)
	except Exception as exc:
		frappe.db.rollback()
		attempts += 1
		status = "Failed" if attempts >= MAX_WRITE_ATTEMPTS else "Pending"
		frappe.db.set_value(
			"Scheduler Booking",
			booking.name,
			{
				"calendar_sync_status": status,
				"calendar_sync_attempts": attempts,
				"calendar_sync_error": f"{event}: {type(exc).__name__}: {exc}"[:1000],
				"calendar_retry_at": to_system(now + retry_delay(attempts)),
			},
			update_modified=False,
		)
		frappe.db.commit()
		return
	frappe.db.set_value(
		"Scheduler Booking",
		booking.name,
		{"calendar_sync_status": "Synced", "calendar_sync_error": None, "calendar_retry_at": None},
		update_modified=False,
	)
	frappe.db.commit()


def retry_writes(now: datetime | None = None) -> int:
	"""Every 5 minutes: retry calendar writes that failed, once their backoff passed."""
	now = now or utc_now()
	rows = frappe.get_all(
		"Scheduler Booking",
		filters={"calendar_sync_status": "Pending", "calendar_retry_at": ("<=", to_system(now))},
		fields=["name", "status"],
		limit=200,
	)
	for row in rows:
		event = "cancelled" if row.status == "Cancelled" else "booked"
		on_booking_event(frappe.get_doc("Scheduler Booking", row.name), event, now)
	return len(rows)


# --- the host's own ICS feed ------------------------------------------------------------


def feed_token(profile) -> str:
	"""The host's secret feed token (HMAC of a stored nonce; only its SHA-256 is looked up)."""
	from scheduler_integration.services.booking import hash_token, token_for_nonce

	if not profile.feed_nonce:
		import secrets

		profile.db_set("feed_nonce", secrets.token_hex(16), update_modified=False)
	token = token_for_nonce("feed:" + profile.feed_nonce)
	if profile.feed_token_hash != hash_token(token):
		profile.db_set("feed_token_hash", hash_token(token), update_modified=False)
	return token


def feed_for_token(token: str) -> str | None:
	"""The ICS feed of the profile whose secret feed token this is (None if unknown)."""
	from scheduler_integration.engine.ics import build_feed
	from scheduler_integration.services.booking import hash_token
	from scheduler_integration.services.notifications import booking_event

	row = frappe.db.get_value(
		"Scheduler Profile",
		{"feed_token_hash": hash_token(token or "")},
		["user", "display_name"],
		as_dict=True,
	)
	if row:
		bookings = frappe.get_all(
			"Scheduler Booking",
			filters={
				"host": row.user,
				"status": ("in", ["Pending", "Confirmed"]),
				"end": (">", to_system(utc_now() - timedelta(days=30))),
			},
			fields=[
				"name",
				"meeting_type",
				"start",
				"end",
				"guest_name",
				"guest_email",
				"notes",
				"location",
				"meeting_link",
				"ical_uid",
				"sequence",
				"status",
			],
			order_by="start",
			limit=2000,
		)
		titles = dict(frappe.get_all("Scheduler Meeting Type", fields=["name", "title"], as_list=True))
		events = [booking_event(b, titles.get(b.meeting_type, "")) for b in bookings]
		return build_feed(events, f"{row.display_name} — bookings", utc_now())
	return None
