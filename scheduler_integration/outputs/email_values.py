"""The values an email or SMS template shows of a booking (``effects.email``, ``effects.sms``),
on the recipient's clock: the booker's zone for the guest, each host's own zone
(``core.hosts``) for a host. Plain text: ``effects.email.render`` escapes them for HTML.

Dates and times read as the recipient reads them (``rules.locales``): the guest in the
locale their browser showed the booking page in (the booking's ``locale``), else their
language with the region of their zone; a host in their User language with the region of
their own zone, else of the site's country. Full date and short time, as the page shows
them: ``Monday, November 30, 2026`` / ``7:00 PM`` for en-US.

A host's emails also say how to reach the guest and what they said (``guest_details``):
phone (with a ``tel:`` link), company, every answer in the type's question order, notes,
the colleagues they invited, and who booked when it was not the guest.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import escape

import frappe
from frappe import _

from scheduler_integration.booking.domains import booking_origin
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.payments import current_payment, money, receipt_url
from scheduler_integration.booking.presentation import (
	attendee_emails,
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
from scheduler_integration.rules.locales import full_date, reader_locale, short_time


def when(moment: datetime, zone_name: str, locale: str | None = None) -> tuple[str, str]:
	"""(date, time) of ``moment`` on the clock of ``zone_name``, as ``locale`` writes them
	(``guest_locale``, ``host_locale``); without one, the site's fixed "Monday, 30 November
	2026" / "19:00" in the current language (for callers that know no reader yet)."""
	local = moment.astimezone(get_zone(safe_zone(zone_name)))
	if locale is None:
		return frappe.utils.formatdate(local.date(), "EEEE, d MMMM yyyy"), local.strftime("%H:%M")
	return full_date(local, locale), short_time(local, locale)


def site_language() -> str:
	return frappe.db.get_default("lang") or "en"


def site_country() -> str | None:
	"""The ISO code of the site's country (System Settings), or None."""
	country = frappe.get_system_settings("country")
	return frappe.get_cached_value("Country", country, "code") if country else None


def guest_locale(doc) -> str:
	"""The locale the guest's times are written in (``rules.locales.reader_locale``)."""
	return reader_locale(
		locale=doc.get("locale"),
		language=doc.get("language") or site_language(),
		zone=doc.booker_timezone,
	)


def page_locale(doc, reading: str | None) -> tuple[str, str]:
	"""(language, locale) a guest page read in ``reading`` (the request's language, e.g.
	``?lang=de``) writes the booking's times in: the guest's own, as their emails do, while
	the page is in the booking's language; else the page's, with the booking's zone's region."""
	booked_in = doc.get("language") or site_language()
	if reading and reading.split("-")[0].lower() != booked_in.split("-")[0].lower():
		return reading, reader_locale(language=reading, zone=doc.booker_timezone)
	return booked_in, guest_locale(doc)


def host_locale(user: str, zone_name: str) -> str:
	"""The locale a host's times are written in: their User language, with its region, or
	their zone's, or the site's country's."""
	language = frappe.get_cached_value("User", user, "language") if user else None
	return reader_locale(language=language or site_language(), zone=zone_name, country=site_country())


def calendar_url(doc) -> str:
	"""The booking as an .ics download for the guest (by the manage token), or ''."""
	token = manage_token(doc)
	return (
		f"{booking_origin(doc)}/api/method/scheduler_integration.api.public.ics?token={token}"
		if token
		else ""
	)


def _series_meetings(doc) -> list:
	"""The active meetings of ``doc``'s series, in order (what its links need: name, start,
	token and type), for its first meeting's emails; [] for any other booking."""
	if not doc.get("series") or int(doc.get("series_index") or 0):
		return []
	return frappe.get_all(
		"Scheduler Booking",
		filters={"series": doc.series, "status": ("in", ["Pending", "Confirmed"])},
		fields=["name", "start", "token_nonce", "meeting_type"],
		order_by="series_index asc",
	)


def meetings_text(rows: list, zone_name: str, locale: str | None = None) -> str:
	"""The series' meetings (``_series_meetings``) on the reader's clock ("Monday, June 8,
	2026 9:00 AM; …"); '' for none."""
	return "; ".join(" ".join(when(to_utc(row.start), zone_name, locale)) for row in rows)


def meetings_html(doc, rows: list, zone_name: str, locale: str | None, guest: bool) -> str:
	"""The series' meetings as a list, one a line on the reader's clock, each with its own
	manage and calendar links in the guest's emails: HTML made here from escaped parts (the
	``_html`` values are not escaped again), for its first meeting; '' for any other booking."""
	lines = []
	for meeting in rows:
		line = escape(" ".join(when(to_utc(meeting.start), zone_name, locale)))
		if guest:
			links = [
				f'<a href="{escape(url, quote=True)}">{escape(text)}</a>'
				for url, text in (
					(manage_url(meeting), _("Reschedule or cancel")),
					(calendar_url(meeting), _("Add to calendar")),
				)
				if url
			]
			line += "".join(f" · {link}" for link in links)
		lines.append(f"<li>{line}</li>")
	if not lines:
		return ""
	multi_day = frappe.db.get_value("Scheduler Booking Series", doc.series, "kind") == "Multi-day"
	title = _("Every day of this booking") if multi_day else _("Every meeting of this series")
	return f"<p>{escape(title)}:</p><ul>{''.join(lines)}</ul>"


def phone_link(phone: str) -> str:
	"""The number as a ``tel:`` URI wants it: digits, with the leading + it was given."""
	digits = re.sub(r"\D", "", phone or "")
	return ("+" if (phone or "").strip().startswith("+") else "") + digits if digits else ""


def answer_text(answer) -> str:
	"""One answer as a host reads it: a checkbox Yes or No, several choices joined."""
	if isinstance(answer, bool):
		return _("Yes") if answer else _("No")
	if isinstance(answer, list | tuple):
		return ", ".join(plain(item) for item in answer if item not in (None, ""))
	return plain(answer)


def answers_text(doc, questions) -> str:
	"""Every answer the guest gave, one "Question: answer" a line: the type's questions in
	their order, then any others (a routing form's); unanswered ones left out."""
	answers = doc.get("answers") or {}
	if isinstance(answers, str):
		try:
			answers = json.loads(answers) if answers.strip() else {}
		except ValueError:
			answers = {}
	if not isinstance(answers, dict):
		return ""
	labels = [row.label for row in questions if row.label in answers]
	labels += [label for label in answers if label not in labels]
	lines = []
	for label in labels:
		text = answer_text(answers[label])
		if text.strip():
			lines.append(f"{plain(label)}: {text}")
	return "\n".join(lines)


def booked_by(doc) -> str:
	"""Who booked for the guest, by name: the person signed in who made the booking (a rep
	from a CRM record, a host in the desk); '' when the guest booked themselves (a booking
	page's booking has a ``source``) or the system did (Administrator)."""
	if doc.get("source") or doc.owner in (None, "", "Guest", "Administrator"):
		return ""
	return frappe.utils.get_fullname(doc.owner) or doc.owner


def email_values(doc, recipient: str, host: str | None = None) -> dict:
	"""Plain values an email template shows, on the recipient's clock (``host`` for a host).

	Each value has its own name and an alias name (``contact_name``, ``appointment_date``,
	``appointment_time``, ``appointment_duration``, ``service_name``, ``video_link``,
	``video_password``, ``calendar_link``, ``staff_name``, ``location_details``), so
	templates written for either work. Links that carry the guest's manage token
	(``manage_url``, ``short_manage_url``, ``calendar_link``) are only given to the guest."""
	mt = meeting_type_doc(doc.meeting_type)
	guest_side = recipient in ("guest", "attendee")  # a guest's colleague reads the guest's clock
	host = host or doc.host
	zone_name = safe_zone(doc.booker_timezone if guest_side else host_timezones([host])[host])
	locale = guest_locale(doc) if guest_side else host_locale(host, zone_name)
	day, clock = when(to_utc(doc.start), zone_name, locale)
	guest = recipient == "guest"
	series_rows = _series_meetings(doc)  # one query for both forms of the list
	for_host = recipient == "host"
	values = {
		"guest_name": plain(doc.guest_name),
		"guest_email": doc.guest_email,
		"guest_phone": plain(doc.guest_phone),
		"guest_phone_link": phone_link(plain(doc.guest_phone)),
		"guest_company": plain(doc.guest_company),
		# what the guest told the hosts (parts/guest_details.html), for the hosts only
		"answers": answers_text(doc, mt.questions) if for_host else "",
		"attendees": ", ".join(attendee_emails(doc)) if for_host else "",
		"booked_by": booked_by(doc) if for_host else "",
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
		"booking_url": frappe.utils.get_url(f"/app/scheduler-booking/{doc.name}") if for_host else "",
		"status": _(doc.status),
		"feedback_link": mt.get("feedback_url") or "",
		"rebook_link": booking_page_url(mt),
		# every meeting of a series or multi-day booking, in its first meeting's emails
		"meetings": meetings_text(series_rows, zone_name, locale),
		"meetings_html": meetings_html(doc, series_rows, zone_name, locale, guest),
		"locale": locale,
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
	values.update(payment_values(doc, zone_name, guest, locale))
	return values


def payment_values(doc, zone_name: str, guest: bool, locale: str | None = None) -> dict:
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
			values["paid_on"] = " ".join(when(to_utc(payment.paid_at), zone_name, locale))
		if guest:
			values["receipt_url"] = receipt_url(doc, payment)
	return values
