# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from scheduler_integration.core.permissions import ChildRow


class SchedulerMeetingTypePhase(ChildRow):  # readable exactly when its parent is
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		phase: DF.Link
	# end: auto-generated types
	pass
