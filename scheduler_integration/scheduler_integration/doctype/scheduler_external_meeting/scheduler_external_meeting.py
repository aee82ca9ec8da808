# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""One meeting of an external scheduler (written by reporting.external_meetings)."""

import frappe
from frappe.model.document import Document


class SchedulerExternalMeeting(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		client: DF.Data | None
		current_ref: DF.Data | None
		end: DF.Datetime | None
		external_key: DF.Data | None
		host: DF.Link | None
		meeting_type: DF.Link | None
		phase: DF.Link | None
		provider: DF.Literal["calendly", "acuity", "scheduleonce"]
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		start: DF.Datetime | None
		status: DF.Literal["Scheduled", "Cancelled", "Completed", "No Show"]
	# end: auto-generated types
	pass


def on_doctype_update():
	# the completion job reads only the scheduled meetings whose end has passed
	frappe.db.add_index("Scheduler External Meeting", ["status", "end"])
