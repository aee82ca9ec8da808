# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document

from scheduler_integration.services.validators import validate_availability


class SchedulerAvailability(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from scheduler_integration.scheduler_integration.doctype.scheduler_availability_rule.scheduler_availability_rule import (
			SchedulerAvailabilityRule,
		)
		from scheduler_integration.scheduler_integration.doctype.scheduler_date_override.scheduler_date_override import (
			SchedulerDateOverride,
		)

		date_overrides: DF.Table[SchedulerDateOverride]
		timezone: DF.Autocomplete
		title: DF.Data
		user: DF.Link
		weekly_rules: DF.Table[SchedulerAvailabilityRule]

	# end: auto-generated types
	def validate(self):
		validate_availability(self)
