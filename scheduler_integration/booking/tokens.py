"""Manage-link and feed tokens.

A manage token is HMAC-SHA256(site encryption key, random 128-bit nonce): 256 bits,
URL-safe. The database keeps only the nonce and SHA-256(token), so the token table alone
opens no booking, while a reminder sent days later can still carry the guest's link.
A token opens one booking and expires at the meeting's end.

A short link (``/b/<code>``, for SMS, where the manage link is too long) leads to the same
manage page. Its code is 80 bits (16 base32 letters) derived the same way from the same
nonce under another label, and only its SHA-256 is stored: like the token it opens one
booking, expires with the token, and changes whenever the token does. 80 bits, not the
token's 256: the code never opens anything but its redirect, which counts every try per IP
(``www/b.py``); guessing one of a million live codes at a thousand tries a second would
take about 38 million years on average.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import frappe
from frappe import _

from scheduler_integration.booking.domains import booking_origin
from scheduler_integration.core.clock import to_utc, utc_now

NONCE_BYTES = 16
MAX_TOKEN = 100
SHORT_CODE_BYTES = 10  # 80 bits: 16 base32 letters
_SHORT_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def hash_token(token: str) -> str:
	return hashlib.sha256(token.encode()).hexdigest()


def token_for_nonce(nonce: str) -> str:
	from frappe.utils.password import get_encryption_key

	digest = hmac.new(get_encryption_key().encode(), nonce.encode(), hashlib.sha256).digest()
	return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def short_code_for_nonce(nonce: str) -> str:
	from frappe.utils.password import get_encryption_key

	digest = hmac.new(get_encryption_key().encode(), ("short:" + nonce).encode(), hashlib.sha256).digest()
	return base64.b32encode(digest[:SHORT_CODE_BYTES]).decode().lower()


def issue_token(doc) -> str:
	"""Give ``doc`` a fresh manage token (a previous link, and short link, stops working)."""
	doc.token_nonce = secrets.token_hex(NONCE_BYTES)
	token = token_for_nonce(doc.token_nonce)
	doc.manage_token_hash = hash_token(token)
	doc.short_code_hash = hash_token(short_code_for_nonce(doc.token_nonce))
	return token


def manage_token(doc) -> str | None:
	return token_for_nonce(doc.token_nonce) if doc.token_nonce else None


def manage_url(doc) -> str | None:
	token = manage_token(doc)
	# on the custom domain of the booking's page when it has one (booking.domains)
	return f"{booking_origin(doc)}/book/manage/{token}" if token else None


def short_url(doc) -> str | None:
	"""The booking's short manage link (``/b/<code>``), or None when it has no token. A
	booking made before short links gets its code's hash now."""
	if not doc.token_nonce:
		return None
	code = short_code_for_nonce(doc.token_nonce)
	if doc.get("short_code_hash") != hash_token(code):
		frappe.db.set_value(
			"Scheduler Booking", doc.name, "short_code_hash", hash_token(code), update_modified=False
		)
		doc.short_code_hash = hash_token(code)
	return frappe.utils.get_url(f"/b/{code}")


def booking_for_short_code(code):
	"""The booking a short link's code opens, or DoesNotExistError (unknown, malformed,
	expired, or its token issued again since)."""
	code = code.strip().lower() if isinstance(code, str) else ""
	if len(code) != 16 or not _SHORT_ALPHABET.issuperset(code):
		raise frappe.DoesNotExistError(_("This link is not valid"))
	name = frappe.db.get_value("Scheduler Booking", {"short_code_hash": hash_token(code)}, "name")
	if not name:
		raise frappe.DoesNotExistError(_("This link is not valid"))
	doc = frappe.get_doc("Scheduler Booking", name)
	if not doc.token_nonce or not hmac.compare_digest(short_code_for_nonce(doc.token_nonce), code):
		raise frappe.DoesNotExistError(_("This link is not valid"))
	if doc.token_expires and to_utc(doc.token_expires) < utc_now():
		raise frappe.DoesNotExistError(_("This link has expired"))
	return doc


def valid_shape(token) -> bool:
	"""Tokens are URL-safe base64 of 32 bytes: anything else is refused before a lookup."""
	return (
		isinstance(token, str)
		and 0 < len(token) <= MAX_TOKEN
		and token.isascii()
		and (token.replace("-", "").replace("_", "").isalnum())
	)


def booking_for_token(token, for_update: bool = False):
	"""The booking a manage token opens, or DoesNotExistError (unknown, malformed, expired)."""
	if not valid_shape(token):
		raise frappe.DoesNotExistError(_("This link is not valid"))
	name = frappe.db.get_value(
		"Scheduler Booking", {"manage_token_hash": hash_token(token)}, "name", for_update=for_update
	)
	if not name:
		raise frappe.DoesNotExistError(_("This link is not valid"))
	doc = frappe.get_doc("Scheduler Booking", name)
	if doc.token_expires and to_utc(doc.token_expires) < utc_now():
		raise frappe.DoesNotExistError(_("This link has expired"))
	return doc


def feed_token(profile) -> str:
	"""The host's secret feed token (HMAC of a stored nonce; only its SHA-256 is looked up)."""
	if not profile.feed_nonce:
		profile.db_set("feed_nonce", secrets.token_hex(NONCE_BYTES), update_modified=False)
	token = token_for_nonce("feed:" + profile.feed_nonce)
	if profile.feed_token_hash != hash_token(token):
		profile.db_set("feed_token_hash", hash_token(token), update_modified=False)
	return token
