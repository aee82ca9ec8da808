# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from scheduler_integration.core.permissions import ChildRow


class SchedulerDateOverride(ChildRow):  # readable exactly when its parent is
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		date: DF.Date
		from_time: DF.Autocomplete | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		reason: DF.Data | None
		to_time: DF.Autocomplete | None
		unavailable: DF.Check
	# end: auto-generated types
	pass
