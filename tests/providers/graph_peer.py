"""A local Microsoft Graph v1.0 peer (and the identity platform's token endpoint) for the
Microsoft adapter tests, speaking the documented shapes: ``calendarView`` with
``@odata.nextLink`` paging, ``calendarView/delta`` (an empty first page, then
``@odata.nextLink`` pages and a final ``@odata.deltaLink``; ``@removed`` entries; 410
``syncStateNotFound`` for an unknown token), ``getSchedule``, events CRUD with
``transactionId`` and ``isOnlineMeeting`` -> ``onlineMeeting.joinUrl``, ``onlineMeetings``
(``createOrGet`` by ``externalId``), ``Prefer: outlook.timezone`` and
``odata.maxpagesize``, and Graph's error bodies (``InvalidAuthenticationToken``,
``ErrorItemNotFound``, ``TooManyRequests`` ...). 127.0.0.1 only.

No conftest.py here on purpose; see calendar_peers.py."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, quote, unquote
from zoneinfo import ZoneInfo

from calendar_peers import PeerServer, Recorded, Reply

UTC = timezone.utc
DEFAULT_CAL = "AAMkAGI2TGDefault-Cal="
TEAM_CAL = "AAMkAGI2TGTeam_Cal+="
EVENT_FIELDS = {
	"subject",
	"body",
	"start",
	"end",
	"location",
	"attendees",
	"showAs",
	"isOnlineMeeting",
	"onlineMeetingProvider",
	"transactionId",
	"singleValueExtendedProperties",
	"isAllDay",
	"isReminderOn",
	"sensitivity",
	"importance",
	"categories",
}
MEETING_FIELDS = {
	"startDateTime",
	"endDateTime",
	"subject",
	"externalId",
	"participants",
	"lobbyBypassSettings",
}


def graph_error(status: int, code: str, message: str, headers: dict | None = None) -> Reply:
	return Reply(
		status,
		{
			"error": {
				"code": code,
				"message": message,
				"innerError": {
					"date": "2024-03-01T10:00:00",
					"request-id": "req-1",
					"client-request-id": "req-1",
				},
			}
		},
		headers or {},
	)


def _zone(name: str):
	if name in ("UTC", "Etc/UTC"):
		return UTC
	return ZoneInfo(name)


def _parse_dtz(value, what: str) -> datetime:
	if not isinstance(value, dict) or set(value) - {"dateTime", "timeZone"}:
		raise ValueError(f"{what} must be a dateTimeTimeZone")
	wall = datetime.fromisoformat(str(value["dateTime"]).split(".")[0])
	if wall.tzinfo is not None:
		raise ValueError(f"{what}.dateTime carries an offset; Graph takes it from timeZone")
	return wall.replace(tzinfo=_zone(str(value.get("timeZone") or "UTC"))).astimezone(UTC)


def _iso_z(value: str) -> datetime:
	return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class FakeGraph(PeerServer):
	"""State: ``events`` by id (each knows its calendar), ``meetings`` by id. Controls:
	``fail(route, reply, times)``, ``hangup_after``, ``expire_tokens()``, ``teams_later``
	(the first answer about a new Teams event has no join URL yet)."""

	client_id, client_secret, tenant = "graph-client", "graph-secret", "contoso.onmicrosoft.com"

	def __init__(self):
		self.calendars = {
			DEFAULT_CAL: {"name": "Calendar", "isDefaultCalendar": True, "canEdit": True},
			TEAM_CAL: {"name": "Team", "isDefaultCalendar": False, "canEdit": True},
		}
		self.mailboxes = {"host@contoso.com": DEFAULT_CAL, "room@contoso.com": TEAM_CAL}
		self.events: dict[str, dict] = {}
		self.meetings: dict[str, dict] = {}
		self.version = 0
		self.counter = itertools.count(1)
		self.valid_tokens: set[str] = set()
		self.refresh_tokens = {"graph-refresh-1"}
		self.codes: dict[str, str] = {}  # authorization code -> the redirect_uri it was issued for
		self.delta_tokens: dict[str, tuple] = {}
		self.skip_tokens: dict[str, tuple] = {}
		self.failures: dict[str, list[Reply]] = {}
		self.hangup_after: set[str] = set()
		self.teams_later = False
		self.calls: list[tuple[str, Recorded]] = []
		super().__init__(self._app)

	# --- test controls -------------------------------------------------------------------

	def fail(self, route: str, reply: Reply, times: int = 1) -> None:
		self.failures.setdefault(route, []).extend([reply] * times)

	def issue(self) -> str:
		token = f"graph-access-{next(self.counter)}"
		self.valid_tokens.add(token)
		return token

	def expire_tokens(self) -> None:
		self.valid_tokens.clear()

	def calls_of(self, route: str) -> list[Recorded]:
		return [r for name, r in self.calls if name == route]

	def live(self, calendar: str | None = None) -> list[dict]:
		return [
			e
			for e in self.events.values()
			if not e["deleted"] and (calendar is None or e["calendar"] == calendar)
		]

	def add_event(
		self,
		calendar: str,
		start: datetime,
		end: datetime,
		*,
		zone: str = "Europe/London",
		all_day: bool = False,
		**fields,
	) -> dict:
		self.version += 1
		event_id = fields.pop("id", None) or f"AAMkAGEv{next(self.counter):04d}-x_y="
		event = {
			"id": event_id,
			"calendar": calendar,
			"start_utc": start.astimezone(UTC),
			"end_utc": end.astimezone(UTC),
			"zone": zone,
			"isAllDay": all_day,
			"subject": fields.pop("subject", "Busy"),
			"body": {"contentType": "text", "content": ""},
			"showAs": "busy",
			"isCancelled": False,
			"type": "singleInstance",
			"responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
			"location": {"displayName": ""},
			"attendees": [],
			"transactionId": None,
			"singleValueExtendedProperties": [],
			"isOnlineMeeting": False,
			"onlineMeetingProvider": "unknown",
			"onlineMeeting": None,
			"iCalUId": f"040000008200E00074C5B7101A82E008{next(self.counter):08d}",
			"seriesMasterId": None,
			"version": self.version,
			"deleted": False,
			**fields,
		}
		self.events[event_id] = event
		return event

	def touch(self, event_id: str, **changes) -> None:
		self.version += 1
		self.events[event_id].update(changes, version=self.version)

	def remove(self, event_id: str) -> None:
		self.touch(event_id, deleted=True)

	# --- the server -----------------------------------------------------------------------

	def _app(self, request: Recorded, handler) -> Reply | None:
		parts = [unquote(p) for p in request.raw_path.split("/")][1:]
		if parts[1:] == ["oauth2", "v2.0", "token"] and request.method == "POST":
			return self._token(request, parts[0])
		if parts[1:] == ["oauth2", "v2.0", "authorize"] and request.method == "GET":
			return self._authorize(request)
		if parts[:1] != ["v1.0"]:
			return graph_error(400, "BadRequest", "Invalid version.")
		if parts[1:2] == ["me"]:
			rest = parts[2:]
		elif parts[1:2] == ["users"] and len(parts) > 2:
			rest = parts[3:]
		else:
			return graph_error(400, "BadRequest", "Resource not found for the segment.")
		route, params = self._route(request.method, rest)
		if route is None:
			return graph_error(400, "BadRequest", f"Resource not found for the segment '{'/'.join(rest)}'.")
		self.calls.append((route, request))
		auth = request.headers.get("Authorization") or ""
		if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
			return graph_error(
				401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."
			)
		queued = self.failures.get(route)
		if queued:
			return queued.pop(0)
		reply = getattr(self, "_" + route.replace(".", "_"))(request, **params)
		if route in self.hangup_after:
			self.hangup_after.discard(route)
			return None
		return reply

	def _route(self, method: str, rest: list[str]):
		if rest == ["calendars"] and method == "GET":
			return "calendars", {}
		calendar, tail = None, None
		if rest[:1] == ["calendar"]:
			calendar, tail = DEFAULT_CAL, rest[1:]
		elif rest[:1] == ["calendars"] and len(rest) >= 2:
			calendar, tail = rest[1], rest[2:]
		if calendar is not None:
			if calendar not in self.calendars:
				return "missing_calendar", {}
			if tail == ["calendarView"] and method == "GET":
				return "calendarView", {"calendar": calendar}
			if tail == ["calendarView", "delta"] and method == "GET":
				return "delta", {"calendar": calendar}
			if tail == ["getSchedule"] and method == "POST":
				return "getSchedule", {}
			if tail == ["events"] and method == "POST":
				return "events.create", {"calendar": calendar}
			return None, {}
		if rest[:1] == ["events"] and len(rest) == 2:
			name = {"GET": "events.get", "PATCH": "events.update", "DELETE": "events.delete"}.get(method)
			return name, {"event_id": rest[1]}
		if rest == ["onlineMeetings"] and method == "POST":
			return "meetings.create", {}
		if rest == ["onlineMeetings", "createOrGet"] and method == "POST":
			return "meetings.createOrGet", {}
		if rest[:1] == ["onlineMeetings"] and len(rest) == 2:
			name = {"GET": "meetings.get", "PATCH": "meetings.update", "DELETE": "meetings.delete"}.get(
				method
			)
			return name, {"meeting_id": rest[1]}
		return None, {}

	def _token(self, request: Recorded, tenant: str) -> Reply:
		form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
		if tenant not in (self.tenant, "common", "organizations"):
			return Reply(
				400, {"error": "invalid_request", "error_description": "AADSTS90002: Tenant not found."}
			)
		if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
			return Reply(
				401,
				{
					"error": "invalid_client",
					"error_description": "AADSTS7000215: Invalid client secret provided.",
					"error_codes": [7000215],
				},
			)
		if form.get("grant_type") == "authorization_code":
			# the authorisation-code grant: a code is spent once, for the redirect_uri it was issued to
			if self.codes.pop(form.get("code") or "", None) != form.get("redirect_uri"):
				return Reply(
					400,
					{
						"error": "invalid_grant",
						"error_description": "AADSTS70000: The provided authorization code is invalid.",
					},
				)
			new_refresh = f"graph-refresh-{next(self.counter) + 1}"
			self.refresh_tokens.add(new_refresh)
			return Reply(
				200,
				{
					"token_type": "Bearer",
					"scope": "Calendars.ReadWrite OnlineMeetings.ReadWrite User.Read",
					"expires_in": 3599,
					"ext_expires_in": 3599,
					"access_token": self.issue(),
					"refresh_token": new_refresh,
				},
			)
		if form.get("grant_type") != "refresh_token":
			return Reply(400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003"})
		if form.get("refresh_token") not in self.refresh_tokens:
			return Reply(
				400,
				{
					"error": "invalid_grant",
					"error_description": "AADSTS70000: The provided grant has expired due to it being revoked.",
					"error_codes": [70000],
				},
			)
		scopes = (form.get("scope") or "").split()
		if "offline_access" not in scopes:
			return Reply(400, {"error": "invalid_scope", "error_description": "offline_access missing"})
		self.refresh_tokens.discard(form["refresh_token"])
		new_refresh = f"graph-refresh-{next(self.counter) + 1}"
		self.refresh_tokens.add(new_refresh)
		return Reply(
			200,
			{
				"token_type": "Bearer",
				"scope": " ".join(s for s in scopes if s != "offline_access"),
				"expires_in": 3599,
				"ext_expires_in": 3599,
				"access_token": self.issue(),
				"refresh_token": new_refresh,
			},
		)

	def _authorize(self, request: Recorded) -> Reply:
		"""The identity platform's authorize endpoint, the user consenting at once: back to
		``redirect_uri`` with a one-time code and the client's ``state``."""
		from urllib.parse import urlencode

		if request.q("client_id") != self.client_id or request.q("response_type") != "code":
			return Reply(400, {"error": "invalid_request", "error_description": "AADSTS700016"})
		if "offline_access" not in (request.q("scope") or "").split():
			return Reply(400, {"error": "invalid_scope", "error_description": "offline_access missing"})
		code = f"graph-code-{next(self.counter)}"
		self.codes[code] = request.q("redirect_uri")
		query = urlencode({"code": code, "state": request.q("state") or ""})
		return Reply(302, b"", {"Location": f"{request.q('redirect_uri')}?{query}"})

	# --- rendering ------------------------------------------------------------------------

	@staticmethod
	def _prefer(request: Recorded) -> dict[str, str]:
		out = {}
		for part in (request.headers.get("Prefer") or "").split(","):
			if "=" in part:
				key, _, value = part.strip().partition("=")
				out[key.strip()] = value.strip().strip('"')
		return out

	def render(self, event: dict, request: Recorded, select: set[str] | None = None) -> dict:
		zone_name = self._prefer(request).get("outlook.timezone") or event["zone"]

		def when(instant: datetime) -> dict:
			if event["isAllDay"]:
				local = instant.astimezone(_zone(event["zone"])).replace(tzinfo=None)
			else:
				local = instant.astimezone(_zone(zone_name)).replace(tzinfo=None)
			return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": zone_name}

		full = {
			"@odata.etag": f'W/"{event["version"]}"',
			"id": event["id"],
			"createdDateTime": "2024-03-01T10:00:00.0000000Z",
			"lastModifiedDateTime": f"2024-03-01T10:{event['version'] % 60:02d}:00.1234567Z",
			"changeKey": f"ck{event['version']}",
			"transactionId": event["transactionId"],
			"iCalUId": event["iCalUId"],
			"subject": event["subject"],
			"body": event["body"],
			"start": when(event["start_utc"]),
			"end": when(event["end_utc"]),
			"isAllDay": event["isAllDay"],
			"isCancelled": event["isCancelled"],
			"showAs": event["showAs"],
			"type": event["type"],
			"seriesMasterId": event["seriesMasterId"],
			"responseStatus": event["responseStatus"],
			"location": event["location"],
			"attendees": event["attendees"],
			"isOnlineMeeting": event["isOnlineMeeting"],
			"onlineMeetingProvider": event["onlineMeetingProvider"],
			"onlineMeeting": event["onlineMeeting"],
			"webLink": f"https://outlook.office365.com/owa/?itemid={quote(event['id'])}",
		}
		if select:
			return {k: v for k, v in full.items() if k in select or k in ("id", "@odata.etag")}
		return full

	def _in_window(self, event: dict, start: datetime, end: datetime) -> bool:
		return event["start_utc"] < end and event["end_utc"] > start

	def _window(self, request: Recorded):
		start, end = request.q("startDateTime"), request.q("endDateTime")
		if not start or not end:
			return None
		return _iso_z(start), _iso_z(end)

	# --- calendars and views ----------------------------------------------------------------

	def _calendars(self, request: Recorded) -> Reply:
		return Reply(200, {"value": [{"id": cid, **info} for cid, info in self.calendars.items()]})

	def _missing_calendar(self, request: Recorded) -> Reply:
		return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")

	def _calendarView(self, request: Recorded, calendar: str) -> Reply:
		window = self._window(request)
		if window is None:
			return graph_error(
				400,
				"ErrorInvalidParameter",
				"This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
			)
		select = set((request.q("$select") or "").split(",")) - {""} or None
		top = int(request.q("$top") or 10)
		skip = int(request.q("$skip") or 0)
		items = sorted(
			(e for e in self.live(calendar) if self._in_window(e, *window)), key=lambda e: e["start_utc"]
		)
		body = {"value": [self.render(e, request, select) for e in items[skip : skip + top]]}
		if skip + top < len(items):
			query = "&".join(
				f"{quote(k)}={quote(v[-1])}" for k, v in request.query.items() if k not in ("$skip",)
			)
			body["@odata.nextLink"] = f"{self.url}{request.raw_path}?{query}&%24skip={skip + top}"
		return Reply(200, body)

	def _delta(self, request: Recorded, calendar: str) -> Reply:
		size = int(self._prefer(request).get("odata.maxpagesize") or 10)
		if request.q("$deltatoken") is not None:
			state = self.delta_tokens.get(request.q("$deltatoken") or "")
			if state is None or state[0] != calendar:
				return graph_error(
					410,
					"syncStateNotFound",
					"The sync state generation is not found; generation=605;[highest=841].",
				)
			_cal, start, end, since = state
			return self._delta_page(request, calendar, start, end, since, 0, self.version, size)
		if request.q("$skiptoken") is not None:
			state = self.skip_tokens.get(request.q("$skiptoken") or "")
			if state is None or state[0] != calendar:
				return graph_error(410, "syncStateNotFound", "The sync state generation is not found.")
			return self._delta_page(request, *state, size)
		window = self._window(request)
		if window is None:
			return graph_error(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required.")
		if request.q("$select") or request.q("$filter"):
			return graph_error(400, "ErrorInvalidUrlQuery", "delta does not support $select or $filter.")
		# Graph's first answer is often an empty page pointing on
		token = f"skip{next(self.counter)}"
		self.skip_tokens[token] = (calendar, *window, None, 0, self.version)
		link = f"{self.url}{request.raw_path}?%24skiptoken={token}"
		return Reply(
			200, {"@odata.context": "...$metadata#Collection(event)", "@odata.nextLink": link, "value": []}
		)

	def _delta_page(self, request, calendar, start, end, since, offset, snapshot, size) -> Reply:
		items = []
		for event in sorted(self.events.values(), key=lambda e: e["id"]):
			if event["calendar"] != calendar or not self._in_window(event, start, end):
				continue
			if event["version"] > snapshot:
				continue
			if since is None:
				if not event["deleted"]:
					items.append(self.render(event, request))
			elif event["version"] > since:
				if event["deleted"]:
					items.append(
						{
							"@odata.type": "#microsoft.graph.event",
							"id": event["id"],
							"@removed": {"reason": "deleted"},
						}
					)
				else:
					items.append(self.render(event, request))
		page = items[offset : offset + size]
		body = {"@odata.context": "...$metadata#Collection(event)", "value": page}
		path = request.raw_path
		if offset + size < len(items):
			token = f"skip{next(self.counter)}"
			self.skip_tokens[token] = (calendar, start, end, since, offset + size, snapshot)
			body["@odata.nextLink"] = f"{self.url}{path}?%24skiptoken={token}"
		else:
			token = f"delta{next(self.counter)}"
			self.delta_tokens[token] = (calendar, start, end, snapshot)
			body["@odata.deltaLink"] = f"{self.url}{path}?%24deltatoken={token}"
		return Reply(200, body)

	def _getSchedule(self, request: Recorded) -> Reply:
		body = request.json or {}
		unknown = set(body) - {"schedules", "startTime", "endTime", "availabilityViewInterval"}
		if unknown:
			return graph_error(400, "RequestBodyRead", f"Unknown properties {sorted(unknown)}.")
		try:
			start = _parse_dtz(body.get("startTime"), "startTime")
			end = _parse_dtz(body.get("endTime"), "endTime")
		except (ValueError, TypeError, KeyError) as exc:
			return graph_error(400, "ErrorInvalidParameter", str(exc))
		schedules = body.get("schedules") or []
		if end - start > timedelta(days=62) or len(schedules) > 20:
			return graph_error(
				400, "ErrorInvalidParameter", "The time window or the number of schedules is too large."
			)
		value = []
		for address in schedules:
			calendar = self.mailboxes.get(address)
			if calendar is None:
				value.append(
					{
						"scheduleId": address,
						"availabilityView": "",
						"error": {
							"message": "The user or group was not found.",
							"responseCode": "ErrorMailRecipientNotFound",
						},
					}
				)
				continue
			items = []
			for event in sorted(self.live(calendar), key=lambda e: e["start_utc"]):
				if event["isCancelled"] or not self._in_window(event, start, end):
					continue
				rendered = self.render(event, request)
				items.append(
					{
						"isPrivate": False,
						"status": event["showAs"],
						"subject": event["subject"],
						"location": "",
						"isMeeting": False,
						"isRecurring": False,
						"isException": False,
						"isReminderSet": True,
						"start": rendered["start"],
						"end": rendered["end"],
					}
				)
			value.append(
				{"scheduleId": address, "availabilityView": "0", "scheduleItems": items, "workingHours": {}}
			)
		return Reply(200, {"@odata.context": "...microsoft.graph.scheduleInformation", "value": value})

	# --- events -----------------------------------------------------------------------------

	def _check_event(self, body) -> str | None:
		if not isinstance(body, dict):
			return "The request body must be a JSON object."
		for key in body:
			if key not in EVENT_FIELDS:
				return f"The property '{key}' does not exist on type 'microsoft.graph.event'."
		for key in ("start", "end"):
			if key in body:
				try:
					_parse_dtz(body[key], key)
				except (ValueError, TypeError, KeyError) as exc:
					return f"TimeZoneNotSupportedException or bad {key}: {exc}"
		if "body" in body and (body["body"] or {}).get("contentType") not in ("text", "html"):
			return "body.contentType must be text or html."
		if "showAs" in body and body["showAs"] not in (
			"free",
			"tentative",
			"busy",
			"oof",
			"workingElsewhere",
			"unknown",
		):
			return "Invalid showAs."
		for prop in body.get("singleValueExtendedProperties") or ():
			if not re.fullmatch(r"String \{[0-9a-f-]{36}\} Name [A-Za-z0-9_]+", prop.get("id", "")):
				return "Invalid extended property id."
		if len(str(body.get("subject") or "")) > 255:
			return "The subject is too long."
		return None

	def _apply(self, event: dict, body: dict) -> None:
		for key, value in body.items():
			if key == "start":
				event["start_utc"] = _parse_dtz(value, key)
				event["zone"] = value.get("timeZone") or "UTC"
			elif key == "end":
				event["end_utc"] = _parse_dtz(value, key)
			else:
				event[key] = value
		if event.get("isOnlineMeeting") and event.get("onlineMeetingProvider") == "teamsForBusiness":
			if not event.get("onlineMeeting") and not event.get("teams_pending"):
				if self.teams_later:
					event["teams_pending"] = True
				else:
					self._teams(event)

	@staticmethod
	def _teams(event: dict) -> None:
		event["onlineMeeting"] = {
			"joinUrl": f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{event['id'][-8:]}%40thread.v2/0"
		}

	def _events_create(self, request: Recorded, calendar: str) -> Reply:
		body = request.json
		problem = self._check_event(body)
		if problem:
			return graph_error(400, "RequestBodyRead", problem)
		if "start" not in body or "end" not in body:
			return graph_error(400, "ErrorInvalidRequest", "start and end are required.")
		tid = body.get("transactionId")
		if tid:
			for event in self.live(calendar):
				if event["transactionId"] == tid:  # a retried create: no second event
					return Reply(201, self.render(event, request))
		event = self.add_event(calendar, _parse_dtz(body["start"], "start"), _parse_dtz(body["end"], "end"))
		self._apply(event, body)
		return Reply(201, self.render(event, request))

	def _found(self, event_id: str) -> dict | None:
		event = self.events.get(event_id)
		return None if event is None or event["deleted"] else event

	def _events_get(self, request: Recorded, event_id: str) -> Reply:
		event = self._found(event_id)
		if event is None:
			return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
		if event.pop("teams_pending", False):
			self._teams(event)
		return Reply(200, self.render(event, request))

	def _events_update(self, request: Recorded, event_id: str) -> Reply:
		event = self._found(event_id)
		if event is None:
			return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
		body = request.json
		problem = self._check_event(body)
		if problem:
			return graph_error(400, "RequestBodyRead", problem)
		if body.get("transactionId") not in (None, event["transactionId"]):
			return graph_error(400, "ErrorInvalidRequest", "transactionId cannot be changed.")
		self.version += 1
		event["version"] = self.version
		self._apply(event, body)
		return Reply(200, self.render(event, request))

	def _events_delete(self, request: Recorded, event_id: str) -> Reply:
		if self._found(event_id) is None:
			return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
		self.remove(event_id)
		return Reply(204, b"")

	# --- online meetings --------------------------------------------------------------------

	def _check_meeting(self, body) -> str | None:
		if not isinstance(body, dict):
			return "The request body must be a JSON object."
		for key in body:
			if key not in MEETING_FIELDS:
				return f"The property '{key}' does not exist on type 'microsoft.graph.onlineMeeting'."
		for key in ("startDateTime", "endDateTime"):
			if key in body and not re.fullmatch(
				r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", str(body[key])
			):
				return f"Invalid {key}."
		return None

	def _new_meeting(self, body: dict) -> dict:
		number = next(self.counter)
		meeting_id = f"MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZm{number:04d}_X0w="
		meeting = {
			"id": meeting_id,
			"creationDateTime": "2024-03-01T10:00:00.0000000Z",
			"startDateTime": body.get("startDateTime"),
			"endDateTime": body.get("endDateTime"),
			"subject": body.get("subject"),
			"externalId": body.get("externalId"),
			"joinWebUrl": f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_M{number:04d}%40thread.v2/0",
			"audioConferencing": {
				"tollNumber": "+12525634478",
				"tollFreeNumber": "+18666390588",
				"conferenceId": f"{9000000 + number}",
				"dialinUrl": "https://dialin.teams.microsoft.com/22f12fa0-499f-435b-bc69-b8de580ba330?id=xxxxxxx",
			},
			"joinMeetingIdSettings": {
				"isPasscodeRequired": True,
				"joinMeetingId": f"{1234567890 + number}",
				"passcode": "qH3xyz",
			},
			"chatInfo": {"threadId": f"19:meeting_M{number:04d}@thread.v2"},
			"participants": {"organizer": {"upn": "host@contoso.com", "role": "presenter"}},
		}
		self.meetings[meeting_id] = meeting
		return meeting

	def _meetings_create(self, request: Recorded) -> Reply:
		body = request.json
		problem = self._check_meeting(body) or ("externalId" in body and "use createOrGet for externalId")
		if problem:
			return graph_error(400, "BadRequest", problem)
		return Reply(201, self._new_meeting(body))

	def _meetings_createOrGet(self, request: Recorded) -> Reply:
		body = request.json
		problem = self._check_meeting(body) or (not body.get("externalId") and "externalId is required")
		if problem:
			return graph_error(400, "BadRequest", problem)
		for meeting in self.meetings.values():
			if meeting["externalId"] == body["externalId"]:
				return Reply(200, meeting)
		return Reply(201, self._new_meeting(body))

	def _meetings_get(self, request: Recorded, meeting_id: str) -> Reply:
		meeting = self.meetings.get(meeting_id)
		if meeting is None:
			return graph_error(404, "NotFound", "The specified meeting could not be found.")
		return Reply(200, meeting)

	def _meetings_update(self, request: Recorded, meeting_id: str) -> Reply:
		meeting = self.meetings.get(meeting_id)
		if meeting is None:
			return graph_error(404, "NotFound", "The specified meeting could not be found.")
		body = request.json
		problem = self._check_meeting(body)
		if problem:
			return graph_error(400, "BadRequest", problem)
		meeting.update(body)
		return Reply(200, meeting)

	def _meetings_delete(self, request: Recorded, meeting_id: str) -> Reply:
		if self.meetings.pop(meeting_id, None) is None:
			return graph_error(404, "NotFound", "The specified meeting could not be found.")
		return Reply(204, b"")
