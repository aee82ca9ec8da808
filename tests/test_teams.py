from collections import Counter
from datetime import timedelta

import pytest
from conftest import host, utc, weekdays

from scheduler_integration.engine import HostSchedule, InvalidRule, pick_host, rank_hosts


def team(**weights):
	return [host(weekdays("UTC"), name, weight=w) for name, w in weights.items()]


def test_priority_wins_over_fairness():
	a = HostSchedule("a", weekdays("UTC"), priority=1, bookings_so_far=50)
	b = HostSchedule("b", weekdays("UTC"), priority=0, bookings_so_far=0)
	assert pick_host(["a", "b"], [a, b]) == "a"
	assert pick_host(["b"], [a, b]) == "b"


def test_least_recently_booked_breaks_fairness_ties_then_host_id():
	a = HostSchedule("a", weekdays("UTC"), bookings_so_far=1, last_booked_at=utc(2026, 1, 2))
	b = HostSchedule("b", weekdays("UTC"), bookings_so_far=1, last_booked_at=utc(2026, 1, 1))
	c = HostSchedule("c", weekdays("UTC"), bookings_so_far=1)
	assert [h.host for h in rank_hosts([a, b, c])] == ["c", "b", "a"]
	d = HostSchedule("d", weekdays("UTC"), bookings_so_far=1)
	assert pick_host(["d", "c"], [a, b, c, d]) == "c"


def test_no_free_host_is_an_error():
	with pytest.raises(InvalidRule):
		pick_host(["zz"], team(a=100))


@pytest.mark.parametrize(
	"weights",
	[
		{"a": 100, "b": 100},
		{"a": 200, "b": 100},
		{"a": 300, "b": 100, "c": 100},
		{"a": 50, "b": 150, "c": 300},
	],
)
def test_bookings_spread_in_proportion_to_weight(weights):
	hosts = {name: HostSchedule(name, weekdays("UTC"), weight=w) for name, w in weights.items()}
	counts: Counter = Counter()
	clock = utc(2026, 1, 1)
	total_weight = sum(weights.values())
	rounds = total_weight // 50 * 10  # a whole number of weight cycles
	for _ in range(rounds):
		chosen = pick_host(hosts, list(hosts.values()))
		counts[chosen] += 1
		clock += timedelta(minutes=1)
		old = hosts[chosen]
		hosts[chosen] = HostSchedule(
			old.host,
			old.availability,
			weight=old.weight,
			bookings_so_far=old.bookings_so_far + 1,
			last_booked_at=clock,
		)
	for name, w in weights.items():
		assert counts[name] == rounds * w // total_weight
