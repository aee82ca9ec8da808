"""Report-link tokens, IP anonymising and Calendly signatures (rules.tracking)."""

import base64
import hashlib
import hmac
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.rules.tracking import (
	MAX_TOKEN,
	LinkRef,
	SignatureRefused,
	anonymize_ip,
	calendly_signature,
	clean_ip,
	phase_from_campaign,
	sign_link,
	verify_calendly,
	verify_link,
)

KEY = "site-secret-key"
REF = LinkRef("host@example.com", "mt-1", "Build", "ToDo", "TD-0001")


def test_round_trip_and_determinism():
	token = sign_link(REF, KEY)
	assert verify_link(token, KEY) == REF
	assert sign_link(REF, KEY) == token
	assert verify_link(sign_link(REF, KEY.encode()), KEY) == REF


def test_minimal_ref_round_trips():
	ref = LinkRef("host@example.com")
	assert verify_link(sign_link(ref, KEY), KEY) == ref


@given(
	st.text(min_size=1, max_size=60),
	st.text(max_size=40),
	st.text(max_size=20),
	st.text(max_size=40),
	st.text(max_size=60),
)
def test_any_ref_round_trips(consultant, meeting_type, phase, doctype, name):
	ref = LinkRef(consultant, meeting_type, phase, doctype, name)
	assert verify_link(sign_link(ref, KEY), KEY) == ref


def test_other_key_refused():
	assert verify_link(sign_link(REF, KEY), "another-key") is None


def test_tampered_payload_refused():
	token = sign_link(REF, KEY)
	payload, mac = token.split(".")
	forged = LinkRef("attacker@example.com", "mt-1", "Build", "ToDo", "TD-0001")
	forged_payload = sign_link(forged, KEY).split(".")[0]
	assert verify_link(f"{forged_payload}.{mac}", KEY) is None
	assert verify_link(f"{payload}.{mac[:-1]}A" if mac[-1] != "A" else f"{payload}.{mac[:-1]}B", KEY) is None


def _signed(fields, key=KEY):
	"""A correctly signed token around an arbitrary payload (to test the shape checks)."""
	payload = base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode()
	derived = hmac.new(key.encode(), b"scheduler_integration/report-link/v1", hashlib.sha256).digest()
	mac = base64.urlsafe_b64encode(hmac.new(derived, payload.encode(), hashlib.sha256).digest())
	return f"{payload}.{mac.rstrip(b'=').decode()}"


def test_signed_helper_matches():
	assert verify_link(_signed(["1", "h", "", "", "", ""]), KEY) == LinkRef("h")


@pytest.mark.parametrize(
	"fields",
	[
		["2", "h", "", "", "", ""],  # other version
		["1", "", "", "", "", ""],  # no consultant
		["1", "h", "", "", ""],  # too short
		["1", "h", 3, "", "", ""],  # not text
		{"consultant": "h"},  # not a list
	],
)
def test_signed_but_wrong_shape_refused(fields):
	assert verify_link(_signed(fields), KEY) is None


def test_signed_garbage_payload_refused():
	payload = "not-json-at-all"
	derived = hmac.new(KEY.encode(), b"scheduler_integration/report-link/v1", hashlib.sha256).digest()
	mac = base64.urlsafe_b64encode(hmac.new(derived, payload.encode(), hashlib.sha256).digest())
	assert verify_link(f"{payload}.{mac.rstrip(b'=').decode()}", KEY) is None


@pytest.mark.parametrize(
	"token",
	[None, "", 42, "no-dot", "a.b.c", "x" * (MAX_TOKEN + 1), "é.é", "abc.def"],
)
def test_malformed_tokens_refused(token):
	assert verify_link(token, KEY) is None


def test_signing_needs_key_and_consultant():
	with pytest.raises(ValueError):
		sign_link(REF, "")
	with pytest.raises(ValueError):
		sign_link(LinkRef(""), KEY)


@pytest.mark.parametrize(
	"value, clean, anonymous",
	[
		("203.0.113.77", "203.0.113.77", "203.0.113.0"),
		(" 10.1.2.3 ", "10.1.2.3", "10.1.2.0"),
		("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
		("::1", "::1", "::"),
		("not an ip", "", ""),
		("", "", ""),
		(None, "", ""),
		(12345, "", ""),
	],
)
def test_ip(value, clean, anonymous):
	assert clean_ip(value) == clean
	assert anonymize_ip(value) == anonymous


@pytest.mark.parametrize(
	"campaign, phase",
	[("phase_build", "Build"), ("phase_grow", "Grow"), ("phase_nope", None), ("build", None), (None, None)],
)
def test_phase_from_campaign(campaign, phase):
	assert phase_from_campaign(campaign) == phase


BODY = b'{"event":"invitee.created","payload":{}}'
SECRET = "calendly-signing-key"


def test_calendly_signature_accepted():
	header = calendly_signature(BODY, SECRET, 1_700_000_000)
	expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
	assert header == f"t=1700000000,v1={expected}"
	assert verify_calendly(header, BODY, SECRET, now=1_700_000_100) == 1_700_000_000
	assert verify_calendly(
		header.upper().replace("T=", "t=").replace("V1=", "v1="), BODY, SECRET, 1_700_000_000
	)


@pytest.mark.parametrize(
	"header, key, now, reason",
	[
		(None, SECRET, 1_700_000_000, "missing"),
		("", SECRET, 1_700_000_000, "missing"),
		("t=1700000000,v1=00", "", 1_700_000_000, "missing"),
		("garbage", SECRET, 1_700_000_000, "malformed"),
		("t=1700000000,t=1700000000,v1=00", SECRET, 1_700_000_000, "malformed"),
		("t=abc,v1=00", SECRET, 1_700_000_000, "malformed"),
		("t=1700000000", SECRET, 1_700_000_000, "malformed"),
		("t=1700000000,v1=00", SECRET, 1_700_000_000, "mismatch"),
	],
)
def test_calendly_signature_refused(header, key, now, reason):
	with pytest.raises(SignatureRefused) as info:
		verify_calendly(header, BODY, key, now)
	assert info.value.reason == reason


def test_calendly_wrong_key_body_or_time():
	header = calendly_signature(BODY, SECRET, 1_700_000_000)
	for body, key, now, reason in (
		(BODY, "other", 1_700_000_000, "mismatch"),
		(BODY + b" ", SECRET, 1_700_000_000, "mismatch"),
		(BODY, SECRET, 1_700_000_301, "stale"),
		(BODY, SECRET, 1_699_999_699, "stale"),
	):
		with pytest.raises(SignatureRefused) as info:
			verify_calendly(header, body, key, now)
		assert info.value.reason == reason
	assert verify_calendly(header, BODY, SECRET, 1_700_000_300) == 1_700_000_000
