# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import availability, meeting_types, pages
from scheduler_integration.core.errors import FieldErrors
from scheduler_integration.core.hosts import user_timezone
from scheduler_integration.core.roles import ensure_host_role
from scheduler_integration.core.settings import extra_embed_hosts
from scheduler_integration.engine.embed import sanitize_embed
from scheduler_integration.engine.validation import (
	MAX_DISPLAY_NAME,
	PROVIDERS,
	clean_choice,
	clean_slug,
	clean_text,
	clean_timezone,
	clean_url,
	slugify,
)

MAX_DESCRIPTION = 5000


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
		errors = FieldErrors()
		self.user = self.user or frappe.session.user
		self.display_name = errors.clean(
			"display_name",
			clean_text,
			self.display_name or frappe.utils.get_fullname(self.user),
			"display_name",
			MAX_DISPLAY_NAME,
			required=True,
		)
		if not self.slug and self.display_name:
			self.slug = slugify(self.display_name)
		self.slug = errors.clean("slug", clean_slug, self.slug)
		errors.unique(self, "slug", _("This booking link is already taken"))
		errors.unique(self, "user", _("This user already has a Scheduler Profile"))
		self.timezone = errors.clean("timezone", clean_timezone, self.timezone or user_timezone(self.user))
		self.description = errors.clean(
			"description", clean_text, self.description, "description", MAX_DESCRIPTION, multiline=True
		)
		self.scheduler_provider = errors.clean(
			"scheduler_provider",
			clean_choice,
			self.scheduler_provider,
			"scheduler_provider",
			PROVIDERS,
			default="native",
		)
		self.scheduler_url = errors.clean("scheduler_url", clean_url, self.scheduler_url, "scheduler_url")
		if self.scheduler_provider not in (None, "", "native") and not self.scheduler_url:
			errors.add("scheduler_url", _("An external scheduler needs its URL"))
		self.embed_code = errors.clean("embed_code", sanitize_embed, self.embed_code, extra_embed_hosts())
		if self.embed_in_reports and not self.embed_code:
			errors.add("embed_code", _("Paste the scheduler's embed code to embed it in reports"))
		if (
			self.availability
			and frappe.db.get_value("Scheduler Availability", self.availability, "user") != self.user
		):
			errors.add("availability", _("The default availability must belong to the same user"))
		errors.raise_if_any()

	def after_insert(self):
		ensure_host_role(self.user)

	def on_update(self):
		availability.invalidate([self.user])
		meeting_types.invalidate(
			frappe.get_all("Scheduler Meeting Type", filters={"profile": self.name}, pluck="name")
		)
		before = self.get_doc_before_save()
		pages.invalidate([self.slug, before.slug if before else None])

	def on_trash(self):
		availability.invalidate([self.user])
		pages.invalidate([self.slug])
