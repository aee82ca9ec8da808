"""Scheduler Settings (Single) with the defaults a fresh site needs."""

from __future__ import annotations

import frappe

DEFAULTS = {
	"reminder_offsets": "1440,60",
	"remind_host": 0,
	"max_reminder_attempts": 5,
	"public_rate_limit": 30,
	"booking_rate_limit": 5,
	"max_slot_window_days": 62,
	"pending_expiry_hours": 48,
	"crm_target": "Auto",
	"create_lead": 0,
	"allowed_embed_hosts": "",
	"anonymize_ip": 0,
	"allow_private_calendar_hosts": 0,
}


def get_settings():
	return frappe.get_cached_doc("Scheduler Settings")


def setting(field: str):
	value = get_settings().get(field)
	return DEFAULTS.get(field) if value in (None, "") else value


def extra_embed_hosts() -> list[str]:
	return [line.strip() for line in (setting("allowed_embed_hosts") or "").splitlines() if line.strip()]
