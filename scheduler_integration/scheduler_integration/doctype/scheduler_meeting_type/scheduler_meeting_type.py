# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document

from scheduler_integration.services.validators import validate_meeting_type


class SchedulerMeetingType(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from scheduler_integration.scheduler_integration.doctype.scheduler_meeting_type_host.scheduler_meeting_type_host import (
			SchedulerMeetingTypeHost,
		)
		from scheduler_integration.scheduler_integration.doctype.scheduler_meeting_type_phase.scheduler_meeting_type_phase import (
			SchedulerMeetingTypePhase,
		)
		from scheduler_integration.scheduler_integration.doctype.scheduler_question.scheduler_question import (
			SchedulerQuestion,
		)

		active: DF.Check
		assignment: DF.Literal["Individual", "Round Robin", "Collective"]
		buffer_after: DF.Int
		buffer_before: DF.Int
		cancel_notice: DF.Int
		color: DF.Color | None
		confirmation_message: DF.SmallText | None
		custom_duration: DF.Int
		daily_limit: DF.Int
		description: DF.SmallText | None
		duration: DF.Literal["15", "30", "45", "60", "90", "120", "Custom"]
		hosts: DF.Table[SchedulerMeetingTypeHost]
		location_details: DF.SmallText | None
		location_type: DF.Literal["", "Google Meet", "Zoom", "Phone", "In Person", "Custom"]
		max_advance_days: DF.Int
		min_notice: DF.Int
		priority: DF.Int
		profile: DF.Link
		questions: DF.Table[SchedulerQuestion]
		recommended_phases: DF.TableMultiSelect[SchedulerMeetingTypePhase]
		reminder_offsets: DF.Data | None
		requires_confirmation: DF.Check
		reschedule_notice: DF.Int
		scheduler_event_url: DF.SmallText | None
		slot_interval: DF.Int
		slug: DF.Data
		sort_order: DF.Int
		title: DF.Data
		user: DF.Link | None
		weekly_limit: DF.Int

	# end: auto-generated types
	def validate(self):
		validate_meeting_type(self)
