"""Tracked report links: signed tokens (rules.tracking) resolved to the consultant's own URLs.

A token names consultant, meeting type, phase and report reference, never a URL. The
redirect resolves it here, only ever to:

* the native booking page ``/book/<profile slug>/<type slug>`` (or ``/book/<profile slug>``)
  on this site, carrying ``ref=<token>`` so the booking records the report reference; or
* for an external scheduler, the type's ``scheduler_event_url`` or else the profile's
  ``scheduler_url`` — URLs the consultant stored (and validators cleaned) on their own
  documents — with ``utm_content=<token>`` so a Calendly or OnceHub webhook can tie the
  booking back (for Acuity also ``field:<Acuity Report Field ID>=<token>``: an intake form
  field, as Acuity keeps no UTM values).

Both carry the report's UTM parameters (``rules.report_copy.tracking_params``).
"""

from __future__ import annotations

import frappe
from frappe.utils.password import get_encryption_key

from scheduler_integration.booking.domains import profile_url, type_url
from scheduler_integration.reporting.phases import phase_names
from scheduler_integration.rules.recommend import canonical_phase
from scheduler_integration.rules.report_copy import tracking_params, with_query
from scheduler_integration.rules.tracking import LinkRef, sign_link, verify_link

REDIRECT_METHOD = "/api/method/scheduler_integration.api.tracking.go"


def _key() -> str:
	return get_encryption_key()


def make_token(consultant, meeting_type=None, phase=None, reference_doctype=None, reference_name=None):
	return sign_link(
		LinkRef(
			consultant,
			meeting_type or "",
			canonical_phase(phase, phase_names()) or "",
			str(reference_doctype or "") if reference_name else "",
			str(reference_name or "") if reference_doctype else "",
		),
		_key(),
	)


def read_token(token) -> LinkRef | None:
	return verify_link(token, _key())


def tracked_url(token: str, phase=None) -> str:
	"""The absolute redirect URL of a report link."""
	return with_query(frappe.utils.get_url(REDIRECT_METHOD), {"t": token, **tracking_params(phase)})


def profile_of(consultant: str):
	name = frappe.db.get_value("Scheduler Profile", {"user": consultant}, "name")
	return frappe.get_cached_doc("Scheduler Profile", name) if name else None


def owned_type(profile, meeting_type: str):
	if not meeting_type:
		return None
	row = frappe.db.get_value(
		"Scheduler Meeting Type",
		meeting_type,
		["name", "profile", "team", "slug", "active", "scheduler_event_url"],
		as_dict=True,
	)
	if not row or row.profile != profile.name:
		return False  # another consultant's type: never a target
	return row


def native(profile) -> bool:
	return (profile.scheduler_provider or "native") == "native"


def target_url(ref: LinkRef, token: str) -> str | None:
	"""Where a genuine token leads, or None (unknown consultant/type, nothing configured)."""
	profile = profile_of(ref.consultant)
	if profile is None:
		return None
	row = owned_type(profile, ref.meeting_type)
	if row is False:
		return None
	params = tracking_params(ref.phase)
	if native(profile):
		if not profile.active:
			return None
		# the page on its custom domain, or the team's page, when it has one
		url = type_url(row) if row and row.active else profile_url(profile)
		return with_query(url, {**params, "ref": token})
	url = (row.scheduler_event_url if row else None) or profile.scheduler_url
	if not url:
		return None
	params["utm_content"] = token
	if profile.scheduler_provider == "acuity" and profile.get("acuity_report_field"):
		# Acuity keeps no UTM values: the token rides in an intake form field it hands back
		params[f"field:{profile.acuity_report_field}"] = token
	try:
		return with_query(url.strip(), params)
	except ValueError:
		return None


def reference_fields(token) -> dict:
	"""Booking fields for a report token ({} when it is not genuine)."""
	ref = read_token(token) if token else None
	if ref is None:
		return {}
	out = {"source": "report"}
	if (
		ref.reference_doctype
		and ref.reference_name
		and frappe.db.exists("DocType", ref.reference_doctype)
		and frappe.db.exists(ref.reference_doctype, ref.reference_name)
	):
		out["reference_doctype"] = ref.reference_doctype
		out["reference_name"] = ref.reference_name
	return out
