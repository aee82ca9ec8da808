"""Calendly webhook events (already signature-checked) as meetings and engagements.

``invitee.created`` → meeting_booked, ``invitee.canceled`` → meeting_cancelled,
``invitee_no_show.created`` → no_show; a reschedule (``invitee.canceled`` with
``rescheduled`` and the new invitee's ``invitee.created`` naming its ``old_invitee``) moves
the meeting and records nothing new (``rules.external_schedulers.calendly_event``); other
events are ignored. The consultant is found by the event type URI equal to one of their
meeting types' External Scheduler URL, else by an organizer/host email (event memberships)
that belongs to a user with a Scheduler Profile. A report token Calendly hands back in
``tracking.utm_content`` (report links put it there) adds the report reference and phase
when it names that consultant (``reporting/external_meetings.py``, which also completes
the meeting when its end has passed).

A delivery is recorded once however often it arrives (Calendly's retries, a replay of a
captured signed request): it is known by its invitee URI, or, when the payload has none,
by a hash of the whole payload (keys sorted, so a re-serialised copy is the same
delivery). Copies arriving at once take turns on a database lock.
"""

from __future__ import annotations

import hashlib
import json
import re

import frappe

from scheduler_integration.reporting import external_meetings
from scheduler_integration.rules.external_schedulers import calendly_event

# an invitee URI is the delivery's identity as stored: plain URL characters only, so the
# engagement's text cleaning (entities, markup, spaces) cannot change it
_PLAIN_URI = re.compile(r"^[A-Za-z0-9:/._~%?=+-]{1,500}$")
Busy = external_meetings.Busy  # another copy held the lock too long: answered 503, Calendly retries


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


def delivery_id(payload: dict) -> str:
	"""What identifies this delivery: its invitee URI, else a hash of the payload."""
	data = _dict(payload.get("payload"))
	uri = data.get("uri") or _dict(data.get("scheduled_event")).get("uri")
	if isinstance(uri, str) and _PLAIN_URI.match(uri.strip()):
		return uri.strip()
	canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
	return "calendly:sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def handle(payload: dict) -> external_meetings.DeliveryResult:
	"""Record the delivery (once), answering what was done."""
	event = calendly_event(payload, delivery_id(payload))
	if event is None:
		return {"ignored": True}
	scheduled = _dict(_dict(payload.get("payload")).get("scheduled_event"))
	memberships = scheduled.get("event_memberships") or []
	emails = [m.get("user_email") for m in memberships if isinstance(m, dict)]
	host, meeting_type = _host(event.type_ref, emails)
	return external_meetings.apply(event, host=host, meeting_type=meeting_type, per_account=False)
