# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""A host's connection to a provider: busy time in (cached), bookings out and meeting links
(effects), and its health (status, last error, next retry).

What a provider is and does comes from the registry (``calendars.providers.REGISTRY``):
``provider`` holds a row's label, and the row names the adapters, whether the provider has
a calendar (busy time, incremental sync, writes) and which meeting locations it makes links
for. The only Frappe-side difference between providers is the kind of credentials their
adapters take (``ProviderSpec.auth``), and that is one small class per kind in
``CREDENTIALS``: a secret feed URL, a CalDAV password, the core Google integration, or the
tokens of a core Connected App (any OAuth provider whose adapters take a ``TokenSource``:
Microsoft 365, Zoom). A new provider is an adapter module and a registry row.

Guests never wait on a provider: slot reads use the Scheduler Busy Time cache, which
``refresh_busy`` replaces every 15 minutes (incrementally where the provider can: Google
sync tokens, Microsoft delta links). Failures are recorded here with a backoff
(``engine.booking_rules.retry_wait``); a refused authorisation shows as *Needs Reconnect*,
and the form's Reconnect button starts the provider's authorisation again.
"""

import json
from contextlib import closing, nullcontext
from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import busy
from scheduler_integration.calendars.errors import (
	FullSyncRequired,
	ProviderAuthError,
	ProviderError,
)
from scheduler_integration.calendars.model import EventDraft
from scheduler_integration.calendars.oauth import StaticToken
from scheduler_integration.calendars.providers import REGISTRY, by_label
from scheduler_integration.calendars.urlguard import URLGuard
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.errors import FieldErrors, provider_error_text
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.core.oauth_tokens import ConnectedAppTokens, authorization_url
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.booking_rules import retry_wait
from scheduler_integration.engine.meetings import Source
from scheduler_integration.engine.validation import clean_url

HORIZON_DAYS = 90
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
STATUS_OK, STATUS_RECONNECT, STATUS_ERROR = "Connected", "Needs Reconnect", "Error"


class SchedulerCalendarConnection(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		account_id: DF.Data | None
		account_wide: DF.Check
		caldav_password: DF.Password | None
		caldav_url: DF.SmallText | None
		caldav_username: DF.Data | None
		check_calendars: DF.SmallText | None
		connected_app: DF.Link | None
		destination_calendar: DF.Data | None
		enabled: DF.Check
		error_count: DF.Int
		google_calendar: DF.Link | None
		host: DF.Link
		ics_url: DF.Password | None
		last_error: DF.SmallText | None
		last_sync: DF.Datetime | None
		next_retry_at: DF.Datetime | None
		provider: DF.Literal["Google", "Microsoft 365", "CalDAV", "ICS", "Zoom"]
		status: DF.Literal["Not Synced", "Connected", "Needs Reconnect", "Error"]
		sync_token: DF.LongText | None
		write_bookings: DF.Check
	# end: auto-generated types

	def validate(self):
		errors = FieldErrors()
		self.host = self.host or frappe.session.user
		if self.host != frappe.session.user and not is_manager():
			frappe.throw(_("You can only connect your own calendars"), frappe.PermissionError)
		try:
			spec = self.spec()
		except ProviderError:
			errors.add("provider", _("Choose one of: {0}").format(", ".join(provider_labels())))
			errors.raise_if_any()
		if not spec.calendar:  # a video-only provider (Zoom): no calendars, nothing written
			self.write_bookings, self.check_calendars, self.destination_calendar = 0, None, None
		if self.write_bookings and not spec.writable:
			errors.add("write_bookings", _("{0} cannot receive bookings").format(_(spec.label)))
		if self.account_wide:
			if not spec.app_tokens:
				errors.add(
					"account_wide", _("{0} has no account-level app; connect each host").format(_(spec.label))
				)
			elif not is_manager():
				errors.add("account_wide", _("Only a Scheduler Manager can connect an app for every host"))
		self.credentials().validate(self, errors)
		errors.raise_if_any()

	def on_update(self):
		if not self.enabled or not self.spec().calendar:
			frappe.db.delete("Scheduler Busy Time", {"connection": self.name})
		busy.invalidate([self.host])

	def on_trash(self):
		frappe.db.delete("Scheduler Busy Time", {"connection": self.name})
		busy.invalidate([self.host])

	def onload(self):
		self.set_onload("provider", provider_info(self.spec()) if self.provider else {})

	# --- the provider ------------------------------------------------------------------

	def spec(self):
		return by_label(self.provider)

	def credentials(self):
		return CREDENTIALS[self.spec().auth]

	def calendars(self) -> list[str]:
		return [line.strip() for line in (self.check_calendars or "").splitlines() if line.strip()]

	def calendar_adapter(self, timeout: float | None = None, fresh: bool = False):
		"""The provider's calendar adapter with this connection's credentials; ``fresh``: only
		credentials usable without renewing them (None when there are none)."""
		kwargs = self.credentials().kwargs(self, timeout=timeout, fresh=fresh)
		if kwargs is None:
			return None
		return self.spec().open_calendar(**kwargs)

	def video_adapter(self, user: str):
		"""The provider's video adapter acting for ``user`` (an account-wide app makes the
		meeting in that user's account, found by their email address)."""
		spec = self.spec()
		kwargs = self.credentials().kwargs(self)
		if self.account_wide and spec.account_user:
			kwargs[spec.account_user] = frappe.db.get_value("User", user, "email") or user
		return spec.open_video(**kwargs)

	def busy_reader(self, start: datetime, end: datetime, timeout: float):
		"""A zero-argument callable reading this calendar's busy time without touching
		frappe (everything from the database is read now, in the caller's thread), or None
		when the connection has no calendar or no credentials usable right now."""
		if not self.spec().calendar:
			return None
		account = self.calendar_adapter(timeout, fresh=True)
		if account is None:
			return None
		calendars, zone = self.credentials().calendars(self, account), host_timezone(self.host)

		def read():
			with _closing(account):
				return account.busy(calendars, start, end, zone)

		return read

	def is_authorised(self) -> bool:
		return self.credentials().authorised(self)

	def link_source(self) -> Source:
		"""This connection as the engine sees a maker of meeting links."""
		return Source(
			connection=self.name,
			provider=self.spec().name,
			host=self.host,
			usable=bool(self.enabled) and self.status != STATUS_RECONNECT and self.is_authorised(),
			writes_bookings=bool(self.write_bookings),
			account_wide=bool(self.account_wide),
		)

	def authorize_url(self, success_uri: str) -> str | None:
		"""Where the host authorises the provider (again); None for providers without OAuth."""
		return self.credentials().authorize_url(self, success_uri)

	# --- health ------------------------------------------------------------------------

	def record_failure(self, exc: Exception, now: datetime | None = None) -> None:
		"""Show the failure on the connection and back off its sync (the caller commits)."""
		now = now or utc_now()
		count = int(self.error_count or 0) + 1
		refused = isinstance(exc, ProviderAuthError)
		values = {
			"status": STATUS_RECONNECT if refused else STATUS_ERROR,
			"error_count": count,
			"last_error": provider_error_text(exc),
			"next_retry_at": to_system(now + retry_wait(count, getattr(exc, "retry_after", None))),
		}
		self.db_set(values, update_modified=False)

	def record_success(self, now: datetime | None = None, synced: bool = False) -> None:
		values = {"status": STATUS_OK, "error_count": 0, "last_error": None, "next_retry_at": None}
		if synced:
			values["last_sync"] = to_system(now or utc_now())
		if any(self.get(k) != v for k, v in values.items()):
			self.db_set(values, update_modified=False)

	# --- busy time in ------------------------------------------------------------------

	def refresh_busy(self, now: datetime | None = None) -> bool:
		"""Replace the cached busy time; record the error and back off on failure."""
		now = now or utc_now()
		spec = self.spec()
		if not spec.calendar:
			return True
		try:
			account = self.calendar_adapter()
			with _closing(account):
				if spec.incremental:
					self._sync_changes(account, now)
				else:
					intervals = account.busy(
						self.credentials().calendars(self, account),
						now - timedelta(days=1),
						now + timedelta(days=HORIZON_DAYS),
						host_timezone(self.host),
					)
					frappe.db.delete("Scheduler Busy Time", {"connection": self.name})
					for interval in intervals:
						self._insert_busy(interval)
		except Exception as exc:
			frappe.db.rollback()
			self.reload()
			self.record_failure(exc, now)
			frappe.db.commit()
			return False
		busy.invalidate([self.host])
		self.record_success(now, synced=True)
		frappe.db.commit()
		return True

	def _sync_changes(self, account, now: datetime) -> None:
		"""Incremental pull: changes since each calendar's sync token (Google) or delta link
		(Microsoft) update the cache; an expired token or none means a full listing that
		replaces the calendar's rows."""
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

	def write_booking(self, draft: EventDraft, event_id: str | None, with_meeting: bool = False):
		"""Create or move the booking's event; returns (event id, ``Meeting`` or None): with
		``with_meeting`` the provider's own video link on the event (Meet, Teams)."""
		account = self.calendar_adapter()
		with _closing(account):
			return account.write(self.destination_calendar or "primary", draft, event_id, with_meeting)

	def delete_booking(self, draft: EventDraft, event_id: str | None) -> None:
		"""Remove the booking's event (adapters without the id find it by the draft's uid,
		or know there is none); already gone is fine."""
		account = self.calendar_adapter()
		with _closing(account):
			account.delete(self.destination_calendar or "primary", draft, event_id)


def _closing(account):
	return closing(account) if hasattr(account, "close") else nullcontext(account)


def provider_labels() -> list[str]:
	return [spec.label for spec in REGISTRY.values()]


def provider_info(spec) -> dict:
	"""What the form needs to know of a provider to show the right fields."""
	return {
		"label": spec.label,
		"auth": spec.auth,
		"calendar": bool(spec.calendar),
		"writable": bool(spec.writable),
		"video": bool(spec.video),
		"locations": list(spec.locations),
		"account_app": bool(spec.app_tokens),
	}


def api_base(spec, default: str | None = None) -> dict:
	"""A site-config override of a provider's API address (``scheduler_provider_api``:
	{provider: URL}), for the tests' local peers; production uses the adapters' defaults."""
	bases = frappe.conf.get("scheduler_provider_api") or {}
	base = bases.get(spec.name) if isinstance(bases, dict) else None
	base = base or default
	return {"base_url": base} if base else {}


# --- one class per kind of credentials (ProviderSpec.auth) ----------------------------------


class FeedURL:
	"""A published calendar: the secret ICS URL is the credential (stored encrypted)."""

	@staticmethod
	def validate(doc, errors: FieldErrors) -> None:
		if doc.ics_url and doc.is_dummy_password(doc.ics_url):
			return
		url = (doc.ics_url or "").strip()
		if url.lower().startswith(("webcal://", "webcals://")):
			url = "https://" + url.split("://", 1)[1]
		doc.ics_url = errors.clean("ics_url", clean_url, url, "ics_url", required=True)

	@staticmethod
	def kwargs(doc, timeout=None, fresh=False) -> dict:
		return {"fetcher": _guard(timeout).get}

	@staticmethod
	def calendars(doc, adapter) -> list[str]:
		return [doc.get_password("ics_url", raise_exception=False)]

	@staticmethod
	def authorised(doc) -> bool:
		return True

	@staticmethod
	def authorize_url(doc, success_uri):
		return None


class Password:
	"""A CalDAV server: URL, user name and an app password."""

	@staticmethod
	def validate(doc, errors: FieldErrors) -> None:
		doc.caldav_url = errors.clean("caldav_url", clean_url, doc.caldav_url, "caldav_url", required=True)
		if doc.write_bookings and not (doc.destination_calendar or "").strip():
			errors.add("destination_calendar", _("Give the calendar URL that bookings are added to"))

	@staticmethod
	def kwargs(doc, timeout=None, fresh=False) -> dict:
		return {
			"url": doc.caldav_url,
			"username": doc.caldav_username or None,
			"password": doc.get_password("caldav_password", raise_exception=False) or None,
			"guard": _guard(timeout),
			**({"timeout": timeout} if timeout else {}),
		}

	@staticmethod
	def calendars(doc, adapter) -> list[str]:
		return doc.calendars() or [c.url for c in adapter.calendars()]

	@staticmethod
	def authorised(doc) -> bool:
		return True

	@staticmethod
	def authorize_url(doc, success_uri):
		return None


class GoogleIntegration:
	"""Google on the core Google Calendar authorisation (no second OAuth flow): the refresh
	token of the core Google Calendar document and the client of Google Settings. Site
	config ``scheduler_google_api_base`` / ``scheduler_google_token_uri`` point it at other
	endpoints (the tests' local Calendar v3 server)."""

	@staticmethod
	def validate(doc, errors: FieldErrors) -> None:
		if not doc.google_calendar:
			errors.add("google_calendar", _("Pick the authorised Google Calendar to use"))

	@staticmethod
	def kwargs(doc, timeout=None, fresh=False) -> dict:
		from google.oauth2.credentials import Credentials

		core = frappe.get_doc("Google Calendar", doc.google_calendar)
		settings = frappe.get_single("Google Settings")
		credentials = Credentials(
			token=None,
			refresh_token=core.get_password("refresh_token", raise_exception=False),
			token_uri=frappe.conf.get("scheduler_google_token_uri") or GOOGLE_TOKEN_URI,
			client_id=settings.client_id,
			client_secret=settings.get_password("client_secret", raise_exception=False),
		)
		return {
			"credentials": credentials,
			**api_base(REGISTRY["google"], frappe.conf.get("scheduler_google_api_base")),
			**({"timeout": timeout} if timeout else {}),
		}

	@staticmethod
	def calendars(doc, adapter) -> list[str]:
		return doc.calendars() or ["primary"]

	@staticmethod
	def authorised(doc) -> bool:
		if not doc.google_calendar or not frappe.db.exists("Google Calendar", doc.google_calendar):
			return False
		core = frappe.get_doc("Google Calendar", doc.google_calendar)
		return bool(core.get_password("refresh_token", raise_exception=False))

	@staticmethod
	def authorize_url(doc, success_uri):
		from frappe.integrations.doctype.google_calendar.google_calendar import authorize_access

		answer = authorize_access(doc.google_calendar, reauthorize=True)
		return answer.get("url") if isinstance(answer, dict) else None


class ConnectedAppOAuth:
	"""OAuth through the core Connected App: the host authorises it (Connect / Reconnect),
	the tokens live in Token Cache, ``core.oauth_tokens`` renews them. An account-wide
	connection uses the app's own token (``ProviderSpec.app_tokens``) for every host."""

	@staticmethod
	def validate(doc, errors: FieldErrors) -> None:
		if not doc.connected_app:
			errors.add("connected_app", _("Pick the Connected App of {0}").format(_(doc.provider)))
		if doc.account_wide and not (doc.account_id or "").strip():
			errors.add("account_id", _("Give the account ID of the account-level app"))
		doc.account_id = (doc.account_id or "").strip() or None

	@staticmethod
	def tokens(doc) -> ConnectedAppTokens:
		return ConnectedAppTokens(
			doc.connected_app,
			None if doc.account_wide else doc.host,
			doc.spec(),
			account_id=doc.account_id if doc.account_wide else None,
		)

	@classmethod
	def kwargs(cls, doc, timeout=None, fresh=False) -> dict | None:
		tokens = cls.tokens(doc)
		if fresh:  # the booking transaction: no renewing (it commits), no waiting
			access = tokens.peek()
			if not access:
				return None
			tokens = StaticToken(access)
		return {
			"tokens": tokens,
			**api_base(doc.spec()),
			**({"timeout": timeout} if timeout else {}),
		}

	@staticmethod
	def calendars(doc, adapter) -> list[str]:
		return doc.calendars() or ["primary"]

	@classmethod
	def authorised(cls, doc) -> bool:
		return bool(doc.connected_app) and cls.tokens(doc).connected()

	@staticmethod
	def authorize_url(doc, success_uri):
		if doc.account_wide:
			return None  # no user to authorise: the app's own credentials
		return authorization_url(doc.connected_app, success_uri)


CREDENTIALS = {
	"url": FeedURL,
	"password": Password,
	"google": GoogleIntegration,
	"oauth": ConnectedAppOAuth,
}


def _guard(timeout: float | None) -> URLGuard:
	return URLGuard(
		allow_private=bool(setting("allow_private_calendar_hosts")),
		**({"timeout": timeout} if timeout else {}),
	)
