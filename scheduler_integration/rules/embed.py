"""Embed code for external schedulers, reduced to one safe iframe.

A consultant pastes the provider's embed snippet; reports show it. The snippet is parsed
(stdlib HTML parser) and accepted only when it is exactly one ``<iframe>`` whose ``src`` is
an https (or http) URL on an allowed host: the three providers' hosts plus hosts an admin
adds in Scheduler Settings. Anything else — a script, an ``on*`` attribute, a
``javascript:``/``data:`` URL, a second element, text around it — is rejected, not cleaned,
so the host sees why. The accepted iframe is re-serialised from a short attribute
allow-list with every value escaped: what is stored is what we wrote, not what was pasted.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from scheduler_integration.engine.errors import EmbedRejected
from scheduler_integration.engine.i18n import _
from scheduler_integration.engine.validation import MAX_EMBED, clean_url, host_allowed, url_host

PROVIDER_HOSTS = frozenset(
	{
		"calendly.com",  # Calendly
		"acuityscheduling.com",  # Acuity (app.acuityscheduling.com, *.acuityscheduling.com)
		"as.me",  # Acuity short links (name.as.me)
		"scheduleonce.com",  # ScheduleOnce (legacy)
		"oncehub.com",  # ScheduleOnce / OnceHub (go.oncehub.com)
	}
)
_KEPT = ("src", "width", "height", "title", "frameborder", "allow", "loading", "allowfullscreen")
_SIZE = re.compile(r"^\d{1,4}(%|px)?$")
_ALLOW = re.compile(r"^[a-z\-; ]{0,200}$")


class _Collector(HTMLParser):
	def __init__(self):
		super().__init__(convert_charrefs=True)
		self.tags: list[tuple[str, list]] = []
		self.closing: list[str] = []
		self.text = ""
		self.comments = 0

	def handle_starttag(self, tag, attrs):
		self.tags.append((tag, attrs))

	def handle_startendtag(self, tag, attrs):
		self.tags.append((tag, attrs))

	def handle_endtag(self, tag):
		self.closing.append(tag)

	def handle_data(self, data):
		self.text += data

	def handle_comment(self, data):
		self.comments += 1

	def handle_decl(self, decl):
		self.comments += 1

	def handle_pi(self, data):
		self.comments += 1

	def unknown_decl(self, data):
		self.comments += 1


def sanitize_embed(code: str | None, extra_hosts=(), field: str = "embed_code") -> str:
	"""The canonical iframe for ``code``, '' for empty input; EmbedRejected otherwise."""
	if code is None or not str(code).strip():
		return ""
	code = str(code).strip()
	if len(code) > MAX_EMBED:
		raise EmbedRejected(_("{0} must be at most {1} characters"), field, field, MAX_EMBED)
	parser = _Collector()
	parser.feed(code)
	parser.close()
	if len(parser.tags) != 1 or parser.tags[0][0] != "iframe":
		raise EmbedRejected(_("Embed code must be a single iframe and nothing else"), field)
	if (
		parser.text.strip()
		or parser.comments
		or [t for t in parser.closing if t != "iframe"]
		or len(parser.closing) > 1
	):
		raise EmbedRejected(_("Embed code must be a single iframe and nothing else"), field)
	attrs: dict[str, str | None] = {}
	for name, value in parser.tags[0][1]:
		name = name.lower()
		if name.startswith("on"):
			raise EmbedRejected(_("Embed code must not contain event handlers ({0})"), field, name)
		if name in attrs:
			raise EmbedRejected(_("Embed code repeats the attribute {0}"), field, name)
		attrs[name] = value
	src = (attrs.get("src") or "").strip()
	if not src:
		raise EmbedRejected(_("The iframe needs a src URL"), field)
	try:
		src = clean_url(src, field)
	except ValueError:
		raise EmbedRejected(_("The iframe src must be an http(s) URL"), field) from None
	allowed = PROVIDER_HOSTS | {h.strip().lower() for h in extra_hosts if h and h.strip()}
	host = url_host(src)
	if not host_allowed(host, allowed):
		raise EmbedRejected(
			_("The iframe host {0} is not allowed; allowed are {1} and hosts added in Scheduler Settings"),
			field,
			host,
			", ".join(sorted(PROVIDER_HOSTS)),
		)
	out = [f'<iframe src="{escape(src, quote=True)}"']
	for name in _KEPT[1:]:
		if name not in attrs:
			continue
		value = attrs[name]
		if name in ("width", "height"):
			if value is None or not _SIZE.match(value.strip()):
				raise EmbedRejected(
					_("The iframe {0} must be a number of pixels or a percentage"), field, name
				)
			out.append(f'{name}="{escape(value.strip(), quote=True)}"')
		elif name == "frameborder":
			out.append('frameborder="0"')
		elif name == "allowfullscreen":
			out.append("allowfullscreen")
		elif name == "loading":
			out.append('loading="lazy"')
		elif name == "allow":
			if value and _ALLOW.match(value.strip().lower()):
				out.append(f'allow="{escape(value.strip().lower(), quote=True)}"')
		elif value:  # title
			out.append(f'title="{escape(value.strip()[:200], quote=True)}"')
	return " ".join(out) + "></iframe>"


def allowed_iframe_hosts(extra_hosts=()) -> list[str]:
	return sorted(PROVIDER_HOSTS | {h.strip().lower() for h in extra_hosts if h and h.strip()})


_ORIGIN = re.compile(r"^(https?)://([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?/?$")


def frame_origins(text: str | None) -> tuple[list[str], list[str]]:
	"""The web origins (``https://www.example.com``) of a list with one per line, for a
	``frame-ancestors`` policy: (accepted, refused). Paths, wildcards, quotes and anything that
	could add a directive are refused, so a line can only ever name one origin."""
	accepted, refused = [], []
	for line in (text or "").splitlines():
		line = line.strip()
		if not line:
			continue
		match = _ORIGIN.match(line.lower())
		if not match or ".." in match.group(2) or match.group(2).startswith((".", "-")):
			refused.append(line)
			continue
		origin = f"{match.group(1)}://{match.group(2)}{match.group(3) or ''}"
		if origin not in accepted:
			accepted.append(origin)
	return accepted, refused
