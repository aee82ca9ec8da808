"""Host assignment for round-robin meeting types.

Every mode offers a start when any host is free for it; the mode decides which of the free
hosts gets the booking. In every mode the highest ``priority`` comes first and the host id
last (so the result is deterministic); in between:

* ``FAIR_SHARE`` ("Fair Share by Weight", the default and the app's behaviour before modes
  existed): the host whose weighted share would stay lowest after taking this booking, i.e.
  the smallest ``(bookings_so_far + 1) / weight`` (D'Hondt-style: over many bookings each
  host receives bookings in proportion to its weight, exactly, not just on average), then
  the least recently booked;
* ``MAXIMIZE_AVAILABILITY`` ("Maximize Availability"): the least recently booked host
  (never booked counts as least recent), weights ignored: whoever waited longest takes the
  next booking that fits them, so a guest may take any free host's time and no host waits
  for a share to come round.

Collective types need every host, so nothing is chosen there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from fractions import Fraction
from typing import NamedTuple

from .errors import InvalidRule
from .model import HostSchedule, RoundRobinMode
from .timezones import UTC

_NEVER = datetime.min.replace(tzinfo=UTC)


def _fair_share(host: HostSchedule):
	return (
		-host.priority,
		Fraction(host.bookings_so_far + 1, host.weight),
		host.last_booked_at or _NEVER,
		host.host,
	)


def _least_recent(host: HostSchedule):
	return (-host.priority, host.last_booked_at or _NEVER, host.host)


# the meeting type's Select options (its default first)
MODE_LABELS = {
	"Fair Share by Weight": RoundRobinMode.FAIR_SHARE,
	"Maximize Availability": RoundRobinMode.MAXIMIZE_AVAILABILITY,
}


def mode_from_label(label: str | None) -> RoundRobinMode:
	"""A meeting type's ``round_robin_mode`` option; blank (types from before) = the default."""
	if not label:
		return RoundRobinMode.FAIR_SHARE
	try:
		return MODE_LABELS[label]
	except KeyError:
		raise InvalidRule(f"Unknown round robin mode {label!r}", "round_robin_mode") from None


_KEYS = {RoundRobinMode.FAIR_SHARE: _fair_share, RoundRobinMode.MAXIMIZE_AVAILABILITY: _least_recent}


def _key(mode: RoundRobinMode | str):
	try:
		return _KEYS[RoundRobinMode(mode)]
	except ValueError:
		raise InvalidRule(f"Unknown round robin mode {mode!r}", "round_robin_mode") from None


def _scaled_fair_share(hosts: Sequence[HostSchedule]):
	"""``_fair_share`` with each share scaled by the weights' least common multiple: a whole
	number, so ranking a team compares integers instead of making and comparing a Fraction
	per host, in the same order (the scaling is the same for every host). None when the
	multiple is too large to be cheaper (many large, coprime weights)."""
	scale = math.lcm(*(host.weight for host in hosts))
	if scale.bit_length() > 128:
		return None

	def key(host: HostSchedule):
		return (
			-host.priority,
			(host.bookings_so_far + 1) * (scale // host.weight),
			host.last_booked_at or _NEVER,
			host.host,
		)

	return key


def rank_hosts(
	hosts: Sequence[HostSchedule], mode: RoundRobinMode | str = RoundRobinMode.FAIR_SHARE
) -> list[HostSchedule]:
	"""Hosts in the order round robin would choose them."""
	key = _key(mode)
	hosts = list(hosts)
	if key is _fair_share and hosts:
		key = _scaled_fair_share(hosts) or key
	return sorted(hosts, key=key)


class _Listed(NamedTuple):
	"""What ranking reads of a host nobody has booked yet in this count."""

	host: str
	priority: int
	weight: int
	bookings_so_far: int = 0
	last_booked_at: datetime | None = None


def page_order(
	hosts: Iterable[tuple[str, int, int]], mode: RoundRobinMode | str = RoundRobinMode.FAIR_SHARE
) -> list[str]:
	"""Host ids, from (host, priority, weight), in the order a slot read lists a start's free
	hosts: ``rank_hosts`` with no bookings counted (a read counts none; a booking counts
	them when it picks)."""
	return [listed.host for listed in rank_hosts([_Listed(*host) for host in hosts], mode)]


def pick_host(
	free: Iterable[str],
	hosts: Sequence[HostSchedule],
	mode: RoundRobinMode | str = RoundRobinMode.FAIR_SHARE,
) -> str:
	"""The host that gets a round-robin booking, among the ``free`` host ids."""
	key = _key(mode)
	free = set(free)
	candidates = [host for host in hosts if host.host in free]
	if not candidates:
		raise InvalidRule("No free host to assign", "hosts")
	return min(candidates, key=key).host
