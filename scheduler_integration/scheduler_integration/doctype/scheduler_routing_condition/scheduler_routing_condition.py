# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from scheduler_integration.core.permissions import ChildRow


class SchedulerRoutingCondition(ChildRow):  # readable exactly when its parent is
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		operator: DF.Literal[
			"is",
			"is not",
			"contains",
			"is one of",
			"greater than",
			"less than",
			"at least",
			"at most",
			"is empty",
			"is not empty",
			"known record",
		]
		question: DF.Data | None
		rule: DF.Data
		value: DF.SmallText | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
	# end: auto-generated types
	pass
