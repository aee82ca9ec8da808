"""Host rows of bookings made before they carried their booking's start and end: copied
from the booking, so the (host, end) read of booking.load finds them."""

import frappe

from scheduler_integration.scheduler_integration.doctype.scheduler_booking_host import (
	scheduler_booking_host,
)


def execute():
	frappe.reload_doc("scheduler_integration", "doctype", "scheduler_booking_host")
	scheduler_booking_host.on_doctype_update()  # the index, where a reload did not add it
	frappe.db.sql(
		"""update `tabScheduler Booking Host` h join `tabScheduler Booking` b on b.name = h.parent
		set h.start = b.start, h.end = b.end
		where h.parenttype = 'Scheduler Booking'
			and (h.start is null or h.end is null or h.start != b.start or h.end != b.end)"""
	)
