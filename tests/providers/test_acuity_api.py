"""The Acuity appointment reader against a local peer speaking Acuity's API (Basic auth,
its error bodies), and the webhook the peer signs checked the way the site checks it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests
from acuity_peer import FakeAcuity, acuity_error
from calendar_peers import Reply

from scheduler_integration.providers.acuity import AcuityApi
from scheduler_integration.providers.errors import ProviderAuthError, ProviderError, ProviderUnavailable
from scheduler_integration.rules.external_schedulers import acuity_event, verify_acuity
from scheduler_integration.rules.tracking import SignatureRefused

BERLIN = timezone(timedelta(hours=2))


@pytest.fixture
def acuity():
	with FakeAcuity() as server:
		yield server


def client(server: FakeAcuity, **kwargs) -> AcuityApi:
	return AcuityApi(
		kwargs.pop("user_id", server.user_id),
		kwargs.pop("api_key", server.api_key),
		base_url=server.api,
		session=requests.Session(),
		timeout=(2, 5),
	)


def test_reads_an_appointment_with_basic_auth(acuity):
	row = acuity.book(datetime(2030, 7, 2, 10, 15, tzinfo=BERLIN), 45)
	got = client(acuity).appointment(str(row["id"]))
	assert got["id"] == row["id"]
	request = acuity.requests[-1]
	assert request.path == f"/api/v1/appointments/{row['id']}"
	assert request.headers["Authorization"].startswith("Basic ")
	event = acuity_event("scheduled", got)
	assert event.start == datetime(2030, 7, 2, 8, 15, tzinfo=timezone.utc)
	assert event.end - event.start == timedelta(minutes=45)


def test_unknown_appointment_is_none_and_bad_ids_are_not_sent(acuity):
	assert client(acuity).appointment("999") is None
	sent = len(acuity.requests)
	assert client(acuity).appointment("../me") is None
	assert len(acuity.requests) == sent


def test_errors(acuity):
	row = acuity.book(datetime(2030, 7, 2, 10, 15, tzinfo=BERLIN))
	with pytest.raises(ProviderAuthError):
		client(acuity, api_key="wrong").appointment(str(row["id"]))
	acuity.fail(acuity_error(503, "unavailable", "Down for maintenance"))
	with pytest.raises(ProviderUnavailable):
		client(acuity).appointment(str(row["id"]))
	acuity.fail(Reply(429, {"status_code": 429, "error": "too_many_requests"}, {"Retry-After": "7"}))
	with pytest.raises(ProviderUnavailable) as caught:
		client(acuity).appointment(str(row["id"]))
	assert caught.value.retry_after == 7
	acuity.fail(Reply(302, b"", {"Location": "https://elsewhere.example/"}))
	with pytest.raises(ProviderError):
		client(acuity).appointment(str(row["id"]))
	acuity.fail(Reply(200, b"<html>"))
	with pytest.raises(ProviderError):
		client(acuity).appointment(str(row["id"]))


def test_unreachable():
	with pytest.raises(ProviderUnavailable):
		AcuityApi("1", "k", base_url="http://127.0.0.1:9", timeout=(1, 1)).appointment("1")


def test_needs_credentials():
	with pytest.raises(ProviderAuthError):
		AcuityApi("", "k")


def test_the_peers_webhook_is_verified_with_the_api_key(acuity):
	row = acuity.book(datetime(2030, 7, 2, 10, 15, tzinfo=BERLIN))
	body, signature = acuity.webhook("scheduled", row["id"])
	assert body.startswith(b"action=scheduled&id=")
	verify_acuity(signature, body, acuity.api_key)
	with pytest.raises(SignatureRefused):
		verify_acuity(signature, body, "another-key")
