"""Replies to the app's SMS: what a guest's text means and when it cancels a booking, and the
signature that proves Twilio sent it.

**The conversation.** A guest cancels by SMS in two steps, so a stray word never cancels a
meeting:

1. "CANCEL" asks about the guest's next upcoming booking: the answer names it and asks for
   a YES (``ASK``); with no upcoming booking the answer says so (``NO_BOOKING``).
2. "YES" within ``window`` of that question cancels the booking the question named
   (``CANCEL``), even when another booking has become the next one since. Later than that
   it cancels nothing and says the question expired (``EXPIRED``); with no open question it
   says how to start (``NOTHING_TO_CONFIRM``).

A question stays open until it is answered: a YES closes it (whether the booking was then
cancelled or refused), a new CANCEL replaces it, anything else leaves it open. ``history``
is the sender's earlier messages (``Turn``: when, what each did, which booking), in any
order. Words are read whole, case and punctuation ignored ("Cancel.", " yes! "); a longer
text ("yes but can we move it") is not a YES. STOP and Twilio's other opt-out words get no
answer (the carrier and Twilio answer those). Any other text from a guest with an upcoming
booking gets a short help line (``HELP``), from anyone else no answer (``IGNORE``).

A sender is known when they have an upcoming booking or wrote before (``history``); an
unknown sender gets ``UNKNOWN_SENDER``: nothing is stored and nothing answered.

**Twilio's signature.** ``X-Twilio-Signature`` is base64 HMAC-SHA1, keyed with the account's
auth token, of the full URL Twilio requested followed by each POST parameter's name and
value, names sorted (a repeated name's values sorted too). Twilio signs the URL as
configured, with or without the port, so ``verify_twilio`` accepts either spelling of
each URL it is given; the comparison is constant-time and a missing token or header never
verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from urllib.parse import urlsplit, urlunsplit

__all__ = [
	"CONFIRM_WINDOW",
	"Action",
	"Decision",
	"Intent",
	"Turn",
	"decide",
	"intent",
	"open_question",
	"twilio_signature",
	"verify_twilio",
]

CONFIRM_WINDOW = timedelta(minutes=15)
MAX_BODY = 1600  # Twilio's longest message

CANCEL_WORDS = frozenset({"cancel"})
CONFIRM_WORDS = frozenset({"yes", "y"})
# Twilio's default opt-out keywords: Twilio (or the carrier) answers them itself
STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "end", "quit", "cancel all", "optout", "revoke"})


class Intent(str, Enum):
	CANCEL = "cancel"
	CONFIRM = "confirm"
	STOP = "stop"
	OTHER = "other"


class Action(str, Enum):
	"""What a message does; each but ``CANCEL`` is also its record's outcome."""

	ASK = "Asked to Confirm"
	CANCEL = "Cancel"
	EXPIRED = "Expired"
	NOTHING_TO_CONFIRM = "Nothing to Confirm"
	NO_BOOKING = "No Upcoming Booking"
	HELP = "Help Sent"
	IGNORE = "Ignored"
	UNKNOWN_SENDER = "Unknown Sender"


# the outcomes of a YES once the booking was asked to cancel (stored instead of CANCEL)
CANCELLED = "Cancelled"
REFUSED = "Refused"
# outcomes that open or close a question; every other one leaves it as it was
_QUESTION_TURNS = frozenset({Action.ASK.value, CANCELLED, REFUSED, Action.EXPIRED.value})


@dataclass(frozen=True, slots=True)
class Turn:
	"""One earlier message of the sender: when it came, its outcome, the booking it named."""

	at: datetime
	outcome: str
	booking: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
	action: Action
	booking: str | None = None


def _words(body) -> str:
	if not isinstance(body, str):
		return ""
	text = unicodedata.normalize("NFKC", body[:MAX_BODY]).casefold()
	return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def intent(body) -> Intent:
	words = _words(body)
	if words in CANCEL_WORDS:
		return Intent.CANCEL
	if words in CONFIRM_WORDS:
		return Intent.CONFIRM
	if words in STOP_WORDS:
		return Intent.STOP
	return Intent.OTHER


def open_question(history: Iterable[Turn]) -> Turn | None:
	"""The question a YES would answer: the sender's last question turn, if it asked."""
	turns = sorted((turn for turn in history if turn.outcome in _QUESTION_TURNS), key=lambda t: t.at)
	last = turns[-1] if turns else None
	return last if last is not None and last.outcome == Action.ASK.value else None


def decide(
	body,
	history: Iterable[Turn],
	next_booking: str | None,
	now: datetime,
	window: timedelta = CONFIRM_WINDOW,
) -> Decision:
	"""What the message ``body`` does, given the sender's ``history`` and their next upcoming
	booking (None: none); ``now`` and the turns' times are aware datetimes."""
	history = tuple(history)
	if next_booking is None and not history:
		return Decision(Action.UNKNOWN_SENDER)
	wanted = intent(body)
	if wanted is Intent.STOP:
		return Decision(Action.IGNORE)
	if wanted is Intent.CANCEL:
		return Decision(Action.ASK, next_booking) if next_booking else Decision(Action.NO_BOOKING)
	if wanted is Intent.CONFIRM:
		question = open_question(history)
		if question is None or not question.booking:
			return Decision(Action.NOTHING_TO_CONFIRM, next_booking)
		if now - question.at > window:
			return Decision(Action.EXPIRED, question.booking)
		return Decision(Action.CANCEL, question.booking)
	return Decision(Action.HELP, next_booking) if next_booking else Decision(Action.IGNORE)


def _values(params) -> list[tuple[str, str]]:
	items = params.items() if isinstance(params, Mapping) else params
	out = []
	for key, value in items:
		values = value if isinstance(value, list | tuple) else [value]
		out += [(str(key), str(one)) for one in values]
	return out


def twilio_signature(url: str, params, token: str) -> str:
	"""The ``X-Twilio-Signature`` of a POST of ``params`` (a mapping, its values single or
	lists, or (name, value) pairs) to ``url``."""
	grouped: dict[str, set[str]] = {}
	for key, value in _values(params):
		grouped.setdefault(key, set()).add(value)
	text = url + "".join(key + value for key in sorted(grouped) for value in sorted(grouped[key]))
	digest = hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()
	return base64.b64encode(digest).decode()


def _spellings(url: str) -> set[str]:
	"""``url`` with and without its scheme's default port."""
	parts = urlsplit(url)
	try:
		port = parts.port
	except ValueError:
		return {url}
	host = parts.netloc.rsplit("@", 1)[-1]
	bare = host.rsplit(":", 1)[0] if port else host
	default = 443 if parts.scheme == "https" else 80
	return {
		urlunsplit(parts._replace(netloc=bare)),
		urlunsplit(parts._replace(netloc=f"{bare}:{port or default}")),
	}


def verify_twilio(signature, urls: Iterable[str], params, token) -> bool:
	"""Does ``signature`` sign ``params`` posted to one of ``urls`` with ``token``?"""
	if not isinstance(signature, str) or not signature or not isinstance(token, str) or not token:
		return False
	given = signature.strip().encode()
	candidates = {spelling for url in urls if url for spelling in _spellings(url)}
	found = False
	for url in sorted(candidates):
		found |= hmac.compare_digest(twilio_signature(url, params, token).encode(), given)
	return found
