"""What every webhook of the app shares: a capped body, a JSON object, its own rate limit.

The webhooks (``payments.stripe_webhook``, ``scheduler_webhooks.calendly_webhook``,
``acuity_webhook``, ``oncehub_webhook``, ``sms.twilio_reply``) are called by a provider's
few servers, not by guests: they count against a per-IP limit of their own (Scheduler
Settings → Webhook Requests per IP per Minute), never the guests' one, so a busy
provider is not refused at the guests' pace. Their bodies are a few kilobytes; one larger
than ``MAX_BODY`` (Stripe's own cap) is refused with 413 before it is read as an event.
How each provider's request is verified against the account it is addressed to is the
provider's module: ``providers.stripe_checkout`` with ``scheduler_payment``,
``rules.tracking.verify_calendly``, ``rules.external_schedulers.verify_acuity`` and
``verify_oncehub`` (with ``reporting.acuity`` / ``oncehub``: the account of the address),
``rules.sms_replies.verify_twilio``.
"""

from __future__ import annotations

import json

import frappe
from frappe import _

from scheduler_integration.core.errors import RequestRefused, RequestTooLarge
from scheduler_integration.core.settings import setting

MAX_BODY = 512 * 1024


def webhook_limit() -> int:
	"""Requests per IP and minute on each webhook (``core.limits.per_ip``'s limit)."""
	return int(setting("webhook_rate_limit") or 600)


def raw_body(limit: int = MAX_BODY) -> bytes:
	"""The request's body as sent, refused (413) past ``limit`` bytes."""
	length = frappe.request.content_length
	if length is not None and length > limit:
		raise RequestTooLarge(_("This request is too large"))
	body = frappe.request.get_data(cache=True) or b""
	if len(body) > limit:
		raise RequestTooLarge(_("This request is too large"))
	return body


def json_object(body: bytes) -> dict:
	"""A webhook's JSON body, which must be an object (400 otherwise)."""
	try:
		payload = json.loads(body)
	except ValueError:
		payload = None
	if not isinstance(payload, dict):
		raise RequestRefused(_("Invalid JSON"))
	return payload
