"""Local peers for the adapter tests: a recording HTTP server, a fake Google Calendar v3
server driven by google-api-python-client's bundled discovery document, and a Radicale
CalDAV server in a subprocess. Everything listens on 127.0.0.1 and is bounded in time.

There is no conftest.py in this folder on purpose: the engine tests import their helpers
with ``from conftest import ...``, and a second conftest module would shadow theirs. The
test modules define the fixtures they need themselves."""

from __future__ import annotations

import copy
import itertools
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

UTC = timezone.utc


@dataclass
class Recorded:
	method: str
	path: str  # decoded path, without the query
	raw_path: str
	query: dict[str, list[str]]
	headers: dict[str, str]
	body: bytes

	@property
	def json(self):
		return json.loads(self.body.decode("utf-8")) if self.body else None

	def q(self, name: str) -> str | None:
		values = self.query.get(name)
		return values[-1] if values else None


@dataclass
class Reply:
	status: int = 200
	body: bytes | str | dict | list = b""
	headers: dict[str, str] = field(default_factory=dict)


App = Callable[[Recorded, BaseHTTPRequestHandler], "Reply | None"]


class PeerServer:
	"""A threaded HTTP/1.1 server on 127.0.0.1:<free port> calling ``app`` for each request.

	``app`` returns a Reply, or None after writing the response itself (slow servers).
	Every request is recorded in ``requests``.
	"""

	def __init__(self, app: App):
		self.app = app
		self.requests: list[Recorded] = []
		self.stopping = threading.Event()
		peer = self

		class Handler(BaseHTTPRequestHandler):
			protocol_version = "HTTP/1.1"

			def log_message(self, *args):
				pass

			def _handle(self):
				length = int(self.headers.get("Content-Length") or 0)
				body = self.rfile.read(length) if length else b""
				parts = urlsplit(self.path)
				record = Recorded(
					method=self.command,
					path=unquote(parts.path),
					raw_path=parts.path,
					query=parse_qs(parts.query, keep_blank_values=True),
					headers={k: v for k, v in self.headers.items()},
					body=body,
				)
				peer.requests.append(record)
				reply = peer.app(record, self)
				if reply is None:
					self.close_connection = True
					return
				payload = reply.body
				headers = dict(reply.headers)
				if isinstance(payload, dict | list):
					payload = json.dumps(payload).encode()
					headers.setdefault("Content-Type", "application/json; charset=UTF-8")
				elif isinstance(payload, str):
					payload = payload.encode()
				self.send_response(reply.status)
				for name, value in headers.items():
					self.send_header(name, value)
				if "Content-Length" not in headers:
					self.send_header("Content-Length", str(len(payload)))
				self.end_headers()
				if self.command != "HEAD":
					self.wfile.write(payload)

			do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle
			do_PROPFIND = do_REPORT = do_OPTIONS = do_MKCALENDAR = _handle

		class Server(ThreadingHTTPServer):
			daemon_threads = True
			block_on_close = False

		self.server = Server(("127.0.0.1", 0), Handler)
		self.port = self.server.server_address[1]
		self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
		self.thread.daemon = True

	@property
	def url(self) -> str:
		return f"http://127.0.0.1:{self.port}"

	def __enter__(self):
		self.thread.start()
		return self

	def __exit__(self, *exc):
		self.stopping.set()
		self.server.shutdown()
		self.server.server_close()
		self.thread.join(5)


def free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


# --- Google Calendar v3 ---------------------------------------------------------------------


def discovery_document() -> dict:
	import googleapiclient

	path = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "calendar.v3.json"
	return json.loads(path.read_text(encoding="utf-8"))


class SchemaViolation(AssertionError):
	pass


def check_schema(doc: dict, value, ref: str, where: str = "") -> None:
	"""Every key of ``value`` must be a property of schema ``ref`` (recursively), with the
	JSON type the discovery document names. Raises SchemaViolation."""
	schema = doc["schemas"][ref]
	_check(doc, value, schema, where or ref)


def _check(doc, value, schema, where):
	if "$ref" in schema:
		return _check(doc, value, doc["schemas"][schema["$ref"]], where)
	kind = schema.get("type")
	if value is None:
		return
	if kind == "object":
		if not isinstance(value, dict):
			raise SchemaViolation(f"{where}: expected an object, got {value!r}")
		props = schema.get("properties")
		extra = schema.get("additionalProperties")
		for key, item in value.items():
			if props and key in props:
				_check(doc, item, props[key], f"{where}.{key}")
			elif extra:
				_check(doc, item, extra, f"{where}[{key}]")
			else:
				raise SchemaViolation(f"{where}: unknown field {key!r}")
	elif kind == "array":
		if not isinstance(value, list):
			raise SchemaViolation(f"{where}: expected an array, got {value!r}")
		for index, item in enumerate(value):
			_check(doc, item, schema.get("items", {}), f"{where}[{index}]")
	elif kind == "string":
		if not isinstance(value, str):
			raise SchemaViolation(f"{where}: expected a string, got {value!r}")
		if schema.get("format") == "date-time":
			datetime.fromisoformat(value.replace("Z", "+00:00"))
	elif kind == "boolean":
		if not isinstance(value, bool):
			raise SchemaViolation(f"{where}: expected a boolean, got {value!r}")
	elif kind == "integer":
		if isinstance(value, bool) or not isinstance(value, int):
			raise SchemaViolation(f"{where}: expected an integer, got {value!r}")


@dataclass
class Route:
	method_id: str
	http_method: str
	pattern: re.Pattern
	spec: dict


def _routes(doc: dict) -> list[Route]:
	routes = []

	def walk(resources):
		for resource in resources.values():
			for spec in resource.get("methods", {}).values():
				path = doc["servicePath"] + spec["path"]
				regex = ""
				for piece in re.split(r"(\{\+?\w+\})", path):
					match = re.fullmatch(r"\{(\+?)(\w+)\}", piece)
					if match:
						regex += f"(?P<{match.group(2)}>{'.+' if match.group(1) else '[^/]+'})"
					else:
						regex += re.escape(piece)
				routes.append(Route(spec["id"], spec["httpMethod"], re.compile(f"^/{regex}$"), spec))
			walk(resource.get("resources", {}))

	walk(doc["resources"])
	# literal segments beat parameters: ".../events/import" before ".../events/{eventId}"
	routes.sort(key=lambda r: -len(re.sub(r"\(\?P<\w+>[^)]*\)", "", r.pattern.pattern)))
	return routes


def _error(status: int, reason: str, message: str) -> Reply:
	return Reply(
		status,
		{
			"error": {
				"code": status,
				"message": message,
				"errors": [{"domain": "global", "reason": reason, "message": message}],
			}
		},
	)


class FakeGoogle(PeerServer):
	"""Speaks Calendar v3 REST as the bundled discovery document describes it.

	Requests are matched against the document's methods (HTTP method + path); unknown query
	parameters, bad enum values and request bodies with fields the schema does not know are
	answered with 400, like Google. State: ``events[calendar_id][event_id]``. Tests can
	queue failures with ``fail(method_id, status, reason)`` and set ``page_size`` / tokens.
	"""

	def __init__(self, token: str = "token-1"):
		self.doc = discovery_document()
		self.routes = _routes(self.doc)
		self.token = token
		self.events: dict[str, dict[str, dict]] = {}
		self.failures: dict[str, list[Reply]] = {}
		self.calls: list[tuple[str, Recorded, dict]] = []
		self.sync_counter = itertools.count(1)
		self.valid_sync_tokens: set[str] = set()
		self.free_busy_errors: dict[str, list[dict]] = {}
		self.refresh_tokens = {"refresh-1": "token-2"}
		self.hangups: set[str] = set()
		self.delays: dict[str, float] = {}
		self.check_responses = True  # tests sending deliberately broken data turn this off
		super().__init__(self._app)

	# test controls
	def fail(self, method_id: str, status: int, reason: str = "backendError", times: int = 1):
		self.failures.setdefault(method_id, []).extend([_error(status, reason, f"injected {status}")] * times)

	def calls_of(self, method_id: str) -> list[Recorded]:
		return [record for mid, record, _ in self.calls if mid == method_id]

	def add_event(self, calendar_id: str, event: dict) -> dict:
		stored = {"kind": "calendar#event", "etag": '"1"', "status": "confirmed", **copy.deepcopy(event)}
		stored.setdefault("id", f"ev{len(self.events.get(calendar_id, {})) + 1:04d}")
		stored.setdefault("updated", "2024-03-01T10:00:00.000Z")
		stored.setdefault("iCalUID", stored["id"] + "@google.com")
		check_schema(self.doc, stored, "Event", "fake event")
		self.events.setdefault(calendar_id, {})[stored["id"]] = stored
		return stored

	# the server
	def _app(self, request: Recorded, handler) -> Reply | None:
		if request.path == "/token":
			return self._token(request)
		for route in self.routes:
			match = route.pattern.match(request.raw_path)
			if match and route.http_method == request.method:
				params = {k: unquote(v) for k, v in match.groupdict().items()}
				break
		else:
			return _error(404, "notFound", f"No method for {request.method} {request.path}")
		self.calls.append((route.method_id, request, params))
		if route.method_id in self.hangups:
			return None  # close the connection without answering
		if route.method_id in self.delays:
			self.stopping.wait(self.delays[route.method_id])
		auth = request.headers.get("Authorization") or request.headers.get("authorization")
		if auth != f"Bearer {self.token}":
			return _error(401, "authError", "Invalid Credentials")
		problem = self._check_request(route, request)
		if problem:
			return _error(400, "invalid", problem)
		queued = self.failures.get(route.method_id)
		if queued:
			return queued.pop(0)
		handler_name = "_" + route.method_id.split(".", 1)[1].replace(".", "_")
		method = getattr(self, handler_name, None)
		if method is None:
			return _error(501, "notImplemented", route.method_id)
		reply = method(request, params)
		response_ref = route.spec.get("response", {}).get("$ref")
		if response_ref and reply.status == 200 and self.check_responses:
			check_schema(self.doc, reply.body, response_ref, f"response of {route.method_id}")
		return reply

	def _check_request(self, route: Route, request: Recorded) -> str | None:
		spec_params = route.spec.get("parameters", {})
		for name, values in request.query.items():
			if name in (
				"alt",
				"prettyPrint",
				"fields",
				"key",
				"quotaUser",
				"userIp",
				"access_token",
				"$.xgafv",
			):
				continue
			spec = spec_params.get(name)
			if spec is None or spec.get("location") != "query":
				return f"unknown query parameter {name!r} for {route.method_id}"
			for value in values:
				if "enum" in spec and value not in spec["enum"]:
					return f"{name}={value!r} is not one of {spec['enum']}"
				if spec.get("type") == "boolean" and value not in ("true", "false"):
					return f"{name} must be true or false"
				if spec.get("type") == "integer" and not value.lstrip("-").isdigit():
					return f"{name} must be an integer"
		request_ref = route.spec.get("request", {}).get("$ref")
		if request_ref:
			try:
				check_schema(self.doc, request.json, request_ref, f"body of {route.method_id}")
			except (SchemaViolation, ValueError) as exc:
				return str(exc)
		elif request.body:
			return f"{route.method_id} takes no body"
		return None

	def _token(self, request: Recorded) -> Reply:
		form = parse_qs(request.body.decode())
		refresh = (form.get("refresh_token") or [""])[0]
		if form.get("grant_type") != ["refresh_token"] or refresh not in self.refresh_tokens:
			return Reply(400, {"error": "invalid_grant", "error_description": "Bad refresh token"})
		self.token = self.refresh_tokens[refresh]
		return Reply(200, {"access_token": self.token, "expires_in": 3600, "token_type": "Bearer"})

	# Calendar v3 methods
	def _freebusy_query(self, request: Recorded, params) -> Reply:
		body = request.json
		start = datetime.fromisoformat(body["timeMin"].replace("Z", "+00:00"))
		end = datetime.fromisoformat(body["timeMax"].replace("Z", "+00:00"))
		calendars = {}
		for item in body.get("items", []):
			cid = item["id"]
			if cid in self.free_busy_errors:
				calendars[cid] = {"busy": [], "errors": self.free_busy_errors[cid]}
				continue
			busy = []
			for event in self.events.get(cid, {}).values():
				if event.get("status") == "cancelled" or event.get("transparency") == "transparent":
					continue
				s = datetime.fromisoformat(event["start"]["dateTime"].replace("Z", "+00:00"))
				e = datetime.fromisoformat(event["end"]["dateTime"].replace("Z", "+00:00"))
				if e > start and s < end:
					busy.append(
						{
							"start": max(s, start).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
							"end": min(e, end).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
						}
					)
			calendars[cid] = {"busy": sorted(busy, key=lambda b: b["start"])}
		return Reply(
			200,
			{
				"kind": "calendar#freeBusy",
				"timeMin": body["timeMin"],
				"timeMax": body["timeMax"],
				"calendars": calendars,
			},
		)

	def _events_insert(self, request: Recorded, params) -> Reply:
		body = request.json
		calendar = self.events.setdefault(params["calendarId"], {})
		if body.get("id") and body["id"] in calendar:
			return _error(409, "duplicate", "The requested identifier already exists.")
		event = dict(body)
		create = (event.get("conferenceData") or {}).get("createRequest")
		if create:
			if request.q("conferenceDataVersion") != "1":
				event.pop("conferenceData")  # Google ignores conference data at version 0
			else:
				code = f"abc-{len(calendar):04d}-xyz"
				event["conferenceData"] = {
					"createRequest": {**create, "status": {"statusCode": "success"}},
					"entryPoints": [
						{
							"entryPointType": "video",
							"uri": f"https://meet.google.com/{code}",
							"label": f"meet.google.com/{code}",
						},
						{
							"entryPointType": "phone",
							"uri": "tel:+1-555-0100",
							"label": "+1 555-0100",
							"pin": "123",
						},
					],
					"conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
					"conferenceId": code,
				}
				event["hangoutLink"] = f"https://meet.google.com/{code}"
		stored = self.add_event(params["calendarId"], event)
		return Reply(200, stored)

	def _events_get(self, request: Recorded, params) -> Reply:
		event = self.events.get(params["calendarId"], {}).get(params["eventId"])
		if event is None:
			return _error(404, "notFound", "Not Found")
		return Reply(200, event)

	def _events_patch(self, request: Recorded, params) -> Reply:
		event = self.events.get(params["calendarId"], {}).get(params["eventId"])
		if event is None:
			return _error(404, "notFound", "Not Found")
		body = request.json
		create = (body.get("conferenceData") or {}).get("createRequest")
		event.update({k: v for k, v in body.items() if k != "conferenceData"})
		if create and request.q("conferenceDataVersion") == "1":
			code = "pat-0000-xyz"
			event["conferenceData"] = {
				"createRequest": {**create, "status": {"statusCode": "success"}},
				"entryPoints": [{"entryPointType": "video", "uri": f"https://meet.google.com/{code}"}],
			}
		event["etag"] = f'"{int(event["etag"].strip(chr(34))) + 1}"'
		return Reply(200, event)

	def _events_delete(self, request: Recorded, params) -> Reply:
		calendar = self.events.get(params["calendarId"], {})
		event = calendar.get(params["eventId"])
		if event is None:
			return _error(404, "notFound", "Not Found")
		if event.get("status") == "cancelled":
			return _error(410, "deleted", "Resource has been deleted")
		event["status"] = "cancelled"
		return Reply(204, b"")

	def _events_list(self, request: Recorded, params) -> Reply:
		calendar_id = params["calendarId"]
		token = request.q("syncToken")
		if token is not None and token not in self.valid_sync_tokens:
			return _error(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
		items = list(self.events.get(calendar_id, {}).values())
		if token is None and request.q("showDeleted") != "true":
			items = [e for e in items if e.get("status") != "cancelled"]
		if token is not None:
			since = token.split(":", 1)[1]
			items = [e for e in items if e["updated"] > since]
		page_size = int(request.q("maxResults") or 250)
		offset = int(request.q("pageToken") or 0)
		page = items[offset : offset + page_size]
		body = {"kind": "calendar#events", "summary": calendar_id, "timeZone": "Europe/Berlin", "items": page}
		if offset + page_size < len(items):
			body["nextPageToken"] = str(offset + page_size)
		else:
			newest = max((e["updated"] for e in self.events.get(calendar_id, {}).values()), default="0")
			sync = f"sync{next(self.sync_counter)}:{newest}"
			self.valid_sync_tokens.add(sync)
			body["nextSyncToken"] = sync
		return Reply(200, body)


# --- Radicale -----------------------------------------------------------------------------


class Radicale:
	"""``python -m radicale`` on a free port with a temporary storage folder and a plain
	htpasswd file (user ``alice`` / password ``secret``)."""

	user, password = "alice", "secret"

	def __init__(self, folder: Path):
		self.folder = folder
		self.port = free_port()
		self.process: subprocess.Popen | None = None
		self.log = folder / "radicale.log"

	@property
	def url(self) -> str:
		return f"http://127.0.0.1:{self.port}/"

	def start(self, wait: float = 20.0) -> Radicale:
		users = self.folder / "users"
		users.write_text(f"{self.user}:{self.password}\n", encoding="utf-8")
		args = [
			sys.executable,
			"-m",
			"radicale",
			"--config",
			"",
			"--server-hosts",
			f"127.0.0.1:{self.port}",
			"--storage-filesystem-folder",
			str(self.folder / "collections"),
			"--auth-type",
			"htpasswd",
			"--auth-htpasswd-filename",
			str(users),
			"--auth-htpasswd-encryption",
			"plain",
			"--auth-delay",
			"0",
			"--rights-type",
			"owner_only",
			"--logging-level",
			"warning",
		]
		log = self.log.open("wb")
		self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
		deadline = time.monotonic() + wait
		while time.monotonic() < deadline:
			if self.process.poll() is not None:
				raise RuntimeError(f"radicale exited: {self.log.read_text(errors='replace')[-2000:]}")
			try:
				with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
					return self
			except OSError:
				time.sleep(0.1)
		self.stop()
		raise RuntimeError(
			f"radicale did not start within {wait}s: {self.log.read_text(errors='replace')[-2000:]}"
		)

	def stop(self) -> None:
		if self.process is None or self.process.poll() is not None:
			return
		self.process.terminate()
		try:
			self.process.wait(10)
		except subprocess.TimeoutExpired:
			self.process.kill()
			self.process.wait(5)
