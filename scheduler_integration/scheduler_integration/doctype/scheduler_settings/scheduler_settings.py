# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.engine import adapters
from scheduler_integration.engine.embed import frame_origins
from scheduler_integration.engine.errors import SchedulingError

HOST_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


class SchedulerSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		allow_private_calendar_hosts: DF.Check
		allowed_embed_hosts: DF.SmallText | None
		anonymize_ip: DF.Check
		booking_challenge_bits: DF.Int
		booking_embed_origins: DF.SmallText | None
		booking_rate_limit: DF.Int
		bookings_per_host_per_hour: DF.Int
		bookings_per_type_per_day: DF.Int
		calendly_signing_key: DF.Password | None
		create_lead: DF.Check
		email_account: DF.Link | None
		crm_target: DF.Literal["Auto", "Contact Only"]
		max_effect_attempts: DF.Int
		max_reminder_attempts: DF.Int
		max_slot_window_days: DF.Int
		pending_expiry_hours: DF.Int
		public_rate_limit: DF.Int
		remind_host: DF.Check
		reminder_offsets: DF.Data | None

	# end: auto-generated types
	def validate(self):
		errors = FieldErrors()
		try:
			adapters.parse_offsets(self.reminder_offsets)
		except SchedulingError as exc:
			errors.add("reminder_offsets", translate(exc))
		hosts = []
		for line in (self.allowed_embed_hosts or "").splitlines():
			host = line.strip().lower().rstrip(".")
			if not host:
				continue
			if not HOST_NAME.fullmatch(host):
				errors.add("allowed_embed_hosts", _("{0} is not a host name").format(host))
			hosts.append(host)
		self.allowed_embed_hosts = "\n".join(dict.fromkeys(hosts))
		origins, refused = frame_origins(self.booking_embed_origins)
		for line in refused:
			errors.add(
				"booking_embed_origins",
				_("{0} is not a website address like https://www.example.com").format(line),
			)
		self.booking_embed_origins = "\n".join(origins)
		errors.raise_if_any()

	def on_update(self):
		frappe.clear_document_cache(self.doctype, self.name)
