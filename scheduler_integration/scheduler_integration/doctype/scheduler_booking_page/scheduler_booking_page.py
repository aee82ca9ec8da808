# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt


import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import domains, meeting_types, pages
from scheduler_integration.core.errors import FieldErrors
from scheduler_integration.core.naming import readable_name
from scheduler_integration.engine.validation import (
	MAX_DESCRIPTION,
	clean_text,
	slugify,
)
from scheduler_integration.rules.domains import RESERVED_PROFILE_SLUGS, clean_domain


class SchedulerBookingPage(Document):
	"""One of a host's extra booking pages (seed 001's scheduling pages): its own link
	(``/book/<slug>``, in the same namespace as profiles' links), title, description,
	branding, custom domain and meeting types (``Scheduler Meeting Type.booking_page``).
	The host's Scheduler Profile stays their identity: their working hours, calendars and
	bookings are the same on every page (one person, one diary)."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		active: DF.Check
		brand_color: DF.Color | None
		custom_domain: DF.Data | None
		description: DF.SmallText | None
		logo: DF.AttachImage | None
		slug: DF.Data
		title: DF.Data
		types_html: DF.HTML | None
		user: DF.Link | None

	# end: auto-generated types
	def autoname(self):
		"""Named after its link, like teams: "partners" rather than a hash."""
		self.name = readable_name(self.doctype, self.slug or slugify(self.title or ""))

	def onload(self):
		if not self.is_new():
			self.set_onload("types", pages.booking_page_types(self.name))
			# the link hosts copy and open: its custom domain's when it has one
			self.set_onload("booking_url", domains.booking_page_url(self) if self.slug else "")

	def validate(self):
		errors = FieldErrors()
		self.user = self.user or frappe.session.user
		if not frappe.db.exists("Scheduler Profile", self.user):
			errors.add(
				"user", _("{0} has no Scheduler Profile: set up their booking page first").format(self.user)
			)
		errors.title_and_slug(self, _("This booking link is already taken"))
		if self.slug in RESERVED_PROFILE_SLUGS:
			errors.add(
				"slug",
				_("{0} is a word of the booking pages' own addresses: pick another link").format(self.slug),
			)
		claim = self.is_new() or self.has_value_changed("slug")
		# a new page's name is only proposed (two new pages of one slug propose the same)
		mine = None if self.is_new() else self.name
		if self.slug and claim and pages.slug_taken(self.slug, self.doctype, mine):
			errors.add("slug", _("This booking link is already taken"))
		self.description = errors.clean(
			"description", clean_text, self.description, "description", MAX_DESCRIPTION, multiline=True
		)
		self.custom_domain = errors.clean("custom_domain", clean_domain, self.custom_domain) or None
		errors.branding(self)
		domains.check_custom_domain(self, errors)
		before = self.get_doc_before_save()
		if before and before.user != self.user and self.types():
			# its types are the host's: they would list on another host's page
			errors.add(
				"user", _("Move this page's meeting types to another page before giving it to another host")
			)
		errors.raise_if_any()

	def types(self) -> list[str]:
		return frappe.get_all("Scheduler Meeting Type", filters={"booking_page": self.name}, pluck="name")

	def on_update(self):
		before = self.get_doc_before_save()
		# the host's main link serves the page's types only while the page is active
		profile_slug = frappe.db.get_value("Scheduler Profile", self.user, "slug")
		pages.invalidate([self.slug, before.slug if before else None, profile_slug])
		domains.invalidate([self.custom_domain, before.custom_domain if before else None])
		meeting_types.invalidate(self.types())  # their links (type_url) name the page

	def on_trash(self):
		"""Its meeting types go back to the host's main page: nothing booked through them is
		lost, and their links keep working there."""
		types = self.types()
		for name in types:
			frappe.db.set_value("Scheduler Meeting Type", name, "booking_page", None, update_modified=False)
		meeting_types.invalidate(types)
		profile_slug = frappe.db.get_value("Scheduler Profile", self.user, "slug")
		pages.invalidate([self.slug, profile_slug])
		domains.invalidate([self.custom_domain])
