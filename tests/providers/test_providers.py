"""The provider interface, the registry, the meeting records, token sources and the JSON
client's guarantees (on local peers)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests
from calendar_peers import FakeGoogle, PeerServer, Reply

from scheduler_integration.engine.validation import LOCATION_TYPES
from scheduler_integration.providers.errors import (
	EventNotFound,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
)
from scheduler_integration.providers.google import GoogleCalendar
from scheduler_integration.providers.ics_feed import ICSFeeds
from scheduler_integration.providers.model import Attendee, EventDraft, stable_event_id
from scheduler_integration.providers.oauth import OAuthTokenSource, StaticToken, parse_retry_after
from scheduler_integration.providers.providers import (
	REGISTRY,
	CalendarProvider,
	IncrementalCalendar,
	Meeting,
	MeetingDraft,
	VideoProvider,
	by_label,
	for_location,
	generate_passcode,
	get_spec,
)
from scheduler_integration.providers.rest import JsonApi

UTC = timezone.utc


def utc(*fields):
	return datetime(*fields, tzinfo=UTC)


def session() -> requests.Session:
	s = requests.Session()
	s.trust_env = False
	return s


# --- registry ---------------------------------------------------------------------------------


def test_registry_rows_name_importable_adapters():
	kinds = {name: spec.kind for name, spec in REGISTRY.items()}
	assert kinds == {
		"google": "both",
		"microsoft": "both",
		"caldav": "calendar",
		"ics": "calendar",
		"zoom": "video",
	}
	for spec in REGISTRY.values():
		if spec.calendar:
			factory = spec.calendar_factory()
			assert getattr(factory, "name", None) == spec.name
			for method in ("busy", "write", "delete", *(["changes"] if spec.incremental else [])):
				assert callable(getattr(factory, method)), (spec.name, method)
		if spec.video:
			factory = spec.video_factory()
			assert factory.name == spec.name
			for method in ("create_meeting", "update_meeting", "delete_meeting"):
				assert callable(getattr(factory, method)), (spec.name, method)
	with pytest.raises(ProviderError):
		get_spec("skype")
	with pytest.raises(ProviderError):
		get_spec("zoom").calendar_factory()


def test_location_types_map_to_providers():
	assert for_location("Zoom").name == "zoom"
	assert for_location("Google Meet").name == "google"
	assert for_location("Microsoft Teams").name == "microsoft"
	assert for_location("Phone") is None and for_location("In Person") is None
	# every video location type the app offers has a provider that makes its link
	for location in LOCATION_TYPES:
		if location in ("Google Meet", "Zoom", "Microsoft Teams"):
			assert for_location(location).video


def test_registry_describes_credentials_and_token_factories():
	assert {name: spec.auth for name, spec in REGISTRY.items()} == {
		"google": "google",
		"microsoft": "oauth",
		"caldav": "password",
		"ics": "url",
		"zoom": "oauth",
	}
	for spec in REGISTRY.values():
		assert by_label(spec.label) is spec
		if spec.auth == "oauth":  # the Frappe side renews tokens through these factories
			source = spec.user_token_factory()(
				client_id="c",
				client_secret="s",
				refresh_token="r",
				token_url="http://127.0.0.1:9/token",
				scope="offline_access x",
			)
			assert isinstance(source, OAuthTokenSource) and source.token_url == "http://127.0.0.1:9/token"
	app = get_spec("zoom").app_token_factory()(
		account_id="acc", client_id="c", client_secret="s", token_url="http://127.0.0.1:9/t"
	)
	assert (app.grant, app.params, app.token_url) == (
		"account_credentials",
		{"account_id": "acc"},
		"http://127.0.0.1:9/t",
	)
	assert get_spec("zoom").account_user == "user_id"
	with pytest.raises(ProviderError):
		get_spec("microsoft").app_token_factory()
	with pytest.raises(ProviderError):
		by_label("Skype")


def test_connection_and_meeting_type_options_come_from_the_registry():
	"""The desk's provider and location choices are the registry's (a new row needs its label
	in the connection's options; this fails until it is there)."""
	import json
	from pathlib import Path

	doctypes = (
		Path(__file__).resolve().parents[2] / "scheduler_integration" / "scheduler_integration" / "doctype"
	)
	connection = json.loads(
		(doctypes / "scheduler_calendar_connection" / "scheduler_calendar_connection.json").read_text()
	)
	options = next(f for f in connection["fields"] if f["fieldname"] == "provider")["options"].split("\n")
	assert options == [spec.label for spec in REGISTRY.values()]
	meeting_type = json.loads(
		(doctypes / "scheduler_meeting_type" / "scheduler_meeting_type.json").read_text()
	)
	locations = next(f for f in meeting_type["fields"] if f["fieldname"] == "location_type")["options"]
	assert [o for o in locations.split("\n") if o] == list(LOCATION_TYPES)
	linked = {loc for spec in REGISTRY.values() for loc in spec.locations}
	assert linked <= set(LOCATION_TYPES)


def test_open_calendar_and_video_build_adapters():
	google = get_spec("google").open_calendar(access_token="x", base_url="http://127.0.0.1:9/")
	assert isinstance(google, IncrementalCalendar)
	zoom = get_spec("zoom").open_video(tokens=StaticToken("x"))
	assert isinstance(zoom, VideoProvider)
	teams = get_spec("microsoft").open_video(tokens=StaticToken("x"))
	assert isinstance(teams, VideoProvider)
	ms = get_spec("microsoft").open_calendar(tokens=StaticToken("x"))
	assert isinstance(ms, IncrementalCalendar)
	assert isinstance(get_spec("ics").open_calendar(), CalendarProvider)


# --- records ----------------------------------------------------------------------------------


def test_meeting_draft_fills_end_and_duration():
	by_duration = MeetingDraft("Call", utc(2024, 3, 4, 9), duration=45)
	assert by_duration.end == utc(2024, 3, 4, 9, 45) and by_duration.duration == 45
	by_end = MeetingDraft("Call", utc(2024, 3, 4, 9), end=utc(2024, 3, 4, 10))
	assert by_end.duration == 60
	assert MeetingDraft("  ", utc(2024, 3, 4, 9), duration=1).topic == "Meeting"
	draft = MeetingDraft(
		"Call", utc(2024, 3, 4, 9), duration=5, attendees=("a@example.com", ("b@example.com", "Bee"))
	)
	assert draft.attendees == (Attendee("a@example.com"), Attendee("b@example.com", "Bee"))
	for bad in (
		{"duration": None},
		{"duration": 0},
		{"duration": True},
		{"end": utc(2024, 3, 4, 8)},
		{"duration": 5, "timezone": "Mars/Olympus"},
		{"duration": 5, "key": "has space"},
		{"duration": 5, "password": "bad pass!"},
	):
		with pytest.raises((ProviderError, ValueError)):  # ours, or the engine's (ValueError)
			MeetingDraft("Call", utc(2024, 3, 4, 9), **bad)
	with pytest.raises(ValueError):  # a naive start: the engine's NaiveDatetime
		MeetingDraft("Call", datetime(2024, 3, 4, 9), duration=5)


def test_passcodes():
	codes = {generate_passcode() for _ in range(50)}
	assert len(codes) == 50
	for code in codes:
		assert len(code) == 10 and code.isalnum() and any(c.isdigit() for c in code)
	assert MeetingDraft("x", utc(2024, 1, 1), duration=5, password="abc").passcode() == "abc"
	assert MeetingDraft("x", utc(2024, 1, 1), duration=5).passcode() is None


# --- Google and ICS behind the interface ------------------------------------------------------


@pytest.fixture
def google_server():
	with FakeGoogle() as server:
		yield server


def draft(**changes) -> EventDraft:
	values = {
		"start": utc(2024, 3, 4, 9),
		"end": utc(2024, 3, 4, 9, 30),
		"summary": "Intro call",
		"timezone": "Europe/Berlin",
		"uid": "BK-0001",
	}
	values.update(changes)
	return EventDraft(**values)


def test_google_through_the_interface(google_server):
	google = GoogleCalendar(access_token=google_server.token, base_url=google_server.url, timeout=5)
	assert isinstance(google, IncrementalCalendar)
	event_id, meeting = google.write("primary", draft(), with_meeting=True)
	assert event_id == stable_event_id("BK-0001")
	assert isinstance(meeting, Meeting) and meeting.provider == "google" and meeting.id == event_id
	assert meeting.join_url.startswith("https://meet.google.com/")
	same, _ = google.write("primary", draft(summary="Moved"), event_id)
	assert same == event_id and google_server.events["primary"][event_id]["summary"] == "Moved"
	assert google_server.requests[-1].method == "PATCH"
	busy = google.busy(["primary"], utc(2024, 3, 4), utc(2024, 3, 5), "Europe/Berlin")
	assert [(i.start, i.end) for i in busy] == [(utc(2024, 3, 4, 9), utc(2024, 3, 4, 9, 30))]
	changes, token = google.changes("primary", None, "Europe/Berlin")
	assert [c.id for c in changes] == [event_id] and token
	_, none = google.write("primary", draft(uid="BK-0002"))
	assert none is None
	assert google.delete("primary", draft()) is True  # by the draft's uid
	assert google.delete("primary", event_id=event_id) is False
	gone_id, _ = google.write("primary", draft(uid="BK-0003"), "missing000")  # re-created
	assert gone_id == stable_event_id("BK-0003")
	with pytest.raises(ProviderError):
		google.delete("primary")


def test_ics_feeds_through_the_interface():
	feeds = {
		"https://a.example/cal.ics": b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n"
		b"DTSTART:20240304T090000Z\r\nDTEND:20240304T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"https://b.example/cal.ics": b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:2\r\n"
		b"DTSTART:20240304T093000Z\r\nDTEND:20240304T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	}
	ics = ICSFeeds(fetcher=feeds.__getitem__)
	assert isinstance(ics, CalendarProvider) and not isinstance(ics, IncrementalCalendar)
	busy = ics.busy(list(feeds), utc(2024, 3, 4), utc(2024, 3, 5), "UTC")
	assert [(i.start, i.end) for i in busy] == [(utc(2024, 3, 4, 9), utc(2024, 3, 4, 11))]
	with pytest.raises(ProviderError, match="read-only"):
		ics.write("https://a.example/cal.ics", draft())


# --- tokens and the JSON client -----------------------------------------------------------------


def test_retry_after_values():
	now = time.time()
	assert parse_retry_after("120", now) == 120
	assert parse_retry_after(None) is None and parse_retry_after("") is None
	assert parse_retry_after("soon", now) is None
	http_date = format_datetime(datetime.fromtimestamp(now, UTC) + timedelta(seconds=90), usegmt=True)
	assert 88 <= parse_retry_after(http_date, now) <= 90
	assert parse_retry_after("2000-01-01T00:00:00Z", now) == 0  # in the past: now
	assert parse_retry_after("999999999", now) == 86400  # capped at a day
	assert parse_retry_after("2030-01-01T00:00:00", now) is None  # no zone: unreadable


def token_peer(replies: list[Reply]) -> PeerServer:
	return PeerServer(lambda request, handler: replies.pop(0) if replies else Reply(500, {}))


def test_token_source_caches_and_reports(monkeypatch):
	replies = [
		Reply(200, {"access_token": "a1", "expires_in": 100}),
		Reply(200, {"access_token": "a2", "expires_in": 100}),
	]
	now = [1000.0]
	with token_peer(replies) as peer:
		source = OAuthTokenSource(
			peer.url + "/token",
			client_id="id",
			client_secret="very-secret",
			grant="client_credentials",
			client_auth="body",
			session=session(),
			clock=lambda: now[0],
			leeway=10,
		)
		assert source.token() == "a1" and source.token() == "a1"
		assert len(peer.requests) == 1
		assert peer.requests[0].body.decode().count("client_secret=very-secret") == 1
		now[0] += 95  # within the leeway: renewed first
		assert source.token() == "a2"
		assert "very-secret" not in repr(source)
	with pytest.raises(ProviderAuthError):
		OAuthTokenSource("http://127.0.0.1:9/token", client_id="i", client_secret="s")  # no refresh token
	with pytest.raises(ProviderError):
		OAuthTokenSource("http://127.0.0.1:9/token", client_id="i", client_secret="s", grant="password")


@pytest.mark.parametrize(
	"reply, error",
	[
		(Reply(503, {}, {"Retry-After": "5"}), ProviderUnavailable),
		(Reply(429, {"error": "slow_down"}), ProviderUnavailable),
		(
			Reply(400, {"error": "invalid_grant", "error_description": "token abc123 revoked"}),
			ProviderAuthError,
		),
		(Reply(200, {"token_type": "Bearer"}), ProviderError),  # no access_token
		(Reply(302, b"", {"Location": "http://127.0.0.1:1/"}), ProviderError),
	],
)
def test_token_endpoint_failures(reply, error):
	with token_peer([reply]) as peer:
		source = OAuthTokenSource(
			peer.url + "/token", client_id="i", client_secret="s", refresh_token="r", session=session()
		)
		with pytest.raises(error) as info:
			source.token()
	assert type(info.value) is error
	assert "abc123" not in str(info.value)  # the description may echo secrets: not shown
	if reply.status == 503:
		assert info.value.retry_after == 5


def test_json_client_limits_and_origin():
	big = Reply(200, {"value": "x" * 5000})
	replies = [big, Reply(301, b"", {"Location": "http://127.0.0.1:1/elsewhere"}), Reply(404, {})]
	with PeerServer(lambda request, handler: replies.pop(0)) as peer:
		api = JsonApi(peer.url + "/api", StaticToken("t"), session=session(), max_bytes=1000)
		with pytest.raises(ProviderError, match="larger than"):
			api.request("GET", "things", what="list")
		with pytest.raises(ProviderError) as info:
			api.request("GET", "things", what="list")  # redirects are not followed
		assert info.value.status == 301 and len(peer.requests) == 2
		with pytest.raises(EventNotFound):
			api.request("GET", "things/1", what="get")
		with pytest.raises(ProviderError, match="another server"):
			api.request("GET", "https://elsewhere.example/api/things", what="list")
		assert api.url(peer.url + "/api/next?page=2") == peer.url + "/api/next?page=2"
		assert len(peer.requests) == 3
		assert peer.requests[0].headers["Authorization"] == "Bearer t"
	with pytest.raises(ProviderAuthError):
		JsonApi("http://127.0.0.1:9", object())
