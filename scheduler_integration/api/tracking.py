"""Public tracking endpoints (guests): report link redirect, click beacon, booking page funnel.

* ``GET go?t=<token>`` records a ``link_clicked`` engagement and answers 302 to the URL the
  token resolves to on the consultant's own profile/types (reporting/links.py); a
  forged, foreign or dangling token gets a 404 page and no redirect — never an open redirect.
* ``POST track_click`` ({token, referrer}) — the spec's track-click for report templates that
  link straight to the scheduler and report the click with JavaScript.
* ``POST track_step`` — booking page funnel steps per anonymous session id.
* ``calendly_webhook``, ``acuity_webhook``, ``oncehub_webhook`` — the external schedulers'
  webhooks (``api.scheduler_webhooks``), answered at these published addresses too.

The guests' endpoints are rate-limited per IP (Scheduler Settings → Public Requests per IP
per Minute).
"""

from __future__ import annotations

import re

import frappe
from frappe import _

from scheduler_integration.api import parse
from scheduler_integration.api.utils import api, ok
from scheduler_integration.core.answers import Answer
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.core.limits import per_ip
from scheduler_integration.core.settings import public_limit
from scheduler_integration.reporting import tracking

_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,80}$")


@frappe.whitelist(allow_guest=True, methods=["GET"])
@per_ip(public_limit, seconds=60)
def go(t: str | None = None) -> None:
	"""Record the click of a report link and redirect (302) to the consultant's scheduler."""
	ref, target = tracking.resolve(t)
	if not target:
		frappe.db.rollback()
		frappe.respond_as_web_page(
			_("Link not valid"),
			_("This scheduling link is not valid or no longer available. Please contact your consultant."),
			http_status_code=404,
			indicator_color="red",
		)
		return
	tracking.record_click(ref)
	frappe.db.commit()  # Frappe commits only after unsafe methods; this GET must keep the click
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = target


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(public_limit, seconds=60)
@api
def track_click(token: str, referrer: str | None = None) -> Answer[None]:
	"""Record a report link click reported by JavaScript (the spec's POST track-click)."""
	ref, target = tracking.resolve(str(token)[:2000])
	if not target:
		raise frappe.DoesNotExistError(_("This link is not valid"))
	tracking.record_click(ref, str(referrer)[:1000] if referrer else None)
	return ok(message=_("Click tracked successfully"))


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(public_limit, seconds=60)
@api
def track_step(
	step: str,
	session_id: str,
	profile: str | None = None,
	meeting_type: str | None = None,
	ref: str | None = None,
	token: str | None = None,
	referrer: str | None = None,
	utm_source: str | None = None,
	utm_medium: str | None = None,
	utm_campaign: str | None = None,
	team: str | None = None,
) -> Answer[None]:
	"""One booking page funnel step of an anonymous session (recorded once per session).
	On a team's page (``team``) a step of one of its types counts for the type's owner; the
	view of the team's list has no host to count for."""
	errors = {}
	parse.collect(errors, parse.funnel_step, step)
	if not isinstance(session_id, str) or not _SESSION.match(session_id):
		errors["session_id"] = _("Invalid session id")
	if errors:
		raise FieldValidationError(_("Please correct these fields"), errors)
	tracking.record_step(
		step,
		session_id,
		profile=profile,
		meeting_type=meeting_type,
		team=team,
		token=token,
		ref=ref,
		referrer=referrer,
		utm={"utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": utm_campaign},
	)
	return ok()


# the external schedulers' webhooks keep the addresses hosts gave Calendly, Acuity and OnceHub
from scheduler_integration.api.scheduler_webhooks import (  # noqa: E402
	acuity_webhook,
	calendly_webhook,
	oncehub_webhook,
)

__all__ = ["acuity_webhook", "calendly_webhook", "go", "oncehub_webhook", "track_click", "track_step"]
