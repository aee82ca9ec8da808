"""CalDAV adapter against a real Radicale server (and small fakes for hostile servers)."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

import icalendar
import pytest
from calendar_peers import PeerServer, Radicale, Reply

from scheduler_integration.providers.caldav_client import CalDAVAccount, to_ics
from scheduler_integration.providers.errors import (
	EventNotFound,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
	UnsafeURL,
)
from scheduler_integration.providers.model import Attendee, EventDraft
from scheduler_integration.providers.urlguard import RefusedAddress, URLGuard

UTC = timezone.utc
LOCAL = URLGuard(allow_private=True, timeout=10)
_ids = itertools.count(1)


def utc(*fields):
	return datetime(*fields, tzinfo=UTC)


def draft(**changes) -> EventDraft:
	values = {
		"start": utc(2024, 3, 4, 9),
		"end": utc(2024, 3, 4, 9, 30),
		"summary": "Intro call with Ada",
		"timezone": "Europe/Berlin",
		"uid": "BK-0001",
	}
	values.update(changes)
	return EventDraft(**values)


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
	server = Radicale(tmp_path_factory.mktemp("radicale")).start()
	try:
		yield server
	finally:
		server.stop()


@pytest.fixture
def account(radicale):
	account = CalDAVAccount(radicale.url, username=radicale.user, password=radicale.password, guard=LOCAL)
	yield account
	account.close()


@pytest.fixture
def calendar_url(account):
	return account.make_calendar("Work", cal_id=f"work{next(_ids)}").url


def spans(intervals):
	return [(i.start, i.end) for i in intervals]


MARCH = (utc(2024, 3, 1), utc(2024, 5, 1))


# --- Radicale ---------------------------------------------------------------------------------


def test_create_search_update_delete(account, calendar_url):
	assert calendar_url.startswith(account.url)
	assert any(c.url == calendar_url and c.name == "Work" for c in account.calendars())

	uid, url = account.save_event(calendar_url, draft(private={"booking": "BK-0001"}))
	assert (uid, url) == ("BK-0001", calendar_url + "BK-0001.ics")
	assert spans(account.busy([calendar_url], *MARCH, "UTC")) == [
		(utc(2024, 3, 4, 9), utc(2024, 3, 4, 9, 30))
	]
	stored = account.get_event(calendar_url, uid)
	assert "X-SCHEDULER-BOOKING:BK-0001" in stored

	account.update_event(calendar_url, draft(start=utc(2024, 3, 5, 14), end=utc(2024, 3, 5, 15), sequence=1))
	assert spans(account.busy([calendar_url], *MARCH, "UTC")) == [(utc(2024, 3, 5, 14), utc(2024, 3, 5, 15))]
	assert "SEQUENCE:1" in account.get_event(calendar_url, uid)

	assert account.delete_event(calendar_url, uid) is True
	assert account.busy([calendar_url], *MARCH, "UTC") == []
	assert account.get_event(calendar_url, uid) is None
	assert account.delete_event(calendar_url, uid) is False  # already gone: fine
	with pytest.raises(EventNotFound):
		account.update_event(calendar_url, draft())


def test_retried_save_replaces_instead_of_duplicating(account, calendar_url):
	account.create_event(calendar_url, draft())
	account.create_event(calendar_url, draft(summary="Renamed"))
	assert len(account._search(calendar_url, account_window())) == 1
	assert "SUMMARY:Renamed" in account.get_event(calendar_url, "BK-0001")


def account_window():
	from scheduler_integration.engine.model import Interval

	return Interval(*MARCH)


RECURRING = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:standup
DTSTART;TZID=Europe/Berlin:20240318T090000
DTEND;TZID=Europe/Berlin:20240318T093000
RRULE:FREQ=WEEKLY;COUNT=4
END:VEVENT
BEGIN:VEVENT
UID:standup
RECURRENCE-ID;TZID=Europe/Berlin:20240325T090000
DTSTART;TZID=Europe/Berlin:20240325T110000
DTEND;TZID=Europe/Berlin:20240325T113000
END:VEVENT
END:VCALENDAR
"""


def put_raw(account, calendar_url, name, text):
	response = account.client.put(
		calendar_url + name, text.replace("\n", "\r\n"), {"Content-Type": "text/calendar; charset=utf-8"}
	)
	assert 200 <= response.status < 300


def event_ics(uid, lines):
	return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:{uid}\n{lines}\nEND:VEVENT\nEND:VCALENDAR\n"


def test_busy_expands_recurrence_across_dst_with_overrides(account, calendar_url):
	put_raw(account, calendar_url, "standup.ics", RECURRING)
	put_raw(
		account,
		calendar_url,
		"free.ics",
		event_ics("free", "DTSTART:20240320T100000Z\nDURATION:PT1H\nTRANSP:TRANSPARENT"),
	)
	put_raw(account, calendar_url, "holiday.ics", event_ics("holiday", "DTSTART;VALUE=DATE:20240329"))
	put_raw(account, calendar_url, "later.ics", event_ics("later", "DTSTART:20240901T100000Z\nDURATION:PT1H"))
	busy = account.busy([calendar_url], *MARCH, "America/New_York")
	assert spans(busy) == [
		(utc(2024, 3, 18, 8), utc(2024, 3, 18, 8, 30)),
		(utc(2024, 3, 25, 10), utc(2024, 3, 25, 10, 30)),  # the moved occurrence
		(utc(2024, 3, 29, 4), utc(2024, 3, 30, 4)),  # all-day: New York's day
		(utc(2024, 4, 1, 7), utc(2024, 4, 1, 7, 30)),  # CEST from 31 March
		(utc(2024, 4, 8, 7), utc(2024, 4, 8, 7, 30)),
	]


def test_busy_merges_calendars(account, calendar_url):
	other = account.make_calendar("Private", cal_id=f"private{next(_ids)}").url
	account.save_event(calendar_url, draft())
	account.save_event(other, draft(uid="BK-0002", start=utc(2024, 3, 4, 9, 15), end=utc(2024, 3, 4, 10)))
	assert spans(account.busy([calendar_url, other], *MARCH, "UTC")) == [
		(utc(2024, 3, 4, 9), utc(2024, 3, 4, 10))
	]


def test_wrong_password_is_an_auth_error(radicale):
	account = CalDAVAccount(radicale.url, username=radicale.user, password="wrong", guard=LOCAL)
	with pytest.raises(ProviderAuthError) as info:
		account.calendars()
	assert not info.value.retryable


def test_default_guard_refuses_a_private_server(radicale):
	with pytest.raises(RefusedAddress) as info:
		CalDAVAccount(radicale.url, username=radicale.user, password=radicale.password)
	assert info.value.reason == "loopback"


def test_credentials_in_the_url_are_refused(radicale):
	url = radicale.url.replace("http://", "http://alice:secret@")
	with pytest.raises(UnsafeURL, match="username/password"):
		CalDAVAccount(url, guard=LOCAL)


def test_every_request_goes_through_the_guard(account, calendar_url):
	before = account.session.requests
	account.save_event(calendar_url, draft())
	account.busy([calendar_url], *MARCH, "UTC")
	assert account.session.requests > before
	assert account.client.session is account.session


# --- hostile or failing servers ------------------------------------------------------------


def principal_reply(href: str) -> Reply:
	body = (
		'<?xml version="1.0" encoding="utf-8"?>'
		'<multistatus xmlns="DAV:"><response><href>/</href><propstat><prop>'
		f"<current-user-principal><href>{href}</href></current-user-principal>"
		"</prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"
	)
	return Reply(207, body, {"Content-Type": "application/xml; charset=utf-8"})


def test_redirect_to_a_private_address_is_refused():
	def app(request, handler):
		return Reply(301, "", {"Location": "http://169.254.169.254/latest/meta-data/"})

	with PeerServer(app) as server:
		account = CalDAVAccount(server.url + "/", username="u", password="p", guard=LOCAL)
		with pytest.raises(RefusedAddress) as info:
			account.calendars()
	assert info.value.reason == "a cloud metadata address"
	assert len(server.requests) == 1


def test_hrefs_to_other_hosts_are_not_followed():
	with PeerServer(
		lambda request, handler: principal_reply("http://169.254.169.254/latest/meta-data/")
	) as server:
		account = CalDAVAccount(server.url + "/", username="u", password="p", guard=LOCAL)
		with pytest.raises((UnsafeURL, ProviderError)):
			account.calendars()
	assert all(r.headers["Host"] == f"127.0.0.1:{server.port}" for r in server.requests)


def test_credentials_stay_with_the_servers_origin():
	with PeerServer(lambda request, handler: Reply(404, "")) as other:

		def app(request, handler):
			return Reply(307, "", {"Location": other.url + "/principals/u/"})

		with PeerServer(app) as server:
			account = CalDAVAccount(server.url + "/dav/", username="u", password="p", guard=LOCAL)
			with pytest.raises(ProviderError):
				account.calendars()
	assert server.requests[0].headers["Authorization"].startswith("Basic ")
	assert other.requests, "the redirect was followed"
	assert all("Authorization" not in r.headers for r in other.requests)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_server_errors_are_retryable(status):
	with PeerServer(lambda request, handler: Reply(status, "busy")) as server:
		account = CalDAVAccount(server.url + "/", username="u", password="p", guard=LOCAL)
		with pytest.raises(ProviderUnavailable) as info:
			account.busy([server.url + "/u/cal/"], *MARCH, "UTC")
	assert info.value.retryable
	assert info.value.status == status


def test_slow_server_is_retryable():
	def app(request, handler):
		server.stopping.wait(3)
		return None

	with PeerServer(app) as server:
		account = CalDAVAccount(
			server.url + "/", username="u", password="p", guard=URLGuard(allow_private=True, timeout=0.5)
		)
		with pytest.raises(ProviderUnavailable):
			account.calendars()


def test_bearer_token():
	with PeerServer(lambda request, handler: Reply(401, "")) as server:
		account = CalDAVAccount(server.url + "/", token="tok", guard=LOCAL)
		with pytest.raises(ProviderAuthError):
			account.calendars()
	assert server.requests[0].headers["Authorization"] == "Bearer tok"


# --- the iCalendar we write ------------------------------------------------------------------


def test_to_ics_escapes_hostile_text():
	event = draft(
		summary="Call; with, commas\nBEGIN:VEVENT",
		description="Line 1\nEND:VCALENDAR\nLine 3",
		location="Room \\ 1",
		attendees=(Attendee("eve@example.com", 'Eve"\nX-EVIL:1'),),
		url="https://example.com/manage?t=1",
		private={"booking": "BK-1\nX-EVIL:2"},
	)
	text = to_ics(event, now=utc(2024, 3, 1))
	calendar = icalendar.Calendar.from_ical(text)
	(vevent,) = calendar.walk("VEVENT")
	assert str(vevent["SUMMARY"]) == "Call; with, commas BEGIN:VEVENT"
	assert str(vevent["DESCRIPTION"]) == "Line 1\nEND:VCALENDAR\nLine 3"
	assert str(vevent["LOCATION"]) == "Room \\ 1"
	assert "X-EVIL" not in vevent
	assert str(vevent["X-SCHEDULER-BOOKING"]) == "BK-1 X-EVIL:2"
	assert vevent["ATTENDEE"].params["CN"] == "Eve' X-EVIL:1"
	assert vevent["DTSTART"].dt == utc(2024, 3, 4, 9)
	assert [line for line in text.splitlines() if line.startswith("BEGIN:")] == [
		"BEGIN:VCALENDAR",
		"BEGIN:VEVENT",
	]


# --- the provider interface ---------------------------------------------------------------------


def test_provider_interface(account, calendar_url):
	from scheduler_integration.providers.providers import CalendarProvider, IncrementalCalendar

	assert isinstance(account, CalendarProvider) and not isinstance(account, IncrementalCalendar)
	assert account.write(calendar_url, draft(), with_meeting=True) == ("BK-0001", None)  # no video on CalDAV
	moved = draft(start=utc(2024, 3, 4, 11), end=utc(2024, 3, 4, 12), uid="ignored-draft-uid")
	assert account.write(calendar_url, moved, "BK-0001")[0] == "BK-0001"  # the stored uid wins
	busy = account.busy([calendar_url], utc(2024, 3, 4), utc(2024, 3, 5), "Europe/Berlin")
	assert spans(busy) == [(utc(2024, 3, 4, 11), utc(2024, 3, 4, 12))]
	assert account.delete(calendar_url, draft()) is True  # by the draft's uid
	assert account.delete(calendar_url, event_id="BK-0001") is False
	with pytest.raises(ProviderError):
		account.delete(calendar_url)


def test_a_draft_comes_from_the_one_event_model_and_back():
	from scheduler_integration.engine.ics import IcsAttendee, IcsEvent

	meeting = IcsEvent(
		uid="b-1@scheduler_integration",
		start=utc(2026, 3, 8, 14),
		end=utc(2026, 3, 8, 15),
		summary="Intro: Chris",
		description="Join: https://meet.example/x",
		location="https://meet.example/x",
		url="https://meet.example/x",
		organizer_email="host@example.com",
		attendees=(IcsAttendee("chris@example.com", "Chris"), IcsAttendee("host@example.com", "Host")),
		sequence=2,
		status="TENTATIVE",
	)
	draft = EventDraft.from_event(
		meeting,
		timezone="America/New_York",
		private={"scheduler_booking": "B-1"},
		without=("Host@Example.com",),
	)
	assert [a.email for a in draft.attendees] == ["chris@example.com"]
	assert (draft.status, draft.sequence, draft.timezone, draft.uid) == (
		"tentative",
		2,
		"America/New_York",
		"b-1@scheduler_integration",
	)
	(vevent,) = icalendar.Calendar.from_ical(to_ics(draft, now=utc(2026, 3, 1))).walk("VEVENT")
	assert (str(vevent["SUMMARY"]), str(vevent["STATUS"]), int(vevent["SEQUENCE"])) == (
		"Intro: Chris",
		"TENTATIVE",
		2,
	)
	assert str(vevent["X-SCHEDULER-SCHEDULER-BOOKING"]) == "B-1"
	assert vevent["DTSTART"].dt == utc(2026, 3, 8, 14)
