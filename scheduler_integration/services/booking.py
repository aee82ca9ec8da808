"""The booking transaction, cancel, reschedule and host confirmation.

No double booking: every change that can occupy a host's time first locks the host rows
(``SELECT … FOR UPDATE`` on their Scheduler Profiles, in name order so two transactions
never deadlock), then re-reads the host's active bookings with a locking read, asks the
engine whether the start is still offered, writes, and commits. Two requests for one host
therefore run one after the other, whatever the meeting type; the second sees the
first's booking and gets a 409 with the nearest alternatives.

Side effects (emails, CRM activity, calendar write, reminders) run after the commit as
background jobs: a failing side effect never undoes or loses the booking.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import frappe
from frappe import _

from scheduler_integration.engine import Assignment, Slot, pick_host
from scheduler_integration.engine.booking_rules import change_allowed
from scheduler_integration.services import scheduling
from scheduler_integration.services.timeutil import to_system, to_utc, utc_now

NONCE_BYTES = 16


class SlotUnavailable(frappe.ValidationError):
	"""The start is not (or no longer) offered: HTTP 409 with alternatives."""

	http_status_code = 409

	def __init__(self, message: str, reason: str | None, ctx, start: datetime, now: datetime):
		super().__init__(message)
		self.reason = reason
		self._search = (ctx, start, now)

	def alternatives(self, count: int = 3) -> list[Slot]:
		"""The nearest offered starts. Call it after the transaction ended: the search
		must not run while the host rows are still locked."""
		return scheduling.alternatives_for(*self._search, count)


class PolicyRefused(frappe.ValidationError):
	"""A cancel or reschedule outside the meeting type's notice policy."""

	http_status_code = 403


def hash_token(token: str) -> str:
	return hashlib.sha256(token.encode()).hexdigest()


def token_for_nonce(nonce: str) -> str:
	"""Manage token = HMAC-SHA256(site encryption key, nonce): 256 bits, URL-safe.

	The database keeps only the nonce and SHA-256(token): a database leak alone opens no
	booking, yet reminder emails sent days later can still carry the guest's link.
	"""
	from frappe.utils.password import get_encryption_key

	digest = hmac.new(get_encryption_key().encode(), nonce.encode(), hashlib.sha256).digest()
	return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_token(doc) -> str:
	"""Give ``doc`` a fresh manage token (the previous link stops working)."""
	doc.token_nonce = secrets.token_hex(NONCE_BYTES)
	token = token_for_nonce(doc.token_nonce)
	doc.manage_token_hash = hash_token(token)
	return token


def manage_token(doc) -> str | None:
	return token_for_nonce(doc.token_nonce) if doc.token_nonce else None


def manage_url(doc) -> str | None:
	token = manage_token(doc)
	return frappe.utils.get_url(f"/book/manage/{token}") if token else None


def booking_for_token(token: str, for_update: bool = False):
	"""The booking a manage token opens, or DoesNotExistError (unknown or expired)."""
	if not token or not isinstance(token, str) or len(token) > 100:
		raise frappe.DoesNotExistError(_("This link is not valid"))
	name = frappe.db.get_value(
		"Scheduler Booking", {"manage_token_hash": hash_token(token)}, "name", for_update=for_update
	)
	if not name:
		raise frappe.DoesNotExistError(_("This link is not valid"))
	doc = frappe.get_doc("Scheduler Booking", name)
	if doc.token_expires and to_utc(doc.token_expires) < utc_now():
		raise frappe.DoesNotExistError(_("This link has expired"))
	return doc


def lock_hosts(users: list[str]) -> None:
	"""Serialise every booking change of these hosts until the transaction ends."""
	frappe.db.sql(
		"select name from `tabScheduler Profile` where user in %(users)s order by name for update",
		{"users": tuple(sorted(set(users)))},
	)


def _refuse(ctx, check, start: datetime, now: datetime):
	reason = check.reason.value if check.reason else None
	messages = {
		"too_soon": _("This time is too soon to book."),
		"too_far": _("This time is too far in the future to book."),
		"limit_reached": _("This day is fully booked."),
		"conflict": _("This time was just taken."),
		"outside_availability": _("This time is not available."),
	}
	raise SlotUnavailable(messages.get(reason, _("This time is not available.")), reason, ctx, start, now)


def create_booking(
	meeting_type: str,
	start: datetime,
	guest: dict,
	*,
	idempotency_key: str | None = None,
	extra: dict | None = None,
	now: datetime | None = None,
):
	"""Book ``start`` (aware) of ``meeting_type`` for ``guest`` (cleaned fields). Returns (doc, token)."""
	now = now or utc_now()
	ctx = scheduling.type_context(meeting_type)
	if not ctx.doc.active or not ctx.profile.active:
		raise frappe.DoesNotExistError(_("This meeting type is not available"))
	fresh_calendars(ctx, start)
	try:
		return _create_locked(ctx, start, guest, idempotency_key, extra, now)
	finally:
		frappe.local.scheduler_fresh_busy = None


def fresh_calendars(ctx, start: datetime) -> None:
	"""Before locking: one bounded (≤ 2 s) fresh read of the hosts' calendars for this request."""
	from scheduler_integration.services.calendar_sync import fresh_check

	frappe.local.scheduler_fresh_busy = fresh_check(
		ctx.host_users, start - timedelta(days=1), start + timedelta(days=1)
	)


def _create_locked(ctx, start: datetime, guest: dict, idempotency_key, extra, now: datetime):
	lock_hosts(ctx.host_users)
	if idempotency_key:
		existing = frappe.db.sql(
			"""select name from `tabScheduler Booking` where idempotency_key=%s and guest_email=%s
			and meeting_type=%s for update""",
			(idempotency_key, guest["guest_email"], ctx.doc.name),
		)
		if existing:
			doc = frappe.get_doc("Scheduler Booking", existing[0][0])
			return doc, manage_token(doc)
	schedules, check = scheduling.check_for(ctx, start, now, lock=True)
	if not check.offered:
		_refuse(ctx, check, start, now)
	if ctx.assignment is Assignment.ROUND_ROBIN:
		host = pick_host(check.hosts, schedules)
	else:
		host = ctx.host_users[0]
	end = start + timedelta(minutes=ctx.policy.duration)
	pending = bool(ctx.doc.requires_confirmation)
	doc = frappe.get_doc(
		{
			"doctype": "Scheduler Booking",
			"meeting_type": ctx.doc.name,
			"host": host,
			"status": "Pending" if pending else "Confirmed",
			"start": to_system(start),
			"end": to_system(end),
			**guest,
			**(extra or {}),
			"location": location_text(ctx.doc),
			"token_expires": to_system(end),
			"idempotency_key": idempotency_key,
			"sequence": 0,
			"confirmed_at": None if pending else to_system(now),
		}
	)
	doc.ical_uid = f"{frappe.generate_hash(length=20)}@scheduler_integration"
	token = issue_token(doc)
	doc.flags.ignore_permissions = True
	doc.insert()
	if ctx.assignment is Assignment.COLLECTIVE:
		doc.add_comment("Info", _("Collective meeting with {0}").format(", ".join(ctx.host_users)))
	return doc, token


def location_text(meeting_type) -> str:
	parts = [
		_(meeting_type.location_type) if meeting_type.location_type else "",
		meeting_type.location_details or "",
	]
	return " — ".join(part for part in parts if part)


def _notice_ok(doc, field: str, now: datetime) -> bool:
	minutes = frappe.db.get_value("Scheduler Meeting Type", doc.meeting_type, field)
	return change_allowed(to_utc(doc.start), now, minutes)


def cancel_booking(doc, reason: str = "", by_guest: bool = True, now: datetime | None = None):
	now = now or utc_now()
	if doc.status not in scheduling.ACTIVE_STATUSES:
		raise PolicyRefused(_("This booking is already {0}").format(_(doc.status)))
	if by_guest and not _notice_ok(doc, "cancel_notice", now):
		raise PolicyRefused(_("This booking can no longer be cancelled online; please contact the host"))
	doc.status = "Cancelled"
	doc.cancel_reason = reason
	doc.cancelled_at = to_system(now)
	doc.flags.cancelled_by_guest = by_guest
	doc.flags.ignore_permissions = True
	doc.save()
	return doc


def reschedule_booking(doc, new_start: datetime, now: datetime | None = None, by_guest: bool = True):
	"""Move ``doc`` to ``new_start`` in place (same UID, SEQUENCE + 1), under the host lock."""
	now = now or utc_now()
	if doc.status not in scheduling.ACTIVE_STATUSES:
		raise PolicyRefused(_("This booking is already {0}").format(_(doc.status)))
	if by_guest and not _notice_ok(doc, "reschedule_notice", now):
		raise PolicyRefused(_("This booking can no longer be rescheduled online; please contact the host"))
	ctx = scheduling.type_context(doc.meeting_type)
	fresh_calendars(ctx, new_start)
	try:
		lock_hosts(ctx.host_users)
		schedules, check = scheduling.check_for(ctx, new_start, now, exclude=doc.name, lock=True)
	finally:
		frappe.local.scheduler_fresh_busy = None
	if not check.offered:
		_refuse(ctx, check, new_start, now)
	if ctx.assignment is Assignment.ROUND_ROBIN and doc.host not in check.hosts:
		doc.host = pick_host(check.hosts, schedules)
	end = new_start + timedelta(minutes=ctx.policy.duration)
	doc.start = to_system(new_start)
	doc.end = to_system(end)
	doc.token_expires = to_system(end)
	doc.sequence = int(doc.sequence or 0) + 1
	doc.flags.ignore_permissions = True
	doc.save()
	return doc


def confirm_booking(doc, now: datetime | None = None):
	if doc.status != "Pending":
		raise PolicyRefused(_("Only pending bookings can be confirmed"))
	doc.status = "Confirmed"
	doc.confirmed_at = to_system(now or utc_now())
	doc.save()
	return doc


def decline_booking(doc, reason: str = ""):
	if doc.status != "Pending":
		raise PolicyRefused(_("Only pending bookings can be declined"))
	doc.status = "Cancelled"
	doc.cancel_reason = reason or _("Declined by the host")
	doc.cancelled_at = to_system(utc_now())
	doc.save()
	return doc


def expire_pending(now: datetime | None = None) -> int:
	"""Cancel pending bookings nobody confirmed in time (hourly job); the guest is told."""
	from scheduler_integration.services.settings import setting

	now = now or utc_now()
	hours = int(setting("pending_expiry_hours") or 48)
	cutoff = to_system(now - timedelta(hours=hours))
	names = frappe.get_all(
		"Scheduler Booking",
		filters={"status": "Pending", "creation": ("<", cutoff)},
		pluck="name",
	)
	started = frappe.get_all(
		"Scheduler Booking", filters={"status": "Pending", "start": ("<", to_system(now))}, pluck="name"
	)
	for name in set(names) | set(started):
		doc = frappe.get_doc("Scheduler Booking", name)
		doc.status = "Cancelled"
		doc.cancel_reason = _("Not confirmed in time")
		doc.cancelled_at = to_system(now)
		doc.flags.ignore_permissions = True
		doc.save()
		frappe.db.commit()
	return len(set(names) | set(started))
