# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt


import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import domains, pages
from scheduler_integration.core.errors import FieldErrors
from scheduler_integration.core.naming import readable_name
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.core.table_text import TableRowsAsText
from scheduler_integration.engine.validation import (
	MAX_DESCRIPTION,
	clean_text,
	slugify,
)
from scheduler_integration.rules.domains import clean_domain


class SchedulerTeam(TableRowsAsText, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from scheduler_integration.scheduler_integration.doctype.scheduler_team_member.scheduler_team_member import (
			SchedulerTeamMember,
		)

		active: DF.Check
		brand_color: DF.Color | None
		custom_domain: DF.Data | None
		description: DF.SmallText | None
		logo: DF.AttachImage | None
		members: DF.Table[SchedulerTeamMember]
		slug: DF.Data
		title: DF.Data

	# end: auto-generated types
	def autoname(self):
		"""Named after its link, like meeting types: "sales" rather than a hash."""
		self.name = readable_name(self.doctype, self.slug or slugify(self.title or ""))

	def onload(self):
		# the form's link buttons: the page on its custom domain when it has one
		self.set_onload("booking_url", domains.team_url(self) if self.slug else "")

	def validate(self):
		errors = FieldErrors()
		errors.title_and_slug(self, _("This booking link is already taken"))
		self.description = errors.clean(
			"description", clean_text, self.description, "description", MAX_DESCRIPTION, multiline=True
		)
		self.custom_domain = errors.clean("custom_domain", clean_domain, self.custom_domain) or None
		errors.branding(self)
		domains.check_custom_domain(self, errors)
		self.validate_members(errors)
		errors.raise_if_any()

	def validate_members(self, errors: FieldErrors) -> None:
		"""Members listed once; a host who starts a team is its first admin; a member who
		hosts one of the team's meeting types stays until removed from it."""
		if self.is_new() and not is_manager():
			mine = next((row for row in self.members or [] if row.user == frappe.session.user), None)
			if mine is None:
				self.append("members", {"user": frappe.session.user, "is_admin": 1})
			else:
				mine.is_admin = 1
		users = [row.user for row in self.members or []]
		if len(set(users)) != len(users):
			errors.add("members", _("Each member may be listed once"))
		if self.is_new():
			return
		hosting = frappe.get_all(
			"Scheduler Meeting Type Host",
			filters={
				"parenttype": "Scheduler Meeting Type",
				"parent": (
					"in",
					frappe.get_all("Scheduler Meeting Type", {"team": self.name}, pluck="name") or [""],
				),
				"user": ("not in", users or [""]),
			},
			fields=["user", "parent"],
		)
		for row in hosting:
			title = frappe.db.get_value("Scheduler Meeting Type", row.parent, "title")
			errors.add(
				"members",
				_("{0} hosts the team's meeting type {1}: remove them from it first").format(row.user, title),
			)

	def on_update(self):
		before = self.get_doc_before_save()
		pages.invalidate_teams([self.slug, before.slug if before else None])
		domains.invalidate([self.custom_domain, before.custom_domain if before else None])

	def on_trash(self):
		pages.invalidate_teams([self.slug])
		domains.invalidate([self.custom_domain])
