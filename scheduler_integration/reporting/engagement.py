"""Scheduler Engagement records: report link clicks, booking page steps, booking outcomes.

Guests never write engagement documents directly; the tracking endpoints and the booking
lifecycle call ``record``. Every value is length-limited here, the IP address is
normalised (and anonymised when Scheduler Settings → Anonymise IP Addresses is on), and
the phase is stored in its canonical spelling or not at all.
"""

from __future__ import annotations

import frappe

from scheduler_integration.core.settings import setting
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.validation import ANGLES, decoded
from scheduler_integration.reporting.phases import phase_names
from scheduler_integration.rules.recommend import canonical_phase
from scheduler_integration.rules.tracking import anonymize_ip, clean_ip, phase_from_campaign

# lifecycle event (engine.booking_states.lifecycle_event) -> engagement event type
BOOKING_EVENTS = {
	"booked": "meeting_booked",
	"pending": "meeting_booked",
	"cancelled": "meeting_cancelled",
	"declined": "meeting_cancelled",
	"completed": "meeting_completed",
	"no_show": "no_show",
}
_LENGTHS = {
	"client": 200,
	"external_event_id": 500,
	"session_id": 80,
	"user_agent": 1000,
	"referrer": 1000,
	"utm_source": 140,
	"utm_medium": 140,
	"utm_campaign": 140,
	"reference_name": 140,
}


def _text(value, length: int) -> str | None:
	"""One line of what a client sent (user agent, referrer, UTM values): entities decoded
	once, no control characters or line breaks, and no markup (``<`` and ``>`` become ‹ ›)."""
	if value in (None, ""):
		return None
	try:
		text = decoded(str(value))
	except SchedulingError:
		return None
	text = "".join(ch if ch.isprintable() else " " for ch in text)
	text = " ".join(text.split()).translate(ANGLES)
	return text[:length] or None


one_line = _text  # for other records of what a client sent (external meetings)


def request_details() -> dict:
	"""IP address, user agent and referrer of the current request ({} outside a request)."""
	request = getattr(frappe.local, "request", None)
	if not request:
		return {}
	return {
		"ip_address": getattr(frappe.local, "request_ip", None) or request.remote_addr,
		"user_agent": request.headers.get("User-Agent"),
		"referrer": request.headers.get("Referer"),
	}


def store_ip(value) -> str | None:
	if int(setting("anonymize_ip") or 0):
		return anonymize_ip(value) or None
	return clean_ip(value) or None


def record(event_type: str, **fields):
	"""Insert one engagement (as Administrator-owned system record) and return it."""
	values = {"doctype": "Scheduler Engagement", "event_type": event_type}
	for key, length in _LENGTHS.items():
		if key in fields:
			values[key] = _text(fields.pop(key), length)
	if "ip_address" in fields:
		values["ip_address"] = store_ip(fields.pop("ip_address"))
	phase = fields.pop("phase", None)
	known = phase_names()
	values["phase"] = canonical_phase(phase, known) or phase_from_campaign(values.get("utm_campaign"), known)
	reference_doctype = fields.pop("reference_doctype", None)
	if reference_doctype and values.get("reference_name") and frappe.db.exists("DocType", reference_doctype):
		values["reference_doctype"] = reference_doctype
	else:
		values.pop("reference_name", None)
	for key in ("host", "meeting_type", "booking"):
		value = fields.pop(key, None)
		values[key] = value or None
	values["scheduled_for"] = fields.pop("scheduled_for", None)
	values["occurred_at"] = fields.pop("occurred_at", None) or frappe.utils.now_datetime()
	if fields:
		raise TypeError(f"unknown engagement fields: {sorted(fields)}")
	doc = frappe.get_doc(values)
	doc.flags.ignore_permissions = True
	doc.flags.ignore_links = True  # a deleted meeting type or reference must not lose the event
	doc.insert()
	return doc


def booking_client(doc) -> str:
	return doc.guest_company or doc.guest_name or ""


def record_booking_event(doc, event_type: str, session_id: str | None = None):
	"""The engagement of ``event_type`` for booking ``doc``: found (at most one each) or made."""
	existing = frappe.db.get_value(
		"Scheduler Engagement", {"booking": doc.name, "event_type": event_type}, "name"
	)
	if existing:
		if session_id:
			frappe.db.set_value("Scheduler Engagement", existing, "session_id", _text(session_id, 80))
		return existing
	when = None
	if event_type == "meeting_booked":
		when = doc.creation
	elif event_type == "meeting_cancelled":
		when = doc.get("cancelled_at")
	return record(
		event_type,
		host=doc.host,
		meeting_type=doc.meeting_type,
		booking=doc.name,
		reference_doctype=doc.reference_doctype,
		reference_name=doc.reference_name,
		client=booking_client(doc),
		scheduled_for=doc.start,
		utm_source=doc.utm_source,
		utm_medium=doc.utm_medium,
		utm_campaign=doc.utm_campaign,
		session_id=session_id,
		occurred_at=when,
	).name
