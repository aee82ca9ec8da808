"""The checked path of every booking change (no host double-booked), whatever the entry point.

The Scheduler Booking controller calls ``run`` from ``validate``, so the guest API, the
host API, a desk save, ``/api/resource`` inserts and updates, a calendar drag, Data Import
and server scripts all go through it. For a change it:

1. derives what is not the caller's to set: ``end`` from the meeting type's duration,
   ``token_expires`` (the meeting's end), ``sequence`` (+1 on every move);
2. asks the engine's state machine whether ``actor`` may make the change
   (``engine.booking_states``): status transition, and for a move the status and notice;
3. when the booking occupies time after the change and its time or hosts changed, runs the
   locked availability check for every host involved:
   - one bounded fresh read of their calendars (before locking: it may take seconds);
   - ``SELECT … FOR UPDATE`` on their Scheduler Profiles in name order, so two changes
     that share a host run one after the other and never deadlock;
   - their active bookings re-read with a locking read (collective bookings included),
     and the engine's ``check_slot`` for the start, with the policy the actor is held to;
   - a refusal raises ``SlotUnavailable`` (409) with the reason and nearest alternatives
   (a guest's new booking of a paid type is *Awaiting Payment*: it holds the time,
   checked like any other, while the guest pays: ``booking.payments``);
4. assigns the hosts: the profile's user (individual), every host (collective), or the
   round-robin pick among the free hosts; the organiser ``host`` is the first of them.
   A new round-robin booking picks its host from the team read without locks, then reads
   fresh, locks and checks that host alone (``_pick_and_hold``): a team's bookings of
   different hosts run side by side; only when the pick was taken meanwhile is the whole
   team checked under every host's lock.

A host or manager may book over a conflict only with the booking's *Allow Overlap* flag
(the controller records who did it); it never skips the state machine or ``start >= now``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe
from frappe import _

from scheduler_integration.booking import busy, fields, leave, seats
from scheduler_integration.booking.errors import (
	ChangeRefused,
	DuplicateRequest,
	LinkGone,
	NotConfigured,
	SlotUnavailable,
)
from scheduler_integration.booking.load import schedules
from scheduler_integration.booking.meeting_types import TypeContext, type_context
from scheduler_integration.booking.payments import requires_payment
from scheduler_integration.core.clock import to_system, to_utc
from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.engine import Assignment, check_slot, pick_host
from scheduler_integration.engine.booking_states import (
	Actor,
	Status,
	TransitionRefused,
	check_move,
	check_transition,
	is_active,
	policy_for,
)
from scheduler_integration.engine.out_of_office import hand_over
from scheduler_integration.engine.timezones import get_zone

FRESH_SPAN = timedelta(days=1)


def refusal_message(reason: str | None) -> str:
	return {
		"too_soon": _("This time is too soon to book."),
		"too_far": _("This time is too far in the future to book."),
		"limit_reached": _("This day is fully booked."),
		"conflict": _("This time was just taken."),
	}.get(reason) or _("This time is not available.")


def lock_hosts(users, doc=None) -> None:
	"""Serialise every booking change of these hosts until the transaction ends.

	One lock order for every path: the hosts' profiles first, then rows of their bookings.
	Frappe locks a booking's own rows (``SELECT … FOR UPDATE`` on it and its host rows)
	before ``validate`` runs on an update (REST, ``frappe.client``, the desk's save all load
	it that way); waiting for the profiles while holding them, it would deadlock with a
	change that holds the profiles and reads that booking's rows. The load takes the
	profiles of the booking's current hosts first (``lock_hosts_of``), and an update
	(``doc``) whose transaction has written nothing yet lets every early lock go here (they
	guard nothing a profile lock does not; the change may need other hosts' profiles, taken
	in order with the rest) and, holding the profiles, checks that the booking is still as
	it was read (else ``TimestampMismatchError``: someone changed it meanwhile)."""
	released = doc is not None and not doc.is_new() and _release_early_locks()
	# written out, like every query inside the lock: building it with frappe.qb cost more
	# CPU than the database spent on it
	frappe.db.sql(
		"select name from `tabScheduler Profile` where user in %(users)s order by name for update",
		{"users": tuple(sorted(set(users)))},
	)
	if released:
		_still_as_read(doc)


def lock_hosts_of(booking: str) -> None:
	"""Take the profiles of ``booking``'s hosts before its own rows are locked: by a load for
	a change, and by an effect before it writes the booking or its host rows (a meeting
	link, an event id). Frappe locks the booking's row before its host rows, and an effect
	writes the booking and then a host row; a change holding the profiles locks host rows
	before their bookings (``booking.load``): holding one while waiting for the other, each
	deadlocked with that change. The hosts are read as the transaction sees them; the
	checked path locks the hosts the change needs again (``lock_hosts``)."""
	users = frappe.db.sql(
		"select user from `tabScheduler Booking Host` where parent = %s and parenttype = 'Scheduler Booking'",
		(booking,),
		pluck=True,
	)
	if users:
		lock_hosts(users)


def _release_early_locks() -> bool:
	"""End a transaction that has written nothing (its row locks and its snapshot go with
	it); False, and nothing ended, when it has written."""
	if frappe.db.transaction_writes:
		return False
	frappe.db.sql("rollback")  # not frappe.db.rollback: its after-commit callbacks stay
	frappe.db.value_cache.clear()
	return True


def _still_as_read(doc) -> None:
	before = doc.get_doc_before_save()
	stored = frappe.db.sql(
		"select modified from `tabScheduler Booking` where name = %s for update", (doc.name,)
	)
	if not stored or (before is not None and str(stored[0][0]) != str(before.modified)):
		raise frappe.TimestampMismatchError(
			_("This booking was changed by someone else meanwhile. Please reload it and try again.")
		)
	fields.catch_up(doc)


def _users(rows) -> list[str]:
	return [row.user for row in rows or [] if row.user]


def run(doc, before, *, actor: Actor, now: datetime) -> None:
	"""Check and complete ``doc`` (a Scheduler Booking being saved; ``before`` its stored
	version, None for a new one). Raises ChangeRefused, SlotUnavailable, DuplicateRequest or
	FieldValidationError."""
	errors = FieldErrors()
	if not doc.meeting_type:
		errors.add("meeting_type", _("Pick a meeting type"))
	if not doc.start:
		errors.add("start", _("Pick a start time"))
	errors.raise_if_any()
	ctx = type_context(doc.meeting_type)
	new = before is None
	start = to_utc(doc.start)
	old_start = to_utc(before.start) if before else None
	hosts_now, hosts_before = _users(doc.get("hosts")), _users(before.get("hosts")) if before else []
	explicit = hosts_now if hosts_now and (new or hosts_now != hosts_before) else None
	if doc.flags.pinned_hosts:  # the one host of a round-robin series (booking.series)
		explicit = list(doc.flags.pinned_hosts)
	moved = new or start != old_start or doc.meeting_type != before.meeting_type or explicit is not None
	# The time a booking occupies is its own: set when it is made or moved, from the
	# meeting type's duration and buffers at that moment. A later change of the type
	# never moves a booking, and any other save keeps it (the locked check ran when it
	# was set; a save that changes nothing of it need not run it again).
	if moved:
		end = start + timedelta(minutes=ctx.policy.duration)
		occupancy = (ctx.policy.buffer_before, ctx.policy.buffer_after)
	else:
		end = to_utc(before.end)
		occupancy = None
	doc.end = to_system(end)
	if new and (actor is Actor.GUEST or not doc.status):
		# a guest never picks the status: the meeting type decides whether the host confirms,
		# and a paid type's guest booking holds the time while the guest pays (a host's own
		# booking of it is not charged)
		if actor is Actor.GUEST and requires_payment(ctx.doc):
			doc.status = Status.AWAITING_PAYMENT.value
		else:
			doc.status = Status.PENDING.value if ctx.doc.requires_confirmation else Status.CONFIRMED.value
	try:
		check_transition(
			before.status if before else None,
			doc.status,
			actor,
			start=old_start or start,
			now=now,
			cancel_notice=int(ctx.doc.cancel_notice or 0),
		)
		if moved and not new:
			check_move(
				before.status,
				actor,
				old_start=old_start,
				now=now,
				reschedule_notice=int(ctx.doc.reschedule_notice or 0),
			)
	except TransitionRefused as exc:
		raise ChangeRefused(translate(exc), exc.reason) from None
	if moved:
		doc.token_expires = doc.end
		if not new:
			doc.sequence = int(before.sequence or 0) + 1
	doc.flags.moved = moved and not new
	if occupancy is not None:
		_occupy(doc, occupancy)
	# a seat leaving its slot hands the slot over (booking.seats) under the hosts' lock
	leaving = _users(before.get("hosts")) if seats.leaves(doc, before) else []
	if not (moved and is_active(doc.status)):
		if leaving:
			lock_hosts(leaving, doc)
			doc.flags.seat_slots = seats.place(doc, before)
		return
	candidates = _candidates(ctx, explicit, doc.flags.host_subset)
	if explicit is None and ctx.assignment is Assignment.INDIVIDUAL:
		# the owner's own page: on a date a colleague covers their leave, the colleague hosts
		candidates = [leave.host_at(ctx.owner, start)]
	if doc.allow_overlap:
		_override(doc, before, ctx, candidates, actor, start, now)
		return
	if new and not explicit and not leaving and _picks_one(ctx, candidates):
		picked = _pick_and_hold(doc, ctx, candidates, start, end, actor, now)
		if picked is not None:
			_set_hosts(doc, [picked])
			return
	fresh = busy.fresh_read(candidates, start - FRESH_SPAN, start + FRESH_SPAN)
	lock_hosts([*candidates, *leaving], doc)
	if new and doc.idempotency_key:
		_replayed(doc)
	# the days of a multi-day booking moving together leave each other out (booking.series)
	exclude = doc.flags.move_group or (None if new else doc.name)
	found = schedules(
		ctx,
		start,
		end,
		users=candidates,
		exclude=exclude,
		lock=True,
		fresh=fresh,
		fairness=not explicit,
	)
	check = check_slot(found, policy_for(ctx.policy, actor), start, now, ctx.assignment)
	if not check.offered:
		_refuse(ctx, check, start, now, actor, exclude, candidates)
	if ctx.assignment is Assignment.ROUND_ROBIN and not explicit:
		if not new and before.host in check.hosts:
			chosen = [before.host]
		else:
			chosen = [_round_robin_pick(ctx, found, check, start)]
	else:
		chosen = candidates
	_set_hosts(doc, chosen)
	if leaving or ctx.policy.seats > 1:
		doc.flags.seat_slots = seats.place(doc, before)


def _round_robin_pick(ctx: TypeContext, found, check, start: datetime) -> str:
	"""Round robin's host among the free ones of ``check``; a host on leave hands their
	share to the colleague covering it (``engine.out_of_office``)."""
	found = hand_over(found, leave.away_at([h.host for h in found], start))
	return pick_host(check.hosts, found, ctx.policy.round_robin_mode)


def _picks_one(ctx: TypeContext, candidates: list[str]) -> bool:
	"""A booking that takes one host of several, decided by round robin (a group session's
	seats are placed under every candidate's lock: ``booking.seats``)."""
	return ctx.assignment is Assignment.ROUND_ROBIN and len(candidates) > 1 and ctx.policy.seats == 1


def _pick_and_hold(
	doc, ctx: TypeContext, candidates: list[str], start: datetime, end: datetime, actor: Actor, now: datetime
) -> str | None:
	"""A new round-robin booking's host, held: picked among the team as it reads without
	locks, then that host alone read fresh from their calendars, locked and checked again.
	Bookings of different hosts of one team so run side by side instead of one after the
	other behind every host's lock (and wait for one calendar, not the team's). Limits,
	buffers and bookings are each host's own, so the one host's locked check is the check
	of the booking; the share counts are read unlocked, as two guests choosing at once
	would. None, with no lock kept, when the slot is not free or the pick was taken
	meanwhile: the caller checks the whole team under every host's lock (the refusal's
	reason and alternatives come from there)."""
	if frappe.db.transaction_writes:
		return None  # its locks could not be let go to take the team's in their order
	policy = policy_for(ctx.policy, actor)
	found = schedules(ctx, start, end, users=candidates, fairness=True)
	check = check_slot(found, policy, start, now, ctx.assignment)
	if not check.offered:
		return None
	host = _round_robin_pick(ctx, found, check, start)
	fresh = busy.fresh_read([host], start - FRESH_SPAN, start + FRESH_SPAN)
	lock_hosts([host])
	if doc.idempotency_key:
		_replayed(doc)
	held = schedules(ctx, start, end, users=[host], lock=True, fresh=fresh)
	if check_slot(held, policy, start, now, ctx.assignment).offered:
		return host
	_release_early_locks()  # nothing written: the team's locks are next, in name order
	return None


def _candidates(ctx: TypeContext, explicit: list[str] | None, subset=None) -> list[str]:
	"""The hosts the change is checked for: the type's, the ones the caller named, or
	``subset`` of the type's (a personal link's rep, a routing decision's hosts: round
	robin picks among them; a collective meeting keeps every host)."""
	if explicit is None:
		if not ctx.hosts:  # a team type nobody accepted yet, hosts who left (as its page says: 404)
			raise NotConfigured(_("This meeting type has no host yet"))
		if subset and ctx.assignment is not Assignment.COLLECTIVE:
			chosen = [host for host in ctx.hosts if host in set(subset)]
			if not chosen:
				raise LinkGone(_("This link's host no longer hosts this meeting type"), "host_left")
			return chosen
		return list(ctx.hosts)
	if not ctx.hosts:  # nobody of the type takes meetings now (as its page says: 404)
		raise NotConfigured(_("This meeting type has no host yet"))
	errors = FieldErrors()
	if ctx.assignment is Assignment.INDIVIDUAL and explicit != [ctx.owner]:
		errors.add("hosts", _("The host of this meeting type is {0}").format(ctx.owner))
	elif ctx.assignment is Assignment.ROUND_ROBIN and (len(explicit) != 1 or explicit[0] not in ctx.hosts):
		errors.add("hosts", _("Pick one of the meeting type's hosts: {0}").format(", ".join(ctx.hosts)))
	elif ctx.assignment is Assignment.COLLECTIVE and sorted(explicit) != sorted(ctx.hosts):
		errors.add("hosts", _("A collective meeting has every host: {0}").format(", ".join(ctx.hosts)))
	errors.raise_if_any()
	return explicit


def _set_hosts(doc, users: list[str]) -> None:
	"""Make ``doc.hosts`` exactly ``users`` (rows of hosts who stay keep their own data)."""
	if _users(doc.get("hosts")) != users:
		rows = {row.user: row for row in doc.get("hosts") or []}
		doc.set("hosts", [rows.get(user) or {"user": user} for user in users])
		_occupy(doc, doc.flags.occupancy)
	doc.host = users[0]


def _occupy(doc, buffers: tuple[int, int]) -> None:
	"""Copy the booking's time and buffers onto its host rows: ``booking.load`` reads a
	host's bookings from these rows alone (index on host and end)."""
	doc.flags.occupancy = buffers
	for row in doc.get("hosts") or []:
		row.start, row.end = doc.start, doc.end
		row.buffer_before, row.buffer_after = buffers


def _override(
	doc, before, ctx: TypeContext, candidates: list[str], actor: Actor, start: datetime, now: datetime
):
	"""A deliberate overlap: hosts and managers only, never in the past, recorded."""
	if actor is Actor.GUEST:
		raise ChangeRefused(_("Only a host can allow an overlap"), "not_allowed")
	if start < now:
		raise ChangeRefused(_("A booking cannot start in the past"), "too_soon")
	if ctx.assignment is Assignment.ROUND_ROBIN and len(candidates) > 1:
		current = _users(doc.get("hosts"))
		candidates = current[:1] if current and current[0] in candidates else candidates[:1]
	doc.flags.overlap_override = True
	_set_hosts(doc, candidates)
	doc.flags.seat_slots = seats.place(doc, before)


def _replayed(doc) -> None:
	"""The same request again (idempotency key): answer with the booking it made."""
	existing = frappe.db.get_value(
		"Scheduler Booking",
		{
			"idempotency_key": doc.idempotency_key,
			"guest_email": doc.guest_email,
			"meeting_type": doc.meeting_type,
		},
		"name",
		for_update=True,
	)
	if existing:
		raise DuplicateRequest(existing)


def _refuse(
	ctx: TypeContext, check, start: datetime, now: datetime, actor: Actor, exclude, candidates=None
) -> None:
	reason = check.reason.value if check.reason else None
	message = refusal_message(reason)
	# a subset of a team's hosts (a personal link's, a routed one) keeps to it; an individual
	# type's alternatives are its page's, whoever hosts the refused time (a colleague
	# covering the owner's leave)
	subset = (
		candidates and ctx.assignment is not Assignment.INDIVIDUAL and list(candidates) != list(ctx.hosts)
	)
	hosts = candidates if subset else None
	exc = SlotUnavailable(message, reason, ctx.name, start, now, exclude, hosts=hosts)
	if actor is not Actor.GUEST:
		# a host reads the alternatives in the desk message; guests get them from the API
		# once the transaction has released the host locks
		zone_name = host_timezone(ctx.owner)
		zone = get_zone(zone_name)
		times = [
			slot.start.astimezone(zone).strftime("%a %d %b %Y %H:%M") for slot in exc.search_alternatives()
		]
		if times:
			message = _("{0} Nearest free times ({1}): {2}").format(message, zone_name, ", ".join(times))
			exc.args = (message,)
		frappe.msgprint(frappe.utils.escape_html(message), title=_("Time not available"), indicator="red")
	raise exc
