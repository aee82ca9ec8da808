# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SchedulerEngagement(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		booking: DF.Link | None
		client: DF.Data | None
		event_type: DF.Literal[
			"",
			"page_viewed",
			"type_selected",
			"slot_selected",
			"form_submitted",
			"link_clicked",
			"meeting_booked",
			"meeting_completed",
			"meeting_cancelled",
			"no_show",
		]
		external_event_id: DF.Data | None
		host: DF.Link | None
		ip_address: DF.Data | None
		meeting_type: DF.Link | None
		occurred_at: DF.Datetime
		phase: DF.Link | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		referrer: DF.SmallText | None
		scheduled_for: DF.Datetime | None
		session_id: DF.Data | None
		user_agent: DF.SmallText | None
		utm_campaign: DF.Data | None
		utm_medium: DF.Data | None
		utm_source: DF.Data | None
	# end: auto-generated types
	pass
