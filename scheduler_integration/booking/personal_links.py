"""Personal booking links (rules: ``rules.personal_links``): found by their token's hash,
used under their row lock.

``open_link`` reads a link for a page or a slot read; ``take`` is called inside the
booking's transaction: it locks the link's row (``SELECT … FOR UPDATE``) before the
booking takes its hosts' locks, checks it may still book, and counts the use. Of several
simultaneous bookings through a link's last use, the first to lock it books and the
others wait, then find it used (410). A link whose booking is refused (the time was taken)
is not used: the transaction that counted it rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass

import frappe
from frappe import _

from scheduler_integration.booking.errors import LinkGone
from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.rules.personal_links import (
	EXPIRED,
	MESSAGES,
	REVOKED,
	USABLE,
	USED,
	plausible,
	state,
	token_hash,
)

DOCTYPE = "Scheduler Personal Link"
FIELDS = (
	"name",
	"meeting_type",
	"host",
	"guest_name",
	"guest_email",
	"guest_phone",
	"reference_doctype",
	"reference_name",
	"uses",
	"max_uses",
	"expires_at",
	"revoked",
)
STATUS = {USABLE: "Active", USED: "Used", EXPIRED: "Expired", REVOKED: "Revoked"}


@dataclass(frozen=True)
class LinkScope:
	"""What a personal link books: its type, with its host only, for its record."""

	name: str
	meeting_type: str
	host: str
	prefill: dict
	reference: tuple[str, str] | None

	@property
	def hosts(self) -> tuple[str, ...]:
		return (self.host,)


def _row(token, for_update: bool = False):
	if not plausible(token):
		raise frappe.DoesNotExistError(_("This booking link does not exist"))
	rows = frappe.db.sql(
		f"select {', '.join(f'`{f}`' for f in FIELDS)} from `tabScheduler Personal Link` "
		"where token_hash = %(hash)s" + (" for update" if for_update else ""),
		{"hash": token_hash(token)},
		as_dict=True,
	)
	if not rows:
		raise frappe.DoesNotExistError(_("This booking link does not exist"))
	return rows[0]


def state_of(row, now=None) -> str:
	expires = to_utc(row.expires_at) if row.expires_at else None
	return state(
		revoked=bool(row.revoked),
		uses=int(row.uses or 0),
		max_uses=int(row.max_uses or 1),
		expires_at=expires,
		now=now or utc_now(),
	)


def _scope(row) -> LinkScope:
	prefill = {
		key: value
		for key, value in (("name", row.guest_name), ("email", row.guest_email), ("phone", row.guest_phone))
		if value
	}
	reference = (
		(row.reference_doctype, row.reference_name) if row.reference_doctype and row.reference_name else None
	)
	return LinkScope(row.name, row.meeting_type, row.host, prefill, reference)


def open_link(token, now=None) -> LinkScope:
	"""The link of ``token`` while it may book; ``LinkGone`` (410) once it may not, 404 for
	a token that names no link."""
	row = _row(token)
	found = state_of(row, now)
	if found != USABLE:
		raise LinkGone(_(MESSAGES[found]), found)
	return _scope(row)


def take(token, now=None) -> LinkScope:
	"""Lock the link for this transaction, check it may book and count one use."""
	row = _row(token, for_update=True)
	found = state_of(row, now)
	if found != USABLE:
		raise LinkGone(_(MESSAGES[found]), found)
	uses = int(row.uses or 0) + 1
	after = state_of(frappe._dict(row, uses=uses), now)
	frappe.db.set_value(
		DOCTYPE, row.name, {"uses": uses, "status": STATUS.get(after, "Active")}, update_modified=False
	)
	return _scope(row)


def booked(scope: LinkScope, booking: str) -> None:
	frappe.db.set_value(DOCTYPE, scope.name, "last_booking", booking, update_modified=False)


def status_of(row, now=None) -> str:
	"""The link's status as it is now (Active, Used, Expired, Revoked)."""
	return STATUS.get(state_of(row, now), "Active")
