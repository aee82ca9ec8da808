# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class SchedulerBookingHost(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		calendar_events: DF.JSON | None
		end: DF.Datetime | None
		event: DF.Link | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		start: DF.Datetime | None
		user: DF.Link
	# end: auto-generated types
	pass


def on_doctype_update():
	# the locking read of every booking check (booking.load): a host's rows ending after a
	# time, so it reads and locks the bookings near the slot, not every booking they ever had
	frappe.db.add_index("Scheduler Booking Host", ["user", "`end`"], "user_end")
