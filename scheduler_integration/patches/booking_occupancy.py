"""Bookings made before each kept its own occupancy and before round robin kept counts:

- their host rows take the buffers of their meeting type as it is now (until today a
  type's buffers applied to its existing bookings; from now on a booking keeps the
  buffers it was made or moved with);
- each (meeting type, host) count of bookings so far is counted once from history."""

import frappe

from scheduler_integration.booking import round_robin


def execute():
	frappe.reload_doc("scheduler_integration", "doctype", "scheduler_booking_host")
	frappe.reload_doc("scheduler_integration", "doctype", "scheduler_host_booking_count")
	frappe.db.sql(
		"""update `tabScheduler Booking Host` h
			join `tabScheduler Booking` b on b.name = h.parent
			join `tabScheduler Meeting Type` t on t.name = b.meeting_type
		set h.buffer_before = ifnull(t.buffer_before, 0), h.buffer_after = ifnull(t.buffer_after, 0)
		where h.parenttype = 'Scheduler Booking'"""
	)
	round_robin.rebuild()
