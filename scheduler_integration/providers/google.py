"""Google Calendar adapter on google-api-python-client (Calendar API v3).

The client is built from the discovery document bundled with the library
(``static_discovery=True``: no network fetch of the document), on an ``httplib2`` transport
that carries the injected OAuth credentials. ``base_url`` points the client at another
endpoint (the tests' local server); in production it is Google's.

Credentials are injected, never looked up: pass ``access_token`` (a bare OAuth access
token) or any ``google.auth`` ``credentials`` (with a refresh token they refresh
themselves on 401), or a ready, authorised ``http`` object.

Failures map onto typed errors (``errors``): 5xx, 429, rate-limit 403s, timeouts and
connection errors raise ``ProviderUnavailable`` (retryable); 401 and refused refreshes
``ProviderAuthError``; 404 ``EventNotFound``; HTTP 410 from a sync-token listing
``FullSyncRequired``; anything else ``ProviderError``. Requests are not retried here
(``num_retries=0``): the sync job owns retries and backoff.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

import httplib2
from dateutil.parser import isoparse
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from ..engine.intervals import merge_pairs
from ..engine.model import Interval
from ..engine.timezones import UTC, get_zone, to_instant, wall_to_instant
from .errors import (
	AdapterError,
	EventNotFound,
	FullSyncRequired,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
)
from .model import EventChange, EventDraft, Meeting, free_busy_batches, stable_event_id

__all__ = ["DEFAULT_BASE_URL", "GoogleCalendar", "event_body", "meet_link"]

DEFAULT_BASE_URL = "https://www.googleapis.com/"
FREEBUSY_MAX_CALENDARS = 50  # Google's calendarExpansionMax
FREEBUSY_MAX_SPAN = timedelta(days=90)
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"}
_AUTH_REASONS = {"authError", "insufficientPermissions", "forbidden_scope", "insufficientScopes"}
_SEND_UPDATES = ("all", "externalOnly", "none")
_NOT_BUSY_TYPES = {"workingLocation", "birthday"}


def _rfc3339(value: datetime) -> str:
	return to_instant(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def meet_link(event: Mapping) -> str | None:
	"""The Google Meet (video) link of an event resource, if it has one yet."""
	conference = event.get("conferenceData") or {}
	for entry in conference.get("entryPoints") or ():
		if entry.get("entryPointType") == "video" and entry.get("uri"):
			return str(entry["uri"])
	return event.get("hangoutLink") or None


def event_body(event: EventDraft) -> dict:
	"""An ``EventDraft`` as a Calendar v3 Event resource."""
	zone = get_zone(event.timezone)
	body: dict = {
		"summary": event.summary,
		"start": {"dateTime": event.start.astimezone(zone).isoformat(), "timeZone": event.timezone},
		"end": {"dateTime": event.end.astimezone(zone).isoformat(), "timeZone": event.timezone},
		"status": event.status,
		"transparency": "opaque",
	}
	if event.description:
		body["description"] = event.description
	if event.location:
		body["location"] = event.location
	if event.attendees:
		body["attendees"] = [
			{"email": a.email, **({"displayName": a.name} if a.name else {})} for a in event.attendees
		]
	if event.uid:
		body["id"] = stable_event_id(event.uid)
	if event.url:
		body["source"] = {"url": event.url, "title": event.summary[:100] or event.url}
	if event.private:
		body["extendedProperties"] = {"private": dict(event.private)}
	return body


def _error_details(exc: HttpError) -> tuple[int, str, str]:
	status = int(getattr(exc.resp, "status", 0) or 0)
	reason, message = "", ""
	try:
		payload = json.loads(exc.content.decode("utf-8") if isinstance(exc.content, bytes) else exc.content)
		error = payload.get("error", {}) if isinstance(payload, dict) else {}
		if isinstance(error, dict):
			message = str(error.get("message") or "")
			items = error.get("errors") or []
			if items and isinstance(items[0], dict):
				reason = str(items[0].get("reason") or "")
		elif isinstance(error, str):
			message = error
	except (ValueError, AttributeError, TypeError):
		pass
	return status, reason, (message or getattr(exc.resp, "reason", "") or "")[:300]


def _map_http_error(exc: HttpError, what: str) -> AdapterError:
	status, reason, message = _error_details(exc)
	detail = f"{reason}: {message}" if reason else message
	if status == 401:
		return ProviderAuthError("Google rejected the credentials ({0}): {1}", what, detail, status=status)
	if status == 429 or status >= 500 or (status == 403 and reason in _RATE_REASONS):
		return ProviderUnavailable(
			"Google Calendar is unavailable ({0}): HTTP {1} {2}", what, status, detail, status=status
		)
	if status == 403 and reason in _AUTH_REASONS:
		return ProviderAuthError("Google refused access ({0}): {1}", what, detail, status=status)
	if status in (404, 410):
		return EventNotFound("Not found on Google Calendar ({0}): {1}", what, detail, status=status)
	return ProviderError(
		"Google Calendar refused the request ({0}): HTTP {1} {2}", what, status, detail, status=status
	)


def _auth_errors() -> tuple[tuple[type, ...], tuple[type, ...]]:
	"""(refresh refused, transport failed) exception classes of google-auth."""
	try:
		from google.auth import exceptions
	except ImportError:  # pragma: no cover - google-auth is a dependency
		return (), ()
	return (exceptions.RefreshError,), (exceptions.TransportError,)


_REFRESH_ERRORS, _TRANSPORT_ERRORS = _auth_errors()


class GoogleCalendar:
	"""One connected Google account.

	>>> cal = GoogleCalendar(access_token="ya29...")  # doctest: +SKIP
	>>> cal.free_busy(["primary"], start, end)  # doctest: +SKIP

	It is an ``IncrementalCalendar`` of ``providers`` (``busy``, ``changes``, ``write``,
	``delete``), named ``google`` in the registry.
	"""

	name = "google"

	def __init__(
		self,
		*,
		access_token: str | None = None,
		credentials=None,
		http=None,
		base_url: str = DEFAULT_BASE_URL,
		timeout: float = 30.0,
		num_retries: int = 0,
	):
		if http is None:
			if credentials is None:
				if not access_token:
					raise ProviderAuthError("Google Calendar needs an access token or credentials")
				from google.oauth2.credentials import Credentials

				credentials = Credentials(token=access_token)
			from google_auth_httplib2 import AuthorizedHttp

			http = AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))
		endpoint = base_url.rstrip("/") + "/calendar/v3/"
		self.num_retries = num_retries
		self.service = build(
			"calendar",
			"v3",
			http=http,
			cache_discovery=False,
			static_discovery=True,
			client_options={"api_endpoint": endpoint},
		)

	# --- plumbing ---------------------------------------------------------------------

	def _execute(self, request, what: str, *, sync: bool = False):
		try:
			return request.execute(num_retries=self.num_retries)
		except HttpError as exc:
			status = int(getattr(exc.resp, "status", 0) or 0)
			if sync and status == 410:
				raise FullSyncRequired(
					"Google invalidated the sync token of {0}: list again without it", what, status=410
				) from None
			raise _map_http_error(exc, what) from None
		except _REFRESH_ERRORS as exc:
			raise ProviderAuthError(
				"Google refused to refresh the credentials: {0}", str(exc)[:300]
			) from None
		except _TRANSPORT_ERRORS as exc:
			raise ProviderUnavailable("Cannot reach Google ({0}): {1}", what, str(exc)[:300]) from None
		except (OSError, httplib2.HttpLib2Error) as exc:
			raise ProviderUnavailable(
				"Cannot reach Google ({0}): {1}", what, str(exc)[:300] or type(exc).__name__
			) from None

	# --- free/busy --------------------------------------------------------------------

	def free_busy(self, calendar_ids: Iterable[str], start: datetime, end: datetime) -> list[Interval]:
		"""Busy time of the calendars in [start, end), merged (freeBusy.query)."""
		window = Interval(start, end)
		pairs: list[tuple[datetime, datetime]] = []
		batches = free_busy_batches(
			calendar_ids, window.start, window.end, FREEBUSY_MAX_SPAN, FREEBUSY_MAX_CALENDARS
		)
		for cursor, until, chunk in batches:
			body = {
				"timeMin": _rfc3339(cursor),
				"timeMax": _rfc3339(until),
				"timeZone": "UTC",
				"items": [{"id": c} for c in chunk],
			}
			result = self._execute(self.service.freebusy().query(body=body), "free/busy")
			calendars = result.get("calendars") or {}
			for calendar_id in chunk:
				info = calendars.get(calendar_id)
				if info is None:
					raise ProviderError("Google returned no free/busy for calendar {0}", calendar_id)
				self._raise_calendar_errors(calendar_id, info.get("errors") or ())
				for busy in info.get("busy") or ():
					s, e = self._instant(busy.get("start")), self._instant(busy.get("end"))
					if e > s:
						pairs.append((max(s, window.start), min(e, window.end)))
		return [Interval(s, e) for s, e in merge_pairs(pairs) if e > s]

	@staticmethod
	def _raise_calendar_errors(calendar_id: str, errors) -> None:
		for error in errors:
			reason = str(error.get("reason") or "")
			if reason in ("backendError", "internalError"):
				raise ProviderUnavailable("Google could not read calendar {0} ({1})", calendar_id, reason)
			raise ProviderError("Google cannot read calendar {0} ({1})", calendar_id, reason or "unknown")

	@staticmethod
	def _instant(value) -> datetime:
		try:
			parsed = isoparse(str(value))
		except (ValueError, OverflowError, TypeError):
			raise ProviderError("Google sent an unreadable time: {0!r}", str(value)[:60]) from None
		if parsed.tzinfo is None:
			parsed = parsed.replace(tzinfo=UTC)
		return parsed.astimezone(UTC)

	# --- events -----------------------------------------------------------------------

	def insert_event(
		self,
		calendar_id: str,
		event: EventDraft | Mapping,
		with_meet: bool = False,
		*,
		send_updates: str = "none",
		request_id: str | None = None,
	) -> tuple[str, str | None]:
		"""Create the event; returns (event id, Meet link or None).

		With ``with_meet`` a Google Meet conference is requested (conferenceData.createRequest,
		conferenceDataVersion=1); its link may be None while Google still creates it
		(``status.statusCode == "pending"``): read it later with ``get_event``.
		An event with a ``uid`` gets a stable id, so a retried insert that already
		succeeded answers 409 and the existing event is returned (and revived if cancelled).
		"""
		body = event_body(event) if isinstance(event, EventDraft) else dict(event)
		params = {"calendarId": calendar_id, "body": body, "sendUpdates": _check_send_updates(send_updates)}
		if with_meet and "conferenceData" not in body:
			body["conferenceData"] = {
				"createRequest": {
					"requestId": request_id or body.get("id") or uuid.uuid4().hex,
					"conferenceSolutionKey": {"type": "hangoutsMeet"},
				}
			}
		if "conferenceData" in body:
			params["conferenceDataVersion"] = 1
		try:
			created = self._execute(self.service.events().insert(**params), "insert event")
		except ProviderError as exc:
			if exc.status != 409 or not body.get("id"):
				raise
			created = self._execute(
				self.service.events().get(calendarId=calendar_id, eventId=body["id"]), "get event"
			)
			if created.get("status") == "cancelled" or (with_meet and not created.get("conferenceData")):
				patch = {k: v for k, v in body.items() if k != "id"}
				return self.patch_event(calendar_id, body["id"], patch, send_updates=send_updates)
		return str(created["id"]), meet_link(created)

	def get_event(self, calendar_id: str, event_id: str) -> dict:
		return self._execute(self.service.events().get(calendarId=calendar_id, eventId=event_id), "get event")

	def patch_event(
		self,
		calendar_id: str,
		event_id: str,
		changes: EventDraft | Mapping,
		*,
		with_meet: bool = False,
		send_updates: str = "none",
	) -> tuple[str, str | None]:
		"""Change the given fields (events.patch); returns (event id, Meet link or None).

		An ``EventDraft`` replaces every field the adapter writes. ``with_meet`` adds a Meet
		conference to an event that has none. A missing event raises ``EventNotFound``.
		"""
		body = event_body(changes) if isinstance(changes, EventDraft) else dict(changes)
		body.pop("id", None)
		params = {
			"calendarId": calendar_id,
			"eventId": event_id,
			"body": body,
			"sendUpdates": _check_send_updates(send_updates),
		}
		if with_meet and "conferenceData" not in body:
			body["conferenceData"] = {
				"createRequest": {
					"requestId": uuid.uuid4().hex,
					"conferenceSolutionKey": {"type": "hangoutsMeet"},
				}
			}
		if "conferenceData" in body:
			params["conferenceDataVersion"] = 1
		patched = self._execute(self.service.events().patch(**params), "patch event")
		return str(patched["id"]), meet_link(patched)

	def delete_event(self, calendar_id: str, event_id: str, *, send_updates: str = "none") -> bool:
		"""Delete the event. True when deleted now, False when it was already gone (404/410)."""
		request = self.service.events().delete(
			calendarId=calendar_id, eventId=event_id, sendUpdates=_check_send_updates(send_updates)
		)
		try:
			self._execute(request, "delete event")
		except EventNotFound:
			return False
		return True

	# --- incremental sync -------------------------------------------------------------

	def list_changes(
		self,
		calendar_id: str,
		sync_token: str | None = None,
		*,
		host_timezone: str | None = None,
		single_events: bool = True,
		page_size: int = 250,
		max_pages: int = 400,
	) -> tuple[list[EventChange], str | None]:
		"""Events changed since ``sync_token`` (all events without one), and the next token.

		Pages through ``nextPageToken``; the token of the last page is returned. HTTP 410
		(token expired or invalidated) raises ``FullSyncRequired``: call again without a
		token and replace everything stored for this calendar. ``single_events`` expands
		recurring events into instances (keep it the same for a token's whole life).
		All-day events block whole days in ``host_timezone`` (default: the calendar's zone).
		"""
		changes: list[EventChange] = []
		page_token = None
		for _page in range(max_pages):
			params = {
				"calendarId": calendar_id,
				"maxResults": page_size,
				"singleEvents": single_events,
			}
			if sync_token:
				params["syncToken"] = sync_token
			else:
				params["showDeleted"] = False
			if page_token:
				params["pageToken"] = page_token
			result = self._execute(
				self.service.events().list(**params), f"list events of {calendar_id}", sync=True
			)
			zone_name = host_timezone or result.get("timeZone") or "UTC"
			for item in result.get("items") or ():
				changes.append(self._change(item, zone_name))
			page_token = result.get("nextPageToken")
			if not page_token:
				return changes, result.get("nextSyncToken")
		raise ProviderError("Google listed more than {0} pages of events for {1}", max_pages, calendar_id)

	def _change(self, item: Mapping, zone_name: str) -> EventChange:
		event_id = str(item.get("id") or "")
		status = str(item.get("status") or "confirmed")
		private = dict((item.get("extendedProperties") or {}).get("private") or {})
		common = {
			"status": status,
			"recurring_event_id": item.get("recurringEventId"),
			"ical_uid": item.get("iCalUID"),
			"updated": self._instant(item["updated"]) if item.get("updated") else None,
			"private": private,
		}
		busy = (
			status != "cancelled"
			and item.get("transparency") != "transparent"
			and "scheduler_booking" not in private  # the app's own event: its booking occupies the time
			and item.get("eventType") not in _NOT_BUSY_TYPES
			and not any(
				a.get("self") and a.get("responseStatus") == "declined" for a in item.get("attendees") or ()
			)
		)
		start, end = item.get("start") or {}, item.get("end") or {}
		all_day = "date" in start and "dateTime" not in start
		if not busy or not (start and end):
			return EventChange(event_id, False, all_day=all_day, **common)
		if all_day:
			zone = get_zone(zone_name)
			first = date.fromisoformat(str(start["date"]))
			last = date.fromisoformat(str(end.get("date") or start["date"]))
			interval_start = wall_to_instant(datetime.combine(first, datetime.min.time()), zone)
			interval_end = wall_to_instant(
				datetime.combine(max(last, first + timedelta(days=1)), datetime.min.time()), zone
			)
		else:
			interval_start = self._instant(start.get("dateTime"))
			interval_end = self._instant(end.get("dateTime"))
		if interval_end <= interval_start:
			return EventChange(event_id, False, all_day=all_day, **common)
		return EventChange(event_id, True, Interval(interval_start, interval_end), all_day=all_day, **common)

	# --- the provider interface (providers.IncrementalCalendar) -------------------------

	def busy(self, calendars: Iterable[str], start: datetime, end: datetime, zone: str) -> list[Interval]:
		"""``free_busy``: Google places all-day events itself, ``zone`` is only checked."""
		get_zone(zone)
		return self.free_busy(calendars, start, end)

	def changes(self, calendar: str, token: str | None, zone: str) -> tuple[list[EventChange], str | None]:
		return self.list_changes(calendar, token, host_timezone=zone)

	def write(
		self, calendar: str, draft: EventDraft, event_id: str | None = None, with_meeting: bool = False
	):
		"""Patch ``event_id`` (re-created when it is gone), else insert; the Meet link as a Meeting."""
		if event_id:
			try:
				event_id, link = self.patch_event(calendar, event_id, draft, with_meet=with_meeting)
			except EventNotFound:
				event_id, link = self.insert_event(calendar, draft, with_meet=with_meeting)
		else:
			event_id, link = self.insert_event(calendar, draft, with_meet=with_meeting)
		meeting = Meeting("google", event_id, link, extra={"calendar_id": calendar}) if link else None
		return event_id, meeting

	def delete(self, calendar: str, draft: EventDraft | None = None, event_id: str | None = None) -> bool:
		if not event_id:
			if draft is None or not draft.uid:
				raise ProviderError("Deleting a Google event needs its id or the draft's uid")
			event_id = stable_event_id(draft.uid)
		return self.delete_event(calendar, event_id)


def _check_send_updates(value: str) -> str:
	if value not in _SEND_UPDATES:
		raise ProviderError("send_updates must be one of {0}, got {1!r}", ", ".join(_SEND_UPDATES), value)
	return value
