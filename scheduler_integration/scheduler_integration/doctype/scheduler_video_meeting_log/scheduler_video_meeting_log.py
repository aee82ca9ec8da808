# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""One call to a video provider for a booking's meeting (written by effects.video)."""

import frappe
from frappe.model.document import Document


class SchedulerVideoMeetingLog(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action: DF.Literal["Create", "Update", "Delete"]
		booking: DF.Link | None
		connection: DF.Link | None
		error: DF.SmallText | None
		host: DF.Link | None
		http_status: DF.Int
		join_url: DF.SmallText | None
		meeting_id: DF.Data | None
		occurred_at: DF.Datetime | None
		provider: DF.Data | None
		result: DF.Literal["Success", "Failed"]
		retryable: DF.Check
		via: DF.Literal["Meeting", "Calendar Event"]
	# end: auto-generated types
	pass


def on_doctype_update():
	# per-provider reliability over a period
	frappe.db.add_index("Scheduler Video Meeting Log", ["provider", "occurred_at"])
