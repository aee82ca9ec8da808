# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from datetime import datetime

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration import effects
from scheduler_integration.booking import check, numbers
from scheduler_integration.booking.errors import ChangeRefused
from scheduler_integration.booking.tokens import issue_token
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.errors import FieldErrors
from scheduler_integration.engine.booking_states import ACTIVE, Actor, Status, lifecycle_event
from scheduler_integration.engine.validation import (
	clean_email,
	clean_guest_name,
	clean_guest_text,
	clean_phone,
)


class SchedulerBooking(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from scheduler_integration.scheduler_integration.doctype.scheduler_booking_host.scheduler_booking_host import (
			SchedulerBookingHost,
		)
		from scheduler_integration.scheduler_integration.doctype.scheduler_booking_record.scheduler_booking_record import (
			SchedulerBookingRecord,
		)

		allow_overlap: DF.Check
		answers: DF.JSON | None
		booker_timezone: DF.Data | None
		cancel_reason: DF.SmallText | None
		cancelled_at: DF.Datetime | None
		confirmed_at: DF.Datetime | None
		contact: DF.Link | None
		crm_doctype: DF.Link | None
		crm_name: DF.DynamicLink | None
		crm_records: DF.Table[SchedulerBookingRecord]
		end: DF.Datetime
		guest_company: DF.Data | None
		guest_email: DF.Data
		guest_name: DF.Data
		guest_phone: DF.Data | None
		host: DF.Link
		hosts: DF.Table[SchedulerBookingHost]
		ical_uid: DF.Data | None
		language: DF.Link | None
		idempotency_key: DF.Data | None
		location: DF.SmallText | None
		manage_token_hash: DF.Data | None
		meeting_connection: DF.Data | None
		meeting_id: DF.Data | None
		meeting_link: DF.SmallText | None
		meeting_password: DF.Data | None
		meeting_provider: DF.Data | None
		meeting_type: DF.Link
		notes: DF.SmallText | None
		overlap_reason: DF.SmallText | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		sequence: DF.Int
		source: DF.Data | None
		start: DF.Datetime
		status: DF.Literal["Pending", "Confirmed", "Cancelled", "Completed", "No Show"]
		title: DF.Data | None
		token_expires: DF.Datetime | None
		token_nonce: DF.Data | None
		utm_campaign: DF.Data | None
		utm_medium: DF.Data | None
		utm_source: DF.Data | None

	# end: auto-generated types

	def actor(self) -> Actor:
		"""Who makes this change: set by the caller (guest API, jobs), else the session's
		user — a guest session is a guest, anyone signed in acts as a host."""
		if isinstance(self.flags.actor, Actor):
			return self.flags.actor
		return Actor.GUEST if frappe.session.user == "Guest" else Actor.HOST

	def validate(self):
		self.clean_guest_fields()
		before = None if self.is_new() else self.get_doc_before_save()
		try:
			check.run(self, before, actor=self.actor(), now=self.flags.now or utc_now())
		except ChangeRefused as exc:
			frappe.msgprint(frappe.utils.escape_html(str(exc)), title=_("Not allowed"), indicator="red")
			raise
		for row in self.hosts:
			# booking.load reads a host's bookings by these copies (index on host and end)
			row.start, row.end = self.start, self.end
		type_title = frappe.get_cached_value("Scheduler Meeting Type", self.meeting_type, "title") or ""
		self.title = f"{type_title}: {self.guest_name}"[:140] if type_title else (self.guest_name or "")[:140]

	def clean_guest_fields(self):
		"""Guest text as typed, checked; only fields that changed (an older booking's
		status can still change although its text predates today's rules)."""
		errors = FieldErrors()
		rules = {
			"guest_name": (clean_guest_name, "guest_name"),
			"guest_company": (clean_guest_name, "guest_company", 140),
			"guest_email": (clean_email, "guest_email"),
			"guest_phone": (clean_phone, "guest_phone"),
			"notes": (clean_guest_text, "notes", 5000),
			"cancel_reason": (clean_guest_text, "cancel_reason", 1000),
		}
		options = {"guest_company": {"required": False}}
		for field, (cleaner, *args) in rules.items():
			if self.is_new() or self.has_value_changed(field):
				self.set(
					field, errors.clean(field, cleaner, self.get(field), *args, **options.get(field, {}))
				)
		errors.raise_if_any()

	def autoname(self):
		# from a sequence, not a naming series: its counter row stayed locked until commit,
		# so bookings of different hosts waited for each other (booking.numbers)
		self.name = numbers.next_name()

	def before_insert(self):
		self.ical_uid = self.ical_uid or f"{frappe.generate_hash(length=20)}@scheduler_integration"
		if not self.token_nonce:
			issue_token(self)

	def before_save(self):
		if self.is_new() and not self.location:
			self.location = frappe.get_cached_doc("Scheduler Meeting Type", self.meeting_type).location_text()
		if self.status == Status.CONFIRMED and not self.confirmed_at:
			self.confirmed_at = to_system(self.flags.now or utc_now())

	def after_insert(self):
		effects.dispatch(self, lifecycle_event(None, self.status))
		self.record_overlap()

	def on_update(self):
		before = self.get_doc_before_save()
		if before is None:
			return  # a new booking: after_insert dispatched it
		event = lifecycle_event(
			before.status, self.status, moved=bool(self.flags.moved), by_guest=self.actor() is Actor.GUEST
		)
		effects.dispatch(self, event)
		self.record_overlap()

	def record_overlap(self):
		if self.flags.overlap_override:
			self.add_comment(
				"Info",
				_("Overlap allowed by {0}: {1}").format(
					frappe.utils.get_fullname(frappe.session.user),
					self.overlap_reason or _("no reason given"),
				),
			)

	# --- the changes hosts, guests and jobs make (each goes through validate) ---

	def _change(self, actor: Actor | None, now: datetime | None):
		if actor is not None:
			self.flags.actor = actor
		if now is not None:
			self.flags.now = now

	def reschedule(self, start: datetime, actor: Actor | None = None, now: datetime | None = None):
		"""Move to ``start`` (aware) in place: same UID, SEQUENCE + 1, the same checks as a new booking."""
		self._change(actor, now)
		self.start = to_system(start)
		self.save()
		return self

	def _require(self, statuses, message: str):
		if self.status not in statuses:
			raise ChangeRefused(message.format(_(self.status)), "not_allowed")

	def cancel(self, reason: str = "", actor: Actor | None = None, now: datetime | None = None):
		self._require(ACTIVE, _("This booking is already {0}"))
		self._change(actor, now)
		self.status = Status.CANCELLED.value
		self.cancel_reason = reason or self.cancel_reason
		self.cancelled_at = to_system(now or utc_now())
		self.save()
		return self

	def confirm(self, actor: Actor | None = None, now: datetime | None = None):
		self._require((Status.PENDING,), _("Only pending bookings can be confirmed; this one is {0}"))
		self._change(actor, now)
		self.status = Status.CONFIRMED.value
		self.confirmed_at = to_system(now or utc_now())
		self.save()
		return self

	def decline(self, reason: str = "", actor: Actor | None = None, now: datetime | None = None):
		self._require((Status.PENDING,), _("Only pending bookings can be declined; this one is {0}"))
		return self.cancel(reason or _("Declined by the host"), actor, now)

	def mark_no_show(self, actor: Actor | None = None, now: datetime | None = None):
		self._require(
			(Status.CONFIRMED, Status.COMPLETED),
			_("Only confirmed or completed bookings can be marked as no-show; this one is {0}"),
		)
		self._change(actor, now)
		self.status = Status.NO_SHOW.value
		self.save()
		return self

	def mark_completed(self, actor: Actor | None = None, now: datetime | None = None):
		self._require(
			(Status.CONFIRMED, Status.NO_SHOW), _("Only confirmed bookings can be completed; this one is {0}")
		)
		self._change(actor, now)
		self.status = Status.COMPLETED.value
		self.save()
		return self
