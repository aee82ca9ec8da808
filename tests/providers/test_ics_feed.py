"""ICS subscriptions -> busy intervals: zones, DST, recurrence, all-day, bounds, errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from calendar_peers import PeerServer, Reply
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler_integration.engine.errors import InvalidInterval, InvalidTimeZone, NaiveDatetime
from scheduler_integration.engine.intervals import merge
from scheduler_integration.engine.model import Interval
from scheduler_integration.providers.errors import FetchFailed, InvalidFeed, UnsafeURL
from scheduler_integration.providers.ics_feed import MAX_COUNT, feed_url, fetch_busy, parse_busy
from scheduler_integration.providers.urlguard import URLGuard

UTC = timezone.utc


def utc(*fields):
	return datetime(*fields, tzinfo=UTC)


def at(zone, *fields):
	return datetime(*fields, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def feed(*events: str, extra: str = "") -> str:
	body = "".join(f"BEGIN:VEVENT\n{event.strip()}\nEND:VEVENT\n" for event in events)
	text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{extra}{body}END:VCALENDAR\n"
	return text.replace("\n", "\r\n")


def spans(intervals):
	return [(i.start, i.end) for i in intervals]


MARCH = (utc(2024, 3, 1), utc(2024, 5, 1))


# --- times and zones ------------------------------------------------------------------------


def test_utc_tzid_and_floating_times():
	data = feed(
		"UID:utc\nDTSTART:20240304T100000Z\nDTEND:20240304T110000Z",
		"UID:tzid\nDTSTART;TZID=Asia/Tokyo:20240305T090000\nDTEND;TZID=Asia/Tokyo:20240305T093000",
		"UID:floating\nDTSTART:20240306T090000\nDTEND:20240306T100000",
	)
	busy = parse_busy(data, MARCH, "America/New_York")
	assert spans(busy) == [
		(utc(2024, 3, 4, 10), utc(2024, 3, 4, 11)),
		(utc(2024, 3, 5, 0), utc(2024, 3, 5, 0, 30)),  # 09:00 Tokyo
		(at("America/New_York", 2024, 3, 6, 9), at("America/New_York", 2024, 3, 6, 10)),  # host's clock
	]
	assert all(i.start.tzinfo is UTC for i in busy)


def test_weekly_event_keeps_wall_time_across_dst():
	"""09:00 Berlin every Monday: 08:00 UTC in winter, 07:00 UTC after 31 March."""
	data = feed(
		"UID:standup\nDTSTART;TZID=Europe/Berlin:20240318T090000\n"
		"DTEND;TZID=Europe/Berlin:20240318T093000\nRRULE:FREQ=WEEKLY;COUNT=4"
	)
	busy = parse_busy(data, MARCH, "America/New_York")
	assert [i.start for i in busy] == [
		utc(2024, 3, 18, 8),
		utc(2024, 3, 25, 8),
		utc(2024, 4, 1, 7),
		utc(2024, 4, 8, 7),
	]
	assert {i.end - i.start for i in busy} == {timedelta(minutes=30)}


def test_daily_event_across_fall_back_seen_from_another_zone():
	data = feed(
		"UID:daily\nDTSTART;TZID=America/New_York:20241101T090000\n"
		"DURATION:PT1H\nRRULE:FREQ=DAILY;UNTIL=20241105T140000Z"
	)
	busy = parse_busy(data, (utc(2024, 10, 30), utc(2024, 11, 10)), "Asia/Tokyo")
	assert [i.start for i in busy] == [
		utc(2024, 11, 1, 13),
		utc(2024, 11, 2, 13),
		utc(2024, 11, 3, 14),  # EST from 3 November
		utc(2024, 11, 4, 14),
		utc(2024, 11, 5, 14),  # UNTIL is inclusive
	]


def test_wall_time_in_spring_forward_gap_reads_with_offset_before_the_gap():
	data = feed("UID:gap\nDTSTART;TZID=America/New_York:20240310T023000\nDURATION:PT1H")
	busy = parse_busy(data, MARCH, "UTC")
	assert spans(busy) == [(utc(2024, 3, 10, 7, 30), utc(2024, 3, 10, 8, 30))]  # = 03:30 EDT


def test_nominal_day_duration_ends_at_same_wall_time_across_dst():
	data = feed("UID:day\nDTSTART;TZID=Europe/Berlin:20240330T120000\nDURATION:P1D")
	busy = parse_busy(data, MARCH, "UTC")
	assert spans(busy) == [(utc(2024, 3, 30, 11), utc(2024, 3, 31, 10))]  # 23 real hours


def test_windows_and_prefixed_tzids():
	data = feed(
		"UID:win\nDTSTART;TZID=W. Europe Standard Time:20240701T090000\nDURATION:PT1H",
		"UID:moz\nDTSTART;TZID=/mozilla.org/20050126_1/America/Chicago:20240702T090000\nDURATION:PT1H",
	)
	busy = parse_busy(data, (utc(2024, 7, 1), utc(2024, 7, 3)), "UTC")
	assert spans(busy) == [
		(utc(2024, 7, 1, 7), utc(2024, 7, 1, 8)),
		(utc(2024, 7, 2, 14), utc(2024, 7, 2, 15)),
	]


CUSTOM_ZONE = """BEGIN:VTIMEZONE
TZID:Office Time
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
"""


def test_custom_vtimezone_recurrence_follows_its_dst_rules():
	data = feed(
		"UID:custom\nDTSTART;TZID=Office Time:20240325T090000\nDTEND;TZID=Office Time:20240325T100000\n"
		"RRULE:FREQ=WEEKLY;COUNT=2",
		extra=CUSTOM_ZONE,
	)
	busy = parse_busy(data, MARCH, "UTC")
	assert spans(busy) == [
		(utc(2024, 3, 25, 8), utc(2024, 3, 25, 9)),
		(utc(2024, 4, 1, 7), utc(2024, 4, 1, 8)),
	]


def test_unknown_tzid_without_vtimezone_reads_like_floating():
	data = feed("UID:x\nDTSTART;TZID=Nowhere Standard:20240304T090000\nDURATION:PT1H")
	busy = parse_busy(data, MARCH, "Europe/Paris")
	assert spans(busy) == [(at("Europe/Paris", 2024, 3, 4, 9), at("Europe/Paris", 2024, 3, 4, 10))]


# --- all-day ---------------------------------------------------------------------------------


def test_all_day_events_block_whole_host_local_days():
	data = feed(
		"UID:one\nDTSTART;VALUE=DATE:20240305",
		"UID:three\nDTSTART;VALUE=DATE:20240320\nDTEND;VALUE=DATE:20240323",
	)
	busy = parse_busy(data, MARCH, "America/Los_Angeles")
	assert spans(busy) == [
		(at("America/Los_Angeles", 2024, 3, 5), at("America/Los_Angeles", 2024, 3, 6)),
		(at("America/Los_Angeles", 2024, 3, 20), at("America/Los_Angeles", 2024, 3, 23)),
	]


def test_all_day_event_on_dst_day_is_23_hours():
	data = feed("UID:dst\nDTSTART;VALUE=DATE:20240310\nDTEND;VALUE=DATE:20240311")
	(busy,) = parse_busy(data, MARCH, "America/Los_Angeles")
	assert (busy.start, busy.end) == (utc(2024, 3, 10, 8), utc(2024, 3, 11, 7))


def test_recurring_all_day_event_with_exdate_and_utc_until():
	data = feed(
		"UID:fridays\nDTSTART;VALUE=DATE:20240301\nDTEND;VALUE=DATE:20240302\n"
		"RRULE:FREQ=WEEKLY;UNTIL=20240322T000000Z\nEXDATE;VALUE=DATE:20240308"
	)
	busy = parse_busy(data, MARCH, "Europe/London")
	assert [i.start for i in busy] == [at("Europe/London", 2024, 3, d) for d in (1, 15, 22)]


# --- recurrence details ------------------------------------------------------------------------


def test_exdate_rdate_and_periods():
	data = feed(
		"UID:r\nDTSTART;TZID=Europe/Berlin:20240304T100000\nDTEND;TZID=Europe/Berlin:20240304T110000\n"
		"RRULE:FREQ=DAILY;COUNT=5\n"
		"EXDATE;TZID=Europe/Berlin:20240305T100000,20240306T100000\n"
		"EXDATE:20240307T090000Z\n"
		"RDATE;TZID=Europe/Berlin:20240310T150000\n"
		"RDATE;VALUE=PERIOD:20240312T120000Z/PT3H"
	)
	busy = parse_busy(data, MARCH, "UTC")
	assert spans(busy) == [
		(utc(2024, 3, 4, 9), utc(2024, 3, 4, 10)),
		(utc(2024, 3, 8, 9), utc(2024, 3, 8, 10)),
		(utc(2024, 3, 10, 14), utc(2024, 3, 10, 15)),
		(utc(2024, 3, 12, 12), utc(2024, 3, 12, 15)),  # the period's own length
	]


def test_date_exdate_on_timed_event_drops_that_day():
	data = feed(
		"UID:r\nDTSTART:20240304T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE;VALUE=DATE:20240305"
	)
	assert [i.start for i in parse_busy(data, MARCH, "UTC")] == [utc(2024, 3, 4, 10), utc(2024, 3, 6, 10)]


def test_overrides_replace_their_occurrence():
	master = (
		"UID:weekly\nDTSTART;TZID=Europe/Berlin:20240304T090000\nDTEND;TZID=Europe/Berlin:20240304T100000\n"
		"RRULE:FREQ=WEEKLY;COUNT=4"
	)
	moved = (
		"UID:weekly\nRECURRENCE-ID;TZID=Europe/Berlin:20240311T090000\n"
		"DTSTART;TZID=Europe/Berlin:20240312T140000\nDTEND;TZID=Europe/Berlin:20240312T150000"
	)
	moved_away = (  # out of the window: the original occurrence must still disappear
		"UID:weekly\nRECURRENCE-ID:20240318T080000Z\nDTSTART:20250101T090000Z\nDTEND:20250101T100000Z"
	)
	cancelled = "UID:weekly\nRECURRENCE-ID;TZID=Europe/Berlin:20240325T090000\nSTATUS:CANCELLED\n" + (
		"DTSTART;TZID=Europe/Berlin:20240325T090000\nDTEND;TZID=Europe/Berlin:20240325T100000"
	)
	busy = parse_busy(feed(master, moved, moved_away, cancelled), MARCH, "UTC")
	assert spans(busy) == [
		(utc(2024, 3, 4, 8), utc(2024, 3, 4, 9)),
		(utc(2024, 3, 12, 13), utc(2024, 3, 12, 14)),
	]


def test_all_day_override_matches_by_date():
	data = feed(
		"UID:d\nDTSTART;VALUE=DATE:20240304\nRRULE:FREQ=DAILY;COUNT=3",
		"UID:d\nRECURRENCE-ID;VALUE=DATE:20240305\nDTSTART;VALUE=DATE:20240305\nTRANSP:TRANSPARENT",
	)
	busy = parse_busy(data, MARCH, "UTC")
	assert spans(busy) == [(utc(2024, 3, 4), utc(2024, 3, 5)), (utc(2024, 3, 6), utc(2024, 3, 7))]


def test_dtstart_not_matching_rule_still_counts():
	data = feed("UID:x\nDTSTART:20240306T100000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2")
	assert [i.start for i in parse_busy(data, MARCH, "UTC")] == [
		utc(2024, 3, 6, 10),
		utc(2024, 3, 11, 10),
		utc(2024, 3, 18, 10),
	]


def test_old_daily_rule_is_fast_forwarded_to_the_window():
	data = feed("UID:old\nDTSTART;TZID=Europe/Berlin:19900101T120000\nDURATION:PT30M\nRRULE:FREQ=DAILY")
	busy = parse_busy(data, (utc(2024, 3, 30), utc(2024, 4, 2)), "UTC", max_occurrences=10)
	assert [i.start for i in busy] == [utc(2024, 3, 30, 11), utc(2024, 3, 31, 10), utc(2024, 4, 1, 10)]


def test_old_biweekly_rule_keeps_its_phase():
	data = feed("UID:old\nDTSTART:20000103T120000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE")
	busy = parse_busy(data, (utc(2024, 3, 1), utc(2024, 4, 1)), "UTC")
	# expanding from 2000 step by step gives the same weeks: 2024-03-04 is 1261 weeks
	# after 2000-01-03, an odd number, so that week is off
	slow = rrulestr("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", dtstart=datetime(2000, 1, 3, 12))
	expected = [d.replace(tzinfo=UTC) for d in slow.between(datetime(2024, 3, 1), datetime(2024, 4, 1))]
	assert [i.start for i in busy] == expected
	assert [d.date().isoformat() for d in expected] == [
		"2024-03-11",
		"2024-03-13",
		"2024-03-25",
		"2024-03-27",
	]


def test_never_matching_rule_terminates():
	data = feed(
		"UID:never\nDTSTART:20240101T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3"
	)
	assert parse_busy(data, MARCH, "UTC") == []


def test_never_matching_hourly_rule_from_long_ago_terminates():
	data = feed(
		"UID:never\nDTSTART:19700101T100000Z\nDURATION:PT1H\nRRULE:FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31"
	)
	assert parse_busy(data, MARCH, "UTC") == []


def test_expansion_time_is_bounded():
	events = [
		f"UID:never{n}\nDTSTART:20240101T100000Z\nDURATION:PT1H\nRRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30"
		for n in range(30)
	]
	with pytest.raises(InvalidFeed, match=r"longer than 0\.3 seconds"):
		parse_busy(feed(*events), MARCH, "UTC", max_seconds=0.3)


def test_runaway_expansion_is_refused():
	data = feed("UID:spam\nDTSTART:20240301T000000Z\nDURATION:PT1S\nRRULE:FREQ=SECONDLY")
	with pytest.raises(InvalidFeed, match="more than 20000 occurrences"):
		parse_busy(data, MARCH, "UTC")


# --- what is busy --------------------------------------------------------------------------------


def test_transparent_cancelled_and_free_events_are_skipped():
	data = feed(
		"UID:a\nDTSTART:20240304T100000Z\nDURATION:PT1H\nTRANSP:TRANSPARENT",
		"UID:b\nDTSTART:20240304T120000Z\nDURATION:PT1H\nSTATUS:CANCELLED",
		"UID:c\nDTSTART:20240304T140000Z\nDURATION:PT1H\nX-MICROSOFT-CDO-BUSYSTATUS:FREE",
		"UID:d\nDTSTART:20240304T160000Z\nDURATION:PT1H\nSTATUS:TENTATIVE",
		"UID:e\nDTSTART:20240304T180000Z",  # no end: an instant, blocks nothing
	)
	assert spans(parse_busy(data, MARCH, "UTC")) == [(utc(2024, 3, 4, 16), utc(2024, 3, 4, 17))]


def test_the_apps_own_events_are_no_busy_time():
	"""An event the app wrote for a booking (``X-SCHEDULER-SCHEDULER-BOOKING``) is that
	booking, which occupies the time already: a booking moved onto a time its own old event
	covers must not be refused. Group slots carry it too."""
	data = feed(
		"UID:own\nDTSTART:20240304T100000Z\nDURATION:PT1H\nX-SCHEDULER-SCHEDULER-BOOKING:BK-1",
		"UID:slot\nDTSTART:20240304T120000Z\nDURATION:PT1H\nX-SCHEDULER-SCHEDULER-BOOKING:BK-2\n"
		"X-SCHEDULER-SCHEDULER-SEATS:1",
		"UID:other\nDTSTART:20240304T140000Z\nDURATION:PT1H",
	)
	assert spans(parse_busy(data, MARCH, "UTC")) == [(utc(2024, 3, 4, 14), utc(2024, 3, 4, 15))]


def test_vfreebusy_periods():
	data = (
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VFREEBUSY\r\nUID:fb\r\n"
		"FREEBUSY;FBTYPE=BUSY:20240304T090000Z/20240304T100000Z,20240305T090000Z/PT2H\r\n"
		"FREEBUSY:20240306T090000Z/20240306T100000Z\r\n"
		"FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240307T090000Z/20240307T093000Z\r\n"
		"FREEBUSY;FBTYPE=FREE:20240308T090000Z/20240308T100000Z\r\n"
		"END:VFREEBUSY\r\nEND:VCALENDAR\r\n"
	)
	assert spans(parse_busy(data, MARCH, "UTC")) == [
		(utc(2024, 3, 4, 9), utc(2024, 3, 4, 10)),
		(utc(2024, 3, 5, 9), utc(2024, 3, 5, 11)),
		(utc(2024, 3, 6, 9), utc(2024, 3, 6, 10)),
		(utc(2024, 3, 7, 9), utc(2024, 3, 7, 9, 30)),
	]


def test_results_are_clipped_merged_and_sorted():
	data = feed(
		"UID:b\nDTSTART:20240304T103000Z\nDTEND:20240304T120000Z",
		"UID:a\nDTSTART:20240304T090000Z\nDTEND:20240304T110000Z",
		"UID:edge\nDTSTART:20240229T220000Z\nDTEND:20240301T020000Z",
		"UID:outside\nDTSTART:20240601T090000Z\nDTEND:20240601T100000Z",
	)
	assert spans(parse_busy(data, MARCH, "UTC")) == [
		(utc(2024, 3, 1), utc(2024, 3, 1, 2)),
		(utc(2024, 3, 4, 9), utc(2024, 3, 4, 12)),
	]


def test_window_as_interval_and_bom_and_bytes():
	data = ("\ufeff" + feed("UID:a\nDTSTART:20240304T090000Z\nDURATION:PT1H")).encode("utf-8")
	assert len(parse_busy(data, Interval(*MARCH), "UTC")) == 1


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"data, message",
	[
		("", "empty"),
		(b"   ", "empty"),
		("garbage", "cannot be read"),
		("<!DOCTYPE html><html><body>Please log in</body></html>", "cannot be read"),
		("BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20240304T090000Z\r\nEND:VEVENT\r\n", "not a VCALENDAR"),
		(12345, "bytes or text"),
	],
)
def test_malformed_feeds_raise_invalid_feed(data, message):
	with pytest.raises(InvalidFeed, match=message):
		parse_busy(data, MARCH, "UTC")


@pytest.mark.parametrize(
	"event, message",
	[
		("UID:bad\nDTSTART:notadate\nDURATION:PT1H", "bad"),
		("UID:m13\nDTSTART:20241322T100000Z\nDTEND:20241322T110000Z", "m13"),
		("UID:nostart\nSUMMARY:x", "no readable DTSTART"),
		("UID:mix\nDTSTART;VALUE=DATE:20240304\nDTEND:20240305T100000Z", "DTEND is a date-time"),
		("UID:mix2\nDTSTART:20240304T100000Z\nDTEND;VALUE=DATE:20240305", "DTEND is a date"),
		("UID:rr\nDTSTART:20240304T100000Z\nDURATION:PT1H\nRRULE:FREQ=FORTNIGHTLY", "rr"),
		("UID:e\nDTSTART:20240101T100000Z\nDURATION:PT1H\nRRULE:FREQ=YEARLY;BYEASTER=0", "BYEASTER"),
		(
			f"UID:c\nDTSTART:20240301T000000Z\nDURATION:PT1M\nRRULE:FREQ=MINUTELY;COUNT={MAX_COUNT + 1}",
			"COUNT",
		),
		("UID:o\nRECURRENCE-ID:notadate\nDTSTART:20240304T130000Z\nDURATION:PT1H", "o"),
	],
)
def test_an_unreadable_event_is_left_out_and_the_rest_of_the_feed_is_read(event, message):
	# anyone who can invite the host can plant such an event: it must not hide the others
	for events in (
		(event, "UID:ok\nDTSTART:20240304T100000Z\nDURATION:PT1H"),
		("UID:ok\nDTSTART:20240304T100000Z\nDURATION:PT1H", event),
	):
		unreadable: list[str] = []
		found = parse_busy(feed(*events), MARCH, "UTC", unreadable=unreadable)
		assert spans(found) == [(utc(2024, 3, 4, 10), utc(2024, 3, 4, 11))]
		assert len(unreadable) == 1 and message in unreadable[0], unreadable


def test_an_unreadable_event_is_left_out_of_a_booking_s_fresh_read_too():
	# the prefilter keeps what it cannot read for the parser, which leaves it out
	events = (
		"UID:m13\nDTSTART:20241322T100000Z\nDTEND:20241322T110000Z",
		"UID:ok\nDTSTART:20240304T100000Z\nDURATION:PT1H",
	)
	window = (utc(2024, 3, 4), utc(2024, 3, 6))
	assert spans(parse_busy(feed(*events), window, "UTC")) == [(utc(2024, 3, 4, 10), utc(2024, 3, 4, 11))]


def test_bad_window_and_zone():
	data = feed("UID:a\nDTSTART:20240304T090000Z\nDURATION:PT1H")
	with pytest.raises(NaiveDatetime):
		parse_busy(data, (datetime(2024, 3, 1), datetime(2024, 4, 1)), "UTC")
	with pytest.raises(InvalidInterval):
		parse_busy(data, (utc(2024, 4, 1), utc(2024, 3, 1)), "UTC")
	with pytest.raises(InvalidFeed, match="window"):
		parse_busy(data, "march", "UTC")
	with pytest.raises(InvalidTimeZone):
		parse_busy(data, MARCH, "Mars/Olympus")


# --- fetching ---------------------------------------------------------------------------------------


def test_feed_url_turns_webcal_into_https():
	assert feed_url("webcal://example.com/x.ics") == "https://example.com/x.ics"
	assert feed_url(" WEBCALS://example.com/x.ics ") == "https://example.com/x.ics"
	assert feed_url("https://example.com/x.ics") == "https://example.com/x.ics"


def test_fetch_busy_from_local_server():
	data = feed(
		"UID:standup\nDTSTART;TZID=Europe/Berlin:20240318T090000\nDURATION:PT15M\nRRULE:FREQ=WEEKLY;COUNT=3"
	)

	def app(request, handler):
		if request.path == "/cal.ics":
			return Reply(200, data, {"Content-Type": "text/calendar"})
		if request.path == "/login":
			return Reply(200, "<html>log in</html>", {"Content-Type": "text/html"})
		return Reply(404, "missing")

	with PeerServer(app) as server:
		busy = fetch_busy(server.url + "/cal.ics", MARCH, "UTC", fetcher=URLGuard(allow_private=True).get)
		assert [i.start for i in busy] == [utc(2024, 3, 18, 8), utc(2024, 3, 25, 8), utc(2024, 4, 1, 7)]
		assert server.requests[0].headers["Host"] == f"127.0.0.1:{server.port}"
		with pytest.raises(InvalidFeed):
			fetch_busy(server.url + "/login", MARCH, "UTC", fetcher=URLGuard(allow_private=True))
		with pytest.raises(FetchFailed) as info:
			fetch_busy(server.url + "/gone.ics", MARCH, "UTC", fetcher=URLGuard(allow_private=True).get)
		assert info.value.status == 404 and not info.value.retryable
		count = len(server.requests)
		with pytest.raises(UnsafeURL) as refused:
			fetch_busy(server.url + "/cal.ics", MARCH, "UTC")  # default guard: no private addresses
		assert len(server.requests) == count
	assert "/gone.ics" not in str(info.value) and "/cal.ics" not in str(refused.value)


def test_errors_of_an_injected_fetcher_do_not_quote_the_secret_link():
	url = "webcal://calendar.example.com/private-0123abcd/basic.ics"
	with pytest.raises(FetchFailed) as info:
		fetch_busy(url, MARCH, "UTC", fetcher={}.__getitem__)  # KeyError('https://…/basic.ics')
	assert "private-0123abcd" not in str(info.value)
	assert str(info.value).startswith("Fetching webcal://calendar.example.com/… failed: KeyError")
	assert info.value.retryable


# --- fast-forwarding never changes the result ---------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
	freq=st.sampled_from(["HOURLY", "DAILY", "WEEKLY"]),
	interval=st.integers(1, 5),
	days=st.sets(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), max_size=3),
	start_offset=st.integers(0, 5000),
	start_minute=st.integers(0, 24 * 60 - 1),
	window_offset=st.integers(0, 400),
	window_days=st.integers(1, 20),
)
def test_fast_forward_matches_step_by_step_expansion(
	freq, interval, days, start_offset, start_minute, window_offset, window_days
):
	zone = ZoneInfo("Europe/Berlin")
	if freq == "HOURLY":
		start_offset //= 20  # keep the step-by-step oracle quick
	dtstart = datetime(2023, 10, 1) - timedelta(days=start_offset, minutes=-start_minute)
	rule = f"FREQ={freq};INTERVAL={interval}" + (f";BYDAY={','.join(sorted(days))}" if days else "")
	data = feed(f"UID:p\nDTSTART;TZID=Europe/Berlin:{dtstart:%Y%m%dT%H%M%S}\nDURATION:PT30M\nRRULE:{rule}")
	window = (utc(2023, 9, 1) + timedelta(days=window_offset), None)
	window = (window[0], window[0] + timedelta(days=window_days))

	walls = rrulestr(rule, dtstart=dtstart).between(
		window[0].astimezone(zone).replace(tzinfo=None) - timedelta(days=2),
		window[1].astimezone(zone).replace(tzinfo=None) + timedelta(days=2),
		inc=True,
	)
	if window[0].astimezone(zone).replace(tzinfo=None) - timedelta(days=2) <= dtstart:
		walls = sorted(set(walls) | {dtstart})
	pairs = []
	for wall in walls:
		start = wall.replace(tzinfo=zone).astimezone(UTC)
		end = start + timedelta(minutes=30)
		if end > window[0] and start < window[1]:
			pairs.append((max(start, window[0]), min(end, window[1])))
	expected = [(i.start, i.end) for i in merge(Interval(s, e) for s, e in pairs)]
	assert spans(parse_busy(data, window, "UTC", max_occurrences=100_000)) == expected


# --- events outside the window are left out before the parse (ics_feed._near) ------------------

_BASE = utc(2026, 12, 7)
_KINDS = st.sampled_from(("utc", "floating", "date", "tzid", "weekly", "override", "duration"))


def _event(index: int, kind: str, offset_hours: int, length_minutes: int, folded: bool) -> str:
	start = _BASE + timedelta(hours=offset_hours)
	end = start + timedelta(minutes=length_minutes)
	stamp = "%Y%m%dT%H%M%S"
	lines = [f"UID:e{index}@test", "DTSTAMP:20261101T000000Z", "SUMMARY:x"]
	if kind == "utc":
		lines += [f"DTSTART:{start:{stamp}}Z", f"DTEND:{end:{stamp}}Z"]
	elif kind == "floating":
		lines += [f"DTSTART:{start:{stamp}}", f"DTEND:{end:{stamp}}"]
	elif kind == "date":
		lines += [
			f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
			f"DTEND;VALUE=DATE:{start + timedelta(days=1):%Y%m%d}",
		]
	elif kind == "tzid":
		lines += [
			f"DTSTART;TZID=Pacific/Kiritimati:{start:{stamp}}",
			f"DTEND;TZID=Pacific/Kiritimati:{end:{stamp}}",
		]
	elif kind == "weekly":
		lines += [f"DTSTART:{start:{stamp}}Z", f"DTEND:{end:{stamp}}Z", "RRULE:FREQ=WEEKLY;COUNT=6"]
	elif kind == "override":  # moves an occurrence of e0 (whatever e0 is) to this time
		lines[0] = "UID:e0@test"
		lines += [f"RECURRENCE-ID:{_BASE:{stamp}}Z", f"DTSTART:{start:{stamp}}Z", f"DTEND:{end:{stamp}}Z"]
	else:
		lines += [f"DTSTART:{start:{stamp}}Z", f"DURATION:PT{length_minutes}M"]
	if folded:  # a long line folded after its name, as RFC 5545 allows anywhere
		lines = [line.replace(":", "\n :", 1) if line.startswith("DTEND") else line for line in lines]
	return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(
	st.lists(
		st.tuples(_KINDS, st.integers(-24 * 20, 24 * 20), st.integers(1, 60 * 30), st.booleans()),
		min_size=1,
		max_size=12,
	),
	st.integers(-24 * 5, 24 * 5),
	st.integers(1, 24 * 3),
	st.sampled_from(("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata")),
)
def test_leaving_out_the_events_outside_the_window_changes_no_answer(events, from_hours, hours, zone):
	import scheduler_integration.providers.ics_feed as ics

	data = feed(*(_event(i, *event) for i, event in enumerate(events))).encode()
	window = (_BASE + timedelta(hours=from_hours), _BASE + timedelta(hours=from_hours + hours))
	whole = ics._near
	try:
		ics._near = lambda data, start, end: data
		expected = parse_busy(data, window, zone)
	finally:
		ics._near = whole
	assert parse_busy(data, window, zone) == expected


def test_a_large_feed_is_parsed_only_near_the_window():
	import scheduler_integration.providers.ics_feed as ics

	events = [_event(i, "utc", 24 * (i % 300) - 24 * 150, 45, False) for i in range(600)]
	data = feed(*events).encode()
	window = (_BASE, _BASE + timedelta(days=2))
	near = ics._near(data, *window)
	# each day has two events at midnight: the window's two days keep four of 600
	assert near.count(b"BEGIN:VEVENT") == 4
	assert parse_busy(data, window, "UTC") == parse_busy(near, window, "UTC")
	# a recurring event, a zone's time and an event the simple reading does not know stay
	kept = feed(
		_event(1, "weekly", -500, 30, False),
		_event(2, "tzid", -500, 30, False),
		_event(3, "duration", -500, 30, False),
	).encode()
	assert ics._near(kept, *window) is kept
