"""The money side of a paid booking's events (the ``payment`` row of ``effects.table``),
each once however often it is retried:

- **booked / pending** (the booking was confirmed by its payment): with ERPNext, the
  payment is booked as a Payment Entry against the guest's Customer (``effects.ledger``).
- **cancelled / declined**: the refund decided when the booking was cancelled (Scheduler
  Booking → Refund Due, ``rules.payments.refund_amount``: the type's policy for a guest,
  everything for a host or the system) goes back through the gateway, and with ERPNext as
  a Payment Entry paying the Customer back.
- **late_payment** (a payment that came after the hold was released): all of it goes back.
- **hold_expired / hold_cancelled**: a checkout still open at the gateway is closed, so
  nobody pays for a time that is no longer held (one paid in between comes back as a late
  payment and is refunded).

A refund is sent with an idempotency key of its payment and reason, and recorded on the
Scheduler Payment in the same transaction: a retry after a failure (the gateway down, the
books refusing) asks the gateway again and gets the same refund, never a second one.
"""

from __future__ import annotations

import frappe

from scheduler_integration.booking.payments import DOCTYPE, gateway_api, payments_of
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.effects import ledger
from scheduler_integration.providers.errors import EventNotFound, ProviderError, ProviderUnavailable
from scheduler_integration.rules.payment_statuses import PAID
from scheduler_integration.rules.payments import from_minor, payment_state, to_minor

EVENTS = ("booked", "pending", "cancelled", "declined", "late_payment", "hold_expired", "hold_cancelled")
REASONS = {"cancelled": "Cancellation", "declined": "Cancellation", "late_payment": "Late Payment"}


def applies(doc) -> bool:
	"""Only bookings with a price to pay (a paid type's guest booking) have a money side."""
	return bool(doc.get("amount"))


def on_event(doc, event: str) -> str:
	if event in ("booked", "pending"):
		payment = paid_payment(doc.name)
		return ledger.receive(payment, doc) if payment else "nothing paid"
	if event in REASONS:
		minor = None if event == "late_payment" else to_minor(doc.get("refund_due") or 0, doc.currency)
		return refund(doc, minor, REASONS[event])
	return close_checkouts(doc)


def paid_payment(booking: str):
	return next((p for p in reversed(payments_of(booking)) if p.status in PAID), None)


def refund(doc, minor: int | None, reason: str) -> str:
	"""Give back ``minor`` units of the booking's payment (None: all that is left)."""
	payment = paid_payment(doc.name)
	if payment is None:
		return "nothing paid"
	if any(row.reason == reason for row in payment.refunds):
		return "refunded before"
	left = int(payment.amount_minor or 0) - int(payment.refunded_minor or 0)
	amount = left if minor is None else min(int(minor), left)
	if amount <= 0:
		return "nothing to refund"
	if not payment.payment_intent:
		raise LookupError(f"{payment.name} has no payment intent to refund")
	result = gateway_api(payment).refund(
		payment_intent=payment.payment_intent,
		amount=amount,
		idempotency_key=f"scheduler-refund-{payment.access_key}-{reason.lower().replace(' ', '-')}",
		metadata={"scheduler_booking": doc.name, "scheduler_payment": payment.name, "reason": reason},
	)
	# Refunds of one payment take turns on its row alone. get_doc(for_update=True) would
	# read its refund rows FOR UPDATE too, locking the index gap where new refund rows go:
	# two refunds of two payments at once then both waited to insert there (a deadlock).
	# Nothing is written before this point, so the commit only starts a fresh transaction
	# whose reads come after the lock and see every refund committed before it.
	frappe.db.commit()
	frappe.db.get_value(DOCTYPE, payment.name, "name", for_update=True)
	payment = frappe.get_doc(DOCTYPE, payment.name)
	if any(row.refund_id == result.get("id") for row in payment.refunds):
		return "refunded before"
	# the row is inserted on its own, not by saving the payment: a save deletes the rows it
	# does not hold, and that DELETE locks the same gap
	row = frappe.get_doc(
		{
			"doctype": "Scheduler Payment Refund",
			"parent": payment.name,
			"parenttype": DOCTYPE,
			"parentfield": "refunds",
			"idx": len(payment.refunds) + 1,
			"refund_id": str(result.get("id") or "")[:255],
			"reason": reason,
			"amount": float(from_minor(amount, payment.currency)),
			"amount_minor": amount,
			"status": str(result.get("status") or "")[:32],
			"refunded_at": to_system(utc_now()),
		}
	)
	row.db_insert()
	payment.append("refunds", row)
	payment.refunded_minor = int(payment.refunded_minor or 0) + amount
	payment.amount_refunded = float(from_minor(payment.refunded_minor, payment.currency))
	payment.status = payment_state(int(payment.amount_minor or 0), payment.refunded_minor)
	frappe.db.set_value(
		DOCTYPE,
		payment.name,
		{
			"refunded_minor": payment.refunded_minor,
			"amount_refunded": payment.amount_refunded,
			"status": payment.status,
		},
	)
	frappe.db.set_value(
		"Scheduler Booking",
		doc.name,
		{"amount_refunded": payment.amount_refunded, "payment_status": payment.status},
		update_modified=False,
	)
	booked = ledger.pay_back(payment, row, doc)
	return f"refunded {amount} minor units of {payment.currency} ({row.refund_id}); {booked}"


def close_checkouts(doc) -> str:
	"""Close the booking's checkouts the gateway may still take money on."""
	closed = []
	for payment in payments_of(doc.name):
		if payment.status in PAID or not payment.checkout_session:
			continue
		try:
			gateway_api(payment).expire(payment.checkout_session)
			closed.append(payment.checkout_session)
		except ProviderUnavailable:
			raise  # retried
		except (EventNotFound, ProviderError):
			pass  # closed already, or paid meanwhile: that payment's webhook refunds it
	return f"closed {len(closed)} checkout(s)"
