"""A connection's credentials: one small class per kind (``ProviderSpec.auth``), the only
Frappe-side difference between providers. Each kind validates the connection's fields,
gives the keyword arguments its adapters take, names the calendars to read, says whether
the connection is authorised and where the host authorises it (again).

- ``url``: a published calendar, the secret ICS URL (stored encrypted) is the credential;
- ``password``: a CalDAV server, URL, user name and an app password;
- ``google``: the core Google Calendar authorisation (no second OAuth flow), only the
  host's own;
- ``oauth``: a core Connected App (Microsoft 365, Zoom): the host authorises it, the tokens
  live in Token Cache and ``core.oauth_tokens`` renews them; an account-wide connection uses
  the app's own token (``ProviderSpec.app_tokens``) for every host.
"""

from __future__ import annotations

import frappe
from frappe import _

from scheduler_integration.core.errors import FieldErrors
from scheduler_integration.core.oauth_tokens import ConnectedAppTokens, authorization_url
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.validation import clean_url
from scheduler_integration.providers.oauth import StaticToken
from scheduler_integration.providers.providers import REGISTRY, ProviderSpec, by_label
from scheduler_integration.providers.urlguard import URLGuard

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


def spec_of(doc) -> ProviderSpec:
	"""The registry row of the connection's provider (``provider`` holds its label)."""
	return by_label(doc.provider)


def credentials_of(doc):
	"""The class of the connection's kind of credentials."""
	return CREDENTIALS[spec_of(doc).auth]


def chosen_calendars(doc) -> list[str]:
	"""The calendars the host listed to check for busy time (one a line); none: the
	credentials' defaults."""
	return [line.strip() for line in (doc.check_calendars or "").splitlines() if line.strip()]


def api_base(spec: ProviderSpec, default: str | None = None) -> dict:
	"""A site-config override of a provider's API address (``scheduler_provider_api``:
	{provider: URL}), for the tests' local peers; production uses the adapters' defaults."""
	bases = frappe.conf.get("scheduler_provider_api") or {}
	base = bases.get(spec.name) if isinstance(bases, dict) else None
	base = base or default
	return {"base_url": base} if base else {}


class Kind:
	"""What every kind answers; by default the host's listed calendars or the primary one,
	always authorised, nothing to authorise."""

	@staticmethod
	def calendars(doc, adapter) -> list[str]:
		return chosen_calendars(doc) or ["primary"]

	@staticmethod
	def authorised(doc) -> bool:
		return True

	@staticmethod
	def authorize_url(doc, success_uri):
		return None


class FeedURL(Kind):
	"""A published calendar: the secret ICS URL is the credential (stored encrypted)."""

	@staticmethod
	def validate(doc, errors: FieldErrors) -> None:
		if doc.ics_url and doc.is_dummy_password(doc.ics_url):
			return
		url = (doc.ics_url or "").strip()
		if url.lower().startswith(("webcal://", "webcals://")):
			url = "https://" + url.split("://", 1)[1]
		doc.ics_url = errors.clean("ics_url", clean_url, url, "ics_url", required=True)

	@staticmethod
	def kwargs(doc, timeout=None, fresh=False) -> dict:
		return {"fetcher": _guard(timeout).get}

	@staticmethod
	def calendars(doc, adapter) -> list[str]:
		return [doc.get_password("ics_url", raise_exception=False)]


class Password(Kind):
	"""A CalDAV server: URL, user name and an app password."""

	@staticmethod
	def validate(doc, errors: FieldErrors) -> None:
		doc.caldav_url = errors.clean("caldav_url", clean_url, doc.caldav_url, "caldav_url", required=True)
		if doc.write_bookings and not (doc.destination_calendar or "").strip():
			errors.add("destination_calendar", _("Give the calendar URL that bookings are added to"))

	@staticmethod
	def kwargs(doc, timeout=None, fresh=False) -> dict:
		return {
			"url": doc.caldav_url,
			"username": doc.caldav_username or None,
			"password": doc.get_password("caldav_password", raise_exception=False) or None,
			"guard": _guard(timeout),
			**_timed(timeout),
		}

	@staticmethod
	def calendars(doc, adapter) -> list[str]:
		return chosen_calendars(doc) or [c.url for c in adapter.calendars()]


class GoogleIntegration(Kind):
	"""Google on the core Google Calendar authorisation (no second OAuth flow): the refresh
	token of the core Google Calendar document and the client of Google Settings. Site
	config ``scheduler_google_api_base`` / ``scheduler_google_token_uri`` point it at other
	endpoints (the tests' local Calendar v3 server)."""

	@staticmethod
	def validate(doc, errors: FieldErrors) -> None:
		if not doc.google_calendar:
			errors.add("google_calendar", _("Pick the authorised Google Calendar to use"))
			return
		# the sync renews the core record's refresh token: it must be the host's own, and
		# one the person saving may read (not a record picked by its name alone)
		owner = frappe.db.get_value("Google Calendar", doc.google_calendar, "user")
		chosen = doc.is_new() or doc.has_value_changed("google_calendar") or doc.has_value_changed("host")
		if owner != doc.host or (
			chosen and not frappe.has_permission("Google Calendar", "read", doc=doc.google_calendar)
		):
			errors.add(
				"google_calendar",
				_("Pick a Google Calendar authorised by {0} themselves").format(doc.host),
			)

	@staticmethod
	def kwargs(doc, timeout=None, fresh=False) -> dict:
		from google.oauth2.credentials import Credentials

		core = frappe.get_doc("Google Calendar", doc.google_calendar)
		settings = frappe.get_single("Google Settings")
		credentials = Credentials(
			token=None,
			refresh_token=core.get_password("refresh_token", raise_exception=False),
			token_uri=frappe.conf.get("scheduler_google_token_uri") or GOOGLE_TOKEN_URI,
			client_id=settings.client_id,
			client_secret=settings.get_password("client_secret", raise_exception=False),
		)
		return {
			"credentials": credentials,
			**api_base(REGISTRY["google"], frappe.conf.get("scheduler_google_api_base")),
			**_timed(timeout),
		}

	@staticmethod
	def authorised(doc) -> bool:
		if not doc.google_calendar or not frappe.db.exists("Google Calendar", doc.google_calendar):
			return False
		core = frappe.get_doc("Google Calendar", doc.google_calendar)
		return bool(core.get_password("refresh_token", raise_exception=False))

	@staticmethod
	def authorize_url(doc, success_uri):
		from frappe.integrations.doctype.google_calendar.google_calendar import authorize_access

		answer = authorize_access(doc.google_calendar, reauthorize=True)
		return answer.get("url") if isinstance(answer, dict) else None


class ConnectedAppOAuth(Kind):
	"""OAuth through the core Connected App: the host authorises it (Connect / Reconnect),
	the tokens live in Token Cache, ``core.oauth_tokens`` renews them. An account-wide
	connection uses the app's own token (``ProviderSpec.app_tokens``) for every host."""

	@staticmethod
	def validate(doc, errors: FieldErrors) -> None:
		if not doc.connected_app:
			errors.add("connected_app", _("Pick the Connected App of {0}").format(_(doc.provider)))
		if doc.account_wide and not (doc.account_id or "").strip():
			errors.add("account_id", _("Give the account ID of the account-level app"))
		doc.account_id = (doc.account_id or "").strip() or None

	@staticmethod
	def tokens(doc) -> ConnectedAppTokens:
		return ConnectedAppTokens(
			doc.connected_app,
			None if doc.account_wide else doc.host,
			spec_of(doc),
			account_id=doc.account_id if doc.account_wide else None,
		)

	@classmethod
	def kwargs(cls, doc, timeout=None, fresh=False) -> dict | None:
		tokens = cls.tokens(doc)
		if fresh:  # the booking transaction: no renewing (it commits), no waiting
			access = tokens.peek()
			if not access:
				return None
			tokens = StaticToken(access)
		return {
			"tokens": tokens,
			**api_base(spec_of(doc)),
			**_timed(timeout),
		}

	@classmethod
	def authorised(cls, doc) -> bool:
		return bool(doc.connected_app) and cls.tokens(doc).connected()

	@staticmethod
	def authorize_url(doc, success_uri):
		if doc.account_wide:
			return None  # no user to authorise: the app's own credentials
		return authorization_url(doc.connected_app, success_uri)


CREDENTIALS = {
	"url": FeedURL,
	"password": Password,
	"google": GoogleIntegration,
	"oauth": ConnectedAppOAuth,
}


def _timed(timeout: float | None) -> dict:
	"""The adapter's ``timeout`` keyword when one is given (else the adapter's default)."""
	return {"timeout": timeout} if timeout else {}


def _guard(timeout: float | None) -> URLGuard:
	return URLGuard(allow_private=bool(setting("allow_private_calendar_hosts")), **_timed(timeout))
