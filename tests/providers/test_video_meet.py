"""Google Meet links without a destination calendar, on the local Calendar v3 peer."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from calendar_peers import FakeGoogle

from scheduler_integration.providers.errors import (
	MeetingNotFound,
	ProviderAuthError,
	ProviderUnavailable,
)
from scheduler_integration.providers.google import GoogleCalendar
from scheduler_integration.providers.google_meet import GoogleMeet
from scheduler_integration.providers.model import Attendee, stable_event_id
from scheduler_integration.providers.providers import MeetingDraft, VideoProvider

UTC = timezone.utc


def utc(*fields):
	return datetime(*fields, tzinfo=UTC)


def draft(**changes) -> MeetingDraft:
	values = {
		"topic": "Intro call with Ada",
		"start": utc(2024, 3, 4, 14),
		"duration": 30,
		"timezone": "Europe/Berlin",
		"agenda": "Goals",
		"key": "BK-0001",
		"attendees": (Attendee("ada@example.com", "Ada"),),
	}
	values.update(changes)
	return MeetingDraft(**values)


@pytest.fixture
def google_server():
	with FakeGoogle() as server:
		yield server


@pytest.fixture
def meet(google_server):
	return GoogleMeet(
		access_token=google_server.token, base_url=google_server.url, timeout=5, sleep=lambda s: None
	)


def test_meet_link_from_an_event_in_the_primary_calendar(meet, google_server):
	assert isinstance(meet, VideoProvider)
	meeting = meet.create_meeting(draft())
	(insert,) = google_server.calls_of("calendar.events.insert")
	assert insert.path == "/calendar/v3/calendars/primary/events"
	assert (insert.q("conferenceDataVersion"), insert.q("sendUpdates")) == ("1", "none")
	body = insert.json
	assert body["id"] == stable_event_id("BK-0001.meet") != stable_event_id("BK-0001")
	assert body["transparency"] == "opaque"
	assert body["conferenceData"]["createRequest"]["conferenceSolutionKey"] == {"type": "hangoutsMeet"}
	assert body["attendees"] == [{"email": "ada@example.com", "displayName": "Ada"}]
	assert body["start"] == {"dateTime": "2024-03-04T15:00:00+01:00", "timeZone": "Europe/Berlin"}
	assert body["extendedProperties"] == {"private": {"scheduler_meeting": "BK-0001"}}
	assert (meeting.provider, meeting.id) == ("google", body["id"])
	assert meeting.join_url.startswith("https://meet.google.com/")


def test_retried_create_finds_the_same_event(meet, google_server):
	first = meet.create_meeting(draft())
	again = meet.create_meeting(draft())
	assert again == first and len(google_server.events["primary"]) == 1


def test_another_calendar_can_hold_the_meet_events(google_server):
	meet = GoogleMeet(
		access_token=google_server.token,
		base_url=google_server.url,
		calendar_id="meet@group.calendar.google.com",
	)
	meeting = meet.create_meeting(draft(key=None))
	assert meeting.id in google_server.events["meet@group.calendar.google.com"]


def test_update_keeps_the_conference_and_delete_is_idempotent(meet, google_server):
	meeting = meet.create_meeting(draft())
	start = datetime(2024, 3, 10, 9, tzinfo=ZoneInfo("America/New_York"))  # the DST day
	moved = meet.update_meeting(meeting.id, draft(start=start, timezone="America/New_York", topic="Moved"))
	assert moved.join_url == meeting.join_url
	stored = google_server.events["primary"][meeting.id]
	assert stored["start"] == {"dateTime": "2024-03-10T09:00:00-04:00", "timeZone": "America/New_York"}
	assert stored["summary"] == "Moved"
	assert meet.delete_meeting(meeting.id) is True
	assert meet.delete_meeting(meeting.id) is False
	with pytest.raises(MeetingNotFound):
		meet.update_meeting("missing000", draft())


def test_a_pending_conference_is_read_back_then_retried(meet, google_server):
	original = google_server._events_insert

	def pending(request, params):
		reply = original(request, params)
		if reply.status != 200:
			return reply
		event = google_server.events[params["calendarId"]][reply.body["id"]]
		saved = event.pop("conferenceData"), event.pop("hangoutLink")
		event["conferenceData"] = {
			"createRequest": {**saved[0]["createRequest"], "status": {"statusCode": "pending"}}
		}
		google_server.pending = saved
		return reply

	google_server._events_insert = pending
	with pytest.raises(ProviderUnavailable):
		meet.create_meeting(draft())
	assert len(google_server.calls_of("calendar.events.get")) == 2  # pending_checks
	event = next(iter(google_server.events["primary"].values()))
	event["conferenceData"], event["hangoutLink"] = google_server.pending  # Google finished
	meeting = meet.create_meeting(draft())  # the retry: 409, read back, the link is there
	assert meeting.join_url.startswith("https://meet.google.com/")
	assert len(google_server.events["primary"]) == 1


def test_hostile_topic_and_auth_failure(meet, google_server):
	meeting = meet.create_meeting(draft(topic="Call\r\n<script>x</script>" + "q" * 10_000, key=None))
	stored = google_server.events["primary"][meeting.id]
	assert "\r" not in stored["summary"] and "\n" not in stored["summary"] and len(stored["summary"]) <= 500
	revoked = GoogleMeet(GoogleCalendar(access_token="revoked", base_url=google_server.url, timeout=5))
	with pytest.raises(ProviderAuthError):
		revoked.create_meeting(draft())
	google_server.fail("calendar.events.insert", 503)
	with pytest.raises(ProviderUnavailable):
		meet.create_meeting(draft())
