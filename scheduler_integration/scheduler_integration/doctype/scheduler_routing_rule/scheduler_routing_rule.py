# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from scheduler_integration.core.permissions import ChildRow


class SchedulerRoutingRule(ChildRow):  # readable exactly when its parent is
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		hosts: DF.SmallText | None
		meeting_type: DF.Link | None
		message: DF.SmallText | None
		outcome: DF.Literal["Meeting Type", "Record Owner", "Team Hosts", "External URL", "Message"]
		rule_name: DF.Data
		url: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
	# end: auto-generated types
	pass
