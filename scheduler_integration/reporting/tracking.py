"""What a tracked click and a booking page's funnel step record (the tracking endpoints,
``api/tracking``, parse the request and answer; the rules are here).

- A report link's click (``record_click``) is recorded for the consultant its token names,
  with the phase and the UTM parameters the link carries; a token that resolves to no page
  of theirs (forged, foreign, dangling) records nothing (``resolve`` gives no target).
- A funnel step (``record_step``) counts once per anonymous session, step and meeting type;
  on a team's page a step of one of its types counts for the type's owner, and the view of
  the team's list has no host to count for. ``meeting_booked`` is the booking's own event,
  accepted only for a booking of the page it is reported from.
"""

from __future__ import annotations

import frappe
from frappe import _

from scheduler_integration.booking import pages
from scheduler_integration.booking.tokens import booking_for_token
from scheduler_integration.reporting import engagement
from scheduler_integration.reporting import links as report_links


def resolve(token):
	"""(the link's reference, the URL it takes the guest to) of a report link's token; the
	URL is None for a token that takes nowhere."""
	ref = report_links.read_token(token) if token else None
	target = report_links.target_url(ref, token) if ref else None
	return ref, target


def record_click(ref, referrer=None):
	"""One click of a report link (resolved by ``resolve``)."""
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


def record_step(
	step: str,
	session_id: str,
	*,
	profile: str | None = None,
	meeting_type: str | None = None,
	team: str | None = None,
	token: str | None = None,
	ref: str | None = None,
	referrer: str | None = None,
	utm: dict | None = None,
) -> None:
	"""One booking page funnel step of a session (``step`` and ``session_id`` already
	checked); an unknown page, type or team is a 404."""
	if team:
		if not meeting_type:
			pages.team_page(team)  # an unknown team is still a 404
			return
		ctx = pages.public_type(None, meeting_type, team)
		page, doc = ctx.profile, ctx.doc
	else:
		page = pages.profile_by_slug(profile)
		doc = pages.meeting_type_by_slug(page, meeting_type) if meeting_type else None
	if step == "meeting_booked":
		booking = booking_for_token(token)
		if frappe.db.get_value("Scheduler Meeting Type", booking.meeting_type, "profile") != page.name:
			raise frappe.DoesNotExistError(_("This link is not valid"))
		engagement.record_booking_event(booking, "meeting_booked", session_id=session_id)
		return
	if frappe.db.exists(
		"Scheduler Engagement",
		{
			"session_id": session_id,
			"event_type": step,
			"meeting_type": doc.name if doc else ("is", "not set"),
		},
	):
		return
	reference = report_links.reference_fields(ref) if ref else {}
	link = report_links.read_token(ref) if reference else None
	details = engagement.request_details()
	if referrer:
		details["referrer"] = str(referrer)[:1000]
	utm = utm or {}
	engagement.record(
		step,
		host=page.user,
		meeting_type=doc.name if doc else None,
		session_id=session_id,
		phase=link.phase if link else None,
		reference_doctype=reference.get("reference_doctype"),
		reference_name=reference.get("reference_name"),
		utm_source=utm.get("utm_source"),
		utm_medium=utm.get("utm_medium"),
		utm_campaign=utm.get("utm_campaign"),
		**details,
	)
