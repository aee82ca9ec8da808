"""Seats: one slot of a meeting type, many guests (engine/seats.py), rule by rule."""

from __future__ import annotations

from datetime import timedelta

from conftest import at, hhmm, host, minutes, utc, weekdays

from scheduler_integration.engine import (
	Assignment,
	Booking,
	HostSchedule,
	Interval,
	Refusal,
	SlotPolicy,
	check_slot,
	find_slots,
	pick_host,
)
from scheduler_integration.engine.seats import taken

NY = "America/New_York"
NOW = utc(2026, 6, 1)


def ten(minute=0):
	return at(NY, 2026, 6, 8, 10, minute)


def seats(n, start=None, length=60, kind="class", before=0, after=0):
	start = start or ten()
	return tuple(Booking(start, start + minutes(length), before, after, kind) for _ in range(n))


def day(h, policy, mode=Assignment.INDIVIDUAL):
	hosts = h if isinstance(h, list) else [h]
	return find_slots(hosts, policy, at(NY, 2026, 6, 8, 0, 0), at(NY, 2026, 6, 8, 23, 59), NOW, mode)


def starts(slots):
	return [hhmm(slot.start, NY) for slot in slots]


CLASS = SlotPolicy(60, meeting_type="class", seats=3)


def test_a_slot_stays_offered_until_its_seats_are_gone():
	for n in (1, 2):
		assert "10:00" in starts(day(host(weekdays(NY), bookings=seats(n)), CLASS))
		assert check_slot([host(weekdays(NY), bookings=seats(n))], CLASS, ten(), NOW).offered
	full = host(weekdays(NY), bookings=seats(3))
	assert "10:00" not in starts(day(full, CLASS))
	assert check_slot([full], CLASS, ten(), NOW).reason is Refusal.CONFLICT


def test_without_seats_the_same_bookings_block():
	h = host(weekdays(NY), bookings=seats(1))
	assert "10:00" not in starts(day(h, SlotPolicy(60, meeting_type="class")))


def test_a_seat_of_another_type_or_length_blocks():
	assert "10:00" not in starts(day(host(weekdays(NY), bookings=seats(1, kind="other")), CLASS))
	assert "10:00" not in starts(day(host(weekdays(NY), bookings=seats(1, length=30)), CLASS))


def test_an_open_slot_off_todays_grid_is_still_offered():
	# booked at 10:15 under earlier hours; today's grid steps on the hour
	h = host(weekdays(NY), bookings=seats(1, start=ten(15)))
	found = starts(day(h, CLASS))
	assert "10:15" in found and "10:00" not in found and "11:00" not in found


def test_other_bookings_and_busy_time_still_block_an_open_slot():
	other = Booking(ten(30), ten(45), 0, 0, "call")
	assert "10:00" not in starts(day(host(weekdays(NY), bookings=(*seats(1), other)), CLASS))
	busy = (Interval(ten(50), ten(55)),)
	assert "10:00" not in starts(day(host(weekdays(NY), bookings=seats(1), busy=busy), CLASS))


def test_buffers_of_the_slot_do_not_block_its_own_seats():
	policy = SlotPolicy(60, meeting_type="class", seats=3, buffer_before=15, buffer_after=15)
	h = host(weekdays(NY), bookings=seats(2, before=15, after=15))
	assert "10:00" in starts(day(h, policy))
	# the neighbours are still pushed away by the slot's buffers
	assert "11:00" not in starts(day(h, policy)) and "09:00" not in starts(day(h, policy))


def test_limits_count_slots_and_never_refuse_a_seat():
	policy = SlotPolicy(60, meeting_type="class", seats=3, daily_limit=1)
	h = host(weekdays(NY), bookings=seats(2))
	assert starts(day(h, policy)) == ["10:00"]  # the day's one meeting is the open slot
	two = SlotPolicy(60, meeting_type="class", seats=3, daily_limit=2)
	assert len(day(h, two)) > 1  # two seats count once: another slot may start


def test_notice_and_horizon_apply_to_open_slots():
	h = host(weekdays(NY), bookings=seats(1))
	late = SlotPolicy(60, meeting_type="class", seats=3, min_notice=60)
	assert not check_slot([h], late, ten(), ten() - timedelta(minutes=30)).offered
	near = SlotPolicy(60, meeting_type="class", seats=3, max_advance_days=1)
	assert not check_slot([h], near, ten(), NOW).offered


def test_round_robin_keeps_a_slot_with_the_host_of_its_first_seat():
	a = HostSchedule("a", weekdays(NY), seats(1), bookings_so_far=9)
	b = HostSchedule("b", weekdays(NY), bookings_so_far=0)
	slots = {hhmm(s.start, NY): s.hosts for s in day([a, b], CLASS, Assignment.ROUND_ROBIN)}
	assert slots["10:00"] == ("a",)  # b is free and fairer, but the slot is a's
	assert set(slots["11:00"]) == {"a", "b"}
	check = check_slot([a, b], CLASS, ten(), NOW, Assignment.ROUND_ROBIN)
	assert check.hosts == ("a",) and pick_host(check.hosts, [a, b]) == "a"


def test_collective_slot_is_open_for_all_its_hosts_or_none():
	a = HostSchedule("a", weekdays(NY), seats(2))
	b = HostSchedule("b", weekdays(NY), seats(2))
	assert "10:00" in starts(day([a, b], CLASS, Assignment.COLLECTIVE))
	b_busy = HostSchedule("b", weekdays(NY), (*seats(2), Booking(ten(30), ten(40))))
	assert "10:00" not in starts(day([a, b_busy], CLASS, Assignment.COLLECTIVE))


def test_taken_counts_the_seats_of_each_slot():
	a = HostSchedule("a", weekdays(NY), seats(2) + seats(1, start=ten() + timedelta(hours=3)))
	assert taken([a], CLASS) == {ten(): 2, ten() + timedelta(hours=3): 1}
	assert taken([a], SlotPolicy(60, meeting_type="class")) == {}
	assert taken([a], SlotPolicy(60, seats=2)) == {}  # no type: nothing is a seat


def test_seats_are_validated():
	import pytest

	from scheduler_integration.engine import InvalidDuration

	for bad in (0, -1, 10_001, True, "3"):
		with pytest.raises(InvalidDuration):
			SlotPolicy(30, seats=bad)
