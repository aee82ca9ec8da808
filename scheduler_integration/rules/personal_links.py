"""Personal booking links: a rep sends one prospect a link that books for them.

A link is a random 256-bit token (only its SHA-256 is stored, like manage links) tied to
one meeting type, the rep, the prospect's record and their name, email and phone. It
opens the type's booking page prefilled, and books at most ``max_uses`` times before it
expires. Using it and booking happen in one transaction that holds the link's row lock,
so of two simultaneous bookings through the last use, one is made and the other refused.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from scheduler_integration.engine.i18n import _

TOKEN_BYTES = 32  # 256 bits: never guessed, never enumerable
MAX_USES = 100
MAX_DAYS = 365
DEFAULT_DAYS = 14

USABLE, USED, EXPIRED, REVOKED = "usable", "used", "expired", "revoked"


def new_token() -> str:
	return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
	return hashlib.sha256(token.encode()).hexdigest()


def plausible(token) -> bool:
	"""A string that could be one of our tokens (cheap refusal before any lookup)."""
	return (
		isinstance(token, str) and 40 <= len(token) <= 64 and all(ch.isalnum() or ch in "-_" for ch in token)
	)


def expiry(now: datetime, days: int) -> datetime:
	"""When a link made ``now`` for ``days`` days stops working (1 to ``MAX_DAYS``)."""
	return now + timedelta(days=max(1, min(int(days), MAX_DAYS)))


def state(*, revoked: bool, uses: int, max_uses: int, expires_at: datetime | None, now: datetime) -> str:
	"""Whether a link may still book: revoked beats used up beats expired."""
	if revoked:
		return REVOKED
	if int(uses or 0) >= max(1, int(max_uses or 1)):
		return USED
	if expires_at is not None and now >= expires_at:
		return EXPIRED
	return USABLE


MESSAGES = {
	USED: _("This booking link has already been used."),
	EXPIRED: _("This booking link has expired."),
	REVOKED: _("This booking link is no longer valid."),
}
