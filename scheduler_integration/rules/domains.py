"""Custom domains: which host names a profile or team may take, and which page a path on
such a domain leads to.

A custom domain serves one profile's or one team's pages at its root, and nothing else:

* ``/`` → the page that lists its meeting types;
* ``/<meeting type slug>`` → that type's booking page;
* ``/book/manage/<token>`` → the manage page of a booking (the Frappe layer checks that the
  booking is one of the domain's own);

every other path is no page of the domain (404), so another host's page, a team page or a
site page is never reachable through it. The site's own host names keep every page.
"""

from __future__ import annotations

import re

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.i18n import _

MAX_DOMAIN = 253
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,200}$")

# profile slugs the booking routes already use: /book/manage/<token>, /book/team/<slug>,
# /book/link/<token> (a personal link), /book/route/<slug> (a routing form), /book/receipt
# (a paid booking's receipt)
RESERVED_PROFILE_SLUGS = frozenset({"manage", "team", "link", "route", "receipt"})

PAGE = "page"
TYPE = "type"
MANAGE = "manage"


def clean_domain(value, field: str = "custom_domain") -> str:
	"""A host name as the browser sends it (lowercase, IDNA for non-ASCII, no trailing dot);
	'' when empty. Not a URL, port, IP address or single label: ``book.example.com``."""
	text = str(value or "").strip().lower().rstrip(".")
	if not text:
		return ""
	invalid = InvalidField(
		_("{0} must be a host name such as book.example.com (no https://, path or port)"), field, field
	)
	if any(ch.isspace() or ch in "/:@?#\\" for ch in text):
		raise invalid
	if not text.isascii():
		try:
			text = text.encode("idna").decode("ascii")
		except UnicodeError:
			raise invalid from None
	labels = text.split(".")
	if len(text) > MAX_DOMAIN or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
		raise invalid
	if labels[-1].isdigit():  # an IP address (or a name no DNS can hold)
		raise invalid
	return text


def request_host(host: str | None) -> str:
	"""The host name of a ``Host`` header: lowercase, without port or trailing dot."""
	text = str(host or "").strip().lower()
	if text.startswith("["):  # an IPv6 literal is never a custom domain
		return ""
	return text.split(":", 1)[0].rstrip(".")


def domain_route(path: str | None) -> tuple[str, str | None] | None:
	"""What ``path`` leads to on a custom domain: ``(PAGE, None)``, ``(TYPE, slug)``,
	``(MANAGE, token)``, or None (no page there)."""
	parts = [part for part in str(path or "").split("/") if part]
	if not parts or parts in (["index"], ["index.html"]):
		return (PAGE, None)
	if len(parts) == 1 and _SLUG.match(parts[0]):
		return (TYPE, parts[0])
	if len(parts) == 3 and parts[:2] == ["book", "manage"] and _TOKEN.match(parts[2]):
		return (MANAGE, parts[2])
	return None
