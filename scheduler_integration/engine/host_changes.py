"""Hosts a change takes off a booking or puts on it, and what each still has to hear.

A round-robin booking moved to a time its host is not free at goes to another host of the
team; a manager may also edit a booking's hosts. The hosts who left keep nothing on the
booking's host rows (those rows are its busy time), so what the effects still have to
undo for them is kept here: their desk Events, their calendar events (connection, id),
and whether they were told the meeting is no longer theirs. The hosts who joined are to
be told of a meeting that is new to them.

The record is plain data (JSON on the booking):
``{"left": {user: {"events": [...], "calendar": [[connection, id], ...], "told": bool}},
"joined": {user: {"told": bool}}}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

LEFT, JOINED = "left", "joined"


def empty() -> dict:
	return {LEFT: {}, JOINED: {}}


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


def told(changes: Mapping, left: Iterable[str] = (), joined: Iterable[str] = ()) -> dict:
	"""The record with ``left`` told they lost the meeting and ``joined`` told of it (each
	in its own part: a host told of a new meeting is not thereby told they lost it)."""
	out = parsed(changes)
	for part, users in ((LEFT, left), (JOINED, joined)):
		for user in users:
			if user in out[part]:
				out[part][user]["told"] = True
	return out


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
