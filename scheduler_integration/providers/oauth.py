"""OAuth access tokens for the REST adapters (Microsoft Graph, Zoom), injected.

An adapter asks a ``TokenSource`` for a bearer token before each request and calls its
``refresh()`` once when the provider answers 401; a refused refresh is a
``ProviderAuthError`` (the host has to reconnect). Two implementations live here:

* ``StaticToken``: a bare access token; refreshing it is impossible, so a 401 ends in
  ``ProviderAuthError``.
* ``OAuthTokenSource``: talks to a token endpoint itself (RFC 6749 section 6 refresh
  grant, client credentials, Zoom's ``account_credentials`` grant). It refreshes ahead of
  ``expires_in`` and after a 401, and hands rotated refresh tokens to ``on_refresh`` so
  the caller can store them (Microsoft and Zoom both rotate them).

The Frappe side may bring its own source (Connected App / Token Cache) with the same two
methods. Secrets never appear in messages, errors or ``repr``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

import requests

from .errors import ProviderAuthError, ProviderError, ProviderUnavailable

__all__ = ["OAuthTokenSource", "StaticToken", "TokenSource", "parse_retry_after"]

DEFAULT_TIMEOUT = (5.0, 20.0)  # (connect, read) seconds
_REFUSED = {"invalid_grant", "invalid_client", "unauthorized_client", "invalid_request", "invalid_scope"}


@runtime_checkable
class TokenSource(Protocol):
	def token(self) -> str:
		"""A bearer token to send now (refreshing first when it is known to be expired)."""
		...

	def refresh(self) -> str:
		"""A new token after the provider rejected the current one; ProviderAuthError if refused."""
		...


class StaticToken:
	"""One access token, never refreshed."""

	def __init__(self, access_token: str):
		if not access_token:
			raise ProviderAuthError("No access token: connect the account first")
		self._token = access_token

	def token(self) -> str:
		return self._token

	def refresh(self) -> str:
		raise ProviderAuthError("The provider rejected the access token and it cannot be refreshed")

	def __repr__(self) -> str:
		return "StaticToken(<hidden>)"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
	"""Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date (RFC 9110),
	also the ISO 8601 time some APIs send. None when absent or unreadable; capped at a day."""
	if not value:
		return None
	text = str(value).strip()
	now = time.time() if now is None else now
	seconds: float | None = None
	if text.isdigit():
		seconds = float(text)
	else:
		from email.utils import parsedate_to_datetime

		try:
			seconds = parsedate_to_datetime(text).timestamp() - now
		except (TypeError, ValueError, IndexError):
			try:
				from dateutil.parser import isoparse

				parsed = isoparse(text)
				if parsed.tzinfo is None:
					return None
				seconds = parsed.timestamp() - now
			except (ValueError, OverflowError):
				return None
	return min(max(seconds, 0.0), 86400.0)


class OAuthTokenSource:
	"""Access tokens from an OAuth 2.0 token endpoint.

	``grant`` is ``refresh_token`` (needs ``refresh_token``), ``client_credentials`` or
	``account_credentials`` (Zoom Server-to-Server OAuth; ``params`` carries
	``account_id``). ``client_auth`` ``basic`` sends ``client_id:client_secret`` as HTTP
	Basic (Zoom), ``body`` puts them in the form (Microsoft identity platform).
	``params_in_query`` sends the grant parameters in the URL query, as Zoom documents
	for ``account_credentials``. ``on_refresh(tokens)`` receives ``access_token``,
	``refresh_token`` (the rotated one, or the old one) and ``expires_at`` (epoch seconds).
	"""

	def __init__(
		self,
		token_url: str,
		*,
		client_id: str,
		client_secret: str,
		grant: str = "refresh_token",
		refresh_token: str | None = None,
		access_token: str | None = None,
		expires_at: float | None = None,
		params: Mapping[str, str] | None = None,
		client_auth: str = "basic",
		params_in_query: bool = False,
		session: requests.Session | None = None,
		timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
		leeway: float = 60.0,
		clock: Callable[[], float] = time.time,
		on_refresh: Callable[[dict], None] | None = None,
		label: str = "The provider",
	):
		if grant not in ("refresh_token", "client_credentials", "account_credentials"):
			raise ProviderError("Unsupported OAuth grant {0!r}", grant)
		if grant == "refresh_token" and not refresh_token:
			raise ProviderAuthError("No refresh token: connect the account first")
		if client_auth not in ("basic", "body"):
			raise ProviderError("client_auth must be basic or body, got {0!r}", client_auth)
		self.token_url = token_url
		self.client_id = client_id
		self._client_secret = client_secret
		self.grant = grant
		self._refresh_token = refresh_token
		self._access_token = access_token
		self.expires_at = expires_at
		self.params = dict(params or {})
		self.client_auth = client_auth
		self.params_in_query = params_in_query
		self.session = session or requests.Session()
		self.timeout = timeout
		self.leeway = leeway
		self.clock = clock
		self.on_refresh = on_refresh
		self.label = label
		self._lock = threading.Lock()

	def __repr__(self) -> str:
		return f"OAuthTokenSource({self.token_url!r}, grant={self.grant!r}, client_id={self.client_id!r})"

	def token(self) -> str:
		with self._lock:
			if self._access_token and (
				self.expires_at is None or self.clock() < self.expires_at - self.leeway
			):
				return self._access_token
			seen = self._access_token
		return self._renew(seen)

	def refresh(self) -> str:
		with self._lock:
			seen = self._access_token
		return self._renew(seen)

	def _renew(self, seen: str | None) -> str:
		with self._lock:
			if self._access_token and self._access_token != seen:
				return self._access_token  # another thread refreshed meanwhile
			tokens = self._request()
			self._access_token = tokens["access_token"]
			self.expires_at = tokens["expires_at"]
			if tokens.get("refresh_token"):
				self._refresh_token = tokens["refresh_token"]
		if self.on_refresh is not None:
			self.on_refresh(dict(tokens))
		return tokens["access_token"]

	def _request(self) -> dict:
		fields = {"grant_type": self.grant, **self.params}
		if self.grant == "refresh_token":
			fields["refresh_token"] = self._refresh_token or ""
		auth = None
		if self.client_auth == "basic":
			auth = (self.client_id, self._client_secret)
		else:
			fields.update(client_id=self.client_id, client_secret=self._client_secret)
		query, form = (fields, None) if self.params_in_query else (None, fields)
		try:
			response = self.session.post(
				self.token_url,
				params=query,
				data=form,
				auth=auth,
				headers={"Accept": "application/json"},
				timeout=self.timeout,
				allow_redirects=False,
			)
		except requests.Timeout:
			raise ProviderUnavailable("{0} token endpoint timed out", self.label) from None
		except requests.RequestException as exc:
			raise ProviderUnavailable(
				"Cannot reach the {0} token endpoint: {1}", self.label, type(exc).__name__
			) from None
		try:
			payload = response.json()
		except ValueError:
			payload = {}
		if not isinstance(payload, dict):
			payload = {}
		status = response.status_code
		if status == 429 or status >= 500:
			raise ProviderUnavailable(
				"{0} token endpoint answered HTTP {1}",
				self.label,
				status,
				status=status,
				retry_after=parse_retry_after(response.headers.get("Retry-After"), self.clock()),
			)
		if status != 200 or not payload.get("access_token"):
			code = str(payload.get("error") or "")[:60]
			if status in (400, 401, 403) or code in _REFUSED:
				# the description may echo parts of the request: show the error code only
				raise ProviderAuthError(
					"{0} refused to issue a token ({1}): reconnect the account",
					self.label,
					code or f"HTTP {status}",
					status=status,
				)
			raise ProviderError("{0} token endpoint answered HTTP {1}", self.label, status, status=status)
		try:
			lifetime = float(payload.get("expires_in") or 3600)
		except (TypeError, ValueError):
			lifetime = 3600.0
		return {
			"access_token": str(payload["access_token"]),
			"refresh_token": str(payload.get("refresh_token") or self._refresh_token or "") or None,
			"expires_at": self.clock() + lifetime,
			"scope": str(payload.get("scope") or ""),
		}
