"""A guest's booking from a booking page, step by step and in the order that makes it safe.

``api.public.book`` parses the request, calls ``book`` and shapes the answer; every step
between lives here, beside the controller whose checked path (``book_as_guest``) inserts
the booking:

1. the form's fields are cleaned against the type's questions, every error at once (400);
2. the bot checks — proof of work, then the CAPTCHA — only for a form that can book, so a
   typo does not use up the solved challenge;
3. the caps that are already full refuse (429) before any lock is taken;
4. a personal link's or routing decision's scope is taken (its row locked before the
   hosts', each use counted once in this transaction; 410 once it may not book);
5. a paid type refuses while payments cannot be taken (503: no hold nobody can pay for);
6. the booking is inserted through the locked check (409 with alternatives);
7. the scope records its use and the caps take their places, inside the same transaction,
   so a refusal's rollback gives both back;
8. commit: the hosts' locks last until then, and every other booking of these hosts waits
   for it, so it comes before anything the answer needs;
9. a booking that awaits payment opens the gateway's checkout, now that the hold is
   committed (``None`` when the gateway cannot be reached: the manage page is the pay page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import frappe
from frappe import _

from scheduler_integration.booking import bot_check, caps, captcha, pages
from scheduler_integration.booking.payments import ensure_ready, open_checkout, requires_payment
from scheduler_integration.booking.scopes import answers_with, extra_fields, scope_for
from scheduler_integration.booking.scopes import booked as scope_booked
from scheduler_integration.core.clock import utc_now
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.engine.booking_states import AWAITING_PAYMENT
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.meetings import needs_phone
from scheduler_integration.reporting.links import reference_fields
from scheduler_integration.rules.guest_form import clean_booking_form
from scheduler_integration.scheduler_integration.doctype.scheduler_booking.scheduler_booking import (
	book_as_guest,
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
