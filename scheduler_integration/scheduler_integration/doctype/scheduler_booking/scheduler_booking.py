# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from datetime import datetime

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration import effects
from scheduler_integration.booking import (
	check,
	deletion,
	fields,
	host_changes,
	numbers,
	round_robin,
	seats,
	series,
	slot_answers,
)
from scheduler_integration.booking.errors import ChangeRefused
from scheduler_integration.booking.meeting_types import meeting_type_doc, type_context
from scheduler_integration.booking.tokens import issue_token
from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.core.links import ChecksLinksItSets
from scheduler_integration.core.table_text import TableRowsAsText
from scheduler_integration.effects.email import sent_to_guest
from scheduler_integration.engine.booking_states import (
	Actor,
	Status,
	actions_for,
	lifecycle_event,
	may_become,
)
from scheduler_integration.engine.validation import (
	clean_email,
	clean_guest_name,
	clean_guest_text,
	clean_phone,
)
from scheduler_integration.rules.guest_form import (
	MAX_ATTENDEES,
	MAX_COMPANY,
	MAX_NAME,
	MAX_NOTES,
	MAX_REASON,
	clean_emails,
)
from scheduler_integration.rules.payment_statuses import BookingPayment
from scheduler_integration.rules.payments import (
	RefundPolicy,
	from_minor,
	hold_end,
	refund_amount,
	to_minor,
)


class SchedulerBooking(TableRowsAsText, ChecksLinksItSets, Document):
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
		amount: DF.Currency
		amount_paid: DF.Currency
		amount_refunded: DF.Currency
		answers: DF.JSON | None
		attendees: DF.SmallText | None
		booker_timezone: DF.Data | None
		cancel_reason: DF.SmallText | None
		cancelled_at: DF.Datetime | None
		confirmed_at: DF.Datetime | None
		contact: DF.Link | None
		crm_doctype: DF.Link | None
		crm_name: DF.DynamicLink | None
		crm_records: DF.Table[SchedulerBookingRecord]
		currency: DF.Link | None
		effect_writes: DF.JSON | None
		end: DF.Datetime
		guest_company: DF.Data | None
		guest_email: DF.Data
		guest_name: DF.Data
		guest_phone: DF.Data | None
		hold_until: DF.Datetime | None
		host: DF.Link
		host_changes: DF.JSON | None
		hosts: DF.Table[SchedulerBookingHost]
		ical_uid: DF.Data | None
		language: DF.Link | None
		locale: DF.Data | None
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
		personal_link: DF.Link | None
		payment: DF.Link | None
		payment_status: DF.Literal["", "Unpaid", "Paid", "Partly Refunded", "Refunded"]
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		routing_submission: DF.Link | None
		refund_due: DF.Currency
		seat_leader: DF.Check
		sequence: DF.Int
		series: DF.Link | None
		series_index: DF.Int
		short_code_hash: DF.Data | None
		source: DF.Data | None
		start: DF.Datetime
		status: DF.Literal["Pending", "Confirmed", "Cancelled", "Completed", "No Show", "Awaiting Payment"]
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

	def load_from_db(self):
		if self.flags.for_update and isinstance(self.name, str):
			# Frappe locks the booking's row, then its host rows, when it loads it for a change
			# (REST, frappe.client, the desk's save); the hosts' profiles come first on every
			# path (booking.check.lock_hosts)
			check.lock_hosts_of(self.name)
		super().load_from_db()
		# what this copy held when read: a field someone else changes meanwhile is no change
		# of whoever saves this copy (booking.fields)
		self.flags.loaded_values = fields.loaded_values(self)
		return self

	def validate(self):
		before = None if self.is_new() else self.get_doc_before_save()
		actor, now = self.actor(), self.flags.now or utc_now()
		try:
			# who may set what (engine.booking_fields), whatever the entry point; derived
			# fields go back to their stored values and are computed again below
			fields.enforce(self, before, actor)
			if before is None and self.flags.series:  # a meeting of a series (booking.series)
				self.series, self.series_index = self.flags.series
			self.clean_guest_fields()
			check.run(self, before, actor=actor, now=now)
		except ChangeRefused as exc:
			frappe.msgprint(frappe.utils.escape_html(str(exc)), title=_("Not allowed"), indicator="red")
			raise
		self.derive(before, now, actor)

	def derive(self, before, now: datetime, actor: Actor | None = None):
		"""The fields no caller sets: a new booking's invitation UID and manage token, the
		title, when the booking was confirmed or cancelled, and a paid booking's price, hold
		and what its cancellation refunds (``rules.payments``)."""
		if before is None:
			self.ical_uid = f"{frappe.generate_hash(length=20)}@scheduler_integration"
			issue_token(self)
		# hosts taken off or put on: the effects follow them (the stored booking as the
		# change's locks found it: ``check`` may have caught up with the effects' writes)
		host_changes.note(self, None if before is None else self.get_doc_before_save())
		status_before = before.status if before else None
		if before is None and self.status == Status.AWAITING_PAYMENT:
			self.hold(now)
		elif self.status == Status.AWAITING_PAYMENT and self.hold_until and self.flags.moved:
			# a host moved it: the hold still ends by the meeting's start
			self.hold_until = min(self.hold_until, self.start)
		if self.status != status_before:
			if self.status == Status.CONFIRMED:
				self.confirmed_at = to_system(now)
			elif self.status == Status.CANCELLED:
				self.cancelled_at = to_system(now)
				self.refund_due = self.refund_on_cancel(now, by_guest=actor is Actor.GUEST)
		type_title = meeting_type_doc(self.meeting_type).get("title") or ""
		self.title = f"{type_title}: {self.guest_name}"[:140] if type_title else (self.guest_name or "")[:140]

	def hold(self, now: datetime):
		"""A guest's booking of a paid type: its price now, unpaid, its time held a while."""
		mt = meeting_type_doc(self.meeting_type)
		self.amount, self.currency = mt.price, mt.currency
		self.payment_status = BookingPayment.UNPAID.value
		self.hold_until = to_system(hold_end(now, to_utc(self.start), mt.get("payment_hold_minutes")))

	def refund_on_cancel(self, now: datetime, by_guest: bool) -> float:
		"""What cancelling now gives back of what was paid (the type's policy for a guest)."""
		if not self.amount_paid or not self.currency:
			return 0
		mt = meeting_type_doc(self.meeting_type)
		minor = refund_amount(
			RefundPolicy.of(mt),
			to_minor(self.amount_paid, self.currency),
			to_minor(self.amount_refunded or 0, self.currency),
			to_utc(self.start),
			now,
			by_guest=by_guest,
		)
		return float(from_minor(minor, self.currency))

	def clean_guest_fields(self):
		"""Guest text as typed, checked; only fields that changed (an older booking's
		status can still change although its text predates today's rules)."""
		errors = FieldErrors()
		rules = {
			"guest_name": (clean_guest_name, "guest_name", MAX_NAME),
			"guest_company": (clean_guest_name, "guest_company", MAX_COMPANY),
			"guest_email": (clean_email, "guest_email"),
			"guest_phone": (clean_phone, "guest_phone"),
			"notes": (clean_guest_text, "notes", MAX_NOTES),
			"cancel_reason": (clean_guest_text, "cancel_reason", MAX_REASON),
		}
		options = {"guest_company": {"required": False}}
		for field, (cleaner, *args) in rules.items():
			if self.is_new() or self.has_value_changed(field):
				self.set(
					field, errors.clean(field, cleaner, self.get(field), *args, **options.get(field, {}))
				)
		if self.attendees and (self.is_new() or self.has_value_changed("attendees")):
			# the colleagues the guest added: addresses only, one a line, never the guest's own
			found = errors.clean(
				"attendees",
				clean_emails,
				self.attendees,
				"attendees",
				MAX_ATTENDEES,
				exclude=(self.guest_email or "",),
			)
			self.attendees = "\n".join(found) if isinstance(found, list) else found
		errors.raise_if_any()

	def autoname(self):
		# from a sequence, not a naming series: its counter row stayed locked until commit,
		# so bookings of different hosts waited for each other (booking.numbers)
		self.name = numbers.next_name()

	def before_save(self):
		if self.is_new() and not self.location:
			self.location = meeting_type_doc(self.meeting_type).location_text()

	def after_insert(self):
		effects.dispatch(self, lifecycle_event(None, self.status))
		self.record_overlap()
		self.tell_seats()

	def on_update(self):
		self.flags.loaded_values = fields.loaded_values(self)  # what is stored now
		before = self.get_doc_before_save()
		round_robin.record(self, before)  # in this transaction, under the hosts' locks
		self.outdate_slots(before)
		if self.series:
			series.refresh(self.series)
		if before is None:
			return  # a new booking: after_insert dispatched it
		event = lifecycle_event(
			before.status, self.status, moved=bool(self.flags.moved), by_guest=self.actor() is Actor.GUEST
		)
		effects.dispatch(self, event)
		self.record_overlap()
		self.tell_seats()

	def tell_seats(self):
		"""The slots whose guests this change altered write their event again (booking.seats)."""
		for leader in self.flags.seat_slots or ():
			# a locking read, as ``seats.members`` found it: a leader committed while this
			# change waited for the hosts' lock is not in the transaction's snapshot
			effects.dispatch(frappe.get_doc("Scheduler Booking", leader, for_update=True), "seats")
		self.flags.seat_slots = None

	def on_trash(self):
		round_robin.record(self, self, deleted=True)
		self.flags.seat_slots = seats.leave(self)  # before its records go: the slot keeps its own
		deletion.booking_deleted(self)
		self.outdate_slots()
		self.tell_seats()

	def after_delete(self):
		if self.series:
			series.refresh(self.series)

	def outdate_slots(self, before=None):
		"""The kept slot answers of every host this booking occupies or occupied."""
		rows = [*self.get("hosts", []), *(before.get("hosts", []) if before else [])]
		slot_answers.invalidate_bookings(({row.user for row in rows} | {self.host}) - {None, ""})

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
		"""Move to ``start`` (aware) in place: same UID, SEQUENCE + 1, the same checks as a new
		booking. A day of a multi-day booking moves every day: ``start`` is the new first day.
		A move to the time it already has changes nothing (no new sequence, no emails)."""
		if self.series and series.kind(self.series) == "Multi-day":
			first = min(series.day_docs(self), key=lambda day: int(day.series_index or 0))
			if to_utc(first.start) == start:
				return self
			return self._move_days(start, actor, now)
		if to_utc(self.start) == start:
			return self
		self._change(actor, now)
		self.start = to_system(start)
		self.save()
		return self

	def _move_days(self, start: datetime, actor: Actor | None, now: datetime | None):
		days = series.day_docs(self)
		starts = series.starts_of_days(self, start, type_context(self.meeting_type))
		group = tuple(day.name for day in days)
		for day in days:
			day = self if day.name == self.name else day
			day._change(actor, now)
			day.flags.move_group = group  # each day's check leaves the moving days out
			day.flags.ignore_permissions = self.flags.ignore_permissions
			day.booker_timezone = self.booker_timezone
			day.start = to_system(starts[int(day.series_index or 0)])
			day.save()
		return self

	def _require(self, after: Status, message: str, decline: bool = False):
		"""Refuse at once an action the state machine never allows from this status."""
		if not may_become(self.status, after.value, decline=decline):
			raise ChangeRefused(message.format(_(self.status)), "not_allowed")

	def _become(self, after: Status, message: str, actor: Actor | None, now: datetime | None, **values):
		"""Move to ``after`` (refused at once when the state machine never allows it) and save."""
		self._require(after, message)
		self._change(actor, now)
		self.status = after.value
		self.update(values)
		self.save()
		return self

	def cancel(
		self,
		reason: str = "",
		actor: Actor | None = None,
		now: datetime | None = None,
		following: bool = False,
	):
		"""Cancel; ``following``: this meeting of a series and every later one. A day of a
		multi-day booking cancels every day."""
		self._become(
			Status.CANCELLED,
			_("This booking is already {0}"),
			actor,
			now,
			cancel_reason=reason or self.cancel_reason,
		)
		if self.series and (following or series.kind(self.series) == "Multi-day"):
			multi_day = series.kind(self.series) == "Multi-day"
			for name in series.meetings(self.series):
				other = frappe.get_doc("Scheduler Booking", name)
				if multi_day or int(other.series_index or 0) > int(self.series_index or 0):
					other.flags.ignore_permissions = self.flags.ignore_permissions
					other._become(Status.CANCELLED, "", actor, now, cancel_reason=self.cancel_reason)
		return self

	def confirm(self, actor: Actor | None = None, now: datetime | None = None):
		return self._become(
			Status.CONFIRMED, _("Only pending bookings can be confirmed; this one is {0}"), actor, now
		)

	def decline(self, reason: str = "", actor: Actor | None = None, now: datetime | None = None):
		self._require(
			Status.CANCELLED, _("Only pending bookings can be declined; this one is {0}"), decline=True
		)
		return self.cancel(reason or _("Declined by the host"), actor, now)

	def mark_no_show(self, actor: Actor | None = None, now: datetime | None = None):
		return self._become(
			Status.NO_SHOW,
			_("Only confirmed or completed bookings can be marked as no-show; this one is {0}"),
			actor,
			now,
		)

	def mark_completed(self, actor: Actor | None = None, now: datetime | None = None):
		return self._become(
			Status.COMPLETED, _("Only confirmed bookings can be completed; this one is {0}"), actor, now
		)

	# --- paid bookings (the gateway's report: scheduler_payment) ---

	def require_awaiting_payment(self):
		"""Refuse what only a booking waiting for its payment may do: be paid for, be paid,
		have its hold released."""
		if self.status != Status.AWAITING_PAYMENT:
			raise ChangeRefused(_("This booking is not waiting for a payment"), "not_allowed")

	def mark_paid(self, payment, now: datetime | None = None):
		"""The payment it waited for arrived: confirmed by the system (a request to the host
		when the type needs the host's confirmation), with every effect of a new booking."""
		after = (
			Status.PENDING
			if meeting_type_doc(self.meeting_type).get("requires_confirmation")
			else Status.CONFIRMED
		)
		self.require_awaiting_payment()
		return self._become(
			after,
			"",  # (from awaiting its payment, both are always allowed)
			Actor.SYSTEM,
			now,
			amount_paid=payment.amount,
			payment_status=BookingPayment.PAID.value,
			payment=payment.name,
		)

	def release_hold(self, reason: str, now: datetime | None = None):
		"""The hold ended unpaid: cancelled by the system, which frees the time once and tells
		the guest (``hold_expired``)."""
		self.require_awaiting_payment()
		return self._become(Status.CANCELLED, "", Actor.SYSTEM, now, cancel_reason=reason)

	def record_late_payment(self, payment):
		"""A payment arrived after the booking stopped waiting for it: kept on the booking
		(the revenue counts it and its refund) and given back in full (``late_payment``)."""
		self.db_set(
			{
				"amount_paid": payment.amount,
				"payment_status": BookingPayment.PAID.value,
				"payment": payment.name,
			},
			update_modified=False,
		)
		effects.dispatch(self, "late_payment")

	# --- the desk's actions (issue 38): what the form offers, decided by the engine ---

	def email_sent_to(self) -> str:
		"""The address the guest's confirmation goes to, when it is on its way; '' otherwise
		(the answer to the guest's booking says so)."""
		return sent_to_guest(self)

	def onload(self):
		"""The form's action buttons: ``allowed`` (the actions the session's user may take
		now) and ``waiting`` ({action: why not yet}), from ``engine.booking_states``, so
		the form script never repeats a rule."""
		self.set_onload("actions", self.desk_actions())

	def desk_actions(self, now: datetime | None = None) -> dict:
		if self.is_new() or not frappe.has_permission("Scheduler Booking", "write", self):
			return {"allowed": [], "waiting": {}}
		notice = meeting_type_doc(self.meeting_type).get("cancel_notice")
		found = actions_for(
			self.status,
			self.actor(),
			start=to_utc(self.start),
			now=now or utc_now(),
			cancel_notice=int(notice or 0),
		)
		return {
			"allowed": [action for action, refusal in found.items() if refusal is None],
			# a meeting still to come cannot be Completed or a No Show yet: not offered and
			# not explained (every future booking would say so); other refusals are explained
			"waiting": {
				action: translate(refusal)
				for action, refusal in found.items()
				if refusal and refusal.reason != "not_started"
			},
		}

	# --- end of the desk's actions ---


def on_doctype_update():
	# the guest caps' seeds (booking.caps): one email's or one meeting type's bookings made
	# inside a window, read as a range of these indexes, never the whole history
	frappe.db.add_index("Scheduler Booking", ["guest_email", "creation"], "guest_email_creation")
	frappe.db.add_index("Scheduler Booking", ["meeting_type", "creation"], "meeting_type_creation")
	# the jobs and the workspace read bookings of one status in a window (pending ones to
	# expire, confirmed ones that ended, finished ones of the last 90 days): a status's
	# rows by time, so a finished history is never read again
	frappe.db.add_index("Scheduler Booking", ["status", "start"], "status_start")
	frappe.db.add_index("Scheduler Booking", ["status", "`end`"], "status_end")
	# the seats of one slot of a seated meeting type (booking.seats)
	frappe.db.add_index("Scheduler Booking", ["meeting_type", "start"], "meeting_type_start")
	frappe.db.add_index("Scheduler Booking", ["status", "creation"], "status_creation")
	# the holds of paid bookings that have ended (jobs.payments)
	frappe.db.add_index("Scheduler Booking", ["status", "hold_until"], "status_hold_until")
