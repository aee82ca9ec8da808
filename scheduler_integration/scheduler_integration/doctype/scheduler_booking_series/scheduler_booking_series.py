# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SchedulerBookingSeries(Document):
	"""The meetings one guest booked together (a multi-day booking or a recurring series):
	each is a Scheduler Booking linking here; this record is kept in step with them
	(``booking.series.refresh``)."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		first_start: DF.Datetime | None
		frequency: DF.Data | None
		guest_email: DF.Data | None
		guest_name: DF.Data | None
		host: DF.Link | None
		kind: DF.Literal["Multi-day", "Recurring"]
		last_end: DF.Datetime | None
		meeting_type: DF.Link | None
		occurrences: DF.Int
		status: DF.Literal["Active", "Partly Cancelled", "Cancelled", "Finished"]
		title: DF.Data | None

	# end: auto-generated types
