# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SchedulerReminder(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attempts: DF.Int
		booking: DF.Link
		channel: DF.Literal["Email", "SMS"]
		claim_id: DF.Data | None
		claimed_at: DF.Datetime | None
		due_at: DF.Datetime
		host: DF.Link | None
		kind: DF.Literal["Reminder", "Thank You", "No-show Follow-up", "Win-back"]
		last_error: DF.SmallText | None
		next_attempt_at: DF.Datetime | None
		offset_minutes: DF.Int
		recipient: DF.Literal["Guest", "Host"]
		sent_at: DF.Datetime | None
		skip_reason: DF.Data | None
		status: DF.Literal["Pending", "Queued", "Sending", "Sent", "Failed", "Skipped"]
	# end: auto-generated types
	pass
