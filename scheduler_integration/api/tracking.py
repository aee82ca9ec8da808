"""Public tracking endpoints (guests): report link redirect, click beacon, booking page funnel
and the Calendly webhook.

* ``GET go?t=<token>`` records a ``link_clicked`` engagement and answers 302 to the URL the
  token resolves to on the consultant's own profile/types (reporting/links.py); a
  forged, foreign or dangling token gets a 404 page and no redirect — never an open redirect.
* ``POST track_click`` ({token, referrer}) — the spec's track-click for report templates that
  link straight to the scheduler and report the click with JavaScript.
* ``POST track_step`` — booking page funnel steps per anonymous session id.
* ``POST calendly_webhook`` — Calendly ``invitee.created`` / ``invitee.canceled``, signed with
  the key in Scheduler Settings (401 unsigned or bad signature, 400 stale or malformed).

All are rate-limited per IP (Scheduler Settings → Public Requests per IP per Minute).
"""

from __future__ import annotations

import json
import re
import time

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from scheduler_integration.api.utils import api, fail
from scheduler_integration.booking import pages
from scheduler_integration.booking.tokens import booking_for_token
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.core.settings import public_limit
from scheduler_integration.engine.analytics import FUNNEL_STEPS
from scheduler_integration.engine.tracking import SignatureRefused, verify_calendly
from scheduler_integration.reporting import calendly, engagement
from scheduler_integration.reporting import links as report_links

_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,80}$")


def _record_click(ref, referrer=None):
	details = engagement.request_details()
	if referrer:
		details["referrer"] = referrer
	params = report_links.tracking_params(ref.phase)
	owned = report_links.owned_type(report_links.profile_of(ref.consultant), ref.meeting_type)
	return engagement.record(
		"link_clicked",
		host=ref.consultant,
		meeting_type=owned.name if owned else None,
		phase=ref.phase,
		reference_doctype=ref.reference_doctype,
		reference_name=ref.reference_name,
		utm_source=params.get("utm_source"),
		utm_medium=params.get("utm_medium"),
		utm_campaign=params.get("utm_campaign"),
		**details,
	)


def _resolve(token):
	ref = report_links.read_token(token) if token else None
	target = report_links.target_url(ref, token) if ref else None
	return ref, target


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=public_limit, seconds=60)
def go(t: str | None = None):
	"""Record the click of a report link and redirect (302) to the consultant's scheduler."""
	ref, target = _resolve(t)
	if not target:
		frappe.db.rollback()
		frappe.respond_as_web_page(
			_("Link not valid"),
			_("This scheduling link is not valid or no longer available. Please contact your consultant."),
			http_status_code=404,
			indicator_color="red",
		)
		return
	_record_click(ref)
	frappe.db.commit()  # Frappe commits only after unsafe methods; this GET must keep the click
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = target


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@api
def track_click(token: str, referrer: str | None = None):
	"""Record a report link click reported by JavaScript (the spec's POST track-click)."""
	ref, target = _resolve(str(token)[:2000])
	if not target:
		raise frappe.DoesNotExistError(_("This link is not valid"))
	_record_click(ref, str(referrer)[:1000] if referrer else None)
	return {"success": True, "message": _("Click tracked successfully")}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
@api
def track_step(
	step: str,
	session_id: str,
	profile: str,
	meeting_type: str | None = None,
	ref: str | None = None,
	token: str | None = None,
	referrer: str | None = None,
	utm_source: str | None = None,
	utm_medium: str | None = None,
	utm_campaign: str | None = None,
):
	"""One booking page funnel step of an anonymous session (recorded once per session)."""
	errors = {}
	if step not in FUNNEL_STEPS:
		errors["step"] = _("Unknown step")
	if not isinstance(session_id, str) or not _SESSION.match(session_id):
		errors["session_id"] = _("Invalid session id")
	if errors:
		raise FieldValidationError(_("Please correct these fields"), errors)
	page = pages.profile_by_slug(profile)
	doc = pages.meeting_type_by_slug(page, meeting_type) if meeting_type else None
	if step == "meeting_booked":
		booking = booking_for_token(token)
		if frappe.db.get_value("Scheduler Meeting Type", booking.meeting_type, "profile") != page.name:
			raise frappe.DoesNotExistError(_("This link is not valid"))
		engagement.record_booking_event(booking, "meeting_booked", session_id=session_id)
		return {"success": True}
	if frappe.db.exists(
		"Scheduler Engagement",
		{
			"session_id": session_id,
			"event_type": step,
			"meeting_type": doc.name if doc else ("is", "not set"),
		},
	):
		return {"success": True}
	reference = report_links.reference_fields(ref) if ref else {}
	link = report_links.read_token(ref) if reference else None
	details = engagement.request_details()
	if referrer:
		details["referrer"] = str(referrer)[:1000]
	engagement.record(
		step,
		host=page.user,
		meeting_type=doc.name if doc else None,
		session_id=session_id,
		phase=link.phase if link else None,
		reference_doctype=reference.get("reference_doctype"),
		reference_name=reference.get("reference_name"),
		utm_source=utm_source,
		utm_medium=utm_medium,
		utm_campaign=utm_campaign,
		**details,
	)
	return {"success": True}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=public_limit, seconds=60)
def calendly_webhook(**kwargs):
	"""Calendly invitee.created / invitee.canceled → meeting_booked / meeting_cancelled."""
	from frappe.utils.password import get_decrypted_password

	body = frappe.request.get_data(cache=True) or b""
	key = get_decrypted_password(
		"Scheduler Settings", "Scheduler Settings", "calendly_signing_key", raise_exception=False
	)
	try:
		verify_calendly(frappe.get_request_header("Calendly-Webhook-Signature"), body, key, now=time.time())
	except SignatureRefused as exc:
		if exc.reason == "stale":
			return fail(400, _("This webhook is too old"))
		return fail(401, _("Invalid webhook signature"))
	try:
		payload = json.loads(body)
	except ValueError:
		return fail(400, _("Invalid JSON"))
	if not isinstance(payload, dict):
		return fail(400, _("Invalid JSON"))
	result = calendly.handle(payload)
	return {"success": True, "data": result}
