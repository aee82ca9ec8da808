# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from scheduler_integration.core.permissions import ChildRow


class SchedulerQuestion(ChildRow):  # readable exactly when its parent is
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		crm_field: DF.Data | None
		fieldtype: DF.Literal[
			"Data",
			"Text",
			"Select",
			"Check",
			"Email",
			"Phone",
			"Number",
			"Radio",
			"Multi Select",
			"Country",
			"Multi Email",
		]
		label: DF.Data
		options: DF.SmallText | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		required: DF.Check
	# end: auto-generated types
	pass
