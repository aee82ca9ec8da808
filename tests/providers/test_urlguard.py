"""urlguard: every URL fetched for a host is vetted, pinned, size- and time-limited."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time

import pytest
from calendar_peers import PeerServer, Reply

from scheduler_integration.providers.errors import (
	FetchFailed,
	FetchTimeout,
	FetchTooLarge,
	TooManyRedirects,
	UnsafeURL,
)
from scheduler_integration.providers.urlguard import (
	RefusedAddress,
	URLGuard,
	address_problem,
	check_url,
	fetch,
	redact,
	redact_urls,
)


def resolver_for(mapping: dict[str, list[str]], calls: list | None = None):
	def resolve(host: str, port: int):
		if calls is not None:
			calls.append(host)
		if host not in mapping:
			raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
		return mapping[host]

	return resolve


# --- address classification ---------------------------------------------------------------


@pytest.mark.parametrize(
	"address, problem",
	[
		("127.0.0.1", "loopback"),
		("127.8.9.10", "loopback"),
		("::1", "loopback"),
		("10.1.2.3", "private"),
		("172.16.5.4", "private"),
		("192.168.1.20", "private"),
		("fc00::1", "private"),
		("fd12:3456::1", "private"),
		("169.254.1.1", "link-local"),
		("fe80::1", "link-local"),
		("fe80::1%eth0", "link-local"),
		("100.64.0.1", "CGNAT"),
		("100.127.255.254", "CGNAT"),
		("224.0.0.251", "multicast"),
		("ff02::1", "multicast"),
		("0.0.0.0", "unspecified"),
		("::", "unspecified"),
		("240.0.0.1", ""),  # reserved (ipaddress files it under private)
		("255.255.255.255", ""),
		("198.18.0.1", ""),  # benchmarking range: not globally routable
		("2001:db8::1", ""),  # documentation range
		("::ffff:127.0.0.1", "IPv6 form of 127.0.0.1"),
		("::ffff:10.0.0.1", "IPv6 form of 10.0.0.1"),
		("2002:7f00:1::1", "IPv6 form of 127.0.0.1"),  # 6to4
		("2002:c0a8:101::1", "IPv6 form of 192.168.1.1"),
		("64:ff9b::7f00:1", "IPv6 form of 127.0.0.1"),  # NAT64
		("2001:0:4136:e378:8000:63bf:3fff:fdd2", ""),  # Teredo
		("169.254.169.254", "metadata"),
		("fd00:ec2::254", "metadata"),
		("100.100.100.200", "metadata"),
		("::ffff:169.254.169.254", "metadata"),
		("not-an-ip", "not an IP"),
	],
)
def test_refused_addresses(address, problem):
	found = address_problem(address)
	assert found is not None
	assert problem in found


@pytest.mark.parametrize(
	"address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"]
)
def test_public_addresses_pass(address):
	assert address_problem(address) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "192.168.0.1", "::1", "fc00::1", "100.64.0.1"])
def test_allow_private_admits_private_addresses(address):
	assert address_problem(address, allow_private=True) is None


@pytest.mark.parametrize(
	"address", ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254", "2002:a9fe:a9fe::"]
)
def test_metadata_addresses_refused_even_with_allow_private(address):
	assert "metadata" in address_problem(address, allow_private=True)


# --- URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"url",
	[
		"http://127.0.0.1/calendar.ics",
		"http://[::1]:8080/x",
		"http://10.0.0.5/cal.ics",
		"https://192.168.0.10/cal.ics",
		"http://169.254.169.254/latest/meta-data/",
		"http://[fd00:ec2::254]/latest/meta-data/",
		"http://[::ffff:127.0.0.1]/",
		"http://2130706433/",  # 127.0.0.1 written as one number
		"http://0x7f.1/",
		"http://localhost:8000/",
	],
)
def test_check_url_refuses_private_hosts(url):
	with pytest.raises(UnsafeURL):
		check_url(url)


def test_name_resolving_to_loopback_is_refused(monkeypatch):
	def fake_getaddrinfo(host, port, *args, **kwargs):
		assert host == "calendar.example.com"
		return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

	monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
	with pytest.raises(RefusedAddress) as info:
		check_url("https://calendar.example.com/feed.ics")
	assert (info.value.address, info.value.reason) == ("127.0.0.1", "loopback")
	# users see neither the address nor the feed's path: both are secrets of a kind
	assert str(info.value) == "Refusing to fetch https://calendar.example.com/…: this address is not allowed"


def test_any_private_answer_refuses_the_name(monkeypatch):
	def fake_getaddrinfo(host, port, *args, **kwargs):
		return [
			(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
			(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0)),
		]

	monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
	with pytest.raises(RefusedAddress) as info:
		check_url("https://mixed.example.com/feed.ics")
	assert (info.value.address, info.value.reason) == ("::1", "loopback")
	assert "::1" not in str(info.value) and "93.184" not in str(info.value)


def test_unresolvable_name_is_refused():
	with pytest.raises(UnsafeURL, match="Cannot resolve"):
		check_url("https://nowhere.test/", resolver=resolver_for({}))


def test_public_name_passes_with_vetted_addresses():
	target = check_url(
		"https://Calendar.Example.com/a/b.ics?x=1#frag",
		resolver=resolver_for({"calendar.example.com": ["93.184.216.34", "2606:2800:220:1::1"]}),
	)
	assert target.host == "calendar.example.com"
	assert target.port == 443
	assert target.request_target == "/a/b.ics?x=1"
	assert target.addresses == ("93.184.216.34", "2606:2800:220:1::1")


def test_allow_hosts_admits_only_the_named_host():
	resolve = resolver_for({"nextcloud.intranet": ["10.0.0.7"], "other.intranet": ["10.0.0.8"]})
	guard = URLGuard(allow_hosts=("nextcloud.intranet",), resolver=resolve)
	assert guard.check("https://nextcloud.intranet/remote.php/dav/").addresses == ("10.0.0.7",)
	with pytest.raises(RefusedAddress) as info:
		guard.check("https://other.intranet/")
	assert info.value.reason == "private"
	assert "10.0.0.8" not in str(info.value)


@pytest.mark.parametrize(
	"url, message",
	[
		("ftp://example.com/cal.ics", "Only http and https"),
		("file:///etc/passwd", "Only http and https"),
		("gopher://example.com/", "Only http and https"),
		("webcal://example.com/cal.ics", "Only http and https"),
		("javascript:alert(1)", "Only http and https"),
		("//example.com/cal.ics", "Only http and https"),
		("http:///no-host", "no host"),
		("", "empty"),
		("http://exa mple.com/", "spaces or control"),
		("http://example.com/\r\nHost: evil", "spaces or control"),
		("http://example.com:99999/", "cannot be read"),
		("http://example.com/" + "a" * 3000, "longer than"),
	],
)
def test_bad_urls_are_refused(url, message):
	with pytest.raises(UnsafeURL, match=message):
		check_url(url, resolver=resolver_for({"example.com": ["93.184.216.34"]}))


def test_non_text_url_is_refused():
	with pytest.raises(UnsafeURL):
		check_url(None)  # type: ignore[arg-type]


# --- fetching from local peers --------------------------------------------------------------


def ok_app(request, handler):
	return Reply(
		200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", {"Content-Type": "text/calendar; charset=utf-8"}
	)


def test_default_guard_refuses_local_server_before_connecting():
	with PeerServer(ok_app) as server:
		with pytest.raises(RefusedAddress) as info:
			URLGuard().get(server.url + "/cal.ics")
		assert info.value.reason == "loopback"
		assert server.requests == []


def test_allow_private_fetches_local_server():
	with PeerServer(ok_app) as server:
		response = fetch(server.url + "/cal.ics?token=abc", allow_private=True)
	assert response.status == 200
	assert response.ok
	assert response.body.startswith(b"BEGIN:VCALENDAR")
	assert response.headers["content-type"].startswith("text/calendar")
	assert response.text().startswith("BEGIN:VCALENDAR")
	request = server.requests[0]
	assert request.method == "GET"
	assert request.path == "/cal.ics"
	assert request.query == {"token": ["abc"]}
	assert request.headers["Accept-Encoding"] == "identity"


def test_connects_to_vetted_address_with_original_host_header():
	calls: list[str] = []
	with PeerServer(ok_app) as server:
		guard = URLGuard(
			allow_hosts=("calendar.test",), resolver=resolver_for({"calendar.test": ["127.0.0.1"]}, calls)
		)
		body = guard.get(f"http://calendar.test:{server.port}/feed.ics")
	assert body.startswith(b"BEGIN:VCALENDAR")
	assert server.requests[0].headers["Host"] == f"calendar.test:{server.port}"
	assert calls == ["calendar.test"]  # resolved once: nothing to rebind between check and connect


def test_resolver_answer_is_not_asked_again_at_connect():
	"""A rebinding resolver (public first, private later) cannot redirect the connection."""
	answers = iter([["127.0.0.1"], ["10.9.9.9"], ["10.9.9.9"]])

	def rebinding(host, port):
		return next(answers)

	with PeerServer(ok_app) as server:
		guard = URLGuard(allow_hosts=("rebind.test",), resolver=rebinding)
		assert guard.get(f"http://rebind.test:{server.port}/").startswith(b"BEGIN")
	assert len(server.requests) == 1


def test_userinfo_becomes_basic_auth():
	with PeerServer(ok_app) as server:
		fetch(f"http://user:p%40ss@127.0.0.1:{server.port}/private.ics", allow_private=True)
	assert server.requests[0].headers["Authorization"] == "Basic dXNlcjpwQHNz"


def test_redirect_from_allowed_host_to_private_address_is_refused():
	hits = []

	def app(request, handler):
		hits.append(request.path)
		if request.path == "/feed.ics":
			return Reply(
				302, b"", {"Location": f"http://127.0.0.1:{handler.server.server_address[1]}/secret"}
			)
		return Reply(200, b"secret")

	with PeerServer(app) as server:
		guard = URLGuard(
			allow_hosts=("calendar.test",), resolver=resolver_for({"calendar.test": ["127.0.0.1"]})
		)
		with pytest.raises(RefusedAddress) as info:
			guard.get(f"http://calendar.test:{server.port}/feed.ics")
	assert info.value.reason == "loopback"
	assert "/secret" not in str(info.value)
	assert hits == ["/feed.ics"]  # the private target was never contacted


def test_redirect_to_metadata_is_refused_even_with_allow_private():
	def app(request, handler):
		return Reply(301, b"", {"Location": "http://169.254.169.254/latest/meta-data/iam/"})

	with PeerServer(app) as server:
		with pytest.raises(RefusedAddress) as info:
			URLGuard(allow_private=True).get(server.url + "/feed.ics")
	assert info.value.reason == "a cloud metadata address"
	assert "meta-data" not in str(info.value)


def test_redirect_to_other_scheme_is_refused():
	def app(request, handler):
		return Reply(302, b"", {"Location": "file:///etc/passwd"})

	with PeerServer(app) as server:
		with pytest.raises(UnsafeURL, match="Only http and https"):
			URLGuard(allow_private=True).get(server.url + "/feed.ics")


def test_redirects_are_followed_and_rechecked():
	calls: list[str] = []

	def app(request, handler):
		port = handler.server.server_address[1]
		if request.path == "/old":
			return Reply(301, b"", {"Location": "/newer"})
		if request.path == "/newer":
			return Reply(307, b"", {"Location": f"http://feeds.test:{port}/final.ics"})
		return Reply(200, b"done")

	with PeerServer(app) as server:
		guard = URLGuard(
			allow_hosts=("calendar.test", "feeds.test"),
			resolver=resolver_for({"calendar.test": ["127.0.0.1"], "feeds.test": ["127.0.0.1"]}, calls),
		)
		response = guard.fetch(f"http://calendar.test:{server.port}/old")
	assert response.body == b"done"
	assert response.url == f"http://feeds.test:{server.port}/final.ics"
	assert len(response.redirects) == 2
	assert calls == ["calendar.test", "calendar.test", "feeds.test"]
	assert [r.headers["Host"] for r in server.requests] == [
		f"calendar.test:{server.port}",
		f"calendar.test:{server.port}",
		f"feeds.test:{server.port}",
	]


def test_cross_origin_redirect_drops_credentials_and_303_switches_to_get():
	with PeerServer(lambda request, handler: Reply(200, b"ok")) as other:

		def app(request, handler):
			if request.path == "/same":
				return Reply(303, b"", {"Location": "/there"})
			if request.path == "/there":
				return Reply(302, b"", {"Location": other.url + "/landing"})
			return Reply(404)

		with PeerServer(app) as server:
			response = URLGuard(allow_private=True).fetch(
				server.url + "/same",
				method="POST",
				body=b"payload",
				headers={"Authorization": "Bearer secret", "Cookie": "a=b", "Content-Type": "text/plain"},
			)
	assert response.body == b"ok"
	first, second = server.requests
	assert (first.method, first.body, first.headers["Authorization"]) == ("POST", b"payload", "Bearer secret")
	assert (second.method, second.body, second.headers["Authorization"]) == ("GET", b"", "Bearer secret")
	landing = other.requests[0]
	assert landing.method == "GET"
	assert "Authorization" not in landing.headers
	assert "Cookie" not in landing.headers


def test_too_many_redirects():
	def app(request, handler):
		step = int(request.path.strip("/") or 0)
		return Reply(302, b"", {"Location": f"/{step + 1}"})

	with PeerServer(app) as server:
		with pytest.raises(TooManyRedirects, match="More than 5 redirects"):
			URLGuard(allow_private=True).get(server.url + "/0")
	assert len(server.requests) == 6


def test_redirect_loop():
	with PeerServer(lambda request, handler: Reply(302, b"", {"Location": "/loop"})) as server:
		with pytest.raises(TooManyRedirects, match="loop"):
			URLGuard(allow_private=True).get(server.url + "/loop")


def test_redirect_not_followed_when_asked():
	with PeerServer(lambda request, handler: Reply(302, b"", {"Location": "/x"})) as server:
		response = URLGuard(allow_private=True).fetch(server.url + "/", follow_redirects=False)
	assert response.status == 302
	assert response.headers["location"] == "/x"


def test_declared_oversize_body_is_refused_before_reading():
	def app(request, handler):
		handler.send_response(200)
		handler.send_header("Content-Length", str(50 * 1024 * 1024))
		handler.end_headers()
		handler.wfile.write(b"x" * 1000)
		return None

	with PeerServer(app) as server:
		with pytest.raises(FetchTooLarge, match="52428800 bytes"):
			URLGuard(allow_private=True).get(server.url + "/")


def test_undeclared_oversize_body_is_aborted():
	def app(request, handler):
		handler.send_response(200)
		handler.send_header("Connection", "close")
		handler.end_headers()
		chunk = b"x" * 65536
		for _ in range(100):  # 6.25 MB, more than the 5 MB default
			try:
				handler.wfile.write(chunk)
			except OSError:
				break
		return None

	with PeerServer(app) as server:
		with pytest.raises(FetchTooLarge, match="5242880 bytes"):
			URLGuard(allow_private=True).get(server.url + "/")


def test_small_limit_applies_to_chunked_bodies():
	def app(request, handler):
		handler.send_response(200)
		handler.send_header("Transfer-Encoding", "chunked")
		handler.end_headers()
		for _ in range(5):
			handler.wfile.write(b"3e8\r\n" + b"y" * 1000 + b"\r\n")
		handler.wfile.write(b"0\r\n\r\n")
		return None

	with PeerServer(app) as server:
		assert len(URLGuard(allow_private=True, max_bytes=5000).get(server.url + "/")) == 5000
		with pytest.raises(FetchTooLarge):
			URLGuard(allow_private=True, max_bytes=4999).get(server.url + "/")


def test_slow_server_times_out():
	def app(request, handler):
		handler.server  # noqa: B018
		server.stopping.wait(5)  # never answers within the test's timeout
		return None

	with PeerServer(app) as server:
		started = time.monotonic()
		with pytest.raises(FetchTimeout, match=r"longer than 0\.5 seconds"):
			URLGuard(allow_private=True, timeout=0.5).get(server.url + "/")
		assert time.monotonic() - started < 3


def test_trickling_server_hits_the_total_deadline():
	"""Each byte arrives well within a socket timeout; the total deadline still holds."""

	def app(request, handler):
		handler.send_response(200)
		handler.send_header("Content-Length", "100000")
		handler.end_headers()
		for _ in range(200):
			if server.stopping.wait(0.05):
				break
			try:
				handler.wfile.write(b"x")
				handler.wfile.flush()
			except OSError:
				break
		return None

	with PeerServer(app) as server:
		started = time.monotonic()
		with pytest.raises(FetchTimeout):
			URLGuard(allow_private=True, timeout=0.8).get(server.url + "/")
		assert time.monotonic() - started < 3


def test_connection_refused_is_retryable_failure():
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		port = sock.getsockname()[1]
	with pytest.raises(FetchFailed) as info:
		URLGuard(allow_private=True, timeout=2).get(f"http://127.0.0.1:{port}/")
	assert info.value.retryable


@pytest.mark.parametrize("status, retryable", [(404, False), (403, False), (503, True), (429, True)])
def test_error_statuses(status, retryable):
	with PeerServer(lambda request, handler: Reply(status, b"nope")) as server:
		response = URLGuard(allow_private=True).fetch(server.url + "/x?secret=1")
		assert response.status == status
		with pytest.raises(FetchFailed) as info:
			response.raise_for_status()
	assert info.value.status == status
	assert info.value.retryable is retryable
	assert "secret" not in str(info.value)
	assert "/x" not in str(info.value)  # the path is where Google and iCloud put the secret
	assert str(info.value).startswith(f"http://127.0.0.1:{server.port}/… answered HTTP {status}")


@pytest.mark.parametrize(
	"url, shown",
	[
		(
			"https://calendar.google.com/calendar/ical/a%40b/private-0123abcd/basic.ics",
			"https://calendar.google.com/…",
		),
		("webcal://p42-caldav.icloud.com/published/2/TOKEN", "webcal://p42-caldav.icloud.com/…"),
		("https://u:pw@example.com:8443/feed?key=s3cret#x", "https://example.com:8443/…"),
		("http://[::1]:8080/a", "http://[::1]:8080/…"),
		("https://example.com/", "https://example.com/"),
		("https://example.com", "https://example.com/"),
		("https://example.com/?t=1", "https://example.com/…"),
		("http://example.com:99999/x", "<url>"),
	],
)
def test_redact_keeps_only_scheme_host_and_port(url, shown):
	assert redact(url) == shown


def test_redact_urls_in_free_text():
	secret = "https://calendar.example.com/private-0123abcd/basic.ics?key=k3y"
	text = (
		f"Error fetching {secret}, see 'https://other.example/path/x'; "
		"GET /private-0123abcd/basic.ics?key=k3y returned 500 (key=k3y)"
	)
	clean = redact_urls(text, [secret])
	for part in ("private-0123abcd", "basic.ics", "k3y", "/path/x"):
		assert part not in clean
	assert "https://calendar.example.com/…" in clean and "https://other.example/…" in clean
	# the sentence around a URL stays as it was
	assert redact_urls("Refusing to fetch http://h.example/…: no. See (https://h.example/a/b).") == (
		"Refusing to fetch http://h.example/…: no. See (https://h.example/…)."
	)


def test_messages_without_a_scheme_or_host_do_not_echo_the_link():
	for url in ("//calendar.example.com/private-0123abcd/basic.ics", "http:///private-0123abcd"):
		with pytest.raises(UnsafeURL) as info:
			check_url(url, resolver=resolver_for({}))
		assert "private-0123abcd" not in str(info.value)


def test_guard_owns_framing_headers():
	with PeerServer(ok_app) as server:
		URLGuard(allow_private=True).fetch(
			server.url + "/",
			method="PUT",
			body=b"12345",
			headers={"Host": "evil.test", "Content-Length": "999", "Accept-Encoding": "gzip", "X-Keep": "1"},
		)
	request = server.requests[0]
	assert request.headers["Host"] == f"127.0.0.1:{server.port}"
	assert request.headers["Content-Length"] == "5"
	assert request.headers["Accept-Encoding"] == "identity"
	assert request.headers["X-Keep"] == "1"
	assert request.body == b"12345"


def test_header_injection_is_refused():
	with pytest.raises(UnsafeURL, match="line break"):
		URLGuard(allow_private=True).fetch("http://127.0.0.1:9/", headers={"X-Test": "a\r\nHost: evil"})


# --- TLS: SNI and certificate checks use the original name ---------------------------------


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory):
	if not shutil.which("openssl"):
		pytest.skip("openssl command not available")
	folder = tmp_path_factory.mktemp("tls")
	cert, key = folder / "cert.pem", folder / "key.pem"
	subprocess.run(
		[
			"openssl",
			"req",
			"-x509",
			"-newkey",
			"rsa:2048",
			"-nodes",
			"-keyout",
			str(key),
			"-out",
			str(cert),
			"-days",
			"2",
			"-subj",
			"/CN=calendar.test",
			"-addext",
			"subjectAltName=DNS:calendar.test",
		],
		check=True,
		capture_output=True,
		timeout=60,
	)
	return cert, key


def tls_server(cert, key):
	seen_sni = []
	server = PeerServer(ok_app)
	context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
	context.load_cert_chain(cert, key)
	context.sni_callback = lambda sock, name, ctx: seen_sni.append(name)
	server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
	return server, seen_sni


def test_https_uses_original_name_for_sni_and_certificate(tls_cert):
	cert, key = tls_cert
	server, seen_sni = tls_server(cert, key)
	client = ssl.create_default_context(cafile=str(cert))
	resolve = resolver_for({"calendar.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
	with server:
		guard = URLGuard(allow_hosts=("calendar.test", "other.test"), resolver=resolve, ssl_context=client)
		assert guard.get(f"https://calendar.test:{server.port}/feed.ics").startswith(b"BEGIN:VCALENDAR")
		assert seen_sni == ["calendar.test"]
		assert server.requests[0].headers["Host"] == f"calendar.test:{server.port}"
		# same address, other name: the certificate does not match it
		with pytest.raises(FetchFailed, match="certificate"):
			guard.get(f"https://other.test:{server.port}/feed.ics")
