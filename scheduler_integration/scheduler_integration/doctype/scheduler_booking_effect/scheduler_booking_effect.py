# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class SchedulerBookingEffect(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attempts: DF.Int
		booking: DF.Link
		booking_sequence: DF.Int
		claimed_at: DF.Datetime | None
		done_at: DF.Datetime | None
		effect: DF.Data | None
		last_error: DF.SmallText | None
		lifecycle_event: DF.Data | None
		next_attempt_at: DF.Datetime | None
		result: DF.SmallText | None
		seq: DF.Int
		status: DF.Literal["Pending", "Running", "Done", "Failed"]
	# end: auto-generated types
	pass


def on_doctype_update():
	# the sweep's query: due pending rows, oldest first
	frappe.db.add_index("Scheduler Booking Effect", ["status", "next_attempt_at"])
