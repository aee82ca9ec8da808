# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document

from scheduler_integration.services.roles import ensure_host_role
from scheduler_integration.services.validators import validate_profile


class SchedulerProfile(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		active: DF.Check
		availability: DF.Link | None
		brand_color: DF.Color | None
		description: DF.SmallText | None
		display_name: DF.Data
		embed_code: DF.Code | None
		embed_in_reports: DF.Check
		feed_nonce: DF.Data | None
		feed_token_hash: DF.Data | None
		logo: DF.AttachImage | None
		scheduler_provider: DF.Literal["native", "calendly", "acuity", "scheduleonce", "custom"]
		scheduler_url: DF.SmallText | None
		show_in_reports: DF.Check
		slug: DF.Data
		timezone: DF.Autocomplete
		user: DF.Link

	# end: auto-generated types
	def validate(self):
		validate_profile(self)

	def after_insert(self):
		ensure_host_role(self.user)
