from collections import Counter
from datetime import timedelta

import pytest
from conftest import host, utc, weekdays
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine import (
	Assignment,
	HostSchedule,
	InvalidRule,
	RoundRobinMode,
	SlotPolicy,
	find_slots,
	pick_host,
	rank_hosts,
)
from scheduler_integration.engine.adapters import policy_from_row
from scheduler_integration.engine.teams import mode_from_label

FAIR = RoundRobinMode.FAIR_SHARE
MAXIMIZE = RoundRobinMode.MAXIMIZE_AVAILABILITY
MODES = st.sampled_from([FAIR, MAXIMIZE])


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


# --- round robin modes ------------------------------------------------------------------------


def booked(schedule: HostSchedule, when) -> HostSchedule:
	"""``schedule`` after taking one more booking at ``when``."""
	return HostSchedule(
		schedule.host,
		schedule.availability,
		priority=schedule.priority,
		weight=schedule.weight,
		bookings_so_far=schedule.bookings_so_far + 1,
		last_booked_at=when,
	)


def run(hosts: dict[str, HostSchedule], mode, free_sets) -> tuple[list[str], dict[str, HostSchedule]]:
	"""Book once per entry of ``free_sets`` (the hosts free for that booking's slot)."""
	chosen = []
	clock = utc(2026, 1, 1)
	for free in free_sets:
		clock += timedelta(minutes=1)
		name = pick_host(free, list(hosts.values()), mode)
		hosts[name] = booked(hosts[name], clock)
		chosen.append(name)
	return chosen, hosts


WEIGHTS = st.lists(st.integers(1, 500), min_size=1, max_size=6)


@given(weights=WEIGHTS, rounds=st.integers(0, 150))
def test_fair_share_is_dhondt_when_everyone_is_free(weights, rounds):
	"""No host ever gets a booking while another's next share would be lower, so each host's
	count is at least its whole quota of the bookings (D'Hondt's lower quota)."""
	names = [f"h{i}" for i in range(len(weights))]
	hosts = {n: HostSchedule(n, weekdays("UTC"), weight=w) for n, w in zip(names, weights, strict=True)}
	chosen, _ = run(hosts, FAIR, [names] * rounds)
	counts = Counter(chosen)
	total = sum(weights)
	for i, a in enumerate(names):
		assert counts[a] >= rounds * weights[i] // total
		for j, b in enumerate(names):
			# a's last booking came when its share (counts[a] / w_a) was no higher than b's next
			assert counts[a] * weights[j] <= (counts[b] + 1) * weights[i]


@given(weights=WEIGHTS, rounds=st.integers(0, 150))
def test_maximize_availability_takes_turns_whatever_the_weights(weights, rounds):
	names = [f"h{i}" for i in range(len(weights))]
	hosts = {n: HostSchedule(n, weekdays("UTC"), weight=w) for n, w in zip(names, weights, strict=True)}
	chosen, _ = run(hosts, MAXIMIZE, [names] * rounds)
	# a strict rotation in host order (nobody booked yet: least recent = never, then the id)
	assert chosen == [names[i % len(names)] for i in range(rounds)]
	counts = Counter(chosen)
	assert max(counts.values(), default=0) - min((counts[n] for n in names), default=0) <= 1


@st.composite
def teams_and_free_sets(draw):
	size = draw(st.integers(1, 6))
	names = [f"h{i}" for i in range(size)]
	hosts = {
		n: HostSchedule(
			n,
			weekdays("UTC"),
			priority=draw(st.integers(0, 2)),
			weight=draw(st.integers(1, 300)),
			bookings_so_far=draw(st.integers(0, 20)),
			last_booked_at=draw(
				st.none() | st.integers(0, 1000).map(lambda m: utc(2025, 1, 1) + timedelta(minutes=m))
			),
		)
		for n in names
	}
	free_sets = draw(st.lists(st.lists(st.sampled_from(names), min_size=1, unique=True), max_size=40))
	return hosts, free_sets


@given(data=teams_and_free_sets(), mode=MODES, seed=st.randoms(use_true_random=False))
def test_every_mode_picks_a_free_host_of_the_highest_priority_whatever_the_order(data, mode, seed):
	hosts, free_sets = data
	for free in free_sets:
		listed = list(hosts.values())
		seed.shuffle(listed)
		name = pick_host(free, listed, mode)
		assert name in free
		assert hosts[name].priority == max(hosts[f].priority for f in free)
		assert name == pick_host(free, sorted(listed, key=lambda h: h.host), mode)
		# the slots list their hosts in the same order the pick uses
		assert rank_hosts([h for h in listed if h.host in free], mode)[0].host == name
		hosts[name] = booked(hosts[name], utc(2026, 1, 1) + timedelta(minutes=len(free_sets)))


@given(data=teams_and_free_sets())
def test_maximize_availability_picks_whoever_waited_longest_among_the_top_priority(data):
	hosts, free_sets = data
	clock = utc(2026, 1, 1)
	for free in free_sets:
		clock += timedelta(minutes=1)
		name = pick_host(free, list(hosts.values()), MAXIMIZE)
		top = [hosts[f] for f in free if hosts[f].priority == hosts[name].priority]
		never = [h.host for h in top if h.last_booked_at is None]
		if never:
			assert name == min(never)
		else:
			assert hosts[name].last_booked_at == min(h.last_booked_at for h in top)
		# weights and counts play no part
		reweighted = [
			HostSchedule(
				h.host, h.availability, priority=h.priority, weight=1, last_booked_at=h.last_booked_at
			)
			for h in hosts.values()
		]
		assert pick_host(free, reweighted, MAXIMIZE) == name
		hosts[name] = booked(hosts[name], clock)


@given(data=teams_and_free_sets())
def test_fair_share_never_gives_a_booking_to_a_free_host_further_above_its_share(data):
	hosts, free_sets = data
	for free in free_sets:
		name = pick_host(free, list(hosts.values()), FAIR)
		mine = hosts[name]
		for other in (hosts[f] for f in free):
			if other.priority == mine.priority:
				# (mine + 1) / w_mine <= (other + 1) / w_other
				assert (mine.bookings_so_far + 1) * other.weight <= (other.bookings_so_far + 1) * mine.weight
		hosts[name] = booked(hosts[name], utc(2026, 1, 1))


def test_modes_offer_the_same_starts_and_list_the_next_host_first():
	"""A mode changes who gets a booking, never which starts a guest may take."""
	early = HostSchedule("early", weekdays("UTC", "09:00", "12:00"), weight=300, bookings_so_far=3)
	late = HostSchedule(
		"late",
		weekdays("UTC", "11:00", "15:00"),
		weight=100,
		bookings_so_far=1,
		last_booked_at=utc(2026, 3, 1),
	)
	now, lo, hi = utc(2026, 3, 1), utc(2026, 3, 2), utc(2026, 3, 3)  # a Monday
	found = {
		mode: find_slots(
			[early, late], SlotPolicy(60, round_robin_mode=mode), lo, hi, now, Assignment.ROUND_ROBIN
		)
		for mode in (FAIR, MAXIMIZE)
	}
	assert [s.start for s in found[FAIR]] == [s.start for s in found[MAXIMIZE]]
	both = [s for s in found[FAIR] if len(s.hosts) == 2]
	assert both and all(s.hosts[0] == "early" for s in both)  # 4/300 < 2/100
	assert all(s.hosts[0] == "early" for s in found[MAXIMIZE] if len(s.hosts) == 2)  # never booked
	late_first = HostSchedule("late", late.availability, weight=100)
	early_recent = HostSchedule("early", early.availability, last_booked_at=utc(2026, 3, 1))
	policy = SlotPolicy(60, round_robin_mode=MAXIMIZE)
	for slot in find_slots([early_recent, late_first], policy, lo, hi, now, Assignment.ROUND_ROBIN):
		if len(slot.hosts) == 2:
			assert slot.hosts[0] == "late"


def test_mode_labels_of_the_meeting_type():
	assert mode_from_label(None) is FAIR and mode_from_label("") is FAIR
	assert mode_from_label("Fair Share by Weight") is FAIR
	assert mode_from_label("Maximize Availability") is MAXIMIZE
	with pytest.raises(InvalidRule):
		mode_from_label("Whoever")
	with pytest.raises(InvalidRule):
		pick_host(["a"], team(a=1), "whoever")
	with pytest.raises(InvalidRule):
		SlotPolicy(30, round_robin_mode="whoever")
	row = {"duration": "30", "round_robin_mode": "Maximize Availability"}
	assert policy_from_row(row).round_robin_mode is MAXIMIZE
	assert policy_from_row({"duration": "30"}).round_robin_mode is FAIR
