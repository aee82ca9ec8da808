# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from scheduler_integration.core.permissions import ChildRow


class SchedulerBookingRecord(ChildRow):  # readable exactly when its parent is
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		purpose: DF.Literal["Task", "Note", "To Do", "Notification", "No-show Task", "Share"]
		record_name: DF.DynamicLink | None
		record_type: DF.Link | None
		user: DF.Link | None
	# end: auto-generated types
	pass
