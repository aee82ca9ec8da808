"""engine.ics: RFC 5545 invitations and feeds, checked against icalendar, vobject and a strict
reference reader written here (unfold, split on the first unquoted colon, unescape)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from conftest import UTC, utc
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine.errors import InvalidField, InvalidInterval, NaiveDatetime, SchedulingError
from scheduler_integration.engine.ics import (
	PRODID,
	IcsAttendee,
	IcsEvent,
	build_feed,
	build_invite,
	build_message,
	build_resource,
	escape_text,
	fold_line,
	normalize_param,
	normalize_text,
	quote_param,
)

NOW = utc(2025, 3, 1, 8, 15, 30)
START = utc(2025, 3, 10, 14, 0)
END = START + timedelta(minutes=30)


# -- reference reader and expectations, independent of the module under test ----------------


def physical_lines(text: str) -> list[str]:
	"""Every physical line: CRLF-terminated, no stray CR/LF, at most 75 octets."""
	assert text.endswith("\r\n")
	lines = text[:-2].split("\r\n")
	for line in lines:
		assert "\r" not in line and "\n" not in line, repr(line)
		assert len(line.encode("utf-8")) <= 75, (len(line.encode("utf-8")), line)
	return lines


def logical_lines(text: str) -> list[str]:
	out: list[str] = []
	for line in physical_lines(text):
		if line[:1] in (" ", "\t"):
			out[-1] += line[1:]
		else:
			out.append(line)
	return out


def split_line(line: str) -> tuple[str, dict[str, str], str]:
	"""name, params, raw value; parameter values may be DQUOTE-quoted (no DQUOTE inside)."""
	in_quotes = False
	for index, char in enumerate(line):  # noqa: B007 (index is used after the loop)
		if char == '"':
			in_quotes = not in_quotes
		elif char == ":" and not in_quotes:
			break
	else:
		raise AssertionError(f"no value in {line!r}")
	head, value = line[:index], line[index + 1 :]
	name, *params = re.findall(r'(?:[^;"]|"[^"]*")+', head)
	assert ";".join([name, *params]) == head, head
	assert re.fullmatch(r"[A-Z][A-Z0-9-]*", name), name
	parsed = {}
	for param in params:
		key, _eq, val = param.partition("=")
		assert re.fullmatch(r"[A-Z][A-Z-]*", key), key
		if val.startswith('"'):
			assert val.endswith('"') and len(val) >= 2 and '"' not in val[1:-1], val
			val = val[1:-1]
		else:
			assert not re.search(r'[";:,]', val), val
		parsed[key] = val
	return name, parsed, value


def unescape(value: str) -> str:
	"""Strict RFC 5545 TEXT: only \\\\ \\; \\, \\n escapes, no bare ; or ,."""
	out = []
	chars = iter(value)
	for char in chars:
		if char == "\\":
			following = next(chars)
			assert following in "\\;,n", repr(value)
			out.append("\n" if following == "n" else following)
		else:
			assert char not in ";,", repr(value)
			out.append(char)
	return "".join(out)


def contentlines(text: str) -> list[tuple[str, dict[str, str], str]]:
	return [split_line(line) for line in logical_lines(text)]


def names(text: str) -> list[str]:
	return [name for name, _params, _value in contentlines(text)]


def expected_text(value: str) -> str:
	value = value.replace("\r", "")
	value = "".join("\n" if char in "\x85\u2028\u2029" else char for char in value)
	return "".join(char for char in value if char in "\t\n" or unicodedata.category(char) not in ("Cc", "Cs"))


def expected_param(value: str) -> str:
	return "".join(
		char
		for char in value
		if char != '"' and char not in "\u2028\u2029" and unicodedata.category(char) not in ("Cc", "Cs")
	).strip()


def rfc6868_encoded(value: str) -> str:
	return re.sub(r"\^(?=[n'^])", "^^", value)


def _icalendar_probe(summary: str, cn: str) -> tuple[str, str]:
	text = (
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:" + summary + "\r\n"
		'ATTENDEE;CN="' + cn + '":mailto:a@b.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
	)
	event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
	return str(event["SUMMARY"]), event["ATTENDEE"].params["CN"]


# icalendar < 6 unescapes with chained str.replace, so "\\\\n" (an escaped backslash, then n)
# comes back as a backslash and a newline; newer versions read it right. And from 6.1 it
# decodes RFC 6868 carets in parameter values.
ICALENDAR_UNESCAPES_RIGHT = _icalendar_probe(r"a\\n\\\,", "x")[0] == "a\\n\\,"
ICALENDAR_RFC6868 = _icalendar_probe("x", "a^'b")[1] == 'a"b'


def icalendar_cn(value: str) -> str | None:
	"""What icalendar should read back for a CN written from ``value``; None = unknowable.

	RFC 5545 has no backslash escapes in parameter values, but icalendar (5 to 7 at
	least) reads ``\\,``, ``\\;`` and ``\\\\`` in them as escapes, so a name with a
	backslash is not compared against icalendar.
	"""
	clean = expected_param(value)
	if "\\" in clean:
		return None
	return clean if ICALENDAR_RFC6868 else rfc6868_encoded(clean)


def as_list(value) -> list:
	if value is None:
		return []
	return list(value) if isinstance(value, list) else [value]


def ical_events(text: str) -> tuple[icalendar.Calendar, list]:
	cal = icalendar.Calendar.from_ical(text)
	assert [component.name for component in cal.walk()] == ["VCALENDAR"] + ["VEVENT"] * len(
		cal.walk("VEVENT")
	)
	return cal, cal.walk("VEVENT")


def vobject_calendar(text: str):
	components = list(vobject.readComponents(text))
	assert len(components) == 1 and components[0].name == "VCALENDAR"
	return components[0]


def event(**overrides) -> IcsEvent:
	fields = dict(
		uid="booking-0001@example.org",
		start=START,
		end=END,
		summary="30-Minute Strategy Session",
		description="Review your top 3 priority actions.\nCreate a 90-day timeline.",
		location="Zoom",
		url="https://example.org/booking/0001?token=abc",
		organizer_email="jane@example.org",
		organizer_name="Jane Consultant",
		attendees=(IcsAttendee("client@example.com", "Chris Client"),),
		sequence=0,
	)
	fields.update(overrides)
	return IcsEvent(**fields)


# -- the invitation -----------------------------------------------------------------------


def test_invite_layout():
	text = build_invite(event(sequence=2), "REQUEST", NOW)
	assert logical_lines(text) == [
		"BEGIN:VCALENDAR",
		"PRODID:-//scheduler_integration//EN",
		"VERSION:2.0",
		"CALSCALE:GREGORIAN",
		"METHOD:REQUEST",
		"BEGIN:VEVENT",
		"UID:booking-0001@example.org",
		"SEQUENCE:2",
		"DTSTAMP:20250301T081530Z",
		"DTSTART:20250310T140000Z",
		"DTEND:20250310T143000Z",
		"SUMMARY:30-Minute Strategy Session",
		"DESCRIPTION:Review your top 3 priority actions.\\nCreate a 90-day timeline.",
		"LOCATION:Zoom",
		"URL:https://example.org/booking/0001?token=abc",
		'ORGANIZER;CN="Jane Consultant":mailto:jane@example.org',
		'ATTENDEE;CN="Chris Client";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:client@example.com',
		"STATUS:CONFIRMED",
		"END:VEVENT",
		"END:VCALENDAR",
	]
	assert "\r\n " in text  # the long ATTENDEE line is folded
	assert PRODID == "-//scheduler_integration//EN"


def test_invite_round_trips_through_icalendar():
	created = utc(2025, 2, 1, 10)
	ev = event(
		sequence=4,
		attendees=(
			IcsAttendee("Client@Example.com", "Chris Client"),
			IcsAttendee("cfo@example.com", "", role="opt-participant", partstat="accepted", rsvp=False),
		),
		created=created,
		last_modified=NOW,
	)
	cal, events = ical_events(build_invite(ev, now=NOW))
	assert str(cal["METHOD"]) == "REQUEST" and str(cal["VERSION"]) == "2.0"
	assert str(cal["PRODID"]) == PRODID and str(cal["CALSCALE"]) == "GREGORIAN"
	(vevent,) = events
	assert str(vevent["UID"]) == "booking-0001@example.org"
	assert int(vevent["SEQUENCE"]) == 4
	assert vevent.decoded("DTSTART") == START and vevent.decoded("DTEND") == END
	assert vevent.decoded("DTSTAMP") == NOW
	assert vevent.decoded("CREATED") == created and vevent.decoded("LAST-MODIFIED") == NOW
	assert str(vevent["SUMMARY"]) == "30-Minute Strategy Session"
	assert str(vevent["DESCRIPTION"]) == "Review your top 3 priority actions.\nCreate a 90-day timeline."
	assert str(vevent["LOCATION"]) == "Zoom"
	assert str(vevent["URL"]) == "https://example.org/booking/0001?token=abc"
	assert str(vevent["STATUS"]) == "CONFIRMED"
	organizer = vevent["ORGANIZER"]
	assert str(organizer) == "mailto:jane@example.org" and organizer.params["CN"] == "Jane Consultant"
	first, second = as_list(vevent["ATTENDEE"])
	assert str(first) == "mailto:client@example.com"
	assert dict(first.params) == {
		"CN": "Chris Client",
		"ROLE": "REQ-PARTICIPANT",
		"PARTSTAT": "NEEDS-ACTION",
		"RSVP": "TRUE",
	}
	assert str(second) == "mailto:cfo@example.com"
	assert dict(second.params) == {"ROLE": "OPT-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"}


def test_invite_round_trips_through_vobject():
	ev = event(
		sequence=7, attendees=(IcsAttendee("a@example.com", "Ann"), IcsAttendee("b@example.com", "Bob"))
	)
	cal = vobject_calendar(build_invite(ev, "REQUEST", NOW))
	assert cal.method.value == "REQUEST" and cal.version.value == "2.0" and cal.prodid.value == PRODID
	(vevent,) = cal.vevent_list
	assert vevent.uid.value == "booking-0001@example.org"
	assert int(vevent.sequence.value) == 7
	assert vevent.dtstart.value == START and vevent.dtend.value == END and vevent.dtstamp.value == NOW
	assert vevent.summary.value == "30-Minute Strategy Session"
	assert vevent.description.value == "Review your top 3 priority actions.\nCreate a 90-day timeline."
	assert vevent.location.value == "Zoom" and vevent.status.value == "CONFIRMED"
	assert vevent.organizer.value == "mailto:jane@example.org"
	assert vevent.organizer.params["CN"] == ["Jane Consultant"]
	assert [(a.value, a.params["CN"], a.params["RSVP"]) for a in vevent.attendee_list] == [
		("mailto:a@example.com", ["Ann"], ["TRUE"]),
		("mailto:b@example.com", ["Bob"], ["TRUE"]),
	]


def test_times_are_written_in_utc_whole_seconds():
	zone = ZoneInfo("America/New_York")
	start = datetime(2025, 11, 2, 1, 30, 15, 999_999, tzinfo=zone, fold=1)  # second 01:30, EST
	ev = event(start=start, end=start + timedelta(hours=1), created=datetime(2025, 1, 1, tzinfo=zone))
	assert ev.start == utc(2025, 11, 2, 6, 30, 15) and ev.start.tzinfo is UTC
	assert ev.created == utc(2025, 1, 1, 5)
	text = build_invite(ev, now=datetime(2025, 6, 1, 12, tzinfo=timezone(timedelta(hours=2))))
	assert "DTSTART:20251102T063015Z" in logical_lines(text)
	assert "DTEND:20251102T073015Z" in logical_lines(text)
	assert "DTSTAMP:20250601T100000Z" in logical_lines(text)
	assert "CREATED:20250101T050000Z" in logical_lines(text)
	assert "LAST-MODIFIED" not in names(text)


def test_cancel_forces_cancelled_status():
	ev = event(sequence=3, status="CONFIRMED")
	text = build_invite(ev, "CANCEL", NOW)
	assert "STATUS:CANCELLED" in logical_lines(text) and "STATUS:CONFIRMED" not in text
	cal, (vevent,) = ical_events(text)
	assert str(cal["METHOD"]) == "CANCEL" and str(vevent["STATUS"]) == "CANCELLED"
	assert str(vevent["UID"]) == ev.uid and int(vevent["SEQUENCE"]) == 3
	assert vobject_calendar(text).vevent.status.value == "CANCELLED"


@pytest.mark.parametrize("status", ["CONFIRMED", "TENTATIVE", "CANCELLED"])
def test_request_and_publish_keep_the_event_status(status):
	for method in ("REQUEST", "PUBLISH"):
		text = build_invite(event(status=status.lower()), method.lower(), NOW)
		assert f"METHOD:{method}" in logical_lines(text)
		assert names(text).count("STATUS") == 1 and f"STATUS:{status}" in logical_lines(text)


def test_optional_properties_are_left_out_when_empty():
	ev = event(description="", location=None, url="", organizer_name="", attendees=[])
	text = build_invite(ev, "PUBLISH", NOW)
	assert "DESCRIPTION" not in names(text) and "LOCATION" not in names(text) and "URL" not in names(text)
	assert "ORGANIZER:mailto:jane@example.org" in logical_lines(text)
	assert "ATTENDEE" not in names(text)
	bare = build_invite(event(organizer_email="", attendees=()), "PUBLISH", NOW)
	assert "ORGANIZER" not in names(bare)
	empty = build_invite(event(summary=""), "REQUEST", NOW)
	assert "SUMMARY:" in logical_lines(empty)
	assert str(ical_events(empty)[1][0]["SUMMARY"]) == ""
	assert vobject_calendar(empty).vevent.summary.value == ""


def test_uid_is_the_callers_and_escaped_as_text():
	for uid in ("booking-0001@example.org", "a,b;c\\d e@x", "BKG-2025-00001"):
		ev = event(uid=f"  {uid} ")
		assert ev.uid == uid
		text = build_invite(ev, now=NOW)
		assert str(ical_events(text)[1][0]["UID"]) == uid
		assert vobject_calendar(text).vevent.uid.value == uid
		assert [unescape(v) for n, _p, v in contentlines(text) if n == "UID"] == [uid]


# -- bad input -------------------------------------------------------------------------------


def raises(error, fn, *args, field=None, **kwargs):
	with pytest.raises(error) as info:
		fn(*args, **kwargs)
	assert isinstance(info.value, SchedulingError) and isinstance(info.value, ValueError)
	if field:
		assert info.value.field == field
	assert info.value.template and info.value.message
	return info.value


def test_event_validation():
	naive = datetime(2025, 3, 10, 14)
	err = raises(NaiveDatetime, event, start=naive, field="start")
	assert err.template == "{0} must include a time zone" and err.args_ == ("start",)
	raises(NaiveDatetime, event, end="2025-03-10T15:00:00Z", field="end")
	raises(NaiveDatetime, event, created=naive, field="created")
	raises(NaiveDatetime, event, last_modified="yesterday", field="last_modified")
	err = raises(InvalidInterval, event, end=START, field="end")
	assert err.message == "end must be after start"
	raises(InvalidInterval, event, end=START - timedelta(minutes=1))
	raises(InvalidInterval, event, end=START + timedelta(microseconds=500))  # same whole second
	raises(InvalidField, event, uid="", field="uid")
	raises(InvalidField, event, uid="a\r\nATTENDEE:mailto:evil@x.org", field="uid")
	raises(InvalidField, event, uid="x" * 256, field="uid")
	raises(InvalidField, event, summary=["x"], field="summary")
	raises(InvalidField, event, description=12, field="description")
	raises(InvalidField, event, organizer_name=b"x", field="organizer_name")
	raises(InvalidField, event, url="javascript:alert(1)", field="url")
	raises(InvalidField, event, url="https://x.org/a b", field="url")
	raises(InvalidField, event, url="https://x.org/\r\nATTENDEE:mailto:evil@x.org", field="url")
	raises(InvalidField, event, sequence=-1, field="sequence")
	raises(InvalidField, event, sequence=True, field="sequence")
	raises(InvalidField, event, sequence="2; x", field="sequence")
	raises(InvalidField, event, status="CANCELED", field="status")
	raises(InvalidField, event, attendees="a@b.org", field="attendees")
	raises(InvalidField, event, attendees=IcsAttendee("a@b.org"), field="attendees")
	raises(InvalidField, event, attendees=5, field="attendees")
	raises(InvalidField, event, attendees=["a@b.org"], field="attendees")
	assert event(sequence="3", attendees=None).sequence == 3
	assert event(sequence=None).attendees[0].email == "client@example.com"


@pytest.mark.parametrize(
	"email",
	[
		"evil@x.org\r\nATTENDEE:mailto:evil2@x.org",
		"a@b.org\nATTENDEE:mailto:evil@x.org",
		"a@b.org;ROLE=CHAIR",
		"a@b.org:x",
		"mailto:a@b.org",
		'"a"@b.org',
		"a,b@c.org",
		"a b@c.org",
		"a@b.org,evil@x.org",
		"not-an-email",
		"",
		None,
		42,
	],
)
def test_hostile_or_bad_emails_are_refused(email):
	raises(InvalidField, IcsAttendee, email, field="attendee_email")
	if email not in ("", None):
		raises(InvalidField, event, organizer_email=email, field="organizer_email")


def test_attendee_validation():
	att = IcsAttendee(" Guest@Example.COM ", ' Guest "G" Name\r\n', role="chair", partstat="Declined")
	assert (att.email, att.name, att.role, att.partstat, att.rsvp) == (
		"guest@example.com",
		"Guest G Name",
		"CHAIR",
		"DECLINED",
		True,
	)
	raises(InvalidField, IcsAttendee, "a@b.org", role="BOSS", field="role")
	raises(InvalidField, IcsAttendee, "a@b.org", partstat="MAYBE", field="partstat")
	raises(InvalidField, IcsAttendee, "a@b.org", rsvp="TRUE", field="rsvp")
	raises(InvalidField, IcsAttendee, "a@b.org", name=["x"], field="attendee_name")
	assert IcsAttendee("a@b.org", None).name == ""


def test_build_invite_validation():
	ev = event()
	raises(NaiveDatetime, build_invite, ev, field="now")  # no hidden clock
	raises(NaiveDatetime, build_invite, ev, "REQUEST", datetime(2025, 1, 1), field="now")
	raises(InvalidField, build_invite, ev, "REPLY", NOW, field="method")
	raises(InvalidField, build_invite, "BEGIN:VEVENT", "REQUEST", NOW, field="event")
	for method in ("REQUEST", "CANCEL"):
		raises(InvalidField, build_invite, event(organizer_email=""), method, NOW, field="organizer_email")
	raises(InvalidField, build_invite, event(attendees=()), "REQUEST", NOW, field="attendees")
	assert "METHOD:CANCEL" in build_invite(event(attendees=()), "CANCEL", NOW)
	assert build_invite(ev, now=NOW) == build_invite(ev, "request", NOW)


# -- hostile text ----------------------------------------------------------------------------

HOSTILE = [
	"\r\nATTENDEE:mailto:evil@x.org",
	"Hi\r\nATTENDEE;CN=Evil:mailto:evil@x.org\r\n",
	"\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\nSUMMARY:evil",
	"BEGIN:VEVENT",
	"\r\n BEGIN:VEVENT",
	'say "hi"; to a, b and \\ c',
	"\\n\\,\\;\\\\ \\",
	'Name";ROLE=CHAIR;X="',
	"x:mailto:evil@x.org",
	"a" * 5000,
	";,\\\n" * 1250,
	"😀" * 1300,
	"中文日本語" * 1000,
	"e\u0301\u0301 Z\u0351\u0352 👩‍👩‍👧‍👦 🇫🇷",
	"x\u2028ATTENDEE:mailto:evil@x.org\u2029y\x85z",
	"x\rATTENDEE:mailto:evil@x.org",
	"bell\x07 esc\x1b[31m nul\x00 del\x7f c1\x9b vt\x0b ff\x0c fs\x1c",
	"lone \ud800 surrogate \udfff",
	"  leading and trailing  ",
	"\ttab\t",
	"^n^'^^ caret^",
]
TEXT_FIELDS = ("summary", "description", "location")


def check_structure(text: str, attendees: int, extra: tuple[str, ...] = ()) -> None:
	"""One VEVENT holding exactly the expected properties, whatever the text said."""
	expected = [
		"BEGIN",
		"PRODID",
		"VERSION",
		"CALSCALE",
		"METHOD",
		"BEGIN",
		"UID",
		"SEQUENCE",
		"DTSTAMP",
		"DTSTART",
		"DTEND",
		"SUMMARY",
		"DESCRIPTION",
		"LOCATION",
		"URL",
		"ORGANIZER",
		*["ATTENDEE"] * attendees,
		"STATUS",
		"END",
		"END",
	]
	assert names(text) == expected
	for name, params, _value in contentlines(text):
		allowed = {"ORGANIZER": {"CN"}, "ATTENDEE": {"CN", "ROLE", "PARTSTAT", "RSVP"}}.get(name, set())
		assert set(params) <= allowed, (name, params)
	cal, events = ical_events(text)
	assert len(events) == 1
	assert len(as_list(events[0].get("ATTENDEE"))) == attendees
	assert {str(a) for a in as_list(events[0].get("ATTENDEE"))} <= {
		"mailto:client@example.com",
		"mailto:b@example.com",
	}
	assert len(as_list(cal.get("METHOD"))) == 1
	vcal = vobject_calendar(text)
	assert len(vcal.vevent_list) == 1
	assert len(vcal.vevent.attendee_list) == attendees
	assert sorted(vcal.vevent.contents) == sorted(
		{"uid", "sequence", "dtstamp", "dtstart", "dtend", "summary", "description", "location", "url"}
		| {"organizer", "attendee", "status"}
		| set(extra)
	)


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_hostile_text_stays_text(field, hostile):
	ev = event(**{"summary": "s", "description": "d", "location": "l", field: hostile})
	text = build_invite(ev, "REQUEST", NOW)
	check_structure(text, attendees=1)
	want = expected_text(hostile)
	assert getattr(ev, field) == want
	(value,) = [v for n, _p, v in contentlines(text) if n == field.upper()]
	assert unescape(value) == want
	if ICALENDAR_UNESCAPES_RIGHT or "\\" not in want:
		assert str(ical_events(text)[1][0][field.upper()]) == want
	assert getattr(vobject_calendar(text).vevent, field).value == want


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_stay_one_parameter(hostile):
	ev = event(
		organizer_name=hostile,
		attendees=(IcsAttendee("client@example.com", hostile), IcsAttendee("b@example.com", "B")),
	)
	text = build_invite(ev, "REQUEST", NOW)
	check_structure(text, attendees=2)
	want = expected_param(hostile)
	assert ev.organizer_name == want and ev.attendees[0].name == want
	lines = contentlines(text)
	organizer = next(params for name, params, _v in lines if name == "ORGANIZER")
	attendee = next(params for name, params, _v in lines if name == "ATTENDEE")
	assert organizer.get("CN", "") == attendee.get("CN", "") == rfc6868_encoded(want)
	vevent = ical_events(text)[1][0]
	if want:
		if icalendar_cn(hostile) is not None:
			assert vevent["ORGANIZER"].params["CN"] == icalendar_cn(hostile)
			assert as_list(vevent["ATTENDEE"])[0].params["CN"] == icalendar_cn(hostile)
		assert vobject_calendar(text).vevent.attendee.params["CN"] == [rfc6868_encoded(want)]
	else:
		assert "CN" not in vevent["ORGANIZER"].params


def test_quotes_and_controls_are_removed_from_names():
	assert normalize_param('Ann "The Boss" O\'Neil\r\n\t', "name") == "Ann The Boss O'Neil"
	assert normalize_param("A;B,C:D", "name") == "A;B,C:D"
	assert normalize_param(None, "name") == ""
	assert quote_param("A;B,C:D") == '"A;B,C:D"'
	assert quote_param("^n ^' ^^ ^x ^") == '"^^n ^^\' ^^^ ^x ^"'


def test_text_escaping():
	assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
	assert normalize_text("a\r\nb\rc\x00d\u2028e", "summary") == "a\nbcd\ne"
	assert normalize_text(None, "summary") == ""


# -- folding ---------------------------------------------------------------------------------


def test_fold_line_boundaries():
	assert fold_line("A" * 75) == "A" * 75 + "\r\n"
	assert fold_line("A" * 76) == "A" * 75 + "\r\n A\r\n"
	assert fold_line("A" * (75 + 74 + 1)) == "A" * 75 + "\r\n " + "A" * 74 + "\r\n A\r\n"
	assert fold_line("") == "\r\n"
	# a 2-octet character that would straddle octet 75 moves to the next line whole
	assert fold_line("A" * 74 + "é") == "A" * 74 + "\r\n é\r\n"
	assert fold_line("A" * 73 + "é") == "A" * 73 + "é\r\n"
	# 4-octet emoji: 18 fit in 72 octets, the 19th would need 76
	assert fold_line("😀" * 19) == "😀" * 18 + "\r\n 😀\r\n"
	for line in physical_lines(fold_line("€" * 500)):
		assert len(line.encode()) in (75, 73, 13) or line.startswith(" ")


@given(st.text(max_size=400))
def test_fold_line_property(line):
	folded = fold_line(line)
	pieces = folded[:-2].split("\r\n ")
	assert "".join(pieces) == line
	for index, piece in enumerate(pieces):
		limit = 75 if index == 0 else 74
		octets = len(piece.encode("utf-8", "surrogatepass"))
		assert octets <= limit
		if index < len(pieces) - 1:  # greedy: the next character would not have fitted
			assert octets + len(pieces[index + 1][0].encode("utf-8", "surrogatepass")) > limit
			assert piece


# -- feeds -----------------------------------------------------------------------------------


def test_feed_round_trips():
	events = [
		event(
			uid=f"booking-{n}@example.org",
			start=START + timedelta(days=n),
			end=END + timedelta(days=n),
			sequence=n,
		)
		for n in range(5)
	]
	events.append(event(uid="cancelled@example.org", status="CANCELLED", summary="Cancelled: call"))
	text = build_feed(events, "Jane's bookings, Q1; \\ 中文", NOW)
	assert logical_lines(text)[:6] == [
		"BEGIN:VCALENDAR",
		"PRODID:-//scheduler_integration//EN",
		"VERSION:2.0",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"X-WR-CALNAME:Jane's bookings\\, Q1\\; \\\\ 中文",
	]
	cal, vevents = ical_events(text)
	assert str(cal["METHOD"]) == "PUBLISH"
	calname = cal["X-WR-CALNAME"]  # icalendar 7 keeps unknown X- properties unparsed
	if not isinstance(calname, icalendar.vText):
		calname = unescape(calname.to_ical().decode())
	assert str(calname) == "Jane's bookings, Q1; \\ 中文"
	assert [str(v["UID"]) for v in vevents] == [e.uid for e in events]
	assert [int(v["SEQUENCE"]) for v in vevents] == [0, 1, 2, 3, 4, 0]
	assert [v.decoded("DTSTART") for v in vevents] == [e.start for e in events]
	assert [str(v["STATUS"]) for v in vevents] == ["CONFIRMED"] * 5 + ["CANCELLED"]
	assert all(v.decoded("DTSTAMP") == NOW for v in vevents)
	vcal = vobject_calendar(text)
	assert vcal.method.value == "PUBLISH"
	assert vcal.contents["x-wr-calname"][0].value == "Jane's bookings, Q1; \\ 中文"
	assert [v.uid.value for v in vcal.vevent_list] == [e.uid for e in events]
	assert [v.summary.value for v in vcal.vevent_list][-1] == "Cancelled: call"


def test_feed_edge_cases():
	empty = build_feed([], "", NOW)
	assert names(empty) == ["BEGIN", "PRODID", "VERSION", "CALSCALE", "METHOD", "END"]
	assert ical_events(empty)[1] == []
	assert vobject_calendar(empty).method.value == "PUBLISH"
	hostile = build_feed((event(),), "x\r\nBEGIN:VEVENT\r\nX-WR-CALNAME:evil", NOW)
	assert names(hostile).count("X-WR-CALNAME") == 1 and names(hostile).count("BEGIN") == 2
	assert vobject_calendar(hostile).contents["x-wr-calname"][0].value == "x\nBEGIN:VEVENT\nX-WR-CALNAME:evil"
	raises(InvalidField, build_feed, [event(), event()], "Feed", NOW, field="uid")
	raises(InvalidField, build_feed, [event(), "BEGIN:VEVENT"], "Feed", NOW, field="event")
	raises(NaiveDatetime, build_feed, [event()], "Feed", None, field="now")
	raises(InvalidField, build_feed, [event()], 5, NOW, field="calendar_name")


# -- properties ------------------------------------------------------------------------------

# Text that must come back exactly (after CR removal): anything but the characters the
# writer documents as dropped or turned into a line feed. Backslashes are left out only
# under an icalendar that unescapes them wrongly (see ICALENDAR_UNESCAPES_RIGHT).
_kept = st.characters(
	blacklist_categories=("Cc", "Cs"),
	blacklist_characters="\u2028\u2029" + ("" if ICALENDAR_UNESCAPES_RIGHT else "\\"),
)
_specials = st.sampled_from(["\r", "\n", "\r\n", "\t", "\\", ";", ",", ":", '"', "^", " ", "é", "😀", "中"])
exact_text = st.lists(
	st.one_of(_kept, _specials.filter(lambda c: ICALENDAR_UNESCAPES_RIGHT or c != "\\")), max_size=120
).map("".join)


@given(summary=exact_text, description=exact_text, location=exact_text)
def test_text_fields_round_trip_through_icalendar_exactly(summary, description, location):
	ev = event(summary=summary, description=description, location=location)
	text = build_invite(ev, "REQUEST", NOW)
	vevent = ical_events(text)[1][0]
	expected = {"SUMMARY": summary, "DESCRIPTION": description, "LOCATION": location}
	for name, value in expected.items():
		value = value.replace("\r", "")
		if name == "SUMMARY" or value:
			assert str(vevent[name]) == value
		else:
			assert name not in vevent


@given(summary=st.text(max_size=150), description=st.text(max_size=150), name=st.text(max_size=80))
def test_any_text_round_trips_as_normalised(summary, description, name):
	ev = event(summary=summary, description=description, organizer_name=name)
	text = build_invite(ev, "REQUEST", NOW)
	physical_lines(text)
	lines = contentlines(text)
	assert [n for n, _p, _v in lines].count("ATTENDEE") == 1
	values = {n: (p, v) for n, p, v in lines}
	assert unescape(values["SUMMARY"][1]) == ev.summary == expected_text(summary)
	if ev.description:
		assert unescape(values["DESCRIPTION"][1]) == ev.description == expected_text(description)
	assert ev.organizer_name == expected_param(name)
	vevent = vobject_calendar(text).vevent
	assert vevent.summary.value == ev.summary
	assert len(vevent.attendee_list) == 1
	if ev.organizer_name:
		assert values["ORGANIZER"][0]["CN"] == rfc6868_encoded(ev.organizer_name)
		assert vevent.organizer.params["CN"] == [rfc6868_encoded(ev.organizer_name)]
		if icalendar_cn(name) is not None:
			assert ical_events(text)[1][0]["ORGANIZER"].params["CN"] == icalendar_cn(name)
	if ICALENDAR_UNESCAPES_RIGHT or "\\" not in ev.summary:
		assert str(ical_events(text)[1][0]["SUMMARY"]) == ev.summary


# -- a calendar object resource (what a CalDAV server stores) and extra X- properties ---------


def test_resource_has_no_method_and_needs_no_organizer_or_attendees():
	text = build_resource(event(organizer_email="", attendees=()), NOW)
	assert "METHOD" not in names(text)
	assert names(text).count("BEGIN") == 2  # VCALENDAR, VEVENT
	(parsed,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
	assert parsed["DTSTART"].dt == START and parsed["UID"] == "booking-0001@example.org"


@given(st.text(max_size=300))
def test_extra_properties_stay_one_line_of_text(value):
	text = build_resource(event(properties=(("x-scheduler-booking", value),)), NOW)
	found = [(params, raw) for name, params, raw in contentlines(text) if name == "X-SCHEDULER-BOOKING"]
	assert len(found) == 1 and found[0][0] == {}
	assert unescape(found[0][1]) == " ".join(expected_text(value).split("\n"))
	assert names(text)[-3:] == ["X-SCHEDULER-BOOKING", "END", "END"]


@pytest.mark.parametrize(
	"properties",
	[
		(("SUMMARY", "x"),),  # not an X- name: it could replace a real property
		(("X-BAD:NAME", "x"),),
		(("X-" + "A" * 61, "x"),),
		(("X-OK",),),
		"X-OK:x",
	],
)
def test_extra_properties_with_bad_names_or_shapes_are_refused(properties):
	with pytest.raises(InvalidField):
		event(properties=properties)


# -- several meetings in one message (a series, a workshop's days) ----------------------------


def weekly(count: int, zone: str = "Europe/Berlin", hour: int = 10) -> list[IcsEvent]:
	"""A weekly series on the host's wall clock from Monday 16 March 2026, across the change to
	summer time (29 March in Europe, 8 March in the US): one event per meeting."""
	return [
		event(
			uid=f"meeting-{k}@example.org",
			start=datetime(2026, 3, 16, hour, tzinfo=ZoneInfo(zone)) + timedelta(weeks=k),
			end=datetime(2026, 3, 16, hour + 1, tzinfo=ZoneInfo(zone)) + timedelta(weeks=k),
			sequence=k % 2,
		)
		for k in range(count)
	]


def test_a_series_is_one_event_per_meeting_at_its_own_instant():
	meetings = weekly(4)
	text = build_message(meetings, "REQUEST", NOW)
	cal, events = ical_events(text)
	assert str(cal["METHOD"]) == "REQUEST"
	assert [str(e["UID"]) for e in events] == [f"meeting-{k}@example.org" for k in range(4)]
	assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 0, 1]
	# written in UTC: 09:00Z before the change, 08:00Z after; 10:00 in Berlin every week
	starts = [e.decoded("DTSTART") for e in events]
	assert starts == [utc(2026, 3, 16, 9), utc(2026, 3, 23, 9), utc(2026, 3, 30, 8), utc(2026, 4, 6, 8)]
	assert all(s.utcoffset() == timedelta(0) for s in starts)
	assert {s.astimezone(ZoneInfo("Europe/Berlin")).hour for s in starts} == {10}
	# the booker in New York: 05:00 the week both are on summer time, 04:00 otherwise
	assert [s.astimezone(ZoneInfo("America/New_York")).hour for s in starts] == [5, 5, 4, 4]
	assert [e.decoded("DTEND") - e.decoded("DTSTART") for e in events] == [timedelta(hours=1)] * 4
	assert "RRULE" not in names(text) and "EXDATE" not in names(text)
	assert names(text).count("DTSTAMP") == 4 and "DTSTAMP:20250301T081530Z" in logical_lines(text)
	assert len(vobject_calendar(text).vevent_list) == 4


def test_a_workshop_is_one_event_per_day():
	days = [
		event(uid=f"day-{d}@example.org", start=utc(2026, 6, 8 + d, 7), end=utc(2026, 6, 8 + d, 15))
		for d in range(2)
	]
	_cal, events = ical_events(build_message(days, "PUBLISH", NOW))
	assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [
		(utc(2026, 6, 8, 7), utc(2026, 6, 8, 15)),
		(utc(2026, 6, 9, 7), utc(2026, 6, 9, 15)),
	]


def test_publish_invites_nobody_and_cancel_cancels_each():
	meetings = weekly(3)
	published = build_message(meetings, "PUBLISH", NOW)
	assert "ATTENDEE" not in names(published) and "RSVP" not in published
	assert names(published).count("ORGANIZER") == 3  # who the meetings are with
	assert str(icalendar.Calendar.from_ical(published)["METHOD"]) == "PUBLISH"
	assert build_invite(meetings[0], "PUBLISH", NOW) == build_message(meetings[:1], "PUBLISH", NOW)
	# a request keeps its attendees; a cancellation of the rest cancels each of them
	assert names(build_message(meetings, "REQUEST", NOW)).count("ATTENDEE") == 3
	cal, events = ical_events(build_message(meetings[1:], "CANCEL", NOW))
	assert str(cal["METHOD"]) == "CANCEL"
	assert [(str(e["UID"]), str(e["STATUS"])) for e in events] == [
		("meeting-1@example.org", "CANCELLED"),
		("meeting-2@example.org", "CANCELLED"),
	]
	assert build_message(meetings[:1], "REQUEST", NOW) == build_invite(meetings[0], "REQUEST", NOW)


def test_build_message_validation():
	meetings = weekly(2)
	raises(InvalidField, build_message, [], "PUBLISH", NOW, field="events")
	raises(InvalidField, build_message, meetings[0], "PUBLISH", NOW, field="events")  # one, not a list
	raises(InvalidField, build_message, "BEGIN:VEVENT", "PUBLISH", NOW, field="events")
	raises(InvalidField, build_message, [meetings[0], "x"], "PUBLISH", NOW, field="event")
	raises(InvalidField, build_message, [meetings[0], meetings[0]], "PUBLISH", NOW, field="uid")
	raises(
		InvalidField,
		build_message,
		[meetings[0], event(uid="b", attendees=())],
		"REQUEST",
		NOW,
		field="attendees",
	)
	raises(
		InvalidField,
		build_message,
		[meetings[0], event(uid="b", organizer_email="")],
		"CANCEL",
		NOW,
		field="organizer_email",
	)
	raises(NaiveDatetime, build_message, meetings, "PUBLISH", None, field="now")
	assert "METHOD:PUBLISH" in build_message([event(organizer_email="", attendees=())], "PUBLISH", NOW)


def test_a_calendar_file_is_named_after_its_meeting_and_day():
	from datetime import date

	from scheduler_integration.engine.ics import file_name

	day = date(2026, 11, 30)
	assert file_name("Intro Call", day) == "intro-call-2026-11-30.ics"
	assert file_name("Intro Call", day, cancelled=True) == "cancelled-intro-call-2026-11-30.ics"
	# letters with accents keep their base letter; no path, quote or header character survives
	assert file_name("Beratung für Müller & Söhne", day) == "beratung-fur-muller-sohne-2026-11-30.ics"
	assert file_name('../../etc/"passwd"\r\n', day) == "etc-passwd-2026-11-30.ics"
	assert file_name("日本語", day) == "meeting-2026-11-30.ics"
	assert file_name("", None) == "meeting.ics"
	assert len(file_name("x" * 500, day)) <= len("-2026-11-30.ics") + 60
