"""A connection's health as its form shows it: status, error count, last error, next retry.

A failure backs the connection's sync off (``engine.booking_rules.retry_wait``, never
sooner than the provider's Retry-After); a refused authorisation shows as *Needs
Reconnect*, and the form's Reconnect button starts the provider's authorisation again.
The callers commit. ``host_connections`` lists a host's connections as the engine's
set-up checklist and connection rate read them (``rules.onboarding``).

What a host reads of a failure is in words (``error_text``: what failed, by
``providers.errors.error_kind``, and what to do), never a socket's or TLS library's text.
A provider an administrator must set up first (Google Settings, a Connected App) says so
(``admin_setup_needed``), and the site's administrators are told once per host and
provider that someone waits for it (``tell_admins``, a Notification Log).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypedDict, get_args
from urllib.parse import quote

import frappe
from frappe import _

from scheduler_integration.core.answers import Path
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.errors import provider_error_text
from scheduler_integration.engine.booking_rules import retry_wait
from scheduler_integration.engine.validation import ANGLES
from scheduler_integration.providers import errors as kinds
from scheduler_integration.providers.errors import ProviderAuthError, ProviderError
from scheduler_integration.providers.providers import by_label
from scheduler_integration.providers.urlguard import redact_urls

# a connection's status: the DocType's options, in their order (test_host_setup)
ConnectionStatus = Literal["Not Synced", "Connected", "Needs Reconnect", "Error"]
STATUS_NEW, STATUS_OK, STATUS_RECONNECT, STATUS_ERROR = get_args(ConnectionStatus)


def record_failure(doc, exc: Exception, now: datetime | None = None) -> None:
	"""Show the failure on the connection and back off its sync."""
	now = now or utc_now()
	count = int(doc.error_count or 0) + 1
	refused = isinstance(exc, ProviderAuthError)
	values = {
		"status": STATUS_RECONNECT if refused else STATUS_ERROR,
		"error_count": count,
		"last_error": error_text(doc, exc),
		"next_retry_at": to_system(now + retry_wait(count, getattr(exc, "retry_after", None))),
	}
	doc.db_set(values, update_modified=False)


def record_success(doc, now: datetime | None = None, synced: bool = False, note: str | None = None) -> None:
	"""Show the connection working; ``note``: what the host should still know (an event
	of the calendar that cannot be read)."""
	values = {"status": STATUS_OK, "error_count": 0, "last_error": note, "next_retry_at": None}
	if synced:
		values["last_sync"] = to_system(now or utc_now())
	if any(doc.get(k) != v for k, v in values.items()):
		doc.db_set(values, update_modified=False)


def unreadable_note(doc, reasons: list[str]) -> str | None:
	"""The events a read of the calendar left out (``providers.ics_feed.parse_busy``), in
	words for the host; None when there were none."""
	if not reasons:
		return None
	text = _(
		"{0} event(s) of this calendar cannot be read and are not counted as busy; correct or remove them in the calendar: {1}"
	).format(len(reasons), "; ".join(reasons[:3]))
	secrets = [doc.get_password("ics_url", raise_exception=False)] if doc.ics_url else []
	return redact_urls(text, secrets).translate(ANGLES)[:1000]


def error_text(doc, exc: Exception) -> str:
	"""``exc`` for the form, the API and logs, in words a host understands: no URL in it
	keeps its path or query, nor does the connection's secret feed link appear in any form
	(it is the credential)."""
	secrets = [doc.get_password("ics_url", raise_exception=False)] if doc.ics_url else []
	# a feed's own text (an event's UID, a value it could not read) is anyone's who can
	# invite the host: the desk shows this field as HTML, so markup must never form
	return redact_urls(in_words(exc), secrets).translate(ANGLES)[:1000]


def in_words(exc: Exception) -> str:
	"""What failed and what to do about it; the adapter's own message where it already
	says so (a provider's refusal, an unreadable address)."""
	kind = kinds.error_kind(exc)
	args = getattr(exc, "args_", ()) or ()
	# urlguard's messages name the place first: the redacted address or the host name
	where = args[0] if args and isinstance(args[0], str) else _("the calendar server")
	status = getattr(exc, "status", None)
	if kind == kinds.DNS:
		return _(
			"The calendar address cannot be found: there is no server called {0}. Check the address "
			"for typos, or copy it again from your calendar's settings."
		).format(where)
	if kind == kinds.REFUSED:
		return _(
			"{0} refused the connection: no calendar server answers at this address (is the port "
			"right?). We will keep trying; if it lasts, check the address."
		).format(where)
	if kind == kinds.UNREACHABLE:
		return _(
			"{0} could not be reached. We will try again shortly; if it lasts, check the address."
		).format(where)
	if kind == kinds.TIMEOUT:
		return _("{0} did not answer in time. We will try again shortly.").format(where)
	if kind == kinds.TLS:
		return _(
			"The secure connection to {0} failed: its certificate is not valid, or it does not "
			"speak HTTPS at this address."
		).format(where)
	if kind == kinds.NOT_FOUND:
		return _(
			"{0} has no calendar at this address (HTTP {1}): the secret address may have been reset. "
			"Copy it again from your calendar's settings."
		).format(where, status)
	if kind == kinds.DENIED:
		return _(
			"{0} refused access to the calendar (HTTP {1}): the address may have been reset or the "
			"calendar is not shared. Copy the secret address again."
		).format(where, status)
	if kind == kinds.SERVER:
		return _("{0} has a problem right now (HTTP {1}). We will try again shortly.").format(where, status)
	if kind == kinds.HTTP:
		return _("{0} answered HTTP {1}: this address gives no calendar.").format(where, status)
	if kind == kinds.NOT_CALENDAR:
		return _(
			"This address gives no calendar: its answer is not iCalendar (.ics) data, perhaps a web "
			"page. Use your calendar's secret address in iCal format."
		)
	if kind == kinds.BAD_EVENT:
		return _("Part of your calendar cannot be read: {0}").format(provider_error_text(exc))
	if kind == kinds.TOO_LARGE:
		return _("{0} sent a calendar larger than can be read (5 MB).").format(where)
	if kind == kinds.REDIRECTS:
		return _("{0} sends the request on too many times: use the calendar's own address.").format(where)
	if kind == kinds.PRIVATE:
		return _(
			"{0}. It is on a private network: if your calendar server is on your own network, an "
			"administrator can allow private calendar addresses in Scheduler Settings."
		).format(provider_error_text(exc))
	return provider_error_text(exc)


# --- providers an administrator sets up first --------------------------------------------


class AdminSetup(TypedDict):
	"""What an administrator must set up before a provider can be connected."""

	text: str
	route: Path  # the desk form where it is set up


def admin_setup_needed(provider: str) -> AdminSetup | None:
	"""What an administrator must set up before a host can connect ``provider`` (a label):
	``{"text", "route"}``, or None when nothing is missing."""
	try:
		spec = by_label(provider)
	except ProviderError:
		return None
	if spec.auth == "google":
		settings = frappe.get_cached_doc("Google Settings")
		ready = (
			settings.enable
			and settings.client_id
			and settings.get_password("client_secret", raise_exception=False)
		)
		if ready:
			return None
		return {
			"route": "/app/google-settings",
			"text": _(
				"Google Calendar needs a one-time set-up by an administrator (a System Manager): in "
				"Google Settings, enter the Client ID and Client Secret of a Google Cloud OAuth client "
				"and tick Enable. Until then, you can connect Google Calendar with its secret address "
				"in iCal format: choose ICS and paste it."
			),
		}
	if spec.auth == "oauth" and not _connected_app_of(spec):
		return {
			"route": "/app/connected-app/new?" + "provider_name=" + quote(spec.label),
			"text": _(
				"{0} needs a one-time set-up by an administrator (a System Manager): a Connected App "
				"for {0} with the Client ID and Client Secret of an app registered with {0}."
			).format(_(spec.label)),
		}
	return None


def _connected_app_of(spec) -> bool:
	"""Is there a Connected App that looks like this provider's (its name or address)?"""
	for row in frappe.get_all("Connected App", fields=["provider_name", "authorization_uri"]):
		text = f"{row.provider_name or ''} {row.authorization_uri or ''}".lower()
		if spec.name in text or spec.label.lower() in text:
			return True
	return False


def administrators() -> list[str]:
	"""Who can set providers up or should know: enabled System Managers and Scheduler Managers."""
	return frappe.get_all(
		"Has Role",
		filters={
			"parenttype": "User",
			"role": ("in", ["System Manager", "Scheduler Manager"]),
			"parent": ("not in", ["Guest"]),
		},
		pluck="parent",
		distinct=True,
	)


def tell_admins(host: str, provider: str) -> int:
	"""Tell each administrator, once, that ``host`` waits for ``provider`` to be set up (a
	Notification Log with the set-up's route). How many were told now; 0 when nothing is
	missing or everyone was told before."""
	needed = admin_setup_needed(provider)
	if not needed:
		return 0
	enabled = set(frappe.get_all("User", filters={"enabled": 1, "user_type": "System User"}, pluck="name"))
	told = 0
	name = frappe.utils.get_fullname(host)
	for admin in sorted(set(administrators()) & enabled - {host}):
		if frappe.db.exists(
			"Notification Log", {"for_user": admin, "from_user": host, "link": needed["route"]}
		):
			continue
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": admin,
				"from_user": host,
				"type": "Alert",
				"subject": _("{0} is waiting to connect {1}: it needs your set-up first").format(
					name, _(provider)
				),
				"email_content": needed["text"],
				"link": needed["route"],
			}
		).insert(ignore_permissions=True)
		told += 1
	return told


def _is_calendar(label: str) -> bool:
	try:
		return by_label(label).calendar
	except ProviderError:
		return False


def host_connections(users) -> dict[str, list[dict]]:
	"""{user: [connection]} of ``users``' own connections, each with ``name``, ``provider``,
	``calendar`` (a calendar provider, not video only), ``enabled``, ``account_wide``,
	``status``, ``last_sync`` and ``last_error``; one query."""
	out: dict[str, list[dict]] = {user: [] for user in users}
	rows = frappe.get_all(
		"Scheduler Calendar Connection",
		filters={"host": ("in", list(users) or [""])},
		fields=["name", "host", "provider", "enabled", "account_wide", "status", "last_sync", "last_error"],
		order_by="creation asc",
	)
	for row in rows:
		out.setdefault(row.host, []).append(
			{
				"name": row.name,
				"provider": row.provider,
				"calendar": _is_calendar(row.provider),
				"enabled": bool(row.enabled),
				"account_wide": bool(row.account_wide),
				"status": row.status or "Not Synced",
				"last_sync": row.last_sync,
				"last_error": row.last_error or "",
			}
		)
	return out
