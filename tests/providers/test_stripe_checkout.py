"""Stripe's hosted checkout through Stripe's own library against a local peer speaking
Stripe's wire format: the session's form-encoded parameters, idempotent retries, closing a
session, refunds, errors in Stripe's envelope, and signed webhook events. Runs with the
library the payments app pins (2.56) and with today's (``./run-tests`` installs both)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

stripe = pytest.importorskip("stripe")

from calendar_peers import Reply, free_port  # noqa: E402
from stripe_peer import FakeStripe, form_params, signature, stripe_error  # noqa: E402

from scheduler_integration.providers.errors import (  # noqa: E402
	EventNotFound,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
)
from scheduler_integration.providers.stripe_checkout import (  # noqa: E402
	SignatureRefused,
	StripeCheckout,
	verified_event,
)

UTC = timezone.utc
SECRET = "whsec_test_secret"


@pytest.fixture
def peer():
	with FakeStripe("sk_test_adapter") as server:
		yield server


def client(peer: FakeStripe, **kwargs) -> StripeCheckout:
	return StripeCheckout(kwargs.pop("key", peer.secret_key), api_base=peer.url, timeout=5, **kwargs)


def open_session(api: StripeCheckout, key: str = "checkout:PAY-1", **overrides) -> dict:
	values = {
		"amount": 1500,
		"currency": "EUR",
		"name": "Consultation (30 min)",
		"success_url": "https://site.example/book/receipt?session={CHECKOUT_SESSION_ID}",
		"cancel_url": "https://site.example/book/pay/abc",
		"reference": "BK-1",
		"expires_at": datetime.now(UTC) + timedelta(minutes=40),
		"idempotency_key": key,
		"customer_email": "ada@client.example",
		"metadata": {"scheduler_booking": "BK-1", "scheduler_payment": "PAY-1"},
	}
	values.update(overrides)
	return api.create_session(**values)


def test_a_session_goes_out_in_stripes_form_encoding_and_comes_back_as_plain_json(peer):
	session = open_session(client(peer))
	assert type(session) is dict and session["object"] == "checkout.session"
	assert session["url"].startswith("https://checkout.stripe.com/") and session["status"] == "open"
	request = peer.session_requests()[0]
	assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
	assert request.headers["Authorization"] == "Bearer sk_test_adapter"
	assert request.headers["Idempotency-Key"] == "checkout:PAY-1"
	raw = request.body.decode()
	assert "line_items[0][price_data][unit_amount]=1500" in raw  # brackets as Stripe reads them
	params = form_params(request.body)
	assert params["line_items"][0]["price_data"] == {
		"currency": "eur",
		"unit_amount": "1500",
		"product_data": {"name": "Consultation (30 min)"},
	}
	assert params["client_reference_id"] == "BK-1" and params["mode"] == "payment"
	assert params["metadata"] == {"scheduler_booking": "BK-1", "scheduler_payment": "PAY-1"}
	assert params["payment_intent_data"] == {"metadata": params["metadata"]}
	assert params["success_url"].endswith("session={CHECKOUT_SESSION_ID}")


def test_the_same_idempotency_key_opens_one_session(peer):
	api = client(peer)
	# one expiry for every call: a retry sends the same parameters, and a fresh `now()`
	# per call would differ across a second's boundary (Stripe then refuses the key)
	expires_at = datetime.now(UTC) + timedelta(minutes=40)
	first, again = open_session(api, expires_at=expires_at), open_session(api, expires_at=expires_at)
	assert first["id"] == again["id"] and len(peer.sessions) == 1
	with pytest.raises(ProviderError) as refused:  # the same key for another payment
		open_session(api, amount=999, expires_at=expires_at)
	assert refused.value.status == 400
	assert open_session(api, key="checkout:PAY-2")["id"] != first["id"]


def test_a_retry_after_a_lost_answer_gets_the_session_the_first_call_opened(peer):
	api = client(peer)
	expires_at = datetime.now(UTC) + timedelta(minutes=40)
	peer.lose()
	with pytest.raises(ProviderUnavailable):
		open_session(api, expires_at=expires_at)
	assert len(peer.sessions) == 1  # opened, though the answer never came
	again = open_session(api, expires_at=expires_at)
	assert again["id"] in peer.sessions and len(peer.sessions) == 1


def test_stripe_refuses_an_expiry_outside_its_window(peer):
	with pytest.raises(ProviderError) as refused:
		open_session(client(peer), expires_at=datetime.now(UTC) + timedelta(minutes=10))
	assert refused.value.status == 400 and "expires_at" in peer.requests[-1].body.decode()


def test_read_close_and_refund(peer):
	api = client(peer)
	session = open_session(api)
	assert api.session(session["id"])["payment_status"] == "unpaid"
	paid = peer.pay(session["id"])
	read = api.session(session["id"])
	assert (read["status"], read["payment_status"], read["payment_intent"]) == (
		"complete",
		"paid",
		paid["payment_intent"],
	)
	with pytest.raises(ProviderError):  # a complete session cannot be closed
		api.expire(session["id"])
	part = api.refund(payment_intent=paid["payment_intent"], amount=500, idempotency_key="refund:1")
	assert (part["object"], part["amount"], part["status"]) == ("refund", 500, "succeeded")
	again = api.refund(payment_intent=paid["payment_intent"], amount=500, idempotency_key="refund:1")
	assert again["id"] == part["id"] and len(peer.refunds) == 1  # a retry never refunds twice
	with pytest.raises(ProviderError) as too_much:
		api.refund(payment_intent=paid["payment_intent"], amount=1001, idempotency_key="refund:2")
	assert too_much.value.code == "amount_too_large"
	api.refund(payment_intent=paid["payment_intent"], amount=1000, idempotency_key="refund:3")
	assert sum(r["amount"] for r in peer.refunded(paid["payment_intent"])) == 1500


def test_an_open_session_is_closed_once(peer):
	api = client(peer)
	session = open_session(api)
	closed = api.expire(session["id"])
	assert closed["status"] == "expired" and peer.requests[-1].path.endswith("/expire")
	with pytest.raises(ProviderError):
		api.expire(session["id"])
	with pytest.raises(AssertionError):
		peer.pay(session["id"])  # nobody can pay on it any more


def test_errors_become_the_adapters_errors(peer):
	with pytest.raises(ProviderAuthError):
		open_session(client(peer, key="sk_test_wrong"))
	with pytest.raises(EventNotFound):
		client(peer).session("cs_test_unknown")
	peer.fail(stripe_error(500, "boom", kind="api_error"))
	with pytest.raises(ProviderUnavailable):
		open_session(client(peer))
	peer.fail(Reply(429, {"error": {"type": "rate_limit_error", "message": "slow"}}, {"Retry-After": "7"}))
	with pytest.raises(ProviderUnavailable):
		open_session(client(peer))
	down = StripeCheckout("sk_test_x", api_base=f"http://127.0.0.1:{free_port()}", timeout=2)
	with pytest.raises(ProviderUnavailable):
		down.session("cs_test_1")
	with pytest.raises(ProviderAuthError):
		StripeCheckout("", api_base=peer.url)


def test_the_librarys_address_is_put_back_after_each_call(peer):
	before = stripe.api_base, stripe.default_http_client, stripe.max_network_retries
	open_session(client(peer))
	with pytest.raises(ProviderAuthError):
		open_session(client(peer, key="sk_test_wrong"))
	assert (stripe.api_base, stripe.default_http_client, stripe.max_network_retries) == before


def test_webhook_events_are_checked_by_stripes_library(peer):
	api = client(peer)
	session = peer.pay(open_session(api)["id"])
	event = peer.event("checkout.session.completed", session)
	payload, header = FakeStripe.signed(event, SECRET)
	checked = verified_event(payload, header, SECRET)
	assert type(checked) is dict and checked["type"] == "checkout.session.completed"
	assert checked["data"]["object"]["payment_intent"] == session["payment_intent"]
	for bad_header in (signature(payload, "whsec_other"), header.replace("v1=", "v1=0")):
		with pytest.raises(SignatureRefused) as refused:
			verified_event(payload, bad_header, SECRET)
		assert refused.value.reason == "invalid"
	with pytest.raises(SignatureRefused) as refused:  # one byte of the body changed
		verified_event(payload.replace(b"paid", b"PAID", 1), header, SECRET)
	assert refused.value.reason == "invalid"
	old = signature(payload, SECRET, int(time.time()) - 3600)
	with pytest.raises(SignatureRefused) as refused:
		verified_event(payload, old, SECRET)
	assert refused.value.reason == "stale"
	for missing in ((payload, None, SECRET), (payload, header, ""), (b"", header, SECRET)):
		with pytest.raises(SignatureRefused) as refused:
			verified_event(*missing)
		assert refused.value.reason == "missing"
	not_json = b"not json"
	with pytest.raises(SignatureRefused):
		verified_event(not_json, signature(not_json, SECRET), SECRET)
