"""Stripe's hosted checkout, through Stripe's own Python library: Checkout Sessions (open,
read, close), refunds, and signed webhook events: what a checkout event says
(``checkout_event``) and what in a checkout does not match the payment it should be for
(``mismatches``), as plain values; the payment's controller decides what follows.

The library is the one the payments app brings (``stripe~=2.56``); the calls used here are
the ones that work the same in 2.56 and in today's releases (16.x): the module-level
resources with ``api_key`` per call and ``stripe.api_base`` for the address, a Checkout
Session closed through ``Session.expire`` where it exists and the same POST by hand where
it does not (2.56), and objects read back as plain JSON (``str(obj)`` is JSON in both;
16.x objects are no dicts). The module's address and HTTP client are global: they are set
for each call and put back after it, so another caller in the process (the payments app's
own Stripe flow) never inherits them. The library is imported on first use: a site
without the payments app never loads it.

Errors become the adapters' typed errors: no connection, 429 and 5xx →
``ProviderUnavailable`` (retry later), 401/403 → ``ProviderAuthError`` (the keys are
wrong), 404 → ``EventNotFound``, any other refusal → ``ProviderError`` with Stripe's
error ``code``. Secrets never appear in messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from .errors import EventNotFound, ProviderAuthError, ProviderError, ProviderUnavailable

__all__ = [
	"API_BASE",
	"CHECKOUT_EVENTS",
	"CheckoutEvent",
	"Expected",
	"SignatureRefused",
	"StripeCheckout",
	"checkout_event",
	"mismatches",
	"session_metadata",
	"session_paid",
	"verified_event",
]

API_BASE = "https://api.stripe.com"
TIMEOUT = 20  # seconds per request; the library's own default is 80
WEBHOOK_TOLERANCE = 300  # seconds a signed event stays valid (Stripe's default)
_EVENT_ID = re.compile(r"^evt_[A-Za-z0-9_]{1,200}$")
# the events of a checkout this app acts on: paid, or closed without a payment
CHECKOUT_EVENTS = {
	"checkout.session.completed": "paid",
	"checkout.session.async_payment_succeeded": "paid",
	"checkout.session.expired": "closed",
	"checkout.session.async_payment_failed": "closed",
}
# what ``mismatches`` finds: the checkout is another booking's or payment's, or its
# amount or currency differ
OTHER_BOOKING = "other booking"
AMOUNT_DIFFERS = "amount differs"


class SignatureRefused(ValueError):
	"""A webhook whose ``Stripe-Signature`` is missing, wrong or too old (``reason``)."""

	def __init__(self, reason: str):
		super().__init__(reason)
		self.reason = reason


def _stripe():
	import stripe

	return stripe


def _http_client(stripe, timeout: float):
	client = getattr(stripe, "RequestsClient", None)  # 16.x
	if client is None:
		client = stripe.http_client.RequestsClient  # 2.56
	return client(timeout=timeout)


def plain(obj) -> dict:
	"""A Stripe object as plain JSON values (the same in every library version)."""
	if obj is None:
		return {}
	if isinstance(obj, Mapping) and not hasattr(obj, "to_dict"):
		return dict(obj)
	return json.loads(str(obj))


class StripeCheckout:
	label = "Stripe"

	def __init__(self, secret_key: str, *, api_base: str | None = None, timeout: float = TIMEOUT):
		if not secret_key:
			raise ProviderAuthError("{0} needs the secret key of the gateway", self.label)
		self.secret_key = secret_key
		self.api_base = (api_base or API_BASE).rstrip("/")
		self.timeout = timeout

	def __repr__(self) -> str:
		return f"StripeCheckout(api_base={self.api_base!r})"

	@contextmanager
	def _call(self):
		"""The library pointed at this account's address for one call, errors translated."""
		stripe = _stripe()
		previous = stripe.api_base, stripe.default_http_client, stripe.max_network_retries
		stripe.api_base = self.api_base
		stripe.default_http_client = _http_client(stripe, self.timeout)
		# one attempt in every version (16.x retries twice by default): the callers retry
		# on their own terms, and a guest's request never waits through sleeps
		stripe.max_network_retries = 0
		try:
			yield stripe
		except stripe.error.StripeError as exc:
			raise _translated(stripe, exc) from None
		finally:
			stripe.api_base, stripe.default_http_client, stripe.max_network_retries = previous

	def create_session(
		self,
		*,
		amount: int,
		currency: str,
		name: str,
		success_url: str,
		cancel_url: str,
		reference: str,
		expires_at: datetime,
		idempotency_key: str,
		customer_email: str | None = None,
		metadata: Mapping[str, str] | None = None,
		locale: str | None = None,
	) -> dict:
		"""Open a one-off payment of ``amount`` minor units; answers the session (``id``,
		``url`` the guest pays on, ``expires_at``, …). The same ``idempotency_key`` again
		answers the session made the first time."""
		params = {
			"mode": "payment",
			"line_items": [
				{
					"price_data": {
						"currency": currency.lower(),
						"unit_amount": int(amount),
						"product_data": {"name": name[:250]},
					},
					"quantity": 1,
				}
			],
			"success_url": success_url,
			"cancel_url": cancel_url,
			"client_reference_id": reference,
			"metadata": dict(metadata or {}),
			"payment_intent_data": {"metadata": dict(metadata or {})},
			"expires_at": int(expires_at.timestamp()),
		}
		if customer_email:
			params["customer_email"] = customer_email
		if locale:
			params["locale"] = locale
		with self._call() as stripe:
			session = stripe.checkout.Session.create(
				api_key=self.secret_key, idempotency_key=idempotency_key, **params
			)
		return plain(session)

	def session(self, session_id: str) -> dict:
		"""The session as Stripe has it now (``EventNotFound`` when Stripe does not know it)."""
		with self._call() as stripe:
			return plain(stripe.checkout.Session.retrieve(session_id, api_key=self.secret_key))

	def expire(self, session_id: str) -> dict:
		"""Close an open session: nobody can pay on it afterwards. Stripe refuses to close
		one that is complete (``ProviderError`` with the session's state unchanged)."""
		with self._call() as stripe:
			session_class = stripe.checkout.Session
			if hasattr(session_class, "expire"):  # 16.x
				closed = session_class.expire(session_id, api_key=self.secret_key)
			else:  # 2.56: no method for it; the same request by hand
				closed = session_class._static_request(
					"post", f"/v1/checkout/sessions/{session_id}/expire", api_key=self.secret_key
				)
		return plain(closed)

	def refund(
		self,
		*,
		payment_intent: str,
		amount: int,
		idempotency_key: str,
		metadata: Mapping[str, str] | None = None,
	) -> dict:
		"""Give back ``amount`` minor units of a payment; answers the refund (``id``,
		``status``, ``amount``). The same ``idempotency_key`` never refunds twice."""
		with self._call() as stripe:
			refund = stripe.Refund.create(
				api_key=self.secret_key,
				idempotency_key=idempotency_key,
				payment_intent=payment_intent,
				amount=int(amount),
				metadata=dict(metadata or {}),
			)
		return plain(refund)


def verified_event(payload: bytes, header: str | None, secret: str | None, now: float | None = None):
	"""The JSON of a webhook request whose raw body ``payload`` is signed with ``secret``
	(``Stripe-Signature``), checked by Stripe's library; ``SignatureRefused`` otherwise
	(``reason``: missing, stale or invalid). A signed body that is JSON but no object (a
	list) is answered as it is: the caller refuses it. (The library's ``construct_event``
	fails on one with an AttributeError, in 2.56 and 16.x alike: the signature is checked
	the same way it does, and the JSON read here.)"""
	if not secret or not header or not payload:
		raise SignatureRefused("missing")
	stripe = _stripe()
	try:
		text = payload.decode("utf-8")
		stripe.WebhookSignature.verify_header(text, header, secret, WEBHOOK_TOLERANCE)
		return json.loads(text)
	except stripe.error.SignatureVerificationError as exc:
		raise SignatureRefused("stale" if "tolerance" in str(exc).lower() else "invalid") from None
	except ValueError:  # signed, but not JSON (nor UTF-8)
		raise SignatureRefused("invalid") from None


@dataclass(frozen=True)
class CheckoutEvent:
	"""A checkout event of Stripe's this app acts on: its ``id`` (as sent), ``kind`` (``paid``
	or ``closed``, ``CHECKOUT_EVENTS``) and its checkout.session object."""

	id: str
	kind: str
	session: dict

	@property
	def valid_id(self) -> bool:
		return bool(_EVENT_ID.match(self.id))

	@property
	def metadata(self) -> dict:
		return session_metadata(self.session)


def checkout_event(event: Mapping) -> CheckoutEvent | None:
	"""The checkout event in a webhook's JSON (``type``, ``data.object``); None for any other
	event (the app acts on none)."""
	kind = CHECKOUT_EVENTS.get(str(event.get("type") or ""))
	data = event.get("data") if isinstance(event.get("data"), dict) else {}
	session = data.get("object") if isinstance(data.get("object"), dict) else {}
	if not kind or session.get("object") != "checkout.session":
		return None
	return CheckoutEvent(str(event.get("id") or ""), kind, session)


def session_metadata(session: Mapping) -> dict:
	"""The metadata the app gave the checkout (``scheduler_booking``, ``scheduler_payment``)."""
	return session.get("metadata") if isinstance(session.get("metadata"), dict) else {}


def session_paid(session: Mapping) -> bool:
	"""Stripe says the checkout is complete and paid."""
	return session.get("status") == "complete" and session.get("payment_status") == "paid"


@dataclass(frozen=True)
class Expected:
	"""What a checkout of a payment must say: its booking and payment, amount and currency."""

	booking: str | None
	payment: str
	amount_minor: int
	currency: str | None


def mismatches(session: Mapping, expected: Expected) -> list[str]:
	"""What in ``session`` (a checkout.session object) does not belong to the payment
	``expected`` describes: ``OTHER_BOOKING``, ``AMOUNT_DIFFERS`` (none: it matches)."""
	metadata = session_metadata(session)
	found = []
	if (
		session.get("client_reference_id") != expected.booking
		or metadata.get("scheduler_booking") != expected.booking
		or metadata.get("scheduler_payment") != expected.payment
	):
		found.append(OTHER_BOOKING)
	if (
		session.get("amount_total") != expected.amount_minor
		or str(session.get("currency") or "").lower() != str(expected.currency or "").lower()
	):
		found.append(AMOUNT_DIFFERS)
	return found


def _translated(stripe, exc) -> Exception:
	status = getattr(exc, "http_status", None)
	code = getattr(exc, "code", None) or ""
	errors = stripe.error
	if isinstance(exc, errors.APIConnectionError):
		return ProviderUnavailable("{0} could not be reached", "Stripe")
	if isinstance(exc, errors.AuthenticationError | errors.PermissionError):
		return ProviderAuthError("{0} refused the gateway's secret key", "Stripe", status=status)
	if isinstance(exc, errors.RateLimitError) or (status or 0) >= 500 or status is None:
		headers = getattr(exc, "headers", None) or {}
		retry_after = headers.get("Retry-After") if hasattr(headers, "get") else None
		return ProviderUnavailable(
			"{0} is busy (HTTP {1})",
			"Stripe",
			status or 0,
			status=status,
			retry_after=float(retry_after) if str(retry_after or "").isdigit() else None,
		)
	if status == 404 or code == "resource_missing":
		return EventNotFound("{0} does not know this object", "Stripe", status=status)
	error = ProviderError("{0} refused the request: {1}", "Stripe", code or status, status=status)
	error.code = code
	return error
