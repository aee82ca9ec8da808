"""Scheduler Settings (Single) with the defaults a fresh site needs."""

from __future__ import annotations

import time

import frappe

from scheduler_integration.core.replica import cached_doc, on_replica
from scheduler_integration.core.versioned_cache import VersionedCache

DOCTYPE = "Scheduler Settings"
# every public request reads its limit from the settings: a plain dict kept per process
# under the settings' version costs one Redis round trip, the cached document a pickle
# load of the whole document (7 % of a month-of-slots request)
VALUES = VersionedCache("scheduler_integration:settings")

DEFAULTS = {
	"reminder_offsets": "1440,60",
	"remind_host": 0,
	"max_reminder_attempts": 5,
	"public_rate_limit": 30,
	"webhook_rate_limit": 600,
	"booking_rate_limit": 5,
	"booking_challenge_bits": 12,  # on: well under a second of a browser's time
	"bookings_per_host_per_hour": 20,
	"bookings_per_type_per_day": 200,
	"max_effect_attempts": 8,
	"max_slot_window_days": 62,
	"pending_expiry_hours": 48,
	"crm_target": "Auto",
	"create_lead": 0,
	"allowed_embed_hosts": "",
	"anonymize_ip": 0,
	"allow_private_calendar_hosts": 0,
	"sms_confirm_minutes": 15,
}


# the booking page asks a month of times at once, on the booker's clock: 31 days and the
# hour a change from summer time adds
MIN_WINDOW_DAYS = 32


def get_settings():
	"""The settings document (for what a document gives: ``get_password``)."""
	return cached_doc(DOCTYPE)


def setting(field: str):
	value = _values().get(field)
	return DEFAULTS.get(field) if value in (None, "") else value


# Settings written without their document (``frappe.db.set_single_value`` in a patch or the
# console) reach no ``on_update``; Frappe then drops its cached copy of the document, and the
# next reader puts the new one back. Each process compares that copy with what it keeps at most
# once a ``RECHECK`` seconds (one read of Frappe's cache) and reads the settings again when they
# differ. A raw SQL write to tabSingles reaches neither: ``bench clear-cache`` after one
# (docs/guarantees.md).
RECHECK = 1.0
_checked: dict[str, float] = {}  # site -> when this process last compared


def _values() -> dict:
	site = frappe.local.site
	values = VALUES.get_many([DOCTYPE], _read)[DOCTYPE]
	now = time.monotonic()
	if now - _checked.get(site, -RECHECK) >= RECHECK and not on_replica():
		_checked[site] = now
		if frappe.get_cached_doc(DOCTYPE).as_dict() != values:
			VALUES.entries.pop((site, DOCTYPE), None)
			values = VALUES.get_many([DOCTYPE], _read)[DOCTYPE]
	return values


def _read(_keys) -> dict:
	# not the cached document: what is built here must be of this transaction's snapshot
	return {DOCTYPE: frappe.get_doc(DOCTYPE).as_dict()}


def settings_changed() -> None:
	"""Every process reads the settings again (called by every change of them: the
	document's ``on_update``, ``store``)."""
	VALUES.invalidate([DOCTYPE])
	frappe.clear_document_cache(DOCTYPE, DOCTYPE)


def store(**values) -> None:
	"""Write fields without the document's validation (install, patches)."""
	for field, value in values.items():
		frappe.db.set_single_value(DOCTYPE, field, value)
	settings_changed()


def extra_embed_hosts() -> list[str]:
	return [line.strip() for line in (setting("allowed_embed_hosts") or "").splitlines() if line.strip()]


def window_days() -> int:
	"""The most days one slot request may cover (never less than the booking page's month:
	a value stored before that rule would leave every page without times)."""
	return max(int(setting("max_slot_window_days") or DEFAULTS["max_slot_window_days"]), MIN_WINDOW_DAYS)


def public_limit() -> int:
	"""Requests per IP and minute on each public endpoint (``core.limits.per_ip``'s limit)."""
	return int(setting("public_rate_limit") or 30)


def site_region() -> str | None:
	"""The site's country as ISO 3166 alpha-2 (System Settings → Country): the country of
	phone numbers written without one (``rules.matching.same_phone``)."""
	country = frappe.db.get_single_value("System Settings", "country")
	code = frappe.get_cached_value("Country", country, "code") if country else None
	return code or None
