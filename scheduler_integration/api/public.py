"""Public booking API (guests): page data, slots, book, and the manage-link actions.

Every method is rate-limited per IP (Scheduler Settings → Public Requests per IP per
Minute) and bookings are capped independently of the IP (``booking.caps``); changes are
POST only; guests set only the fields of the booking form, each validated and
length-limited. Answers and statuses: see ``api.utils``.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from scheduler_integration.api import parse
from scheduler_integration.api.shapes import booking_json, days_json, meetings_json
from scheduler_integration.api.utils import api, ok
from scheduler_integration.booking import caps, captcha, pages
from scheduler_integration.booking.payments import ensure_ready, open_checkout, requires_payment
from scheduler_integration.booking.scopes import answers_with, extra_fields, scope_for
from scheduler_integration.booking.scopes import booked as scope_booked
from scheduler_integration.booking.slots import slots_and_seats
from scheduler_integration.booking.tokens import booking_for_token
from scheduler_integration.core.clock import utc_now
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.core.replica import replica_reads
from scheduler_integration.core.settings import public_limit, setting
from scheduler_integration.effects.email import reader_language
from scheduler_integration.effects.invitations import download_ics
from scheduler_integration.engine.booking_states import AWAITING_PAYMENT, Actor
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.guest_form import clean_booking_form
from scheduler_integration.engine.meetings import needs_phone
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.reporting.links import reference_fields
from scheduler_integration.scheduler_integration.doctype.scheduler_booking.scheduler_booking import (
	book_as_guest,
)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@replica_reads
@api
def get_page(profile: str | None = None, meeting_type: str | None = None, team: str | None = None):
	"""The host (or with ``team`` the team), the active meeting types and, with
	``meeting_type``, its questions."""
	return ok(pages.page_data(profile, meeting_type, team))


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@replica_reads
@api
def get_slots(
	meeting_type: str,
	start: str,
	end: str,
	timezone: str = "UTC",
	profile: str | None = None,
	team: str | None = None,
	count: int | None = None,
	link: str | None = None,
	routed: str | None = None,
):
	"""Offered slots in [start, end), grouped by date on the booker's clock (``timezone``);
	the type is ``profile``'s or ``team``'s. ``count``: a series of that many meetings (a
	type that books series whole offers the starts whose every meeting is free). ``link``:
	a personal link's token (its host's times only), ``routed`` a routing form decision's
	(its hosts' times only); 410 once either may not book."""
	zone_name = parse.zone_name(timezone)
	ctx = pages.public_type(profile, meeting_type, team)
	scope = scope_for(ctx, link, routed)
	lo, hi = parse.window(start, end, get_zone(zone_name), int(setting("max_slot_window_days") or 62))
	slots, seats_left = slots_and_seats(
		ctx, lo, hi, utc_now(), parse.meetings(ctx, count), hosts=scope.hosts if scope else None
	)
	days = days_json(slots, zone_name, seats_left)
	answer = {"timezone": zone_name, "duration": ctx.policy.duration, "days": days}
	if ctx.policy.seats > 1:
		answer["seats"] = ctx.policy.seats
	return ok(answer)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@api
def book(
	meeting_type: str,
	start: str,
	profile: str | None = None,
	team: str | None = None,
	name: str | None = None,
	email: str | None = None,
	timezone: str | None = None,
	phone: str | None = None,
	company: str | None = None,
	notes: str | None = None,
	answers=None,
	idempotency_key: str | None = None,
	website: str | None = None,
	utm_source: str | None = None,
	utm_medium: str | None = None,
	utm_campaign: str | None = None,
	ref: str | None = None,
	challenge: str | None = None,
	nonce: str | None = None,
	language: str | None = None,
	captcha_token: str | None = None,
	count: int | None = None,
	link: str | None = None,
	routed: str | None = None,
	attendees=None,
	locale: str | None = None,
):
	"""Book a slot. 201 with the booking and its manage link, or 409 with alternatives.
	``link``: a personal link's token — booked with its host, on its record, counted as one
	of its uses; ``routed``: a routing form decision's — booked among its hosts, with its
	answers (410 once either may not book). ``attendees``: colleagues' email addresses (a
	list, or text), as many as the type lets a guest add. ``locale``: the browser's
	(``navigator.language``), how the guest's emails write dates and times.
	With Settings → Booking Challenge Bits, ``challenge`` and ``nonce`` carry the solved
	proof of work (see ``get_challenge``); with a CAPTCHA provider, ``captcha_token`` the
	widget's token (``booking.captcha``)."""
	if website:  # honeypot: people never see this field, naive bots fill it
		raise FieldValidationError(_("Invalid submission"), {"website": _("Invalid submission")})
	ctx = pages.public_type(profile, meeting_type, team)
	doc = ctx.doc
	form = {
		"name": name,
		"email": email,
		"phone": phone,
		"company": company,
		"notes": notes,
		"timezone": timezone,
		"answers": parse.answers(answers),
		"attendees": attendees,
	}
	cleaned, errors = clean_booking_form(
		form,
		pages.questions(doc),
		phone_required=needs_phone(doc.location_type),
		max_attendees=int(doc.get("max_attendees") or 0),
	)
	errors = {k: translate(v) if isinstance(v, SchedulingError) else v for k, v in errors.items()}
	when = None
	try:
		when = parse.instant(start, "start")
	except FieldValidationError as exc:
		errors.update(exc.errors)
	try:
		parse.idempotency_key(idempotency_key)
	except FieldValidationError as exc:
		errors.update(exc.errors)
	if errors:
		raise FieldValidationError(_("Please correct these fields"), errors)
	caps.check_proof(challenge, nonce)
	captcha.verify(captcha_token, frappe.local.request_ip)
	guest_caps = caps.check_guest_caps(ctx, cleaned["guest_email"], utc_now())
	given = cleaned.pop("answers")
	# the colleagues the guest added, one address a line (each gets the invitation)
	cleaned["attendees"] = "\n".join(cleaned.pop("attendees", None) or []) or None
	extra = {"source": "booking_page"}
	if lang := parse.language(language):
		extra["language"] = lang  # the guest's emails are written in it
	if how := parse.locale(locale):
		extra["locale"] = how  # … and their dates and times as their browser writes them
	extra.update(
		parse.utm({"utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": utm_campaign})
	)
	extra.update(reference_fields(ref))
	meetings = parse.meetings(ctx, count)
	# a personal link's row is locked before the hosts' (each use counted once, in this
	# transaction: a refused booking gives it back)
	scope = scope_for(ctx, link, routed, take=True)
	extra.update(extra_fields(scope))
	if requires_payment(doc):
		ensure_ready()  # 503 while payments cannot be taken: no hold nobody can pay for
	booking, token = book_as_guest(
		doc.name,
		when,
		{**cleaned, "answers": frappe.as_json(answers_with(scope, given), indent=None)},
		idempotency_key=idempotency_key,
		extra=extra,
		count=meetings,
		hosts=scope.hosts if scope else None,
	)
	scope_booked(scope, booking.name)
	# the booking takes its places in the caps now that it passed its check and has its
	# hosts; the rollback of a refusal gives them back
	guest_caps.take(booking)
	# the hosts' locks last until commit and the answer needs none of them: every other
	# booking of these hosts waits for this commit, so it comes before the answer is built
	frappe.db.commit()
	answer = booking_json(booking, token, cleaned["booker_timezone"], confirmation=True)
	if booking.status == AWAITING_PAYMENT:
		# the gateway's page, opened now that the hold is committed; when the gateway
		# cannot be reached the manage page is the pay page (it tries again)
		answer["payment"] = open_checkout(booking)
		answer["payment"]["url"] = answer["payment"].get("url") or answer["manage_url"]
	return ok(answer, status=201)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@api
def get_challenge():
	"""A proof-of-work challenge for the booking form (``{"bits": 0}`` when none is needed)."""
	return ok(caps.new_challenge())


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@api
def get_booking(token: str):
	doc = booking_for_token(token)
	return ok(booking_json(doc, token))


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@api
def cancel(token: str, reason: str | None = None, following: int | str | None = None):
	"""Cancel the booking; ``following``: a meeting of a series and every later one."""
	doc = booking_for_token(token, for_update=True)
	doc.flags.ignore_permissions = True  # the token is the guest's permission
	doc.cancel(parse.reason(reason), actor=Actor.GUEST, following=parse.flag(following))
	return ok(booking_json(doc, None), _("Your booking is cancelled"))


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@replica_reads
@api
def get_meetings(
	meeting_type: str,
	start: str,
	count: int | None = None,
	timezone: str = "UTC",
	profile: str | None = None,
	team: str | None = None,
):
	"""Every meeting a booking at ``start`` would make (a multi-day type's days, a series of
	``count``), each with whether it is free now, on the booker's clock."""
	zone_name = parse.zone_name(timezone)
	ctx = pages.public_type(profile, meeting_type, team)
	return ok(meetings_json(ctx, parse.instant(start, "start"), parse.meetings(ctx, count), zone_name))


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@api
def reschedule(token: str, start: str, timezone: str | None = None):
	doc = booking_for_token(token, for_update=True)
	when = parse.instant(start, "start")
	if timezone:
		doc.booker_timezone = parse.zone_name(timezone)
	doc.flags.ignore_permissions = True  # the token is the guest's permission
	doc.reschedule(when, actor=Actor.GUEST)
	return ok(booking_json(doc, token), _("Your booking is rescheduled"))


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@api
def ics(token: str | None = None):
	"""The booking as an .ics file for the guest's calendar (``invitations.download_ics``:
	METHOD PUBLISH with every active meeting of a series or multi-day booking, titled in the
	guest's booking language; CANCEL once cancelled); 404 for a link that is not valid."""
	doc = booking_for_token(token)
	with reader_language(doc.get("language")):
		content = download_ics(doc)
	frappe.local.response.filename = "meeting.ics"
	frappe.local.response.filecontent = content
	frappe.local.response.type = "download"
	frappe.local.response.content_type = "text/calendar; charset=utf-8"
