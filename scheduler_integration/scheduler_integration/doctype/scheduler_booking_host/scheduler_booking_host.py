# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import frappe

from scheduler_integration.core.permissions import ChildRow


class SchedulerBookingHost(ChildRow):  # readable exactly when its parent is
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		buffer_after: DF.Int
		buffer_before: DF.Int
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
	# the locking read of every booking check and every slot read (booking.load): a host's
	# rows ending within a bounded range, so it reads and locks the bookings near the
	# window, never every booking a host ever had
	frappe.db.add_index("Scheduler Booking Host", ["user", "`end`"], "user_end")
	# the guest caps' seed of a host's window (booking.caps): the rows made within it
	frappe.db.add_index("Scheduler Booking Host", ["user", "creation"], "user_creation")
