"""Personal links: 256-bit tokens stored hashed; a link books until its uses are gone or
it expires, and revoking beats both."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.rules.personal_links import (
	EXPIRED,
	MAX_DAYS,
	REVOKED,
	USABLE,
	USED,
	expiry,
	new_token,
	plausible,
	state,
	token_hash,
)
from tests.conftest import utc


def test_tokens():
	token = new_token()
	assert plausible(token) and len(token) >= 43  # 32 bytes, base64url
	assert token_hash(token) != token and len(token_hash(token)) == 64
	assert new_token() != token
	assert not plausible("short") and not plausible("x" * 50 + "/") and not plausible(None)


def test_states():
	now = utc(2026, 5, 1, 12)
	later = now + timedelta(days=1)
	assert state(revoked=False, uses=0, max_uses=1, expires_at=later, now=now) == USABLE
	assert state(revoked=False, uses=1, max_uses=1, expires_at=later, now=now) == USED
	assert state(revoked=False, uses=2, max_uses=3, expires_at=now, now=now) == EXPIRED
	assert state(revoked=True, uses=0, max_uses=1, expires_at=later, now=now) == REVOKED
	assert state(revoked=False, uses=0, max_uses=0, expires_at=None, now=now) == USABLE  # 0 means once
	assert expiry(now, 0) == now + timedelta(days=1)
	assert expiry(now, 10**6) == now + timedelta(days=MAX_DAYS)


@given(st.integers(0, 200), st.integers(0, 200), st.integers(-5, 5), st.booleans())
def test_usable_exactly_while_uses_remain_before_expiry(uses, max_uses, days, revoked):
	now = utc(2026, 5, 1, 12)
	result = state(
		revoked=revoked, uses=uses, max_uses=max_uses, expires_at=now + timedelta(days=days), now=now
	)
	assert (result == USABLE) == (not revoked and uses < max(1, max_uses) and days > 0)
