"""Public booking API (guests): page data, slots, book, and the manage-link actions.

Every method is rate-limited per IP (Scheduler Settings → Public Requests per IP per
Minute), changes are POST only, guests can set only the listed fields, and every field is
validated and length-limited. Answers: ``{"success": true, "data": …}`` or
``{"success": false, "message": …, "errors": {field: message}}`` with 400 (bad input),
403 (outside the notice policy), 404 (unknown page, link or slot), 409 (slot taken, with
``alternatives``) or 429 (too many requests).
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date, datetime, time, timedelta, timezone

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from scheduler_integration.api.utils import fail as _fail
from scheduler_integration.api.utils import missing_arguments
from scheduler_integration.engine import group_by_local_date
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.guest_form import Question, clean_booking_form
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.engine.validation import clean_slug, clean_text, clean_timezone
from scheduler_integration.services import booking as booking_service
from scheduler_integration.services import scheduling
from scheduler_integration.services.errors import FieldValidationError, translate
from scheduler_integration.services.notifications import plain
from scheduler_integration.services.settings import setting
from scheduler_integration.services.timeutil import to_utc, utc_now

_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,80}$")


def public_limit() -> int:
	return int(setting("public_rate_limit") or 30)


def public_api(fn):
	"""Map errors of a public method onto documented 4xx answers."""

	@functools.wraps(fn)
	def wrapper(*args, **kwargs):
		frappe.local.scheduler_api_call = True
		try:
			missing = missing_arguments(fn, args, kwargs)
			if missing:
				return _fail(400, _("Please correct these fields"), errors=missing)
			return fn(*args, **kwargs)
		except booking_service.SlotUnavailable as exc:
			frappe.db.rollback()  # release the host lock before searching alternatives
			alternatives = [_slot_json(s, kwargs.get("timezone")) for s in exc.alternatives()]
			return _fail(409, str(exc), reason=exc.reason, alternatives=alternatives)
		except booking_service.PolicyRefused as exc:
			return _fail(403, str(exc))
		except FieldValidationError as exc:
			return _fail(400, _("Please correct these fields"), errors=exc.errors)
		except SchedulingError as exc:
			message = translate(exc)
			return _fail(400, message, errors={exc.field or "input": message})
		except frappe.DoesNotExistError as exc:
			return _fail(404, str(exc) or _("Not found"))
		except frappe.TooManyRequestsError:
			raise
		except frappe.ValidationError as exc:
			return _fail(400, frappe.utils.strip_html(str(exc)) or _("Invalid input"))
		finally:
			frappe.local.scheduler_api_call = False

	return wrapper


def _zone_name(value) -> str:
	try:
		return clean_timezone(value or "UTC")
	except SchedulingError as exc:
		raise FieldValidationError(translate(exc), {"timezone": translate(exc)}) from None


def _slot_json(slot, zone_name: str | None) -> dict:
	zone = get_zone(zone_name) if zone_name and _valid_zone(zone_name) else get_zone("UTC")
	local = slot.start.astimezone(zone)
	return {
		"start": slot.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
		"end": slot.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
		"date": local.date().isoformat(),
		"time": local.strftime("%H:%M"),
	}


def _valid_zone(name) -> bool:
	try:
		clean_timezone(name)
		return True
	except SchedulingError:
		return False


def _profile(slug):
	try:
		slug = clean_slug(slug, "profile")
	except SchedulingError:
		raise frappe.DoesNotExistError(_("This booking page does not exist")) from None
	name = frappe.db.get_value("Scheduler Profile", {"slug": slug, "active": 1}, "name")
	if not name:
		raise frappe.DoesNotExistError(_("This booking page does not exist"))
	return frappe.get_cached_doc("Scheduler Profile", name)


def _meeting_type(profile, slug):
	try:
		slug = clean_slug(slug, "meeting_type")
	except SchedulingError:
		raise frappe.DoesNotExistError(_("This meeting type does not exist")) from None
	name = frappe.db.get_value(
		"Scheduler Meeting Type", {"profile": profile.name, "slug": slug, "active": 1}, "name"
	)
	if not name:
		raise frappe.DoesNotExistError(_("This meeting type does not exist"))
	return frappe.get_doc("Scheduler Meeting Type", name)


def _duration(doc) -> int:
	return int(doc.custom_duration) if doc.duration == "Custom" else int(doc.duration)


def _questions(doc) -> list[Question]:
	return [
		Question(
			row.label,
			row.fieldtype or "Data",
			bool(row.required),
			tuple(line.strip() for line in (row.options or "").splitlines() if line.strip()),
		)
		for row in doc.questions
	]


def type_summary(doc) -> dict:
	return {
		"slug": doc.slug,
		"title": doc.title,
		"duration": _duration(doc),
		"description": doc.description or "",
		"location_type": doc.location_type or "",
		"color": doc.color or "",
		"requires_confirmation": bool(doc.requires_confirmation),
	}


def page_data(profile_slug, meeting_type_slug=None) -> dict:
	profile = _profile(profile_slug)
	types = frappe.get_all(
		"Scheduler Meeting Type",
		filters={"profile": profile.name, "active": 1},
		order_by="priority desc, sort_order asc, creation asc",
		pluck="name",
	)
	data = {
		"profile": {
			"slug": profile.slug,
			"display_name": profile.display_name,
			"description": profile.description or "",
			"timezone": profile.timezone,
			"brand_color": profile.brand_color or "",
			"logo": profile.logo or "",
		},
		"meeting_types": [type_summary(frappe.get_doc("Scheduler Meeting Type", n)) for n in types],
		"max_window_days": int(setting("max_slot_window_days") or 62),
	}
	if meeting_type_slug:
		doc = _meeting_type(profile, meeting_type_slug)
		data["meeting_type"] = {
			**type_summary(doc),
			"questions": [
				{
					"label": q.label,
					"fieldtype": q.fieldtype,
					"required": q.required,
					"options": list(q.options),
				}
				for q in _questions(doc)
			],
			"max_advance_days": int(doc.max_advance_days or 0),
		}
	return data


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@public_api
def get_page(profile: str, meeting_type: str | None = None):
	"""The host, their active meeting types and, with ``meeting_type``, its questions."""
	return {"success": True, "data": page_data(profile, meeting_type)}


def _window(start, end, zone) -> tuple[datetime, datetime]:
	"""[start, end) from booker-local dates (YYYY-MM-DD) or ISO instants."""
	out = []
	for field, value in (("start", start), ("end", end)):
		text = str(value or "").strip()
		if _DATE.match(text):
			try:
				day = date.fromisoformat(text)
			except ValueError:
				raise FieldValidationError(_("Invalid date"), {field: _("Use YYYY-MM-DD")}) from None
			out.append(datetime.combine(day, time(), tzinfo=zone).astimezone(timezone.utc))
		elif _ISO_INSTANT.match(text):
			out.append(_instant(text, field))
		else:
			raise FieldValidationError(
				_("Invalid date"), {field: _("Use YYYY-MM-DD or an ISO date-time with offset")}
			)
	lo, hi = out
	if hi <= lo:
		raise FieldValidationError(_("Invalid window"), {"end": _("End must be after start")})
	days = int(setting("max_slot_window_days") or 62)
	if hi - lo > timedelta(days=days):
		raise FieldValidationError(
			_("Invalid window"), {"end": _("Ask for at most {0} days at once").format(days)}
		)
	return lo, hi


def _instant(text, field: str) -> datetime:
	text = str(text or "").strip()
	if not _ISO_INSTANT.match(text):
		raise FieldValidationError(
			_("Invalid date-time"), {field: _("Use an ISO date-time with offset, e.g. 2026-01-05T14:30:00Z")}
		)
	try:
		value = datetime.fromisoformat(text.replace("Z", "+00:00"))
	except ValueError:
		raise FieldValidationError(
			_("Invalid date-time"), {field: _("Use an ISO date-time with offset")}
		) from None
	if value.year < 2000 or value.year > 2200:
		raise FieldValidationError(_("Invalid date-time"), {field: _("Date is out of range")})
	return to_utc(value)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@public_api
def get_slots(profile: str, meeting_type: str, start: str, end: str, timezone: str = "UTC"):
	"""Offered slots in [start, end), grouped by date on the booker's clock (``timezone``)."""
	zone_name = _zone_name(timezone)
	zone = get_zone(zone_name)
	doc = _meeting_type(_profile(profile), meeting_type)
	lo, hi = _window(start, end, zone)
	ctx = scheduling.type_context(doc)
	slots = scheduling.slots_for(ctx, lo, hi, utc_now())
	days = [
		{"date": day.isoformat(), "slots": [_slot_json(s, zone_name) for s in items]}
		for day, items in group_by_local_date(slots, zone_name).items()
	]
	return {"success": True, "data": {"timezone": zone_name, "duration": ctx.policy.duration, "days": days}}


def _email_rate_ok(email: str) -> bool:
	limit = int(setting("booking_rate_limit") or 5)
	since = frappe.utils.add_to_date(frappe.utils.now_datetime(), hours=-1)
	return frappe.db.count("Scheduler Booking", {"guest_email": email, "creation": (">", since)}) < limit


def booking_json(doc, token: str | None, zone_name: str | None = None) -> dict:
	mt = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type)
	profile = frappe.get_cached_doc("Scheduler Profile", mt.profile)
	zone_name = zone_name or doc.booker_timezone or "UTC"
	start, end = to_utc(doc.start), to_utc(doc.end)
	local = start.astimezone(get_zone(zone_name if _valid_zone(zone_name) else "UTC"))
	data = {
		"id": doc.name,
		"status": doc.status,
		"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
		"end": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
		"timezone": zone_name,
		"local_date": local.date().isoformat(),
		"local_time": local.strftime("%H:%M"),
		"meeting_type": mt.title,
		"meeting_type_slug": mt.slug,
		"profile_slug": profile.slug,
		"host_name": frappe.utils.get_fullname(doc.host),
		"duration": _duration(mt),
		"location": plain(doc.location),
		"meeting_link": doc.meeting_link or "",
		"guest_name": plain(doc.guest_name),
		"confirmation_message": mt.confirmation_message or "",
		"can_cancel": doc.status in scheduling.ACTIVE_STATUSES,
		"can_reschedule": doc.status in scheduling.ACTIVE_STATUSES,
	}
	if token:
		data["manage_url"] = frappe.utils.get_url(f"/book/manage/{token}")
		data["ics_url"] = frappe.utils.get_url(
			f"/api/method/scheduler_integration.api.public.ics?token={token}"
		)
	return data


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@public_api
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
):
	"""Book a slot. 201 with the booking and its manage link, or 409 with alternatives."""
	if website:  # honeypot: people never see this field, naive bots fill it
		raise FieldValidationError(_("Invalid submission"), {"website": _("Invalid submission")})
	doc = _meeting_type(_profile(profile), meeting_type)
	if isinstance(answers, str):
		try:
			answers = json.loads(answers) if answers.strip() else {}
		except ValueError:
			raise FieldValidationError(_("Invalid input"), {"answers": _("Invalid answers")}) from None
	form = {
		"name": name,
		"email": email,
		"phone": phone,
		"company": company,
		"notes": notes,
		"timezone": timezone,
		"answers": answers,
	}
	cleaned, errors = clean_booking_form(form, _questions(doc))
	when = None
	try:
		when = _instant(start, "start")
	except FieldValidationError as exc:
		errors.update({k: v for k, v in exc.errors.items()})
	if idempotency_key is not None and not _KEY.match(str(idempotency_key)):
		errors["idempotency_key"] = _("Invalid idempotency key")
	if errors:
		raise FieldValidationError(
			_("Please correct these fields"),
			{k: translate(v) if isinstance(v, SchedulingError) else v for k, v in errors.items()},
		)
	if not _email_rate_ok(cleaned["guest_email"]):
		raise frappe.TooManyRequestsError(
			_("Too many bookings from this email address; please try again later")
		)
	answers_json = json.dumps(cleaned.pop("answers"), ensure_ascii=False)
	extra = {"answers": answers_json, "source": "booking_page"}
	for key, value in (
		("utm_source", utm_source),
		("utm_medium", utm_medium),
		("utm_campaign", utm_campaign),
	):
		if value:
			extra[key] = clean_text(value, key, 140)
	from scheduler_integration.services.tracking import reference_from_token

	extra.update(reference_from_token(ref))
	booking, token = booking_service.create_booking(
		doc.name, when, cleaned, idempotency_key=idempotency_key, extra=extra
	)
	frappe.db.commit()
	frappe.local.response.http_status_code = 201
	return {"success": True, "data": booking_json(booking, token, cleaned["booker_timezone"])}


def _token_booking(token, for_update: bool = False):
	return booking_service.booking_for_token(str(token or "")[:200], for_update)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
@public_api
def get_booking(token: str):
	doc = _token_booking(token)
	return {"success": True, "data": booking_json(doc, token)}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@public_api
def cancel(token: str, reason: str | None = None):
	doc = _token_booking(token, for_update=True)
	reason = clean_text(reason, "reason", 1000, multiline=True)
	booking_service.cancel_booking(doc, reason)
	frappe.db.commit()
	return {"success": True, "data": booking_json(doc, None), "message": _("Your booking is cancelled")}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@public_api
def reschedule(token: str, start: str, timezone: str | None = None):
	doc = _token_booking(token, for_update=True)
	when = _instant(start, "start")
	if timezone:
		doc.booker_timezone = _zone_name(timezone)
	booking_service.reschedule_booking(doc, when)
	frappe.db.commit()
	return {"success": True, "data": booking_json(doc, token), "message": _("Your booking is rescheduled")}


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
def ics(token: str | None = None):
	"""The booking as an .ics file (add to calendar)."""
	try:
		doc = _token_booking(token)
	except frappe.DoesNotExistError:
		frappe.local.response.http_status_code = 404
		return {"success": False, "message": _("This link is not valid")}
	from scheduler_integration.services.notifications import invite_ics

	frappe.local.response.filename = "meeting.ics"
	frappe.local.response.filecontent = invite_ics(
		doc, "REQUEST" if doc.status in scheduling.ACTIVE_STATUSES else "CANCEL"
	)
	frappe.local.response.type = "download"
	frappe.local.response.content_type = "text/calendar; charset=utf-8"
