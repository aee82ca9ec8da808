"""A local Zoom peer: the OAuth token endpoint (``account_credentials`` and
``refresh_token`` grants, HTTP Basic client authentication) and the REST API v2 meeting
endpoints the adapter uses, with Zoom's documented shapes, status codes and error bodies
(``{"code": 124, "message": "Invalid access token."}``, 3001 for a missing meeting, 300
for a bad request, 429 with ``Retry-After``). Listens on 127.0.0.1 only."""

from __future__ import annotations

import base64
import itertools
import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, unquote

from calendar_peers import PeerServer, Recorded, Reply

UTC = timezone.utc
_SETTINGS = {
	"host_video",
	"participant_video",
	"join_before_host",
	"mute_upon_entry",
	"waiting_room",
	"use_pmi",
	"approval_type",
	"audio",
	"auto_recording",
	"registrants_email_notification",
	"meeting_authentication",
	"jbh_time",
}
_MEETING_FIELDS = {
	"topic",
	"type",
	"start_time",
	"duration",
	"timezone",
	"password",
	"agenda",
	"settings",
	"default_password",
	"pre_schedule",
	"schedule_for",
	"template_id",
}


def zoom_error(status: int, code: int, message: str, headers: dict | None = None) -> Reply:
	return Reply(status, {"code": code, "message": message}, headers or {})


class FakeZoom(PeerServer):
	"""State: ``meetings`` by id. Test controls: ``fail(route, reply, times)``,
	``hangup_after`` (answer nothing after doing the work), ``expire_tokens()``."""

	client_id, client_secret, account_id = "zoom-client", "zoom-secret", "acc-123"

	def __init__(self):
		self.meetings: dict[str, dict] = {}
		self.valid_tokens: set[str] = set()
		self.refresh_tokens: set[str] = {"zoom-refresh-1"}
		self.counter = itertools.count(1)
		self.ids = itertools.count(85_746_065_432)
		self.failures: dict[str, list[Reply]] = {}
		self.hangup_after: set[str] = set()
		self.calls: list[tuple[str, Recorded]] = []
		self.users = {"me": "host@example.com", "host@example.com": "host@example.com"}
		super().__init__(self._app)

	# test controls
	def fail(self, route: str, reply: Reply, times: int = 1) -> None:
		self.failures.setdefault(route, []).extend([reply] * times)

	def issue(self) -> str:
		token = f"zoom-access-{next(self.counter)}"
		self.valid_tokens.add(token)
		return token

	def expire_tokens(self) -> None:
		self.valid_tokens.clear()

	def calls_of(self, route: str) -> list[Recorded]:
		return [r for name, r in self.calls if name == route]

	# the server
	def _app(self, request: Recorded, handler) -> Reply | None:
		if request.path == "/oauth/token":
			return self._token(request)
		route, params = self._route(request)
		if route is None:
			return zoom_error(404, 404, "Not Found")
		self.calls.append((route, request))
		auth = request.headers.get("Authorization") or ""
		if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
			return zoom_error(401, 124, "Invalid access token.")
		queued = self.failures.get(route)
		if queued:
			return queued.pop(0)
		reply = getattr(self, "_" + route)(request, **params)
		if route in self.hangup_after:
			self.hangup_after.discard(route)
			return None
		return reply

	def _route(self, request: Recorded):
		parts = [unquote(p) for p in request.raw_path.split("/")]
		if parts[:2] != ["", "v2"]:
			return None, {}
		rest = parts[2:]
		if len(rest) == 3 and rest[0] == "users" and rest[2] == "meetings":
			if request.method == "POST":
				return "create", {"user": rest[1]}
			if request.method == "GET":
				return "list", {"user": rest[1]}
		if len(rest) == 2 and rest[0] == "meetings" and request.method in ("GET", "PATCH", "DELETE"):
			return {"GET": "get", "PATCH": "update", "DELETE": "delete"}[request.method], {
				"meeting_id": rest[1]
			}
		return None, {}

	def _token(self, request: Recorded) -> Reply:
		expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
		if request.headers.get("Authorization") != f"Basic {expected}":
			return Reply(401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
		fields = {k: v[-1] for k, v in request.query.items()}
		fields.update({k: v[-1] for k, v in parse_qs(request.body.decode()).items()})
		grant = fields.get("grant_type")
		if grant == "account_credentials":
			if fields.get("account_id") != self.account_id:
				return Reply(400, {"reason": "Invalid account_id", "error": "invalid_request"})
			return Reply(
				200,
				{
					"access_token": self.issue(),
					"token_type": "bearer",
					"expires_in": 3599,
					"scope": "meeting:write:admin meeting:read:admin",
					"api_url": "https://api.zoom.us",
				},
			)
		if grant == "refresh_token":
			refresh = fields.get("refresh_token")
			if refresh not in self.refresh_tokens:
				return Reply(400, {"reason": "Invalid Token!", "error": "invalid_request"})
			self.refresh_tokens.discard(refresh)  # Zoom rotates refresh tokens
			new_refresh = f"zoom-refresh-{next(self.counter) + 1}"
			self.refresh_tokens.add(new_refresh)
			return Reply(
				200,
				{
					"access_token": self.issue(),
					"token_type": "bearer",
					"refresh_token": new_refresh,
					"expires_in": 3599,
					"scope": "meeting:write meeting:read",
				},
			)
		return Reply(400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"})

	# meeting endpoints
	def _check(self, body, creating: bool) -> str | None:
		if not isinstance(body, dict):
			return "Request Body should be a valid JSON object."
		for key in body:
			if key not in _MEETING_FIELDS:
				return f"Invalid field: {key}."
		if creating and "type" not in body:
			body["type"] = 2
		if "type" in body and body["type"] not in (1, 2, 3, 8):
			return "Invalid meeting type."
		if "topic" in body and (not isinstance(body["topic"], str) or len(body["topic"]) > 200):
			return "Invalid field: topic."
		if "agenda" in body and (not isinstance(body["agenda"], str) or len(body["agenda"]) > 2000):
			return "Invalid field: agenda."
		if "duration" in body and (
			isinstance(body["duration"], bool) or not isinstance(body["duration"], int)
		):
			return "Invalid field: duration."
		if "start_time" in body and not re.fullmatch(
			r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z)?", str(body["start_time"])
		):
			return "Invalid field: start_time."
		if "password" in body and not re.fullmatch(r"[A-Za-z0-9@_*-]{1,10}", str(body["password"])):
			return "Password can only have a maximum of 10 characters and only contain a-z A-Z 0-9 @ - _ *"
		for key in body.get("settings") or {}:
			if key not in _SETTINGS:
				return f"Invalid field: settings.{key}."
		return None

	def _create(self, request: Recorded, user: str) -> Reply:
		if user not in self.users:
			return zoom_error(404, 1001, f"User does not exist: {user}.")
		body = request.json
		problem = self._check(body, creating=True)
		if problem:
			return zoom_error(400, 300, problem)
		meeting_id = next(self.ids)
		password = body.get("password") or "Zm9vYmFy1"  # the account requires a passcode
		meeting = {
			"uuid": f"uuid-{meeting_id}==",
			"id": meeting_id,
			"host_id": "host-id-1",
			"host_email": self.users[user],
			"topic": body.get("topic", "Zoom Meeting"),
			"type": body["type"],
			"status": "waiting",
			"start_time": self._normal(body.get("start_time"), body.get("timezone")),
			"duration": body.get("duration", 60),
			"timezone": body.get("timezone", "America/Los_Angeles"),
			"agenda": body.get("agenda", ""),
			"created_at": "2024-03-01T10:00:00Z",
			"start_url": f"https://us05web.zoom.us/s/{meeting_id}?zak=secret-host-key",
			"join_url": f"https://us05web.zoom.us/j/{meeting_id}?pwd=enc{meeting_id}",
			"password": password,
			"h323_password": "123456",
			"pstn_password": "123456",
			"encrypted_password": f"enc{meeting_id}",
			"settings": {
				**(body.get("settings") or {}),
				"global_dial_in_numbers": [
					{
						"country_name": "US",
						"city": "New York",
						"number": "+1 646 558 8656",
						"type": "toll",
						"country": "US",
					}
				],
			},
			"pre_schedule": False,
		}
		self.meetings[str(meeting_id)] = meeting
		return Reply(201, meeting)

	@staticmethod
	def _normal(start: str | None, zone: str | None) -> str:
		if not start:
			return "2024-03-01T10:00:00Z"
		if start.endswith("Z"):
			return start
		from zoneinfo import ZoneInfo

		local = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone or "UTC"))
		return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

	def _list(self, request: Recorded, user: str) -> Reply:
		if request.q("type") not in (
			None,
			"scheduled",
			"live",
			"upcoming",
			"upcoming_meetings",
			"previous_meetings",
		):
			return zoom_error(400, 300, "Invalid field: type.")
		size = min(int(request.q("page_size") or 30), 300)
		offset = int(request.q("next_page_token") or 0)
		items = sorted(self.meetings.values(), key=lambda m: m["id"])
		page = [
			{
				k: m[k]
				for k in (
					"uuid",
					"id",
					"host_id",
					"topic",
					"type",
					"start_time",
					"duration",
					"timezone",
					"agenda",
					"created_at",
					"join_url",
				)
			}
			for m in items[offset : offset + size]
		]
		more = offset + size < len(items)
		return Reply(
			200,
			{
				"page_size": size,
				"total_records": len(items),
				"next_page_token": str(offset + size) if more else "",
				"meetings": page,
			},
		)

	def _get(self, request: Recorded, meeting_id: str) -> Reply:
		meeting = self.meetings.get(meeting_id)
		if meeting is None:
			return zoom_error(404, 3001, f"Meeting does not exist: {meeting_id}.")
		return Reply(200, meeting)

	def _update(self, request: Recorded, meeting_id: str) -> Reply:
		meeting = self.meetings.get(meeting_id)
		if meeting is None:
			return zoom_error(404, 3001, f"Meeting does not exist: {meeting_id}.")
		body = request.json
		problem = self._check(body, creating=False)
		if problem:
			return zoom_error(400, 300, problem)
		settings = body.pop("settings", None) or {}
		if "start_time" in body:
			body["start_time"] = self._normal(body["start_time"], body.get("timezone", meeting["timezone"]))
		meeting.update(body)
		meeting["settings"].update(settings)
		return Reply(204, b"")

	def _delete(self, request: Recorded, meeting_id: str) -> Reply:
		if self.meetings.pop(meeting_id, None) is None:
			return zoom_error(404, 3001, f"Meeting does not exist: {meeting_id}.")
		return Reply(204, b"")
