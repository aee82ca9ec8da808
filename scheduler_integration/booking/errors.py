"""What a refused booking change raises; the API maps these onto HTTP answers."""

from __future__ import annotations

from datetime import datetime

import frappe


class SlotUnavailable(frappe.ValidationError):
	"""The start is not (or no longer) offered: HTTP 409 with the nearest alternatives.

	``alternatives`` is filled at once for hosts in the desk (they read them in the message);
	for guests the API searches them after the transaction released the host locks
	(``search_alternatives``), so a crowd of refused guests never holds the lock longer.
	"""

	http_status_code = 409

	def __init__(
		self,
		message: str,
		reason: str | None,
		meeting_type: str,
		start: datetime,
		now: datetime,
		exclude=None,
	):
		super().__init__(message)
		self.reason = reason
		self.meeting_type = meeting_type
		self.start = start
		self.now = now
		self.exclude = exclude
		self.alternatives: list | None = None

	def search_alternatives(self, count: int = 3) -> list:
		from scheduler_integration.booking.slots import alternatives

		if self.alternatives is None:
			self.alternatives = alternatives(
				self.meeting_type, self.start, self.now, count, exclude=self.exclude
			)
		return self.alternatives


class ChangeRefused(frappe.ValidationError):
	"""A change the booking's state machine or notice policy does not allow: HTTP 403."""

	http_status_code = 403

	def __init__(self, message: str, reason: str | None = None):
		super().__init__(message)
		self.reason = reason


class DuplicateRequest(frappe.ValidationError):
	"""The same idempotency key was already booked: the API answers with that booking."""

	http_status_code = 200

	def __init__(self, booking: str):
		super().__init__(booking)
		self.booking = booking


class TooManyBookings(frappe.TooManyRequestsError):
	"""A booking cap was reached (per guest email, per host and hour, per type and day)."""

	http_status_code = 429
