# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt


import math
from html import unescape

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import deletion, domains, meeting_types, meetings, pages, payments
from scheduler_integration.booking.errors import ChangeRefused
from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.core.hosts import type_hosts
from scheduler_integration.core.jinja import host_template_error
from scheduler_integration.core.naming import readable_name
from scheduler_integration.core.permissions import is_manager, is_team_admin
from scheduler_integration.core.table_text import TableRowsAsText
from scheduler_integration.crm import fields as crm_fields
from scheduler_integration.engine import adapters
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.meetings import location_text
from scheduler_integration.engine.model import MAX_SEATS
from scheduler_integration.engine.occurrences import MAX_OCCURRENCES, meetings_within
from scheduler_integration.engine.teams import MODE_LABELS
from scheduler_integration.engine.validation import (
	ASSIGNMENTS,
	LOCATION_TYPES,
	MAX_DESCRIPTION,
	MAX_MESSAGE,
	clean_choice,
	clean_color,
	clean_duration,
	clean_int,
	clean_phases,
	clean_text,
	clean_url,
)
from scheduler_integration.reporting.phases import phase_names
from scheduler_integration.rules.guest_form import MAX_ATTENDEES, clean_question
from scheduler_integration.rules.payments import (
	HOLD_DEFAULT,
	HOLD_MAX,
	HOLD_MIN,
	REFUND_DEFAULT,
	RefundPolicy,
)
from scheduler_integration.scheduler_integration.doctype.scheduler_profile.scheduler_profile import (
	profile_for_new_host,
)

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


HOST_ROLES = frozenset({"Scheduler Host", "Scheduler Manager"})


def as_text(*parts) -> list[str]:
	"""Names and titles for text shown as HTML (a to-do, the bell): escaped once (a title is
	stored with its ``&`` escaped already)."""
	return [frappe.utils.escape_html(unescape(str(part or ""))) for part in parts]


class SchedulerMeetingType(TableRowsAsText, Document):
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
		booking_page: DF.Link | None
		allow_series: DF.Check
		assignment: DF.Literal["Individual", "Round Robin", "Collective"]
		buffer_after: DF.Int
		buffer_before: DF.Int
		cancel_notice: DF.Int
		color: DF.Color | None
		confirmation_message: DF.SmallText | None
		currency: DF.Link | None
		custom_duration: DF.Int
		daily_limit: DF.Int
		day_mode: DF.Literal["Consecutive Days", "Working Days"]
		days: DF.Int
		description: DF.SmallText | None
		duration: DF.Literal["15", "30", "45", "60", "90", "120", "Custom"]
		event_description_template: DF.Code | None
		event_title_template: DF.Data | None
		feedback_url: DF.Data | None
		hosts: DF.Table[SchedulerMeetingTypeHost]
		location_details: DF.SmallText | None
		location_type: DF.Literal[
			"", "Google Meet", "Zoom", "Microsoft Teams", "Phone", "In Person", "Custom"
		]
		max_advance_days: DF.Int
		max_attendees: DF.Int
		min_notice: DF.Int
		no_show_delay: DF.Int
		no_show_task: DF.Check
		price: DF.Currency
		priority: DF.Int
		payment_hold_minutes: DF.Int
		profile: DF.Link
		questions: DF.Table[SchedulerQuestion]
		recommended_phases: DF.TableMultiSelect[SchedulerMeetingTypePhase]
		refund_full_hours: DF.Int
		refund_partial_hours: DF.Int
		refund_partial_percent: DF.Int
		refund_policy: DF.Literal["Full Refund", "By Notice", "No Refund"]
		reminder_offsets: DF.Data | None
		require_payment: DF.Check
		requires_confirmation: DF.Check
		reschedule_notice: DF.Int
		round_robin_mode: DF.Literal["Fair Share by Weight", "Maximize Availability"]
		scheduler_event_url: DF.SmallText | None
		seats_per_slot: DF.Int
		series_booking: DF.Literal["Book None", "Skip Taken Ones"]
		series_frequency: DF.Literal["Weekly", "Every 2 Weeks", "Monthly"]
		series_max_count: DF.Int
		send_no_show_follow_up: DF.Check
		send_thank_you: DF.Check
		send_win_back: DF.Check
		show_attendees: DF.Check
		show_seats_left: DF.Check
		slot_interval: DF.Int
		slug: DF.Data
		sms_reminder_offsets: DF.Data | None
		sms_reminders: DF.Check
		sort_order: DF.Int
		team: DF.Link | None
		thank_you_delay: DF.Int
		title: DF.Data
		user: DF.Link | None
		weekly_limit: DF.Int
		win_back_delay: DF.Int

	# end: auto-generated types
	def duration_minutes(self) -> int:
		return meeting_types.duration_minutes(self)

	def host_users(self) -> list[str]:
		return type_hosts(self)

	def location_text(self) -> str:
		return location_text(self.location_type, self.location_details, _)

	def autoname(self):
		"""New types are named after their link: "<profile slug>-<type slug>"."""
		profile = frappe.db.get_value("Scheduler Profile", self.profile, "slug") if self.profile else None
		slug = self.slug or frappe.scrub(self.title or "").replace("_", "-")
		if profile and slug:
			self.name = readable_name(self.doctype, f"{profile}-{slug}")

	def onload(self):
		# the form offers Save only to who may save (a colleague hosting or invited answers
		# instead): the owner, or a Scheduler Manager (``validate``)
		self.set_onload("may_edit", self.user == frappe.session.user or is_manager())
		# the form's link buttons: its team's or profile's page, on their custom domain
		self.set_onload("booking_url", domains.type_url(self) if self.slug else "")

	def validate(self):
		errors = FieldErrors()
		if self.profile:
			self.user = frappe.db.get_value("Scheduler Profile", self.profile, "user")
			if self.user != frappe.session.user and not is_manager():
				frappe.throw(
					_("You can only add meeting types to your own Scheduler Profile"), frappe.PermissionError
				)
		errors.title_and_slug(
			self, _("This profile already has a meeting type with this slug"), profile=self.profile
		)
		errors.clean("duration", clean_duration, self.duration, self.custom_duration)
		self.color = errors.clean("color", clean_color, self.color, "color")
		self.priority = errors.clean("priority", clean_int, self.priority, "priority", 0, 10, default=0)
		self.sort_order = errors.clean(
			"sort_order", clean_int, self.sort_order, "sort_order", -10_000, 10_000, default=0
		)
		for field, high in BOUNDS.items():
			self.set(field, errors.clean(field, clean_int, self.get(field), field, 0, high, default=0))
		self.seats_per_slot = errors.clean(
			"seats_per_slot", clean_int, self.seats_per_slot, "seats_per_slot", 1, MAX_SEATS, default=1
		)
		self.validate_occurrences(errors)
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
		for field in ("event_title_template", "event_description_template"):
			# a broken template would fall back to the default on every event: say so now
			if problem := host_template_error(self.get(field)):
				errors.add(field, _("This template cannot be used: {0}").format(problem))
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
		try:  # a REST body may send anything: a number, or a field error (never a 500)
			self.price = float(self.price or 0)
			if not math.isfinite(self.price):
				raise ValueError
		except (TypeError, ValueError):
			errors.add("price", _("The price must be a number"))
			self.price = 0
		if self.price < 0:
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
		self.round_robin_mode = errors.clean(
			"round_robin_mode",
			clean_choice,
			self.round_robin_mode,
			"round_robin_mode",
			tuple(MODE_LABELS),
			default=next(iter(MODE_LABELS)),
		)
		self.validate_payment(errors)
		self.validate_team(errors)
		self.validate_team_page(errors)
		self.validate_booking_page(errors)
		self.validate_meeting_links(errors)
		self.max_attendees = errors.clean(
			"max_attendees", clean_int, self.max_attendees, "max_attendees", 0, MAX_ATTENDEES, default=0
		)
		labels = set()
		for row in self.questions or []:
			try:
				row.label, row.fieldtype = clean_question(row.label, row.fieldtype, row.options)
			except SchedulingError as exc:
				errors.add("questions", _("Row {0}: {1}").format(row.idx, translate(exc)))
			problem = crm_fields.mapping_problem(row.crm_field) if row.get("crm_field") else None
			if problem:
				errors.add("questions", _("Row {0}: {1}").format(row.idx, problem))
			if row.label in labels:  # answers are kept by question
				errors.add("questions", _("Row {0}: another question asks this already").format(row.idx))
			labels.add(row.label)
		errors.raise_if_any()

	def validate_occurrences(self, errors: FieldErrors) -> None:
		"""Days per booking and recurring series: in range, and one kind per type (seats,
		days or a series)."""
		self.days = errors.clean("days", clean_int, self.days, "days", 1, adapters.MAX_DAYS, default=1)
		self.series_max_count = errors.clean(
			"series_max_count",
			clean_int,
			self.series_max_count,
			"series_max_count",
			1,
			MAX_OCCURRENCES,
			default=6,
		)
		if self.allow_series and (self.series_max_count or 0) < 2:
			errors.add("series_max_count", _("A series has at least 2 meetings"))
		kinds = [self.seats_per_slot > 1, self.days > 1, bool(self.allow_series)]
		if sum(kinds) > 1:
			errors.add(
				"days" if self.days > 1 else "allow_series",
				_("A meeting type has either seats, several days or a recurring series, not more than one"),
			)
		if self.days > 1 and (self.duration_minutes() if not errors.errors.get("duration") else 0) > 12 * 60:
			errors.add("duration", _("Each day of a multi-day booking lasts at most 12 hours"))
		repeat = adapters.FREQUENCIES.get(self.series_frequency or "Weekly")
		if self.allow_series and repeat and self.max_advance_days:
			fits = meetings_within(repeat, self.max_advance_days)
			if fits < (self.series_max_count or 0):
				# saved as asked, but a guest choosing more would never find a time
				frappe.msgprint(
					_(
						"Within a booking window of {0} days at most {1} meetings of this series can be booked: lower Most Meetings in a Series to {1} or widen the window."
					).format(self.max_advance_days, fits),
					title=_("Some series lengths never have times"),
					indicator="orange",
				)

	def validate_payment(self, errors: FieldErrors) -> None:
		"""Require Payment: a price, one meeting per booking, a hold and a refund policy the
		rules take (``rules.payments``), and, to be active, a payment gateway that takes
		this currency and amount (the payments app's controller answers that)."""
		self.payment_hold_minutes = errors.clean(
			"payment_hold_minutes",
			clean_int,
			self.payment_hold_minutes,
			"payment_hold_minutes",
			HOLD_MIN,
			HOLD_MAX,
			default=HOLD_DEFAULT,
		)
		for field, high in (
			("refund_full_hours", 24 * 366),
			("refund_partial_hours", 24 * 366),
			("refund_partial_percent", 100),
		):
			self.set(field, errors.clean(field, clean_int, self.get(field), field, 0, high, default=0))
		self.refund_policy = self.refund_policy or REFUND_DEFAULT
		try:
			RefundPolicy.of(self)
		except SchedulingError as exc:
			errors.add(exc.field or "refund_policy", translate(exc))
		if not self.require_payment:
			return
		if (self.price or 0) <= 0:
			errors.add("price", _("A meeting type that requires payment needs a price"))
		if self.seats_per_slot > 1 or self.days > 1 or self.allow_series:
			errors.add(
				"require_payment",
				_("Payment is taken for one meeting per booking: not with seats, several days or a series"),
			)
		if self.active and not errors.errors:
			problem = payments.gateway_problem(self.currency, self.price)
			if problem:
				errors.add(
					"require_payment", _("This meeting type cannot be active yet: {0}").format(problem)
				)

	def validate_team(self, errors: FieldErrors) -> None:
		"""Team hosts: listed once, with a profile, weight >= 1; a host other than yourself
		joins only by accepting the invitation, unless a Scheduler Manager adds them."""
		# the rows as committed, by a locking read: an answer given since this request's
		# snapshot (``get_doc_before_save`` reads from it) must be neither undone nor lost
		current = {} if self.is_new() else {row.name: row for row in self.committed_hosts()}
		if self.assignment == "Individual":
			# rows kept while the type is individual are not answers either: a host switching
			# to Individual, listing a colleague as accepted and back to a team type must not
			# make them a host without their answer
			self.set_acceptance(current)
			return
		# a row this copy read that was removed since — the invitee declined, or another save
		# took the host off — is that answer, not this caller's: a stale copy (a REST PUT
		# without ``modified``) never invites them again. A row sent without a name is a new
		# invitation, which the invitee answers again.
		for row in [row for row in self.hosts if not row.is_new() and row.name not in current]:
			self.remove(row)
		for idx, row in enumerate(self.hosts, start=1):
			row.idx = idx
		users = [row.user for row in self.hosts or []]
		if not users:
			# an inactive one may have none (its last invitee declined): the owner can still
			# deactivate it, or change it while it is off
			if self.active:
				errors.add(
					"hosts", _("Add the team's hosts for a {0} meeting type").format(_(self.assignment))
				)
			return
		if len(set(users)) != len(users):
			errors.add("hosts", _("Each host may be listed once"))
		# a colleague is a desk user who can sign in (their invitation and profile need one);
		# a host listed before who was disabled since stays, offered no times
		if any(not isinstance(user, str) or not user for user in users):
			errors.add("hosts", _("Choose a user in every host row"))
			users = [user for user in users if isinstance(user, str) and user]
		listed = {row.user for row in current.values()}
		desk = frappe.get_all(
			"User",
			filters={"name": ("in", users), "enabled": 1, "user_type": "System User"},
			pluck="name",
		)
		# a colleague with the host's role: accepting gives them a public page (walk: a
		# Blogger made one through an invitation the owner sent)
		able = {user for user in desk if HOST_ROLES.intersection(frappe.get_roles(user))}
		unable = [user for user in dict.fromkeys(users) if user not in able and user not in listed]
		if unable:
			errors.add(
				"hosts",
				_("Only enabled desk users with the Scheduler Host role can host: {0}").format(
					", ".join(unable)
				),
			)
		for row in self.hosts:
			try:  # "9" from a JSON body or set_value is 9; text that is no number is refused
				row.weight = clean_int(row.weight, "weight", 1, 1_000_000)
			except SchedulingError:
				errors.add("hosts", _("Row {0}: weight must be a whole number of at least 1").format(row.idx))
		self.set_acceptance(current)
		# a colleague without a profile may be invited: accepting makes theirs; one a
		# Scheduler Manager adds (accepted at once) gets it now
		if not errors.errors:
			for row in self.hosts:
				if row.accepted and not frappe.db.exists("Scheduler Profile", {"user": row.user}):
					profile_for_new_host(row.user)

	def set_acceptance(self, current: dict) -> None:
		"""Each host row's ``accepted``: a manager adds hosts as accepted; an invitation already
		out stays the invitee's to answer, whoever saves the type (``current``: the committed
		rows by name)."""
		listed_before = {row.user for row in current.values()}
		accepted_before = {row.user for row in current.values() if row.accepted}
		trusted = is_manager()
		for row in self.hosts or []:
			row.accepted = int(
				row.user in accepted_before
				or row.user == frappe.session.user
				or (trusted and row.user not in listed_before)
			)

	def validate_team_page(self, errors: FieldErrors) -> None:
		"""A type on a team's page: round robin or collective, every host a member of the
		team, its link unique on the team's page; only the team's admins (or a Scheduler
		Manager) put a type on it."""
		if not self.team:
			return
		if self.assignment == "Individual":
			errors.add("team", _("Only round-robin and collective meeting types belong to a team"))
			return
		title = frappe.db.get_value("Scheduler Team", self.team, "title") or self.team
		if (self.is_new() or self.has_value_changed("team")) and not (
			is_manager() or is_team_admin(self.team)
		):
			errors.add("team", _("Only an admin of the team {0} may add meeting types to it").format(title))
		members = set(
			frappe.get_all(
				"Scheduler Team Member",
				filters={"parenttype": "Scheduler Team", "parent": self.team},
				pluck="user",
			)
		)
		outside = [row.user for row in self.hosts or [] if row.user not in members]
		if outside:
			errors.add(
				"hosts",
				_("Every host must be a member of the team {0}: {1}").format(title, ", ".join(outside)),
			)
		errors.unique(
			self, "slug", _("The team's page already has a meeting type with this slug"), team=self.team
		)

	def validate_booking_page(self, errors: FieldErrors) -> None:
		"""A type on one of the host's extra pages: the page is its owner's, and a team type
		lists on its team's page instead."""
		if not self.booking_page:
			return
		owner = frappe.db.get_value("Scheduler Booking Page", self.booking_page, "user")
		if owner is None:
			errors.add("booking_page", _("Booking Page {0} not found").format(self.booking_page))
		elif owner != self.user:
			errors.add("booking_page", _("Pick one of the booking pages of this type's host"))
		elif self.team:
			errors.add("booking_page", _("A team's meeting type is listed on the team's page"))

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
			errors.add(
				"location_type",
				meetings.missing_message(self, gaps),
				link=meetings.connection_link(self, gaps),
			)

	def _hosts_changed(self) -> bool:
		before = self.get_doc_before_save()
		if before is None:
			return True
		return {r.user for r in before.hosts if r.accepted} != {r.user for r in self.hosts if r.accepted}

	def on_update(self):
		self.invite_new_hosts()
		before = self.get_doc_before_save()
		removed = {row.user for row in (before.hosts if before else [])} - {row.user for row in self.hosts}
		if removed:
			self.close_invitations(removed, "Cancelled")  # an invitation taken back is not left to answer
		meeting_types.invalidate([self.name])
		self.invalidate_pages([self.profile, before.profile if before else None])
		self.invalidate_team_pages([self.team, before.team if before else None])
		self.invalidate_booking_pages([self.booking_page, before.booking_page if before else None])

	def on_trash(self):
		deletion.meeting_type_deleted(self)
		meeting_types.invalidate([self.name])
		self.invalidate_pages([self.profile])
		self.invalidate_team_pages([self.team])
		self.invalidate_booking_pages([self.booking_page])

	def invalidate_booking_pages(self, names) -> None:
		"""Outdate the host's extra pages that list this type (by their slugs)."""
		names = [name for name in dict.fromkeys(names) if name]
		if names:
			pages.invalidate(
				frappe.get_all("Scheduler Booking Page", filters={"name": ("in", names)}, pluck="slug")
			)

	def invalidate_team_pages(self, teams) -> None:
		"""Outdate the team pages that list this type (by their teams' slugs)."""
		teams = [name for name in dict.fromkeys(teams) if name]
		if teams:
			pages.invalidate_teams(
				frappe.get_all("Scheduler Team", filters={"name": ("in", teams)}, pluck="slug")
			)

	def invalidate_pages(self, profiles) -> None:
		"""Outdate the public pages that list or link this type (by their profiles' slugs)."""
		profiles = [name for name in dict.fromkeys(profiles) if name]
		if profiles:
			pages.invalidate(
				frappe.get_all("Scheduler Profile", filters={"name": ("in", profiles)}, pluck="slug")
			)

	def invite_new_hosts(self) -> None:
		"""A ToDo for each host invited since the last save, to accept or decline, and a
		notification (the desk's bell) that says so. An individual type invites nobody (rows
		it keeps from a team type's past are not hosts)."""
		if (self.assignment or "Individual") == "Individual":
			return
		before = self.get_doc_before_save()
		known = {row.user for row in (before.hosts if before else [])}
		invited = [row.user for row in self.hosts if not row.accepted and row.user not in known]
		if invited:
			self.notify(
				invited,
				_("{0} invited you to host {1}: open it to accept or decline"),
				frappe.utils.get_fullname(frappe.session.user),
				self.title,
			)
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
					# a Text Editor field: a title's or a name's HTML shows as text, never as markup
					"description": _(
						"{0} invited you to host {1}. Open the meeting type to accept or decline."
					).format(*as_text(frappe.utils.get_fullname(frappe.session.user), self.title)),
				}
			).insert(ignore_permissions=True)

	def committed_hosts(self) -> list:
		"""The host rows as committed (name, user, accepted), by a locking read: newer than
		this request's snapshot, and held until it commits."""
		return frappe.db.sql(
			"select name, user, accepted from `tabScheduler Meeting Type Host`"
			" where parenttype = %s and parent = %s and parentfield = 'hosts' for update",
			(self.doctype, self.name),
			as_dict=True,
		)

	def respond_to_invitation(self, user: str, accept: bool) -> None:
		"""The invited ``user`` joins the team (accept) or leaves it; nothing else changes.
		Answers to one type take turns on its row and read its hosts as committed: two hosts
		declining at once would each see the other still hosting, and leave it with none."""
		frappe.db.get_value(self.doctype, self.name, "name", for_update=True)
		rows = self.committed_hosts()
		row = next((row for row in rows if row.user == user), None)
		if row is None:
			raise frappe.DoesNotExistError(_("You are not invited to host this meeting type"))
		if not accept and user == self.user:
			raise ChangeRefused(_("You own this meeting type: deactivate it instead"), "owner")
		if not accept and row.accepted and not any(r.accepted for r in rows if r is not row):
			# the last host who accepted would leave the type offering no times; an invitation
			# not yet accepted may always be declined (the type offered none with it)
			raise ChangeRefused(_("You are its only host: deactivate the meeting type instead"), "only_host")
		if accept and row.accepted:
			return  # answered before (a repeated or concurrent accept): nothing to do, nobody to tell
		if accept:
			profile_for_new_host(user)  # invited before they had one
			frappe.db.set_value("Scheduler Meeting Type Host", row.name, "accepted", 1)
		else:
			frappe.db.delete("Scheduler Meeting Type Host", {"name": row.name})
		self.tell_of_answer(user, accept)
		self.close_invitations([user])
		# the type changed: a copy the owner opened before this answer is refused on save
		# ("modified after you opened it") rather than writing the host rows back as they were
		frappe.db.set_value(self.doctype, self.name, "modified", frappe.utils.now(), update_modified=False)
		frappe.clear_document_cache(self.doctype, self.name)
		meeting_types.invalidate([self.name])

	def tell_of_answer(self, user: str, accept: bool) -> None:
		"""The type's owner and whoever sent the invitation hear of the answer (the bell)."""
		inviters = frappe.get_all(
			"ToDo",
			filters={
				"reference_type": self.doctype,
				"reference_name": self.name,
				"allocated_to": user,
				"status": "Open",
			},
			pluck="assigned_by",
		)
		told = [u for u in dict.fromkeys([self.user, *inviters]) if u and u != user]
		text = _("{0} accepted to host {1}") if accept else _("{0} declined to host {1}")
		self.notify(told, text, frappe.utils.get_fullname(user), self.title)

	def notify(self, users: list[str], text: str, *parts) -> None:
		"""A desk notification (Notification Log, the bell) about this type for ``users``:
		``text`` with ``parts`` (names, the title) escaped once, as the bell shows HTML (a
		title is stored with its ``&`` escaped already)."""
		from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

		subject = text.format(*as_text(*parts))
		if users:
			enqueue_create_notification(
				users,
				{
					"type": "Alert",
					"document_type": self.doctype,
					"document_name": self.name,
					"subject": subject,
					"from_user": frappe.session.user,
				},
			)

	def close_invitations(self, users, status: str = "Closed") -> None:
		"""End the open invitation to-dos of ``users`` for this type: Closed when answered,
		Cancelled when the host was taken off the type."""
		# locking reads: another answer (or the owner's change) may have ended one since this
		# transaction's first read, and saving that stale copy is refused as "modified"
		for todo in frappe.db.sql_list(
			"select name from `tabToDo` where reference_type = %s and reference_name = %s"
			" and allocated_to in %s and status = 'Open' for update",
			(self.doctype, self.name, tuple(users)),
		):
			# through the to-do's controller: it takes the host off the type's assignments
			# (the list's avatar and "Assigned To" filter) and notes it on the timeline
			doc = frappe.get_doc("ToDo", todo, for_update=True)
			doc.status = status
			doc.save(ignore_permissions=True)
