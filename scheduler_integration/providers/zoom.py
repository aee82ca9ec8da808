"""Zoom meetings (REST API v2) for bookings, on ``requests``.

One scheduled meeting (type 2) per booking: ``create_meeting`` (``POST
/users/{userId}/meetings``), ``update_meeting`` (``PATCH /meetings/{id}``, then a ``GET``
for the current state), ``delete_meeting`` (``DELETE``; already gone is fine) and
``get_meeting``. Times go out in UTC (``...Z``) with the host's ``timezone`` for display;
the duration is whole minutes, rounded up. Topics are clipped to Zoom's 200 characters,
agendas to 2,000; text is sent as JSON, so line breaks or markup cannot change the request.

Tokens come from an injected ``TokenSource``: ``user_tokens`` (user-level OAuth app:
refresh-token grant against ``https://zoom.us/oauth/token`` with HTTP Basic client
credentials; Zoom rotates the refresh token, ``on_refresh`` receives it) or
``server_to_server_tokens`` (account-level Server-to-Server OAuth: the
``account_credentials`` grant; then pass the host's Zoom user id or email as ``user_id``,
since ``me`` is the app's account). On 401 (Zoom code 124) the token is refreshed once and
the request sent once more.

Idempotency: Zoom has no idempotency key, so a draft with a ``key`` gets a last agenda line
``Scheduler reference: <key>``, and ``create_meeting`` first looks for a scheduled
meeting of the user carrying that line at the same start; when the first attempt did
create one (its answer lost to a timeout), that meeting is updated and returned instead
of a second one being made.

Errors: 401 after the refresh and refused refreshes ``ProviderAuthError``; 400/403 with
Zoom's missing-scope codes ``ProviderAuthError``; 404 (code 3001) ``MeetingNotFound``;
429 (``retry_after`` from ``Retry-After``), 5xx, timeouts, connection errors
``ProviderUnavailable``; other 4xx ``ProviderError``. Nothing is logged; ``start_url``
(it carries a host token) is never kept.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from urllib.parse import quote

import requests
from dateutil.parser import isoparse

from ..engine.timezones import UTC
from .errors import AdapterError, MeetingNotFound, ProviderAuthError, ProviderError
from .model import DialIn, Meeting, MeetingDraft
from .oauth import DEFAULT_TIMEOUT, OAuthTokenSource, TokenSource
from .rest import Answer, JsonApi

__all__ = ["DEFAULT_BASE_URL", "TOKEN_URL", "ZoomMeetings", "server_to_server_tokens", "user_tokens"]

DEFAULT_BASE_URL = "https://api.zoom.us/v2"
TOKEN_URL = "https://zoom.us/oauth/token"
MAX_TOPIC = 200
MAX_AGENDA = 2000
REFERENCE = "Scheduler reference: "
# no registration, a fresh meeting id per booking (never the host's personal meeting id)
DEFAULT_SETTINGS = {"use_pmi": False, "approval_type": 2, "registrants_email_notification": False}
_SCOPE_CODES = {4700, 4701, 4702, 4711, 4733}  # token lacks scopes / app not allowed
_MAX_LIST_PAGES = 10


def user_tokens(
	*,
	client_id: str,
	client_secret: str,
	refresh_token: str,
	access_token: str | None = None,
	expires_at: float | None = None,
	token_url: str = TOKEN_URL,
	scope: str | None = None,
	**kwargs,
) -> OAuthTokenSource:
	"""Tokens of a user-level Zoom OAuth app (refresh-token grant, HTTP Basic client auth).
	``scope`` is accepted like other providers' factories and not sent: a Zoom refresh
	keeps the scopes the user granted."""
	return OAuthTokenSource(
		token_url,
		client_id=client_id,
		client_secret=client_secret,
		grant="refresh_token",
		refresh_token=refresh_token,
		access_token=access_token,
		expires_at=expires_at,
		client_auth="basic",
		label="Zoom",
		**kwargs,
	)


def server_to_server_tokens(
	*, account_id: str, client_id: str, client_secret: str, token_url: str = TOKEN_URL, **kwargs
) -> OAuthTokenSource:
	"""Tokens of a Server-to-Server OAuth app (``account_credentials`` grant, in the query)."""
	return OAuthTokenSource(
		token_url,
		client_id=client_id,
		client_secret=client_secret,
		grant="account_credentials",
		params={"account_id": account_id},
		params_in_query=True,
		client_auth="basic",
		label="Zoom",
		**kwargs,
	)


class _ZoomApi(JsonApi):
	label = "Zoom"
	not_found = MeetingNotFound

	def error_code(self, answer: Answer) -> tuple[str, str]:
		body = answer.body if isinstance(answer.body, dict) else {}
		return str(body.get("code") or ""), str(body.get("message") or "")[:300]

	def classify(self, answer: Answer, what: str) -> AdapterError | None:
		code, message = self.error_code(answer)
		if answer.status in (400, 403) and code.isdigit() and int(code) in _SCOPE_CODES:
			return ProviderAuthError(
				"Zoom refused access ({0}): {1} {2}", what, code, message, status=answer.status
			)
		return None


def _meeting_id(value) -> str:
	text = str(value)
	if not re.fullmatch(r"\d{1,20}", text):
		raise ProviderError("Not a Zoom meeting id: {0!r}", text[:30])
	return text


def _zoom_time(value) -> str:
	return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ZoomMeetings:
	"""Zoom meetings of one user (``user_id``: ``me`` for user-level apps)."""

	name = "zoom"

	def __init__(
		self,
		tokens: TokenSource,
		*,
		user_id: str = "me",
		base_url: str = DEFAULT_BASE_URL,
		session: requests.Session | None = None,
		timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
		settings: Mapping | None = None,
		clock: Callable[[], float] = time.time,
	):
		self.api = _ZoomApi(base_url, tokens, session=session, timeout=timeout, clock=clock)
		self.user_id = str(user_id)
		self.settings = {**DEFAULT_SETTINGS, **dict(settings or {})}

	# --- the provider interface -----------------------------------------------------------

	def create_meeting(self, draft: MeetingDraft) -> Meeting:
		if draft.key:
			existing = self.find_meeting(draft.key, draft)
			if existing is not None:
				return self.update_meeting(existing, draft)
		body = self.body(draft)
		answer = self.api.request(
			"POST", f"users/{quote(self.user_id, safe='@.')}/meetings", what="create meeting", json_body=body
		)
		return self._meeting(answer.body)

	def update_meeting(self, meeting_id: str, draft: MeetingDraft) -> Meeting:
		meeting_id = _meeting_id(meeting_id)
		body = self.body(draft)
		body.pop("type")
		if draft.password is None:
			body.pop("password", None)  # keep the passcode the guests already have
		self.api.request("PATCH", f"meetings/{meeting_id}", what="update meeting", json_body=body)
		return self.get_meeting(meeting_id)

	def delete_meeting(self, meeting_id: str) -> bool:
		meeting_id = _meeting_id(meeting_id)
		try:
			self.api.request("DELETE", f"meetings/{meeting_id}", what="delete meeting")
		except MeetingNotFound:
			return False
		return True

	def get_meeting(self, meeting_id: str) -> Meeting:
		meeting_id = _meeting_id(meeting_id)
		return self._meeting(self.api.request("GET", f"meetings/{meeting_id}", what="get meeting").body)

	# --- helpers ----------------------------------------------------------------------------

	def body(self, draft: MeetingDraft) -> dict:
		"""The Zoom meeting object for ``draft``."""
		agenda = draft.agenda
		if draft.key:
			line = REFERENCE + draft.key
			agenda = (agenda[: MAX_AGENDA - len(line) - 2].rstrip() + "\n\n" + line).lstrip()
		body = {
			"topic": draft.topic[:MAX_TOPIC],
			"type": 2,
			"start_time": _zoom_time(draft.start),
			"duration": int(draft.duration),
			"timezone": draft.timezone,
			"agenda": agenda[:MAX_AGENDA],
			"settings": dict(self.settings),
		}
		passcode = draft.passcode()
		if passcode:
			body["password"] = passcode
		return body

	def find_meeting(self, key: str, draft: MeetingDraft) -> str | None:
		"""The id of a scheduled meeting carrying ``key``'s reference line at the draft's start."""
		line = REFERENCE + key
		start = _zoom_time(draft.start)
		params = {"type": "scheduled", "page_size": 300}
		path = f"users/{quote(self.user_id, safe='@.')}/meetings"
		for _page in range(_MAX_LIST_PAGES):
			body = self.api.request("GET", path, what="list meetings", params=params).body or {}
			for item in body.get("meetings") or ():
				agenda = str(item.get("agenda") or "")
				if agenda.rstrip().endswith(line) and self._same_start(item.get("start_time"), start):
					return str(item.get("id"))
			token = body.get("next_page_token")
			if not token:
				return None
			params = {**params, "next_page_token": token}
		return None

	@staticmethod
	def _same_start(value, start: str) -> bool:
		try:
			return _zoom_time(isoparse(str(value))) == start
		except (ValueError, OverflowError, TypeError):
			return False

	def _meeting(self, body) -> Meeting:
		if not isinstance(body, dict) or not body.get("id") or not body.get("join_url"):
			raise ProviderError("Zoom answered without a meeting id or join URL")
		settings = body.get("settings") or {}
		pin = str(body.get("pstn_password") or "")
		dial_in = tuple(
			DialIn(
				number=str(entry.get("number") or ""),
				country=str(entry.get("country") or ""),
				pin=pin,
				label=str(entry.get("city") or entry.get("country_name") or ""),
			)
			for entry in settings.get("global_dial_in_numbers") or ()
			if entry.get("number")
		)
		extra = {
			k: str(body[k]) for k in ("uuid", "host_id", "start_time", "timezone", "status") if body.get(k)
		}
		return Meeting(
			provider="zoom",
			id=str(body["id"]),
			join_url=str(body["join_url"]),
			password=str(body.get("password") or "") or None,
			dial_in=dial_in,
			extra=extra,
		)
