"""Fetch URLs that hosts (or anyone able to edit a calendar connection) typed in, safely.

Every URL the server fetches on a host's behalf (ICS subscriptions, CalDAV servers) goes
through here, so a URL cannot make the server reach its own network (SSRF):

* only ``http`` and ``https``; no whitespace or control characters; at most 2048 characters;
* the host name is resolved once (``socket.getaddrinfo``, or an injected resolver) and
  *every* address it resolves to must be public: loopback, private (RFC 1918, ULA),
  link-local, multicast, reserved, unspecified, shared/CGNAT (100.64/10), Teredo, and the
  IPv4-mapped / 6to4 / NAT64 forms of those are refused, unless ``allow_private=True`` or
  the host name is listed in ``allow_hosts`` (an intranet CalDAV server an admin trusts);
* cloud metadata endpoints (169.254.169.254, fd00:ec2::254, ...) are refused *always*,
  ``allow_private`` included: no calendar lives there;
* the connection goes to the vetted address itself, with the original name in the
  ``Host`` header and as TLS SNI / certificate name, so DNS cannot change the answer
  between the check and the connect (rebinding);
* redirects are followed by hand (at most 5) and every target is checked again; the
  ``Authorization`` and ``Cookie`` headers are dropped when a redirect changes origin;
* the body is read up to ``max_bytes`` (5 MB by default) and the download aborted beyond;
  ``timeout`` bounds the *whole* fetch, redirects included, even against servers that
  trickle bytes (a watchdog closes the socket at the deadline);
* no proxies from the environment, no compression (``Accept-Encoding: identity``).

Failures raise ``UnsafeURL``, ``FetchTimeout``, ``FetchTooLarge``, ``TooManyRedirects``
or ``FetchFailed`` (see ``errors``). Their messages are stored and shown to users, so they
never hold a URL's path, query or credentials (where Google and iCloud put a feed's secret:
``scheme://host/…``, see ``redact``), nor the addresses a name resolves to (a refusal says
"this address is not allowed"; ``RefusedAddress.reason`` and ``.address`` keep the detail
for the code and its tests). Responses of any HTTP status are returned;
``Response.raise_for_status()`` / ``URLGuard.get()`` turn non-2xx into ``FetchFailed``.
Standard library only.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from .errors import FetchFailed, FetchTimeout, FetchTooLarge, TooManyRedirects, UnsafeURL

__all__ = [
	"DEFAULT_MAX_BYTES",
	"DEFAULT_TIMEOUT",
	"MAX_REDIRECTS",
	"Headers",
	"RefusedAddress",
	"Resolver",
	"Response",
	"Target",
	"URLGuard",
	"address_problem",
	"check_url",
	"default_resolver",
	"fetch",
	"origin",
	"redact",
	"redact_urls",
]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
MAX_REDIRECTS = 5
MAX_URL_LENGTH = 2048
USER_AGENT = "scheduler_integration (calendar fetch)"
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
_SENSITIVE = ("authorization", "cookie", "proxy-authorization")
_MANAGED = ("host", "content-length", "transfer-encoding", "connection", "accept-encoding")

# Instance-metadata services of cloud providers: refused even with allow_private.
METADATA_ADDRESSES = frozenset(
	ipaddress.ip_address(a)
	for a in (
		"169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, ...
		"169.254.170.2",  # AWS ECS task metadata
		"169.254.169.253",  # AWS DNS resolver
		"fd00:ec2::254",  # AWS IMDS over IPv6
		"fd00:ec2::253",
		"100.100.100.200",  # Alibaba Cloud
		"192.0.0.192",  # Oracle Cloud
	)
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")

Resolver = Callable[[str, int], Iterable[str]]
"""``resolver(host, port)`` -> the IP addresses (strings) ``host`` resolves to."""


def default_resolver(host: str, port: int) -> list[str]:
	"""All addresses of ``host`` from the system resolver, in its order, without repeats."""
	infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
	seen: list[str] = []
	for info in infos:
		address = str(info[4][0])
		if address not in seen:
			seen.append(address)
	return seen


def _parse_ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
	text = str(address).strip()
	if text.startswith("[") and text.endswith("]"):
		text = text[1:-1]
	text = text.split("%", 1)[0]  # IPv6 zone index ("fe80::1%eth0")
	return ipaddress.ip_address(text)


def address_problem(address: str, *, allow_private: bool = False) -> str | None:
	"""Why the server must not connect to ``address``, or None when it may.

	With ``allow_private`` only the cloud metadata addresses (and unparsable ones) are refused.
	"""
	try:
		ip = _parse_ip(address)
	except ValueError:
		return "not an IP address"
	if ip in METADATA_ADDRESSES:
		return "a cloud metadata address"
	if isinstance(ip, ipaddress.IPv6Address):
		embedded = None
		if ip.ipv4_mapped is not None:
			embedded = ip.ipv4_mapped
		elif ip.sixtofour is not None:
			embedded = ip.sixtofour
		elif ip in _NAT64:
			embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
		if embedded is not None:
			inner = address_problem(str(embedded), allow_private=allow_private)
			return f"an IPv6 form of {embedded}, {inner}" if inner else None
	if allow_private:
		return None
	if ip.is_unspecified:
		return "unspecified"
	if ip.is_loopback:
		return "loopback"
	if ip.is_link_local:
		return "link-local"
	if ip.is_multicast:
		return "multicast"
	if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
		return "shared address space (CGNAT)"
	if isinstance(ip, ipaddress.IPv6Address) and (ip.teredo is not None or ip in _NAT64_LOCAL):
		return "a tunnel or translation address"
	if ip.is_private:
		return "private"
	if ip.is_reserved:
		return "reserved"
	if not ip.is_global:
		return "not globally routable"
	return None


class RefusedAddress(UnsafeURL):
	"""A URL whose host is, or resolves to, an address the server must not reach. The
	message names only the (redacted) URL; ``address`` and ``reason`` ("loopback",
	"private", ...) are for the code and its tests, never for users: they map the server's
	own network."""

	def __init__(self, where: str, address: str, reason: str):
		super().__init__("Refusing to fetch {0}: this address is not allowed", where)
		self.address = address
		self.reason = reason


@dataclass(frozen=True)
class Target:
	"""A checked URL: where to connect and what to send."""

	url: str
	scheme: str
	host: str  # ASCII (IDNA) host name or IP literal, without brackets
	port: int
	request_target: str  # path + query, as sent on the request line
	addresses: tuple[str, ...]  # vetted addresses, in resolver order
	authorization: str | None = None  # Basic credentials taken from the URL's userinfo

	@property
	def origin(self) -> tuple[str, str, int]:
		return (self.scheme, self.host, self.port)


def _split(url: str) -> tuple[str, str, int, str, str | None]:
	if not isinstance(url, str):
		raise UnsafeURL("URL must be text, got {0}", type(url).__name__)
	text = url.strip()
	if not text:
		raise UnsafeURL("URL is empty")
	if len(text) > MAX_URL_LENGTH:
		raise UnsafeURL("URL is longer than {0} characters", MAX_URL_LENGTH)
	if any(ord(ch) < 33 or ord(ch) == 127 for ch in text):
		raise UnsafeURL("URL contains spaces or control characters")
	try:
		parts = urlsplit(text)
		port = parts.port
	except ValueError as exc:
		raise UnsafeURL("URL cannot be read: {0}", exc) from None
	scheme = parts.scheme.lower()
	if scheme not in ("http", "https"):
		if not scheme:  # the text itself may be a secret link without its scheme
			raise UnsafeURL("Only http and https URLs can be fetched")
		raise UnsafeURL("Only http and https URLs can be fetched, not {0!r}", scheme)
	host = (parts.hostname or "").rstrip(".")
	if not host:
		raise UnsafeURL("URL has no host: {0}", redact(text))
	if "\\" in parts.netloc:
		raise UnsafeURL("URL host contains a backslash: {0}", redact(text))
	try:
		_parse_ip(host)
	except ValueError:
		try:
			host = host.encode("idna").decode("ascii").lower()
		except UnicodeError:
			raise UnsafeURL("URL host is not a valid domain name: {0!r}", host) from None
	if port is None:
		port = 443 if scheme == "https" else 80
	if not 0 < port < 65536:
		raise UnsafeURL("URL port {0} is out of range", port)
	request_target = parts.path or "/"
	if parts.query:
		request_target += "?" + parts.query
	authorization = None
	if parts.username is not None:
		raw = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
		authorization = "Basic " + base64.b64encode(raw).decode("ascii")
	return scheme, host, port, request_target, authorization


def origin(url: str) -> tuple[str, str, int]:
	"""(scheme, host, port) of ``url`` without resolving it; UnsafeURL if unreadable."""
	scheme, host, port, _target, _auth = _split(url)
	return (scheme, host, port)


def check_url(
	url: str,
	*,
	allow_private: bool = False,
	allow_hosts: Iterable[str] = (),
	resolver: Resolver | None = None,
) -> Target:
	"""Parse ``url``, resolve its host and vet every address; raise UnsafeURL if refused."""
	scheme, host, port, request_target, authorization = _split(url)
	allowed = {h.strip().lower().rstrip(".") for h in allow_hosts}
	trusted = allow_private or host in allowed
	try:
		_parse_ip(host)
		literal = True
	except ValueError:
		literal = False
	try:
		addresses = [host] if literal else [str(a) for a in (resolver or default_resolver)(host, port)]
	except (OSError, UnicodeError) as exc:
		raise UnsafeURL("Cannot resolve host {0}: {1}", host, exc) from None
	if not addresses:
		raise UnsafeURL("Host {0} resolves to no address", host)
	for address in addresses:
		problem = address_problem(address, allow_private=trusted)
		if problem:
			# what a name resolves to is the server's network: never in the message
			raise RefusedAddress(redact(url), address, problem)
	clean = [_parse_ip(a) for a in addresses]
	return Target(
		url=url.strip(),
		scheme=scheme,
		host=host,
		port=port,
		request_target=request_target,
		addresses=tuple(str(ip) for ip in clean),
		authorization=authorization,
	)


class Headers(Mapping[str, str]):
	"""Case-insensitive, read-only response headers; repeated fields are joined with ', '."""

	def __init__(self, items: Iterable[tuple[str, str]] = ()):
		self._data: dict[str, tuple[str, str]] = {}
		for name, value in items:
			key = name.lower()
			if key in self._data:
				value = self._data[key][1] + ", " + value
				name = self._data[key][0]
			self._data[key] = (name, value)

	def __getitem__(self, name: str) -> str:
		return self._data[name.lower()][1]

	def __contains__(self, name: object) -> bool:
		return isinstance(name, str) and name.lower() in self._data

	def __iter__(self) -> Iterator[str]:
		return (name for name, _ in self._data.values())

	def __len__(self) -> int:
		return len(self._data)

	def __repr__(self) -> str:
		return f"Headers({dict(self.items())!r})"


@dataclass(frozen=True)
class Response:
	url: str  # final URL, after redirects
	status: int
	reason: str
	headers: Headers
	body: bytes
	redirects: tuple[str, ...] = field(default=())  # URLs that redirected, in order

	@property
	def ok(self) -> bool:
		return 200 <= self.status < 300

	def raise_for_status(self) -> Response:
		if not self.ok:
			raise FetchFailed(
				"{0} answered HTTP {1} {2}", redact(self.url), self.status, self.reason, status=self.status
			)
		return self

	def text(self, default_charset: str = "utf-8") -> str:
		charset = default_charset
		for part in self.headers.get("Content-Type", "").split(";")[1:]:
			key, _, value = part.strip().partition("=")
			if key.lower() == "charset" and value:
				charset = value.strip('"')
		try:
			return self.body.decode(charset, errors="replace")
		except LookupError:
			return self.body.decode(default_charset, errors="replace")


def redact(url: str) -> str:
	"""``url`` for messages: scheme, host and port only; a path or query shows as ``/…``.

	Secret feed links keep their secret in the path (Google's ``/private-<key>/basic.ics``,
	iCloud's ``/published/2/<token>``) or the query; userinfo holds passwords."""
	try:
		parts = urlsplit(str(url).strip())
		host = parts.hostname or ""
		if ":" in host:
			host = f"[{host}]"
		port = f":{parts.port}" if parts.port else ""
	except ValueError:
		return "<url>"
	rest = "/…" if parts.path not in ("", "/") or parts.query or parts.fragment else "/"
	return f"{parts.scheme}://{host}{port}{rest}"


# a URL in prose: up to a space or quote, without the punctuation that ends a sentence
_URL_IN_TEXT = re.compile(r"(?i)\b(?:https?|webcals?)://[^\s\"'<>]*[^\s\"'<>.,;:!?)\]]")


def redact_urls(text: str, secrets: Iterable[str] = ()) -> str:
	"""``text`` with every URL in it redacted (``redact``), and the path and query of each
	URL in ``secrets`` removed wherever they appear on their own (a message quoting a
	request line or a relative link)."""
	text = _URL_IN_TEXT.sub(lambda m: redact(m.group(0)), str(text or ""))
	for secret in secrets:
		try:
			parts = urlsplit(str(secret or "").strip())
		except ValueError:
			continue
		tail = parts.path + (f"?{parts.query}" if parts.query else "")
		for piece in sorted({tail, parts.path, parts.query}, key=len, reverse=True):
			if len(piece) > 1:
				text = text.replace(piece, "…")
	return text


class _PinnedHTTPConnection(http.client.HTTPConnection):
	"""Connects to a vetted address; ``host`` stays the name for the Host header."""

	def __init__(self, host: str, port: int, address: str, timeout: float):
		super().__init__(host, port, timeout=timeout)
		self._address = address

	def connect(self):
		self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
	"""As above, with TLS: SNI and certificate checks use the name, not the address."""

	def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext):
		super().__init__(host, port, timeout=timeout, context=context)
		self._address = address

	def connect(self):
		sock = socket.create_connection((self._address, self.port), self.timeout)
		try:
			self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
		except BaseException:
			sock.close()
			raise


class _Watchdog:
	"""Closes a connection's socket when the deadline passes, so no read outlives it."""

	def __init__(self, connection: http.client.HTTPConnection, seconds: float):
		self.fired = False
		self._connection = connection
		self._timer = threading.Timer(max(seconds, 0.0), self._fire)
		self._timer.daemon = True

	def _fire(self):
		self.fired = True
		sock = self._connection.sock
		if sock is not None:
			try:
				sock.shutdown(socket.SHUT_RDWR)
			except OSError:
				pass

	def __enter__(self):
		self._timer.start()
		return self

	def __exit__(self, *exc):
		self._timer.cancel()


@dataclass(frozen=True)
class URLGuard:
	"""A fetch policy. ``URLGuard()`` is the strict default for user-supplied URLs.

	``allow_private`` admits private/loopback addresses (tests, on-premise servers);
	``allow_hosts`` admits only the named hosts to resolve privately. ``resolver`` and
	``ssl_context`` may be injected (tests); ``user_agent`` is sent unless overridden.
	"""

	allow_private: bool = False
	allow_hosts: tuple[str, ...] = ()
	resolver: Resolver | None = None
	timeout: float = DEFAULT_TIMEOUT
	max_bytes: int = DEFAULT_MAX_BYTES
	max_redirects: int = MAX_REDIRECTS
	ssl_context: ssl.SSLContext | None = None
	user_agent: str = USER_AGENT

	def check(self, url: str) -> Target:
		return check_url(
			url, allow_private=self.allow_private, allow_hosts=self.allow_hosts, resolver=self.resolver
		)

	def fetch(
		self,
		url: str,
		*,
		method: str = "GET",
		headers: Mapping[str, str] | None = None,
		body: bytes | str | None = None,
		follow_redirects: bool = True,
		timeout: float | None = None,
		max_bytes: int | None = None,
	) -> Response:
		"""One request (plus redirects) within ``timeout`` seconds in total."""
		timeout = self.timeout if timeout is None else timeout
		max_bytes = self.max_bytes if max_bytes is None else max_bytes
		deadline = time.monotonic() + timeout
		if isinstance(body, str):
			body = body.encode("utf-8")
		method = method.upper()
		sent = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
		for name, value in (headers or {}).items():
			if any(ch in f"{name}{value}" for ch in "\r\n\0"):
				raise UnsafeURL("Header {0!r} contains a line break", name)
			if name.lower() in _MANAGED:
				continue  # set by the guard itself
			sent = {k: v for k, v in sent.items() if k.lower() != name.lower()}
			sent[name] = value
		target = self.check(url)
		if target.authorization and not any(k.lower() == "authorization" for k in sent):
			sent["Authorization"] = target.authorization
		redirects: list[str] = []
		while True:
			response = self._once(target, method, sent, body, deadline, timeout, max_bytes)
			location = response.headers.get("Location")
			if not follow_redirects or response.status not in _REDIRECTS or not location:
				return Response(
					response.url,
					response.status,
					response.reason,
					response.headers,
					response.body,
					tuple(redirects),
				)
			if len(redirects) >= self.max_redirects:
				raise TooManyRedirects(
					"More than {0} redirects fetching {1}", self.max_redirects, redact(redirects[0])
				)
			redirects.append(target.url)
			next_url = urljoin(target.url, location.strip())
			if next_url in redirects:
				raise TooManyRedirects("Redirect loop fetching {0}", redact(redirects[0]))
			new_target = self.check(next_url)
			if new_target.origin != target.origin:
				sent = {k: v for k, v in sent.items() if k.lower() not in _SENSITIVE}
			if new_target.authorization:
				sent["Authorization"] = new_target.authorization
			if response.status == 303 or (response.status in (301, 302) and method == "POST"):
				if method != "HEAD":
					method = "GET"
				body = None
				sent = {k: v for k, v in sent.items() if k.lower() not in ("content-type", "content-length")}
			target = new_target

	def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> bytes:
		"""GET ``url`` and return the body; non-2xx raises FetchFailed."""
		return self.fetch(url, headers=headers).raise_for_status().body

	def __call__(self, url: str) -> bytes:
		return self.get(url)

	def _once(self, target, method, headers, body, deadline, timeout, max_bytes) -> Response:
		where = redact(target.url)
		last_error: Exception | None = None
		for address in target.addresses:
			remaining = deadline - time.monotonic()
			if remaining <= 0:
				break
			if target.scheme == "https":
				context = self.ssl_context or ssl.create_default_context()
				conn = _PinnedHTTPSConnection(target.host, target.port, address, remaining, context)
			else:
				conn = _PinnedHTTPConnection(target.host, target.port, address, remaining)
			watchdog = _Watchdog(conn, remaining)
			try:
				with watchdog:
					try:
						conn.connect()
					except (OSError, ssl.SSLError) as exc:
						if isinstance(exc, ssl.SSLCertVerificationError):
							raise FetchFailed("TLS certificate of {0} rejected: {1}", where, exc) from None
						last_error = exc
						continue  # try the next vetted address
					return self._exchange(conn, target, method, headers, body, deadline, max_bytes, watchdog)
			except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
				if watchdog.fired or time.monotonic() >= deadline or isinstance(exc, TimeoutError):
					raise FetchTimeout("Fetching {0} took longer than {1} seconds", where, timeout) from None
				raise FetchFailed("Fetching {0} failed: {1}", where, exc) from None
			finally:
				conn.close()
		if time.monotonic() >= deadline or isinstance(last_error, TimeoutError | socket.timeout):
			raise FetchTimeout("Fetching {0} took longer than {1} seconds", where, timeout)
		raise FetchFailed("Cannot connect to {0}: {1}", where, last_error or "no address")

	def _exchange(self, conn, target, method, headers, body, deadline, max_bytes, watchdog) -> Response:
		conn.putrequest(method, target.request_target, skip_accept_encoding=True)
		for name, value in headers.items():
			conn.putheader(name, value)
		if body is not None:
			conn.putheader("Content-Length", str(len(body)))
		elif method in ("POST", "PUT", "PATCH"):
			conn.putheader("Content-Length", "0")
		conn.putheader("Connection", "close")
		conn.endheaders(body)
		raw = conn.getresponse()
		response_headers = Headers(raw.getheaders())
		length = response_headers.get("Content-Length", "").strip()
		if length.isdigit() and int(length) > max_bytes:
			raise FetchTooLarge(
				"{0} is {1} bytes, more than the {2} allowed", redact(target.url), int(length), max_bytes
			)
		chunks: list[bytes] = []
		size = 0
		if method != "HEAD":
			while True:
				if watchdog.fired:
					raise TimeoutError
				chunk = raw.read(_CHUNK)
				if not chunk:
					break
				size += len(chunk)
				if size > max_bytes:
					raise FetchTooLarge(
						"{0} sent more than the {1} bytes allowed", redact(target.url), max_bytes
					)
				chunks.append(chunk)
		if watchdog.fired:
			raise TimeoutError
		return Response(target.url, raw.status, raw.reason or "", response_headers, b"".join(chunks))


def fetch(url: str, *, allow_private: bool = False, resolver: Resolver | None = None, **kwargs) -> Response:
	"""``URLGuard(...).fetch(url)`` in one call; policy keywords go to URLGuard, the rest to fetch."""
	policy_keys = ("allow_hosts", "max_redirects", "ssl_context", "user_agent")
	policy = {k: kwargs.pop(k) for k in policy_keys if k in kwargs}
	guard = URLGuard(allow_private=allow_private, resolver=resolver, **policy)
	return guard.fetch(url, **kwargs)
