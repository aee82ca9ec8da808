"""External schedulers' reports: Acuity and OnceHub signatures, each provider's payload as an
event, the state a meeting moves to, and when a meeting nobody cancelled is completed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.rules.external_schedulers import (
	CANCELLED,
	COMPLETED,
	KINDS,
	NO_SHOW,
	RECORDS,
	SCHEDULED,
	STATUSES,
	Step,
	acuity_action,
	acuity_event,
	acuity_signature,
	acuity_type_id,
	calendly_event,
	next_state,
	oncehub_event,
	oncehub_signature,
	outcome_due,
	parse_instant,
	verify_acuity,
	verify_oncehub,
)
from scheduler_integration.rules.tracking import SignatureRefused

UTC = timezone.utc
KEY = "acuity-api-key"
SECRET = "oncehub-webhook-secret"


# --- signatures ----------------------------------------------------------------------------
def test_acuity_signature_is_base64_hmac_sha256_of_the_body():
	body = b"action=scheduled&id=123&calendarID=4&appointmentTypeID=5"
	expected = base64.b64encode(hmac.new(KEY.encode(), body, hashlib.sha256).digest()).decode()
	assert acuity_signature(body, KEY) == expected
	verify_acuity(expected, body, KEY)


@pytest.mark.parametrize(
	("header", "body", "key", "reason"),
	[
		(None, b"id=1", KEY, "missing"),
		("x", b"id=1", None, "missing"),
		(acuity_signature(b"id=1", "other-key"), b"id=1", KEY, "mismatch"),
		(acuity_signature(b"id=1", KEY), b"id=2", KEY, "mismatch"),
		(acuity_signature(b"id=1", KEY).lower(), b"id=1", KEY, "mismatch"),
	],
)
def test_acuity_refuses_what_the_key_did_not_sign(header, body, key, reason):
	with pytest.raises(SignatureRefused) as caught:
		verify_acuity(header, body, key)
	assert caught.value.reason == reason


def test_oncehub_signature_as_documented():
	body = b'{"id":"EVNT-2AB8RJY3LF","object":"event","type":"booking.scheduled"}'
	stamp = 1611144604
	digest = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
	assert oncehub_signature(body, SECRET, stamp) == f"t={stamp},s={digest}"
	assert verify_oncehub(f"t={stamp},s={digest}", body, SECRET, now=stamp + 10) == stamp
	assert verify_oncehub(f"t={stamp},s={digest.upper()}", body, SECRET, now=stamp) == stamp


@pytest.mark.parametrize(
	("header", "now", "reason"),
	[
		("", 100, "missing"),
		("t=100", 100, "malformed"),
		("t=100,t=100,s=ab", 100, "malformed"),
		("t=abc,s=ab", 100, "malformed"),
		("s=ab", 100, "malformed"),
		(oncehub_signature(b"{}", "other", 100), 100, "mismatch"),
		(oncehub_signature(b"{}", SECRET, 100), 100 + 301, "stale"),
		(oncehub_signature(b"{}", SECRET, 1000), 1000 - 301, "stale"),
	],
)
def test_oncehub_refusals(header, now, reason):
	with pytest.raises(SignatureRefused) as caught:
		verify_oncehub(header, b"{}", SECRET, now=now)
	assert caught.value.reason == reason


def test_a_stale_signature_is_refused_only_when_it_holds():
	"""A forged old header is a mismatch (401), not "too old" (400): nothing is told."""
	with pytest.raises(SignatureRefused) as caught:
		verify_oncehub(oncehub_signature(b"{}", "forged", 1), b"{}", SECRET, now=10_000)
	assert caught.value.reason == "mismatch"


# --- payloads ------------------------------------------------------------------------------
@pytest.mark.parametrize(
	("text", "expected"),
	[
		("2013-07-02T10:15:00-0700", datetime(2013, 7, 2, 17, 15, tzinfo=UTC)),
		("2021-01-20T12:10:03.140Z", datetime(2021, 1, 20, 12, 10, 3, 140000, tzinfo=UTC)),
		("2030-05-08T15:00:00.000000Z", datetime(2030, 5, 8, 15, tzinfo=UTC)),
		("2030-05-08T15:00:00+02:00", datetime(2030, 5, 8, 13, tzinfo=UTC)),
		("2030-05-08T15:00:00", None),  # no offset: no guess
		("July 2, 2013", None),
		("", None),
		(None, None),
		(12, None),
	],
)
def test_parse_instant(text, expected):
	moment = parse_instant(text)
	assert moment == expected
	if moment:
		assert moment.utcoffset() is not None


def appointment(**extra) -> dict:
	row = {
		"id": 54321,
		"firstName": "Bob",
		"lastName": "McTest",
		"email": "bob.mctest@example.com",
		"datetime": "2030-07-02T10:15:00-0700",
		"duration": "60",
		"appointmentTypeID": 1,
		"calendarID": 27238,
		"forms": [],
	}
	return {**row, **extra}


@pytest.mark.parametrize(
	("action", "extra", "kind"),
	[
		("scheduled", {}, "booked"),
		("appointment.scheduled", {}, "booked"),
		("rescheduled", {}, "moved"),
		("changed", {}, "booked"),
		("canceled", {}, "cancelled"),
		("canceled", {"canceled": True, "noShow": True}, "no_show"),
		("changed", {"canceled": True}, "cancelled"),
		("scheduled", {"canceled": True}, "cancelled"),  # the state now decides, not the action
	],
)
def test_acuity_event_kind(action, extra, kind):
	event = acuity_event(action, appointment(**extra))
	assert event.kind == kind
	assert event.provider == "acuity"
	assert event.ref == "acuity:54321"
	assert event.client == "Bob McTest"
	assert event.start == datetime(2030, 7, 2, 17, 15, tzinfo=UTC)
	assert event.end == event.start + timedelta(minutes=60)
	assert event.type_ref == "1"


@pytest.mark.parametrize("action", ["order.completed", "", None, "deleted"])
def test_acuity_ignores_orders_and_unknown_actions(action):
	assert acuity_action(action) == ""
	assert acuity_event(action, appointment()) is None


def test_acuity_needs_an_id():
	assert acuity_event("scheduled", appointment(id=None)) is None
	assert acuity_event("scheduled", appointment(id="1; drop")) is None
	assert acuity_event("scheduled", "not a dict") is None


def test_acuity_tokens_come_from_form_fields_the_named_field_first():
	forms = [
		{
			"id": 1,
			"values": [
				{"fieldID": 7, "value": "other.token"},
				{"fieldID": 9, "value": "report.token"},
				{"fieldID": 8, "value": "not a token"},
			],
		}
	]
	event = acuity_event("scheduled", appointment(forms=forms), report_field="9")
	assert event.tokens == ("report.token", "other.token")
	assert acuity_event("scheduled", appointment(forms=forms)).tokens == ("other.token", "report.token")


def test_acuity_unknown_duration_leaves_the_end_open():
	assert acuity_event("scheduled", appointment(duration="x")).end is None


@pytest.mark.parametrize(
	("url", "type_id"),
	[
		("https://app.acuityscheduling.com/schedule.php?owner=1&appointmentType=456", "456"),
		("https://jane.as.me/?appointmentType=456", "456"),
		("https://jane.as.me/?appointmentType[]=456", "456"),
		("https://jane.as.me/?appointmentType=456&appointmentType=7", ""),
		("https://jane.as.me/?appointmentType=category:Coaching", ""),
		("https://jane.as.me/", ""),
		(None, ""),
	],
)
def test_acuity_type_id(url, type_id):
	assert acuity_type_id(url) == type_id


def oncehub_payload(kind="booking.scheduled", **data) -> dict:
	booking = {
		"object": "booking",
		"id": "BKNG-J4FR05BKEWEX",
		"tracking_id": "D36E0002",
		"subject": "Live demo",
		"status": "scheduled",
		"creation_time": "2030-03-22T09:48:48Z",
		"starting_time": "2030-03-29T04:30:00Z",
		"owner": "USR-FSD423423",
		"duration_minutes": 60,
		"form_submission": {"name": "Carrie Customer", "email": "carrie@customer.example"},
		"utm_params": {"source": "report", "medium": "report", "campaign": "phase_build", "content": "a.b"},
		"booking_page": "BP-1",
	}
	return {
		"id": "EVNT-KN56U3YL7C",
		"object": "event",
		"creation_time": "2030-03-22T09:49:12Z",
		"type": kind,
		"api_version": "v2",
		"data": {**booking, **data},
	}


@pytest.mark.parametrize(
	("kind", "expected"),
	[
		("booking.scheduled", "booked"),
		("booking.rescheduled", "moved"),
		("booking.canceled", "cancelled"),
		("booking.canceled_then_rescheduled", "cancelled"),
		("booking.canceled_reschedule_requested", "cancelled"),
		("booking.completed", "completed"),
		("booking.no_show", "no_show"),
	],
)
def test_oncehub_event_kind(kind, expected):
	event = oncehub_event(oncehub_payload(kind))
	assert event.kind == expected
	assert event.provider == "scheduleonce"
	assert event.ref == "oncehub:BKNG-J4FR05BKEWEX"
	assert event.start == datetime(2030, 3, 29, 4, 30, tzinfo=UTC)
	assert event.end == datetime(2030, 3, 29, 5, 30, tzinfo=UTC)
	assert event.client == "Carrie Customer"
	assert event.tokens == ("a.b",)
	assert event.utm == {
		"utm_source": "report",
		"utm_medium": "report",
		"utm_campaign": "phase_build",
		"utm_content": "a.b",
	}
	assert event.occurred_at == datetime(2030, 3, 22, 9, 49, 12, tzinfo=UTC)


def test_oncehub_reschedule_under_a_new_id_names_the_old_one():
	event = oncehub_event(
		oncehub_payload("booking.rescheduled", id="BKNG-NEW", rescheduled_booking_id="BKNG-OLD")
	)
	assert (event.ref, event.replaces) == ("oncehub:BKNG-NEW", "oncehub:BKNG-OLD")
	same = oncehub_event(oncehub_payload("booking.rescheduled", rescheduled_booking_id="BKNG-J4FR05BKEWEX"))
	assert same.replaces == ""


def test_oncehub_flat_utm_values():
	payload = oncehub_payload(utm_params=None, utm_content="x.y", utm_campaign="phase_grow")
	event = oncehub_event(payload)
	assert event.tokens == ("x.y",)
	assert event.utm == {"utm_campaign": "phase_grow", "utm_content": "x.y"}


@pytest.mark.parametrize(
	"payload",
	[
		{"type": "conversation.started", "data": {"id": "CNV-1"}},
		{"type": "booking.scheduled", "data": {}},
		{"type": "booking.scheduled", "data": "x"},
		{"type": "booking.scheduled", "data": {"id": "BKNG-<script>"}},
		{},
		[],
	],
)
def test_oncehub_ignores_what_is_no_booking(payload):
	assert oncehub_event(payload) is None


INVITEE = "https://api.calendly.com/scheduled_events/E1/invitees/I1"


def calendly(event, **data) -> dict:
	return {
		"event": event,
		"created_at": "2030-05-01T10:00:00.000000Z",
		"payload": {
			"uri": INVITEE,
			"name": "Bob Buyer",
			"scheduled_event": {
				"event_type": "https://api.calendly.com/event_types/T1",
				"start_time": "2030-05-08T15:00:00.000000Z",
				"end_time": "2030-05-08T15:30:00.000000Z",
			},
			"tracking": {"utm_campaign": "phase_build", "utm_content": "tok.en"},
			**data,
		},
	}


def test_calendly_created_and_canceled():
	created = calendly_event(calendly("invitee.created"), INVITEE)
	assert (created.kind, created.ref, created.replaces) == ("booked", INVITEE, "")
	assert created.end - created.start == timedelta(minutes=30)
	assert created.tokens == ("tok.en",)
	assert created.type_ref == "https://api.calendly.com/event_types/T1"
	assert calendly_event(calendly("invitee.canceled"), INVITEE).kind == "cancelled"
	assert calendly_event({"event": "routing_form_submission.created"}, "x") is None


def test_calendly_reschedule_is_a_move_both_ways():
	new = "https://api.calendly.com/scheduled_events/E2/invitees/I2"
	away = calendly_event(calendly("invitee.canceled", rescheduled=True, new_invitee=new), INVITEE)
	assert (away.kind, away.ref, away.replaces, away.start) == ("moved", new, INVITEE, None)
	created = calendly("invitee.created", uri=new, old_invitee=INVITEE)
	arrived = calendly_event(created, new)
	assert (arrived.kind, arrived.ref, arrived.replaces) == ("moved", new, INVITEE)
	assert arrived.start == datetime(2030, 5, 8, 15, tzinfo=UTC)


def test_calendly_no_show():
	event = calendly_event({"event": "invitee_no_show.created", "payload": {"invitee": INVITEE}}, "x")
	assert (event.kind, event.ref) == ("no_show", INVITEE)
	assert calendly_event({"event": "invitee_no_show.created", "payload": {}}, "x") is None


# --- state -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
	("current", "kind", "step"),
	[
		(None, "booked", Step(SCHEDULED, "meeting_booked", None, True)),
		(None, "moved", Step(SCHEDULED, "meeting_booked", None, True)),
		(None, "cancelled", Step(CANCELLED, "meeting_cancelled", None, True)),
		(None, "completed", Step(COMPLETED, "meeting_completed", None, True)),
		(None, "no_show", Step(NO_SHOW, "no_show", None, True)),
		(SCHEDULED, "booked", Step(SCHEDULED, None, None, True)),  # a retry, or new details
		(SCHEDULED, "moved", Step(SCHEDULED, None, None, True)),
		(SCHEDULED, "cancelled", Step(CANCELLED, "meeting_cancelled")),
		(SCHEDULED, "completed", Step(COMPLETED, "meeting_completed")),
		(SCHEDULED, "no_show", Step(NO_SHOW, "no_show")),
		(CANCELLED, "cancelled", None),
		(CANCELLED, "booked", None),  # a late copy of the booking
		(CANCELLED, "moved", Step(SCHEDULED, None, "meeting_cancelled", True)),  # rebooked
		(CANCELLED, "no_show", Step(NO_SHOW, "no_show", "meeting_cancelled")),  # Acuity's no-shows
		(COMPLETED, "completed", None),
		(COMPLETED, "moved", None),
		(COMPLETED, "no_show", Step(NO_SHOW, "no_show", "meeting_completed")),  # provider wins
		(COMPLETED, "cancelled", Step(CANCELLED, "meeting_cancelled", "meeting_completed")),
		(NO_SHOW, "no_show", None),
		(NO_SHOW, "completed", Step(COMPLETED, "meeting_completed", "no_show")),
	],
)
def test_next_state_table(current, kind, step):
	assert next_state(current, kind) == step


@given(st.sampled_from((None, *STATUSES)), st.lists(st.sampled_from(KINDS), max_size=8))
def test_reports_are_idempotent_and_record_each_engagement_at_most_once(start, kinds):
	"""Applying any sequence of reports, each twice in a row: the second changes nothing,
	and the engagements kept name each event type at most once (the meeting's status)."""
	status, kept = start, set() if start is None else {RECORDS[start]}
	if start is not None and start != SCHEDULED:
		kept.add(RECORDS[SCHEDULED])
	for kind in kinds:
		for attempt in range(2):
			step = next_state(status, kind)
			if attempt == 1:
				assert step is None or (
					step.record is None and step.withdraw is None and step.status == status
				)
			if step is None:
				continue
			if step.withdraw:
				assert step.withdraw == RECORDS[status]  # only the outcome it replaces
				kept.discard(step.withdraw)
			if step.record:
				assert step.record not in kept or step.record == RECORDS[SCHEDULED]
				kept.add(step.record)
			status = step.status
		outcomes = kept - {RECORDS[SCHEDULED]}
		assert len(outcomes) <= 1
		assert outcomes == ({RECORDS[status]} if status not in (None, SCHEDULED) else set())


def test_unknown_kind_is_an_error():
	with pytest.raises(ValueError):
		next_state(None, "deleted")


# --- completion ------------------------------------------------------------------------------
NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
	("status", "start", "end", "due"),
	[
		(SCHEDULED, NOW - timedelta(hours=1), NOW - timedelta(minutes=1), True),
		(SCHEDULED, NOW - timedelta(hours=1), NOW, True),  # the end itself counts
		(SCHEDULED, NOW - timedelta(minutes=10), NOW + timedelta(minutes=20), False),  # under way
		(SCHEDULED, NOW - timedelta(minutes=1), None, True),  # no end known: its start
		(SCHEDULED, NOW + timedelta(minutes=1), None, False),
		(SCHEDULED, None, None, False),
		(CANCELLED, NOW - timedelta(hours=2), NOW - timedelta(hours=1), False),
		(NO_SHOW, NOW - timedelta(hours=2), NOW - timedelta(hours=1), False),
		(COMPLETED, NOW - timedelta(hours=2), NOW - timedelta(hours=1), False),
	],
)
def test_outcome_due(status, start, end, due):
	assert outcome_due(status, start, end, NOW) is due
