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
from scheduler_integration.api.utils import api
from scheduler_integration.booking import caps, pages
from scheduler_integration.booking.create import book_as_guest
from scheduler_integration.booking.presentation import booking_json, days_json, invite_ics
from scheduler_integration.booking.slots import slots_for
from scheduler_integration.booking.tokens import booking_for_token
from scheduler_integration.core.clock import utc_now
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.core.settings import public_limit, setting
from scheduler_integration.engine.booking_states import Actor, is_active
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.guest_form import clean_booking_form
from scheduler_integration.engine.meetings import needs_phone
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.engine.validation import clean_guest_text
from scheduler_integration.reporting.links import reference_fields


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@api
def get_page(profile: str, meeting_type: str | None = None):
	"""The host, their active meeting types and, with ``meeting_type``, its questions."""
	return {"success": True, "data": pages.page_data(profile, meeting_type)}


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@api
def get_slots(profile: str, meeting_type: str, start: str, end: str, timezone: str = "UTC"):
	"""Offered slots in [start, end), grouped by date on the booker's clock (``timezone``)."""
	zone_name = parse.zone_name(timezone)
	ctx = pages.public_type(profile, meeting_type)
	lo, hi = parse.window(start, end, get_zone(zone_name), int(setting("max_slot_window_days") or 62))
	slots = slots_for(ctx, lo, hi, utc_now())
	days = days_json(slots, zone_name)
	return {"success": True, "data": {"timezone": zone_name, "duration": ctx.policy.duration, "days": days}}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@api
def book(
	profile: str,
	meeting_type: str,
	start: str,
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
):
	"""Book a slot. 201 with the booking and its manage link, or 409 with alternatives.
	With Settings → Booking Challenge Bits, ``challenge`` and ``nonce`` carry the solved
	proof of work (see ``get_challenge``)."""
	if website:  # honeypot: people never see this field, naive bots fill it
		raise FieldValidationError(_("Invalid submission"), {"website": _("Invalid submission")})
	ctx = pages.public_type(profile, meeting_type)
	doc = ctx.doc
	form = {
		"name": name,
		"email": email,
		"phone": phone,
		"company": company,
		"notes": notes,
		"timezone": timezone,
		"answers": parse.answers(answers),
	}
	cleaned, errors = clean_booking_form(
		form, pages.questions(doc), phone_required=needs_phone(doc.location_type)
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
	caps.check_guest_caps(ctx, cleaned["guest_email"], utc_now())
	answers_json = frappe.as_json(cleaned.pop("answers"), indent=None)
	extra = {"source": "booking_page"}
	if lang := parse.language(language):
		extra["language"] = lang  # the guest's emails are written in it
	extra.update(
		parse.utm({"utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": utm_campaign})
	)
	extra.update(reference_fields(ref))
	booking, token = book_as_guest(
		doc.name, when, {**cleaned, "answers": answers_json}, idempotency_key=idempotency_key, extra=extra
	)
	# the hosts' locks last until commit and the answer needs none of them: every other
	# booking of these hosts waits for this commit, so it comes before the answer is built
	frappe.db.commit()
	frappe.local.response.http_status_code = 201
	return {"success": True, "data": booking_json(booking, token, cleaned["booker_timezone"])}


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@api
def get_challenge():
	"""A proof-of-work challenge for the booking form (``{"bits": 0}`` when none is needed)."""
	return {"success": True, "data": caps.new_challenge()}


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@api
def get_booking(token: str):
	doc = booking_for_token(token)
	return {"success": True, "data": booking_json(doc, token)}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@api
def cancel(token: str, reason: str | None = None):
	doc = booking_for_token(token, for_update=True)
	doc.flags.ignore_permissions = True  # the token is the guest's permission
	doc.cancel(clean_guest_text(reason, "reason", 1000), actor=Actor.GUEST)
	return {"success": True, "data": booking_json(doc, None), "message": _("Your booking is cancelled")}


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
	return {"success": True, "data": booking_json(doc, token), "message": _("Your booking is rescheduled")}


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
def ics(token: str | None = None):
	"""The booking as an .ics file (add to calendar)."""
	try:
		doc = booking_for_token(token)
	except frappe.DoesNotExistError:
		frappe.local.response.http_status_code = 404
		return {"success": False, "message": _("This link is not valid")}
	frappe.local.response.filename = "meeting.ics"
	frappe.local.response.filecontent = invite_ics(doc, "REQUEST" if is_active(doc.status) else "CANCEL")
	frappe.local.response.type = "download"
	frappe.local.response.content_type = "text/calendar; charset=utf-8"
