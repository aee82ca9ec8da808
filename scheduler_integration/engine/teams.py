"""Host assignment for round-robin meeting types.

Among the hosts free for a slot, the booking goes to, in order:

1. the highest ``priority``;
2. the host whose weighted share would stay lowest after taking this booking, i.e. the
   smallest ``(bookings_so_far + 1) / weight`` (D'Hondt-style: over many bookings each host
   receives bookings in proportion to its weight, exactly, not just on average);
3. the least recently booked host (never booked counts as least recent);
4. the host id, so the result is deterministic.

Collective types need every host, so nothing is chosen there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from fractions import Fraction

from .errors import InvalidRule
from .model import HostSchedule
from .timezones import UTC

_NEVER = datetime.min.replace(tzinfo=UTC)


def _key(host: HostSchedule):
	return (
		-host.priority,
		Fraction(host.bookings_so_far + 1, host.weight),
		host.last_booked_at or _NEVER,
		host.host,
	)


def rank_hosts(hosts: Sequence[HostSchedule]) -> list[HostSchedule]:
	"""Hosts in the order round robin would choose them."""
	return sorted(hosts, key=_key)


def pick_host(free: Iterable[str], hosts: Sequence[HostSchedule]) -> str:
	"""The host that gets a round-robin booking, among the ``free`` host ids."""
	free = set(free)
	candidates = [host for host in hosts if host.host in free]
	if not candidates:
		raise InvalidRule("No free host to assign", "hosts")
	return min(candidates, key=_key).host
