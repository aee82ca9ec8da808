"""Local CAPTCHA verifiers that speak Cloudflare Turnstile's and hCaptcha's siteverify
protocols as their documentation gives them (listens on 127.0.0.1 only).

- Turnstile: ``POST /turnstile/v0/siteverify`` with ``secret``, ``response`` and optional
  ``remoteip`` / ``idempotency_key`` (form-encoded or JSON); answers 200 with
  ``{"success": true, "challenge_ts", "hostname", "error-codes": [], "action", "cdata"}`` or
  ``{"success": false, "error-codes": [...]}``: ``missing-input-secret``,
  ``invalid-input-secret``, ``missing-input-response``, ``invalid-input-response``,
  ``timeout-or-duplicate`` (a token is good once).
- hCaptcha: ``POST /siteverify``, form-encoded only, with ``secret``, ``response`` and
  optional ``remoteip`` / ``sitekey``; answers 200 with ``{"success", "challenge_ts",
  "hostname", "credit", "error-codes"}``: ``missing-input-secret``,
  ``invalid-input-secret``, ``missing-input-response``, ``invalid-input-response``,
  ``already-seen-response``, ``sitekey-secret-mismatch``.

``issue()`` hands out a token as the widget would give the browser.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone
from urllib.parse import parse_qs

from calendar_peers import PeerServer, Recorded, Reply


class FakeCaptcha(PeerServer):
	"""``kind``: "turnstile" or "hcaptcha". ``secret`` / ``site_key``: the account's keys."""

	def __init__(self, kind: str, secret: str, site_key: str = ""):
		self.kind = kind
		self.secret = secret
		self.site_key = site_key
		self.tokens: dict[str, str] = {}  # token -> the remote IP it was solved from ("" any)
		self.spent: set[str] = set()
		self.down = False  # answer 500, as a provider outage would
		super().__init__(self.handle)

	@property
	def verify_url(self) -> str:
		path = "/turnstile/v0/siteverify" if self.kind == "turnstile" else "/siteverify"
		return self.url + path

	def issue(self, remote_ip: str = "") -> str:
		token = ("0." if self.kind == "turnstile" else "P1_") + secrets.token_urlsafe(48)
		self.tokens[token] = remote_ip
		return token

	def _form(self, request: Recorded) -> dict | None:
		kind = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
		if kind == "application/x-www-form-urlencoded":
			return {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
		if kind == "application/json" and self.kind == "turnstile":
			try:
				data = json.loads(request.body or b"{}")
			except ValueError:
				return None
			return data if isinstance(data, dict) else None
		return None

	def handle(self, request: Recorded, _handler) -> Reply:
		if request.method != "POST" or request.path != self.verify_url[len(self.url) :]:
			return Reply(404, {"error": "not found"})
		if self.down:
			return Reply(500, "internal error")
		form = self._form(request)
		if form is None:
			return Reply(400, {"success": False, "error-codes": ["bad-request"]})
		errors = []
		if not form.get("secret"):
			errors.append("missing-input-secret")
		elif form["secret"] != self.secret:
			errors.append("invalid-input-secret")
		token = form.get("response") or ""
		if not token:
			errors.append("missing-input-response")
		elif token in self.spent:
			errors.append("timeout-or-duplicate" if self.kind == "turnstile" else "already-seen-response")
		elif token not in self.tokens:
			errors.append("invalid-input-response")
		if self.kind == "hcaptcha" and form.get("sitekey") and form["sitekey"] != self.site_key:
			errors.append("sitekey-secret-mismatch")
		if errors:
			return Reply(200, {"success": False, "error-codes": errors})
		self.spent.add(token)
		self.tokens.pop(token, None)
		answer = {
			"success": True,
			"challenge_ts": datetime.now(timezone.utc)
			.isoformat(timespec="milliseconds")
			.replace("+00:00", "Z"),
			"hostname": "booking.example.com",
			"error-codes": [],
		}
		if self.kind == "turnstile":
			answer.update({"action": "", "cdata": ""})
		else:
			answer["credit"] = False
		return Reply(200, answer)
