"""An optional CAPTCHA on the booking form (Scheduler Settings → CAPTCHA), besides the proof
of work of ``booking.bot_check``: Cloudflare Turnstile or hCaptcha.

The page shows the provider's widget with the site key (``page_config``); the widget gives
the browser a one-time token, which the booking request carries as ``captcha_token``.
``verify`` asks the provider about it before anything is booked: a form-encoded POST of
``secret``, ``response`` and ``remoteip`` (hCaptcha also ``sitekey``) to the provider's
``siteverify`` endpoint — or to Settings → CAPTCHA Verify URL, for a proxy or a test
server — whose JSON answer says ``success`` (with ``error-codes`` when not). The
providers answer a token once: a retry needs a fresh one from the widget.

A provider that cannot be reached refuses the booking (503, ``BOT_CHECK_UNAVAILABLE``):
the site asked for the check, so it is never skipped.
"""

from __future__ import annotations

from typing import TypedDict

import frappe
import requests
from frappe import _

from scheduler_integration.core import error_codes as codes
from scheduler_integration.core.answers import Url
from scheduler_integration.core.errors import FieldValidationError, ServerBusy
from scheduler_integration.core.settings import get_settings, setting

PROVIDERS = {
	"Cloudflare Turnstile": {
		"key": "turnstile",
		"verify": "https://challenges.cloudflare.com/turnstile/v0/siteverify",
		"script": "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit",
	},
	"hCaptcha": {
		"key": "hcaptcha",
		"verify": "https://api.hcaptcha.com/siteverify",
		"script": "https://js.hcaptcha.com/1/api.js?render=explicit",
	},
}
TIMEOUT = 10  # seconds for the provider's answer
MAX_TOKEN = 4096  # Turnstile's tokens are at most 2048 characters, hCaptcha's shorter


class CaptchaUnavailable(ServerBusy):
	"""The CAPTCHA provider could not be asked: the guest should try again."""

	code = codes.BOT_CHECK_UNAVAILABLE
	http_status_code = codes.STATUS[code]


def provider() -> dict | None:
	"""The configured provider's row (None: no CAPTCHA)."""
	name = setting("captcha_provider") or ""
	return PROVIDERS.get(name) if setting("captcha_site_key") else None


class CaptchaConfig(TypedDict):
	"""The CAPTCHA widget a booking page shows: its provider, site key and script."""

	provider: str
	site_key: str
	script: Url


def page_config() -> CaptchaConfig | None:
	"""What the booking page needs to show the widget (None: no CAPTCHA)."""
	row = provider()
	if row is None:
		return None
	return {"provider": row["key"], "site_key": setting("captcha_site_key"), "script": row["script"]}


def verify(token, remote_ip: str | None) -> None:
	"""With a CAPTCHA configured: the provider confirms ``token`` (400 ``BOT_CHECK_FAILED``
	otherwise, 503 when it cannot be asked)."""
	row = provider()
	if row is None:
		return
	refused = _("Please complete the check that you are not a robot")
	if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN:
		raise FieldValidationError(refused, {"captcha": refused}, code=codes.BOT_CHECK_FAILED)
	settings = get_settings()
	form = {
		"secret": settings.get_password("captcha_secret_key", raise_exception=False) or "",
		"response": token.strip(),
	}
	if remote_ip:
		form["remoteip"] = remote_ip
	if row["key"] == "hcaptcha":
		form["sitekey"] = setting("captcha_site_key")
	url = setting("captcha_verify_url") or row["verify"]
	try:
		answer = requests.post(url, data=form, timeout=TIMEOUT)
		answer.raise_for_status()
		result = answer.json()
	except (requests.RequestException, ValueError):
		frappe.log_error(title=_("CAPTCHA provider did not answer"))
		raise CaptchaUnavailable(_("The bot check is unavailable right now; please try again")) from None
	if not (isinstance(result, dict) and result.get("success") is True):
		raise FieldValidationError(refused, {"captcha": refused}, code=codes.BOT_CHECK_FAILED)
