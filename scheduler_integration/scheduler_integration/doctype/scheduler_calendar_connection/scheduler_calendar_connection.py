# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""A host's calendar connection: busy time in (cached), bookings out (an effect).

The provider-specific part is one small account class per provider, found in
``ACCOUNTS`` by the connection's provider; everything else is the same for all of them.
Guests never wait on a provider: slot reads use the Scheduler Busy Time cache, which
``refresh_busy`` replaces every 15 minutes (Google incrementally by sync token). Failures
are recorded on the connection with a backoff (``engine.booking_rules.retry_delay``).
"""

import json
from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import busy
from scheduler_integration.calendars.errors import FullSyncRequired
from scheduler_integration.calendars.model import EventDraft
from scheduler_integration.calendars.urlguard import URLGuard
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.errors import FieldErrors
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.booking_rules import retry_delay
from scheduler_integration.engine.validation import clean_url

HORIZON_DAYS = 90
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


class SchedulerCalendarConnection(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		caldav_password: DF.Password | None
		caldav_url: DF.SmallText | None
		caldav_username: DF.Data | None
		check_calendars: DF.SmallText | None
		destination_calendar: DF.Data | None
		enabled: DF.Check
		error_count: DF.Int
		google_calendar: DF.Link | None
		host: DF.Link
		ics_url: DF.Password | None
		last_error: DF.SmallText | None
		last_sync: DF.Datetime | None
		next_retry_at: DF.Datetime | None
		provider: DF.Literal["ICS", "CalDAV", "Google"]
		status: DF.Literal["Not Synced", "OK", "Error"]
		sync_token: DF.SmallText | None
		write_bookings: DF.Check
	# end: auto-generated types

	def validate(self):
		errors = FieldErrors()
		self.host = self.host or frappe.session.user
		if self.host != frappe.session.user and not is_manager():
			frappe.throw(_("You can only connect your own calendars"), frappe.PermissionError)
		if self.provider == "ICS" and not (self.ics_url and self.is_dummy_password(self.ics_url)):
			url = (self.ics_url or "").strip()
			if url.lower().startswith(("webcal://", "webcals://")):
				url = "https://" + url.split("://", 1)[1]
			self.ics_url = errors.clean("ics_url", clean_url, url, "ics_url", required=True)
		elif self.provider == "CalDAV":
			self.caldav_url = errors.clean(
				"caldav_url", clean_url, self.caldav_url, "caldav_url", required=True
			)
			if self.write_bookings and not (self.destination_calendar or "").strip():
				errors.add("destination_calendar", _("Give the calendar URL that bookings are added to"))
		elif self.provider == "Google" and not self.google_calendar:
			errors.add("google_calendar", _("Pick the authorised Google Calendar to use"))
		errors.raise_if_any()

	def on_update(self):
		if not self.enabled:
			frappe.db.delete("Scheduler Busy Time", {"connection": self.name})
		busy.invalidate([self.host])

	def on_trash(self):
		frappe.db.delete("Scheduler Busy Time", {"connection": self.name})
		busy.invalidate([self.host])

	# --- the provider --------------------------------------------------------------------

	def calendars(self) -> list[str]:
		return [line.strip() for line in (self.check_calendars or "").splitlines() if line.strip()]

	def account(self, timeout: float | None = None):
		"""The provider's account object (see ``ACCOUNTS``), credentials filled in."""
		guard = URLGuard(
			allow_private=bool(setting("allow_private_calendar_hosts")),
			**({"timeout": timeout} if timeout else {}),
		)
		return ACCOUNTS[self.provider](self, guard, timeout)

	def busy_reader(self, start: datetime, end: datetime, timeout: float):
		"""A zero-argument callable reading this calendar's busy time without touching
		frappe (everything from the database is read now, in the caller's thread)."""
		account = self.account(timeout)
		calendars, zone = self.calendars(), host_timezone(self.host)
		return lambda: account.busy(calendars, start, end, zone)

	# --- busy time in ------------------------------------------------------------------

	def refresh_busy(self, now: datetime | None = None) -> bool:
		"""Replace the cached busy time; record the error and back off on failure."""
		now = now or utc_now()
		try:
			account = self.account()
			if hasattr(account, "changes"):
				self._sync_changes(account, now)
			else:
				intervals = account.busy(
					self.calendars(),
					now - timedelta(days=1),
					now + timedelta(days=HORIZON_DAYS),
					host_timezone(self.host),
				)
				frappe.db.delete("Scheduler Busy Time", {"connection": self.name})
				for interval in intervals:
					self._insert_busy(interval)
		except Exception as exc:
			frappe.db.rollback()
			count = int(self.error_count or 0) + 1
			self.db_set(
				{
					"status": "Error",
					"error_count": count,
					"last_error": f"{type(exc).__name__}: {exc}"[:1000],
					"next_retry_at": to_system(now + retry_delay(count)),
				},
				update_modified=False,
			)
			frappe.db.commit()
			return False
		busy.invalidate([self.host])
		self.db_set(
			{
				"status": "OK",
				"error_count": 0,
				"last_error": None,
				"next_retry_at": None,
				"last_sync": to_system(now),
			},
			update_modified=False,
		)
		frappe.db.commit()
		return True

	def _sync_changes(self, account, now: datetime) -> None:
		"""Incremental pull: changes since each calendar's sync token update the cache; an
		expired token (410) or none means a full listing that replaces the calendar's rows."""
		tokens = json.loads(self.sync_token or "{}")
		zone = host_timezone(self.host)
		for calendar in self.calendars() or ["primary"]:
			token = tokens.get(calendar)
			try:
				changes, next_token = account.changes(calendar, token, zone)
			except FullSyncRequired:
				token = None
				changes, next_token = account.changes(calendar, None, zone)
			if token is None:
				frappe.db.delete("Scheduler Busy Time", {"connection": self.name, "calendar": calendar})
			for change in changes:
				frappe.db.delete(
					"Scheduler Busy Time",
					{"connection": self.name, "calendar": calendar, "source_id": change.id},
				)
				if change.busy and change.interval and change.interval.end > now - timedelta(days=1):
					self._insert_busy(change.interval, calendar, change.id)
			tokens[calendar] = next_token
		self.db_set("sync_token", json.dumps(tokens), update_modified=False)

	def _insert_busy(self, interval, calendar: str | None = None, source_id: str | None = None) -> None:
		frappe.get_doc(
			{
				"doctype": "Scheduler Busy Time",
				"connection": self.name,
				"host": self.host,
				"start": to_system(interval.start),
				"end": to_system(interval.end),
				"calendar": calendar,
				"source_id": source_id,
			}
		).db_insert()

	# --- bookings out ------------------------------------------------------------------

	def write_booking(
		self, draft: EventDraft, event_id: str | None, with_meet: bool
	) -> tuple[str, str | None]:
		"""Create or move the booking's event; returns (event id, video link or None)."""
		return self.account().write(self.destination_calendar, draft, event_id, with_meet)

	def delete_booking(self, draft: EventDraft, event_id: str | None) -> None:
		self.account().delete(self.destination_calendar, draft, event_id)


# --- one account class per provider ------------------------------------------------------


class IcsAccount:
	"""A published calendar (ICS URL): read-only."""

	def __init__(self, doc, guard, timeout):
		self.url, self.guard = doc.get_password("ics_url", raise_exception=False), guard

	def busy(self, calendars, start, end, zone):
		from scheduler_integration.calendars.ics_feed import fetch_busy

		return fetch_busy(self.url, (start, end), zone, self.guard.get)

	def write(self, *args):
		raise frappe.ValidationError(_("A published calendar (ICS) cannot receive bookings"))

	delete = write


class CalDAVAccount:
	def __init__(self, doc, guard, timeout):
		self.url, self.user = doc.caldav_url, doc.caldav_username or None
		self.password = doc.get_password("caldav_password", raise_exception=False) or None
		self.guard, self.timeout = guard, timeout

	def _open(self):
		from scheduler_integration.calendars.caldav_client import CalDAVAccount as Client

		return Client(
			self.url,
			username=self.user,
			password=self.password,
			guard=self.guard,
			**({"timeout": self.timeout} if self.timeout else {}),
		)

	def busy(self, calendars, start, end, zone):
		client = self._open()
		try:
			return client.busy(calendars or [c.url for c in client.calendars()], start, end, zone)
		finally:
			client.close()

	def write(self, calendar, draft, event_id, with_meet):
		client = self._open()
		try:
			uid, _url = client.save_event(calendar, draft)
			return uid, None
		finally:
			client.close()

	def delete(self, calendar, draft, event_id):
		client = self._open()
		try:
			client.delete_event(calendar, event_id or draft.uid)
		finally:
			client.close()


class GoogleAccount:
	"""Google Calendar on the core Google Calendar authorisation (no second OAuth flow): the
	refresh token of the core Google Calendar document and the client of Google Settings.
	Site config ``scheduler_google_api_base`` / ``scheduler_google_token_uri`` point it at
	other endpoints (the tests' local Calendar v3 server)."""

	def __init__(self, doc, guard, timeout):
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
		self.client = GoogleCalendar(credentials=credentials, **({"base_url": base} if base else {}))

	def busy(self, calendars, start, end, zone):
		return self.client.free_busy(calendars or ["primary"], start, end)

	def changes(self, calendar, token, zone):
		return self.client.list_changes(calendar, token, host_timezone=zone)

	def write(self, calendar, draft, event_id, with_meet):
		calendar = calendar or "primary"
		if event_id:
			self.client.patch_event(calendar, event_id, draft)
			return event_id, None
		return self.client.insert_event(calendar, draft, with_meet=with_meet)

	def delete(self, calendar, draft, event_id):
		if event_id:
			self.client.delete_event(calendar or "primary", event_id)


ACCOUNTS = {"ICS": IcsAccount, "CalDAV": CalDAVAccount, "Google": GoogleAccount}
