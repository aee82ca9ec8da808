from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.rules.sms_replies import (
	CANCELLED,
	CONFIRM_WINDOW,
	REFUSED,
	Action,
	Decision,
	Intent,
	Turn,
	decide,
	intent,
	open_question,
	twilio_signature,
	verify_twilio,
)

UTC = timezone.utc  # datetime.UTC only exists from Python 3.11
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ASKED = Action.ASK.value


def ago(minutes: float) -> datetime:
	return NOW - timedelta(minutes=minutes)


@pytest.mark.parametrize(
	("body", "wanted"),
	[
		("CANCEL", Intent.CANCEL),
		(" cancel. ", Intent.CANCEL),
		("Cancel!", Intent.CANCEL),
		("ＣＡＮＣＥＬ", Intent.CANCEL),  # full-width letters (NFKC)
		("YES", Intent.CONFIRM),
		("yes!", Intent.CONFIRM),
		("Y", Intent.CONFIRM),
		("\u201cYes\u201d", Intent.CONFIRM),
		("STOP", Intent.STOP),
		("Cancel all", Intent.STOP),
		("unsubscribe", Intent.STOP),
		("yes but can we move it", Intent.OTHER),
		("cancel my meeting", Intent.OTHER),
		("no", Intent.OTHER),
		("", Intent.OTHER),
		(None, Intent.OTHER),
		(42, Intent.OTHER),
	],
)
def test_intent_reads_whole_words(body, wanted):
	assert intent(body) is wanted


# (history, next booking, body, minutes since the question, expected decision)
CASES = [
	# unknown: no upcoming booking and never wrote
	([], None, "CANCEL", Decision(Action.UNKNOWN_SENDER)),
	([], None, "YES", Decision(Action.UNKNOWN_SENDER)),
	([], None, "hello", Decision(Action.UNKNOWN_SENDER)),
	# CANCEL asks about the next booking
	([], "B1", "CANCEL", Decision(Action.ASK, "B1")),
	([Turn(ago(1), ASKED, "B1")], "B1", "cancel", Decision(Action.ASK, "B1")),  # asked again
	([Turn(ago(60), CANCELLED, "B1")], None, "CANCEL", Decision(Action.NO_BOOKING)),
	# YES within the window cancels the booking the question named
	([Turn(ago(1), ASKED, "B1")], "B1", "YES", Decision(Action.CANCEL, "B1")),
	([Turn(ago(15), ASKED, "B1")], "B1", "yes", Decision(Action.CANCEL, "B1")),  # the window's end
	([Turn(ago(5), ASKED, "B1")], "B2", "Y", Decision(Action.CANCEL, "B1")),  # not the new next one
	([Turn(ago(5), ASKED, "B1")], None, "YES", Decision(Action.CANCEL, "B1")),
	([Turn(ago(-1), ASKED, "B1")], "B1", "YES", Decision(Action.CANCEL, "B1")),  # clocks apart
	# later: expired
	([Turn(ago(15.01), ASKED, "B1")], "B1", "YES", Decision(Action.EXPIRED, "B1")),
	([Turn(ago(600), ASKED, "B1")], "B1", "YES", Decision(Action.EXPIRED, "B1")),
	# a question is answered once
	(
		[Turn(ago(3), ASKED, "B1"), Turn(ago(2), CANCELLED, "B1")],
		"B2",
		"YES",
		Decision(Action.NOTHING_TO_CONFIRM, "B2"),
	),
	(
		[Turn(ago(3), ASKED, "B1"), Turn(ago(2), REFUSED, "B1")],
		"B1",
		"YES",
		Decision(Action.NOTHING_TO_CONFIRM, "B1"),
	),
	(
		[Turn(ago(30), ASKED, "B1"), Turn(ago(2), Action.EXPIRED.value, "B1")],
		"B1",
		"YES",
		Decision(Action.NOTHING_TO_CONFIRM, "B1"),
	),
	# the newest question counts; other messages leave it open
	([Turn(ago(9), ASKED, "B1"), Turn(ago(4), ASKED, "B2")], "B2", "YES", Decision(Action.CANCEL, "B2")),
	(
		[Turn(ago(4), ASKED, "B1"), Turn(ago(3), Action.HELP.value, "B1")],
		"B1",
		"YES",
		Decision(Action.CANCEL, "B1"),
	),
	(
		[Turn(ago(3), Action.HELP.value, "B1"), Turn(ago(4), ASKED, "B1")],
		"B1",
		"YES",
		Decision(Action.CANCEL, "B1"),
	),  # any order
	([Turn(ago(4), ASKED, None)], "B1", "YES", Decision(Action.NOTHING_TO_CONFIRM, "B1")),
	# nothing asked
	([], "B1", "YES", Decision(Action.NOTHING_TO_CONFIRM, "B1")),
	([Turn(ago(60), CANCELLED, "B1")], None, "YES", Decision(Action.NOTHING_TO_CONFIRM)),
	# anything else
	([], "B1", "what time is it?", Decision(Action.HELP, "B1")),
	([Turn(ago(60), CANCELLED, "B1")], None, "thanks", Decision(Action.IGNORE)),
	([], "B1", "STOP", Decision(Action.IGNORE)),
	([Turn(ago(1), ASKED, "B1")], "B1", "stop", Decision(Action.IGNORE)),
]


@pytest.mark.parametrize(("history", "upcoming", "body", "expected"), CASES)
def test_the_conversation(history, upcoming, body, expected):
	assert decide(body, history, upcoming, NOW) == expected


def test_the_window_is_an_input():
	history = [Turn(ago(20), ASKED, "B1")]
	assert decide("YES", history, "B1", NOW).action is Action.EXPIRED
	assert decide("YES", history, "B1", NOW, window=timedelta(minutes=30)) == Decision(Action.CANCEL, "B1")
	assert CONFIRM_WINDOW == timedelta(minutes=15)


def test_open_question():
	assert open_question([]) is None
	asked = Turn(ago(1), ASKED, "B1")
	assert open_question([Turn(ago(2), Action.HELP.value, "B1"), asked]) == asked
	assert open_question([asked, Turn(ago(0), CANCELLED, "B1")]) is None


@given(
	outcomes=st.lists(
		st.sampled_from(
			[ASKED, CANCELLED, REFUSED, Action.EXPIRED.value, Action.HELP.value, Action.IGNORE.value]
		),
		max_size=8,
	),
	body=st.sampled_from(["YES", "CANCEL", "hi", "STOP"]),
)
def test_a_yes_cancels_only_the_last_unanswered_question(outcomes, body):
	history = [Turn(ago(10 - i), outcome, f"B{i}") for i, outcome in enumerate(outcomes)]
	decision = decide(body, history, "NEXT", NOW)
	if decision.action is Action.CANCEL:
		assert body == "YES"
		questions = [t for t in history if t.outcome in (ASKED, CANCELLED, REFUSED, Action.EXPIRED.value)]
		assert questions[-1].outcome == ASKED and decision.booking == questions[-1].booking
	else:
		assert decision.booking in (None, "NEXT") or decision.action is Action.EXPIRED


# Twilio's published example (its "Webhooks security" page) and two more computed with
# twilio-python 8.5's RequestValidator: repeated names, non-ASCII token and body, a port
DOCS_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOCS_PARAMS = {
	"CallSid": "CA1234567890ABCDE",
	"Caller": "+12349013030",
	"Digits": "1234",
	"From": "+12349013030",
	"To": "+18005551212",
}
SMS_URL = "https://sched.example.com/api/method/scheduler_integration.api.sms.twilio_reply"
SMS_PARAMS = [
	("Body", "Cancel ✓"),
	("From", "+4915112345678"),
	("MediaUrl0", "b"),
	("MediaUrl0", "a"),
	("To", "+4930123"),
	("MessageSid", "SM" + "0" * 32),
]


def test_twilio_signature_vectors():
	assert twilio_signature(DOCS_URL, DOCS_PARAMS, "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
	assert twilio_signature(SMS_URL, SMS_PARAMS, "tok-ÄÖ-42") == "CA2FnCPtbL8Jj9txLAID8S659Gw="
	assert (
		twilio_signature(SMS_URL, list(reversed(SMS_PARAMS)), "tok-ÄÖ-42") == "CA2FnCPtbL8Jj9txLAID8S659Gw="
	)
	grouped = {"Body": "Cancel ✓", "MediaUrl0": ["a", "b"], "From": "+4915112345678", "To": "+4930123"}
	grouped["MessageSid"] = "SM" + "0" * 32
	assert twilio_signature(SMS_URL, grouped, "tok-ÄÖ-42") == "CA2FnCPtbL8Jj9txLAID8S659Gw="
	assert (
		twilio_signature("http://sched.example.com:8000/x?a=1", {}, "tok-ÄÖ-42")
		== "15uzq9DzaT33OhOm+SqMO2hzQGs="
	)


def test_verify_twilio():
	good = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
	assert verify_twilio(good, [DOCS_URL], DOCS_PARAMS, "12345")
	assert verify_twilio(good + "\n", ["https://other.example/x", DOCS_URL], DOCS_PARAMS, "12345")
	# the same URL with its default port, and a signature over the URL with the port
	assert verify_twilio(good, ["https://mycompany.com:443/myapp.php?foo=1&bar=2"], DOCS_PARAMS, "12345")
	with_port = twilio_signature("https://mycompany.com:443/myapp.php?foo=1&bar=2", DOCS_PARAMS, "12345")
	assert verify_twilio(with_port, [DOCS_URL], DOCS_PARAMS, "12345")
	# anything else changed: refused
	assert not verify_twilio(good, [DOCS_URL], DOCS_PARAMS, "12346")
	assert not verify_twilio(good, [DOCS_URL], {**DOCS_PARAMS, "Digits": "1235"}, "12345")
	assert not verify_twilio(good, [DOCS_URL], {**DOCS_PARAMS, "Extra": ""}, "12345")
	assert not verify_twilio(good, [DOCS_URL.replace("foo=1", "foo=2")], DOCS_PARAMS, "12345")
	assert not verify_twilio(good, ["http://mycompany.com/myapp.php?foo=1&bar=2"], DOCS_PARAMS, "12345")
	# as Twilio's own validator: any port may be left out, only the default one added
	assert verify_twilio(good, ["https://mycompany.com:8443/myapp.php?foo=1&bar=2"], DOCS_PARAMS, "12345")
	assert not verify_twilio(
		with_port, ["https://mycompany.com:8443/myapp.php?foo=1&bar=2"], DOCS_PARAMS, "12345"
	)
	assert not verify_twilio(good, ["https://mycompany.com:bad/x"], DOCS_PARAMS, "12345")
	for signature, token in ((good, ""), (good, None), ("", "12345"), (None, "12345"), (b"x", "12345")):
		assert not verify_twilio(signature, [DOCS_URL], DOCS_PARAMS, token)
	assert not verify_twilio(good, [], DOCS_PARAMS, "12345")
	assert not verify_twilio(good, [None, ""], DOCS_PARAMS, "12345")
