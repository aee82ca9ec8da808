"""A connection's provider adapters, opened with its credentials, and what the booking
side asks of them: the fresh busy read of a booking change, the booking's event written or
deleted, the video adapter, and the connection as a maker of meeting links."""

from __future__ import annotations

from contextlib import closing, nullcontext
from datetime import datetime

import frappe

from scheduler_integration.connections.credentials import credentials_of, spec_of
from scheduler_integration.connections.status import STATUS_RECONNECT
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.engine.meetings import Source
from scheduler_integration.providers.model import EventDraft


def opened(account):
	"""``with opened(account)``: closes the adapters that hold a session."""
	return closing(account) if hasattr(account, "close") else nullcontext(account)


def calendar_adapter(doc, timeout: float | None = None, fresh: bool = False):
	"""The provider's calendar adapter with the connection's credentials; ``fresh``: only
	credentials usable without renewing them (None when there are none)."""
	kwargs = credentials_of(doc).kwargs(doc, timeout=timeout, fresh=fresh)
	if kwargs is None:
		return None
	return spec_of(doc).open_calendar(**kwargs)


def calendars_to_read(doc, account) -> list[str]:
	"""The calendars whose busy time counts: the host's list, else the credentials' defaults."""
	return credentials_of(doc).calendars(doc, account)


def video_adapter(doc, user: str):
	"""The provider's video adapter acting for ``user`` (an account-wide app makes the
	meeting in that user's account, found by their email address)."""
	spec = spec_of(doc)
	kwargs = credentials_of(doc).kwargs(doc)
	if doc.account_wide and spec.account_user:
		kwargs[spec.account_user] = frappe.db.get_value("User", user, "email") or user
	return spec.open_video(**kwargs)


def busy_reader(doc, start: datetime, end: datetime, timeout: float):
	"""A zero-argument callable reading the connection's busy time without touching frappe
	(everything from the database is read now, in the caller's thread), or None when the
	connection has no calendar or no credentials usable right now."""
	if not spec_of(doc).calendar:
		return None
	account = calendar_adapter(doc, timeout, fresh=True)
	if account is None:
		return None
	calendars, zone = calendars_to_read(doc, account), host_timezone(doc.host)

	def read():
		with opened(account):
			return account.busy(calendars, start, end, zone)

	return read


def write_booking(doc, draft: EventDraft, event_id: str | None, with_meeting: bool = False):
	"""Create or move the booking's event; returns (event id, ``Meeting`` or None): with
	``with_meeting`` the provider's own video link on the event (Meet, Teams)."""
	account = calendar_adapter(doc)
	with opened(account):
		return account.write(doc.destination_calendar or "primary", draft, event_id, with_meeting)


def delete_booking(doc, draft: EventDraft, event_id: str | None) -> None:
	"""Remove the booking's event (adapters without the id find it by the draft's uid, or
	know there is none); already gone is fine."""
	account = calendar_adapter(doc)
	with opened(account):
		account.delete(doc.destination_calendar or "primary", draft, event_id)


def is_authorised(doc) -> bool:
	return credentials_of(doc).authorised(doc)


def authorize_url(doc, success_uri: str) -> str | None:
	"""Where the host authorises the provider (again); None for providers without OAuth."""
	return credentials_of(doc).authorize_url(doc, success_uri)


def link_source(doc) -> Source:
	"""The connection as the engine sees a maker of meeting links."""
	return Source(
		connection=doc.name,
		provider=spec_of(doc).name,
		host=doc.host,
		usable=bool(doc.enabled) and doc.status != STATUS_RECONNECT and is_authorised(doc),
		writes_bookings=bool(doc.write_bookings),
		account_wide=bool(doc.account_wide),
	)
