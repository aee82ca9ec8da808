# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

"""A text a guest sent back to the app's SMS, and what it did (``receive``).

The rule of the conversation (which text asks, which one cancels, until when) is
``rules.sms_replies.decide``; this module loads its inputs, stores each message under its
MessageSid (the record's name, so a replay of the same message finds it taken and changes
nothing, even when both copies arrive at once) and cancels through
``SchedulerBooking.cancel`` as the guest, so the guest's notice rule and every effect of a
cancellation (emails, calendars, reminders skipped, CRM) apply as on the manage page.

The sender is matched to bookings by phone number (``rules.matching.same_phone``: the
same number in E.164, a stored number without its country read in the site's — System
Settings → Country — or, on a site without one, in the country of the number the guest
texted, never the sender's); their next booking is the earliest pending or confirmed one
that has not started. Messages from a number that has no upcoming booking and never wrote
before are not stored and get no answer.
"""

from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking.errors import ChangeRefused
from scheduler_integration.booking.tokens import short_url
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.languages import reader_language
from scheduler_integration.core.settings import setting, site_region
from scheduler_integration.engine.booking_states import Actor
from scheduler_integration.engine.statuses import Status
from scheduler_integration.outputs.email_values import guest_locale, when
from scheduler_integration.rules.matching import phone_digits, phone_pattern, region_of, same_phone
from scheduler_integration.rules.sms_replies import CANCELLED, REFUSED, Action, Turn, decide

DOCTYPE = "Scheduler SMS Reply"
HISTORY = timedelta(days=1)  # earlier messages that still matter (a question, a cancellation)
MAX_BODY = 1600


class SchedulerSMSReply(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		body: DF.SmallText | None
		booking: DF.Link | None
		from_number: DF.Data | None
		message_sid: DF.Data | None
		outcome: DF.Literal[
			"Asked to Confirm",
			"Cancelled",
			"Refused",
			"Expired",
			"Nothing to Confirm",
			"No Upcoming Booking",
			"Help Sent",
			"Ignored",
		]
		received_at: DF.Datetime | None
		reply: DF.SmallText | None
		to_number: DF.Data | None
	# end: auto-generated types
	pass


def window() -> timedelta:
	return timedelta(minutes=int(setting("sms_confirm_minutes") or 15))


def history(digits: str, now: datetime) -> list[Turn]:
	rows = frappe.get_all(
		DOCTYPE,
		filters={"from_number": digits, "received_at": (">=", to_system(now - HISTORY))},
		fields=["received_at", "outcome", "booking"],
		order_by="received_at asc",
	)
	return [Turn(to_utc(row.received_at), row.outcome or "", row.booking) for row in rows]


def next_booking(sender: str, now: datetime, recipient: str | None = None) -> str | None:
	"""The sender's earliest pending or confirmed booking that has not started; a stored
	number without its country is read in the site's, else in that of ``recipient`` (the
	site's own number the guest texted)."""
	pattern = phone_pattern(sender)
	if not pattern:
		return None
	# status and start are indexed (status_start); the LIKE narrows to the number's last digits
	rows = frappe.get_all(
		"Scheduler Booking",
		filters={
			"status": ("in", [Status.PENDING.value, Status.CONFIRMED.value]),
			"start": (">", to_system(now)),
			"guest_phone": ("like", pattern),
		},
		fields=["name", "guest_phone"],
		order_by="start asc",
		limit=50,
	)
	region = site_region() or region_of(recipient)
	return next((row.name for row in rows if same_phone(row.guest_phone, sender, region)), None)


def _meeting(doc) -> str:
	"""When the meeting is, on the guest's clock: "Monday, 2 March 2026 at 10:00 (Europe/Berlin)"."""
	day, clock = when(to_utc(doc.start), doc.booker_timezone, guest_locale(doc))
	return _("{0} at {1} ({2})").format(day, clock, doc.booker_timezone or "UTC")


def _cancel(name: str) -> tuple[str, str]:
	"""Cancel booking ``name`` as its guest: (outcome, answer)."""
	if not frappe.db.exists("Scheduler Booking", name):
		return REFUSED, _("This meeting no longer exists.")
	doc = frappe.get_doc("Scheduler Booking", name, for_update=True)  # as stored now, locked
	with reader_language(doc.get("language")):
		meeting = _meeting(doc)
		frappe.db.savepoint("sms_cancel")
		try:
			doc.flags.ignore_permissions = True  # the guest's own phone is the permission
			doc.cancel(_("Cancelled by SMS reply"), actor=Actor.GUEST)
		except ChangeRefused as exc:
			frappe.db.rollback(save_point="sms_cancel")
			frappe.local.message_log = []
			link = short_url(doc)
			answer = _("Your meeting on {0} could not be cancelled: {1}").format(meeting, str(exc))
			return REFUSED, f"{answer} {link}" if link else answer
		return CANCELLED, _("Your meeting on {0} is cancelled.").format(meeting)


def _answer(decision, next_name: str | None) -> str:
	name = decision.booking or next_name
	doc = frappe.get_doc("Scheduler Booking", name) if name else None
	with reader_language(doc.get("language") if doc else None):
		meeting = _meeting(doc) if doc else ""
		if decision.action is Action.ASK:
			return _("Reply YES to cancel your meeting on {0}.").format(meeting)
		if decision.action is Action.EXPIRED:
			return _("Your request to cancel has expired. Reply CANCEL to start again.")
		if decision.action is Action.NO_BOOKING:
			return _("You have no upcoming meeting to cancel.")
		if decision.action in (Action.NOTHING_TO_CONFIRM, Action.HELP) and doc:
			return _("Reply CANCEL to cancel your meeting on {0}.").format(meeting)
		if decision.action is Action.NOTHING_TO_CONFIRM:
			return _("You have no upcoming meeting to cancel.")
	return ""


def receive(sender: str, recipient: str, body: str, sid: str, now: datetime | None = None) -> str | None:
	"""Act on one signed inbound SMS; returns the answer to text back (None: no answer).

	The message is stored first, under its SID: a second copy waits on that row and then
	finds it taken, so whatever it says happens once."""
	now = now or utc_now()
	digits = phone_digits(sender)
	if not sid or not digits or frappe.db.exists(DOCTYPE, sid):
		return None
	upcoming = next_booking(sender, now, recipient)
	decision = decide(body, history(digits, now), upcoming, now, window())
	if decision.action is Action.UNKNOWN_SENDER:
		return None
	record = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"message_sid": sid,
			"from_number": digits,
			"to_number": phone_digits(recipient)[:40],
			"body": (body or "")[:MAX_BODY],
			"received_at": to_system(now),
		}
	)
	try:
		record.insert(ignore_permissions=True)
	except frappe.DuplicateEntryError:
		frappe.db.rollback()
		return None
	if decision.action is Action.CANCEL:
		outcome, answer = _cancel(decision.booking)
	else:
		outcome, answer = decision.action.value, _answer(decision, upcoming)
	record.db_set(
		{"outcome": outcome, "booking": decision.booking or upcoming, "reply": answer},
		update_modified=False,
	)
	return answer or None
