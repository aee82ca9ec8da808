"""OAuth access tokens of a connection, kept by Frappe's Connected App / Token Cache.

A host authorises a provider through the core *Connected App* (its authorisation-code flow
and callback ``/api/method/frappe.integrations.doctype.connected_app.connected_app.callback/
<app>``); the tokens land in the host's *Token Cache* (``<app>-<user>``). An account-level
app (Zoom Server-to-Server OAuth) keeps its token in the app's own Token Cache
(``<app>-``, no user), like ``ConnectedApp.get_backend_app_token``.

``ConnectedAppTokens`` is the adapters' ``TokenSource`` over that Token Cache:

- ``token()`` answers the cached access token while it is valid, else renews it;
- ``refresh()`` renews after the provider rejected the token (the adapters call it once
  on a 401). Renewing goes through the provider's own token factory from the registry
  (``ProviderSpec.user_tokens`` / ``app_tokens``: Zoom wants HTTP Basic client
  authentication, Microsoft the client in the form and the scopes), with the client of
  the Connected App and its token URI, not through requests-oauthlib: so a refused grant
  is told apart from an outage (``ProviderAuthError`` vs ``ProviderUnavailable``), and a
  test token endpoint on http://127.0.0.1 needs no relaxed transport check;
- the Token Cache row is locked while renewing, and read again first: two workers never
  both spend a refresh token that the provider rotates (Zoom and Microsoft do); the new
  tokens (the rotated refresh token included) are saved with ``TokenCache.update_data``,
  which commits at once, so a later failure of the caller cannot lose them;
- ``peek()`` answers a still-valid access token or None without renewing (and without
  writing): for the booking transaction's fresh calendar read, which must not commit.
"""

from __future__ import annotations

import time

import frappe
from frappe import _

from scheduler_integration.providers.errors import ProviderAuthError

LEEWAY = 60  # seconds: an access token this close to expiry is renewed first


class ConnectedAppTokens:
	"""The ``TokenSource`` of one Connected App for one user (``user=None``: the app's own
	account-level token, with ``account_id``)."""

	def __init__(self, app: str, user: str | None, spec, *, account_id: str | None = None):
		self.app = app
		self.user = user or ""
		self.spec = spec
		self.account_id = account_id
		self.cache_name = f"{app}-{self.user}"
		self._seen: str | None = None

	def __repr__(self) -> str:
		return f"ConnectedAppTokens({self.app!r}, {self.user!r})"

	# --- the TokenSource interface ----------------------------------------------------------

	def token(self) -> str:
		access = self.peek()
		if access:
			self._seen = access
			return access
		return self._renew(self._seen)

	def refresh(self) -> str:
		return self._renew(self._seen)

	def peek(self) -> str | None:
		"""The cached access token if it is valid for LEEWAY seconds more, else None."""
		if not frappe.db.exists("Token Cache", self.cache_name):
			return None
		cache = frappe.get_doc("Token Cache", self.cache_name)
		access = cache.get_password("access_token", raise_exception=False)
		if access and cache.expires_in and cache.get_expires_in() > LEEWAY:
			return access
		return None

	def connected(self) -> bool:
		"""Has the user authorised the app (is there a token to use or refresh)?"""
		if not self.user:
			return bool(self.account_id)
		if not frappe.db.exists("Token Cache", self.cache_name):
			return False
		cache = frappe.get_doc("Token Cache", self.cache_name)
		return bool(
			cache.get_password("refresh_token", raise_exception=False)
			or cache.get_password("access_token", raise_exception=False)
		)

	# --- renewing -----------------------------------------------------------------------------

	def _renew(self, seen: str | None) -> str:
		cache = self._locked_cache()
		current = cache.get_password("access_token", raise_exception=False) if cache else None
		if cache and current and current != seen and cache.expires_in and cache.get_expires_in() > LEEWAY:
			self._seen = current  # another worker renewed it meanwhile
			return current
		app = frappe.get_doc("Connected App", self.app)
		secret = app.get_password("client_secret", raise_exception=False) or ""
		got: dict = {}
		common = {
			"client_id": app.client_id or "",
			"client_secret": secret,
			"token_url": app.token_uri,
			"on_refresh": got.update,
		}
		if self.user:
			refresh_token = cache.get_password("refresh_token", raise_exception=False) if cache else None
			if not refresh_token:
				raise ProviderAuthError(
					"{0} is not authorised for {1}: connect it first", self.spec.label, self.user
				)
			source = self.spec.user_token_factory()(
				refresh_token=refresh_token, scope=" ".join(app.get_scopes()) or None, **common
			)
		else:
			if not self.account_id:
				raise ProviderAuthError("The {0} account-level app needs its account id", self.spec.label)
			source = self.spec.app_token_factory()(account_id=self.account_id, **common)
		access = source.refresh()  # ProviderAuthError when refused, ProviderUnavailable when down
		if cache is None:
			cache = frappe.get_doc({"doctype": "Token Cache", "connected_app": self.app, "user": None})
		data = {
			"access_token": access,
			"token_type": "Bearer",
			"expires_in": max(0, int((got.get("expires_at") or time.time() + 3600) - time.time())),
		}
		if got.get("refresh_token"):
			data["refresh_token"] = got["refresh_token"]
		if got.get("scope"):
			data["scope"] = got["scope"]
		cache.update_data(data)  # saves and commits: a rotated refresh token is never lost
		self._seen = access
		return access

	def _locked_cache(self):
		"""The Token Cache row, locked until the caller's transaction ends (None: none yet)."""
		found = frappe.db.sql(
			"select name from `tabToken Cache` where name=%s for update", (self.cache_name,), pluck=True
		)
		if not found:
			return None
		return frappe.get_doc("Token Cache", self.cache_name)


def authorization_url(app: str, success_uri: str) -> str:
	"""Start the Connected App's authorisation-code flow for the signed-in user again (a new
	state in their Token Cache); the provider sends them back to the app's callback, which
	stores the tokens and redirects to ``success_uri``."""
	doc = frappe.get_doc("Connected App", app)
	if not (doc.authorization_uri and doc.token_uri and doc.client_id):
		frappe.throw(_("Connected App {0} needs its client ID, authorization URI and token URI").format(app))
	return doc.initiate_web_application_flow(user=frappe.session.user, success_uri=success_uri)
