"""CalDAV adapter (Apple iCloud, Nextcloud, Fastmail, Radicale, ...) on the ``caldav`` library.

The library speaks the protocol (principal discovery, calendar listing, MKCALENDAR,
calendar-query REPORTs); every HTTP request it makes goes through ``urlguard`` instead of
its own HTTP library: the base URL *and every href the server answers with* are vetted
against private addresses, the connection is pinned to the vetted address, bodies are
size-limited and the whole request is time-limited. Credentials are injected (Basic
username/password, e.g. an iCloud app-specific password, or a bearer token) and are only
sent to the base URL's origin.

Busy time comes from a time-range ``calendar-query`` (``Calendar.search``) whose events
are expanded locally by ``ics_feed.parse_busy``, so recurrences, overrides,
``TRANSP`` / ``STATUS`` and all-day events follow exactly the same rules as ICS feeds.

Events are written with ``PUT`` to ``<calendar>/<uid>.ics`` (text from ``to_ics``, the app's one iCalendar writer): the
same booking uid always lands on the same resource, so a retried write replaces instead
of duplicating. Failures raise the typed errors of ``errors`` (``ProviderUnavailable``
for 5xx / 429 / network trouble, ``ProviderAuthError`` for 401/403, ``EventNotFound``,
``UnsafeURL``, ``ProviderError``).
"""

from __future__ import annotations

import base64
import inspect
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote, urljoin, urlsplit

import caldav
from caldav.lib import error as dav_error

from ..engine.ics import build_resource
from ..engine.intervals import merge_pairs
from ..engine.model import Interval
from ..engine.timezones import UTC, get_zone
from .errors import (
	AdapterError,
	EventNotFound,
	FetchFailed,
	FetchTimeout,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
	UnsafeURL,
)
from .ics_feed import parse_busy
from .model import EventDraft
from .urlguard import URLGuard, origin

__all__ = ["CalDAVAccount", "CalendarInfo", "to_ics"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def to_ics(event: EventDraft, *, uid: str | None = None, now: datetime | None = None) -> str:
	"""One VEVENT in a VCALENDAR as a CalDAV server stores it, by the app's one iCalendar
	writer (``engine.ics``: times in UTC, guest text escaped so it adds nothing)."""
	return build_resource(event.as_event(uid or event.uid or uuid.uuid4().hex), now or datetime.now(UTC))


@dataclass(frozen=True)
class CalendarInfo:
	url: str
	name: str


class _Response:
	"""The slice of a requests/niquests response the caldav library reads."""

	def __init__(self, response, url: str):
		self.status_code = response.status
		self.reason = response.reason
		self.headers = response.headers
		self.content = response.body
		self.url = response.url or url
		self.encoding = "utf-8"

	@property
	def text(self) -> str:
		return self.content.decode("utf-8", errors="replace")

	def close(self):
		pass


class _GuardedSession:
	"""Stands in for the caldav library's HTTP session: every request goes through urlguard."""

	def __init__(self, guard: URLGuard, base_url: str, authorization: str | None):
		self.guard = guard
		self.origin = origin(base_url)
		self.authorization = authorization
		self.requests = 0

	def request(self, method, url, data=None, headers=None, timeout=None, **_ignored):
		sent = {str(k): str(v) for k, v in (headers or {}).items() if k.lower() != "authorization"}
		if self.authorization and origin(str(url)) == self.origin:
			sent["Authorization"] = self.authorization
		self.requests += 1
		try:
			response = self.guard.fetch(str(url), method=str(method), headers=sent, body=data)
		except (FetchTimeout, FetchFailed) as exc:
			if exc.retryable:
				raise ProviderUnavailable("CalDAV server unreachable: {0}", exc.message) from None
			raise ProviderError("CalDAV request failed: {0}", exc.message) from None
		if response.status == 401:
			raise ProviderAuthError("The CalDAV server rejected the credentials", status=401)
		if response.status == 429 or response.status >= 500:
			raise ProviderUnavailable(
				"CalDAV server answered HTTP {0} {1}",
				response.status,
				response.reason,
				status=response.status,
			)
		return _Response(response, str(url))

	def close(self):
		pass

	def mount(self, *args, **kwargs):  # requests-compatible no-op
		pass


def _client_kwargs(url: str, timeout: float) -> dict:
	kwargs = {"url": url, "timeout": timeout}
	try:
		accepted = inspect.signature(caldav.DAVClient.__init__).parameters
	except (TypeError, ValueError):  # pragma: no cover
		accepted = {}
	if "enable_rfc6764" in accepted:  # caldav >= 2: no DNS-based discovery, we give the URL
		kwargs["enable_rfc6764"] = False
	return kwargs


class CalDAVAccount:
	"""One CalDAV account. ``url`` is the server's CalDAV root or principal URL.

	It is a ``CalendarProvider`` of ``providers`` (``busy``, ``write``, ``delete``), named
	``caldav`` in the registry.

	``guard`` is the fetch policy (default: public addresses only); tests and on-premise
	servers pass ``URLGuard(allow_private=True)`` or ``URLGuard(allow_hosts=(...))``.
	"""

	name = "caldav"

	def __init__(
		self,
		url: str,
		*,
		username: str | None = None,
		password: str | None = None,
		token: str | None = None,
		guard: URLGuard | None = None,
		timeout: float = 30.0,
		max_bytes: int = DEFAULT_MAX_BYTES,
	):
		self.guard = guard or URLGuard(timeout=timeout, max_bytes=max_bytes)
		target = self.guard.check(url)  # UnsafeURL before anything else happens
		if urlsplit(url).username is not None:
			raise UnsafeURL("Put CalDAV credentials in the username/password fields, not in the URL")
		authorization = None
		if token:
			authorization = f"Bearer {token}"
		elif username is not None:
			raw = f"{username}:{password or ''}".encode()
			authorization = "Basic " + base64.b64encode(raw).decode("ascii")
		self.url = target.url if target.url.endswith("/") else target.url + "/"
		self.session = _GuardedSession(self.guard, self.url, authorization)
		with self._errors("connect"):
			self.client = caldav.DAVClient(**_client_kwargs(self.url, self.guard.timeout))
		old = getattr(self.client, "session", None)
		if old is not None and hasattr(old, "close"):
			old.close()
		self.client.session = self.session
		self._principal = None

	# --- plumbing ---------------------------------------------------------------------

	@contextmanager
	def _errors(self, what: str) -> Iterator[None]:
		try:
			yield
		except AdapterError:
			raise
		except dav_error.AuthorizationError as exc:
			raise ProviderAuthError("CalDAV server refused access ({0}): {1}", what, _reason(exc)) from None
		except dav_error.NotFoundError as exc:
			raise EventNotFound("Not found on the CalDAV server ({0}): {1}", what, _reason(exc)) from None
		except dav_error.DAVError as exc:
			raise ProviderError("CalDAV request failed ({0}): {1}", what, _reason(exc)) from None
		except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
			# caldav / lxml choking on an unexpected answer
			raise ProviderError(
				"Unexpected answer from the CalDAV server ({0}): {1}", what, _reason(exc)
			) from None

	def principal(self):
		if self._principal is None:
			with self._errors("find principal"):
				self._principal = self.client.principal()
		return self._principal

	def _calendar(self, calendar_url: str):
		return caldav.Calendar(client=self.client, url=self._absolute(calendar_url))

	def _absolute(self, url: str) -> str:
		absolute = urljoin(self.url, str(url))
		return absolute if absolute.endswith("/") else absolute + "/"

	def _event_url(self, calendar_url: str, uid: str) -> str:
		return self._absolute(calendar_url) + quote(uid, safe="@._-") + ".ics"

	# --- calendars --------------------------------------------------------------------

	def calendars(self) -> list[CalendarInfo]:
		"""The principal's calendars (url, display name)."""
		principal = self.principal()
		with self._errors("list calendars"):
			out = []
			for calendar in principal.calendars():
				name = ""
				try:
					name = calendar.get_display_name() or ""
				except (dav_error.DAVError, ValueError, KeyError, AttributeError):
					name = ""
				out.append(CalendarInfo(str(calendar.url), str(name or "")))
			return out

	def make_calendar(self, name: str, cal_id: str | None = None) -> CalendarInfo:
		"""Create a calendar collection (MKCALENDAR) under the principal's home."""
		principal = self.principal()
		with self._errors("create calendar"):
			calendar = principal.make_calendar(name=name, cal_id=cal_id)
			return CalendarInfo(str(calendar.url), name)

	# --- busy -------------------------------------------------------------------------

	def busy(
		self, calendar_urls: Iterable[str], start: datetime, end: datetime, host_timezone: str
	) -> list[Interval]:
		"""Busy time of the calendars in [start, end), merged."""
		window = Interval(start, end)
		get_zone(host_timezone)
		pairs = []
		for calendar_url in dict.fromkeys(calendar_urls):
			for data in self._search(calendar_url, window):
				for interval in parse_busy(data, window, host_timezone):
					pairs.append((interval.start, interval.end))
		return [Interval(s, e) for s, e in merge_pairs(pairs)]

	def _search(self, calendar_url: str, window: Interval) -> list[str]:
		calendar = self._calendar(calendar_url)
		with self._errors("search events"):
			found = calendar.search(start=window.start, end=window.end, event=True, expand=False)
			return [_data(item) for item in found if _data(item)]

	# --- events -----------------------------------------------------------------------

	def save_event(
		self, calendar_url: str, event: EventDraft, *, now: datetime | None = None
	) -> tuple[str, str]:
		"""Create or replace the event; returns (uid, event URL)."""
		uid = event.uid or uuid.uuid4().hex
		return uid, self._put(calendar_url, uid, to_ics(event, uid=uid, now=now), {})

	def create_event(
		self, calendar_url: str, event: EventDraft, *, now: datetime | None = None
	) -> tuple[str, str]:
		"""Create the event; if its uid already exists (a retried create), replace it."""
		return self.save_event(calendar_url, event, now=now)

	def update_event(self, calendar_url: str, event: EventDraft, *, now: datetime | None = None) -> str:
		"""Replace an existing event (``If-Match: *``); EventNotFound when it is gone."""
		if not event.uid:
			raise ProviderError("Updating a CalDAV event needs its uid")
		return self._put(calendar_url, event.uid, to_ics(event, now=now), {"If-Match": "*"})

	def _put(self, calendar_url: str, uid: str, ics: str, extra: Mapping[str, str]) -> str:
		url = self._event_url(calendar_url, uid)
		headers = {"Content-Type": "text/calendar; charset=utf-8", **extra}
		with self._errors("save event"):
			response = self.client.put(url, ics, headers)
		status = int(response.status)
		if status == 412 and "If-Match" in extra:
			raise EventNotFound("Event {0} does not exist on the CalDAV server", uid, status=412)
		if status in (404, 409) and "If-Match" in extra:
			raise EventNotFound("Event {0} does not exist on the CalDAV server", uid, status=status)
		if status == 403:
			raise ProviderAuthError("The CalDAV server refused to save event {0}", uid, status=403)
		if not 200 <= status < 300:
			raise ProviderError(
				"The CalDAV server refused event {0}: HTTP {1} {2}",
				uid,
				status,
				response.reason,
				status=status,
			)
		return url

	def get_event(self, calendar_url: str, uid: str) -> str | None:
		"""The stored iCalendar text of the event, or None."""
		url = self._event_url(calendar_url, uid)
		with self._errors("get event"):
			response = self.client.request(url, "GET")
		if response.status == 404:
			return None
		if not 200 <= int(response.status) < 300:
			raise ProviderError("The CalDAV server answered HTTP {0} for event {1}", response.status, uid)
		raw = response.raw
		return raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")

	def delete_event(self, calendar_url: str, uid: str) -> bool:
		"""Delete the event. True when deleted now, False when it was already gone."""
		url = self._event_url(calendar_url, uid)
		with self._errors("delete event"):
			response = self.client.delete(url)
		status = int(response.status)
		if status in (404, 410):
			return False
		if status == 403:
			raise ProviderAuthError("The CalDAV server refused to delete event {0}", uid, status=403)
		if not 200 <= status < 300:
			raise ProviderError(
				"The CalDAV server refused to delete event {0}: HTTP {1}", uid, status, status=status
			)
		return True

	# --- the provider interface (providers.CalendarProvider) ----------------------------

	def write(
		self, calendar: str, draft: EventDraft, event_id: str | None = None, with_meeting: bool = False
	) -> tuple[str, None]:
		"""PUT the event under ``event_id`` (or the draft's uid): creates or replaces.
		CalDAV has no video links, so the meeting is always None."""
		if event_id and event_id != draft.uid:
			draft = replace(draft, uid=event_id)
		uid, _url = self.save_event(calendar, draft)
		return uid, None

	def delete(self, calendar: str, draft: EventDraft | None = None, event_id: str | None = None) -> bool:
		uid = event_id or (draft.uid if draft is not None else None)
		if not uid:
			raise ProviderError("Deleting a CalDAV event needs its uid")
		return self.delete_event(calendar, uid)

	def close(self) -> None:
		self.session.close()


def _data(item) -> str:
	data = getattr(item, "data", None)
	if isinstance(data, bytes):
		return data.decode("utf-8", errors="replace")
	return data or ""


def _reason(exc: BaseException) -> str:
	text = str(getattr(exc, "reason", "") or exc or type(exc).__name__)
	return text[:300]
