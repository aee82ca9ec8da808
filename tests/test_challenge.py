"""The booking form's proof of work: signed, timed, hard enough, not forgeable."""

import hashlib

import pytest

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.rules.challenge import MAX_AGE, issue, leading_zero_bits, solve, verify

SECRET = "site-secret"
NOW = 1_800_000_000.0


def test_leading_zero_bits():
	assert leading_zero_bits(b"\x00\x00\x80") == 16
	assert leading_zero_bits(b"\x01") == 7
	assert leading_zero_bits(b"\xff") == 0
	assert leading_zero_bits(b"\x00\x00") == 16


def test_a_solved_challenge_passes_once_signed_fresh_and_hard_enough():
	challenge = issue(SECRET, NOW, 12, b"salt-123")
	nonce = solve(challenge, 12)
	digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
	assert leading_zero_bits(digest) >= 12
	assert verify(SECRET, challenge, nonce, NOW + 5, 12) == challenge


@pytest.mark.parametrize(
	"change",
	[
		lambda c, n: (c, n + "x" if n else "x"),  # a wrong nonce
		lambda c, n: (c.replace(".", ".A", 1), n),  # a forged signature
		lambda c, n: (issue("other", NOW, 12, b"salt-123"), n),  # another site's challenge
		lambda c, n: (None, n),
		lambda c, n: (c, None),
		lambda c, n: (c, "z" * 65),
	],
)
def test_anything_else_is_refused(change):
	challenge = issue(SECRET, NOW, 12, b"salt-123")
	nonce = solve(challenge, 12)
	bad_challenge, bad_nonce = change(challenge, nonce)
	with pytest.raises(InvalidField) as err:
		verify(SECRET, bad_challenge, bad_nonce, NOW + 5, 12)
	assert err.value.field == "proof"


def test_old_future_and_too_easy_challenges_are_refused():
	easy = issue(SECRET, NOW, 4, b"s")
	with pytest.raises(InvalidField):
		verify(SECRET, easy, solve(easy, 4), NOW, 12)  # issued for 4 bits, 12 required now
	challenge = issue(SECRET, NOW, 8, b"s")
	nonce = solve(challenge, 8)
	with pytest.raises(InvalidField):
		verify(SECRET, challenge, nonce, NOW + MAX_AGE + 1, 8)
	with pytest.raises(InvalidField):
		verify(SECRET, challenge, nonce, NOW - 10, 8)
	assert verify(SECRET, challenge, nonce, NOW + MAX_AGE, 8)
