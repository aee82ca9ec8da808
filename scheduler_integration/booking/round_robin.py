"""Round robin's fairness input, kept as it changes instead of counted from all history.

The engine (``engine.teams``) gives a round-robin booking to the free host with the
lowest weighted share of the type's bookings so far, the least recently booked first. A
count over every booking a host ever had grows with history (a full scan of the host rows
on every round-robin booking of a site with a million bookings took seconds), so each
(meeting type, host) has one Scheduler Host Booking Count row: how many of its bookings
are not cancelled, and when the host last got one.

Every save and delete of a booking applies its own difference (``record``) in the same
transaction: what the booking counted for before the change is taken off, what it counts
for now is added. A new count row is only ever made by a booking being made or moved,
which holds its hosts' locks, so two transactions never insert the same row; a cancel
only lowers a row its booking made. ``rebuild`` counts from history once (the patch, and
for a meeting type whose counts are missing).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime

import frappe

from scheduler_integration.core.clock import converter
from scheduler_integration.core.rows import changed
from scheduler_integration.engine.statuses import Status

DOCTYPE = "Scheduler Host Booking Count"
TABLE = f"`tab{DOCTYPE}`"


def row_name(meeting_type: str, user: str) -> str:
	return hashlib.sha1(f"{meeting_type}\n{user}".encode()).hexdigest()[:32]


def counted(doc) -> Counter:
	"""What ``doc`` counts for: one per (meeting type, host) unless it is cancelled."""
	if doc is None or doc.get("status") == Status.CANCELLED or not doc.get("meeting_type"):
		return Counter()
	return Counter((doc.meeting_type, row.user) for row in doc.get("hosts") or [] if row.user)


def record(doc, before, deleted: bool = False) -> None:
	"""Apply the change from ``before`` (None: a new booking) to ``doc`` (gone when ``deleted``)."""
	delta = Counter() if deleted else counted(doc)
	delta.subtract(counted(before))
	when = doc.creation
	for (meeting_type, user), n in sorted(delta.items()):
		if n:
			_add(meeting_type, user, n, when)


def _add(meeting_type: str, user: str, n: int, when) -> None:
	name = row_name(meeting_type, user)
	frappe.db.sql(
		f"""update {TABLE} set bookings = greatest(0, cast(bookings as signed) + %(n)s),
			last_booked_at = if(%(n)s > 0, greatest(coalesce(last_booked_at, %(when)s), %(when)s), last_booked_at)
		where name = %(name)s""",
		{"name": name, "n": n, "when": when},
	)
	if n > 0 and not changed():
		now = frappe.utils.now()
		frappe.db.sql(
			f"""insert into {TABLE} (name, creation, modified, modified_by, owner, docstatus, idx,
				meeting_type, user, bookings, last_booked_at)
			values (%(name)s, %(now)s, %(now)s, 'Administrator', 'Administrator', 0, 0,
				%(type)s, %(user)s, %(n)s, %(when)s)""",
			{"name": name, "now": now, "type": meeting_type, "user": user, "n": n, "when": when},
		)


def stats(meeting_type: str, users) -> dict[str, tuple[int, datetime | None]]:
	"""{host: (bookings so far, last booked at)} for these hosts of ``meeting_type``."""
	users = list(users)
	if not users:
		return {}
	rows = frappe.db.sql(
		f"select user, bookings, last_booked_at from {TABLE} force index (meeting_type_user) "
		"where meeting_type = %(type)s and user in %(users)s",
		{"type": meeting_type, "users": tuple(users)},
	)
	to_utc = converter()
	return {user: (int(n or 0), to_utc(last) if last else None) for user, n, last in rows}


def rebuild(meeting_types=None) -> None:
	"""Count again from every booking (all meeting types, or these)."""
	where = "where b.meeting_type in %(types)s" if meeting_types else ""
	frappe.db.sql(
		f"delete from {TABLE} " + ("where meeting_type in %(types)s" if meeting_types else ""),
		{"types": tuple(meeting_types or ())},
	)
	rows = frappe.db.sql(
		f"""select b.meeting_type, h.user, count(*), max(b.creation)
		from `tabScheduler Booking Host` h join `tabScheduler Booking` b on b.name = h.parent
		{where} {"and" if where else "where"} h.parenttype = 'Scheduler Booking'
			and b.status != %(cancelled)s and ifnull(b.meeting_type, '') != '' and ifnull(h.user, '') != ''
		group by b.meeting_type, h.user""",
		{"types": tuple(meeting_types or ()), "cancelled": Status.CANCELLED.value},
	)
	for meeting_type, user, n, last in rows:
		_add(meeting_type, user, int(n), last)
