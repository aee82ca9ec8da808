# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document

from scheduler_integration.reporting import phases


class SchedulerPhase(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		phase_name: DF.Data

	# end: auto-generated types
	def on_update(self):
		phases.invalidate()

	def on_trash(self):
		phases.invalidate()
