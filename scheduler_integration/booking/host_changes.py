"""The hosts a change took off a booking or put on it, kept on the booking
(``host_changes``, rules in ``engine.host_changes``) until the effects that follow have
done their part: the calendar effect removes the events it wrote in the calendars of the
hosts who left and the CRM effect closes their desk Events. It also keeps what each host
last heard of the booking, which the hosts' email brings up to the booking as it is
(``as_it_is``, ``keep_heard``)."""

from __future__ import annotations

import json
from collections.abc import Callable

import frappe

from scheduler_integration.booking.check import lock_hosts_of
from scheduler_integration.engine import host_changes as rules


def note(doc, before) -> None:
	"""On a change's save: the hosts it took off or put on (a new booking has none).
	``before`` is the booking as stored when the change took its locks (a move that let
	its early locks go catches up with what the effects stored meanwhile:
	``fields.catch_up``); the record itself is read with a lock, as the effects last left
	it (who was told, what was undone), never from the copy the change loaded."""
	if before is None:
		doc.host_changes = json.dumps(rules.fresh())  # nobody has heard of it yet
		return
	changes = frappe.db.get_value("Scheduler Booking", doc.name, "host_changes", for_update=True)
	was = {
		row.user: (row.get("event"), json.loads(row.get("calendar_events") or "{}"))
		for row in before.get("hosts") or []
		if row.user
	}
	now = [row.user for row in doc.get("hosts") or [] if row.user]
	if set(was) != set(now):
		changes = json.dumps(rules.noted(changes, was, now))
	doc.host_changes = changes


def of(doc) -> dict:
	return rules.parsed(doc.get("host_changes"))


def current(doc) -> dict | None:
	"""The record as stored, read under the booking's lock (after its hosts' profiles),
	while ``doc`` (what this effect run read) is still the booking as it is: None when a
	move committed since (its own effect rows follow it). Until this run's transaction ends
	no move of the booking can commit, so what it tells and marks is what holds."""
	lock_hosts_of(doc.name)
	stored = frappe.db.sql(
		"select sequence, host_changes from `tabScheduler Booking` where name = %s for update",
		(doc.name,),
		as_dict=True,
	)
	if not stored or int(stored[0].sequence or 0) != int(doc.sequence or 0):
		return None
	return rules.parsed(stored[0].host_changes)


def to_follow(doc) -> dict | None:
	"""The record an effect run follows: as it read it while it holds no change of hosts
	(nothing to lock for), else as stored under the booking's lock (``current``: None when
	a move committed since)."""
	changes = of(doc)
	if not (changes[rules.LEFT] or changes[rules.JOINED]):
		return changes
	return current(doc)


def update(doc, change: Callable[[dict], dict]) -> dict:
	"""Apply ``change`` to the record as stored, under the booking's lock (after its hosts'
	profiles: the one lock order), and keep the result on ``doc`` too."""
	lock_hosts_of(doc.name)
	stored = frappe.db.get_value("Scheduler Booking", doc.name, "host_changes", for_update=True)
	changes = change(rules.parsed(stored))
	doc.host_changes = json.dumps(changes)
	frappe.db.set_value(
		"Scheduler Booking", doc.name, "host_changes", doc.host_changes, update_modified=False
	)
	return changes


def as_it_is(doc):
	"""(the booking as it is, its record), the booking's row held until this transaction
	ends: no change of it commits before the hosts' email that follows has told it and
	kept what it told (``keep_heard``). A fresh read after the lock: this transaction's
	earlier reads would show the booking as it was when they ran (REPEATABLE READ), so it
	ends them first (an effect run has written nothing before it tells)."""
	frappe.db.commit()
	stored = frappe.db.get_value("Scheduler Booking", doc.name, "host_changes", for_update=True)
	return frappe.get_doc("Scheduler Booking", doc.name), rules.parsed(stored)


def keep_heard(doc, changes: dict, heard: dict) -> None:
	"""What each host heard, kept in ``changes`` (the record ``as_it_is`` read) on the
	booking's row it holds (no other lock: the hosts' profiles come before the booking in
	every change's lock order, and this takes none after it)."""
	doc.host_changes = json.dumps({**changes, rules.HEARD: heard})
	frappe.db.set_value(
		"Scheduler Booking", doc.name, "host_changes", doc.host_changes, update_modified=False
	)
