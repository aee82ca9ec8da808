"""Booking statuses, who may move a booking from one status to another, and when.

One definition of the statuses for the whole app. A booking is *active* (it occupies its
hosts' time) while Pending or Confirmed.

Transitions (``TRANSITIONS``), by actor:

| from \\ to   | Pending | Confirmed    | Cancelled            | Completed        | No Show        |
|-------------|---------|--------------|----------------------|------------------|----------------|
| (new)       | G H S   | G H S        |                      |                  |                |
| Pending     |         | H S          | G H S (decline, expiry) |               |                |
| Confirmed   |         |              | G H S                | H S (after start) | H (after start) |
| Completed   |         |              |                      |                  | H (correction) |
| No Show     |         |              |                      | H (correction)   |                |
| Cancelled   | terminal: nothing                                                          |||||

G = guest (manage link or booking page), H = host or manager (desk, REST, host API),
S = the system (jobs). Completed and No Show describe a meeting that happened, so they
need ``now >= start``. A guest's cancel needs the meeting type's cancel notice
(``booking_rules.change_allowed``); a host's does not.

Moving a booking (a new start, end, host or meeting type) is allowed only while it is
active, for a guest only within the reschedule notice; the move itself is then checked
for availability like a new booking (``slots.check_slot``), except that a host may not be
held to the meeting type's notice and horizon (``policy_for``).

``lifecycle_event`` names what a change *was* (booked, pending, confirmed, declined,
cancelled, rescheduled, completed, no_show): effects and automations key on it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum

from .booking_rules import change_allowed
from .errors import SchedulingError
from .i18n import _
from .model import SlotPolicy
from .statuses import ACTIVE, FINISHED, STATUSES, Status

__all__ = [
	"ACTIVE",
	"EVENTS",
	"FINISHED",
	"STATUSES",
	"TRANSITIONS",
	"Actor",
	"Status",
	"TransitionRefused",
	"check_move",
	"check_transition",
	"is_active",
	"lifecycle_event",
	"policy_for",
]


class Actor(str, Enum):
	GUEST = "guest"
	HOST = "host"
	SYSTEM = "system"


G, H, S = Actor.GUEST, Actor.HOST, Actor.SYSTEM
NEW = None
PENDING, CONFIRMED, CANCELLED, COMPLETED, NO_SHOW = STATUSES
TRANSITIONS: dict[tuple[str | None, str], frozenset[Actor]] = {
	(NEW, PENDING): frozenset({G, H, S}),
	(NEW, CONFIRMED): frozenset({G, H, S}),
	(PENDING, CONFIRMED): frozenset({H, S}),
	(PENDING, CANCELLED): frozenset({G, H, S}),
	(CONFIRMED, CANCELLED): frozenset({G, H, S}),
	(CONFIRMED, COMPLETED): frozenset({H, S}),
	(CONFIRMED, NO_SHOW): frozenset({H}),
	(COMPLETED, NO_SHOW): frozenset({H}),
	(NO_SHOW, COMPLETED): frozenset({H}),
}
NEEDS_STARTED = frozenset(FINISHED)


class TransitionRefused(SchedulingError):
	"""The change is not allowed (``reason``: not_allowed, not_started, notice, inactive)."""

	def __init__(self, message: str, reason: str, *args):
		super().__init__(message, "status", *args)
		self.reason = reason


def is_active(status) -> bool:
	return str(status) in ACTIVE


def check_transition(
	before: str | None,
	after: str,
	actor: Actor,
	*,
	start: datetime,
	now: datetime,
	cancel_notice: int = 0,
) -> None:
	"""Raise ``TransitionRefused`` unless ``actor`` may take a booking from ``before``
	(None: a new booking) to ``after``. No change of status is always allowed."""
	if before == after:
		return
	if after not in STATUSES:
		raise TransitionRefused(_("{0} is not a booking status"), "not_allowed", after)
	actors = TRANSITIONS.get((before, after), frozenset())
	if actor not in actors:
		if before is None:
			raise TransitionRefused(_("A new booking cannot be {0}"), "not_allowed", after)
		raise TransitionRefused(_("A booking that is {0} cannot become {1}"), "not_allowed", before, after)
	if after in NEEDS_STARTED and now < start:
		raise TransitionRefused(
			_("A meeting can be marked {0} only once it has started"), "not_started", after
		)
	if actor is G and after == CANCELLED and not change_allowed(start, now, cancel_notice):
		raise TransitionRefused(
			_("This booking can no longer be cancelled online; please contact the host"), "notice"
		)


def check_move(status: str, actor: Actor, *, old_start: datetime, now: datetime, reschedule_notice: int = 0):
	"""Raise ``TransitionRefused`` unless a booking in ``status`` may be moved by ``actor``."""
	if not is_active(status):
		raise TransitionRefused(_("A booking that is {0} cannot be moved"), "inactive", status)
	if actor is G and not change_allowed(old_start, now, reschedule_notice):
		raise TransitionRefused(
			_("This booking can no longer be rescheduled online; please contact the host"), "notice"
		)


def policy_for(policy: SlotPolicy, actor: Actor) -> SlotPolicy:
	"""The slot policy a change by ``actor`` is held to.

	Guests get the meeting type's policy as it is. Hosts (and the system) may book at short
	notice and beyond the horizon — they know their own calendar — but never in the past:
	notice 0 keeps ``start >= now``. Working hours, buffers, limits and conflicts still apply.
	"""
	if actor is G:
		return policy
	return dataclasses.replace(policy, min_notice=0, max_advance_days=None)


def lifecycle_event(
	before_status: str | None,
	after_status: str,
	*,
	moved: bool = False,
	by_guest: bool = False,
) -> str | None:
	"""What a saved change was, for effects: None when nothing worth telling happened."""
	if before_status is None:
		return "pending" if after_status == PENDING else "booked"
	if after_status != before_status:
		if before_status == PENDING and after_status == CONFIRMED:
			return "confirmed"
		if before_status == PENDING and after_status == CANCELLED and not by_guest:
			return "declined"
		return {CANCELLED: "cancelled", COMPLETED: "completed", NO_SHOW: "no_show"}.get(after_status)
	if moved and is_active(after_status):
		return "rescheduled"
	return None


# every lifecycle event, in the order a booking can meet them
EVENTS = ("booked", "pending", "confirmed", "rescheduled", "declined", "cancelled", "completed", "no_show")
