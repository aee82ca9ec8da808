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
