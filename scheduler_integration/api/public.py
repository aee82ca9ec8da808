"""Public booking API (guests): page data, slots, book, and the manage-link actions.

Every method is rate-limited per IP (Scheduler Settings → Public Requests per IP per
Minute) and bookings are capped independently of the IP (``booking.caps``); changes are
POST only; guests set only the fields of the booking form, each validated and
length-limited. Answers and statuses: see ``api.utils``.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import frappe
from frappe import _

from scheduler_integration.api import parse
from scheduler_integration.api.shapes import (
	Booking,
	PlannedMeetings,
	SlotDay,
	booking_json,
	days_text,
	meetings_json,
)
from scheduler_integration.api.utils import api, ok, ok_text
from scheduler_integration.booking import bot_check, pages, series
from scheduler_integration.booking.scopes import scope_for
from scheduler_integration.booking.slots import slots_and_seats
from scheduler_integration.booking.tokens import booking_for_token
from scheduler_integration.core.answers import Answer
from scheduler_integration.core.clock import utc_now
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.core.languages import reader_language
from scheduler_integration.core.limits import per_ip
from scheduler_integration.core.replica import replica_reads
from scheduler_integration.core.settings import public_limit, window_days
from scheduler_integration.core.versioned_cache import read_ahead
from scheduler_integration.engine.booking_states import Actor
from scheduler_integration.engine.statuses import Status
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.outputs.invitations import download_ics, ics_file_name
from scheduler_integration.scheduler_integration.doctype.scheduler_booking import new_bookings


class OfferedSlots(TypedDict):
	"""The free times of a window, grouped by date on the booker's clock; a group session's
	seats per slot."""

	timezone: str
	duration: int
	seats: NotRequired[int]
	days: list[SlotDay]


@frappe.whitelist(allow_guest=True, methods=["GET"])
@per_ip(public_limit, seconds=60)
@read_ahead("profile", "meeting_type", "team")
@replica_reads
@api
def get_page(
	profile: str | None = None, meeting_type: str | None = None, team: str | None = None
) -> Answer[pages.BookingPage]:
	"""The host (or with ``team`` the team), the active meeting types and, with
	``meeting_type``, its questions."""
	return ok(pages.page_data(profile, meeting_type, team))


@frappe.whitelist(allow_guest=True, methods=["GET"])
@per_ip(public_limit, seconds=60)
@read_ahead("profile", "meeting_type", "team", "link", "routed")
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
	token: str | None = None,
) -> Answer[OfferedSlots]:
	"""Offered slots in [start, end), grouped by date on the booker's clock (``timezone``);
	the type is ``profile``'s or ``team``'s. ``count``: a series of that many meetings (a
	type that books series whole offers the starts whose every meeting is free). ``link``:
	a personal link's token (its host's times only), ``routed`` a routing form decision's
	(its hosts' times only); 410 once either may not book. ``token``: a booking's manage
	token, when the guest picks a new time for it (its own time does not stand in the way)."""
	zone_name = parse.zone_name(timezone)
	ctx = pages.public_type(profile, meeting_type, team)
	scope = scope_for(ctx, link, routed)
	lo, hi = parse.window(start, end, get_zone(zone_name), window_days())
	moving = booking_for_token(token) if token else None
	slots, seats_left = slots_and_seats(
		ctx,
		lo,
		hi,
		utc_now(),
		parse.meetings(ctx, count),
		hosts=scope.hosts if scope else None,
		exclude=series.moved_together(moving) if moving and moving.meeting_type == ctx.name else None,
	)
	answer = {"timezone": zone_name, "duration": ctx.policy.duration}
	if ctx.policy.seats > 1:
		answer["seats"] = ctx.policy.seats
	return ok_text(answer, days=days_text(slots, zone_name, seats_left))


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(public_limit, seconds=60)
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
) -> Answer[Booking]:
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
	errors = {}  # reported together with the form's own
	utm = {"utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": utm_campaign}
	extra = parse.collect(errors, parse.utm, utm) or {}
	if lang := parse.language(language):
		extra["language"] = lang  # the guest's emails are written in it
	if how := parse.locale(locale):
		extra["locale"] = how  # … and their dates and times as their browser writes them
	request = new_bookings.GuestRequest(
		form={
			"name": name,
			"email": email,
			"phone": phone,
			"company": company,
			"notes": notes,
			"timezone": timezone,
			"answers": parse.answers(answers),
			"attendees": attendees,
		},
		start=parse.collect(errors, parse.instant, start, "start"),
		errors=errors,
		idempotency_key=parse.collect(errors, parse.idempotency_key, idempotency_key),
		extra=extra,
		ref=ref,
		count=parse.meetings(ctx, count),
		link=link,
		routed=routed,
		challenge=challenge,
		nonce=nonce,
		captcha_token=captcha_token,
		ip=frappe.local.request_ip,
	)
	done = new_bookings.book(ctx, request)
	answer = booking_json(done.booking, done.token, done.booker_timezone, confirmation=True)
	if done.checkout is not None:
		# when the gateway cannot be reached the manage page is the pay page (it tries again)
		answer["payment"] = {**done.checkout, "url": done.checkout.get("url") or answer["manage_url"]}
	return ok(answer, status=201)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@per_ip(public_limit, seconds=60)
@api
def get_challenge() -> Answer[bot_check.Challenge]:
	"""A proof-of-work challenge for the booking form (``{"bits": 0}`` when none is needed)."""
	return ok(bot_check.new_challenge())


@frappe.whitelist(allow_guest=True, methods=["GET"])
@per_ip(public_limit, seconds=60)
@api
def get_booking(token: str) -> Answer[Booking]:
	doc = booking_for_token(token)
	return ok(booking_json(doc, token))


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(public_limit, seconds=60)
@api
def cancel(token: str, reason: str | None = None, following: int | str | None = None) -> Answer[Booking]:
	"""Cancel the booking; ``following``: a meeting of a series and every later one."""
	doc = booking_for_token(token, for_update=True)
	doc.flags.ignore_permissions = True  # the token is the guest's permission
	doc.cancel(parse.reason(reason), actor=Actor.GUEST, following=parse.flag(following))
	return ok(booking_json(doc, None), _("Your booking is cancelled"))


@frappe.whitelist(allow_guest=True, methods=["GET"])
@per_ip(public_limit, seconds=60)
@replica_reads
@api
def get_meetings(
	meeting_type: str,
	start: str,
	count: int | None = None,
	timezone: str = "UTC",
	profile: str | None = None,
	team: str | None = None,
) -> Answer[PlannedMeetings]:
	"""Every meeting a booking at ``start`` would make (a multi-day type's days, a series of
	``count``), each with whether it is free now, on the booker's clock."""
	zone_name = parse.zone_name(timezone)
	ctx = pages.public_type(profile, meeting_type, team)
	return ok(meetings_json(ctx, parse.instant(start, "start"), parse.meetings(ctx, count), zone_name))


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(public_limit, seconds=60)
@api
def reschedule(token: str, start: str, timezone: str | None = None) -> Answer[Booking]:
	doc = booking_for_token(token, for_update=True)
	when = parse.instant(start, "start")
	if timezone:
		doc.booker_timezone = parse.zone_name(timezone)
	doc.flags.ignore_permissions = True  # the token is the guest's permission
	before = doc.modified
	doc.reschedule(when, actor=Actor.GUEST)
	if doc.modified == before:  # its own time: nothing moved, and the answer says so
		return ok(booking_json(doc, token), _("Your booking already has this time"))
	return ok(booking_json(doc, token), _("Your booking is rescheduled"))


@frappe.whitelist(allow_guest=True, methods=["GET"])
@per_ip(public_limit, seconds=60)
@api
def ics(token: str | None = None):
	"""The booking as an .ics file for the guest's calendar (``invitations.download_ics``:
	METHOD PUBLISH with every active meeting of a series or multi-day booking, titled in the
	guest's booking language; CANCEL once cancelled); 404 for a link that is not valid."""
	doc = booking_for_token(token)
	with reader_language(doc.get("language")):
		content = download_ics(doc)
	frappe.local.response.filename = ics_file_name(
		doc, doc.get("booker_timezone"), cancelled=doc.status == Status.CANCELLED
	)
	frappe.local.response.filecontent = content
	frappe.local.response.type = "download"
	frappe.local.response.content_type = "text/calendar"  # the mimetype: werkzeug adds the charset
