"""The external schedulers' webhooks: what was booked on Calendly, Acuity or OnceHub
becomes engagement (``reporting.calendly``, ``reporting.acuity``, ``reporting.oncehub``).

* ``POST calendly_webhook`` — Calendly ``invitee.created`` / ``invitee.canceled`` /
  ``invitee_no_show.created``, signed with the key in Scheduler Settings (401 unsigned or
  bad signature, 400 stale or malformed); each delivery is recorded once however often it
  is sent.
* ``POST acuity_webhook?account=<Acuity user ID>`` — Acuity's form-encoded webhook, signed
  with that consultant's API key (``X-Acuity-Signature``); the appointment is read back
  from Acuity's API.
* ``POST oncehub_webhook?account=<OnceHub user ID>`` — OnceHub's event object, signed with
  that consultant's webhook secret (``Oncehub-Signature``).

An account no profile names is 404, a missing or wrong signature 401 — nothing recorded; a
delivery being recorded by another request is 503 (the sender retries). The hosts gave the
senders the addresses under ``api.tracking``, which answer with these same methods. Rate
limit and body cap: ``api.webhooks``.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from urllib.parse import parse_qs

import frappe
from frappe import _
from frappe.utils.password import get_decrypted_password

from scheduler_integration.api.utils import api, ok
from scheduler_integration.api.webhooks import json_object, raw_body, webhook_limit
from scheduler_integration.core import error_codes as codes
from scheduler_integration.core.answers import Answer
from scheduler_integration.core.errors import RequestRefused, ServerBusy, Unauthorized
from scheduler_integration.core.limits import per_ip
from scheduler_integration.providers.errors import ProviderError, ProviderUnavailable
from scheduler_integration.reporting import acuity, calendly, external_meetings, oncehub
from scheduler_integration.reporting.external_meetings import DeliveryResult
from scheduler_integration.rules.external_schedulers import verify_acuity, verify_oncehub
from scheduler_integration.rules.tracking import SignatureRefused, verify_calendly


class ProviderFailed(RequestRefused):
	"""The scheduler's own API failed while a webhook was handled: the sender may retry."""

	code = codes.PROVIDER_ERROR
	http_status_code = codes.STATUS[code]


@contextmanager
def _signed():
	"""A signature the verifier refuses: 400 when only stale, else 401."""
	try:
		yield
	except SignatureRefused as exc:
		if exc.reason == "stale":
			raise RequestRefused(_("This webhook is too old")) from None
		raise Unauthorized(_("Invalid webhook signature")) from None


@contextmanager
def _recorded():
	"""Another request recording the same delivery: 503, the sender retries."""
	try:
		yield
	except (calendly.Busy, external_meetings.Busy):
		raise ServerBusy(_("The server is busy. Please try again in a moment.")) from None


def _profile_for(provider):
	"""The profile whose ``provider`` account the webhook's address names (the query, never
	the signed body's fields; 404: none)."""
	account = frappe.request.args.get("account")
	profile = provider.profile_for(account.strip()[:40] if isinstance(account, str) else None)
	if profile is None:
		raise frappe.DoesNotExistError(_("No scheduler account is set up for this webhook"))
	return profile


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(webhook_limit, seconds=60)
@api
def calendly_webhook(**kwargs) -> Answer[DeliveryResult]:
	"""Calendly invitee.created / invitee.canceled → meeting_booked / meeting_cancelled."""
	body = raw_body()
	key = get_decrypted_password(
		"Scheduler Settings", "Scheduler Settings", "calendly_signing_key", raise_exception=False
	)
	with _signed():
		verify_calendly(frappe.get_request_header("Calendly-Webhook-Signature"), body, key, now=time.time())
	with _recorded():
		return ok(calendly.handle(json_object(body)))


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(webhook_limit, seconds=60)
@api
def acuity_webhook(**kwargs) -> Answer[DeliveryResult]:
	"""Acuity appointment scheduled / rescheduled / canceled / changed (form-encoded)."""
	body = raw_body()
	profile = _profile_for(acuity)
	key = acuity.api_key(profile)
	with _signed():
		verify_acuity(frappe.get_request_header("X-Acuity-Signature"), body, key)
	try:
		form = {name: values[0] for name, values in parse_qs(body.decode("utf-8"), max_num_fields=20).items()}
	except (UnicodeError, ValueError):
		form = {}
	if not str(form.get("id") or "").isdigit():
		raise RequestRefused(_("Invalid webhook"))
	try:
		with _recorded():
			return ok(acuity.handle(profile, key, form))
	except ProviderUnavailable:
		raise ServerBusy(_("Acuity could not be reached. Please try again later.")) from None
	except ProviderError as exc:
		frappe.log_error(title="Scheduler: Acuity refused to read an appointment", message=exc.message)
		raise ProviderFailed(_("Acuity refused to read the appointment")) from None


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(webhook_limit, seconds=60)
@api
def oncehub_webhook(**kwargs) -> Answer[DeliveryResult]:
	"""OnceHub booking.scheduled / rescheduled / canceled / completed / no_show (JSON)."""
	body = raw_body()
	profile = _profile_for(oncehub)
	with _signed():
		verify_oncehub(
			frappe.get_request_header("Oncehub-Signature"), body, oncehub.secret(profile), now=time.time()
		)
	with _recorded():
		return ok(oncehub.handle(profile, json_object(body)))
