"""Caps on guest bookings that do not depend on the client's IP address (which a client
can spoof where the server trusts ``X-Forwarded-For``): per guest email per hour, per host
per hour and per meeting type per day (Scheduler Settings; 0 = no cap), counting bookings
made through the public pages (``GUEST_SOURCES``) whatever their status now. (The bot
checks, the other limit that needs no IP, are ``booking.bot_check`` and ``booking.captcha``.)

They are taken atomically, so N simultaneous requests never get past a cap, and given back
when the booking's transaction rolls back (a refusal, or a deadlock the API runs again), so
a refused guest's retry is not refused for it.

The caps are sliding windows in Redis: one sorted set per email, per meeting type and
per host, of the bookings (``b:<name>``) scored by the time they were taken. One Lua script,
atomic in Redis, takes every cap of a booking at once: it drops what is older than each
window, counts, and only when every cap still has room adds the booking to all of them, so
a booking refused by one cap holds no place in another. A request passes twice:

1. ``check_guest_caps``, before the booking is made: the same script without adding
   anything, so a flood at a full cap is refused before it costs a booking check;
2. ``GuestCaps.take``, after the insert, before the commit: the atomic check-and-add. By
   then the booking passed its slot check (a request answered 409 never took a place, not
   even for a moment) and its hosts are known (round robin picks one); the hosts' locks of
   the booking check are held (a round-robin booking's: its picked host's), and the script
   is atomic, so the per-host count is exact. The rollback removes the booking from the
   windows again.

The hosts cap counts the distinct bookings of the meeting type's candidate hosts against
the cap times their number (a collective booking is one booking), as before; a booking is
added to the windows of its own hosts only.

Redis is not the record: a window whose key is missing (first use, expired, a Redis flush or
restart, or new Scheduler Settings — the key names carry the settings' version, because a
cap switched off records nothing) is first seeded from the database: the committed guest
bookings of that email, type or host inside the window, one indexed range read bounded by
the window (indexes: ``scheduler_booking.on_doctype_update``,
``scheduler_booking_host.on_doctype_update``). A seeded key keeps a sentinel member, so an
empty window is not read again. What this gives up, knowingly: a booking deleted from the
database keeps counting until it leaves its window (a cap counts what was booked); a
request in flight when Redis loses its keys is missing from the seed (one flush can let that
many past a cap, once); a worker killed between ``take`` and the commit leaves its place
taken until the window passes it.

On the common path this costs two Redis round trips and no query at all.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import frappe
from frappe import _

from scheduler_integration.booking.errors import TooManyBookings
from scheduler_integration.booking.meeting_types import TypeContext
from scheduler_integration.core.clock import converter, to_system, to_utc
from scheduler_integration.core.settings import setting

GUEST_SOURCES = ("booking_page", "report")
HOUR, DAY = 3600, 86400
PREFIX = "scheduler_integration:caps:"

# KEYS: the windows. ARGV[1]: {"now", "member", "groups": [{"count": [i…], "add": [i…],
# "since", "cap", "window"}], "seeds": {"i": {"ttl", "rows": [[score, member]…]}}}; without
# a member it only counts (a missing window counts as empty), with one it also adds it when
# every cap has room.
# Returns {"missing", "[i…]"} (windows to seed first), {"full", "g", "seconds"} or {"ok"}.
TAKE = """
local req = cjson.decode(ARGV[1])
local adding = req.member ~= ''
local missing = {}
for i, key in ipairs(KEYS) do
	if redis.call('EXISTS', key) == 0 then
		local seed = req.seeds[tostring(i)]
		if seed then
			redis.call('ZADD', key, 'inf', '~')
			for _, row in ipairs(seed.rows) do
				redis.call('ZADD', key, row[1], row[2])
			end
			redis.call('EXPIRE', key, seed.ttl)
		elseif adding then
			table.insert(missing, i)
		end
	end
end
if #missing > 0 then
	return {'missing', cjson.encode(missing)}
end
for g, group in ipairs(req.groups) do
	local seen, scores = {}, {}
	for _, i in ipairs(group.count) do
		redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', group.since)
		local rows = redis.call('ZRANGEBYSCORE', KEYS[i], '(' .. group.since, '(inf', 'WITHSCORES')
		for j = 1, #rows, 2 do
			local member = rows[j]
			if member ~= req.member and not seen[member] then
				seen[member] = true
				table.insert(scores, tonumber(rows[j + 1]))
			end
		end
	end
	if #scores >= group.cap then
		table.sort(scores)
		return {'full', tostring(g), tostring(scores[#scores - group.cap + 1] + group.window - req.now)}
	end
end
if adding then
	for _, group in ipairs(req.groups) do
		for _, i in ipairs(group.add) do
			redis.call('ZADD', KEYS[i], req.now, req.member)
			redis.call('EXPIRE', KEYS[i], group.window + 60)
		end
	end
end
return {'ok'}
"""

_scripts: dict = {}


def _take_script():
	"""The Lua script registered on the current Redis client (its SHA is computed once)."""
	client = frappe.cache
	found = _scripts.get("take")
	if found is None or found[0] is not client:
		found = _scripts["take"] = (client, client.register_script(TAKE))
	return found[1]


def _text(value) -> str:
	return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class _Cap:
	"""One cap: its windows (Redis keys, one per subject) and how each is seeded."""

	kind: str  # email | type | host
	limit: int
	window: int  # seconds
	subjects: list[str]  # the email's digest, the meeting type, or the candidate hosts
	seed: Callable[[str, datetime], list[tuple[float, str]]]

	def message(self) -> str:
		return {
			"email": _("Too many bookings from this email address; please try again later"),
			"type": _("This meeting type takes no more bookings today; please try again tomorrow"),
			"host": _("This host takes no more bookings right now; please try again later"),
		}[self.kind]


@dataclass
class GuestCaps:
	"""The caps of one guest request; ``take`` them for its booking before the commit."""

	caps: list[_Cap]
	now: datetime
	space: str
	taken: list[bytes] = field(default_factory=list)
	member: str = ""

	def key(self, cap: _Cap, subject: str) -> bytes:
		return frappe.cache.make_key(f"{self.space}{cap.kind}:{subject}")

	def take(self, booking) -> None:
		"""Add ``booking`` (inserted, not committed) to every cap's window, or raise
		TooManyBookings; the transaction's rollback takes it out again."""
		if not self.caps or to_utc(booking.creation) < self.now:
			return  # no cap, or an idempotent replay answered with an earlier booking
		hosts = {row.user for row in booking.get("hosts") or []}
		self.member = "b:" + booking.name
		self.taken = self._run(self.member, hosts)
		frappe.db.after_rollback.add(self._release)

	def _release(self) -> None:
		pipe = frappe.cache.pipeline()
		for key in self.taken:
			pipe.zrem(key, self.member)
		pipe.execute()
		self.taken = []

	def _run(self, member: str, hosts: set[str]) -> list[bytes]:
		"""Run the script (seeding missing windows when adding); returns the keys added to."""
		keys, seeders, groups = [], [], []
		for cap in self.caps:
			group = {"count": [], "add": [], "since": self.now.timestamp() - cap.window}
			group.update(cap=cap.limit, window=cap.window)
			for subject in cap.subjects:
				keys.append(self.key(cap, subject))
				seeders.append((cap, subject))
				group["count"].append(len(keys))
				if cap.kind != "host" or subject in hosts:
					group["add"].append(len(keys))
			if cap.kind == "host":  # a host the candidates did not name (never for a guest)
				for subject in sorted(hosts - set(cap.subjects)):
					keys.append(self.key(cap, subject))
					seeders.append((cap, subject))
					group["add"].append(len(keys))
			groups.append(group)
		request = {"now": self.now.timestamp(), "member": member, "groups": groups, "seeds": {}}
		script = _take_script()
		for _attempt in range(3):  # a window can go missing again between two calls (a flush)
			reply = [_text(part) for part in script(keys=keys, args=[json.dumps(request)])]
			if reply[0] != "missing":
				break
			for index in json.loads(reply[1]):
				cap, subject = seeders[index - 1]
				rows = cap.seed(subject, self.now - timedelta(seconds=cap.window))
				request["seeds"][str(index)] = {"ttl": cap.window + 60, "rows": rows}
		else:
			raise RuntimeError("booking caps: the windows kept going missing")  # Redis is failing
		if reply[0] == "full":
			cap = self.caps[int(reply[1]) - 1]
			raise TooManyBookings(cap.message(), retry_after=max(1, math.ceil(float(reply[2]))))
		return [keys[i - 1] for group in groups for i in group["add"]] if member else []


def _namespace() -> str:
	# a cap switched off records nothing: windows kept from before a settings change would
	# miss those bookings, so new settings start new windows (seeded from the database)
	version = str(setting("modified") or "")
	return PREFIX + hashlib.sha256(version.encode()).hexdigest()[:12] + ":"


def check_guest_caps(ctx: TypeContext, guest_email: str, now: datetime) -> GuestCaps:
	"""Raise TooManyBookings (429, with ``retry_after``: seconds until that window has room)
	when a cap is already full; otherwise the caps to ``take`` for the booking once it is
	inserted, before the commit."""
	caps = []
	per_email = int(setting("booking_rate_limit") or 0)
	if per_email:
		email = (guest_email or "").strip().lower()
		digest = hashlib.sha256(email.encode()).hexdigest()[:32]
		caps.append(
			_Cap("email", per_email, HOUR, [digest], lambda _digest, since: _seed_email(email, since))
		)
	# a group session fills many seats of one slot at once: its type's and hosts' caps count
	# slots' worth of seats, not single guests
	seats = max(1, ctx.policy.seats)
	per_type = int(setting("bookings_per_type_per_day") or 0)
	if per_type:
		caps.append(_Cap("type", per_type * seats, DAY, [ctx.name], _seed_type))
	per_host = int(setting("bookings_per_host_per_hour") or 0)
	hosts = sorted(set(ctx.hosts))
	if per_host and hosts:
		caps.append(_Cap("host", per_host * len(hosts) * seats, HOUR, hosts, _seed_host))
	held = GuestCaps(caps, now, _namespace())
	if caps:
		held._run("", set())
	return held


# The seeds: committed guest bookings inside a window, each read as a range of an index that
# starts with the window's subject and then ``creation`` (never rows older than the window).


def _rows(rows) -> list[tuple[float, str]]:
	convert = converter()
	return [(convert(created).timestamp(), "b:" + name) for name, created in rows]


def _seed_email(email: str, since: datetime) -> list[tuple[float, str]]:
	return _rows(
		frappe.db.sql(
			"""select name, creation from `tabScheduler Booking`
			where guest_email = %(email)s and creation > %(since)s and source in %(sources)s""",
			{"email": email, "since": to_system(since), "sources": GUEST_SOURCES},
		)
	)


def _seed_type(meeting_type: str, since: datetime) -> list[tuple[float, str]]:
	return _rows(
		frappe.db.sql(
			"""select name, creation from `tabScheduler Booking`
			where meeting_type = %(type)s and creation > %(since)s and source in %(sources)s""",
			{"type": meeting_type, "since": to_system(since), "sources": GUEST_SOURCES},
		)
	)


def _seed_host(user: str, since: datetime) -> list[tuple[float, str]]:
	# a host row is made with its booking or later (a host added on a move), so the row's
	# own creation bounds the range and the booking's creation decides
	return _rows(
		frappe.db.sql(
			"""select distinct b.name, b.creation from `tabScheduler Booking Host` h
			join `tabScheduler Booking` b on b.name = h.parent
			where h.user = %(user)s and h.creation > %(since)s and h.parenttype = 'Scheduler Booking'
				and b.creation > %(since)s and b.source in %(sources)s""",
			{"user": user, "since": to_system(since), "sources": GUEST_SOURCES},
		)
	)
