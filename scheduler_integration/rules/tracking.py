"""Report-link tokens, IP anonymising and webhook signatures: the rules of engagement tracking.

**Report-link tokens.** A link in a client report names *who* (consultant), *what*
(meeting type, may be empty), *why* (phase) and *where from* (reference doctype/name), never
a URL: the redirect looks the target up on the consultant's own profile and types, so a
token can only ever lead to a URL the consultant stored (no open redirect). The token is
``<payload>.<mac>``: the payload is base64url JSON ``["1", consultant, meeting_type, phase,
reference_doctype, reference_name]``, the mac is base64url HMAC-SHA256 over the payload text
with a key derived from the site secret for this purpose only. ``verify_link`` answers None
for anything that is not exactly such a token (wrong mac, other version, other shape, too
long); it never raises.

**IP addresses.** ``clean_ip`` normalises an address ('' when it is not one);
``anonymize_ip`` drops the last IPv4 octet (a.b.c.0) or the last 80 bits of an IPv6 address
(keeps the /48).

**Calendly webhook signatures.** The ``Calendly-Webhook-Signature`` header reads
``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the signing key>``.
``verify_calendly`` raises ``SignatureRefused`` with ``reason`` ``missing`` (no header or
no key), ``malformed``, ``mismatch`` or ``stale`` (``t`` more than ``tolerance`` seconds
from ``now``, either way) and returns the timestamp when the signature holds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass

from .recommend import canonical_phase

__all__ = [
	"MAX_TOKEN",
	"LinkRef",
	"SignatureRefused",
	"anonymize_ip",
	"calendly_signature",
	"clean_ip",
	"phase_from_campaign",
	"sign_link",
	"verify_calendly",
	"verify_link",
]

VERSION = "1"
MAX_TOKEN = 1500
_PURPOSE = b"scheduler_integration/report-link/v1"
TOLERANCE = 300


@dataclass(frozen=True, slots=True)
class LinkRef:
	"""What a report link stands for."""

	consultant: str
	meeting_type: str = ""
	phase: str = ""
	reference_doctype: str = ""
	reference_name: str = ""


def _bytes(key) -> bytes:
	if isinstance(key, bytes):
		return key
	if isinstance(key, str) and key:
		return key.encode()
	raise ValueError("a signing key is required")


def _b64(data: bytes) -> str:
	return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
	return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload: str, key) -> str:
	derived = hmac.new(_bytes(key), _PURPOSE, hashlib.sha256).digest()
	return _b64(hmac.new(derived, payload.encode("ascii"), hashlib.sha256).digest())


def sign_link(ref: LinkRef, key) -> str:
	"""The signed token for ``ref`` (deterministic: the same link always gets the same token)."""
	if not ref.consultant:
		raise ValueError("a link needs a consultant")
	fields = [
		VERSION,
		ref.consultant,
		ref.meeting_type or "",
		ref.phase or "",
		ref.reference_doctype or "",
		ref.reference_name or "",
	]
	payload = _b64(json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
	return f"{payload}.{_mac(payload, key)}"


def verify_link(token, key) -> LinkRef | None:
	"""The LinkRef a genuine token stands for, None for anything else."""
	if not isinstance(token, str) or not token or len(token) > MAX_TOKEN or token.count(".") != 1:
		return None
	payload, mac = token.split(".")
	try:
		if not hmac.compare_digest(mac.encode("ascii"), _mac(payload, key).encode("ascii")):
			return None
		fields = json.loads(_unb64(payload).decode("utf-8"))
	except (UnicodeError, binascii.Error, ValueError):
		return None
	if (
		not isinstance(fields, list)
		or len(fields) != 6
		or not all(isinstance(item, str) for item in fields)
		or fields[0] != VERSION
		or not fields[1]
	):
		return None
	return LinkRef(*fields[1:])


def clean_ip(value) -> str:
	"""The normalised address, '' when ``value`` is not an IP address."""
	if not isinstance(value, str):
		return ""
	try:
		return str(ipaddress.ip_address(value.strip()))
	except ValueError:
		return ""


def anonymize_ip(value) -> str:
	"""``value`` without its last IPv4 octet / last 80 IPv6 bits; '' when not an address."""
	text = clean_ip(value)
	if not text:
		return ""
	address = ipaddress.ip_address(text)
	prefix = 24 if address.version == 4 else 48
	return str(ipaddress.ip_network(f"{text}/{prefix}", strict=False).network_address)


def phase_from_campaign(campaign, known=None) -> str | None:
	"""The phase named by a report campaign ("phase_build" → "Build"), else None."""
	if not isinstance(campaign, str) or not campaign.startswith("phase_"):
		return None
	name = campaign[len("phase_") :]
	return canonical_phase(name, known) if known is not None else canonical_phase(name)


class SignatureRefused(ValueError):
	"""A webhook whose signature is missing, malformed, wrong or too old (``reason``)."""

	def __init__(self, reason: str):
		super().__init__(reason)
		self.reason = reason


def calendly_signature(body: bytes, key, timestamp: int) -> str:
	"""The header Calendly sends for ``body`` at ``timestamp`` (used by tests and tools)."""
	digest = hmac.new(_bytes(key), f"{int(timestamp)}.".encode() + body, hashlib.sha256).hexdigest()
	return f"t={int(timestamp)},v1={digest}"


def verify_stamped(header, body: bytes, key, now: float, sign, field: str, tolerance: int = TOLERANCE) -> int:
	"""The signed timestamp of a ``t=<unix time>,<field>=<hex HMAC>`` header (Calendly's
	``v1``, OnceHub's ``s``; ``sign(body, key, t)`` makes the header the provider would
	send); SignatureRefused when it is missing, malformed, wrong or older than ``tolerance``."""
	if not header or not key:
		raise SignatureRefused("missing")
	parts = {}
	for item in str(header).split(","):
		name, eq, value = item.strip().partition("=")
		if not eq or name in parts:
			raise SignatureRefused("malformed")
		parts[name] = value
	stamp, signature = parts.get("t", ""), parts.get(field, "")
	if not stamp.isdigit() or len(stamp) > 12 or not signature:
		raise SignatureRefused("malformed")
	expected = sign(body, key, int(stamp)).rpartition(f"{field}=")[2]
	if not hmac.compare_digest(signature.lower().encode(), expected.encode()):
		raise SignatureRefused("mismatch")
	if abs(now - int(stamp)) > tolerance:
		raise SignatureRefused("stale")
	return int(stamp)


def verify_calendly(header, body: bytes, key, now: float, tolerance: int = TOLERANCE) -> int:
	"""The signed timestamp; SignatureRefused when the header does not prove ``body``."""
	return verify_stamped(header, body, key, now, calendly_signature, "v1", tolerance)
