# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SchedulerBookingHost(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		calendar_events: DF.JSON | None
		event: DF.Link | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		user: DF.Link
	# end: auto-generated types
	pass
