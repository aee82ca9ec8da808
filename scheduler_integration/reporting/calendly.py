"""Calendly webhook events (already signature-checked) as Scheduler Engagement records.

``invitee.created`` → meeting_booked, ``invitee.canceled`` → meeting_cancelled; other events
are ignored. The consultant is found by the event type URI equal to one of their meeting
types' External Scheduler URL, else by an organizer/host email (event memberships) that
belongs to a user with a Scheduler Profile. A report token Calendly hands back in
``tracking.utm_content`` (report links put it there) adds the report reference and phase
when it names that consultant. Each invitee URI is recorded once per event type, so
Calendly's retries do not count twice.
"""

from __future__ import annotations

from datetime import datetime

import frappe

from scheduler_integration.core.clock import to_system
from scheduler_integration.reporting import engagement
from scheduler_integration.reporting import links as report_links

EVENTS = {"invitee.created": "meeting_booked", "invitee.canceled": "meeting_cancelled"}


def _instant(value):
	if not isinstance(value, str) or not value:
		return None
	try:
		moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
	except ValueError:
		return None
	return to_system(moment) if moment.tzinfo else None


def _dict(value) -> dict:
	return value if isinstance(value, dict) else {}


def _host(event_type_uri, emails) -> tuple[str | None, str | None]:
	"""(host user, meeting type) for the event."""
	if isinstance(event_type_uri, str) and event_type_uri:
		row = frappe.db.get_value(
			"Scheduler Meeting Type",
			{"scheduler_event_url": event_type_uri.strip()},
			["name", "profile"],
			as_dict=True,
		)
		if row:
			return frappe.db.get_value("Scheduler Profile", row.profile, "user"), row.name
	for email in emails:
		if not isinstance(email, str) or not email:
			continue
		user = frappe.db.get_value("User", {"email": email.strip()}, "name")
		if user and frappe.db.exists("Scheduler Profile", {"user": user}):
			return user, None
	return None, None


def handle(payload: dict) -> dict:
	event_type = EVENTS.get(payload.get("event"))
	if not event_type:
		return {"ignored": True}
	data = _dict(payload.get("payload"))
	scheduled = _dict(data.get("scheduled_event"))
	memberships = scheduled.get("event_memberships") or []
	emails = [m.get("user_email") for m in memberships if isinstance(m, dict)]
	host, meeting_type = _host(scheduled.get("event_type"), emails)
	tracking = _dict(data.get("tracking"))
	ref = report_links.read_token(tracking.get("utm_content")) if tracking.get("utm_content") else None
	if ref and host is None:
		host = ref.consultant
	if ref and ref.consultant != host:
		ref = None
	external_id = str(data.get("uri") or scheduled.get("uri") or "")[:500] or None
	if external_id and frappe.db.exists(
		"Scheduler Engagement", {"external_event_id": external_id, "event_type": event_type}
	):
		return {"duplicate": True}
	doc = engagement.record(
		event_type,
		host=host,
		meeting_type=meeting_type or (ref.meeting_type if ref else None),
		phase=ref.phase if ref else None,
		reference_doctype=ref.reference_doctype if ref else None,
		reference_name=ref.reference_name if ref else None,
		client=data.get("name") or data.get("email"),
		external_event_id=external_id,
		scheduled_for=_instant(scheduled.get("start_time")),
		occurred_at=_instant(payload.get("created_at")),
		utm_source=tracking.get("utm_source"),
		utm_medium=tracking.get("utm_medium"),
		utm_campaign=tracking.get("utm_campaign"),
	)
	return {"engagement": doc.name, "host": host}
