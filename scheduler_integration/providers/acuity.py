"""Acuity Scheduling's appointment API, as far as the webhook needs it: one appointment by id.

``GET <base>/appointments/<id>`` with HTTP Basic auth ``<user id>:<API key>`` answers the
appointment object (id, firstName, lastName, email, datetime ``2013-07-02T10:15:00-0700``,
duration in minutes as text, appointmentTypeID, calendarID, canceled, noShow, forms …).
Errors: 401 → ``ProviderAuthError``, 404 → ``EventNotFound`` (None here: nothing to
record), 429/5xx/timeouts → ``ProviderUnavailable``, other 4xx ``ProviderError``. Timeouts
and the answer's size are bounded, redirects are not followed, and nothing is logged.
"""

from __future__ import annotations

import json

import requests

from .errors import ProviderAuthError, ProviderError, ProviderUnavailable
from .oauth import DEFAULT_TIMEOUT, parse_retry_after

__all__ = ["BASE_URL", "AcuityApi"]

BASE_URL = "https://acuityscheduling.com/api/v1"
MAX_BYTES = 1024 * 1024


class AcuityApi:
	label = "Acuity"

	def __init__(
		self,
		user_id: str,
		api_key: str,
		*,
		base_url: str = BASE_URL,
		session: requests.Session | None = None,
		timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
	):
		if not user_id or not api_key:
			raise ProviderAuthError("{0} needs the account's user ID and API key", self.label)
		self.base_url = base_url.rstrip("/")
		self.auth = (str(user_id), str(api_key))
		self.session = session or requests.Session()
		self.timeout = timeout

	def appointment(self, appointment_id: str) -> dict | None:
		"""The appointment, or None when Acuity does not know it."""
		if not str(appointment_id).isdigit():
			return None
		try:
			response = self.session.get(
				f"{self.base_url}/appointments/{appointment_id}",
				auth=self.auth,
				headers={"Accept": "application/json"},
				timeout=self.timeout,
				allow_redirects=False,
				stream=True,
			)
		except requests.Timeout:
			raise ProviderUnavailable("{0} did not answer in time", self.label) from None
		except requests.RequestException:
			raise ProviderUnavailable("{0} could not be reached", self.label) from None
		with response:
			status = response.status_code
			if status == 404:
				return None
			if status in (401, 403):
				raise ProviderAuthError("{0} refused the user ID or API key", self.label, status=status)
			if status == 429 or status >= 500:
				raise ProviderUnavailable(
					"{0} is unavailable (HTTP {1})",
					self.label,
					status,
					status=status,
					retry_after=parse_retry_after(response.headers.get("Retry-After")),
				)
			if status != 200:
				raise ProviderError("{0} refused the request (HTTP {1})", self.label, status, status=status)
			body = response.raw.read(MAX_BYTES + 1, decode_content=True)
		if len(body) > MAX_BYTES:
			raise ProviderError("{0} answered too much", self.label)
		try:
			data = json.loads(body.decode("utf-8"))
		except (UnicodeError, ValueError):
			raise ProviderError("{0} answered something that is not JSON", self.label) from None
		return data if isinstance(data, dict) else None
