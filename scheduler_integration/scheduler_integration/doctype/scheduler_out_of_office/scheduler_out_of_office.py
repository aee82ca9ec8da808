# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

"""A host's time away: their booking pages offer nothing on these dates (their own,
host-local dates, both included), and a colleague may cover them — taking the meetings of
the host's own page on those dates and the host's round-robin share where both host the
same type (``engine.out_of_office``, loaded by ``booking.leave``).

A colleague covers only once they agree, as a host joins a team: naming them invites them
(``delegate_status`` Invited, a to-do for them) and they accept or decline
(``respond_to_cover``); until they accept, guests are never booked with them. Widening the
dates asks them anew. A Scheduler Manager's choice counts at once."""

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import availability
from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.core.naming import readable_name
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.out_of_office import Leave
from scheduler_integration.engine.validation import clean_text


class SchedulerOutofOffice(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		delegate: DF.Link | None
		delegate_status: DF.Literal["", "Invited", "Accepted", "Declined"]
		from_date: DF.Date
		reason: DF.Data | None
		to_date: DF.Date
		user: DF.Link | None

	# end: auto-generated types
	def autoname(self):
		"""Named by reason and first day: "Holiday 2026-08-03"."""
		reason = self.reason or _("Out of Office")  # outside the f-string: the extractor reads it
		self.name = readable_name(self.doctype, f"{reason} {self.from_date or ''}".strip())

	def validate(self):
		before = None if self.is_new() else self.get_doc_before_save()
		if not self.user or not is_manager():  # a host's own leave; a manager records anyone's
			self.user = before.user if before and before.user else frappe.session.user
		errors = FieldErrors()
		self.reason = errors.clean("reason", clean_text, self.reason, "reason", 140)
		try:
			Leave(
				frappe.utils.getdate(self.from_date),
				frappe.utils.getdate(self.to_date),
				self.delegate or None,
			)
		except SchedulingError as exc:
			errors.add(exc.field or "to_date", translate(exc))
		if self.delegate:
			if self.delegate == self.user:
				errors.add("delegate", _("Pick a colleague, not yourself"))
			elif not frappe.db.exists("Scheduler Profile", {"user": self.delegate, "active": 1}):
				errors.add("delegate", _("{0} has no active booking profile").format(self.delegate))
		errors.raise_if_any()
		self.delegate_status = self._cover_status(before)

	def _cover_status(self, before) -> str:
		"""Whether the colleague agreed: kept while they and the dates they agreed to stay
		(or shrink), else asked anew — their yes to a day is no yes to a longer leave."""
		if not self.delegate:
			return ""
		if before is not None and before.delegate == self.delegate and self._within(before):
			return before.delegate_status or "Invited"
		return "Accepted" if is_manager() else "Invited"

	def _within(self, before) -> bool:
		"""Are this leave's dates inside ``before``'s?"""
		getdate = frappe.utils.getdate
		return getdate(before.from_date) <= getdate(self.from_date) and getdate(self.to_date) <= getdate(
			before.to_date
		)

	def on_update(self):
		before = self.get_doc_before_save()
		availability.invalidate({self.user, before.user if before else None} - {None})
		if before is not None and before.delegate and before.delegate != self.delegate:
			self._close_todos(before.delegate)  # no longer asked
		if self.delegate_status == "Invited" and (
			before is None or before.delegate != self.delegate or before.delegate_status != "Invited"
		):
			self._invite_delegate()

	def _invite_delegate(self) -> None:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": self.delegate,
				"reference_type": self.doctype,
				"reference_name": self.name,
				"assigned_by": self.user,
				"description": _(
					"{0} asks you to cover their meetings from {1} to {2}. Open it to accept or decline."
				).format(
					frappe.utils.get_fullname(self.user),
					frappe.utils.formatdate(self.from_date),
					frappe.utils.formatdate(self.to_date),
				),
			}
		).insert(ignore_permissions=True)

	def respond_to_cover(self, user: str, accept: bool) -> None:
		"""The named colleague ``user`` agrees to cover this leave, or declines; nothing else
		changes."""
		if not self.delegate or self.delegate != user:
			raise frappe.PermissionError(_("You are not asked to cover this leave"))
		status = "Accepted" if accept else "Declined"
		frappe.db.set_value(self.doctype, self.name, "delegate_status", status)
		self.delegate_status = status
		self._close_todos(user)
		availability.invalidate([self.user])

	def _close_todos(self, user: str) -> None:
		for todo in frappe.get_all(
			"ToDo",
			filters={
				"reference_type": self.doctype,
				"reference_name": self.name,
				"allocated_to": user,
				"status": "Open",
			},
			pluck="name",
		):
			frappe.db.set_value("ToDo", todo, "status", "Closed")

	def on_trash(self):
		availability.invalidate([self.user])


def on_doctype_update():
	# a host's leaves from a date on (booking.leave): one index range, never the history
	frappe.db.add_index("Scheduler Out of Office", ["user", "to_date"], "user_to_date")
