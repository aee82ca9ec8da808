"""Bookings of several meetings: a multi-day booking (a workshop's days) or a recurring
series, on the Frappe side (which starts they unfold into is ``engine.occurrences``).

Every meeting is a Scheduler Booking of its own, made, moved and cancelled through the one
checked path of any booking, all in one transaction; they link to one Scheduler Booking
Series, which the hosts see as the series. The first meeting (``series_index`` 0) carries
what is said once: its confirmation lists every meeting, and a multi-day booking's
reminders and CRM records come from its first day only.

- ``plan`` reads (without locks) which meetings are free and, for round robin, the host of
  them all (the one free for the most); the inserts then check each meeting under the
  hosts' lock like any booking, so a plan that a race overtook ends in a 409.
- A multi-day booking, and a series booked all-or-nothing, is made whole or not at all; a
  series that skips taken meetings books the free ones (its first one must be free).
- A guest's reschedule of a multi-day booking moves all its days (``move_days``); each
  day's check then leaves the booking's other days out, which move with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import frappe
from frappe import _

from scheduler_integration.booking.errors import ChangeRefused
from scheduler_integration.booking.load import schedules
from scheduler_integration.booking.meeting_types import TypeContext
from scheduler_integration.engine import Assignment, Refusal, SlotCheck
from scheduler_integration.engine.availability import HostCalendar
from scheduler_integration.engine.booking_states import ACTIVE, is_active
from scheduler_integration.engine.occurrences import (
	FREQUENCY_LABELS,
	Occurrences,
	check_occurrences,
	occurrence_starts,
	series_hosts,
)

SERIES = "Scheduler Booking Series"


@dataclass(frozen=True)
class Plan:
	rule: Occurrences
	checks: list  # engine SlotCheck per meeting (fewer than the rule's count: no days left)
	hosts: list[str] | None  # round robin: the one host of every meeting
	skip_taken: bool

	@property
	def complete(self) -> bool:
		return len(self.checks) == self.rule.count and all(check.offered for check in self.checks)


def plan(ctx: TypeContext, rule: Occurrences, start: datetime, now: datetime, subset=None) -> Plan:
	"""Which meetings of a booking at ``start`` are free now (read without locks).
	``subset``: among these of the type's hosts only (a personal link's rep, a routing
	decision's hosts; a collective meeting keeps every host), as for a single booking."""
	users = ctx.hosts
	if subset and ctx.assignment is not Assignment.COLLECTIVE:
		users = [host for host in ctx.hosts if host in set(subset)]
	found = schedules(ctx, start, start + rule.reach() + ctx.policy.reach, users=users)
	checks = check_occurrences(found, ctx.policy, rule, start, now, ctx.assignment)
	hosts = None
	if ctx.assignment is Assignment.ROUND_ROBIN:
		ranked = series_hosts(checks, found, ctx.policy.round_robin_mode)
		hosts = ranked[:1] or None
		if hosts:  # each meeting offered only with that host counts as free
			checks = [
				check
				if check.offered and hosts[0] in check.hosts
				else SlotCheck(check.start, False, (), check.reason or Refusal.CONFLICT)
				for check in checks
			]
	skip = not rule.multi_day and (ctx.doc.get("series_booking") or "") == "Skip Taken Ones"
	return Plan(rule, checks, hosts, skip)


def open_series(ctx: TypeContext, rule: Occurrences, guest: dict) -> str:
	"""The Scheduler Booking Series record the meetings will link to."""
	doc = frappe.get_doc(
		{
			"doctype": SERIES,
			"kind": "Multi-day" if rule.multi_day else "Recurring",
			"meeting_type": ctx.name,
			"host": ctx.owner,
			"guest_name": guest.get("guest_name"),
			"guest_email": guest.get("guest_email"),
			"frequency": FREQUENCY_LABELS[rule.repeat],
			"title": f"{ctx.doc.title}: {guest.get('guest_name') or ''}"[:140],
		}
	)
	doc.flags.ignore_permissions = True
	doc.insert()
	return doc.name


def refresh(series: str) -> None:
	"""Keep the series record in step with its meetings."""
	rows = frappe.get_all(
		"Scheduler Booking",
		filters={"series": series},
		fields=["status", "start", "end", "host"],
		order_by="series_index asc",
	)
	active = [row for row in rows if is_active(row.status)]
	if not rows:
		return
	if not active:
		status = "Cancelled" if all(row.status == "Cancelled" for row in rows) else "Finished"
	else:
		status = "Active" if len(active) == len(rows) else "Partly Cancelled"
	frappe.db.set_value(
		SERIES,
		series,
		{
			"status": status,
			"occurrences": len(active) or len(rows),
			"first_start": rows[0].start,
			"last_end": rows[-1].end,
			"host": rows[0].host,
		},
		update_modified=False,
	)


def meetings(series: str, statuses=ACTIVE) -> list[str]:
	"""The series' meetings in ``statuses``, in order."""
	return frappe.get_all(
		"Scheduler Booking",
		filters={"series": series, "status": ("in", list(statuses))},
		pluck="name",
		order_by="series_index asc",
	)


def kind(series: str | None) -> str | None:
	return frappe.db.get_value(SERIES, series, "kind") if series else None


def follows(doc) -> bool:
	"""A later day of a multi-day booking: said once by its first day (reminders, CRM)."""
	return (
		bool(doc.get("series")) and int(doc.get("series_index") or 0) > 0 and kind(doc.series) == "Multi-day"
	)


def later_meeting(doc) -> bool:
	"""A meeting after the first of a series or multi-day booking: the first one's
	confirmation already lists it."""
	return bool(doc.get("series")) and int(doc.get("series_index") or 0) > 0


def starts_of_days(doc, start: datetime, ctx: TypeContext) -> list[datetime]:
	"""The new start of every day of ``doc``'s multi-day booking when its first day moves to
	``start`` (refused when a day would not exist)."""
	rule = ctx.multi_day
	host = schedules(ctx, start, start + rule.reach() + ctx.policy.reach, users=[doc.host])[0]
	starts = occurrence_starts(rule, start, host.availability.timezone, [HostCalendar(host.availability)])
	if len(starts) != rule.count or any(moment is None for moment in starts):
		raise ChangeRefused(_("The days of this booking cannot all move to that time"), "not_allowed")
	return starts


def moved_together(doc) -> tuple[str, ...]:
	"""The bookings a move of ``doc`` moves: a multi-day booking's days, else ``doc``."""
	if doc.get("series") and kind(doc.series) == "Multi-day":
		return tuple(meetings(doc.series)) or (doc.name,)
	return (doc.name,)


def day_docs(doc) -> list:
	"""Every active day of ``doc``'s multi-day booking, first day first (documents)."""
	return [frappe.get_doc("Scheduler Booking", name) for name in meetings(doc.series)]
