# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document

from scheduler_integration.services.lifecycle import dispatch, event_of
from scheduler_integration.services.validators import validate_booking


class SchedulerBooking(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		answers: DF.JSON | None
		booker_timezone: DF.Data | None
		calendar_event_id: DF.Data | None
		calendar_retry_at: DF.Datetime | None
		calendar_sync_attempts: DF.Int
		calendar_sync_error: DF.SmallText | None
		calendar_sync_status: DF.Literal["", "Pending", "Synced", "Failed"]
		cancel_reason: DF.SmallText | None
		cancelled_at: DF.Datetime | None
		confirmed_at: DF.Datetime | None
		contact: DF.Link | None
		crm_doctype: DF.Link | None
		crm_name: DF.DynamicLink | None
		end: DF.Datetime
		event: DF.Link | None
		guest_company: DF.Data | None
		guest_email: DF.Data
		guest_name: DF.Data
		guest_phone: DF.Data | None
		host: DF.Link
		ical_uid: DF.Data | None
		idempotency_key: DF.Data | None
		location: DF.SmallText | None
		manage_token_hash: DF.Data | None
		meeting_link: DF.SmallText | None
		meeting_type: DF.Link
		notes: DF.SmallText | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		sequence: DF.Int
		source: DF.Data | None
		start: DF.Datetime
		status: DF.Literal["Pending", "Confirmed", "Cancelled", "Completed", "No Show"]
		title: DF.Data | None
		token_expires: DF.Datetime | None
		token_nonce: DF.Data | None
		utm_campaign: DF.Data | None
		utm_medium: DF.Data | None
		utm_source: DF.Data | None

	# end: auto-generated types
	def validate(self):
		validate_booking(self)

	def after_insert(self):
		dispatch(self, event_of(self, None))

	def on_update(self):
		before = self.get_doc_before_save()
		if before is not None:
			dispatch(self, event_of(self, before))
