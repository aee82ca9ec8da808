"""A host's booking page in one step (the workspace's quick set-up): the profile, its
working hours (saved while the profile has none, they become the profile's: their
controller), a first meeting type and, with a secret iCal address, a calendar feed — each
through its own controller, in this order because each needs the one before, its field
errors reported under the set-up dialog's names. The API queues the feed's first sync.
"""

from __future__ import annotations

from dataclasses import dataclass

import frappe
from frappe import _

from scheduler_integration.core import error_codes as codes
from scheduler_integration.core.errors import FieldValidationError, RequestRefused
from scheduler_integration.core.hosts import follow_profile_zone
from scheduler_integration.engine.validation import STANDARD_DURATIONS

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class AlreadySetUp(RequestRefused):
	code = codes.CONFLICT
	http_status_code = codes.STATUS[code]


@dataclass(frozen=True)
class Setup:
	display_name: str
	slug: str
	timezone: str
	days: list | None = None  # weekday names; None: Monday to Friday
	from_time: str = "09:00"
	to_time: str = "17:00"
	title: str | None = None
	duration: str = "30"  # minutes
	ics_url: str | None = None
	buffer_after: int | str | None = None  # minutes free after each meeting; None: the default


@dataclass(frozen=True)
class Made:
	profile: object
	hours: object
	meeting_type: object
	connection: object | None


def set_up(user: str, setup: Setup) -> Made:
	"""``user``'s booking page as ``setup`` says (409 when they have one; 403 for what they
	may not create; 400 with the dialog's field names)."""
	needed = ["Scheduler Profile", "Scheduler Availability", "Scheduler Meeting Type"]
	if setup.ics_url:
		needed.append("Scheduler Calendar Connection")
	for doctype in needed:
		if not frappe.has_permission(doctype, "create"):
			raise frappe.PermissionError(_("You may not create a {0}").format(_(doctype)))
	if frappe.db.exists("Scheduler Profile", {"user": user}):
		raise AlreadySetUp(_("You already have a booking page: open your profile to change it"))
	days = list(WEEKDAYS[:5]) if setup.days is None else setup.days
	if not isinstance(days, list) or not days or any(day not in WEEKDAYS for day in days):
		raise FieldValidationError(_("Invalid input"), {"days": _("Pick at least one weekday")})
	minutes = setup.duration
	profile = _insert(
		{
			"doctype": "Scheduler Profile",
			"user": user,
			"display_name": setup.display_name,
			"slug": setup.slug,
			"timezone": setup.timezone,
		},
		{},
	)
	hours = _insert(
		{
			"doctype": "Scheduler Availability",
			"user": user,
			"title": _("Working Hours"),
			"timezone": profile.timezone,
			"weekly_rules": [
				{"weekday": day, "from_time": setup.from_time, "to_time": setup.to_time}
				for day in WEEKDAYS
				if day in days
			],
		},
		{"weekly_rules": "from_time", "title": "hours_title"},
	)
	standard = minutes in {str(d) for d in STANDARD_DURATIONS}  # the type's own choices
	meeting_type = _insert(
		{
			"doctype": "Scheduler Meeting Type",
			"profile": profile.name,
			"title": setup.title or _("{0}-minute meeting").format(minutes),
			"duration": minutes if standard else "Custom",
			"custom_duration": None if standard else minutes,
			# what the dialog showed and the host chose (the field's default when not sent)
			**({} if setup.buffer_after is None else {"buffer_after": setup.buffer_after}),
		},
		{"title": "title", "slug": "title", "custom_duration": "duration", "buffer_after": "buffer_after"},
	)
	connection = None
	if setup.ics_url:
		connection = _insert(
			{
				"doctype": "Scheduler Calendar Connection",
				"host": user,
				"provider": "ICS",
				"ics_url": setup.ics_url,
			},
			{},
		)
	follow_profile_zone(user, profile.timezone)
	return Made(profile, hours, meeting_type, connection)


def _insert(values: dict, fields: dict[str, str]):
	"""Insert a new document (its controller validates it); its field errors are reported
	under the dialog's names (``fields``: the document's field -> the dialog's)."""
	try:
		return frappe.get_doc(values).insert()
	except FieldValidationError as exc:
		exc.errors = {fields.get(field, field): text for field, text in exc.errors.items()}
		raise
