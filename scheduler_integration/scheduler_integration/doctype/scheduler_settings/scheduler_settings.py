# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from scheduler_integration.services.validators import validate_settings


class SchedulerSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		allow_private_calendar_hosts: DF.Check
		allowed_embed_hosts: DF.SmallText | None
		anonymize_ip: DF.Check
		booking_rate_limit: DF.Int
		calendly_signing_key: DF.Password | None
		create_lead: DF.Check
		crm_target: DF.Literal["Auto", "Contact Only"]
		max_reminder_attempts: DF.Int
		max_slot_window_days: DF.Int
		pending_expiry_hours: DF.Int
		public_rate_limit: DF.Int
		remind_host: DF.Check
		reminder_offsets: DF.Data | None

	# end: auto-generated types
	def validate(self):
		validate_settings(self)

	def on_update(self):
		frappe.clear_document_cache(self.doctype, self.name)
