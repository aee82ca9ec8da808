"""A local Stripe peer: the parts of Stripe's API a hosted checkout uses, speaking Stripe's
wire format, and the signed webhooks Stripe sends.

API (``Authorization: Bearer <secret key>``; bodies ``application/x-www-form-urlencoded``
with bracketed keys, ``line_items[0][price_data][unit_amount]=1500``; answers JSON objects
carrying their ``object`` type; failures Stripe's error envelope
``{"error": {"type", "code", "message", "param"}}`` with its statuses):

- ``POST /v1/checkout/sessions`` — a ``checkout.session`` (``mode=payment``, one line item
  with ``price_data``; ``expires_at`` 30 minutes to 24 hours ahead, else 400
  ``parameter_invalid_integer``-style refusal on ``expires_at``);
- ``GET /v1/checkout/sessions/<id>``, ``POST /v1/checkout/sessions/<id>/expire`` (only an
  ``open`` one, else 400);
- ``POST /v1/refunds`` (``payment_intent``, optional ``amount``; more than is left → 400
  ``amount_too_large``, nothing left → ``charge_already_refunded``);
- ``POST /v1/charges`` — the legacy Charges API the payments app's own card page uses
  (``amount`` in minor units, ``currency``, ``source`` a ``tok_`` token, ``description``,
  ``receipt_email``): a ``charge`` captured and paid at once, kept in ``charges``.

Every POST honours ``Idempotency-Key`` as Stripe does: the same key with the same
parameters answers the first answer again; with other parameters 400 ``idempotency_error``.

The customer's side: ``pay(session_id)`` completes a session (a ``pi_`` payment intent,
``payment_status: paid``); ``event(type, obj)`` builds an event and ``signed(event,
secret)`` its raw body and ``Stripe-Signature`` header (``t=<unix>,v1=<HMAC-SHA256 of
"<t>.<body>">``), which ``deliver`` posts to a webhook URL like Stripe does. Test
controls: ``fail(reply, times)``, ``lose(times)``. Listens on 127.0.0.1 only."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import re
import secrets
import threading
import time
from urllib.parse import parse_qsl

import requests
from calendar_peers import PeerServer, Recorded, Reply

_SESSION = re.compile(r"^/v1/checkout/sessions/(cs_[A-Za-z0-9_]+)(/expire)?$")


def stripe_error(status: int, message: str, *, kind="invalid_request_error", code=None, param=None) -> Reply:
	error = {"type": kind, "message": message}
	if code:
		error["code"] = code
	if param:
		error["param"] = param
	return Reply(status, {"error": error}, {"Request-Id": "req_" + secrets.token_hex(7)})


def form_params(body: bytes) -> dict:
	"""Stripe's bracketed form encoding back into nested dicts and lists."""
	out: dict = {}
	for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
		parts = re.findall(r"[^\[\]]+", key)
		node = out
		for index, part in enumerate(parts):
			last = index == len(parts) - 1
			if last:
				node[part] = value
			else:
				node = node.setdefault(part, {})
	return _lists(out)


def _lists(node):
	if isinstance(node, dict):
		if node and all(k.isdigit() for k in node):
			return [_lists(node[k]) for k in sorted(node, key=int)]
		return {k: _lists(v) for k, v in node.items()}
	return node


def signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
	stamp = int(time.time() if timestamp is None else timestamp)
	digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
	return f"t={stamp},v1={digest}"


class FakeStripe(PeerServer):
	"""State: ``sessions``, ``refunds``, ``charges`` by id. ``secret_key`` is the account's API key."""

	def __init__(self, secret_key: str = "sk_test_peer"):
		self.secret_key = secret_key
		self.sessions: dict[str, dict] = {}
		self.refunds: dict[str, dict] = {}
		self.charges: dict[str, dict] = {}
		self.intents: dict[str, str] = {}  # payment intent -> session
		self.idempotent: dict[str, tuple[str, Reply]] = {}
		self.failures: list[Reply] = []
		self.lost = 0
		self.numbers = itertools.count(1)
		self.lock = threading.Lock()
		super().__init__(self._app)

	def fail(self, reply: Reply, times: int = 1) -> None:
		self.failures.extend([reply] * times)

	def lose(self, times: int = 1) -> None:
		"""The next ``times`` requests are carried out (and kept under their idempotency
		key) but their answers never arrive: the connection closes, as on a timeout."""
		self.lost += times

	def _id(self, prefix: str) -> str:
		return f"{prefix}_test_{next(self.numbers):06d}{secrets.token_hex(8)}"

	# --- the API ----------------------------------------------------------------------------
	def _app(self, request: Recorded, _handler) -> Reply | None:
		if request.headers.get("Authorization") != f"Bearer {self.secret_key}":
			return stripe_error(401, "Invalid API Key provided: sk_test_****")
		with self.lock:
			if self.failures:
				return self.failures.pop(0)
			key = request.headers.get("Idempotency-Key")
			if request.method == "POST" and key:
				seen = self.idempotent.get(key)
				digest = hashlib.sha256(request.raw_path.encode() + b"\0" + request.body).hexdigest()
				if seen and seen[0] != digest:
					return stripe_error(
						400,
						"Keys for idempotent requests can only be used with the same parameters.",
						kind="idempotency_error",
					)
				if seen:
					return seen[1]
				reply = self._route(request)
				if reply.status < 500:  # the answer as it was then, whatever happens later
					self.idempotent[key] = (
						digest,
						Reply(reply.status, copy.deepcopy(reply.body), reply.headers),
					)
			else:
				reply = self._route(request)
			if self.lost:
				self.lost -= 1
				return None  # done, and the answer lost on its way
			return reply

	def _route(self, request: Recorded) -> Reply:
		params = form_params(request.body) if request.body else {}
		if request.method == "POST" and request.path == "/v1/checkout/sessions":
			return self._create_session(params)
		if request.method == "POST" and request.path == "/v1/refunds":
			return self._refund(params)
		if request.method == "POST" and request.path == "/v1/charges":
			return self._charge(params)
		found = _SESSION.match(request.path)
		if found:
			session = self.sessions.get(found.group(1))
			if session is None:
				return stripe_error(
					404, f"No such checkout.session: '{found.group(1)}'", code="resource_missing", param="id"
				)
			if request.method == "GET" and not found.group(2):
				return Reply(200, session)
			if request.method == "POST" and found.group(2):
				if session["status"] != "open":
					return stripe_error(
						400, 'Only Checkout Sessions with a status in ["open"] can be expired.'
					)
				session.update(status="expired", url=None)
				return Reply(200, session)
		return stripe_error(404, f"Unrecognized request URL ({request.method}: {request.path}).")

	def _create_session(self, params: dict) -> Reply:
		now = int(time.time())
		if params.get("mode") != "payment":
			return stripe_error(400, "Invalid mode", param="mode")
		try:
			item = params["line_items"][0]
			price = item["price_data"]
			amount, currency = int(price["unit_amount"]), price["currency"]
			name = price["product_data"]["name"]
		except (KeyError, IndexError, TypeError, ValueError):
			return stripe_error(400, "Missing required param: line_items.", param="line_items")
		if amount <= 0 or currency != currency.lower():
			return stripe_error(400, "Invalid amount or currency", param="line_items[0][price_data]")
		expires_at = int(params.get("expires_at") or now + 86400)
		if not now + 1800 - 5 <= expires_at <= now + 86400 + 5:
			return stripe_error(
				400,
				"The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
				param="expires_at",
			)
		for url in ("success_url", "cancel_url"):
			if not str(params.get(url) or "").startswith(("http://", "https://")):
				return stripe_error(400, f"Not a valid URL: {url}", param=url, code="url_invalid")
		session_id = self._id("cs")
		session = {
			"id": session_id,
			"object": "checkout.session",
			"url": f"https://checkout.stripe.com/c/pay/{session_id}",
			"status": "open",
			"payment_status": "unpaid",
			"mode": "payment",
			"amount_subtotal": amount * int(item.get("quantity") or 1),
			"amount_total": amount * int(item.get("quantity") or 1),
			"currency": currency,
			"client_reference_id": params.get("client_reference_id"),
			"customer_email": params.get("customer_email"),
			"metadata": params.get("metadata") or {},
			"expires_at": expires_at,
			"created": now,
			"payment_intent": None,
			"livemode": False,
			"locale": params.get("locale"),
			"success_url": params.get("success_url"),
			"cancel_url": params.get("cancel_url"),
			"line_items_name": name,  # kept for the tests (Stripe lists them elsewhere)
		}
		self.sessions[session_id] = session
		return Reply(200, session, {"Request-Id": "req_" + secrets.token_hex(7)})

	def _refund(self, params: dict) -> Reply:
		intent = params.get("payment_intent")
		session = self.sessions.get(self.intents.get(intent or ""))
		if session is None:
			return stripe_error(
				400, f"No such payment_intent: '{intent}'", code="resource_missing", param="payment_intent"
			)
		refunded = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent)
		left = session["amount_total"] - refunded
		amount = int(params.get("amount") or left)
		if left <= 0:
			return stripe_error(
				400, f"Charge for {intent} has already been refunded.", code="charge_already_refunded"
			)
		if amount <= 0 or amount > left:
			return stripe_error(
				400,
				f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
				code="amount_too_large",
				param="amount",
			)
		refund_id = self._id("re")
		refund = {
			"id": refund_id,
			"object": "refund",
			"amount": amount,
			"currency": session["currency"],
			"payment_intent": intent,
			"charge": "ch_" + intent[3:],
			"status": "succeeded",
			"metadata": params.get("metadata") or {},
			"created": int(time.time()),
			"reason": params.get("reason"),
		}
		self.refunds[refund_id] = refund
		return Reply(200, refund)

	def _charge(self, params: dict) -> Reply:
		"""A card charge of the legacy Charges API, captured at once (``capture`` defaults
		to true), as Stripe answers it for a test token."""
		for required in ("amount", "currency"):
			if not params.get(required):
				return stripe_error(400, f"Missing required param: {required}.", param=required)
		try:
			amount = int(params["amount"])
		except ValueError:
			return stripe_error(400, "Invalid integer: " + params["amount"], param="amount")
		if amount <= 0:
			return stripe_error(
				400, "Amount must be at least 1 unit.", code="amount_too_small", param="amount"
			)
		source = params.get("source") or ""
		if not source:
			return stripe_error(400, "Must provide source or customer.", code="parameter_missing")
		if not source.startswith("tok_"):
			return stripe_error(400, f"No such token: '{source}'", code="resource_missing", param="source")
		charge_id = self._id("ch")
		charge = {
			"id": charge_id,
			"object": "charge",
			"amount": amount,
			"amount_captured": amount,
			"amount_refunded": 0,
			"captured": True,
			"paid": True,
			"refunded": False,
			"status": "succeeded",
			"currency": params["currency"].lower(),
			"description": params.get("description"),
			"receipt_email": params.get("receipt_email"),
			"source": {"id": "card_" + source[4:], "object": "card", "brand": "Visa", "last4": "4242"},
			"balance_transaction": "txn_" + charge_id[3:],
			"failure_code": None,
			"failure_message": None,
			"metadata": params.get("metadata") or {},
			"livemode": False,
			"created": int(time.time()),
		}
		self.charges[charge_id] = charge
		return Reply(200, charge, {"Request-Id": "req_" + secrets.token_hex(7)})

	# --- the customer's side and the webhooks -------------------------------------------------
	def pay(self, session_id: str) -> dict:
		"""The customer pays on the hosted page: the session completes."""
		with self.lock:
			session = self.sessions[session_id]
			if session["status"] != "open":
				raise AssertionError(f"session {session_id} is {session['status']}: nobody can pay on it")
			intent = self._id("pi")
			self.intents[intent] = session_id
			session.update(status="complete", payment_status="paid", payment_intent=intent, url=None)
			return dict(session)

	def refunded(self, intent: str) -> list[dict]:
		return [r for r in self.refunds.values() if r["payment_intent"] == intent]

	def session_requests(self, method: str = "POST") -> list[Recorded]:
		return [r for r in self.requests if r.method == method and r.path == "/v1/checkout/sessions"]

	def event(self, kind: str, obj: dict, event_id: str | None = None) -> dict:
		return {
			"id": event_id or self._id("evt"),
			"object": "event",
			"api_version": "2020-08-27",
			"created": int(time.time()),
			"type": kind,
			"livemode": False,
			"pending_webhooks": 1,
			"request": {"id": None, "idempotency_key": None},
			"data": {"object": dict(obj)},
		}

	@staticmethod
	def signed(event: dict, secret: str, timestamp: int | None = None) -> tuple[bytes, str]:
		payload = json.dumps(event, indent=2).encode()  # Stripe's bodies are pretty-printed
		return payload, signature(payload, secret, timestamp)

	@staticmethod
	def deliver(url: str, payload: bytes, header: str | None, host: str | None = None) -> requests.Response:
		headers = {
			"Content-Type": "application/json; charset=utf-8",
			"User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
		}
		if header is not None:
			headers["Stripe-Signature"] = header
		if host:
			headers["Host"] = host
		return requests.post(url, data=payload, headers=headers, timeout=60)
