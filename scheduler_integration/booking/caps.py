"""Limits on guest bookings that do not depend on the client's IP address (which a client
can spoof where the server trusts ``X-Forwarded-For``):

- caps per guest email per hour, per host per hour and per meeting type per day (Scheduler
  Settings; 0 = no cap), counting bookings made through the public pages whatever their
  status now;
- optionally a proof of work on the booking form (``engine.challenge``; Settings → Booking
  Challenge Bits, 0 = off), each challenge good for one committed booking.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count

from scheduler_integration.booking.errors import TooManyBookings
from scheduler_integration.booking.meeting_types import TypeContext
from scheduler_integration.core.clock import to_system
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.core.settings import setting
from scheduler_integration.engine import challenge
from scheduler_integration.engine.errors import SchedulingError

GUEST_SOURCES = ("booking_page", "report")


def _count(since: datetime, **where) -> int:
	b, h = DocType("Scheduler Booking"), DocType("Scheduler Booking Host")
	query = frappe.qb.from_(b).select(Count(b.name).distinct()).where(b.creation > to_system(since))
	query = query.where(b.source.isin(GUEST_SOURCES))
	if "host" in where:
		query = query.join(h).on((h.parent == b.name) & (h.parenttype == "Scheduler Booking"))
		query = query.where(h.user.isin(where.pop("host")))
	for field, value in where.items():
		query = query.where(b[field] == value)
	return int(query.run()[0][0] or 0)


def check_guest_caps(ctx: TypeContext, guest_email: str, now: datetime) -> None:
	"""Raise TooManyBookings (429) when a cap is reached."""
	per_email = int(setting("booking_rate_limit") or 0)
	if per_email and _count(now - timedelta(hours=1), guest_email=guest_email) >= per_email:
		raise TooManyBookings(_("Too many bookings from this email address; please try again later"))
	per_type = int(setting("bookings_per_type_per_day") or 0)
	if per_type and _count(now - timedelta(days=1), meeting_type=ctx.name) >= per_type:
		raise TooManyBookings(_("This meeting type takes no more bookings today; please try again tomorrow"))
	per_host = int(setting("bookings_per_host_per_hour") or 0)
	if per_host and _count(now - timedelta(hours=1), host=list(ctx.hosts)) >= per_host * max(
		1, len(ctx.hosts)
	):
		raise TooManyBookings(_("This host takes no more bookings right now; please try again later"))


def new_challenge() -> dict:
	"""A proof-of-work challenge for the booking form, when Settings ask for one."""
	import os
	import time

	bits = int(setting("booking_challenge_bits") or 0)
	if not bits:
		return {"bits": 0}
	return {"bits": bits, "challenge": challenge.issue(_secret(), time.time(), bits, os.urandom(16))}


def check_proof(proof_challenge, proof_nonce) -> None:
	"""With a challenge required: a solved, fresh, signed challenge, used once (400 otherwise)."""
	import hashlib
	import time

	bits = int(setting("booking_challenge_bits") or 0)
	if not bits:
		return
	try:
		solved = challenge.verify(_secret(), proof_challenge, proof_nonce, time.time(), bits)
	except SchedulingError as exc:
		raise FieldValidationError(translate(exc), {"proof": translate(exc)}) from None
	key = "scheduler_integration:challenge:" + hashlib.sha256(solved.encode()).hexdigest()
	if frappe.cache.get_value(key):
		message = _("Please reload the page and try again")
		raise FieldValidationError(message, {"proof": message})
	frappe.cache.set_value(key, 1, expires_in_sec=challenge.MAX_AGE)
	# spent by a booking that commits: a transaction rolled back (a refusal, or a deadlock
	# the API runs again) gives the proof back
	frappe.db.after_rollback.add(lambda: frappe.cache.delete_value(key))


def _secret() -> str:
	from frappe.utils.password import get_encryption_key

	return "booking-challenge:" + get_encryption_key()
