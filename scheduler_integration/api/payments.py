"""Paid bookings' public endpoints.

* ``POST stripe_webhook`` — Stripe's webhook (Developers → Webhooks → endpoint URL
  ``https://<site>/api/method/scheduler_integration.api.payments.stripe_webhook``, events
  ``checkout.session.completed``, ``checkout.session.async_payment_succeeded``,
  ``checkout.session.async_payment_failed``, ``checkout.session.expired``): the raw body
  checked against its ``Stripe-Signature`` with the signing secret of Scheduler Settings
  by Stripe's library (401 when wrong, 400 when older than five minutes), then handed to
  ``scheduler_payment.receive_stripe_event``: a payment confirms its booking, a closed
  checkout releases its hold. An event for another booking or another amount than the
  payment it names is refused (400), a paid one that names no payment of this site (404,
  which Stripe delivers again); a closed checkout this site does not know is acknowledged
  (200, ``unknown``) and recorded as an Integration Request; the same signed request again
  is a replay (409); Stripe's redelivery of an event already handled is answered
  ``duplicate``. None of them changes anything.
* ``POST pay`` — the guest's manage page (by manage token) asks for the payment page of a
  booking awaiting payment: the open checkout, or one opened now (503 when the gateway
  cannot be reached: the guest tries again).
"""

from __future__ import annotations

import frappe
from frappe import _

from scheduler_integration.api.utils import api, ok
from scheduler_integration.api.webhooks import raw_body, webhook_limit
from scheduler_integration.booking.errors import PaymentUnavailable
from scheduler_integration.booking.payments import Payment, ensure_ready, open_checkout, webhook_secret
from scheduler_integration.booking.tokens import booking_for_token
from scheduler_integration.core.answers import Answer
from scheduler_integration.core.errors import RequestRefused, Unauthorized
from scheduler_integration.core.limits import per_ip
from scheduler_integration.core.settings import public_limit
from scheduler_integration.providers.stripe_checkout import SignatureRefused, verified_event
from scheduler_integration.scheduler_integration.doctype.scheduler_payment.scheduler_payment import (
	StripeEventResult,
	receive_stripe_event,
)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(webhook_limit, seconds=60)
@api
def stripe_webhook(**kwargs) -> Answer[StripeEventResult]:
	"""Stripe's checkout events, signed (``Stripe-Signature``)."""
	body = raw_body()
	header = frappe.get_request_header("Stripe-Signature") or ""
	try:
		event = verified_event(body, header, webhook_secret())
	except SignatureRefused as exc:
		if exc.reason == "stale":
			raise RequestRefused(_("This webhook is too old")) from None
		raise Unauthorized(_("Invalid webhook signature")) from None
	if not isinstance(event, dict):  # signed, but JSON that is no event
		raise RequestRefused(_("Invalid webhook"))
	result = receive_stripe_event(event, header[:1000])
	frappe.db.commit()
	return ok(result)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(public_limit, seconds=60)
@api
def pay(token: str) -> Answer[Payment]:
	"""The payment page of the booking awaiting payment (by its manage token)."""
	doc = booking_for_token(token)
	doc.require_awaiting_payment()
	ensure_ready()
	payment = open_checkout(doc)
	if not payment.get("url"):
		raise PaymentUnavailable(_("The payment page could not be opened. Please try again in a moment."))
	return ok(payment)
