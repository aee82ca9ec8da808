# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SchedulerAutomationLog(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action: DF.Data | None
		automation: DF.Data | None
		booking: DF.Link | None
		channel: DF.Literal["Email", "SMS", "Task", "Notification"]
		error: DF.SmallText | None
		host: DF.Link | None
		lifecycle_event: DF.Data | None
		recipient: DF.Data | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		result: DF.Literal["Success", "Skipped", "Failed"]
	# end: auto-generated types
	pass
