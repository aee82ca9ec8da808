# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class SchedulerHostBookingCount(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		bookings: DF.Int
		last_booked_at: DF.Datetime | None
		meeting_type: DF.Link
		user: DF.Link
	# end: auto-generated types
	pass


def on_doctype_update():
	# round robin reads the counts of one meeting type's hosts (booking.round_robin)
	frappe.db.add_index("Scheduler Host Booking Count", ["meeting_type", "user"], "meeting_type_user")
