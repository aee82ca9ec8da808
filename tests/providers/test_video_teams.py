"""Standalone Teams meetings (Graph onlineMeetings) against the local Graph peer."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import requests
from graph_peer import FakeGraph, graph_error

from scheduler_integration.providers.errors import (
	MeetingNotFound,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
)
from scheduler_integration.providers.microsoft import user_tokens
from scheduler_integration.providers.providers import MeetingDraft, VideoProvider
from scheduler_integration.providers.teams import TeamsMeetings

UTC = timezone.utc


def utc(*fields):
	return datetime(*fields, tzinfo=UTC)


def draft(**changes) -> MeetingDraft:
	values = {"topic": "Intro call with Ada", "start": utc(2024, 3, 4, 14), "duration": 30, "key": "BK-0001"}
	values.update(changes)
	return MeetingDraft(**values)


@pytest.fixture
def graph_server():
	with FakeGraph() as server:
		yield server


@pytest.fixture
def teams(graph_server):
	http = requests.Session()
	http.trust_env = False
	tokens = user_tokens(
		client_id=graph_server.client_id,
		client_secret=graph_server.client_secret,
		refresh_token="graph-refresh-1",
		tenant=graph_server.tenant,
		authority=graph_server.url,
		session=http,
	)
	return TeamsMeetings(tokens, base_url=graph_server.url + "/v1.0", session=http, timeout=(2, 2))


def test_create_update_delete(teams, graph_server):
	assert isinstance(teams, VideoProvider)
	meeting = teams.create_meeting(draft())
	(create,) = graph_server.calls_of("meetings.createOrGet")
	assert (create.method, create.path) == ("POST", "/v1.0/me/onlineMeetings/createOrGet")
	assert create.json == {
		"startDateTime": "2024-03-04T14:00:00Z",
		"endDateTime": "2024-03-04T14:30:00Z",
		"subject": "Intro call with Ada",
		"externalId": "BK-0001",
	}
	stored = graph_server.meetings[meeting.id]
	assert (meeting.provider, meeting.join_url) == ("microsoft", stored["joinWebUrl"])
	assert (
		meeting.password == "qH3xyz"
		and meeting.extra["join_meeting_id"] == stored["joinMeetingIdSettings"]["joinMeetingId"]
	)
	assert [d.number for d in meeting.dial_in] == ["+12525634478", "+18666390588"]
	assert meeting.dial_in[0].pin == stored["audioConferencing"]["conferenceId"]

	moved = teams.update_meeting(meeting.id, draft(start=utc(2024, 3, 5, 9), duration=60, topic="Moved"))
	patch = graph_server.calls_of("meetings.update")[-1]
	assert patch.raw_path.endswith("_X0w%3D")  # the id is escaped in the path
	assert patch.json == {
		"startDateTime": "2024-03-05T09:00:00Z",
		"endDateTime": "2024-03-05T10:00:00Z",
		"subject": "Moved",
	}
	assert moved.id == meeting.id and stored["subject"] == "Moved"
	assert teams.delete_meeting(meeting.id) is True
	assert teams.delete_meeting(meeting.id) is False
	with pytest.raises(MeetingNotFound):
		teams.update_meeting(meeting.id, draft())


def test_without_a_key_a_plain_create(teams, graph_server):
	teams.create_meeting(draft(key=None))
	(create,) = graph_server.calls_of("meetings.create")
	assert create.path == "/v1.0/me/onlineMeetings" and "externalId" not in create.json


def test_a_retried_create_returns_the_same_meeting(teams, graph_server):
	graph_server.hangup_after.add("meetings.createOrGet")
	with pytest.raises(ProviderUnavailable):
		teams.create_meeting(draft())
	again = teams.create_meeting(draft())
	assert list(graph_server.meetings) == [again.id]


@pytest.mark.parametrize(
	"reply, error",
	[
		(graph_error(429, "TooManyRequests", "slow down", {"Retry-After": "3"}), ProviderUnavailable),
		(graph_error(503, "ServiceUnavailable", "down"), ProviderUnavailable),
		(graph_error(403, "Forbidden", "Application does not have permission."), ProviderAuthError),
		(graph_error(400, "BadRequest", "bad"), ProviderError),
	],
)
def test_errors(teams, graph_server, reply, error):
	graph_server.fail("meetings.createOrGet", reply)
	with pytest.raises(error) as info:
		teams.create_meeting(draft())
	assert type(info.value) is error
	if reply.status == 429:
		assert info.value.retry_after == 3


def test_expired_token_refreshed_and_hostile_subject(teams, graph_server):
	teams.create_meeting(draft(key="first"))
	graph_server.expire_tokens()
	hostile = "Call\r\nX: y <b>bold</b> " + "z" * 5000
	start = datetime(2024, 3, 10, 1, 30, tzinfo=ZoneInfo("America/New_York"))
	meeting = teams.create_meeting(
		draft(topic=hostile, start=start, duration=60, timezone="America/New_York")
	)
	body = graph_server.calls_of("meetings.createOrGet")[-1].json
	assert "\r" not in body["subject"] and "\n" not in body["subject"] and len(body["subject"]) <= 255
	assert (body["startDateTime"], body["endDateTime"]) == ("2024-03-10T06:30:00Z", "2024-03-10T07:30:00Z")
	assert meeting.join_url
