"""The receipt of a paid booking: where the payment gateway sends the guest back, paid or
not (``/book/receipt?key=<the payment's receipt key>``). The key names one payment and
shows what a receipt shows (amount, date, reference, the meeting); it is no manage link:
the gateway knows it, so it changes nothing. While the payment is on its way the page
reloads itself; an open checkout it links to again while the hold lasts."""

import re

import frappe
from frappe import _

from scheduler_integration.api.shapes import booking_json
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.pages import page_data
from scheduler_integration.booking.payments import money, payment_json
from scheduler_integration.booking.presentation import safe_zone
from scheduler_integration.core.clock import to_utc
from scheduler_integration.engine.statuses import AWAITING_PAYMENT
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.rules.payment_statuses import PAID
from scheduler_integration.www.book.page_utils import fill, not_found, page_language, too_many_requests

no_cache = 1
_KEY = re.compile(r"^[0-9a-f]{32}$")


def _on_clock(moment, zone_name) -> str:
	"""A stored time on the guest's clock, with the clock's name."""
	if not moment:
		return ""
	zone = safe_zone(zone_name)
	return to_utc(moment).astimezone(get_zone(zone)).strftime("%Y-%m-%d %H:%M") + f" ({zone})"


def get_context(context):
	if too_many_requests(context):
		return context
	key = str(frappe.form_dict.get("key") or "")
	name = frappe.db.get_value("Scheduler Payment", {"access_key": key}, "name") if _KEY.match(key) else None
	if not name:
		return not_found(context)
	payment = frappe.get_doc("Scheduler Payment", name)
	doc = frappe.get_doc("Scheduler Booking", payment.booking)
	if not frappe.form_dict.get("lang") and doc.get("language"):
		frappe.form_dict.lang = doc.language
	page_language()
	booking = booking_json(doc, None)
	receipt = payment_json(doc, payment)
	paid = payment.status in PAID
	receipt.update(
		paid=paid,
		waiting=doc.status == AWAITING_PAYMENT,
		amount_text=money(payment.amount, payment.currency),
		refunded_text=money(payment.amount_refunded, payment.currency) if payment.amount_refunded else "",
		paid_on=_on_clock(payment.paid_at, doc.booker_timezone),
		held_until=_on_clock(doc.hold_until, doc.booker_timezone) if doc.status == AWAITING_PAYMENT else "",
		gateway_reference=payment.payment_intent or "",
	)
	meeting_type = meeting_type_doc(doc.meeting_type)
	profile_slug = frappe.db.get_value("Scheduler Profile", meeting_type.profile, "slug")
	try:
		data = page_data(profile_slug)
	except frappe.DoesNotExistError:
		return not_found(context)
	context.booking = booking
	context.receipt = receipt
	# paid but not confirmed yet (the gateway's news is on its way): look again shortly
	context.refresh = not paid and doc.status == AWAITING_PAYMENT
	fill(context, "receipt", data, booking=booking, receipt=receipt)
	context.title = _("Receipt") if paid else _("Payment")
	return context
