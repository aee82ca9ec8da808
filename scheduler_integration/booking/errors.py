"""What a refused booking change raises; the API maps these onto HTTP answers."""

from __future__ import annotations

from datetime import datetime

import frappe

from scheduler_integration.core import error_codes as codes
from scheduler_integration.core.errors import RequestRefused


class SlotUnavailable(frappe.ValidationError):
	"""The start is not (or no longer) offered: HTTP 409 with the nearest alternatives.

	``alternatives`` is filled at once for hosts in the desk (they read them in the message);
	for guests the API searches them after the transaction released the host locks
	(``search_alternatives``), so a crowd of refused guests never holds the lock longer.
	"""

	code = codes.SLOT_UNAVAILABLE
	http_status_code = codes.STATUS[code]

	def __init__(
		self,
		message: str,
		reason: str | None,
		meeting_type: str,
		start: datetime,
		now: datetime,
		exclude=None,
		meetings: int | None = None,
		hosts=None,
	):
		super().__init__(message)
		self.reason = reason
		self.meeting_type = meeting_type
		self.start = start
		self.now = now
		self.exclude = exclude
		self.meetings = meetings  # a series of this many meetings was asked for
		self.hosts = hosts  # the hosts it was asked of (a personal link's, a routed subset)
		self.alternatives: list | None = None

	def search_alternatives(self, count: int = 3) -> list:
		from scheduler_integration.booking.slots import alternatives

		if self.alternatives is None:
			self.alternatives = alternatives(
				self.meeting_type,
				self.start,
				self.now,
				count,
				exclude=self.exclude,
				meetings=self.meetings,
				hosts=self.hosts,
			)
		return self.alternatives


class NotConfigured(frappe.DoesNotExistError):
	"""The host has not set up what the call needs (profile, availability, a team type's
	hosts): 404."""

	code = codes.NOT_CONFIGURED
	http_status_code = codes.STATUS[code]


class ChangeRefused(frappe.ValidationError):
	"""A change the booking's state machine or notice policy does not allow: HTTP 403."""

	code = codes.CHANGE_REFUSED
	http_status_code = codes.STATUS[code]

	def __init__(self, message: str, reason: str | None = None):
		super().__init__(message)
		self.reason = reason


class SeatTaken(ChangeRefused):
	"""The guest already holds a seat of this slot: the slot is taken for them, HTTP 409
	(reason ``already_booked``), as any other taken slot; nothing about the change is refused."""

	code = codes.CONFLICT
	http_status_code = codes.STATUS[code]


class DuplicateRequest(frappe.ValidationError):
	"""The same idempotency key was already booked: the API answers with that booking."""

	http_status_code = 200

	def __init__(self, booking: str):
		super().__init__(booking)
		self.booking = booking


class TooManyBookings(frappe.TooManyRequestsError):
	"""A booking cap was reached (per guest email, per host and hour, per type and day).
	``retry_after``: seconds until the cap's window has room again (for Retry-After)."""

	code = codes.TOO_MANY_BOOKINGS
	http_status_code = codes.STATUS[code]

	def __init__(self, message: str = "", retry_after: int | None = None):
		super().__init__(message)
		self.retry_after = retry_after


class PaymentUnavailable(RequestRefused):
	"""Payments cannot be taken now (the payment gateway is not set up, or cannot be
	reached): HTTP 503, the guest tries again later."""

	code = codes.PAYMENT_UNAVAILABLE
	http_status_code = codes.STATUS[code]


class PaymentMismatch(RequestRefused):
	"""A gateway's report that does not fit the payment it names (another booking, another
	amount, a payment the gateway does not confirm): HTTP 400, nothing changes."""

	code = codes.PAYMENT_MISMATCH
	http_status_code = codes.STATUS[code]


class ReplayedEvent(RequestRefused):
	"""The very same signed webhook request again (a replay): HTTP 409, nothing changes."""

	code = codes.REPLAYED
	http_status_code = codes.STATUS[code]


class LinkGone(RequestRefused):
	"""A personal booking link, or a routing form's booking link, that may no longer book
	(used up, expired, revoked): HTTP 410, with why (``reason``)."""

	code = codes.LINK_GONE
	http_status_code = codes.STATUS[code]

	def __init__(self, message: str = "", reason: str | None = None):
		super().__init__(message)
		self.reason = reason
