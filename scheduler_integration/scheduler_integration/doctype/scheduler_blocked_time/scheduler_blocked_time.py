# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import availability
from scheduler_integration.core.clock import to_utc
from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.core.naming import readable_name
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.recurrence import validate_rrule
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.engine.validation import clean_text


class SchedulerBlockedTime(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		end: DF.Datetime
		reason: DF.Data | None
		rrule: DF.Data | None
		start: DF.Datetime
		user: DF.Link

	# end: auto-generated types
	def autoname(self):
		"""New blocks are named by reason and day: "Dentist 2026-11-24"."""
		day = str(self.start or "")[:10]
		reason = self.reason or _("Blocked Time")  # outside the f-string: the extractor reads it
		self.name = readable_name(self.doctype, f"{reason} {day}")

	def validate(self):
		errors = FieldErrors()
		self.user = self.user or frappe.session.user
		self.reason = errors.clean("reason", clean_text, self.reason, "reason", 140)
		start, end = to_utc(self.start), to_utc(self.end)
		if start and end and end <= start:
			errors.add("end", _("End must be after Start"))
		self.rrule = (self.rrule or "").strip()
		if self.rrule and start:
			try:
				validate_rrule(self.rrule, get_zone(host_timezone(self.user)), start)
			except SchedulingError as exc:
				errors.add("rrule", translate(exc))
		errors.raise_if_any()

	def on_update(self):
		before = self.get_doc_before_save()
		availability.invalidate([self.user, before.user if before else None])

	def on_trash(self):
		availability.invalidate([self.user])
