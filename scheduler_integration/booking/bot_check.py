"""The booking form's proof of work (``rules.challenge``; Settings → Booking Challenge Bits:
12 by default, about 4,000 hashes that the page computes while the guest types; 0 = off),
each challenge good for one committed booking. The CAPTCHA providers are ``booking.captcha``.

A solved challenge is marked used with one Redis ``SET NX`` (expiring with the challenge):
of the requests that share it exactly one sets the mark; the rollback of that request's
transaction (a refusal, or a deadlock the API runs again) deletes the mark again, so a
refused guest's retry is not refused for it.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import NotRequired, TypedDict

import frappe
import redis
from frappe import _

from scheduler_integration.core import error_codes as codes
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.rules import challenge

PROOF_PREFIX = "scheduler_integration:challenge:"


class Challenge(TypedDict):
	"""A proof-of-work challenge: find a text ``nonce`` (up to 64 characters; the page counts
	in hex) whose sha256 of ``challenge + ":" + nonce`` starts with ``bits`` zero bits, and send
	both with the booking; none (``bits`` 0, no ``challenge``) when the site asks for none."""

	bits: int
	challenge: NotRequired[str]


def new_challenge() -> Challenge:
	"""A proof-of-work challenge for the booking form, when Settings ask for one."""
	bits = int(setting("booking_challenge_bits") or 0)
	if not bits:
		return {"bits": 0}
	return {"bits": bits, "challenge": challenge.issue(_secret(), time.time(), bits, os.urandom(16))}


def check_proof(proof_challenge, proof_nonce) -> None:
	"""With a challenge required: a solved, fresh, signed challenge, used once (400 otherwise)."""
	bits = int(setting("booking_challenge_bits") or 0)
	if not bits:
		return
	try:
		solved = challenge.verify(_secret(), proof_challenge, proof_nonce, time.time(), bits)
	except SchedulingError as exc:
		raise FieldValidationError(
			translate(exc), {"proof": translate(exc)}, code=codes.BOT_CHECK_FAILED
		) from None
	key = frappe.cache.make_key(PROOF_PREFIX + hashlib.sha256(solved.encode()).hexdigest())
	# one SET NX: of the requests sharing a challenge exactly one marks it used
	if not redis.Redis.set(frappe.cache, key, 1, nx=True, ex=challenge.MAX_AGE):
		message = _("Please reload the page and try again")
		raise FieldValidationError(message, {"proof": message}, code=codes.BOT_CHECK_FAILED)
	# spent by a booking that commits: a transaction rolled back (a refusal, or a deadlock
	# the API runs again) gives the proof back
	frappe.db.after_rollback.add(lambda: redis.Redis.delete(frappe.cache, key))


def _secret() -> str:
	from frappe.utils.password import get_encryption_key

	return "booking-challenge:" + get_encryption_key()
