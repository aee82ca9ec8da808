# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import availability, domains, leave, meeting_types, pages
from scheduler_integration.booking.leave import HOLIDAY_LISTS
from scheduler_integration.connections.status import host_connections
from scheduler_integration.core.errors import FieldErrors
from scheduler_integration.core.hosts import follow_profile_zone, user_timezone
from scheduler_integration.core.roles import ensure_host_role
from scheduler_integration.core.settings import extra_embed_hosts
from scheduler_integration.engine.validation import (
	MAX_DESCRIPTION,
	MAX_DISPLAY_NAME,
	PROVIDERS,
	clean_choice,
	clean_slug,
	clean_text,
	clean_timezone,
	clean_url,
	slugify,
)
from scheduler_integration.rules.domains import RESERVED_PROFILE_SLUGS, clean_domain
from scheduler_integration.rules.embed import sanitize_embed

WEBHOOK_ACCOUNT = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


_UNSHOWN = re.compile("[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class SchedulerProfile(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		active: DF.Check
		acuity_api_key: DF.Password | None
		acuity_report_field: DF.Data | None
		acuity_user_id: DF.Data | None
		availability: DF.Link | None
		brand_color: DF.Color | None
		custom_domain: DF.Data | None
		description: DF.SmallText | None
		holiday_list: DF.DynamicLink | None
		holiday_list_type: DF.Link | None
		display_name: DF.Data
		embed_code: DF.Code | None
		embed_in_reports: DF.Check
		feed_nonce: DF.Data | None
		feed_token_hash: DF.Data | None
		link_shared: DF.Check
		logo: DF.AttachImage | None
		oncehub_user_id: DF.Data | None
		oncehub_webhook_secret: DF.Password | None
		scheduler_provider: DF.Literal["native", "calendly", "acuity", "scheduleonce", "custom"]
		scheduler_url: DF.SmallText | None
		show_in_reports: DF.Check
		slug: DF.Data
		timezone: DF.Autocomplete
		user: DF.Link

	# end: auto-generated types
	def onload(self):
		# the form's link buttons: the page on its custom domain when it has one
		self.set_onload("booking_url", domains.profile_url(self) if self.slug else "")
		# the form's "Calendar and Video Connections" (scheduler_desk.render_profile_connections)
		if self.user:
			self.set_onload("connections", host_connections([self.user])[self.user])

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
		if self.slug in RESERVED_PROFILE_SLUGS and self.has_value_changed("slug"):
			errors.add(
				"slug",
				_("{0} is a word of the booking pages' own addresses: pick another link").format(self.slug),
			)
		elif self.slug and (self.is_new() or self.has_value_changed("slug")):
			if pages.slug_taken(self.slug, self.doctype, self.name):  # another profile, a host's page
				errors.add("slug", _("This booking link is already taken"))
		self.custom_domain = errors.clean("custom_domain", clean_domain, self.custom_domain) or None
		domains.check_custom_domain(self, errors)
		errors.branding(self)
		errors.unique(self, "user", _("This user already has a Scheduler Profile"))
		self.timezone = errors.clean("timezone", clean_timezone, self.timezone or user_timezone(self.user))
		self.description = errors.clean(
			"description", clean_text, self.description, "description", MAX_DESCRIPTION, multiline=True
		)
		# a holiday list's dates are days off (booking.leave): ERPNext's or Frappe CRM's
		if self.holiday_list and self.holiday_list_type not in HOLIDAY_LISTS:
			errors.add(
				"holiday_list_type", _("Pick one of: {0}").format(", ".join(_(t) for t in HOLIDAY_LISTS))
			)
		elif self.holiday_list and not frappe.db.exists(self.holiday_list_type, self.holiday_list):
			errors.add(
				"holiday_list", _("{0} {1} not found").format(_(self.holiday_list_type), self.holiday_list)
			)
		if not self.holiday_list:
			self.holiday_list_type = None
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
		self.validate_webhook_accounts(errors)
		if (
			self.availability
			and frappe.db.get_value("Scheduler Availability", self.availability, "user") != self.user
		):
			errors.add("availability", _("The default availability must belong to the same user"))
		errors.raise_if_any()

	def validate_webhook_accounts(self, errors: FieldErrors):
		"""The account ids the webhooks are addressed with: digits (Acuity), USR-… (OnceHub);
		each names one profile, or a webhook could not tell whose it is."""
		self.acuity_user_id = (self.acuity_user_id or "").strip() or None
		self.acuity_report_field = (self.acuity_report_field or "").strip() or None
		self.oncehub_user_id = (self.oncehub_user_id or "").strip() or None
		for field in ("acuity_user_id", "acuity_report_field"):
			if self.get(field) and not self.get(field).isdigit():
				errors.add(field, _("Use the number Acuity shows"))
		if self.oncehub_user_id and not WEBHOOK_ACCOUNT.match(self.oncehub_user_id):
			errors.add("oncehub_user_id", _("Use the ID OnceHub shows, such as USR-ABC123"))
		for field in ("acuity_user_id", "oncehub_user_id"):
			if self.get(field):
				errors.unique(self, field, _("Another Scheduler Profile uses this account"))

	def after_insert(self):
		ensure_host_role(self.user)

	def on_update(self):
		# and of the hosts whose leave they cover: their pages show this user's times
		availability.invalidate([self.user, *leave.covered_by(self.user)])
		before = self.get_doc_before_save()
		types = frappe.get_all("Scheduler Meeting Type", filters={"profile": self.name}, pluck="name")
		if before is not None and bool(before.active) != bool(self.active):
			types += meeting_types.of_host(self.user)  # the team types they are a host of too
		meeting_types.invalidate(types)
		pages.invalidate([self.slug, before.slug if before else None])
		domains.invalidate([self.custom_domain, before.custom_domain if before else None])
		if self.timezone and (before is None or before.timezone != self.timezone):
			# one zone per host: the desk, Frappe CRM and Frappe's own dates show the user's
			follow_profile_zone(self.user, self.timezone)

	def on_trash(self):
		availability.invalidate([self.user, *leave.covered_by(self.user)])
		meeting_types.invalidate(meeting_types.of_host(self.user))  # no profile: no bookings
		pages.invalidate([self.slug])
		domains.invalidate([self.custom_domain])


def profile_for_new_host(user: str) -> str:
	"""The Scheduler Profile of a colleague who joins a team type without one (they
	accepted its invitation, or a Scheduler Manager added them): their name, their own
	time zone, a link of their name that is free. Their working hours stay theirs to set
	(their profile says so until they do)."""
	found = frappe.db.get_value("Scheduler Profile", {"user": user})
	if found:
		return found
	# a User's name may hold what a display name may not (line breaks, direction overrides)
	name = " ".join(_UNSHOWN.sub(" ", frappe.utils.get_fullname(user) or "").split())
	name = name[:MAX_DISPLAY_NAME] or user.split("@")[0]
	base = slugify(name) or slugify(user.split("@")[0]) or "host"
	if base in RESERVED_PROFILE_SLUGS:
		base = f"{base}-host"
	slug, n = base, 2
	while frappe.db.exists("Scheduler Profile", {"slug": slug}):
		slug, n = f"{base}-{n}", n + 1
	doc = frappe.get_doc(
		{
			"doctype": "Scheduler Profile",
			"user": user,
			"display_name": name,
			"slug": slug,
			"timezone": user_timezone(user),
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name
