# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""A host's working hours. New hours start in the zone of the host's profile (one zone
per host, ``core.hosts``), and hours a host saves while their profile has none become the
profile's: a host who sets their hours never ends with a page that offers nothing because
the hours were not picked on the profile."""

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import availability, meeting_types
from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.core.hosts import new_hours_timezone
from scheduler_integration.core.naming import readable_name
from scheduler_integration.core.table_text import TableRowsAsText
from scheduler_integration.engine import adapters
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.model import format_hhmm, parse_hhmm
from scheduler_integration.engine.validation import clean_text, clean_timezone


class SchedulerAvailability(TableRowsAsText, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from scheduler_integration.scheduler_integration.doctype.scheduler_availability_rule.scheduler_availability_rule import (
			SchedulerAvailabilityRule,
		)
		from scheduler_integration.scheduler_integration.doctype.scheduler_date_override.scheduler_date_override import (
			SchedulerDateOverride,
		)

		date_overrides: DF.Table[SchedulerDateOverride]
		timezone: DF.Autocomplete
		title: DF.Data
		user: DF.Link
		weekly_rules: DF.Table[SchedulerAvailabilityRule]

	# end: auto-generated types
	def autoname(self):
		"""New schedules are named by title and owner: "Working Hours (ada@example.com)"."""
		user = self.user or frappe.session.user
		self.name = readable_name(self.doctype, f"{self.title or _('Working Hours')} ({user})")

	def validate(self):
		errors = FieldErrors()
		self.user = self.user or frappe.session.user
		self.title = errors.clean(
			"title", clean_text, self.title or _("Working Hours"), "title", 140, required=True
		)
		self.timezone = errors.clean(
			"timezone", clean_timezone, self.timezone or new_hours_timezone(self.user)
		)
		for row in [*(self.weekly_rules or []), *(self.date_overrides or [])]:
			table = "weekly_rules" if row.parentfield == "weekly_rules" else "date_overrides"
			if message := normalise_times(row):
				errors.add(table, _("Row {0}: {1}").format(row.idx, message))
		errors.raise_if_any()
		for row in self.weekly_rules or []:
			try:
				adapters.weekly_from_rows([row.as_dict()])
			except SchedulingError as exc:
				errors.add("weekly_rules", _("Row {0}: {1}").format(row.idx, translate(exc)))
		for row in self.date_overrides or []:
			try:
				adapters.overrides_from_rows([row.as_dict()])
			except SchedulingError as exc:
				errors.add("date_overrides", _("Row {0}: {1}").format(row.idx, translate(exc)))
		errors.raise_if_any()

	def onload(self):
		# the form offers "Use as my working hours" when the profile names other hours
		profile = frappe.db.get_value("Scheduler Profile", {"user": self.user}, ["name", "availability"])
		self.set_onload(
			"profile",
			{"name": profile[0], "is_default": profile[1] == self.name} if profile else None,
		)

	def on_update(self):
		self.become_default_if_none()
		availability.invalidate(self.users())

	def become_default_if_none(self) -> bool:
		"""Be the profile's working hours when the profile has none (a host's first hours,
		or any they save while their profile names none). True when linked."""
		profile = frappe.db.get_value(
			"Scheduler Profile", {"user": self.user}, ["name", "availability"], as_dict=True
		)
		if not profile or profile.availability:
			return False
		use_as_default(profile.name, self.name)
		return True

	def on_trash(self):
		availability.invalidate(self.users())

	def users(self) -> list[str]:
		"""Whose working hours these are: its user and every profile that uses it."""
		return [
			self.user,
			*frappe.get_all("Scheduler Profile", filters={"availability": self.name}, pluck="user"),
		]


def use_as_default(profile: str, name: str) -> None:
	"""Make ``name`` the working hours of ``profile`` without saving the profile (whose
	other fields may be someone else's unsaved edit): its value, its caches."""
	frappe.db.set_value("Scheduler Profile", profile, "availability", name, update_modified=False)
	user = frappe.db.get_value("Scheduler Profile", profile, "user")
	availability.invalidate([user])
	# meeting type contexts hold the profile document
	meeting_types.invalidate(
		frappe.get_all("Scheduler Meeting Type", filters={"profile": profile}, pluck="name")
	)


# the From / To lists offer every 5 minutes of the day, 00:00 … 24:00 (scheduler_desk.js,
# TIME_STEP); the fields are Autocomplete, so the grid is checked here
STEP = 5


def normalise_times(row) -> str | None:
	"""Write From / To as HH:MM ("9:00" and "09:00:00" are "09:00"); a message if one is not
	a time of the lists. Unreadable values are left to the engine's own message."""
	for field in ("from_time", "to_time"):
		value = row.get(field)
		if value in (None, ""):
			continue
		try:
			minutes = parse_hhmm(str(value), field)
		except SchedulingError:
			continue
		if minutes % STEP:
			return _("{0} must be a multiple of {1} minutes, not {2}").format(
				_(row.meta.get_label(field)), STEP, value
			)
		setattr(row, field, format_hhmm(minutes))
	return None
