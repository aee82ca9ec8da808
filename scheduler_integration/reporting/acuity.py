"""Acuity Scheduling webhooks (signature already checked) as meetings and engagements.

A consultant's Acuity account is named in the webhook's address (``?account=<Acuity user
ID>``, Scheduler Profile → Acuity User ID); its API key (stored encrypted) checks the
signature and reads the appointment back from Acuity's API — the webhook itself carries
only ``action``, ``id``, ``calendarID`` and ``appointmentTypeID`` — so what is recorded is
the appointment's state now, whatever order or how often deliveries arrive
(``rules.external_schedulers.acuity_event``). The meeting type is the consultant's type
whose External Scheduler URL preselects that ``appointmentType``; the report comes back in
the intake form field the profile names (Acuity Report Field ID), which report links fill.

Acuity's API address is ``https://acuityscheduling.com/api/v1``; site config
``scheduler_provider_api`` ({"acuity": URL}) points it elsewhere (the tests' local peer).
"""

from __future__ import annotations

import frappe
from frappe.utils.password import get_decrypted_password

from scheduler_integration.providers.acuity import BASE_URL, AcuityApi
from scheduler_integration.reporting import external_meetings
from scheduler_integration.rules.external_schedulers import (
	acuity_action,
	acuity_event,
	acuity_type_id,
)


def profile_for(account) -> frappe._dict | None:
	"""The profile whose Acuity user ID is ``account`` (None: no such account here)."""
	if not isinstance(account, str) or not account.strip().isdigit():
		return None
	return frappe.db.get_value(
		"Scheduler Profile",
		{"acuity_user_id": account.strip()},
		["name", "user", "acuity_user_id", "acuity_report_field"],
		as_dict=True,
	)


def api_key(profile) -> str | None:
	return get_decrypted_password("Scheduler Profile", profile.name, "acuity_api_key", raise_exception=False)


def api_base() -> str:
	bases = frappe.conf.get("scheduler_provider_api") or {}
	return (bases.get("acuity") if isinstance(bases, dict) else None) or BASE_URL


def meeting_type_for(profile, type_id: str) -> str | None:
	"""The consultant's meeting type whose External Scheduler URL preselects ``type_id``."""
	if not type_id:
		return None
	for row in frappe.get_all(
		"Scheduler Meeting Type",
		filters={"profile": profile.name, "scheduler_event_url": ("is", "set")},
		fields=["name", "scheduler_event_url"],
		order_by="creation asc",
	):
		if acuity_type_id(row.scheduler_event_url) == type_id:
			return row.name
	return None


def handle(profile, key: str, form: dict) -> external_meetings.DeliveryResult:
	"""Record the appointment a delivery names (once), answering what was done."""
	action = acuity_action(form.get("action"))
	if not action:
		return {"ignored": True}  # orders (packages, gift certificates, subscriptions)
	appointment = AcuityApi(profile.acuity_user_id, key, base_url=api_base()).appointment(form.get("id"))
	event = acuity_event(action, appointment, profile.acuity_report_field) if appointment else None
	if event is None:
		return {"ignored": True}
	return external_meetings.apply(
		event, host=profile.user, meeting_type=meeting_type_for(profile, event.type_ref)
	)
