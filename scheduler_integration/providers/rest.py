"""A small JSON-over-HTTPS client shared by the REST adapters (Microsoft Graph, Zoom).

What it guarantees to the adapters built on it:

* the bearer token comes from the injected ``TokenSource``; on HTTP 401 the source is
  refreshed once and the request sent once more; a second 401 or a refused refresh is
  ``ProviderAuthError``;
* 408, 429 and 5xx answers, timeouts and connection errors are ``ProviderUnavailable``
  (``retry_after`` from the ``Retry-After`` header); 404 is the adapter's not-found error,
  401/403 ``ProviderAuthError``, other 4xx ``ProviderError``; the adapter can refine the
  mapping (``classify``);
* connect and read timeouts are bounded, and so are the whole answer's time and size;
  redirects are not followed;
* the token is only ever sent to ``base_url``'s origin: an absolute URL the provider hands
  back (``@odata.nextLink``, a stored delta link) on another origin is refused;
* nothing is logged; error messages hold the status, the provider's error code and its
  message clipped, never a header or a token. No request is retried here (except the one
  after a refresh): the sync job owns retries and backoff.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from .errors import (
	AdapterError,
	EventNotFound,
	ProviderAuthError,
	ProviderError,
	ProviderUnavailable,
)
from .oauth import DEFAULT_TIMEOUT, TokenSource, parse_retry_after

__all__ = ["Answer", "JsonApi"]

MAX_BYTES = 10 * 1024 * 1024
MAX_SECONDS = 60.0


@dataclass
class Answer:
	status: int
	body: object = None  # parsed JSON, or None for an empty answer
	headers: Mapping[str, str] = field(default_factory=dict)


def _origin(url: str) -> tuple[str, str, int | None]:
	parts = urlsplit(url)
	port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
	return parts.scheme.lower(), (parts.hostname or "").lower(), port


class JsonApi:
	"""JSON requests to one API with one account's tokens."""

	label = "The provider"
	not_found: type[EventNotFound] = EventNotFound

	def __init__(
		self,
		base_url: str,
		tokens: TokenSource,
		*,
		session: requests.Session | None = None,
		timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
		max_seconds: float = MAX_SECONDS,
		max_bytes: int = MAX_BYTES,
		clock: Callable[[], float] = time.time,
	):
		if not isinstance(tokens, TokenSource):
			raise ProviderAuthError("{0} needs a token source", self.label)
		self.base_url = base_url.rstrip("/")
		self.tokens = tokens
		self.session = session or requests.Session()
		self.timeout = timeout
		self.max_seconds = max_seconds
		self.max_bytes = max_bytes
		self.clock = clock

	# --- requests -----------------------------------------------------------------------

	def url(self, path: str) -> str:
		"""``path`` under ``base_url``, or an absolute URL on the same origin."""
		if path.startswith(("http://", "https://")):
			if _origin(path) != _origin(self.base_url):
				raise ProviderError("{0} sent a link to another server; not following it", self.label)
			return path
		return self.base_url + "/" + path.lstrip("/")

	def request(
		self,
		method: str,
		path: str,
		*,
		what: str,
		params: Mapping | None = None,
		json_body=None,
		headers: Mapping[str, str] | None = None,
	) -> Answer:
		url = self.url(path)
		answer = self._send(method, url, params, json_body, headers, self.tokens.token(), what)
		if answer.status == 401:
			answer = self._send(method, url, params, json_body, headers, self.tokens.refresh(), what)
			if answer.status == 401:
				raise self.classify(answer, what) or ProviderAuthError(
					"{0} rejected the new access token ({1})", self.label, what, status=401
				)
		if 200 <= answer.status < 300:
			return answer
		error = self.classify(answer, what) or self._default_error(answer, what)
		error.provider_code = self.error_code(answer)[0]  # e.g. Graph's "syncStateNotFound"
		raise error

	def _send(self, method, url, params, json_body, headers, token, what) -> Answer:
		sent = {"Accept": "application/json", **(headers or {}), "Authorization": f"Bearer {token}"}
		data = None
		if json_body is not None:
			# ensure_ascii: any text, however hostile, travels as plain escaped JSON
			data = json.dumps(json_body, ensure_ascii=True).encode("ascii")
			sent["Content-Type"] = "application/json"
		started = time.monotonic()
		try:
			response = self.session.request(
				method,
				url,
				params=params,
				data=data,
				headers=sent,
				timeout=self.timeout,
				allow_redirects=False,
				stream=True,
			)
			try:
				raw = self._read(response, started, what)
			finally:
				response.close()
		except requests.Timeout:
			raise ProviderUnavailable("{0} did not answer in time ({1})", self.label, what) from None
		except requests.ConnectionError as exc:
			raise ProviderUnavailable(
				"Cannot reach {0} ({1}): {2}", self.label, what, type(exc).__name__
			) from None
		except requests.RequestException as exc:
			raise ProviderError(
				"Request to {0} failed ({1}): {2}", self.label, what, type(exc).__name__
			) from None
		body = None
		if raw.strip():
			try:
				body = json.loads(raw.decode("utf-8"))
			except (ValueError, UnicodeDecodeError):
				body = None
				if 200 <= response.status_code < 300:
					raise ProviderError("{0} sent an unreadable answer ({1})", self.label, what) from None
		return Answer(response.status_code, body, CaseInsensitiveDict(response.headers))

	def _read(self, response, started: float, what: str) -> bytes:
		chunks, size = [], 0
		for chunk in response.iter_content(65536):
			size += len(chunk)
			if size > self.max_bytes:
				raise ProviderError(
					"{0} sent an answer larger than {1} bytes ({2})", self.label, self.max_bytes, what
				)
			if time.monotonic() - started > self.max_seconds:
				raise ProviderUnavailable("{0} took too long to answer ({1})", self.label, what)
			chunks.append(chunk)
		return b"".join(chunks)

	# --- errors -------------------------------------------------------------------------

	def error_code(self, answer: Answer) -> tuple[str, str]:
		"""(code, message) of an error answer; adapters override for their error shape."""
		return "", ""

	def classify(self, answer: Answer, what: str) -> AdapterError | None:
		"""An adapter-specific error for ``answer``, or None for the default mapping."""
		return None

	def _default_error(self, answer: Answer, what: str) -> AdapterError:
		status = answer.status
		code, message = self.error_code(answer)
		detail = f"{code}: {message}" if code and message else code or message or f"HTTP {status}"
		detail = detail[:300]
		if status in (401, 403):
			return ProviderAuthError("{0} refused access ({1}): {2}", self.label, what, detail, status=status)
		if status == 404:
			return self.not_found("Not found at {0} ({1}): {2}", self.label, what, detail, status=status)
		if status in (408, 429) or status >= 500:
			return ProviderUnavailable(
				"{0} is unavailable ({1}): HTTP {2} {3}",
				self.label,
				what,
				status,
				detail,
				status=status,
				retry_after=parse_retry_after(answer.headers.get("Retry-After"), self.clock()),
			)
		return ProviderError(
			"{0} refused the request ({1}): HTTP {2} {3}", self.label, what, status, detail, status=status
		)
