# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import meeting_types, meetings, pages
from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.core.naming import readable_name
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.engine import adapters
from scheduler_integration.engine.errors import InvalidField, SchedulingError
from scheduler_integration.engine.validation import (
	ASSIGNMENTS,
	LOCATION_TYPES,
	clean_choice,
	clean_duration,
	clean_int,
	clean_phases,
	clean_slug,
	clean_text,
	clean_url,
	slugify,
)
from scheduler_integration.reporting.phases import phase_names

MAX_DESCRIPTION = 5000
MAX_MESSAGE = 2000
# the largest value each number field takes (minutes, days or counts)
BOUNDS = {
	"slot_interval": 24 * 60,
	"buffer_before": 24 * 60,
	"buffer_after": 24 * 60,
	"min_notice": 366 * 24 * 60,
	"max_advance_days": 3650,
	"daily_limit": 10_000,
	"weekly_limit": 10_000,
	"cancel_notice": 366 * 24 * 60,
	"reschedule_notice": 366 * 24 * 60,
	"thank_you_delay": 30 * 24 * 60,
	"no_show_delay": 30 * 24 * 60,
	"win_back_delay": 90 * 24 * 60,
}


class SchedulerMeetingType(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from scheduler_integration.scheduler_integration.doctype.scheduler_meeting_type_host.scheduler_meeting_type_host import (
			SchedulerMeetingTypeHost,
		)
		from scheduler_integration.scheduler_integration.doctype.scheduler_meeting_type_phase.scheduler_meeting_type_phase import (
			SchedulerMeetingTypePhase,
		)
		from scheduler_integration.scheduler_integration.doctype.scheduler_question.scheduler_question import (
			SchedulerQuestion,
		)

		active: DF.Check
		assignment: DF.Literal["Individual", "Round Robin", "Collective"]
		buffer_after: DF.Int
		buffer_before: DF.Int
		cancel_notice: DF.Int
		color: DF.Color | None
		confirmation_message: DF.SmallText | None
		currency: DF.Link | None
		custom_duration: DF.Int
		daily_limit: DF.Int
		description: DF.SmallText | None
		duration: DF.Literal["15", "30", "45", "60", "90", "120", "Custom"]
		feedback_url: DF.Data | None
		hosts: DF.Table[SchedulerMeetingTypeHost]
		location_details: DF.SmallText | None
		location_type: DF.Literal[
			"", "Google Meet", "Zoom", "Microsoft Teams", "Phone", "In Person", "Custom"
		]
		max_advance_days: DF.Int
		min_notice: DF.Int
		no_show_delay: DF.Int
		no_show_task: DF.Check
		price: DF.Currency
		priority: DF.Int
		profile: DF.Link
		questions: DF.Table[SchedulerQuestion]
		recommended_phases: DF.TableMultiSelect[SchedulerMeetingTypePhase]
		reminder_offsets: DF.Data | None
		requires_confirmation: DF.Check
		reschedule_notice: DF.Int
		scheduler_event_url: DF.SmallText | None
		send_no_show_follow_up: DF.Check
		send_thank_you: DF.Check
		send_win_back: DF.Check
		slot_interval: DF.Int
		slug: DF.Data
		sms_reminder_offsets: DF.Data | None
		sms_reminders: DF.Check
		sort_order: DF.Int
		thank_you_delay: DF.Int
		title: DF.Data
		user: DF.Link | None
		weekly_limit: DF.Int
		win_back_delay: DF.Int

	# end: auto-generated types
	def duration_minutes(self) -> int:
		"""The meeting's length: the one definition (``engine.validation.clean_duration``)."""
		return clean_duration(self.duration, self.custom_duration)

	def host_users(self) -> list[str]:
		"""Who may be booked: the profile's user, or the team's hosts who accepted."""
		if (self.assignment or "Individual") == "Individual":
			return [self.user or frappe.db.get_value("Scheduler Profile", self.profile, "user")]
		return [row.user for row in self.hosts if row.accepted]

	def location_text(self) -> str:
		parts = [_(self.location_type) if self.location_type else "", self.location_details or ""]
		return " — ".join(part for part in parts if part)

	def autoname(self):
		"""New types are named after their link: "<profile slug>-<type slug>"."""
		profile = frappe.db.get_value("Scheduler Profile", self.profile, "slug") if self.profile else None
		slug = self.slug or frappe.scrub(self.title or "").replace("_", "-")
		if profile and slug:
			self.name = readable_name(self.doctype, f"{profile}-{slug}")

	def validate(self):
		errors = FieldErrors()
		if self.profile:
			self.user = frappe.db.get_value("Scheduler Profile", self.profile, "user")
			if self.user != frappe.session.user and not is_manager():
				frappe.throw(
					_("You can only add meeting types to your own Scheduler Profile"), frappe.PermissionError
				)
		self.title = errors.clean("title", clean_text, self.title, "title", 200, required=True)
		if not self.slug and self.title:
			self.slug = slugify(self.title)
		self.slug = errors.clean("slug", clean_slug, self.slug)
		errors.unique(
			self, "slug", _("This profile already has a meeting type with this slug"), profile=self.profile
		)
		errors.clean("duration", clean_duration, self.duration, self.custom_duration)
		self.priority = errors.clean("priority", clean_int, self.priority, "priority", 0, 10, default=0)
		self.sort_order = errors.clean(
			"sort_order", clean_int, self.sort_order, "sort_order", -10_000, 10_000, default=0
		)
		for field, high in BOUNDS.items():
			self.set(field, errors.clean(field, clean_int, self.get(field), field, 0, high, default=0))
		self.description = errors.clean(
			"description", clean_text, self.description, "description", MAX_DESCRIPTION, multiline=True
		)
		self.confirmation_message = errors.clean(
			"confirmation_message",
			clean_text,
			self.confirmation_message,
			"confirmation_message",
			MAX_MESSAGE,
			multiline=True,
		)
		self.location_details = errors.clean(
			"location_details", clean_text, self.location_details, "location_details", 1000, multiline=True
		)
		if self.location_type:
			self.location_type = errors.clean(
				"location_type", clean_choice, self.location_type, "location_type", LOCATION_TYPES
			)
		self.scheduler_event_url = errors.clean(
			"scheduler_event_url", clean_url, self.scheduler_event_url, "scheduler_event_url"
		)
		self.assignment = errors.clean(
			"assignment", clean_choice, self.assignment, "assignment", ASSIGNMENTS, default="Individual"
		)
		for field in ("reminder_offsets", "sms_reminder_offsets"):
			try:
				adapters.parse_offsets(self.get(field))
			except SchedulingError as exc:
				errors.add(field, translate(exc))
		self.feedback_url = errors.clean("feedback_url", clean_url, self.feedback_url, "feedback_url")
		if (self.price or 0) < 0:
			errors.add("price", _("The price cannot be negative"))
		if self.price and not self.currency:
			self.currency = frappe.db.get_default("currency") or None
		phases = errors.clean(
			"recommended_phases",
			clean_phases,
			[row.phase for row in self.recommended_phases or []],
			"recommended_phases",
			phase_names(),
		)
		if isinstance(phases, list) and not errors.errors.get("recommended_phases"):
			self.set("recommended_phases", [{"phase": phase} for phase in phases])
		self.validate_team(errors)
		self.validate_meeting_links(errors)
		for row in self.questions or []:
			try:
				row.label = clean_text(row.label, "label", 200, required=True)
				if row.fieldtype == "Select" and not (row.options or "").strip():
					raise InvalidField(_("A Select question needs options, one per line"), "options")
			except SchedulingError as exc:
				errors.add("questions", _("Row {0}: {1}").format(row.idx, translate(exc)))
		errors.raise_if_any()

	def validate_team(self, errors: FieldErrors) -> None:
		"""Team hosts: listed once, with a profile, weight >= 1; a host other than yourself
		joins only by accepting the invitation, unless a Scheduler Manager adds them."""
		if self.assignment == "Individual":
			return
		users = [row.user for row in self.hosts or []]
		if not users:
			errors.add("hosts", _("Add the team's hosts for a {0} meeting type").format(_(self.assignment)))
			return
		if len(set(users)) != len(users):
			errors.add("hosts", _("Each host may be listed once"))
		without_profile = [u for u in users if not frappe.db.exists("Scheduler Profile", {"user": u})]
		if without_profile:
			errors.add(
				"hosts",
				_("These hosts have no Scheduler Profile yet: {0}").format(", ".join(without_profile)),
			)
		before = self.get_doc_before_save()
		accepted_before = {row.user for row in (before.hosts if before else []) if row.accepted}
		trusted = is_manager()
		for row in self.hosts:
			if (row.weight or 0) < 1:
				errors.add("hosts", _("Row {0}: weight must be at least 1").format(row.idx))
			row.accepted = int(row.user in accepted_before or row.user == frappe.session.user or trusted)

	def validate_meeting_links(self, errors: FieldErrors) -> None:
		"""An active type whose location is a video service (Zoom, Google Meet, Microsoft
		Teams) needs every host who could be assigned connected to that provider, so the
		booking page never promises a link nobody can make. Checked when the type is made
		active or its location or team changes; a connection that fails later does not lock
		the type (the page then stops promising the link: ``booking.meetings``)."""
		if not self.active or not self.location_type:
			return
		if not (
			self.is_new()
			or self.has_value_changed("active")
			or self.has_value_changed("location_type")
			or self.has_value_changed("assignment")
			or self._hosts_changed()
		):
			return
		gaps = meetings.missing(self)
		if gaps:
			errors.add("location_type", meetings.missing_message(self, gaps))

	def _hosts_changed(self) -> bool:
		before = self.get_doc_before_save()
		if before is None:
			return True
		return {r.user for r in before.hosts if r.accepted} != {r.user for r in self.hosts if r.accepted}

	def on_update(self):
		self.invite_new_hosts()
		meeting_types.invalidate([self.name])
		before = self.get_doc_before_save()
		self.invalidate_pages([self.profile, before.profile if before else None])

	def on_trash(self):
		meeting_types.invalidate([self.name])
		self.invalidate_pages([self.profile])

	def invalidate_pages(self, profiles) -> None:
		"""Outdate the public pages that list or link this type (by their profiles' slugs)."""
		profiles = [name for name in dict.fromkeys(profiles) if name]
		if profiles:
			pages.invalidate(
				frappe.get_all("Scheduler Profile", filters={"name": ("in", profiles)}, pluck="slug")
			)

	def invite_new_hosts(self) -> None:
		"""A ToDo for each host invited since the last save, to accept or decline."""
		before = self.get_doc_before_save()
		known = {row.user for row in (before.hosts if before else [])}
		for row in self.hosts:
			if row.accepted or row.user in known:
				continue
			frappe.get_doc(
				{
					"doctype": "ToDo",
					"allocated_to": row.user,
					"reference_type": self.doctype,
					"reference_name": self.name,
					"assigned_by": frappe.session.user,
					"description": _(
						"{0} invited you to host {1}. Open the meeting type to accept or decline."
					).format(frappe.utils.get_fullname(frappe.session.user), self.title),
				}
			).insert(ignore_permissions=True)

	def respond_to_invitation(self, user: str, accept: bool) -> None:
		"""The invited ``user`` joins the team (accept) or leaves it; nothing else changes."""
		row = next((row for row in self.hosts if row.user == user), None)
		if row is None:
			raise frappe.DoesNotExistError(_("You are not invited to host this meeting type"))
		if accept:
			frappe.db.set_value(row.doctype, row.name, "accepted", 1)
		else:
			frappe.db.delete(row.doctype, {"name": row.name})
		for todo in frappe.get_all(
			"ToDo",
			filters={
				"reference_type": self.doctype,
				"reference_name": self.name,
				"allocated_to": user,
				"status": "Open",
			},
			pluck="name",
		):
			frappe.db.set_value("ToDo", todo, "status", "Closed")
		frappe.clear_document_cache(self.doctype, self.name)
		meeting_types.invalidate([self.name])
