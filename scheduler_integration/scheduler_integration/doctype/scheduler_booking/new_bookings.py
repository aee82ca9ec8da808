"""Every new booking starts here: a guest's from a booking page and a rep's for a CRM
record's prospect. The controller beside it (``scheduler_booking.py``) holds what a booking
does once it exists; a new way to create one (a waitlist's promotion, a booking on someone's
behalf) is one more entry point here, following the same transaction rule.

The transaction: an entry point here (``book``, ``book_for_record``) inserts through the
checked path, records in the same transaction whatever must share the booking's fate (a
link's use, the caps' places), then commits — the hosts' locks last until then, and every
other booking of these hosts waits for it. What needs no lock (a checkout, the answer)
comes after the commit, as do the booking's effects (planned as rows by ``after_insert``,
run by a job after the commit). The insert helpers below them (``book_as_guest``,
``book_for_prospect``) never commit, and the API methods that call an entry point never
commit a booking themselves.

A guest's booking (``api.public.book`` parses the request, calls ``book`` and shapes the
answer), step by step and in the order that makes it safe:

1. the form's fields are cleaned against the type's questions, every error at once (400);
2. the bot checks — proof of work, then the CAPTCHA — only for a form that can book, so a
   typo does not use up the solved challenge;
3. the caps that are already full refuse (429) before any lock is taken;
4. a personal link's or routing decision's scope is taken (its row locked before the
   hosts', each use counted once in this transaction; 410 once it may not book);
5. a paid type refuses while payments cannot be taken (503: no hold nobody can pay for);
6. the booking is inserted through the locked check (``book_as_guest``; 409 with
   alternatives);
7. the scope records its use and the caps take their places, inside the same transaction,
   so a refusal's rollback gives both back;
8. commit: the hosts' locks last until then, and every other booking of these hosts waits
   for it, so it comes before anything the answer needs;
9. a booking that awaits payment opens the gateway's checkout, now that the hold is
   committed (``None`` when the gateway cannot be reached: the manage page is the pay page).

A rep's booking for a prospect (``api.crm.book_for_record`` checks the record, the rep and
the type and cleans the prospect's fields, calls ``book_for_record`` and shapes the answer):
inserted through the same checked path as a host's booking (``book_for_prospect``), then
committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import frappe
from frappe import _

from scheduler_integration.booking import bot_check, caps, captcha, check, pages, series
from scheduler_integration.booking.errors import DuplicateRequest, SlotUnavailable
from scheduler_integration.booking.meeting_types import type_context
from scheduler_integration.booking.payments import ensure_ready, open_checkout, requires_payment
from scheduler_integration.booking.reps import rep_hosts
from scheduler_integration.booking.scopes import answers_with, extra_fields, scope_for
from scheduler_integration.booking.scopes import booked as scope_booked
from scheduler_integration.booking.tokens import manage_token
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.engine.booking_states import AWAITING_PAYMENT, Actor, Status
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.meetings import needs_phone
from scheduler_integration.reporting.links import reference_fields
from scheduler_integration.rules.guest_form import clean_booking_form

if TYPE_CHECKING:
	from scheduler_integration.scheduler_integration.doctype.scheduler_booking.scheduler_booking import (
		SchedulerBooking,
	)

# A guest's new booking: only the cleaned guest fields and the request's own extras are set;
# everything else (hosts, end, status, tokens) is the checked path's to decide.
GUEST_FIELDS = frozenset(
	{
		"guest_name",
		"guest_email",
		"guest_phone",
		"guest_company",
		"notes",
		"answers",
		"booker_timezone",
		"attendees",
	}
)
EXTRA_FIELDS = frozenset(
	{
		"source",
		"utm_source",
		"utm_medium",
		"utm_campaign",
		"reference_doctype",
		"reference_name",
		"language",
		"locale",  # how the guest's browser writes dates and times (rules.locales)
		# the personal link or routing decision whose token the public API checked
		"personal_link",
		"routing_submission",
	}
)


@dataclass(frozen=True)
class GuestRequest:
	"""What a booking page sends, its values already parsed (``api.parse``)."""

	form: dict  # name, email, phone, company, notes, timezone, answers, attendees
	start: datetime | None  # None when it did not parse (its error is in ``errors``)
	errors: dict  # the request's own field errors, reported with the form's
	idempotency_key: str | None = None
	extra: dict | None = None  # source, language, locale, UTM
	ref: str | None = None  # a client report's token
	count: int | None = None  # meetings of a series
	link: str | None = None  # a personal link's token
	routed: str | None = None  # a routing decision's token
	challenge: str | None = None
	nonce: str | None = None
	captcha_token: str | None = None
	ip: str | None = None


@dataclass(frozen=True)
class GuestBooking:
	booking: object  # the first Scheduler Booking
	token: str  # its manage token
	booker_timezone: str
	checkout: dict | None  # the gateway's page of a booking that awaits payment


def book(ctx, request: GuestRequest) -> GuestBooking:
	"""Steps 1–9 of the module's docstring for ``ctx`` (``booking.pages.public_type``)."""
	doc = ctx.doc
	cleaned, errors = clean_booking_form(
		request.form,
		pages.questions(doc),
		phone_required=needs_phone(doc.location_type),
		max_attendees=int(doc.get("max_attendees") or 0),
	)
	errors = {k: translate(v) if isinstance(v, SchedulingError) else v for k, v in errors.items()}
	errors.update(request.errors)
	if errors:
		raise FieldValidationError(_("Please correct these fields"), errors)
	bot_check.check_proof(request.challenge, request.nonce)
	captcha.verify(request.captcha_token, request.ip)
	guest_caps = caps.check_guest_caps(ctx, cleaned["guest_email"], utc_now())
	given = cleaned.pop("answers")
	# the colleagues the guest added, one address a line (each gets the invitation)
	cleaned["attendees"] = "\n".join(cleaned.pop("attendees", None) or []) or None
	extra = {"source": "booking_page", **(request.extra or {}), **reference_fields(request.ref)}
	scope = scope_for(ctx, request.link, request.routed, take=True)
	extra.update(extra_fields(scope))
	if requires_payment(doc):
		ensure_ready()
	booking, token = book_as_guest(
		doc.name,
		request.start,
		{**cleaned, "answers": frappe.as_json(answers_with(scope, given), indent=None)},
		idempotency_key=request.idempotency_key,
		extra=extra,
		count=request.count,
		hosts=scope.hosts if scope else None,
	)
	scope_booked(scope, booking.name)
	guest_caps.take(booking)
	frappe.db.commit()
	checkout = open_checkout(booking) if booking.status == AWAITING_PAYMENT else None
	return GuestBooking(booking, token, cleaned["booker_timezone"], checkout)


def book_for_record(
	meeting_type: str, start: datetime, guest: dict, *, host: str, record
) -> SchedulerBooking:
	"""A rep's booking for a record's prospect, committed (the module's transaction rule):
	``guest`` already cleaned by the caller, ``record`` (doctype, name) already readable by
	the rep (``api.crm``). Answers the booking."""
	doc = book_for_prospect(meeting_type, start, guest, host=host, record=record)
	frappe.db.commit()  # the hosts' locks end here; the answer needs none of them
	return doc


def book_as_guest(
	meeting_type: str,
	start: datetime,
	guest: dict,
	*,
	idempotency_key: str | None = None,
	extra: dict | None = None,
	count=None,
	hosts=None,
):
	"""Insert the booking through the checked path (a multi-day type's days, or a series of
	``count`` meetings: every meeting, ``booking.series``). ``hosts``: booked among these of
	the type's hosts only (a personal link's rep, a routing decision's hosts). Returns (the
	first booking, its manage token)."""
	unknown = (set(guest) - GUEST_FIELDS) | (set(extra or {}) - EXTRA_FIELDS)
	if unknown:
		raise ValueError(f"not guest fields: {sorted(unknown)}")  # a programming error, never input
	ctx = type_context(meeting_type)
	rule = ctx.occurrences(count)
	try:
		if rule is None:
			doc = _insert_for_guest(meeting_type, start, guest, idempotency_key, extra, host_subset=hosts)
		else:
			doc = _book_meetings(ctx, rule, start, guest, idempotency_key, extra, hosts)
	except DuplicateRequest as replay:
		frappe.db.rollback()
		doc = frappe.get_doc("Scheduler Booking", replay.booking)
	return doc, manage_token(doc)


def _insert_for_guest(meeting_type, start, guest, idempotency_key, extra, **flags):
	doc = frappe.get_doc(
		{
			"doctype": "Scheduler Booking",
			"meeting_type": meeting_type,
			"start": to_system(start),
			"idempotency_key": idempotency_key,
			**guest,
			**(extra or {}),
		}
	)
	doc.flags.actor = Actor.GUEST
	doc.flags.ignore_permissions = True  # guests have no role permission; the checked path guards
	# Frappe's per-document work is half of a booking's CPU; two parts of it check nothing
	# here. Every link of a guest's booking comes from a record the request has just read
	# (meeting type, its hosts, an enabled Language, a report's existing reference), and a
	# new document's Version records something only for data imports.
	doc.flags.ignore_version = doc.flags.ignore_links = True
	doc.flags.update(flags)
	doc.insert()
	doc.flags.ignore_version = doc.flags.ignore_links = False  # later saves of it check as usual
	return doc


def book_for_prospect(
	meeting_type: str, start: datetime, guest: dict, *, host: str, record
) -> SchedulerBooking:
	"""A rep's booking for a prospect from their CRM record (``api.crm``): confirmed, the rep
	its host and organiser (for a collective type the first of every host), through the
	checked path like any host's booking; on the record (``record``: (doctype, name); a
	Contact's booking finds the Contact's CRM record itself)."""
	unknown = set(guest) - GUEST_FIELDS
	if unknown:
		raise ValueError(f"not guest fields: {sorted(unknown)}")  # a programming error, never input
	ctx = type_context(meeting_type)
	doctype, name = record
	links = {"contact": name} if doctype == "Contact" else {"crm_doctype": doctype, "crm_name": name}
	doc = frappe.get_doc(
		{
			"doctype": "Scheduler Booking",
			"meeting_type": meeting_type,
			"start": to_system(start),
			"status": Status.CONFIRMED.value,  # the rep agreed the time with the prospect
			"hosts": [{"user": user} for user in rep_hosts(ctx, host)],
			**guest,
			**links,
		}
	)
	doc.flags.actor = Actor.HOST
	doc.insert()  # the rep's own permission: a host of the type (core.permissions.may_book)
	return doc


def _book_meetings(ctx, rule, start: datetime, guest: dict, idempotency_key, extra, hosts=None):
	"""Every meeting of a multi-day booking or series, in this transaction: whole or not at
	all, or (a series that skips taken meetings) the free ones; the first must be free.
	``hosts``: the link's or routing decision's scope, kept by every meeting."""
	now = utc_now()
	plan = series.plan(ctx, rule, start, now, subset=hosts)
	wanted = [index for index, check in enumerate(plan.checks) if check.offered or not plan.skip_taken]
	if not plan.checks or not plan.checks[0].offered or not (plan.complete or plan.skip_taken):
		reason = next((c.reason for c in plan.checks if not c.offered), None)
		reason = reason.value if reason else None
		raise SlotUnavailable(
			check.refusal_message(reason), reason, ctx.name, start, now, meetings=rule.count, hosts=hosts
		)
	name = series.open_series(ctx, rule, guest)
	first = None
	for index in wanted:
		try:
			doc = _insert_for_guest(
				ctx.name,
				plan.checks[index].start,
				guest,
				idempotency_key if index == 0 else None,
				extra,
				series=(name, index),
				pinned_hosts=plan.hosts,
				host_subset=hosts,
			)
		except SlotUnavailable as exc:
			if plan.skip_taken and index:
				continue  # taken meanwhile: a series that skips taken meetings goes on
			exc.meetings = rule.count
			raise
		first = first or doc
	return first
