"""Zoom adapter against a local Zoom peer (OAuth token endpoint + REST API v2 meetings)."""

from __future__ import annotations

import base64
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
import requests
from zoom_peer import FakeZoom, Reply, zoom_error

from scheduler_integration.providers.errors import (
	EventNotFound,
	MeetingNotFound,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
)
from scheduler_integration.providers.oauth import OAuthTokenSource, StaticToken
from scheduler_integration.providers.providers import MeetingDraft, VideoProvider
from scheduler_integration.providers.zoom import REFERENCE, ZoomMeetings, server_to_server_tokens, user_tokens

UTC = timezone.utc
NY = ZoneInfo("America/New_York")


def utc(*fields):
	return datetime(*fields, tzinfo=UTC)


def draft(**changes) -> MeetingDraft:
	values = {
		"topic": "Intro call with Ada",
		"start": utc(2024, 3, 4, 14),
		"duration": 30,
		"timezone": "Europe/Berlin",
		"agenda": "Goals\n- pricing",
		"key": "BK-0001",
	}
	values.update(changes)
	return MeetingDraft(**values)


def session() -> requests.Session:
	s = requests.Session()
	s.trust_env = False  # never a proxy between the tests and 127.0.0.1
	return s


@pytest.fixture
def zoom_server():
	with FakeZoom() as server:
		yield server


def s2s(server: FakeZoom, **kwargs) -> OAuthTokenSource:
	return server_to_server_tokens(
		account_id=server.account_id,
		client_id=server.client_id,
		client_secret=server.client_secret,
		token_url=server.url + "/oauth/token",
		session=session(),
		**kwargs,
	)


def adapter(server: FakeZoom, tokens=None, **kwargs) -> ZoomMeetings:
	kwargs.setdefault("user_id", "host@example.com")
	return ZoomMeetings(
		tokens or s2s(server), base_url=server.url + "/v2", session=session(), timeout=(2, 2), **kwargs
	)


@pytest.fixture
def zoom(zoom_server):
	return adapter(zoom_server)


def basic(server: FakeZoom) -> str:
	return "Basic " + base64.b64encode(f"{server.client_id}:{server.client_secret}".encode()).decode()


# --- happy paths ------------------------------------------------------------------------------


def test_create_meeting_with_server_to_server_oauth(zoom, zoom_server):
	meeting = zoom.create_meeting(draft(password="s3cret"))
	assert isinstance(zoom, VideoProvider)
	token_request, listing, create = zoom_server.requests
	assert (token_request.method, token_request.path) == ("POST", "/oauth/token")
	assert token_request.q("grant_type") == "account_credentials"
	assert token_request.q("account_id") == zoom_server.account_id
	assert token_request.headers["Authorization"] == basic(zoom_server)
	assert (listing.method, listing.path, listing.q("type")) == (
		"GET",
		"/v2/users/host@example.com/meetings",
		"scheduled",
	)
	assert (create.method, create.path) == ("POST", "/v2/users/host@example.com/meetings")
	assert create.headers["Authorization"] == "Bearer zoom-access-1"
	assert create.headers["Content-Type"] == "application/json"
	body = create.json
	assert body == {
		"topic": "Intro call with Ada",
		"type": 2,
		"start_time": "2024-03-04T14:00:00Z",
		"duration": 30,
		"timezone": "Europe/Berlin",
		"agenda": "Goals\n- pricing\n\n" + REFERENCE + "BK-0001",
		"password": "s3cret",
		"settings": {"use_pmi": False, "approval_type": 2, "registrants_email_notification": False},
	}
	stored = zoom_server.meetings[meeting.id]
	assert meeting.provider == "zoom"
	assert meeting.join_url == stored["join_url"]
	assert meeting.password == "s3cret"
	assert meeting.dial_in[0].number == "+1 646 558 8656" and meeting.dial_in[0].pin == "123456"
	assert "start_url" not in meeting.extra and "zak" not in repr(meeting)  # host key never kept


def test_get_update_and_delete(zoom, zoom_server):
	meeting = zoom.create_meeting(draft())
	assert meeting.password == "Zm9vYmFy1"  # the account's own passcode, read back
	moved = zoom.update_meeting(meeting.id, draft(start=utc(2024, 3, 5, 15), duration=45, topic="Moved"))
	patch = zoom_server.calls_of("update")[-1]
	assert (patch.method, patch.path) == ("PATCH", f"/v2/meetings/{meeting.id}")
	assert "type" not in patch.json and "password" not in patch.json  # guests keep their passcode
	assert (moved.id, moved.extra["start_time"], moved.password) == (
		meeting.id,
		"2024-03-05T15:00:00Z",
		"Zm9vYmFy1",
	)
	assert zoom_server.meetings[meeting.id]["duration"] == 45
	assert zoom.get_meeting(meeting.id).join_url == meeting.join_url
	assert zoom.delete_meeting(meeting.id) is True
	assert zoom_server.requests[-1].method == "DELETE"
	assert zoom.delete_meeting(meeting.id) is False  # already gone: fine
	with pytest.raises(MeetingNotFound) as info:
		zoom.update_meeting(meeting.id, draft())
	assert isinstance(info.value, EventNotFound) and not info.value.retryable
	with pytest.raises(MeetingNotFound):
		zoom.get_meeting("123456789")


def test_generated_passcode_fits_zoom_rules(zoom, zoom_server):
	meeting = zoom.create_meeting(draft(password_policy="generate"))
	sent = zoom_server.calls_of("create")[-1].json["password"]
	assert len(sent) == 10 and sent.isalnum() and meeting.password == sent
	with pytest.raises(ProviderError):
		draft(password="far-too-long-passcode")
	with pytest.raises(ProviderError):
		draft(password_policy="always")


def test_meeting_ids_are_checked_before_any_request(zoom, zoom_server):
	for bad in ("../users/me", "12 34", "", "1" * 30):
		with pytest.raises(ProviderError):
			zoom.delete_meeting(bad)
	assert zoom_server.requests == []


# --- tokens -----------------------------------------------------------------------------------


def test_user_oauth_refreshes_once_on_401_and_hands_over_the_rotated_token(zoom_server):
	stored = []
	tokens = user_tokens(
		client_id=zoom_server.client_id,
		client_secret=zoom_server.client_secret,
		refresh_token="zoom-refresh-1",
		access_token="expired-access",
		token_url=zoom_server.url + "/oauth/token",
		session=session(),
		on_refresh=stored.append,
	)
	zoom = adapter(zoom_server, tokens, user_id="me")
	meeting = zoom.create_meeting(draft(key=None))
	paths = [(r.method, r.path) for r in zoom_server.requests]
	assert paths == [
		("POST", "/v2/users/me/meetings"),
		("POST", "/oauth/token"),
		("POST", "/v2/users/me/meetings"),
	]
	first = zoom_server.requests[0]
	assert first.headers["Authorization"] == "Bearer expired-access"
	refresh = zoom_server.requests[1]
	assert refresh.headers["Authorization"] == basic(zoom_server)
	form = parse_qs(refresh.body.decode())
	assert form == {"grant_type": ["refresh_token"], "refresh_token": ["zoom-refresh-1"]}
	assert len(zoom_server.meetings) == 1 and meeting.id in zoom_server.meetings
	(tokens_now,) = stored
	assert tokens_now["refresh_token"] in zoom_server.refresh_tokens  # rotated, for the caller to store
	assert "zoom-refresh-1" not in zoom_server.refresh_tokens
	# the source keeps the rotated refresh token for the next refresh
	zoom_server.expire_tokens()
	zoom.get_meeting(meeting.id)
	assert len(stored) == 2


def test_tokens_are_reused_until_they_expire(zoom_server):
	now = [1_000_000.0]
	tokens = s2s(zoom_server, clock=lambda: now[0])
	zoom = adapter(zoom_server, tokens)
	meeting = zoom.create_meeting(draft(key=None))
	zoom.get_meeting(meeting.id)
	assert len(zoom_server.calls_of("get")) == 1
	assert [r.path for r in zoom_server.requests].count("/oauth/token") == 1
	now[0] += 3599 - 30  # inside the leeway before expiry: a new token first
	zoom.get_meeting(meeting.id)
	assert [r.path for r in zoom_server.requests].count("/oauth/token") == 2
	assert zoom_server.requests[-1].headers["Authorization"] == "Bearer zoom-access-2"


def test_expired_token_mid_session_is_refreshed(zoom, zoom_server):
	meeting = zoom.create_meeting(draft())
	zoom_server.expire_tokens()  # Zoom answers 401 code 124
	assert zoom.get_meeting(meeting.id).id == meeting.id
	assert [r.path for r in zoom_server.requests][-3:] == [
		f"/v2/meetings/{meeting.id}",
		"/oauth/token",
		f"/v2/meetings/{meeting.id}",
	]


def test_refused_refresh_means_reconnect(zoom_server):
	tokens = user_tokens(
		client_id=zoom_server.client_id,
		client_secret=zoom_server.client_secret,
		refresh_token="revoked",
		access_token="expired",
		token_url=zoom_server.url + "/oauth/token",
		session=session(),
	)
	with pytest.raises(ProviderAuthError) as info:
		adapter(zoom_server, tokens).create_meeting(draft())
	assert not info.value.retryable
	assert "revoked" not in str(info.value) and "zoom-secret" not in str(info.value)


def test_wrong_client_secret_and_wrong_account_are_auth_errors(zoom_server):
	wrong = server_to_server_tokens(
		account_id=zoom_server.account_id,
		client_id=zoom_server.client_id,
		client_secret="nope",
		token_url=zoom_server.url + "/oauth/token",
		session=session(),
	)
	with pytest.raises(ProviderAuthError, match="invalid_client"):
		adapter(zoom_server, wrong).create_meeting(draft())
	other = server_to_server_tokens(
		account_id="someone-else",
		client_id=zoom_server.client_id,
		client_secret=zoom_server.client_secret,
		token_url=zoom_server.url + "/oauth/token",
		session=session(),
	)
	with pytest.raises(ProviderAuthError):
		adapter(zoom_server, other).create_meeting(draft())
	assert "nope" not in repr(wrong)


def test_a_second_401_after_refreshing_is_an_auth_error(zoom, zoom_server):
	zoom_server.fail("create", zoom_error(401, 124, "Invalid access token."), times=2)
	with pytest.raises(ProviderAuthError):
		zoom.create_meeting(draft(key=None))
	assert [r.path for r in zoom_server.requests].count("/oauth/token") == 2  # the first one, then once
	assert zoom_server.meetings == {}


def test_a_bare_token_cannot_be_refreshed(zoom_server):
	zoom = adapter(zoom_server, StaticToken("stale"))
	with pytest.raises(ProviderAuthError):
		zoom.create_meeting(draft())
	assert len(zoom_server.requests) == 1


# --- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"reply, error, retryable",
	[
		(
			zoom_error(429, 429, "You have reached the maximum per-second rate limit for this API."),
			ProviderUnavailable,
			True,
		),
		(zoom_error(500, 500, "Internal Error"), ProviderUnavailable, True),
		(Reply(502, "<html>Bad Gateway</html>", {"Content-Type": "text/html"}), ProviderUnavailable, True),
		(zoom_error(503, 503, "Service unavailable"), ProviderUnavailable, True),
		(zoom_error(400, 300, "Invalid field."), ProviderError, False),
		(
			zoom_error(400, 4711, "Invalid access token, does not contain scopes:[meeting:write]."),
			ProviderAuthError,
			False,
		),
		(zoom_error(403, 200, "No permission."), ProviderAuthError, False),
		(zoom_error(404, 1001, "User does not exist: host@example.com."), MeetingNotFound, False),
	],
)
def test_errors_are_typed(zoom, zoom_server, reply, error, retryable):
	zoom_server.fail("create", reply)
	with pytest.raises(error) as info:
		zoom.create_meeting(draft())
	assert type(info.value) is error
	assert info.value.retryable is retryable
	assert info.value.status == reply.status
	assert "zoom-access" not in str(info.value)
	assert zoom.create_meeting(draft()).id  # the next attempt goes through


def test_rate_limits_carry_retry_after(zoom, zoom_server):
	zoom_server.fail("create", zoom_error(429, 429, "Too many requests", {"Retry-After": "7"}))
	with pytest.raises(ProviderUnavailable) as info:
		zoom.create_meeting(draft())
	assert info.value.retry_after == 7
	when = datetime.now(UTC) + timedelta(seconds=120)
	zoom_server.fail(
		"get", zoom_error(429, 429, "Daily limit", {"Retry-After": format_datetime(when, usegmt=True)})
	)
	with pytest.raises(ProviderUnavailable) as info:
		zoom.get_meeting("85746065432")
	assert 100 < info.value.retry_after <= 121
	zoom_server.fail("get", zoom_error(503, 503, "Down"))
	with pytest.raises(ProviderUnavailable) as info:
		zoom.get_meeting("85746065432")
	assert info.value.retry_after is None


def test_timeouts_hangups_and_closed_ports_are_retryable(zoom_server):
	slow = adapter(zoom_server)
	slow.api.timeout = (1, 0.3)
	original = zoom_server.app

	def sleepy(request, handler):
		if request.path.startswith("/v2/meetings/"):
			zoom_server.stopping.wait(2)
		return original(request, handler)

	zoom_server.app = sleepy
	with pytest.raises(ProviderUnavailable):
		slow.get_meeting("85746065432")
	zoom_server.app = original
	zoom_server.hangup_after.add("get")
	with pytest.raises(ProviderUnavailable):
		slow.get_meeting("85746065432")
	closed = socket.socket()
	closed.bind(("127.0.0.1", 0))
	port = closed.getsockname()[1]
	closed.close()
	nowhere = ZoomMeetings(StaticToken("x"), base_url=f"http://127.0.0.1:{port}/v2", session=session())
	with pytest.raises(ProviderUnavailable):
		nowhere.get_meeting("85746065432")


def test_a_lost_answer_does_not_duplicate_the_meeting(zoom, zoom_server):
	zoom_server.hangup_after.add("create")  # Zoom made the meeting, the answer never arrives
	with pytest.raises(ProviderUnavailable):
		zoom.create_meeting(draft())
	assert len(zoom_server.meetings) == 1
	(made,) = zoom_server.meetings
	retried = zoom.create_meeting(draft(topic="Intro call with Ada (retry)"))
	assert retried.id == made and len(zoom_server.meetings) == 1
	assert zoom_server.meetings[made]["topic"] == "Intro call with Ada (retry)"
	# another booking at the same time (another key) gets its own meeting
	other = zoom.create_meeting(draft(key="BK-0002"))
	assert other.id != made and len(zoom_server.meetings) == 2


def test_the_reference_search_pages_through_many_meetings(zoom, zoom_server):
	template = zoom_server.meetings[zoom.create_meeting(draft(key="OLD-0")).id]
	for n in range(1, 305):
		meeting_id = str(int(template["id"]) - n)  # listed before the newer one
		zoom_server.meetings[meeting_id] = {
			**template,
			"id": int(meeting_id),
			"agenda": f"{REFERENCE}OLD-{n}",
			"start_time": f"2024-04-{1 + n // 24:02d}T{n % 24:02d}:00:00Z",
		}
	first = zoom.create_meeting(draft(key="BK-LAST"))
	again = zoom.create_meeting(draft(key="BK-LAST"))
	assert first.id == again.id and len(zoom_server.meetings) == 306
	listing = zoom_server.calls_of("list")[-2:]
	assert [r.q("next_page_token") for r in listing] == [None, "300"]


# --- hostile text and time zones ---------------------------------------------------------------


@pytest.mark.parametrize(
	"topic",
	[
		'Call\r\nX-Injected: yes\r\n\r\n{"type": 1}',
		"<script>alert(1)</script> & \"quotes\" 'single' \\ backslash",
		"Ünïcødé 会议 🎉 " * 40,
		"x" * 50_000,
		"\x00\x07\x1b[31m control",
	],
)
def test_hostile_text_never_breaks_the_request(zoom, zoom_server, topic):
	meeting = zoom.create_meeting(draft(topic=topic, agenda=topic * 3, key=None))
	body = zoom_server.calls_of("create")[-1].json
	assert len(body["topic"]) <= 200 and len(body["agenda"]) <= 2000
	assert "\r" not in body["topic"] and "\n" not in body["topic"] and "\x00" not in body["agenda"]
	assert body["type"] == 2  # the topic could not smuggle a field in
	assert zoom_server.meetings[meeting.id]["topic"] == body["topic"]


def test_reference_line_survives_a_full_agenda(zoom, zoom_server):
	zoom.create_meeting(draft(agenda="a" * 5000))
	agenda = zoom_server.calls_of("create")[-1].json["agenda"]
	assert len(agenda) <= 2000 and agenda.endswith(REFERENCE + "BK-0001")


def test_new_york_host_on_the_dst_day(zoom, zoom_server):
	# 2024-03-10: New York clocks jump from 02:00 to 03:00
	start = datetime(2024, 3, 10, 9, 0, tzinfo=NY)
	zoom.create_meeting(draft(start=start, duration=30, timezone="America/New_York", key="NY-1"))
	body = zoom_server.calls_of("create")[-1].json
	assert (body["start_time"], body["timezone"], body["duration"]) == (
		"2024-03-10T13:00:00Z",
		"America/New_York",
		30,
	)
	# 01:30 to 03:30 on the wall clock is one real hour
	across = draft(
		start=datetime(2024, 3, 10, 1, 30, tzinfo=NY),
		end=datetime(2024, 3, 10, 3, 30, tzinfo=NY),
		timezone="America/New_York",
		key="NY-2",
	)
	zoom.create_meeting(across)
	body = zoom_server.calls_of("create")[-1].json
	assert (body["start_time"], body["duration"]) == ("2024-03-10T06:30:00Z", 60)
	# a second over a minute rounds up: the meeting is never shorter than the booking
	assert draft(end=utc(2024, 3, 4, 14, 30, 1), duration=None).duration == 31
