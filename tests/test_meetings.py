"""Meeting links and locations (engine.meetings), the phone rule of the booking form and
retries that honour a provider's Retry-After."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine.booking_rules import MAX_BACKOFF, retry_delay, retry_wait
from scheduler_integration.engine.meetings import (
	Source,
	choose_source,
	location_label,
	location_text,
	missing_hosts,
	needs_phone,
	promises_link,
	via_calendar,
)
from scheduler_integration.rules.analytics import provider_stats
from scheduler_integration.rules.guest_form import clean_booking_form

FORM = {"name": "Ana", "email": "ana@example.org", "timezone": "UTC"}


def src(connection, host="a", provider="zoom", **kw):
	return Source(connection, provider, host, **kw)


def test_the_host_own_usable_connection_first_and_the_writing_one_among_them():
	plain, writer = src("c1"), src("c2", writes_bookings=True)
	shared = src("s1", host="admin", account_wide=True)
	assert choose_source("a", "zoom", [shared, plain, writer]) == writer
	assert choose_source("a", "zoom", [shared, plain]) == plain


def test_account_wide_app_serves_hosts_without_a_usable_connection():
	shared = src("s1", host="admin", account_wide=True)
	stale = src("c1", usable=False)
	assert choose_source("a", "zoom", [stale, shared]) == shared
	assert choose_source("b", "zoom", [stale, shared]) == shared
	# the admin's own account-wide app is not "their own" connection: it serves them too
	assert choose_source("admin", "zoom", [shared]) == shared


def test_an_unusable_own_connection_is_the_last_resort_and_other_providers_never_count():
	stale = src("c1", usable=False)
	assert choose_source("a", "zoom", [stale]) == stale
	assert choose_source("a", "zoom", [src("g", provider="google")]) is None
	assert choose_source("a", "zoom", [src("c", host="b")]) is None
	assert choose_source("a", "zoom", [src("s", host="x", account_wide=True, usable=False), stale]) == stale


def test_the_calendar_write_makes_the_link_only_for_a_writing_connection_of_a_linking_calendar():
	writer = src("c", provider="microsoft", writes_bookings=True)
	assert via_calendar(writer, True)
	assert not via_calendar(writer, False)  # Zoom has no calendar: a standalone meeting
	assert not via_calendar(src("c", provider="microsoft"), True)
	assert not via_calendar(None, True)


def test_missing_hosts_and_promises():
	sources = [src("a1", host="a"), src("b1", host="b", usable=False)]
	assert missing_hosts(["a", "b", "c"], "zoom", sources) == {"b": "reconnect", "c": "missing"}
	assert not promises_link(["a", "b"], "zoom", sources)
	assert promises_link(["a"], "zoom", sources)
	assert not promises_link(["a"], None, sources)  # the location needs no link
	assert not promises_link([], "zoom", sources)  # nobody to make it
	shared = src("s", host="admin", account_wide=True)
	assert promises_link(["a", "b", "c"], "zoom", [*sources, shared])


@given(st.lists(st.tuples(st.sampled_from("abx"), st.booleans(), st.booleans(), st.booleans()), max_size=6))
def test_choice_is_always_a_candidate_and_usable_when_one_is(rows):
	sources = [
		src(f"c{i}", host=h, usable=u, writes_bookings=w, account_wide=s)
		for i, (h, u, w, s) in enumerate(rows)
	]
	chosen = choose_source("a", "zoom", sources)
	own = [s for s in sources if s.host == "a" and not s.account_wide]
	shared = [s for s in sources if s.account_wide]
	if not own and not any(s.usable for s in shared):
		assert chosen is None
	else:
		assert chosen in own + shared
		assert chosen.usable == any(s.usable for s in own + shared)


def test_phone_locations_require_the_phone_number():
	assert needs_phone("Phone") and not needs_phone("Zoom") and not needs_phone(None)
	_cleaned, errors = clean_booking_form(FORM, phone_required=True)
	assert set(errors) == {"phone"}
	assert errors["phone"].field == "phone"
	cleaned, errors = clean_booking_form({**FORM, "phone": "+1 555 0100"}, phone_required=True)
	assert errors == {} and cleaned["guest_phone"] == "+1 555 0100"
	_cleaned, errors = clean_booking_form({**FORM, "phone": "call me"}, phone_required=True)
	assert set(errors) == {"phone"}  # one error: the bad number, not also "required"
	assert clean_booking_form(FORM)[1] == {}  # optional elsewhere


def test_retries_wait_at_least_as_long_as_the_provider_asked():
	assert retry_wait(1) == retry_delay(1) == timedelta(minutes=2)
	assert retry_wait(1, 600) == timedelta(seconds=600)
	assert retry_wait(5, 60) == retry_delay(5)  # the backoff is longer
	assert retry_wait(1, 10**9) == MAX_BACKOFF  # a hostile header cannot park the work for ever
	assert retry_wait(1, -5) == retry_delay(1) and retry_wait(1, 0) == retry_delay(1)
	# a deadlock's victim is restarted at once the first time, then backs off as any failure
	assert retry_wait(1, conflict=True) == timedelta(0)
	assert retry_wait(2, conflict=True) == retry_delay(2)
	assert retry_wait(2, 600, conflict=True) == timedelta(seconds=600)


def test_provider_statistics():
	bookings = [
		{"meeting_provider": "Zoom", "status": "Completed"},
		{"meeting_provider": "Zoom", "status": "Completed"},
		{"meeting_provider": "Zoom", "status": "No Show"},
		{"meeting_provider": "Zoom", "status": "Cancelled"},
		{"meeting_provider": "Google", "status": "Confirmed"},
		{"meeting_provider": None, "status": "Completed"},  # no video meeting: not counted
	]
	calls = [
		*[{"provider": "Zoom", "result": "Success"}] * 7,
		{"provider": "Zoom", "result": "Failed"},
		{"provider": "Microsoft 365", "result": "Failed"},
	]
	stats = {row["provider"]: row for row in provider_stats(bookings, calls)}
	assert [row["provider"] for row in provider_stats(bookings, calls)] == ["Zoom", "Google", "Microsoft 365"]
	zoom = stats["Zoom"]
	assert (zoom["meetings"], zoom["completed"], zoom["no_show"], zoom["cancelled"]) == (4, 2, 1, 1)
	assert (zoom["completion_rate"], zoom["no_show_rate"]) == (50.0, 25.0)
	assert (zoom["calls"], zoom["failures"], zoom["failure_rate"], zoom["reliability"]) == (8, 1, 12.5, 87.5)
	assert stats["Google"]["reliability"] == 100.0 and stats["Google"]["calls"] == 0  # nothing failed
	ms = stats["Microsoft 365"]
	assert (ms["meetings"], ms["completion_rate"], ms["reliability"]) == (0, 0.0, 0.0)
	assert provider_stats([], []) == []


def test_a_custom_location_is_its_details_once_booked_never_the_word_custom():
	upper = str.upper  # stands in for a translation
	assert location_label("Zoom", upper) == "ZOOM"
	# before booking: that it comes with the booking (its details may be a room's code)
	assert location_label("Custom", upper) == "LOCATION GIVEN AFTER BOOKING"
	assert location_label("", upper) == ""
	assert location_text("In Person", " Main St 1 ", upper) == "IN PERSON — Main St 1"
	assert location_text("Custom", "Call me on Signal", upper) == "Call me on Signal"
	assert location_text("Custom", "", upper) == ""
	assert location_text("Phone", None, upper) == "PHONE"
