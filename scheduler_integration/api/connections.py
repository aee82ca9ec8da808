"""Connection actions of the desk form (Scheduler Calendar Connection): which providers
exist, (re)authorising a provider, the page the provider's authorisation returns to, and a
check of the connection now.

Authorising reuses the provider's own machinery: the core Connected App flow (Microsoft
365, Zoom: its callback stores the tokens in the signed-in user's Token Cache) or the core
Google Calendar authorisation. Only the host themselves can authorise their connection
(the tokens are theirs); an account-wide app has no user to authorise.
"""

from __future__ import annotations

from typing import TypedDict
from urllib.parse import quote

import frappe
from frappe import _

from scheduler_integration.api.utils import plain_arguments
from scheduler_integration.connections.status import ConnectionStatus
from scheduler_integration.core.answers import Url
from scheduler_integration.providers.providers import REGISTRY, ProviderInfo

DOCTYPE = "Scheduler Calendar Connection"


class AuthorizeLink(TypedDict):
	"""The provider's page where the host authorises their connection."""

	url: Url


class ConnectionCheck(TypedDict):
	"""A connection's state after checking it now."""

	status: ConnectionStatus
	last_error: str  # empty when it works


def _connection(name: str, ptype: str = "write"):
	doc = frappe.get_doc(DOCTYPE, name)
	doc.check_permission(ptype)
	return doc


@frappe.whitelist(methods=["GET"])
def providers() -> dict[str, ProviderInfo]:
	"""{label: what the form needs to know of the provider} for every registry row."""
	from scheduler_integration.scheduler_integration.doctype.scheduler_calendar_connection.scheduler_calendar_connection import (
		provider_info,
	)

	return {spec.label: provider_info(spec) for spec in REGISTRY.values()}


@frappe.whitelist(methods=["POST"])
@plain_arguments
def authorize(name: str) -> AuthorizeLink:
	"""The provider's authorisation page for the host (Connect / Reconnect)."""
	doc = _connection(name)
	if doc.host != frappe.session.user:
		frappe.throw(
			_("Only {0} can authorise this connection: the tokens are theirs").format(doc.host),
			frappe.PermissionError,
		)
	back = "/api/method/scheduler_integration.api.connections.connected?name=" + quote(doc.name)
	url = doc.authorize_url(back)
	if not url:
		frappe.throw(_("{0} connections need no authorisation here").format(_(doc.provider)))
	return {"url": url}


@frappe.whitelist(methods=["GET"])
@plain_arguments
def connected(name: str) -> None:
	"""Where the provider's authorisation returns: the connection is checked and the host
	taken back to its form; meeting links that waited for it are retried now."""
	doc = _connection(name)
	doc.check_now()
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = f"/app/scheduler-calendar-connection/{quote(doc.name)}"


@frappe.whitelist(methods=["POST"])
@plain_arguments
def check(name: str) -> ConnectionCheck:
	"""Check the connection now (a sync for calendars, a token for video-only providers)."""
	doc = _connection(name)
	doc.check_now()
	doc.reload()
	return {"status": doc.status, "last_error": doc.last_error or ""}
