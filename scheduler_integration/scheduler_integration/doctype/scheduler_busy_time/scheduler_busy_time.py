# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SchedulerBusyTime(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		calendar: DF.Data | None
		connection: DF.Link
		end: DF.Datetime
		host: DF.Link
		source_id: DF.Data | None
		start: DF.Datetime
	# end: auto-generated types
	pass
