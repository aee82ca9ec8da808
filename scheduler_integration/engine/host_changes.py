"""Hosts a change takes off a booking or puts on it, and what each host last heard of it.

A round-robin booking moved to a time its host is not free at goes to another host of the
team; a manager may also edit a booking's hosts. The hosts who left keep nothing on the
booking's host rows (those rows are its busy time), so what the effects still have to
undo for them is kept here: their desk Events and their calendar events (connection, id).

What each host was last told is kept too (``heard``): the meeting's time (``state``), or
that it is off for them (``OFF``). The hosts' email compares it with the booking as it is
(``news``): a host who heard nothing hears of a new meeting, one who heard another time of
a move, one who heard of it and no longer has it that it is passed on (or cancelled), one
who heard this very time nothing. However many moves come before the email runs, and in
whatever order its runs find them, each host hears the meeting as it is, once.

The record is plain data (JSON on the booking):
``{"left": {user: {"events": [...], "calendar": [[connection, id], ...], "told": bool}},
"joined": {user: {"told": bool}}, "heard": {user: state or ""}}``. A record without
``heard`` is from before it was kept: its ``told`` flags say who still had news due
(``heard_of``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from scheduler_integration.engine.statuses import Status

LEFT, JOINED, HEARD = "left", "joined", "heard"
OFF = ""  # heard the meeting is off for them
EARLIER = "earlier"  # heard an earlier time (a record from before ``heard`` was kept)


def empty() -> dict:
	return {LEFT: {}, JOINED: {}}


def fresh() -> dict:
	"""A new booking's record: nobody has heard of it yet."""
	return {**empty(), HEARD: {}}


def parsed(value) -> dict:
	"""The record as stored (a dict, JSON text or nothing), every part present."""
	if isinstance(value, str):
		try:
			value = json.loads(value) if value.strip() else None
		except ValueError:
			value = None
	out = empty()
	if isinstance(value, Mapping):
		for part in (LEFT, JOINED):
			if isinstance(value.get(part), Mapping):
				out[part] = {str(u): dict(e) for u, e in value[part].items() if isinstance(e, Mapping)}
		if isinstance(value.get(HEARD), Mapping):
			out[HEARD] = {str(u): str(state) for u, state in value[HEARD].items() if isinstance(state, str)}
	return out


def noted(changes: Mapping, was: Mapping[str, tuple[str | None, Mapping]], now: Iterable[str]) -> dict:
	"""The record after a change from the hosts ``was`` (user -> (desk Event, {connection:
	calendar event id})) to the users ``now``.

	- A host who leaves is to be told, and their Event and calendar events undone. One who
	  joined and leaves again before hearing of it is told nothing.
	- A host who joins is to be told of a new meeting; one who left and comes back before
	  hearing of it is told nothing of either (they hear of the move as a host who stayed).
	"""
	out = parsed(changes)
	now = set(now)
	for user in sorted(set(was) - now):
		event, calendar = was[user]
		entry = out[LEFT].setdefault(user, {"events": [], "calendar": [], "told": False})
		entry.setdefault("events", [])
		entry.setdefault("calendar", [])
		if event:
			entry["events"].append(event)
		entry["calendar"] += [[connection, event_id] for connection, event_id in calendar.items() if event_id]
		joined = out[JOINED].pop(user, None)
		# never told they joined: nothing to take back
		entry["told"] = bool(joined and not joined.get("told"))
	for user in sorted(now - set(was)):
		entry = out[LEFT].get(user)
		if entry and not entry.get("told"):
			entry["told"] = True  # never told they left: they stayed, as far as they know
		else:
			out[JOINED][user] = {"told": False}
	return out


def untold(changes: Mapping, hosts: Iterable[str]) -> tuple[list[str], list[str]]:
	"""(hosts who left and were not told, hosts who joined and were not told), given the
	booking's hosts now."""
	hosts = set(hosts)
	left = sorted(u for u, e in changes[LEFT].items() if not e.get("told") and u not in hosts)
	joined = sorted(u for u, e in changes[JOINED].items() if not e.get("told") and u in hosts)
	return left, joined


def without(changes: Mapping, user: str, key: str, item=None) -> dict:
	"""The record with ``item`` (all, when None) taken out of a left host's ``key`` list
	(their ``events`` or ``calendar``): undone."""
	out = parsed(changes)
	entry = out[LEFT].get(user)
	if entry is not None:
		entry[key] = [] if item is None else [x for x in entry.get(key, []) if x != item]
	return out


def to_undo(changes: Mapping, key: str) -> list[tuple[str, object]]:
	"""(user, item) of every left host's ``key`` list still to undo."""
	return [(user, item) for user, entry in sorted(changes[LEFT].items()) for item in entry.get(key, [])]


def state(status: str, start, end) -> str | None:
	"""What a host hears of the meeting: its time while it is pending or confirmed, else
	None, off (a cancelled one; a paid booking's hold is no meeting yet)."""
	if status not in (Status.PENDING.value, Status.CONFIRMED.value):
		return None
	return f"{start}/{end}"


def heard_of(changes: Mapping, hosts: Iterable[str], new: bool) -> dict[str, str]:
	"""What each host last heard (user -> state or OFF; absent: nothing). A record from
	before this was kept: nothing of a ``new`` booking's news, else an earlier time for
	every host but one who joined untold, and for one who left untold."""
	if HEARD in changes:
		return dict(changes[HEARD])
	if new:
		return {}
	hosts = list(hosts)
	left, joined = untold(changes, hosts)
	return {user: EARLIER for user in [*hosts, *left] if user not in joined}


def news(
	heard: Mapping[str, str], hosts: Iterable[str], now: str | None, new: str, off: str
) -> dict[str, str]:
	"""user -> the news that makes what they heard the meeting as it is: ``now`` (its state,
	None when it is off). A host who heard nothing of it (or that it was off) hears ``new``,
	one who heard another time "rescheduled"; one who heard of it and no longer has it
	(or all such, when it is off) hears ``off``; one who never heard of it, nothing."""
	hosts = list(hosts) if now is not None else []
	out = {}
	for user in hosts:
		was = heard.get(user)
		if not was:
			out[user] = new
		elif was != now:
			out[user] = "rescheduled"
	for user, was in heard.items():
		if was and user not in hosts:
			out[user] = off
	return out


def heard_now(heard: Mapping[str, str], hosts: Iterable[str], now: str | None) -> dict[str, str]:
	"""What each host has heard once ``news`` went out."""
	out = {user: OFF for user in heard}
	if now is not None:
		out.update({user: now for user in hosts})
	return out
