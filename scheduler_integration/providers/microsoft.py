"""Microsoft 365 calendars (Microsoft Graph v1.0) on ``requests``.

Busy time: ``calendarView`` of each chosen calendar over the window (``@odata.nextLink``
paging), so the host picks calendars exactly as with Google; ``free_busy`` answers
``getSchedule`` for mailboxes (their default calendars) when that is what is wanted.
An event blocks time unless it is cancelled, declined by the host, or its ``showAs`` is
outside ``busy_show_as`` (default: busy, oof, tentative, unknown; ``free`` and
``workingElsewhere`` do not block). All-day events block whole days on the host's clock.
Every request carries ``Prefer: outlook.timezone="UTC"``, so times come back in UTC.

Incremental sync: ``calendarView/delta`` over a window (``sync_days`` around now, fixed
for the token's life); the token is the ``@odata.deltaLink``, followed only on the Graph
origin. ``@removed`` entries and cancelled events come back as ``EventChange(busy=False)``.
An expired token (410, ``syncStateNotFound``, ``resyncRequired``) raises
``FullSyncRequired``.

Writes: events on ``/me/calendars/{id}/events`` (``primary`` or an empty id: the default
calendar), with the booking's text, location, times in the host's zone, the draft's
``private`` values as single-value extended properties, and a ``transactionId`` derived from
the draft's ``uid``, which Graph uses to drop a retried create instead of duplicating the
event. ``with_meeting`` asks a Teams meeting on the event (``isOnlineMeeting``,
``teamsForBusiness``) and reads back ``onlineMeeting.joinUrl``. Graph emails every
attendee of an event itself, while the app sends its own invitation, so attendees are only
added with ``invite_attendees=True``. Standalone Teams meetings (no calendar write) are
``teams``, on the ``online_meeting`` methods here.

Tokens come from an injected ``TokenSource`` (``user_tokens``: the identity platform's
refresh-token grant, client credentials in the form, ``offline_access`` in the scope). On
401 the token is refreshed once. 401/403 after that ``ProviderAuthError``; 404
``EventNotFound``; 429 and 503 (``retry_after`` from ``Retry-After``), other 5xx,
timeouts, connection errors ``ProviderUnavailable``; other 4xx ``ProviderError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from urllib.parse import quote

import requests
from dateutil.parser import isoparse

from ..engine.intervals import merge_pairs
from ..engine.model import Interval
from ..engine.timezones import UTC, get_zone, wall_to_instant
from .errors import (
	AdapterError,
	EventNotFound,
	FullSyncRequired,
	ProviderError,
	ProviderUnavailable,
)
from .model import EventChange, EventDraft, Meeting, free_busy_batches, stable_event_id
from .oauth import DEFAULT_TIMEOUT, OAuthTokenSource, TokenSource
from .rest import Answer, JsonApi

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_SCOPE", "MicrosoftCalendar", "event_body", "user_tokens"]

DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0"
AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_SCOPE = "offline_access User.Read Calendars.ReadWrite OnlineMeetings.ReadWrite"
DEFAULT_BUSY = frozenset({"busy", "oof", "tentative", "unknown"})
# our own namespace for single-value extended properties (a fixed GUID, see MS-OXPROPS)
PROPERTY_SET = "{6f1e0c57-3c8e-4a55-9d0c-5b1f4c6d2a17}"
MAX_SUBJECT = 255
OWN_TRANSACTION = "sched-"  # the transactionId of every event the app writes: read back, not busy
SCHEDULE_MAX_SPAN = timedelta(days=62)
SCHEDULE_MAX_MAILBOXES = 20
_SYNC_CODES = {"syncstatenotfound", "resyncrequired", "syncstateinvalid", "errorinvalidsyncstatedata"}
_UTC_NAMES = {"utc", "etc/utc", "gmt", "coordinated universal time", "tzone://microsoft/utc"}
_PREFER_UTC = 'outlook.timezone="UTC"'


def user_tokens(
	*,
	client_id: str,
	client_secret: str,
	refresh_token: str,
	tenant: str = "common",
	scope: str | None = DEFAULT_SCOPE,
	access_token: str | None = None,
	expires_at: float | None = None,
	authority: str = AUTHORITY,
	token_url: str | None = None,
	**kwargs,
) -> OAuthTokenSource:
	"""Delegated tokens from ``{authority}/{tenant}/oauth2/v2.0/token`` (refresh-token grant),
	or from ``token_url`` when given (the token endpoint an admin registered, tenant included)."""
	return OAuthTokenSource(
		token_url or f"{authority.rstrip('/')}/{quote(tenant, safe='.-')}/oauth2/v2.0/token",
		client_id=client_id,
		client_secret=client_secret,
		grant="refresh_token",
		refresh_token=refresh_token,
		access_token=access_token,
		expires_at=expires_at,
		params={"scope": scope or DEFAULT_SCOPE},
		client_auth="body",
		label="Microsoft",
		**kwargs,
	)


class GraphApi(JsonApi):
	label = "Microsoft Graph"

	def error_code(self, answer: Answer) -> tuple[str, str]:
		error = answer.body.get("error") if isinstance(answer.body, dict) else None
		if isinstance(error, dict):
			return str(error.get("code") or ""), str(error.get("message") or "")[:300]
		return "", ""

	def pages(self, path: str, *, what: str, params=None, headers=None, max_pages: int) -> Iterator[dict]:
		"""Each page of a collection, following ``@odata.nextLink`` (same origin only)."""
		url, query = path, params
		for _page in range(max_pages):
			body = self.request("GET", url, what=what, params=query, headers=headers).body or {}
			yield body
			url, query = body.get("@odata.nextLink"), None
			if not url:
				return
		raise ProviderError("Microsoft Graph listed more than {0} pages ({1})", max_pages, what)


def _graph_time(value: datetime, zone) -> str:
	return value.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")


def _property_id(key: str) -> str:
	return f"String {PROPERTY_SET} Name {key}"


def event_body(draft: EventDraft, *, with_meeting: bool = False, invite_attendees: bool = False) -> dict:
	"""An ``EventDraft`` as a Graph event resource."""
	zone = get_zone(draft.timezone)
	body: dict = {
		"subject": draft.summary[:MAX_SUBJECT],
		"body": {"contentType": "text", "content": draft.description},
		"start": {"dateTime": _graph_time(draft.start, zone), "timeZone": draft.timezone},
		"end": {"dateTime": _graph_time(draft.end, zone), "timeZone": draft.timezone},
		"showAs": "tentative" if draft.status == "tentative" else "busy",
		"location": {"displayName": draft.location},
	}
	if invite_attendees and draft.attendees:
		body["attendees"] = [
			{"emailAddress": {"address": a.email, **({"name": a.name} if a.name else {})}, "type": "required"}
			for a in draft.attendees
		]
	if draft.private:
		body["singleValueExtendedProperties"] = [
			{"id": _property_id(k), "value": v} for k, v in draft.private.items()
		]
	if with_meeting:
		body["isOnlineMeeting"] = True
		body["onlineMeetingProvider"] = "teamsForBusiness"
	return body


def teams_link(event: Mapping) -> str | None:
	"""The Teams join link of a Graph event, if it has one yet."""
	online = event.get("onlineMeeting") or {}
	return str(online.get("joinUrl") or "") or str(event.get("onlineMeetingUrl") or "") or None


class MicrosoftCalendar:
	"""One Microsoft 365 account (``user``: ``me``, or ``users/{id or UPN}`` with app tokens)."""

	name = "microsoft"

	def __init__(
		self,
		tokens: TokenSource,
		*,
		user: str = "me",
		base_url: str = DEFAULT_BASE_URL,
		session: requests.Session | None = None,
		timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
		busy_show_as: Iterable[str] = DEFAULT_BUSY,
		invite_attendees: bool = False,
		page_size: int = 100,
		max_pages: int = 200,
		sync_days: tuple[int, int] = (1, 366),
		clock: Callable[[], float] = time.time,
	):
		self.api = GraphApi(base_url, tokens, session=session, timeout=timeout, clock=clock)
		user = str(user).strip("/")
		if user != "me":
			user = "users/" + quote(user.removeprefix("users/"), safe="@.-_")
		self.user = user
		self.busy_show_as = frozenset(s.lower() for s in busy_show_as)
		self.invite_attendees = invite_attendees
		self.page_size = page_size
		self.max_pages = max_pages
		self.sync_days = sync_days
		self.clock = clock

	# --- paths --------------------------------------------------------------------------

	def _calendar(self, calendar: str | None) -> str:
		if not calendar or calendar == "primary":
			return f"{self.user}/calendar"
		return f"{self.user}/calendars/{quote(str(calendar), safe='')}"

	def _event(self, event_id: str) -> str:
		return f"{self.user}/events/{quote(str(event_id), safe='')}"

	def _prefer(self, *extra: str) -> dict:
		return {"Prefer": ", ".join((_PREFER_UTC, *extra))}

	# --- calendars and busy time ----------------------------------------------------------

	def calendars(self) -> list[dict]:
		"""The account's calendars: id, name, canEdit, isDefaultCalendar."""
		out = []
		for page in self.api.pages(
			f"{self.user}/calendars",
			what="list calendars",
			params={"$select": "id,name,canEdit,isDefaultCalendar"},
			max_pages=self.max_pages,
		):
			out.extend(page.get("value") or ())
		return out

	def busy(self, calendars: Iterable[str], start: datetime, end: datetime, zone: str) -> list[Interval]:
		"""Busy time of the calendars in [start, end), merged (calendarView)."""
		window = Interval(start, end)
		get_zone(zone)
		pairs = []
		for calendar in dict.fromkeys(calendars):
			params = {
				"startDateTime": _utc(window.start),
				"endDateTime": _utc(window.end),
				"$select": "showAs,isCancelled,isAllDay,start,end,responseStatus,type,transactionId",
				"$top": str(self.page_size),
			}
			for page in self.api.pages(
				f"{self._calendar(calendar)}/calendarView",
				what=f"read calendar {calendar or 'primary'}",
				params=params,
				headers=self._prefer(),
				max_pages=self.max_pages,
			):
				for item in page.get("value") or ():
					change = self._change(item, zone)
					if change.busy and change.interval is not None:
						s, e = max(change.interval.start, window.start), min(change.interval.end, window.end)
						if e > s:
							pairs.append((s, e))
		return [Interval(s, e) for s, e in merge_pairs(pairs)]

	def free_busy(self, schedules: Iterable[str], start: datetime, end: datetime) -> list[Interval]:
		"""Busy time of mailboxes (their default calendars) in [start, end) via getSchedule."""
		window = Interval(start, end)
		pairs = []
		batches = free_busy_batches(
			schedules, window.start, window.end, SCHEDULE_MAX_SPAN, SCHEDULE_MAX_MAILBOXES
		)
		for cursor, until, chunk in batches:
			body = {
				"schedules": chunk,
				"startTime": {"dateTime": _utc(cursor, naive=True), "timeZone": "UTC"},
				"endTime": {"dateTime": _utc(until, naive=True), "timeZone": "UTC"},
				"availabilityViewInterval": 30,
			}
			answer = self.api.request(
				"POST",
				f"{self._calendar(None)}/getSchedule",
				what="get schedule",
				json_body=body,
				headers=self._prefer(),
			)
			for info in (answer.body or {}).get("value") or ():
				error = info.get("error")
				if error:
					raise ProviderError(
						"Microsoft cannot read the schedule of {0}: {1}",
						str(info.get("scheduleId") or "")[:100],
						str(error.get("message") or error.get("responseCode") or "")[:200],
					)
				for item in info.get("scheduleItems") or ():
					if str(item.get("status") or "").lower() not in self.busy_show_as:
						continue
					s, e = _instant(item.get("start")), _instant(item.get("end"))
					s, e = max(s, cursor), min(e, until)
					if e > s:
						pairs.append((s, e))
		return [Interval(s, e) for s, e in merge_pairs(pairs)]

	# --- incremental sync -------------------------------------------------------------------

	def changes(self, calendar: str, token: str | None, zone: str) -> tuple[list[EventChange], str | None]:
		return self.list_changes(calendar, token, host_timezone=zone)

	def list_changes(
		self,
		calendar: str | None,
		token: str | None = None,
		*,
		host_timezone: str = "UTC",
		start: datetime | None = None,
		end: datetime | None = None,
	) -> tuple[list[EventChange], str | None]:
		"""Events changed since ``token`` (a delta link; all events of the window without
		one) and the next token. Without a token the window is ``start``..``end``, by
		default ``sync_days`` before and after now."""
		get_zone(host_timezone)
		if token:
			if "/delta" not in token:
				raise FullSyncRequired("Not a Microsoft Graph delta link: sync again without it")
			path, params = token, None
		else:
			now = datetime.fromtimestamp(self.clock(), UTC)
			start = start or now - timedelta(days=self.sync_days[0])
			end = end or now + timedelta(days=self.sync_days[1])
			window = Interval(start, end)
			path = f"{self._calendar(calendar)}/calendarView/delta"
			params = {"startDateTime": _utc(window.start), "endDateTime": _utc(window.end)}
		headers = self._prefer(f"odata.maxpagesize={int(self.page_size)}")
		changes: list[EventChange] = []
		try:
			for page in self.api.pages(
				path,
				what=f"sync calendar {calendar or 'primary'}",
				params=params,
				headers=headers,
				max_pages=self.max_pages,
			):
				for item in page.get("value") or ():
					changes.append(self._change(item, host_timezone))
				if page.get("@odata.deltaLink"):
					return changes, str(page["@odata.deltaLink"])
		except AdapterError as exc:
			code = str(getattr(exc, "provider_code", "") or "")
			if exc.status == 410 or code.lower() in _SYNC_CODES:
				raise FullSyncRequired(
					"Microsoft invalidated the sync token of {0}: sync again without it",
					calendar or "primary",
					status=exc.status,
				) from None
			raise
		raise ProviderError("Microsoft Graph ended a delta listing without a delta link")

	def _change(self, item: Mapping, zone_name: str) -> EventChange:
		event_id = str(item.get("id") or "")
		if "@removed" in item:
			return EventChange(event_id, False, status="cancelled")
		cancelled = bool(item.get("isCancelled"))
		private = {}
		if item.get("transactionId"):
			private["transaction_id"] = str(item["transactionId"])
		common = {
			"status": "cancelled" if cancelled else "confirmed",
			"recurring_event_id": item.get("seriesMasterId"),
			"ical_uid": item.get("iCalUId"),
			"updated": _instant(item["lastModifiedDateTime"]) if item.get("lastModifiedDateTime") else None,
			"private": private,
		}
		all_day = bool(item.get("isAllDay"))
		response = str((item.get("responseStatus") or {}).get("response") or "").lower()
		busy = (
			not cancelled
			and not str(item.get("transactionId") or "").startswith(OWN_TRANSACTION)  # the app's own
			and str(item.get("showAs") or "busy").lower() in self.busy_show_as
			and response != "declined"
			and item.get("type") != "seriesMaster"  # its occurrences carry the time
		)
		start, end = item.get("start"), item.get("end")
		if not busy or not (start and end):
			return EventChange(event_id, False, all_day=all_day, **common)
		if all_day:
			zone = get_zone(zone_name)
			first = _date(start)
			last = max(_date(end), first + timedelta(days=1))
			interval_start = wall_to_instant(datetime.combine(first, datetime.min.time()), zone)
			interval_end = wall_to_instant(datetime.combine(last, datetime.min.time()), zone)
		else:
			interval_start, interval_end = _instant(start), _instant(end)
		if interval_end <= interval_start:
			return EventChange(event_id, False, all_day=all_day, **common)
		return EventChange(event_id, True, Interval(interval_start, interval_end), all_day=all_day, **common)

	# --- events -----------------------------------------------------------------------------

	def insert_event(
		self, calendar: str | None, draft: EventDraft, with_meeting: bool = False
	) -> tuple[str, str | None]:
		"""Create the event; (event id, Teams link or None). A draft with a ``uid`` sends a
		``transactionId`` derived from it, so a retried create gets the first one back."""
		body = event_body(draft, with_meeting=with_meeting, invite_attendees=self.invite_attendees)
		if draft.uid:
			body["transactionId"] = OWN_TRANSACTION + stable_event_id(draft.uid)
		answer = self.api.request(
			"POST",
			f"{self._calendar(calendar)}/events",
			what="create event",
			json_body=body,
			headers=self._prefer(),
		)
		return self._with_link(answer.body, with_meeting)

	def patch_event(
		self, event_id: str, draft: EventDraft | Mapping, with_meeting: bool = False
	) -> tuple[str, str | None]:
		"""Replace the fields the adapter writes (or the given ones); EventNotFound when gone."""
		if isinstance(draft, EventDraft):
			body = event_body(draft, with_meeting=with_meeting, invite_attendees=self.invite_attendees)
		else:
			body = dict(draft)
		answer = self.api.request(
			"PATCH", self._event(event_id), what="update event", json_body=body, headers=self._prefer()
		)
		return self._with_link(answer.body, with_meeting)

	def get_event(self, event_id: str) -> dict:
		return (
			self.api.request("GET", self._event(event_id), what="get event", headers=self._prefer()).body
			or {}
		)

	def delete_event(self, event_id: str) -> bool:
		"""Delete the event. True when deleted now, False when it was already gone."""
		try:
			self.api.request("DELETE", self._event(event_id), what="delete event")
		except EventNotFound:
			return False
		return True

	def _with_link(self, event, with_meeting: bool) -> tuple[str, str | None]:
		if not isinstance(event, dict) or not event.get("id"):
			raise ProviderError("Microsoft Graph answered without an event id")
		event_id, link = str(event["id"]), teams_link(event)
		if with_meeting and not link:
			# Graph may fill onlineMeeting a moment after the write: look once more
			link = teams_link(self.get_event(event_id))
			if not link:
				raise ProviderUnavailable("Microsoft has not made the Teams link of event {0} yet", event_id)
		return event_id, link

	# --- the provider interface -------------------------------------------------------------

	def write(
		self, calendar: str, draft: EventDraft, event_id: str | None = None, with_meeting: bool = False
	) -> tuple[str, Meeting | None]:
		"""Patch ``event_id`` (re-created when it is gone), else create; the Teams link as a Meeting."""
		if event_id:
			try:
				event_id, link = self.patch_event(event_id, draft, with_meeting)
			except EventNotFound:
				event_id, link = self.insert_event(calendar, draft, with_meeting)
		else:
			event_id, link = self.insert_event(calendar, draft, with_meeting)
		meeting = Meeting("microsoft", event_id, link, extra={"kind": "event"}) if link else None
		return event_id, meeting

	def delete(self, calendar: str, draft: EventDraft | None = None, event_id: str | None = None) -> bool:
		"""Delete the event; False when it was already gone, or never written (no id: a
		Graph event id cannot be derived from the draft)."""
		if not event_id:
			return False
		return self.delete_event(event_id)

	# --- standalone Teams meetings (teams) -----------------------------------------------

	def create_online_meeting(
		self, subject: str, start: datetime, end: datetime, external_id: str | None = None
	) -> dict:
		"""A Teams meeting without a calendar event. With ``external_id`` it is
		``createOrGet``: a retried create returns the meeting the first one made."""
		window = Interval(start, end)
		body = {"startDateTime": _utc(window.start), "endDateTime": _utc(window.end), "subject": subject}
		path = f"{self.user}/onlineMeetings"
		if external_id:
			body["externalId"] = external_id
			path += "/createOrGet"
		return self.api.request("POST", path, what="create Teams meeting", json_body=body).body or {}

	def update_online_meeting(self, meeting_id: str, subject: str, start: datetime, end: datetime) -> dict:
		window = Interval(start, end)
		body = {"startDateTime": _utc(window.start), "endDateTime": _utc(window.end), "subject": subject}
		return (
			self.api.request(
				"PATCH",
				f"{self.user}/onlineMeetings/{quote(str(meeting_id), safe='')}",
				what="update Teams meeting",
				json_body=body,
			).body
			or {}
		)

	def delete_online_meeting(self, meeting_id: str) -> None:
		self.api.request(
			"DELETE",
			f"{self.user}/onlineMeetings/{quote(str(meeting_id), safe='')}",
			what="delete Teams meeting",
		)


# --- time values ----------------------------------------------------------------------------


def _utc(value: datetime, naive: bool = False) -> str:
	text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
	return text if naive else text + "Z"


def _instant(value) -> datetime:
	"""A Graph time: a ``dateTimeTimeZone`` object (UTC or an IANA zone) or an ISO string."""
	try:
		if isinstance(value, Mapping):
			parsed = isoparse(str(value.get("dateTime")))
			zone_name = str(value.get("timeZone") or "UTC")
			if parsed.tzinfo is None:
				zone = UTC if zone_name.lower() in _UTC_NAMES else get_zone(zone_name)
				return wall_to_instant(parsed, zone).astimezone(UTC)
			return parsed.astimezone(UTC)
		parsed = isoparse(str(value))
	except (ValueError, OverflowError, TypeError):  # an unknown zone name is a ValueError too
		raise ProviderError("Microsoft sent an unreadable time: {0!r}", str(value)[:80]) from None
	return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _date(value) -> date:
	try:
		return isoparse(str(value.get("dateTime"))).date()
	except (ValueError, OverflowError, TypeError, AttributeError):
		raise ProviderError("Microsoft sent an unreadable date: {0!r}", str(value)[:80]) from None
