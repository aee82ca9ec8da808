# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""A guest's payment for a booking, and what the gateway reports of it.

Nothing from outside counts as a payment on its word: every door that says "paid" — the
payments app's gateways calling ``on_payment_authorized(status)`` (any app may, and the
payments app's own guest checkout page charges whatever amount its caller names before
calling it), Stripe's signed webhook (``receive_stripe_event``), the hold's end asking the
gateway (``settle_hold``) — ends in ``verified``: the payment's Checkout Session read back
from Stripe must be paid and match this payment (its booking and payment in the metadata,
amount and currency, a payment intent no other payment counted). Only then does
``settle`` act, as ``rules.payments.late_payment`` says: a booking still awaiting its
payment is confirmed by the system (the same effects as any new booking: emails, calendar,
video, CRM, reminders); one that no longer waits for it (its hold expired, it was
cancelled) gets the money back in full (the ``late_payment`` effects: the refund and the
guest's email). A report Stripe does not confirm changes nothing and is flagged for the
host (``flag_unverified``: the payment's timeline, a notification, the Error Log, with what
the payments app's page charged).

Deliveries of one payment take turns on its row (``SELECT … FOR UPDATE``), then its
booking's, in that order everywhere (the webhook, the hold-expiry job), so a payment that
arrives while the hold expires either confirms the booking or is refunded, never both,
and a hold is released exactly once.

Every Stripe event that changed something is kept as an Integration Request named after
the event's id: the same event again changes nothing (a redelivery with a new signature
is answered ``duplicate``; the very same signed request again is refused as a replay).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import NotRequired, TypedDict

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking.errors import PaymentMismatch, PaymentUnavailable, ReplayedEvent
from scheduler_integration.booking.payments import DOCTYPE, current_payment, stripe_api
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.errors import ServerBusy
from scheduler_integration.core.table_text import TableRowsAsText
from scheduler_integration.engine.statuses import AWAITING_PAYMENT
from scheduler_integration.providers.errors import AdapterError, ProviderUnavailable
from scheduler_integration.providers.stripe_checkout import (
	AMOUNT_DIFFERS,
	OTHER_BOOKING,
	Expected,
	checkout_event,
	mismatches,
	session_paid,
)
from scheduler_integration.rules.payment_statuses import PAID, UNSETTLED, PaymentStatus
from scheduler_integration.rules.payments import hold_over, late_payment

SERVICE = "Stripe"


class StripeEventIgnored(TypedDict):
	"""A Stripe event this site does not act on (``unknown``: a closed checkout it does not know)."""

	ignored: bool
	unknown: NotRequired[bool]


class StripeEventRepeated(TypedDict):
	"""Stripe's redelivery of an event already handled: nothing changed."""

	payment: str
	duplicate: bool


class StripeEventHandled(TypedDict):
	"""A Stripe event acted on: the payment and what was done (confirm, refund, released, …)."""

	payment: str
	outcome: str


StripeEventResult = StripeEventIgnored | StripeEventRepeated | StripeEventHandled


class SchedulerPayment(TableRowsAsText, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from scheduler_integration.scheduler_integration.doctype.scheduler_payment_refund.scheduler_payment_refund import (
			SchedulerPaymentRefund,
		)

		access_key: DF.Data | None
		amount: DF.Currency
		amount_minor: DF.Int
		amount_refunded: DF.Currency
		booking: DF.Link | None
		checkout_session: DF.Data | None
		currency: DF.Link | None
		expires_at: DF.Datetime | None
		host: DF.Link | None
		ledger_doctype: DF.Link | None
		meeting_type: DF.Link | None
		paid_at: DF.Datetime | None
		party: DF.DynamicLink | None
		party_type: DF.Link | None
		payment_entry: DF.DynamicLink | None
		payment_gateway: DF.Data | None
		payment_intent: DF.Data | None
		payment_url: DF.SmallText | None
		refunded_minor: DF.Int
		refunds: DF.Table[SchedulerPaymentRefund]
		status: DF.Literal["Not Started", "Open", "Paid", "Expired", "Partly Refunded", "Refunded"]
	# end: auto-generated types

	def on_payment_authorized(self, status: str | None = None):
		"""The payments app's contract, which any app may call: a gateway *reports* this
		payment ``Completed`` (or ``Authorized``). A report proves nothing (the payments
		app's guest page charges whatever amount its caller names and then calls this), so
		the checkout is read back from Stripe and must match this payment (``verified``);
		only then does the booking count as paid. A report Stripe does not confirm changes
		nothing and is flagged for the host (``flag_unverified``). Answers None: the
		payments app would take any other answer for a page to send the payer to."""
		if status not in ("Authorized", "Completed"):
			return None
		payment = frappe.get_doc(DOCTYPE, self.name, for_update=True)  # takes turns with the webhook
		try:
			session = verified(payment)
		except PaymentMismatch as exc:
			flag_unverified(payment, str(exc))
			return None
		except ServerBusy:
			# Stripe cannot tell now: nothing counts yet; the webhook, or the gateway asked
			# again when the hold ends (settle_hold), decides
			frappe.log_error(
				title=f"Scheduler: payment {payment.name} reported paid, Stripe not reachable to check",
				reference_doctype=DOCTYPE,
				reference_name=payment.name,
			)
			return None
		settle(payment, session)
		self.flags.outcome = payment.flags.outcome
		return None


def settle(payment, session: dict, now: datetime | None = None) -> str:
	"""``payment`` (locked) was paid, as ``session`` (read back from Stripe and matched by
	``verified``) shows: confirm the booking that waits for it, or give back a payment that
	came too late; a repeated report changes nothing. Answers the outcome."""
	now = now or utc_now()
	booking = frappe.get_doc("Scheduler Booking", payment.booking, for_update=True)
	action = late_payment(booking.status, already_counted=payment.status in PAID)
	payment.flags.outcome = action
	if action == "nothing":
		return action
	payment.payment_intent = str(session.get("payment_intent") or "")[:255]
	payment.status = PaymentStatus.PAID.value
	payment.paid_at = to_system(now)
	payment.save(ignore_permissions=True)
	booking.flags.ignore_permissions = True
	if action == "confirm":
		booking.mark_paid(payment, now=now)
	else:
		booking.record_late_payment(payment)
	return action


def verified(payment) -> dict:
	"""The payment's checkout as Stripe reports it now, when Stripe says it was paid and
	it matches ``payment`` (booking, payment, amount, currency, a payment intent no other
	payment counted). Raises PaymentMismatch (with the reason) otherwise, ServerBusy when
	Stripe cannot be reached."""
	if not payment.checkout_session:
		raise PaymentMismatch(_("No checkout of this site was opened for payment {0}").format(payment.name))
	try:
		truth = stripe_api().session(payment.checkout_session)
	except ProviderUnavailable:
		raise ServerBusy(_("Stripe could not be reached. Please try again later.")) from None
	except (AdapterError, PaymentUnavailable) as exc:
		raise PaymentMismatch(_("Stripe does not confirm this payment")) from exc
	if not session_paid(truth):
		raise PaymentMismatch(
			_("Stripe does not report checkout {0} as paid").format(payment.checkout_session)
		)
	problems = _checks(payment, truth)
	if problems:
		raise PaymentMismatch(
			_("Stripe's checkout does not match payment {0}: {1}").format(payment.name, "; ".join(problems))
		)
	return truth


def flag_unverified(payment, reason: str) -> None:
	"""A report of a payment Stripe does not confirm: nothing changes; the payment's
	timeline says what came in, and its host is told, with what the payments app's own
	checkout took (a charge of any amount the caller named: refund it in Stripe)."""
	taken = _charges_taken(payment)
	text = _("A payment report for {0} was refused: {1}.").format(payment.name, reason)
	if taken:
		text += " " + _(
			"The payments app's own checkout page charged {0} for it: Stripe holds that money; refund it there."
		).format(", ".join(taken))
	payment.add_comment("Comment", text)
	if payment.host:
		notification = frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": payment.host,
				"type": "Alert",
				"document_type": DOCTYPE,
				"document_name": payment.name,
				"subject": _("Payment report refused for {0}").format(payment.booking),
				"email_content": text,
			}
		)
		notification.insert(ignore_permissions=True)
	frappe.log_error(
		title=f"Scheduler: unverified payment report for {payment.name}",
		message=text,
		reference_doctype=DOCTYPE,
		reference_name=payment.name,
	)


def _charges_taken(payment) -> list[str]:
	"""What the payments app's own checkout charged for ``payment`` (its request logs:
	ours are the webhook's, kept under ``stripe-evt_…``)."""
	taken = []
	for row in frappe.get_all(
		"Integration Request",
		filters={
			"reference_doctype": DOCTYPE if payment else None,
			"reference_docname": payment.name if payment else None,
			"status": "Completed",
			"name": ("not like", "stripe-%"),
		},
		fields=["data"],
		limit=20,
	):
		try:
			data = json.loads(row.data or "{}")
		except ValueError:
			continue
		if isinstance(data, dict) and data.get("amount") is not None:
			taken.append(f"{data.get('amount')} {str(data.get('currency') or '').upper()}".strip())
	return taken


def _log_name(event_id: str) -> str:
	return f"stripe-{event_id}"


def _checks(payment, session: dict) -> list[str]:
	"""What in ``session`` (a checkout.session object) does not belong to ``payment``: what
	the checkout says (``stripe_checkout.mismatches``), then whether its payment was counted
	for another payment of this site."""
	found = mismatches(
		session,
		Expected(payment.booking, payment.name, int(payment.amount_minor or 0), payment.currency),
	)
	problems = []
	if OTHER_BOOKING in found:
		problems.append(_("it is for another booking"))
	if AMOUNT_DIFFERS in found:
		problems.append(_("its amount differs"))
	intent = str(session.get("payment_intent") or "")
	if intent and frappe.db.exists(DOCTYPE, {"payment_intent": intent, "name": ("!=", payment.name)}):
		problems.append(_("its payment was counted for another payment"))
	return problems


def receive_stripe_event(event: dict, signature: str, now: datetime | None = None) -> StripeEventResult:
	"""Act on a verified Stripe event (``api.payments.stripe_webhook``); answers what was
	done. Raises a typed refusal for an event that names a payment of this site but does
	not match it, or that was received before with the same signature."""
	found = checkout_event(event)
	if found is None:
		return {"ignored": True}
	if not found.valid_id:
		raise PaymentMismatch(_("This event has no valid id"))
	event_id, kind, session, metadata = found.id, found.kind, found.session, found.metadata
	name = frappe.db.get_value(DOCTYPE, {"checkout_session": str(session.get("id") or "")[:255]}, "name")
	if not name:
		if not (metadata.get("scheduler_payment") or metadata.get("scheduler_booking")):
			return {"ignored": True}  # another integration's checkout on the same Stripe account
		if kind == "paid":
			# money paid for a checkout this site does not know (yet: its row may still be
			# committing): 404, which Stripe delivers again for days
			raise frappe.DoesNotExistError(_("No payment of this site has this checkout"))
		# a closed checkout this site does not know holds nothing to release: acknowledged
		# (Stripe would retry a 404 for days) and recorded
		_remember(event, signature, None, "unknown checkout")
		return {"ignored": True, "unknown": True}
	# deliveries of one payment take turns: the row stays locked until this one commits
	payment = frappe.get_doc(DOCTYPE, name, for_update=True)
	problems = _checks(payment, session)
	if problems:
		raise PaymentMismatch(
			_("This event does not match payment {0}: {1}").format(payment.name, "; ".join(problems))
		)
	# read under the payment's lock, as the lock's holder before this one left it: a plain
	# read answers from this request's older snapshot, and a copy that waited for the lock
	# would not see the first copy's log
	seen = frappe.db.get_value("Integration Request", _log_name(event_id), "request_headers", for_update=True)
	if seen is not None:
		if seen == signature:
			raise ReplayedEvent(_("This webhook was received before"))
		return {"payment": payment.name, "duplicate": True}
	if kind == "paid":
		outcome = _paid_event(payment, session, now)
	else:
		outcome = _release(payment, _("The payment page closed unpaid"), now, closed=True)
	_remember(event, signature, payment, outcome)
	return {"payment": payment.name, "outcome": outcome}


def _paid_event(payment, session: dict, now) -> str:
	if not session_paid(session):
		return "not paid yet"  # a delayed payment method: its async_payment_succeeded follows
	# the event is news; the gateway's own record decides (a leaked signing secret cannot
	# confirm a booking nobody paid for)
	return settle(payment, verified(payment), now)


def _release(payment, reason: str, now, closed: bool = False) -> str:
	"""The checkout closed (or the hold ended) without a payment: the booking that still
	waits is cancelled by the system, which frees its time once."""
	now = now or utc_now()
	booking = frappe.get_doc("Scheduler Booking", payment.booking, for_update=True)
	waiting = booking.status == AWAITING_PAYMENT
	if waiting and not closed and not hold_over(to_utc(booking.hold_until), now):
		return "nothing"  # not over after all (read again under its lock): nor is its checkout
	if payment.status in UNSETTLED:
		payment.status = PaymentStatus.EXPIRED.value  # a payment on it from now on comes too late: refunded
		payment.save(ignore_permissions=True)
	if not waiting:
		return "nothing"
	booking.flags.ignore_permissions = True
	booking.release_hold(reason, now=now)
	return "released"


def _remember(event: dict, signature: str, payment, outcome: str) -> None:
	log = frappe.get_doc(
		{
			"doctype": "Integration Request",
			"integration_request_service": SERVICE,
			"request_id": event.get("id"),
			"request_description": str(event.get("type") or "")[:140],
			"status": "Completed",
			"is_remote_request": 1,
			"reference_doctype": DOCTYPE if payment else None,
			"reference_docname": payment.name if payment else None,
			"data": json.dumps(event, indent=1, default=str),
			"output": json.dumps({"outcome": outcome}),
			"request_headers": signature,
		}
	)
	log.flags._name = _log_name(str(event.get("id")))
	if payment is None and frappe.db.exists("Integration Request", log.flags._name):
		return  # Stripe's redelivery of an unknown checkout's event: recorded once
	log.insert(ignore_permissions=True)


def settle_hold(booking: str, now: datetime | None = None) -> str:
	"""The hold of an awaiting booking has ended (``jobs.payments``). The gateway is asked
	first: a payment whose webhook has not arrived (yet) confirms the booking; else the
	hold is released, exactly once (the booking's status, read under its row lock, decides)."""
	now = now or utc_now()
	payment = current_payment(booking)
	if payment is not None and payment.status == PaymentStatus.OPEN and payment.checkout_session:
		payment = frappe.get_doc(DOCTYPE, payment.name, for_update=True)
		try:
			session = verified(payment)
		except (PaymentMismatch, ServerBusy):
			session = None  # unpaid, or the gateway is down: the hold ends; a late payment is refunded
		if session is not None:
			return settle(payment, session, now)
	if payment is not None:
		payment = frappe.get_doc(DOCTYPE, payment.name, for_update=True)
		return _release(payment, _("Not paid in time"), now)
	doc = frappe.get_doc("Scheduler Booking", booking, for_update=True)
	if doc.status != AWAITING_PAYMENT or not hold_over(to_utc(doc.hold_until), now):
		return "nothing"
	doc.flags.ignore_permissions = True
	doc.release_hold(_("Not paid in time"), now=now)
	return "released"


def on_doctype_update():
	# the booking's payments, newest first (booking.payments.current_payment)
	frappe.db.add_index(DOCTYPE, ["booking", "creation"], "booking_creation")
