# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document

from scheduler_integration.services.validators import validate_blocked_time


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
	def validate(self):
		validate_blocked_time(self)
