"""The values an email or SMS template shows of a booking (``effects.email``, ``effects.sms``),
on the recipient's clock: the booker's zone for the guest, each host's own zone
(``core.hosts``) for a host. Plain text: ``effects.email.render`` escapes them for HTML.
"""

from __future__ import annotations

from datetime import datetime

import frappe
from frappe import _

from scheduler_integration.booking.domains import booking_origin
from scheduler_integration.booking.payments import current_payment, money, receipt_url
from scheduler_integration.booking.presentation import (
	booking_page_url,
	host_names,
	minutes,
	plain,
	safe_zone,
)
from scheduler_integration.booking.tokens import manage_token, manage_url, short_url
from scheduler_integration.core.clock import to_utc
from scheduler_integration.core.hosts import host_timezones
from scheduler_integration.engine.timezones import get_zone


def when(moment: datetime, zone_name: str) -> tuple[str, str]:
	"""(date, time) of ``moment`` on the clock of ``zone_name``."""
	local = moment.astimezone(get_zone(safe_zone(zone_name)))
	return frappe.utils.formatdate(local.date(), "EEEE, d MMMM yyyy"), local.strftime("%H:%M")


def calendar_url(doc) -> str:
	"""The booking as an .ics download for the guest (by the manage token), or ''."""
	token = manage_token(doc)
	return (
		f"{booking_origin(doc)}/api/method/scheduler_integration.api.public.ics?token={token}"
		if token
		else ""
	)


def meetings_text(doc, zone_name: str) -> str:
	"""The series' meetings on the reader's clock ("Monday, 8 June 2026 09:00; …"), for its
	first meeting; '' for any other booking."""
	if not doc.get("series") or int(doc.get("series_index") or 0):
		return ""
	rows = frappe.get_all(
		"Scheduler Booking",
		filters={"series": doc.series, "status": ("in", ["Pending", "Confirmed"])},
		fields=["start"],
		order_by="series_index asc",
	)
	return "; ".join(" ".join(when(to_utc(row.start), zone_name)) for row in rows)


def email_values(doc, recipient: str, host: str | None = None) -> dict:
	"""Plain values an email template shows, on the recipient's clock (``host`` for a host).

	Each value has its own name and seed 004's name (``contact_name``, ``appointment_date``,
	``appointment_time``, ``appointment_duration``, ``service_name``, ``video_link``,
	``video_password``, ``calendar_link``, ``staff_name``, ``location_details``), so
	templates written for either work. Links that carry the guest's manage token
	(``manage_url``, ``short_manage_url``, ``calendar_link``) are only given to the guest."""
	mt = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type)
	zone_name = (
		doc.booker_timezone
		if recipient in ("guest", "attendee")  # a guest's colleague reads the guest's clock
		else host_timezones([host or doc.host])[host or doc.host]
	)
	zone_name = safe_zone(zone_name)
	day, clock = when(to_utc(doc.start), zone_name)
	guest = recipient == "guest"
	values = {
		"guest_name": plain(doc.guest_name),
		"guest_email": doc.guest_email,
		"guest_phone": plain(doc.guest_phone),
		"guest_company": plain(doc.guest_company),
		"host_name": host_names(doc),
		"meeting_type": mt.title,
		"date": day,
		"time": clock,
		"timezone": zone_name,
		"duration": str(minutes(doc)),
		"location": plain(doc.location),
		"meeting_link": doc.meeting_link or "",
		"meeting_password": doc.get("meeting_password") or "",
		"notes": plain(doc.notes),
		"cancel_reason": plain(doc.cancel_reason),
		"manage_url": (manage_url(doc) or "") if guest else "",
		# the same page by a short link, for SMS (booking.tokens.short_url)
		"short_manage_url": (short_url(doc) or "") if guest else "",
		"booking_url": frappe.utils.get_url(f"/app/scheduler-booking/{doc.name}")
		if recipient == "host"
		else "",
		"status": _(doc.status),
		"feedback_link": mt.get("feedback_url") or "",
		"rebook_link": booking_page_url(mt),
		# every meeting of a series or multi-day booking, in its first meeting's emails
		"meetings": meetings_text(doc, zone_name),
	}
	values.update(
		{
			"contact_name": values["guest_name"],
			"appointment_date": day,
			"appointment_time": clock,
			"appointment_duration": values["duration"],
			"service_name": mt.title,
			"video_link": values["meeting_link"],
			"video_password": values["meeting_password"],
			"calendar_link": calendar_url(doc) if guest else "",
			"staff_name": values["host_name"],
			"location_details": values["location"],
		}
	)
	values.update(payment_values(doc, zone_name, guest))
	return values


def payment_values(doc, zone_name: str, guest: bool) -> dict:
	"""A paid booking's money: what was paid, when (on the reader's clock), its reference,
	what its cancellation refunds; the receipt page for the guest. '' for any other."""
	values = dict.fromkeys(("amount_paid", "paid_on", "payment_reference", "refund_due", "receipt_url"), "")
	if not doc.get("amount_paid"):
		return values
	payment = current_payment(doc.name)
	values["amount_paid"] = money(doc.amount_paid, doc.currency)
	if doc.get("refund_due"):
		values["refund_due"] = money(doc.refund_due, doc.currency)
	if payment is not None:
		values["payment_reference"] = payment.name
		if payment.paid_at:
			values["paid_on"] = " ".join(when(to_utc(payment.paid_at), zone_name))
		if guest:
			values["receipt_url"] = receipt_url(doc, payment)
	return values
