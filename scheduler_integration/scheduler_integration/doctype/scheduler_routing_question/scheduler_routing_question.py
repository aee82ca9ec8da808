# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from scheduler_integration.core.permissions import ChildRow


class SchedulerRoutingQuestion(ChildRow):  # readable exactly when its parent is
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		crm_field: DF.Data | None
		fieldtype: DF.Literal[
			"Data",
			"Text",
			"Email",
			"Phone",
			"Number",
			"Select",
			"Radio",
			"Multi Select",
			"Country",
			"Check",
			"Multi Email",
		]
		label: DF.Data
		maps_to: DF.Literal["", "Name", "Email", "Phone", "Company", "Notes"]
		options: DF.SmallText | None
		question_key: DF.Data
		required: DF.Check
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
	# end: auto-generated types
	pass
