"""Paid bookings on the Frappe side: the payments app's gateway, the guest's checkout and
the Scheduler Payment records (the rules of amounts, holds and refunds are
``rules.payments``).

- **The gateway** is a *Payment Gateway* of the payments app (Scheduler Settings →
  Payment Gateway, e.g. ``Stripe-Main``) whose settings are a *Stripe Settings* record:
  its secret key is read from there (``get_password``), the webhook's signing secret from
  Scheduler Settings. The payments app's controller checks what it supports (currency,
  smallest amount). Site config ``scheduler_provider_api`` ({"stripe": URL}) points the
  client at another address (the tests' local peer).
- **A type requires payment** when it says so and has a price (``requires_payment``); a
  guest's booking of it waits as *Awaiting Payment* (``booking.check``).
- **The checkout** (``open_checkout``) is made after the booking committed: one Scheduler
  Payment per booking (its ``access_key`` names the receipt page the gateway sends the
  guest back to; the manage token never leaves the site), and one Checkout Session for it,
  opened with an idempotency key of that payment and its expiry, so a retry (the guest's
  pay button, a timeout) answers the same session. A gateway that cannot be reached leaves
  the payment *Not Started*: the guest's manage page tries again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NotRequired, TypedDict

import frappe
from frappe import _
from frappe.utils.password import get_decrypted_password

from scheduler_integration.booking.domains import origin
from scheduler_integration.booking.errors import PaymentUnavailable
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import safe_zone
from scheduler_integration.core.answers import DateTime, Url
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.statuses import AWAITING_PAYMENT
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.providers.errors import AdapterError
from scheduler_integration.providers.stripe_checkout import StripeCheckout
from scheduler_integration.rules.payment_statuses import BookingPaymentStatus, PaymentStatus
from scheduler_integration.rules.payments import checkout_expires, to_minor

DOCTYPE = "Scheduler Payment"
STRIPE_SETTINGS = "Stripe Settings"
# the languages Stripe's checkout page speaks, of those the booking pages speak
STRIPE_LOCALES = frozenset({"de", "fr", "es", "pt", "it", "nl", "ja", "sv", "da", "fi", "nb", "pl"})


def payments_installed() -> bool:
	return "payments" in frappe.get_installed_apps()


def requires_payment(meeting_type) -> bool:
	"""Does a guest pay for a booking of ``meeting_type`` (a document) when booking it?"""
	return bool(meeting_type.get("require_payment")) and float(meeting_type.get("price") or 0) > 0


def gateway() -> frappe._dict | None:
	"""The Payment Gateway paid bookings use: name, settings DocType and record."""
	name = setting("payment_gateway")
	if not name or not payments_installed():
		return None
	row = frappe.db.get_value(
		"Payment Gateway", name, ["name", "gateway_settings", "gateway_controller"], as_dict=True
	)
	return row or None


def secret_key(row) -> str | None:
	return get_decrypted_password(
		STRIPE_SETTINGS, row.gateway_controller, "secret_key", raise_exception=False
	)


def webhook_secret() -> str | None:
	return get_decrypted_password(
		"Scheduler Settings", "Scheduler Settings", "stripe_webhook_secret", raise_exception=False
	)


def gateway_problem(currency: str | None = None, price=None) -> str | None:
	"""Why paid bookings cannot be taken now (None: they can), in words for the admin."""
	if not payments_installed():
		return _(
			"Paid bookings need Frappe's payments app: install it on this site, add a Stripe gateway "
			"(Stripe Settings) and choose it in Scheduler Settings → Payments."
		)
	row = gateway()
	if row is None:
		if setting("payment_gateway"):
			return _("The payment gateway {0} does not exist any more").format(setting("payment_gateway"))
		return _("Choose the Stripe gateway in Scheduler Settings → Payments first.")
	if row.gateway_settings != STRIPE_SETTINGS or not row.gateway_controller:
		return _(
			"{0} is not a Stripe gateway: paid bookings use Stripe's hosted checkout, its signed webhook and its refunds"
		).format(row.name)
	if not secret_key(row):
		return _("The Stripe gateway {0} has no secret key").format(row.name)
	if not webhook_secret():
		return _("Add Stripe's webhook signing secret in Scheduler Settings → Payments first.")
	if currency:
		return _controller_refusal(row, currency, price)
	return None


def _controller_refusal(row, currency: str, price) -> str | None:
	"""What the payments app's gateway controller says of this currency and amount."""
	from payments.utils import get_payment_gateway_controller

	controller = get_payment_gateway_controller(row.name)
	checks = [lambda: controller.validate_transaction_currency(currency)]
	if price and hasattr(controller, "validate_minimum_transaction_amount"):
		checks.append(lambda: controller.validate_minimum_transaction_amount(currency, float(price)))
	for check in checks:
		logged = len(frappe.local.message_log or [])
		try:
			check()
		except frappe.ValidationError as exc:
			del frappe.local.message_log[logged:]  # the caller shows it on its field
			return frappe.utils.strip_html(str(exc)) or _("The gateway refuses this currency")
	return None


def ensure_ready() -> None:
	"""Refuse a guest's booking of a paid type while payments cannot be taken (503)."""
	if gateway_problem() is not None:
		raise PaymentUnavailable(_("Payments cannot be taken right now. Please try again later."))


def stripe_api(row=None) -> StripeCheckout:
	row = row or gateway()
	if row is None:
		raise PaymentUnavailable(_("Payments cannot be taken right now. Please try again later."))
	bases = frappe.conf.get("scheduler_provider_api") or {}
	base = bases.get("stripe") if isinstance(bases, dict) else None
	return StripeCheckout(secret_key(row) or "", api_base=base)


def gateway_api(payment) -> StripeCheckout:
	"""The client of the gateway ``payment`` was taken through: refunds go back the way the
	money came, whatever the settings say now."""
	row = None
	if payment.payment_gateway and payments_installed():
		row = frappe.db.get_value(
			"Payment Gateway",
			payment.payment_gateway,
			["name", "gateway_settings", "gateway_controller"],
			as_dict=True,
		)
	if row is None or row.gateway_settings != STRIPE_SETTINGS:
		raise PaymentUnavailable(_("The payment gateway {0} is not set up").format(payment.payment_gateway))
	return stripe_api(row)


def receipt_url(doc, payment) -> str:
	"""The payment's receipt page, on the site's own address (a custom domain serves its
	booking pages only)."""
	return f"{origin()}/book/receipt?key={payment.access_key}"


def current_payment(booking: str, for_update: bool = False):
	"""The booking's payment that still counts (not one that closed unpaid), newest first."""
	name = frappe.db.get_value(
		DOCTYPE,
		{"booking": booking, "status": ("!=", PaymentStatus.EXPIRED.value)},
		"name",
		order_by="creation desc",
		for_update=for_update,
	)
	return frappe.get_doc(DOCTYPE, name) if name else None


def payments_of(booking: str) -> list:
	return [
		frappe.get_doc(DOCTYPE, name)
		for name in frappe.get_all(
			DOCTYPE, filters={"booking": booking}, pluck="name", order_by="creation asc"
		)
	]


def new_payment(doc):
	"""The booking's Scheduler Payment, not opened at the gateway yet (committed by the caller)."""
	row = gateway()
	payment = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"booking": doc.name,
			"meeting_type": doc.meeting_type,
			"host": doc.host,
			"status": PaymentStatus.NOT_STARTED.value,
			"amount": doc.amount,
			"currency": doc.currency,
			"amount_minor": to_minor(doc.amount, doc.currency),
			"payment_gateway": row.name if row else None,
			"access_key": frappe.generate_hash(length=32),
		}
	)
	payment.insert(ignore_permissions=True)
	return payment


def product_name(doc, zone_name: str) -> str:
	"""What the checkout page names: the meeting type and its time on the guest's clock."""
	title = meeting_type_doc(doc.meeting_type).get("title") or doc.meeting_type
	local = to_utc(doc.start).astimezone(get_zone(safe_zone(zone_name)))
	return f"{title} · {local.strftime('%Y-%m-%d %H:%M')} ({safe_zone(zone_name)})"


def open_checkout(doc, now: datetime | None = None) -> Payment:
	"""The checkout of booking ``doc`` (awaiting payment): its payment made once and its
	gateway session opened once; committed. Answers ``payment_json``; its ``url`` is None
	when the gateway could not be reached (the payment stays Not Started)."""
	now = now or utc_now()
	payment = current_payment(doc.name)
	if payment is None:
		payment = new_payment(doc)
		frappe.db.commit()
	if payment.status != PaymentStatus.NOT_STARTED or doc.status != AWAITING_PAYMENT:
		return payment_json(doc, payment)
	expires = checkout_expiry(doc, payment, now)
	try:
		session = stripe_api().create_session(
			amount=int(payment.amount_minor),
			currency=payment.currency,
			name=product_name(doc, doc.booker_timezone),
			success_url=receipt_url(doc, payment),
			cancel_url=receipt_url(doc, payment),
			reference=doc.name,
			expires_at=expires,
			idempotency_key=f"scheduler-checkout-{payment.access_key}-{int(expires.timestamp())}",
			customer_email=doc.guest_email,
			metadata={"scheduler_booking": doc.name, "scheduler_payment": payment.name},
			locale=_locale(doc.get("language")),
		)
	except (AdapterError, PaymentUnavailable) as exc:
		frappe.log_error(
			title=f"Scheduler: opening the checkout of {doc.name} failed",
			message=getattr(exc, "message", None) or str(exc),
			reference_doctype=DOCTYPE,
			reference_name=payment.name,
		)
		frappe.db.commit()
		return payment_json(doc, payment)
	payment.update(
		{
			"status": PaymentStatus.OPEN.value,
			"checkout_session": session.get("id"),
			"payment_url": session.get("url"),
			"expires_at": to_system(datetime.fromtimestamp(int(session["expires_at"]), tz=now.tzinfo))
			if session.get("expires_at")
			else None,
		}
	)
	payment.save(ignore_permissions=True)
	frappe.db.commit()
	return payment_json(doc, payment)


def checkout_expiry(doc, payment, now: datetime) -> datetime:
	"""When ``payment``'s checkout closes, the same for every attempt while Stripe takes it:
	a retry after a lost answer then repeats the first attempt's parameters under its key
	and gets the session that attempt opened (``rules.payments.checkout_expires``). Stored
	and committed before the call, under the payment's row lock, so simultaneous attempts
	send one expiry, and a worker killed during the call leaves it for the next."""
	tried = frappe.db.get_value(DOCTYPE, payment.name, "expires_at", for_update=True)
	expires = checkout_expires(now, to_utc(doc.hold_until), to_utc(tried) if tried else None)
	if not tried or to_utc(tried) != expires:
		frappe.db.set_value(DOCTYPE, payment.name, "expires_at", to_system(expires), update_modified=False)
	frappe.db.commit()
	return expires


def _locale(language: str | None) -> str:
	code = (language or "").split("-")[0].lower()
	return code if code in STRIPE_LOCALES else "auto"


def money(amount, currency: str | None) -> str:
	"""An amount as people read it (``€15.00``), the currency's own way."""
	return frappe.utils.fmt_money(float(amount or 0), currency=currency or None)


class Payment(TypedDict):
	"""A paid booking's payment as its guest sees it: the price, what was paid and given back,
	and while it waits the hold and the pay page (``url``, the guest's own view only)."""

	required: bool
	amount: float
	currency: str
	display: str
	status: Literal[BookingPaymentStatus, ""]  # blank: a free booking
	paid: float
	refunded: float
	refund_due: float
	hold_until: NotRequired[DateTime]
	url: NotRequired[Url]
	reference: NotRequired[str]
	receipt_url: NotRequired[Url]
	paid_at: NotRequired[DateTime]


def payment_json(doc, payment=None) -> Payment:
	"""The payment side of a booking as the guest's pages and the API show it."""
	data = {
		"required": bool(doc.get("amount")),
		"amount": float(doc.get("amount") or 0),
		"currency": doc.get("currency") or "",
		"display": money(doc.get("amount"), doc.get("currency")),
		"status": doc.get("payment_status") or "",
		"paid": float(doc.get("amount_paid") or 0),
		"refunded": float(doc.get("amount_refunded") or 0),
		"refund_due": float(doc.get("refund_due") or 0),
	}
	if doc.get("hold_until") and doc.status == AWAITING_PAYMENT:
		data["hold_until"] = to_utc(doc.hold_until).strftime("%Y-%m-%dT%H:%M:%SZ")
	if payment is not None:
		if payment.status == PaymentStatus.OPEN and doc.status == AWAITING_PAYMENT:
			data["url"] = payment.payment_url
		data["reference"] = payment.name
		data["receipt_url"] = receipt_url(doc, payment)
		if payment.paid_at:
			data["paid_at"] = to_utc(payment.paid_at).strftime("%Y-%m-%dT%H:%M:%SZ")
	return data
