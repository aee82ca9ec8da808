"""Google Calendar adapter against a local server speaking Calendar v3 as the library's
bundled discovery document describes it (see calendar_peers.FakeGoogle)."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

import pytest
from calendar_peers import FakeGoogle, check_schema, discovery_document

from scheduler_integration.providers.errors import (
	EventNotFound,
	FullSyncRequired,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
)
from scheduler_integration.providers.google import GoogleCalendar, event_body, meet_link
from scheduler_integration.providers.model import Attendee, EventDraft, stable_event_id

UTC = timezone.utc


def utc(*fields):
	return datetime(*fields, tzinfo=UTC)


def draft(**changes) -> EventDraft:
	values = {
		"start": utc(2024, 3, 4, 9),
		"end": utc(2024, 3, 4, 9, 30),
		"summary": "Intro call with Ada",
		"description": "Agenda:\n- goals",
		"location": "Google Meet",
		"timezone": "Europe/Berlin",
		"attendees": (Attendee("ada@example.com", "Ada Lovelace"),),
		"uid": "BK-0001.scheduler",
		"private": {"booking": "BK-0001"},
	}
	values.update(changes)
	return EventDraft(**values)


@pytest.fixture
def google_server():
	with FakeGoogle() as server:
		yield server


@pytest.fixture
def google(google_server):
	return GoogleCalendar(access_token=google_server.token, base_url=google_server.url, timeout=5)


def timed(start: datetime, end: datetime, **extra) -> dict:
	return {
		"start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
		"end": {"dateTime": end.isoformat(), "timeZone": "UTC"},
		**extra,
	}


# --- client construction -----------------------------------------------------------------------


def test_client_is_built_from_the_bundled_discovery_document_without_network():
	closed = socket.socket()
	closed.bind(("127.0.0.1", 0))
	port = closed.getsockname()[1]
	closed.close()
	calendar = GoogleCalendar(access_token="x", base_url=f"http://127.0.0.1:{port}")
	assert calendar.service._baseUrl == f"http://127.0.0.1:{port}/calendar/v3/"
	with pytest.raises(ProviderUnavailable) as info:  # nothing listens there
		calendar.free_busy(["primary"], utc(2024, 3, 1), utc(2024, 3, 2))
	assert info.value.retryable


def test_needs_credentials():
	with pytest.raises(ProviderAuthError):
		GoogleCalendar()


def test_fake_server_follows_the_discovery_document():
	doc = discovery_document()
	assert doc["servicePath"] == "calendar/v3/"
	methods = doc["resources"]["events"]["methods"]
	assert methods["insert"]["path"] == "calendars/{calendarId}/events"
	assert "conferenceDataVersion" in methods["insert"]["parameters"]
	assert "syncToken" in methods["list"]["parameters"]
	assert doc["resources"]["freebusy"]["methods"]["query"]["path"] == "freeBusy"
	check_schema(doc, event_body(draft()), "Event")


# --- free/busy -----------------------------------------------------------------------------------


def test_free_busy_merges_calendars(google, google_server):
	google_server.add_event("primary", timed(utc(2024, 3, 4, 9), utc(2024, 3, 4, 10)))
	google_server.add_event(
		"primary", timed(utc(2024, 3, 4, 12), utc(2024, 3, 4, 13), transparency="transparent")
	)
	google_server.add_event(
		"team@group.calendar.google.com", timed(utc(2024, 3, 4, 9, 30), utc(2024, 3, 4, 11))
	)
	google_server.add_event("team@group.calendar.google.com", timed(utc(2024, 3, 1, 23), utc(2024, 3, 2, 2)))
	busy = google.free_busy(["primary", "team@group.calendar.google.com"], utc(2024, 3, 2), utc(2024, 3, 9))
	assert [(i.start, i.end) for i in busy] == [
		(utc(2024, 3, 2), utc(2024, 3, 2, 2)),
		(utc(2024, 3, 4, 9), utc(2024, 3, 4, 11)),
	]
	(request,) = google_server.requests
	assert (request.method, request.path) == ("POST", "/calendar/v3/freeBusy")
	assert request.json == {
		"timeMin": "2024-03-02T00:00:00Z",
		"timeMax": "2024-03-09T00:00:00Z",
		"timeZone": "UTC",
		"items": [{"id": "primary"}, {"id": "team@group.calendar.google.com"}],
	}
	assert request.headers["authorization"] == "Bearer token-1"


def test_free_busy_splits_many_calendars_and_long_windows(google, google_server):
	ids = [f"cal{n}@example.com" for n in range(60)]
	assert google.free_busy(ids, utc(2024, 1, 1), utc(2024, 6, 1)) == []
	bodies = [r.json for r in google_server.requests]
	assert [len(b["items"]) for b in bodies] == [50, 10, 50, 10]
	assert [b["timeMin"] for b in bodies] == ["2024-01-01T00:00:00Z"] * 2 + ["2024-03-31T00:00:00Z"] * 2
	assert bodies[-1]["timeMax"] == "2024-06-01T00:00:00Z"


@pytest.mark.parametrize(
	"reason, error", [("notFound", ProviderError), ("backendError", ProviderUnavailable)]
)
def test_free_busy_calendar_errors(google, google_server, reason, error):
	google_server.free_busy_errors["gone@example.com"] = [{"domain": "global", "reason": reason}]
	with pytest.raises(error, match=r"gone@example\.com"):
		google.free_busy(["primary", "gone@example.com"], utc(2024, 3, 1), utc(2024, 3, 2))


# --- writing events ------------------------------------------------------------------------------


def test_insert_with_meet(google, google_server):
	event_id, link = google.insert_event("primary", draft(), with_meet=True)
	assert event_id == stable_event_id("BK-0001.scheduler")
	assert link == "https://meet.google.com/abc-0000-xyz"
	(request,) = google_server.requests
	assert (request.method, request.path) == ("POST", "/calendar/v3/calendars/primary/events")
	assert request.q("conferenceDataVersion") == "1"
	assert request.q("sendUpdates") == "none"
	body = request.json
	assert body["conferenceData"]["createRequest"]["conferenceSolutionKey"] == {"type": "hangoutsMeet"}
	assert body["conferenceData"]["createRequest"]["requestId"] == event_id
	assert body["start"] == {"dateTime": "2024-03-04T10:00:00+01:00", "timeZone": "Europe/Berlin"}
	assert body["end"] == {"dateTime": "2024-03-04T10:30:00+01:00", "timeZone": "Europe/Berlin"}
	assert body["attendees"] == [{"email": "ada@example.com", "displayName": "Ada Lovelace"}]
	assert body["extendedProperties"] == {"private": {"booking": "BK-0001"}}
	assert body["description"] == "Agenda:\n- goals"


def test_insert_without_meet_and_from_a_dict(google, google_server):
	event_id, link = google.insert_event(
		"team@group.calendar.google.com", timed(utc(2024, 3, 5, 9), utc(2024, 3, 5, 10), summary="Raw")
	)
	assert link is None
	request = google_server.requests[0]
	assert request.path == "/calendar/v3/calendars/team@group.calendar.google.com/events"
	assert request.q("conferenceDataVersion") is None
	assert google_server.events["team@group.calendar.google.com"][event_id]["summary"] == "Raw"


def test_retried_insert_returns_the_existing_event(google, google_server):
	first = google.insert_event("primary", draft(), with_meet=True)
	again = google.insert_event("primary", draft(), with_meet=True)
	assert again == first
	assert [r.method for r in google_server.requests] == ["POST", "POST", "GET"]
	assert len(google_server.events["primary"]) == 1


def test_retried_insert_revives_a_cancelled_event(google, google_server):
	event_id, _ = google.insert_event("primary", draft())
	assert google.delete_event("primary", event_id) is True
	again_id, link = google.insert_event("primary", draft(summary="Moved call"), with_meet=True)
	assert again_id == event_id
	assert link == "https://meet.google.com/pat-0000-xyz"
	stored = google_server.events["primary"][event_id]
	assert (stored["status"], stored["summary"]) == ("confirmed", "Moved call")
	patch = google_server.requests[-1]
	assert (patch.method, patch.q("conferenceDataVersion")) == ("PATCH", "1")


def test_patch_event(google, google_server):
	event_id, _ = google.insert_event("primary", draft())
	same_id, link = google.patch_event(
		"primary",
		event_id,
		{"start": {"dateTime": "2024-03-04T11:00:00Z"}, "end": {"dateTime": "2024-03-04T11:30:00Z"}},
	)
	assert (same_id, link) == (event_id, None)
	request = google_server.requests[-1]
	assert (request.method, request.path) == ("PATCH", f"/calendar/v3/calendars/primary/events/{event_id}")
	assert request.json == {
		"start": {"dateTime": "2024-03-04T11:00:00Z"},
		"end": {"dateTime": "2024-03-04T11:30:00Z"},
	}
	assert request.q("conferenceDataVersion") is None
	_, link = google.patch_event("primary", event_id, draft(summary="Renamed"), with_meet=True)
	assert link == "https://meet.google.com/pat-0000-xyz"
	assert google_server.requests[-1].q("conferenceDataVersion") == "1"
	assert "id" not in google_server.requests[-1].json
	with pytest.raises(EventNotFound):
		google.patch_event("primary", "missing1", {"summary": "x"})


def test_delete_event_tolerates_gone_events(google, google_server):
	event_id, _ = google.insert_event("primary", draft())
	assert google.delete_event("primary", event_id, send_updates="all") is True
	request = google_server.requests[-1]
	assert (request.method, request.path, request.q("sendUpdates")) == (
		"DELETE",
		f"/calendar/v3/calendars/primary/events/{event_id}",
		"all",
	)
	assert google.delete_event("primary", event_id) is False  # 410 Gone
	assert google.delete_event("primary", "neverexisted") is False  # 404
	with pytest.raises(ProviderError):
		google.delete_event("primary", event_id, send_updates="everyone")


@pytest.mark.parametrize(
	"event, link",
	[
		(
			{
				"conferenceData": {
					"entryPoints": [
						{"entryPointType": "phone", "uri": "tel:+1"},
						{"entryPointType": "video", "uri": "https://meet.google.com/aaa-bbbb-ccc"},
					]
				},
				"hangoutLink": "https://meet.google.com/old",
			},
			"https://meet.google.com/aaa-bbbb-ccc",
		),
		({"hangoutLink": "https://meet.google.com/xyz"}, "https://meet.google.com/xyz"),
		({"conferenceData": {"createRequest": {"status": {"statusCode": "pending"}}}}, None),
		({}, None),
	],
)
def test_meet_link(event, link):
	assert meet_link(event) == link


# --- incremental sync ----------------------------------------------------------------------------


def test_list_changes_pages_then_syncs_incrementally(google, google_server):
	for day in range(1, 6):
		google_server.add_event(
			"primary", timed(utc(2024, 3, day, 9), utc(2024, 3, day, 10), id=f"ev{day:04d}")
		)
	changes, token = google.list_changes("primary", page_size=2)
	assert [c.id for c in changes] == [f"ev{day:04d}" for day in range(1, 6)]
	assert all(c.busy for c in changes)
	assert changes[0].interval.start == utc(2024, 3, 1, 9)
	assert token
	pages = google_server.requests
	assert [(r.q("pageToken"), r.q("syncToken"), r.q("showDeleted")) for r in pages] == [
		(None, None, "false"),
		("2", None, "false"),
		("4", None, "false"),
	]
	assert {r.q("singleEvents") for r in pages} == {"true"}
	assert {r.q("maxResults") for r in pages} == {"2"}

	event = google_server.events["primary"]["ev0002"]
	event.update(status="cancelled", updated="2024-03-02T12:00:00.000Z")
	changes, next_token = google.list_changes("primary", token)
	assert [(c.id, c.busy, c.status) for c in changes] == [("ev0002", False, "cancelled")]
	assert changes[0].interval is None
	assert next_token and next_token != token
	request = google_server.requests[-1]
	assert request.q("syncToken") == token
	assert request.q("showDeleted") is None


def test_expired_sync_token_requires_full_sync(google, google_server):
	google_server.add_event("primary", timed(utc(2024, 3, 1, 9), utc(2024, 3, 1, 10)))
	with pytest.raises(FullSyncRequired) as info:
		google.list_changes("primary", "sync-from-last-year")
	assert info.value.status == 410
	changes, token = google.list_changes("primary")  # the caller restarts without a token
	assert len(changes) == 1 and token


def test_gone_mid_paging_also_requires_full_sync(google, google_server):
	for day in range(1, 4):
		google_server.add_event("primary", timed(utc(2024, 3, day, 9), utc(2024, 3, day, 10)))
	_, token = google.list_changes("primary")
	google_server.fail("calendar.events.list", 410, "fullSyncRequired")
	with pytest.raises(FullSyncRequired):
		google.list_changes("primary", token)


def test_busy_semantics_of_changes(google, google_server):
	google_server.add_event("primary", timed(utc(2024, 3, 4, 9), utc(2024, 3, 4, 10), id="opaque01"))
	google_server.add_event(
		"primary", timed(utc(2024, 3, 4, 11), utc(2024, 3, 4, 12), id="free0001", transparency="transparent")
	)
	google_server.add_event(
		"primary",
		timed(
			utc(2024, 3, 4, 13),
			utc(2024, 3, 4, 14),
			id="declined",
			attendees=[{"email": "me@example.com", "self": True, "responseStatus": "declined"}],
		),
	)
	google_server.add_event(
		"primary", timed(utc(2024, 3, 4, 15), utc(2024, 3, 4, 16), id="wloc0001", eventType="workingLocation")
	)
	google_server.add_event(
		"primary", timed(utc(2024, 3, 5, 0), utc(2024, 3, 6, 0), id="ooo00001", eventType="outOfOffice")
	)
	google_server.add_event(
		"primary", {"id": "allday01", "start": {"date": "2024-03-10"}, "end": {"date": "2024-03-12"}}
	)
	# an event the app wrote for one of its bookings: the booking occupies the time itself
	google_server.add_event(
		"primary",
		timed(
			utc(2024, 3, 4, 17),
			utc(2024, 3, 4, 18),
			id="ownbooking",
			extendedProperties={"private": {"scheduler_booking": "BK-1"}},
		),
	)
	changes, _ = google.list_changes("primary")
	by_id = {c.id: c for c in changes}
	assert {i for i, c in by_id.items() if c.busy} == {"opaque01", "ooo00001", "allday01"}
	allday = by_id["allday01"]
	assert allday.all_day
	# whole days on the calendar's clock (the fake's calendars are Europe/Berlin)
	assert (allday.interval.start, allday.interval.end) == (utc(2024, 3, 9, 23), utc(2024, 3, 11, 23))
	changes, _ = google.list_changes("primary", host_timezone="America/New_York")
	allday = {c.id: c for c in changes}["allday01"]
	assert (allday.interval.start, allday.interval.end) == (utc(2024, 3, 10, 5), utc(2024, 3, 12, 4))


# --- failures --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"status, reason, error, retryable",
	[
		(500, "backendError", ProviderUnavailable, True),
		(503, "backendError", ProviderUnavailable, True),
		(429, "rateLimitExceeded", ProviderUnavailable, True),
		(403, "rateLimitExceeded", ProviderUnavailable, True),
		(403, "insufficientPermissions", ProviderAuthError, False),
		(403, "forbidden", ProviderError, False),
		(400, "badRequest", ProviderError, False),
	],
)
def test_http_errors_are_typed(google, google_server, status, reason, error, retryable):
	google_server.fail("calendar.events.insert", status, reason)
	with pytest.raises(error) as info:
		google.insert_event("primary", draft(), with_meet=True)
	assert type(info.value) is error
	assert info.value.retryable is retryable
	assert info.value.status == status
	assert google.insert_event("primary", draft())[0]  # the next attempt goes through


def test_server_errors_on_every_operation_are_retryable(google, google_server):
	event_id, _ = google.insert_event("primary", draft())
	calls = [
		("calendar.freebusy.query", lambda: google.free_busy(["primary"], utc(2024, 3, 1), utc(2024, 3, 2))),
		("calendar.events.patch", lambda: google.patch_event("primary", event_id, {"summary": "x"})),
		("calendar.events.delete", lambda: google.delete_event("primary", event_id)),
		("calendar.events.list", lambda: google.list_changes("primary")),
	]
	for method_id, call in calls:
		google_server.fail(method_id, 500)
		with pytest.raises(ProviderUnavailable):
			call()


def test_rejected_token_is_an_auth_error(google_server):
	calendar = GoogleCalendar(access_token="revoked", base_url=google_server.url, timeout=5)
	with pytest.raises(ProviderAuthError) as info:
		calendar.insert_event("primary", draft())
	assert not info.value.retryable


def test_expired_token_is_refreshed_through_the_token_endpoint(google_server):
	from google.oauth2.credentials import Credentials

	google_server.token = "token-2"  # what the refresh hands out
	credentials = Credentials(
		token="expired",
		refresh_token="refresh-1",
		token_uri=google_server.url + "/token",
		client_id="client",
		client_secret="secret",
	)
	calendar = GoogleCalendar(credentials=credentials, base_url=google_server.url, timeout=5)
	event_id, _ = calendar.insert_event("primary", draft())
	assert event_id in google_server.events["primary"]
	assert [r.path for r in google_server.requests] == [
		"/calendar/v3/calendars/primary/events",
		"/token",
		"/calendar/v3/calendars/primary/events",
	]
	assert google_server.requests[-1].headers["authorization"] == "Bearer token-2"


def test_refused_refresh_is_an_auth_error(google_server):
	from google.oauth2.credentials import Credentials

	credentials = Credentials(
		token="expired",
		refresh_token="revoked",
		token_uri=google_server.url + "/token",
		client_id="client",
		client_secret="secret",
	)
	calendar = GoogleCalendar(credentials=credentials, base_url=google_server.url, timeout=5)
	with pytest.raises(ProviderAuthError, match="refresh"):
		calendar.free_busy(["primary"], utc(2024, 3, 1), utc(2024, 3, 2))


def test_timeouts_and_dropped_connections_are_retryable(google_server):
	calendar = GoogleCalendar(access_token=google_server.token, base_url=google_server.url, timeout=0.5)
	google_server.delays["calendar.freebusy.query"] = 3
	with pytest.raises(ProviderUnavailable):
		calendar.free_busy(["primary"], utc(2024, 3, 1), utc(2024, 3, 2))
	google_server.hangups.add("calendar.events.list")
	with pytest.raises(ProviderUnavailable):
		calendar.list_changes("primary")


def test_unreadable_times_from_the_provider(google, google_server):
	google_server.add_event("primary", timed(utc(2024, 3, 4, 9), utc(2024, 3, 4, 10)))
	event = next(iter(google_server.events["primary"].values()))
	event["start"]["dateTime"] = "yesterday-ish"
	google_server.check_responses = False
	with pytest.raises(ProviderError, match="unreadable time"):
		google.list_changes("primary")


def test_stable_event_ids_fit_google_rules():
	event_id = stable_event_id("BK-0001")
	assert event_id == stable_event_id("BK-0001") != stable_event_id("BK-0002")
	assert 5 <= len(event_id) <= 1024
	assert set(event_id) <= set("0123456789abcdefghijklmnopqrstuv")


def test_event_draft_validation():
	with pytest.raises(ProviderError):
		draft(uid="has space")
	with pytest.raises(ProviderError):
		draft(url="javascript:alert(1)")
	with pytest.raises(ProviderError):
		Attendee("not an email")
	clean = draft(summary="Hi\x00\r\nthere", attendees=(("x@example.com", 'Eve "\r\nX-INJECT'),))
	assert clean.summary == "Hi there"
	assert clean.attendees[0].name == "Eve ' X-INJECT"
	assert draft(end=utc(2024, 3, 4, 9) + timedelta(minutes=1)).interval.end == utc(2024, 3, 4, 9, 1)
