"""A self-hosted proof of work for the public booking form (no third-party service).

The server hands out a signed challenge (``issue``); the browser finds a ``nonce`` such that
SHA-256(challenge ":" nonce) starts with ``bits`` zero bits (about 2**bits hashes: a
second or two at 16 bits); the booking request carries both, and ``verify`` accepts them
while the challenge is at most ``MAX_AGE`` old and correctly signed. Each challenge opens
one booking: the caller records used challenges until they expire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.i18n import _

MAX_AGE = 600  # seconds a challenge stays valid
MAX_BITS = 24


def _b64(data: bytes) -> str:
	return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
	return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
	return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def issue(secret: str, now: float, bits: int, salt: bytes) -> str:
	"""A challenge valid for ``MAX_AGE`` seconds from ``now`` (epoch seconds)."""
	payload = _b64(
		json.dumps({"s": _b64(salt), "t": int(now), "b": int(bits)}, separators=(",", ":")).encode()
	)
	return f"{payload}.{_mac(secret, payload)}"


def leading_zero_bits(digest: bytes) -> int:
	bits = 0
	for byte in digest:
		if byte == 0:
			bits += 8
			continue
		return bits + 8 - byte.bit_length()
	return bits


def verify(secret: str, challenge, nonce, now: float, bits: int) -> str:
	"""Check a solved challenge; returns the challenge (to record as used) or raises
	``InvalidField`` naming the ``proof`` field."""
	refused = InvalidField(_("Please reload the page and try again"), "proof")
	if (
		not isinstance(challenge, str)
		or not isinstance(nonce, str)
		or len(challenge) > 300
		or len(nonce) > 64
	):
		raise refused
	payload, _sep, mac = challenge.partition(".")
	if not hmac.compare_digest(_mac(secret, payload), mac):
		raise refused
	try:
		data = json.loads(_unb64(payload))
		issued, required = int(data["t"]), int(data["b"])
	except (ValueError, KeyError, TypeError):
		raise refused from None
	if not 0 <= now - issued <= MAX_AGE or required < min(bits, MAX_BITS):
		raise refused
	if leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < required:
		raise refused
	return challenge


def solve(challenge: str, bits: int, limit: int = 1 << 26) -> str:
	"""The nonce a browser would find (for tests and non-browser clients)."""
	for counter in range(limit):
		nonce = format(counter, "x")
		if leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) >= bits:
			return nonce
	raise ValueError("no nonce found within the limit")
