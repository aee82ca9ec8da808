"""OnceHub (ScheduleOnce) webhooks (signature already checked) as meetings and engagements.

A consultant's OnceHub webhook is named in its address (``?account=<OnceHub user ID>``,
Scheduler Profile → OnceHub User ID); its secret (stored encrypted) checks the
``Oncehub-Signature``. The event object carries the whole booking
(``rules.external_schedulers.oncehub_event``). A delivery reads and changes only the
meetings of the account whose secret verified it: a booking whose ``owner`` is another
OnceHub user is ignored (each user's own webhook reports theirs). The report comes back as
``utm_content``, which report links set.
"""

from __future__ import annotations

import frappe
from frappe.utils.password import get_decrypted_password

from scheduler_integration.reporting import external_meetings
from scheduler_integration.rules.external_schedulers import oncehub_event

_FIELDS = ["name", "user", "oncehub_user_id"]


def profile_for(account) -> frappe._dict | None:
	"""The profile whose OnceHub user ID is ``account`` (None: no such account here)."""
	if not isinstance(account, str) or not account.strip() or len(account) > 40:
		return None
	return frappe.db.get_value(
		"Scheduler Profile", {"oncehub_user_id": account.strip()}, _FIELDS, as_dict=True
	)


def secret(profile) -> str | None:
	return get_decrypted_password(
		"Scheduler Profile", profile.name, "oncehub_webhook_secret", raise_exception=False
	)


def handle(profile, payload: dict) -> external_meetings.DeliveryResult:
	"""Record the delivery (once), answering what was done."""
	event = oncehub_event(payload)
	if event is None:
		return {"ignored": True}
	owner = payload["data"].get("owner")
	if isinstance(owner, dict):  # expanded: the user object
		owner = owner.get("id")
	if isinstance(owner, str) and owner.strip() and owner.strip() != profile.oncehub_user_id:
		# another OnceHub user's booking: the secret that signed this is not theirs, so it
		# records nothing for them (their own webhook reports it)
		return {"ignored": True}
	return external_meetings.apply(event, host=profile.user)
