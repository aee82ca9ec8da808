"""Microsoft 365 adapter against a local Microsoft Graph v1.0 peer (graph_peer.FakeGraph)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
import requests
from graph_peer import DEFAULT_CAL, TEAM_CAL, FakeGraph, Reply, graph_error

from scheduler_integration.providers.errors import (
	EventNotFound,
	FullSyncRequired,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
)
from scheduler_integration.providers.microsoft import MicrosoftCalendar, user_tokens
from scheduler_integration.providers.model import Attendee, EventDraft
from scheduler_integration.providers.oauth import StaticToken
from scheduler_integration.providers.providers import IncrementalCalendar

UTC = timezone.utc
NY = ZoneInfo("America/New_York")


def utc(*fields):
	return datetime(*fields, tzinfo=UTC)


def draft(**changes) -> EventDraft:
	values = {
		"start": utc(2024, 3, 4, 14),
		"end": utc(2024, 3, 4, 14, 30),
		"summary": "Intro call with Ada",
		"description": "Agenda:\n- goals",
		"location": "Microsoft Teams",
		"timezone": "Europe/Berlin",
		"attendees": (Attendee("ada@example.com", "Ada Lovelace"),),
		"uid": "BK-0001.scheduler",
		"private": {"booking": "BK-0001"},
	}
	values.update(changes)
	return EventDraft(**values)


def session() -> requests.Session:
	s = requests.Session()
	s.trust_env = False
	return s


@pytest.fixture
def graph_server():
	with FakeGraph() as server:
		yield server


def tokens_for(server: FakeGraph, **kwargs):
	if "refresh_token" not in kwargs:  # refresh tokens rotate: each source gets its own
		kwargs["refresh_token"] = f"graph-refresh-seed-{len(server.refresh_tokens)}-{len(server.requests)}"
		server.refresh_tokens.add(kwargs["refresh_token"])
	values = {
		"client_id": server.client_id,
		"client_secret": server.client_secret,
		"tenant": server.tenant,
		"authority": server.url,
		"session": session(),
	}
	values.update(kwargs)
	return user_tokens(**values)


def calendar_for(server: FakeGraph, tokens=None, **kwargs) -> MicrosoftCalendar:
	return MicrosoftCalendar(
		tokens or tokens_for(server),
		base_url=server.url + "/v1.0",
		session=session(),
		timeout=(2, 2),
		**kwargs,
	)


@pytest.fixture
def ms(graph_server):
	return calendar_for(graph_server)


def api_requests(server: FakeGraph):
	return [r for r in server.requests if r.path.startswith("/v1.0/")]


# --- tokens -----------------------------------------------------------------------------------


def test_token_endpoint_gets_a_form_with_the_client_credentials(graph_server):
	stored = []
	ms = calendar_for(graph_server, tokens_for(graph_server, on_refresh=stored.append))
	assert isinstance(ms, IncrementalCalendar)
	ms.calendars()
	token_request = graph_server.requests[0]
	assert (token_request.method, token_request.path) == (
		"POST",
		f"/{graph_server.tenant}/oauth2/v2.0/token",
	)
	assert "Authorization" not in token_request.headers
	form = {k: v[-1] for k, v in parse_qs(token_request.body.decode()).items()}
	assert form["grant_type"] == "refresh_token"
	assert (form["client_id"], form["client_secret"]) == (graph_server.client_id, graph_server.client_secret)
	assert form["refresh_token"].startswith("graph-refresh-seed-")
	assert "offline_access" in form["scope"].split() and "Calendars.ReadWrite" in form["scope"].split()
	(tokens,) = stored
	assert tokens["refresh_token"] in graph_server.refresh_tokens  # rotated: the caller stores it
	assert graph_server.requests[1].headers["Authorization"] == "Bearer " + tokens["access_token"]


def test_expired_access_token_is_refreshed_once(graph_server):
	ms = calendar_for(graph_server, tokens_for(graph_server, access_token="old", expires_at=None))
	assert [c["id"] for c in ms.calendars()] == [DEFAULT_CAL, TEAM_CAL]
	assert [r.path.split("/")[-1] for r in graph_server.requests] == ["calendars", "token", "calendars"]
	graph_server.expire_tokens()  # 401 InvalidAuthenticationToken
	ms.calendars()
	assert [r.path.split("/")[-1] for r in graph_server.requests][-3:] == ["calendars", "token", "calendars"]


def test_second_401_and_refused_refresh_are_auth_errors(graph_server, ms):
	ms.calendars()
	graph_server.fail("calendars", graph_error(401, "InvalidAuthenticationToken", "expired"), times=2)
	with pytest.raises(ProviderAuthError) as info:
		ms.calendars()
	assert not info.value.retryable
	revoked = calendar_for(graph_server, tokens_for(graph_server, refresh_token="revoked"))
	with pytest.raises(ProviderAuthError, match="invalid_grant"):
		revoked.calendars()
	wrong = calendar_for(graph_server, tokens_for(graph_server, client_secret="nope"))
	with pytest.raises(ProviderAuthError, match="invalid_client") as info:
		wrong.calendars()
	assert "nope" not in str(info.value)
	with pytest.raises(ProviderAuthError):
		calendar_for(graph_server, StaticToken("bare")).calendars()


# --- busy time --------------------------------------------------------------------------------


def test_busy_reads_calendar_views_and_skips_free_time(graph_server, ms):
	add = graph_server.add_event
	add(DEFAULT_CAL, utc(2024, 3, 4, 9), utc(2024, 3, 4, 10))
	add(DEFAULT_CAL, utc(2024, 3, 4, 10), utc(2024, 3, 4, 11), showAs="tentative")
	add(DEFAULT_CAL, utc(2024, 3, 4, 12), utc(2024, 3, 4, 13), showAs="free")
	add(DEFAULT_CAL, utc(2024, 3, 4, 13), utc(2024, 3, 4, 14), showAs="workingElsewhere")
	add(DEFAULT_CAL, utc(2024, 3, 4, 15), utc(2024, 3, 4, 16), isCancelled=True)
	add(DEFAULT_CAL, utc(2024, 3, 4, 17), utc(2024, 3, 4, 18), responseStatus={"response": "declined"})
	add(TEAM_CAL, utc(2024, 3, 4, 19), utc(2024, 3, 4, 20), showAs="oof")
	add(TEAM_CAL, utc(2024, 3, 1, 23), utc(2024, 3, 2, 2))  # starts before the window
	busy = ms.busy(["primary", TEAM_CAL], utc(2024, 3, 2), utc(2024, 3, 9), "Europe/Berlin")
	assert [(i.start, i.end) for i in busy] == [
		(utc(2024, 3, 2), utc(2024, 3, 2, 2)),
		(utc(2024, 3, 4, 9), utc(2024, 3, 4, 11)),
		(utc(2024, 3, 4, 19), utc(2024, 3, 4, 20)),
	]
	views = graph_server.calls_of("calendarView")
	assert views[0].path == "/v1.0/me/calendar/calendarView"
	assert views[1].path == f"/v1.0/me/calendars/{TEAM_CAL}/calendarView"
	assert views[1].raw_path.endswith("AAMkAGI2TGTeam_Cal%2B%3D/calendarView")  # ids are escaped
	assert (views[0].q("startDateTime"), views[0].q("endDateTime")) == (
		"2024-03-02T00:00:00Z",
		"2024-03-09T00:00:00Z",
	)
	assert 'outlook.timezone="UTC"' in views[0].headers["Prefer"]
	assert "showAs" in views[0].q("$select")
	working = calendar_for(graph_server, busy_show_as={"busy", "workingElsewhere"})
	busy = working.busy(["primary"], utc(2024, 3, 4), utc(2024, 3, 5), "UTC")
	assert [(i.start, i.end) for i in busy] == [
		(utc(2024, 3, 4, 9), utc(2024, 3, 4, 10)),
		(utc(2024, 3, 4, 13), utc(2024, 3, 4, 14)),
	]


def test_busy_follows_next_links(graph_server):
	for hour in range(7):
		graph_server.add_event(DEFAULT_CAL, utc(2024, 3, 4, 8 + hour * 2), utc(2024, 3, 4, 9 + hour * 2))
	ms = calendar_for(graph_server, page_size=3)
	busy = ms.busy(["primary"], utc(2024, 3, 4), utc(2024, 3, 5), "UTC")
	assert len(busy) == 7
	views = graph_server.calls_of("calendarView")
	assert [v.q("$skip") for v in views] == [None, "3", "6"]


def test_all_day_events_block_host_days_even_on_the_dst_day(graph_server, ms):
	# all-day 2024-03-10 (the New York DST day) stored on the event's own clock
	graph_server.add_event(
		DEFAULT_CAL,
		datetime(2024, 3, 10, tzinfo=NY),
		datetime(2024, 3, 11, tzinfo=NY),
		zone="America/New_York",
		all_day=True,
	)
	busy = ms.busy(["primary"], utc(2024, 3, 9), utc(2024, 3, 12), "America/New_York")
	assert [(i.start, i.end) for i in busy] == [(utc(2024, 3, 10, 5), utc(2024, 3, 11, 4))]  # 23 hours


def test_free_busy_via_get_schedule(graph_server, ms):
	graph_server.add_event(DEFAULT_CAL, utc(2024, 3, 4, 9), utc(2024, 3, 4, 10))
	graph_server.add_event(TEAM_CAL, utc(2024, 3, 4, 9, 30), utc(2024, 3, 4, 11), showAs="free")
	graph_server.add_event(TEAM_CAL, utc(2024, 3, 4, 12), utc(2024, 3, 4, 13))
	busy = ms.free_busy(["host@contoso.com", "room@contoso.com"], utc(2024, 3, 1), utc(2024, 6, 1))
	assert [(i.start, i.end) for i in busy] == [
		(utc(2024, 3, 4, 9), utc(2024, 3, 4, 10)),
		(utc(2024, 3, 4, 12), utc(2024, 3, 4, 13)),
	]
	calls = graph_server.calls_of("getSchedule")
	assert calls[0].path == "/v1.0/me/calendar/getSchedule"
	assert calls[0].json == {
		"schedules": ["host@contoso.com", "room@contoso.com"],
		"startTime": {"dateTime": "2024-03-01T00:00:00", "timeZone": "UTC"},
		"endTime": {"dateTime": "2024-05-02T00:00:00", "timeZone": "UTC"},
		"availabilityViewInterval": 30,
	}
	assert len(calls) == 2  # 92 days: two spans of at most 62
	with pytest.raises(ProviderError, match=r"nobody@contoso\.com"):
		ms.free_busy(["nobody@contoso.com"], utc(2024, 3, 1), utc(2024, 3, 2))


# --- incremental sync -------------------------------------------------------------------------


def test_delta_sync_pages_then_reports_changes(graph_server):
	now = utc(2024, 3, 1, 12).timestamp()
	ms = calendar_for(graph_server, page_size=2, clock=lambda: now)
	events = [
		graph_server.add_event(DEFAULT_CAL, utc(2024, 3, day, 9), utc(2024, 3, day, 10))["id"]
		for day in range(2, 7)
	]
	graph_server.add_event(DEFAULT_CAL, utc(2026, 1, 1, 9), utc(2026, 1, 1, 10))  # outside the window
	changes, token = ms.changes("primary", None, "Europe/Berlin")
	assert sorted(c.id for c in changes) == sorted(events)
	assert all(c.busy for c in changes)
	first = graph_server.calls_of("delta")[0]
	assert first.path == "/v1.0/me/calendar/calendarView/delta"
	assert (first.q("startDateTime"), first.q("endDateTime")) == (
		"2024-02-29T12:00:00Z",
		"2025-03-02T12:00:00Z",
	)
	assert (
		"odata.maxpagesize=2" in first.headers["Prefer"]
		and 'outlook.timezone="UTC"' in first.headers["Prefer"]
	)
	assert len(graph_server.calls_of("delta")) == 4  # an empty first page, then 2 + 2 + 1
	assert "$deltatoken=" in token or "%24deltatoken=" in token

	graph_server.touch(events[0], isCancelled=True)
	graph_server.remove(events[1])
	graph_server.touch(events[2], start_utc=utc(2024, 3, 4, 15), end_utc=utc(2024, 3, 4, 16))
	new = graph_server.add_event(DEFAULT_CAL, utc(2024, 3, 8, 9), utc(2024, 3, 8, 9, 45), showAs="free")["id"]
	changes, next_token = ms.changes("primary", token, "Europe/Berlin")
	by_id = {c.id: c for c in changes}
	assert set(by_id) == {events[0], events[1], events[2], new}
	assert (by_id[events[0]].busy, by_id[events[0]].status) == (False, "cancelled")
	assert (by_id[events[1]].busy, by_id[events[1]].status, by_id[events[1]].interval) == (
		False,
		"cancelled",
		None,
	)
	assert by_id[events[2]].interval.start == utc(2024, 3, 4, 15)
	assert by_id[new].busy is False  # showAs free
	assert next_token != token
	assert graph_server.calls_of("delta")[-1].headers["Authorization"].startswith("Bearer ")
	changes, _ = ms.changes("primary", next_token, "Europe/Berlin")
	assert changes == []


def test_expired_delta_token_requires_a_full_sync(graph_server, ms):
	_, token = ms.changes("primary", None, "UTC")
	graph_server.delta_tokens.clear()  # Graph forgot the sync state
	with pytest.raises(FullSyncRequired) as info:
		ms.changes("primary", token, "UTC")
	assert info.value.status == 410 and info.value.retryable
	graph_server.fail("delta", graph_error(400, "resyncRequired", "Resync required."))
	with pytest.raises(FullSyncRequired):
		ms.changes("primary", token, "UTC")
	with pytest.raises(FullSyncRequired):
		ms.changes("primary", "not-a-link", "UTC")
	_, fresh = ms.changes("primary", None, "UTC")  # the caller starts over
	assert fresh


def test_delta_links_to_another_server_are_not_followed(graph_server, ms):
	with pytest.raises(ProviderError, match="another server"):
		ms.changes("primary", "https://attacker.example/v1.0/me/calendarView/delta?$deltatoken=x", "UTC")
	graph_server.fail(
		"delta",
		Reply(200, {"value": [], "@odata.nextLink": "http://127.0.0.2:1/v1.0/me/calendarView/delta?x=1"}),
	)
	with pytest.raises(ProviderError, match="another server"):
		ms.changes("primary", None, "UTC")
	assert all(r.path.startswith(("/v1.0", f"/{graph_server.tenant}")) for r in graph_server.requests)


# --- writing events ---------------------------------------------------------------------------


def test_write_with_teams_meeting(graph_server, ms):
	event_id, meeting = ms.write("primary", draft(), with_meeting=True)
	(create,) = graph_server.calls_of("events.create")
	assert (create.method, create.path) == ("POST", "/v1.0/me/calendar/events")
	body = create.json
	assert body["subject"] == "Intro call with Ada"
	assert body["body"] == {"contentType": "text", "content": "Agenda:\n- goals"}
	assert body["start"] == {"dateTime": "2024-03-04T15:00:00", "timeZone": "Europe/Berlin"}
	assert body["end"] == {"dateTime": "2024-03-04T15:30:00", "timeZone": "Europe/Berlin"}
	assert (body["isOnlineMeeting"], body["onlineMeetingProvider"]) == (True, "teamsForBusiness")
	assert body["location"] == {"displayName": "Microsoft Teams"}
	assert body["transactionId"].startswith("sched-")
	assert body["singleValueExtendedProperties"][0]["value"] == "BK-0001"
	assert "attendees" not in body  # Graph would email them; the app sends its own invitation
	stored = graph_server.events[event_id]
	assert stored["start_utc"] == utc(2024, 3, 4, 14)
	assert meeting.provider == "microsoft" and meeting.id == event_id
	assert meeting.join_url == stored["onlineMeeting"]["joinUrl"]
	_, none = ms.write(TEAM_CAL, draft(uid="BK-0002"))
	assert none is None
	assert graph_server.calls_of("events.create")[-1].path == f"/v1.0/me/calendars/{TEAM_CAL}/events"


def test_attendees_are_invited_only_when_asked(graph_server):
	ms = calendar_for(graph_server, invite_attendees=True)
	ms.write("primary", draft())
	assert graph_server.calls_of("events.create")[0].json["attendees"] == [
		{"emailAddress": {"address": "ada@example.com", "name": "Ada Lovelace"}, "type": "required"}
	]


def test_a_retried_create_does_not_duplicate(graph_server, ms):
	graph_server.hangup_after.add("events.create")  # created, but the answer is lost
	with pytest.raises(ProviderUnavailable):
		ms.write("primary", draft(), with_meeting=True)
	assert len(graph_server.live()) == 1
	event_id, meeting = ms.write("primary", draft(), with_meeting=True)
	assert len(graph_server.live()) == 1 and event_id == graph_server.live()[0]["id"]
	assert meeting.join_url


def test_write_patches_a_known_event_and_recreates_a_deleted_one(graph_server, ms):
	event_id, _ = ms.write("primary", draft())
	same, _ = ms.write(
		"primary", draft(summary="Moved", start=utc(2024, 3, 5, 9), end=utc(2024, 3, 5, 10)), event_id
	)
	assert same == event_id
	patch = graph_server.calls_of("events.update")[-1]
	assert (patch.method, patch.path) == ("PATCH", f"/v1.0/me/events/{event_id}")
	assert graph_server.events[event_id]["subject"] == "Moved"
	assert graph_server.events[event_id]["start_utc"] == utc(2024, 3, 5, 9)
	assert ms.delete("primary", event_id=event_id) is True
	assert graph_server.calls_of("events.delete")[-1].method == "DELETE"
	assert ms.delete("primary", event_id=event_id) is False  # already gone
	calls = len(graph_server.calls_of("events.delete"))
	assert ms.delete("primary", draft()) is False  # never written: nothing to find, no request
	assert len(graph_server.calls_of("events.delete")) == calls
	again, _ = ms.write("primary", draft(uid="BK-0001.v2"), event_id)
	assert again != event_id and graph_server.events[again]["deleted"] is False
	with pytest.raises(EventNotFound):
		ms.get_event(event_id)


def test_a_teams_link_made_a_moment_later_is_read_back(graph_server, ms):
	graph_server.teams_later = True
	_, meeting = ms.write("primary", draft(), with_meeting=True)
	assert meeting.join_url.startswith("https://teams.microsoft.com/")
	assert len(graph_server.calls_of("events.get")) == 1


# --- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"reply, error, retryable",
	[
		(
			graph_error(429, "TooManyRequests", "Too many requests", {"Retry-After": "7"}),
			ProviderUnavailable,
			True,
		),
		(
			graph_error(503, "ServiceUnavailable", "Service unavailable", {"Retry-After": "30"}),
			ProviderUnavailable,
			True,
		),
		(graph_error(500, "generalException", "General exception"), ProviderUnavailable, True),
		(graph_error(504, "UnknownError", ""), ProviderUnavailable, True),
		(graph_error(403, "ErrorAccessDenied", "Access is denied."), ProviderAuthError, False),
		(graph_error(404, "ErrorItemNotFound", "Not found."), EventNotFound, False),
		(graph_error(400, "ErrorInvalidRequest", "Bad."), ProviderError, False),
	],
)
def test_errors_are_typed(graph_server, ms, reply, error, retryable):
	graph_server.fail("events.create", reply)
	with pytest.raises(error) as info:
		ms.write("primary", draft())
	assert type(info.value) is error
	assert info.value.retryable is retryable and info.value.status == reply.status
	if "Retry-After" in reply.headers:
		assert info.value.retry_after == float(reply.headers["Retry-After"])
	assert "graph-access" not in str(info.value)
	assert ms.write("primary", draft())[0]


def test_server_errors_on_every_operation_are_retryable(graph_server, ms):
	event_id, _ = ms.write("primary", draft())
	calls = [
		("calendarView", lambda: ms.busy(["primary"], utc(2024, 3, 1), utc(2024, 3, 2), "UTC")),
		("getSchedule", lambda: ms.free_busy(["host@contoso.com"], utc(2024, 3, 1), utc(2024, 3, 2))),
		("delta", lambda: ms.changes("primary", None, "UTC")),
		("events.update", lambda: ms.write("primary", draft(), event_id)),
		("events.delete", lambda: ms.delete("primary", event_id=event_id)),
	]
	for route, call in calls:
		graph_server.fail(route, graph_error(503, "ServiceUnavailable", "down"))
		with pytest.raises(ProviderUnavailable):
			call()


def test_timeouts_and_hangups_are_retryable(graph_server):
	ms = calendar_for(graph_server)
	ms.calendars()
	ms.api.timeout = (1, 0.3)
	original = graph_server.app

	def slow(request, handler):
		if request.path.endswith("/calendars"):
			graph_server.stopping.wait(2)
		return original(request, handler)

	graph_server.app = slow
	with pytest.raises(ProviderUnavailable):
		ms.calendars()
	graph_server.app = original
	graph_server.hangup_after.add("calendars")
	with pytest.raises(ProviderUnavailable):
		ms.calendars()


def test_unreadable_answers(graph_server, ms):
	graph_server.fail("calendars", Reply(200, "<html>not json</html>", {"Content-Type": "text/html"}))
	with pytest.raises(ProviderError, match="unreadable"):
		ms.calendars()
	graph_server.add_event(DEFAULT_CAL, utc(2024, 3, 4, 9), utc(2024, 3, 4, 10))
	graph_server.fail(
		"calendarView",
		Reply(
			200,
			{
				"value": [
					{
						"id": "x",
						"showAs": "busy",
						"start": {"dateTime": "soon", "timeZone": "UTC"},
						"end": {"dateTime": "later", "timeZone": "UTC"},
					}
				]
			},
		),
	)
	with pytest.raises(ProviderError, match="unreadable time"):
		ms.busy(["primary"], utc(2024, 3, 4), utc(2024, 3, 5), "UTC")


# --- hostile text and time zones ----------------------------------------------------------------


@pytest.mark.parametrize(
	"text",
	[
		'Call\r\nPrefer: evil\r\n\r\n{"isOnlineMeeting": true}',
		'<script>alert(1)</script> & "quotes" \\ </body>',
		"Ünïcødé 会议 🎉 " * 40,
		"y" * 50_000,
	],
)
def test_hostile_text_never_breaks_the_request(graph_server, ms, text):
	event_id, meeting = ms.write("primary", draft(summary=text, description=text, location=text))
	body = graph_server.calls_of("events.create")[-1].json
	assert "\r" not in body["subject"] and "\n" not in body["subject"] and len(body["subject"]) <= 255
	assert "isOnlineMeeting" not in body and meeting is None
	assert body["body"]["contentType"] == "text"  # markup stays text
	assert graph_server.events[event_id]["subject"] == body["subject"]


def test_new_york_host_on_the_dst_day(graph_server, ms):
	start = datetime(2024, 3, 10, 9, tzinfo=NY)
	# written without a booking's uid: an event of the host's own, which is busy time
	event_id, _ = ms.write(
		"primary",
		draft(start=start, end=start + timedelta(minutes=30), timezone="America/New_York", uid=None),
	)
	body = graph_server.calls_of("events.create")[-1].json
	assert body["start"] == {"dateTime": "2024-03-10T09:00:00", "timeZone": "America/New_York"}
	assert graph_server.events[event_id]["start_utc"] == utc(2024, 3, 10, 13)
	# read back in UTC: the same instant
	busy = ms.busy(["primary"], utc(2024, 3, 10), utc(2024, 3, 11), "America/New_York")
	assert [(i.start, i.end) for i in busy] == [(utc(2024, 3, 10, 13), utc(2024, 3, 10, 13, 30))]
	# 01:30 to 03:30 on the wall clock of the DST day is one real hour
	across = draft(
		start=datetime(2024, 3, 10, 1, 30, tzinfo=NY),
		end=datetime(2024, 3, 10, 3, 30, tzinfo=NY),
		timezone="America/New_York",
		uid="BK-0003",
	)
	other, _ = ms.write("primary", across)
	stored = graph_server.events[other]
	assert stored["end_utc"] - stored["start_utc"] == timedelta(hours=1)


def test_the_apps_own_events_are_no_busy_time(graph_server, ms):
	"""An event the app wrote for a booking (its transactionId) is the booking, which
	occupies the time already: read back as busy, the booking could not move onto a time
	its own old event covers. The host's other events stay busy."""
	start = utc(2024, 3, 5, 9)
	ms.write("primary", draft(start=start, end=start + timedelta(hours=1)))
	ms.write("primary", draft(start=start, end=start + timedelta(hours=2), uid=None, summary="Dentist"))
	busy = ms.busy(["primary"], utc(2024, 3, 5), utc(2024, 3, 6), "UTC")
	assert [(i.start, i.end) for i in busy] == [(start, start + timedelta(hours=2))]
	ms.write(
		"primary", draft(start=start + timedelta(hours=5), end=start + timedelta(hours=6), uid="BK-0002.x")
	)
	busy = ms.busy(["primary"], utc(2024, 3, 5), utc(2024, 3, 6), "UTC")
	assert [(i.start, i.end) for i in busy] == [(start, start + timedelta(hours=2))]
