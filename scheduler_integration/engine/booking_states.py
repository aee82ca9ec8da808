"""Booking statuses, who may move a booking from one status to another, and when.

One definition of the statuses for the whole app. A booking is *active* (it occupies its
hosts' time) while Pending, Confirmed or Awaiting Payment.

Transitions (``TRANSITIONS``), by actor:

| from \\ to        | Pending | Confirmed    | Cancelled               | Completed         | No Show         | Awaiting Payment |
|------------------|---------|--------------|-------------------------|-------------------|-----------------|------------------|
| (new)            | G H S   | G H S        |                         |                   |                 | G S              |
| Awaiting Payment | S (paid) | S (paid)   | G H S (expiry: S)       |                   |                 |                  |
| Pending          |         | H S          | G H S (decline, expiry) |                   |                 |                  |
| Confirmed        |         |              | G H S                   | H S (after start) | H (after start) |                  |
| Completed        |         |              |                         |                   | H (correction)  |                  |
| No Show          |         |              |                         | H (correction)    |                 |                  |
| Cancelled        | terminal: nothing                                                                          ||||||

G = guest (manage link or booking page), H = host or manager (desk, REST, host API),
S = the system (jobs, the payment gateway's report). Completed and No Show describe a
meeting that happened, so they need ``now >= start``. A guest's cancel needs the meeting
type's cancel notice (``booking_rules.change_allowed``); a host's does not, nor does
giving up a booking that still awaits its payment.

*Awaiting Payment* is a guest's booking of a paid type while the guest pays
(``payments``): it holds the time like a pending booking; only the system moves it on,
to Confirmed (or Pending when the host confirms bookings) when the gateway reports the
payment, to Cancelled when the hold ends unpaid. A guest cannot move it before paying.

Moving a booking (a new start, end, host or meeting type) is allowed only while it is
active, for a guest only within the reschedule notice (and not while it awaits its
payment); the move itself is then checked for availability like a new booking
(``slots.check_slot``), except that a host may not be held to the meeting type's notice
and horizon (``policy_for``).

The desk offers a booking's changes as actions (``ACTIONS``: confirm, decline, cancel,
mark_completed, mark_no_show); ``actions_for`` says which of them an actor may take on a
booking now, and why each other one the table allows from its status must wait (a
meeting marked Completed or No Show before it started), so a form offers what will be
accepted and never repeats these rules itself.

``lifecycle_event`` names what a change *was* (booked, pending, confirmed, declined,
cancelled, rescheduled, completed, no_show; for paid bookings awaiting_payment,
hold_expired, hold_cancelled, and late_payment for a payment that came after the hold):
effects and automations key on it. A payment that confirms a booking is ``booked`` (or
``pending``): the same effects as any new booking.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum

from .booking_rules import change_allowed
from .errors import SchedulingError
from .i18n import _
from .model import SlotPolicy
from .statuses import ACTIVE, AWAITING_PAYMENT, FINISHED, STATUSES, Status

__all__ = [
	"ACTIONS",
	"ACTIVE",
	"AWAITING_PAYMENT",
	"EVENTS",
	"FINISHED",
	"HOLD_EVENTS",
	"STATUSES",
	"TRANSITIONS",
	"Actor",
	"Status",
	"TransitionRefused",
	"actions_for",
	"check_move",
	"check_transition",
	"is_active",
	"lifecycle_event",
	"may_become",
	"policy_for",
]


class Actor(str, Enum):
	GUEST = "guest"
	HOST = "host"
	SYSTEM = "system"


G, H, S = Actor.GUEST, Actor.HOST, Actor.SYSTEM
NEW = None
PENDING, CONFIRMED, CANCELLED, COMPLETED, NO_SHOW, AWAITING = STATUSES
TRANSITIONS: dict[tuple[str | None, str], frozenset[Actor]] = {
	(NEW, PENDING): frozenset({G, H, S}),
	(NEW, CONFIRMED): frozenset({G, H, S}),
	# a paid type's guest booking waits for its payment; only the system moves it on
	(NEW, AWAITING): frozenset({G, S}),
	(AWAITING, CONFIRMED): frozenset({S}),
	(AWAITING, PENDING): frozenset({S}),
	(AWAITING, CANCELLED): frozenset({G, H, S}),
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
	if (
		actor is G
		and after == CANCELLED
		and before != AWAITING
		and not change_allowed(start, now, cancel_notice)
	):
		raise TransitionRefused(
			_("This booking can no longer be cancelled online; please contact the host"), "notice"
		)


def may_become(before: str, after: str, *, decline: bool = False) -> bool:
	"""Whether ``TRANSITIONS`` lets anyone take a booking from ``before`` to ``after``: the
	first question of an action on a booking (cancel, confirm, …); the actor, the time and
	the notice are checked when the change is saved (``check_transition``). A decline is the
	cancel of a request nobody confirmed yet (``lifecycle_event``: Pending → Cancelled)."""
	if decline and (before, after) != (PENDING, CANCELLED):
		return False
	return bool(TRANSITIONS.get((before, after)))


# the desk's actions on a booking: the status each leads to (a decline is the cancel of a
# request nobody confirmed yet)
ACTIONS: dict[str, str] = {
	"confirm": CONFIRMED,
	"decline": CANCELLED,
	"cancel": CANCELLED,
	"mark_completed": COMPLETED,
	"mark_no_show": NO_SHOW,
}


def actions_for(
	status: str,
	actor: Actor,
	*,
	start: datetime,
	now: datetime,
	cancel_notice: int = 0,
) -> dict[str, TransitionRefused | None]:
	"""The actions (``ACTIONS``, in that order) ``TRANSITIONS`` lets ``actor`` take on a
	booking in ``status`` starting at ``start``: None for one that may be taken now, else
	the refusal ``check_transition`` would raise (e.g. ``not_started``). A host's cancel
	of a pending request is its decline, so only decline is offered for it; a guest never
	declines."""
	out: dict[str, TransitionRefused | None] = {}
	for action, after in ACTIONS.items():
		if action == "decline" and (actor is G or not may_become(status, after, decline=True)):
			continue
		if action == "cancel" and status == PENDING and actor is not G:
			continue
		if actor not in TRANSITIONS.get((status, after), frozenset()):
			continue
		try:
			check_transition(status, after, actor, start=start, now=now, cancel_notice=cancel_notice)
		except TransitionRefused as refused:
			out[action] = refused
		else:
			out[action] = None
	return out


def check_move(status: str, actor: Actor, *, old_start: datetime, now: datetime, reschedule_notice: int = 0):
	"""Raise ``TransitionRefused`` unless a booking in ``status`` may be moved by ``actor``."""
	if not is_active(status):
		raise TransitionRefused(_("A booking that is {0} cannot be moved"), "inactive", status)
	if actor is G and status == AWAITING:
		raise TransitionRefused(_("Please pay for this booking before you move it"), "awaiting_payment")
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
		return {PENDING: "pending", AWAITING: "awaiting_payment"}.get(after_status, "booked")
	if before_status == AWAITING and after_status != AWAITING:
		if after_status == CANCELLED:
			# the system's (the hold ended) or a host's is told to the guest; the guest's own not
			return "hold_cancelled" if by_guest else "hold_expired"
		return "pending" if after_status == PENDING else "booked"  # paid: as if booked now
	if after_status != before_status:
		if before_status == PENDING and after_status == CONFIRMED:
			return "confirmed"
		if before_status == PENDING and after_status == CANCELLED and not by_guest:
			return "declined"
		return {CANCELLED: "cancelled", COMPLETED: "completed", NO_SHOW: "no_show"}.get(after_status)
	if moved and is_active(after_status):
		return "rescheduled"
	return None


# the events of a paid booking's hold: none of the meeting's own effects follow them
HOLD_EVENTS = ("awaiting_payment", "hold_expired", "hold_cancelled", "late_payment")
# every lifecycle event, in the order a booking can meet them
EVENTS = (
	"awaiting_payment",
	"hold_expired",
	"hold_cancelled",
	"booked",
	"pending",
	"confirmed",
	"rescheduled",
	"declined",
	"cancelled",
	"completed",
	"no_show",
	"late_payment",
)
