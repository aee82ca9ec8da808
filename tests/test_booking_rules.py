from datetime import timedelta

from conftest import utc

from scheduler_integration.engine.booking_rules import change_allowed, reminder_due_times, retry_delay

START = utc(2026, 6, 8, 15, 0)


def test_change_allowed_until_the_notice():
	assert change_allowed(START, START - timedelta(hours=2), 120)
	assert not change_allowed(START, START - timedelta(hours=2) + timedelta(seconds=1), 120)
	assert change_allowed(START, START, 0) and change_allowed(START, START, None)
	assert not change_allowed(START, START + timedelta(minutes=1), 0)


def test_reminder_due_times():
	now = START - timedelta(days=3)
	assert reminder_due_times(START, (1440, 60), now) == [
		(1440, START - timedelta(days=1)),
		(60, START - timedelta(hours=1)),
	]
	# booked 2 hours ahead: the 24 h reminder is noise, the 1 h one is still ahead
	now = START - timedelta(hours=2)
	assert reminder_due_times(START, (1440, 60), now) == [(60, START - timedelta(hours=1))]
	# overdue but more than half the offset left: due now
	now = START - timedelta(minutes=40)
	assert reminder_due_times(START, (60,), now) == [(60, now)]
	assert reminder_due_times(START, (60,), START - timedelta(minutes=20)) == []


def test_retry_delay_doubles_up_to_a_day():
	assert [retry_delay(n) for n in (1, 2, 5)] == [
		timedelta(minutes=2),
		timedelta(minutes=4),
		timedelta(minutes=32),
	]
	assert retry_delay(11) == timedelta(days=1) and retry_delay(10**6) == timedelta(days=1)


def test_follow_up_kinds_and_due_times():
	from scheduler_integration.engine.booking_rules import follow_up_due, follow_up_for

	assert follow_up_for("completed") == "thank_you"
	assert follow_up_for("no_show") == "no_show"
	assert follow_up_for("cancelled") == "win_back"
	assert follow_up_for("declined") is None and follow_up_for("booked") is None
	end = START + timedelta(minutes=30)
	# two hours after the meeting's end
	assert follow_up_due(end, 120, end + timedelta(minutes=15)) == end + timedelta(hours=2)
	# marked completed long after the delay: due now
	late = end + timedelta(hours=5)
	assert follow_up_due(end, 120, late) == late
	# no delay, or a negative one read as none
	assert follow_up_due(end, 0, end) == end
	assert follow_up_due(end, -30, end) == end


def test_follow_up_skip_reasons():
	from scheduler_integration.engine.booking_rules import FOLLOW_UP_STALE, follow_up_skip_reason

	due = START
	assert follow_up_skip_reason("thank_you", "Completed", due, due) is None
	assert follow_up_skip_reason("no_show", "No Show", due, due) is None
	assert follow_up_skip_reason("win_back", "Cancelled", due, due) is None
	# a host corrected the outcome after the follow-up was planned
	assert follow_up_skip_reason("thank_you", "No Show", due, due)
	assert follow_up_skip_reason("no_show", "Completed", due, due)
	assert follow_up_skip_reason("win_back", "Cancelled", due, due, booked_again=True)
	# booking again does not stop a thank-you
	assert follow_up_skip_reason("thank_you", "Completed", due, due, booked_again=True) is None
	# a week after it fell due a follow-up is stale; up to then it is still sent
	assert follow_up_skip_reason("thank_you", "Completed", due, due + FOLLOW_UP_STALE) is None
	assert follow_up_skip_reason("thank_you", "Completed", due, due + FOLLOW_UP_STALE + timedelta(seconds=1))
	assert follow_up_skip_reason("mystery", "Completed", due, due)


def test_effects_run_in_planned_order_and_later_stages_wait_for_a_running_first_one():
	from scheduler_integration.engine.booking_rules import effects_to_run

	first = ("video", "email")
	ready = [("video", False, True), ("email", False, True), ("crm", False, True)]
	assert effects_to_run(ready, first) == [0, 1, 2]
	assert effects_to_run(ready, first, first_only=True) == [0, 1]
	# a second row of an effect waits behind an unfinished first one (a retry not due yet)
	rows = [("email", False, False), ("crm", False, True), ("email", False, True)]
	assert effects_to_run(rows, first) == [1]
	# another worker sends the email: the CRM row waits, a new video row does not
	rows = [("email", True, False), ("crm", False, True), ("video", False, True)]
	assert effects_to_run(rows, first) == [2]
	# a running later-stage row holds back only its own effect
	rows = [("crm", True, False), ("crm", False, True), ("email", False, True)]
	assert effects_to_run(rows, first) == [2]
