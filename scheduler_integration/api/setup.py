"""A host's first hour in the desk: the workspace's quick set-up, and the small actions
the forms offer to finish what a step started.

- ``quick_setup`` (POST): a booking page in one go, through the controllers: the profile,
  its working hours (which become the profile's), a first meeting type and, optionally,
  the calendar's secret iCal address, whose first sync is queued at once.
- ``use_hours`` (POST): these hours become the profile's; ``follow_profile_zone`` (POST):
  the host's User zone becomes their profile's (one zone per host, ``core.hosts``).
- ``host_zone``, ``page_status``, ``host_times`` (GET): what the forms show.
- ``provider_setup`` (GET) and ``ask_admins`` (POST): a provider an administrator must set
  up first, and telling them once that a host waits for it (``connections.status``).

Every method checks who may call it first; desk users only.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import frappe
from frappe import _

from scheduler_integration.api import parse
from scheduler_integration.api.dashboard import _desk_user
from scheduler_integration.api.utils import acting_user, api, ok, parse_json
from scheduler_integration.booking.errors import NotConfigured
from scheduler_integration.booking.pages import share_url
from scheduler_integration.connections import status
from scheduler_integration.core import queue
from scheduler_integration.core.answers import Answer, Path, Url
from scheduler_integration.core.hosts import follow_profile_zone as follow_zone
from scheduler_integration.core.hosts import new_hours_timezone
from scheduler_integration.core.limits import per_ip
from scheduler_integration.engine.validation import slugify
from scheduler_integration.reporting import dashboard
from scheduler_integration.scheduler_integration.doctype.scheduler_availability.scheduler_availability import (
	use_as_default,
)
from scheduler_integration.scheduler_integration.doctype.scheduler_profile import booking_page_setup


class SetupDefaults(TypedDict):
	"""What the quick set-up starts with."""

	has_profile: bool
	display_name: str
	slug: str  # a booking link nobody uses yet
	timezone: str


class QuickSetupMade(TypedDict):
	"""What the quick set-up made: the names of the profile, hours, type and feed."""

	profile: str
	slug: str
	timezone: str
	availability: str
	meeting_type: str
	connection: str | None  # the calendar feed, when an iCal address was given
	booking_url: Url


class HostZone(TypedDict):
	"""The zone a host's new working hours start in."""

	timezone: str


class HoursInUse(TypedDict):
	"""The working hours a profile now uses."""

	profile: str
	availability: str


class ZoneFollowed(TypedDict):
	"""The host's User zone after following their profile's."""

	timezone: str
	changed: bool  # False: it was that zone already


class ProviderSetup(TypedDict):
	"""Whether an administrator must set ``provider`` up first, and how (when so)."""

	needed: bool
	text: NotRequired[str]
	route: NotRequired[Path]


class AdminsTold(TypedDict):
	"""How many administrators were told now that a host waits for a provider."""

	needed: bool
	told: int
	admins: int


def _free_slug(text: str) -> str:
	"""``text`` as a booking link nobody uses yet ("ada-lovelace", else "ada-lovelace-2" …)."""
	base = slugify(text) or "me"
	for n in range(1, 50):
		slug = base if n == 1 else f"{base[:56]}-{n}"
		if not frappe.db.exists("Scheduler Profile", {"slug": slug}):
			return slug
	return f"{base[:50]}-{frappe.generate_hash(length=6).lower()}"


@frappe.whitelist(methods=["GET"])
@api
def setup_defaults() -> Answer[SetupDefaults]:
	"""What the quick set-up starts with: the host's name, a free booking link, their zone."""
	_desk_user()
	me = frappe.session.user
	name = frappe.utils.get_fullname(me)
	return ok(
		{
			"has_profile": bool(frappe.db.exists("Scheduler Profile", {"user": me})),
			"display_name": name,
			"slug": _free_slug(name if name != me else me.split("@")[0]),
			"timezone": new_hours_timezone(me),
		}
	)


@frappe.whitelist(methods=["POST"])
@per_ip(10, seconds=600)
@api
def quick_setup(
	display_name: str,
	slug: str,
	timezone: str,
	days=None,
	from_time: str = "09:00",
	to_time: str = "17:00",
	title: str | None = None,
	duration=30,
	ics_url: str | None = None,
	buffer_after=None,
) -> Answer[QuickSetupMade]:
	"""The signed-in host's booking page in one step: profile, working hours on ``days``
	from ``from_time`` to ``to_time``, a first meeting type of ``duration`` minutes and,
	with ``ics_url``, a calendar feed (its first sync queued). 201 with what was made."""
	_desk_user()
	made = booking_page_setup.set_up(
		frappe.session.user,
		booking_page_setup.Setup(
			display_name=display_name,
			slug=slug,
			timezone=timezone,
			days=parse_json(days, "days") if days is not None else None,
			from_time=from_time,
			to_time=to_time,
			title=title,
			duration=str(duration).strip(),
			buffer_after=None if buffer_after in (None, "") else buffer_after,  # the type checks it
			ics_url=ics_url,
		),
	)
	if made.connection:
		# its first sync now, not at the next quarter hour: the checklist follows it
		queue.enqueue(
			"scheduler_integration.jobs.calendar.refresh_connection",
			queue="short",
			connection=made.connection.name,
			job_id=f"scheduler-busy-{made.connection.name}",
			deduplicate=True,
			enqueue_after_commit=True,
		)
	return ok(
		{
			"profile": made.profile.name,
			"slug": made.profile.slug,
			"timezone": made.profile.timezone,
			"availability": made.hours.name,
			"meeting_type": made.meeting_type.name,
			"connection": made.connection.name if made.connection else None,
			# its only type's page: the guest starts at the times (booking.pages.share_url)
			"booking_url": share_url(made.profile),
		},
		_("Your booking page is ready"),
		201,
	)


@frappe.whitelist(methods=["GET"])
@api
def host_zone(user: str | None = None) -> Answer[HostZone]:
	"""The zone new working hours of ``user`` (you) start in: their profile's."""
	_desk_user()
	return ok({"timezone": new_hours_timezone(acting_user(user))})


@frappe.whitelist(methods=["POST"])
@api
def use_hours(availability: str) -> Answer[HoursInUse]:
	"""Make ``availability`` its owner's profile's working hours."""
	_desk_user()
	if not isinstance(availability, str) or not frappe.db.exists("Scheduler Availability", availability):
		raise frappe.DoesNotExistError(_("These working hours do not exist"))
	owner = frappe.db.get_value("Scheduler Availability", availability, "user")
	acting_user(owner)
	profile = frappe.db.get_value("Scheduler Profile", {"user": owner}, "name")
	if not profile:
		raise NotConfigured(_("Create your booking profile first"))
	if not frappe.has_permission("Scheduler Profile", "write", doc=profile):
		raise frappe.PermissionError(_("You may not change this profile"))
	use_as_default(profile, availability)
	return ok({"profile": profile, "availability": availability}, _("Your booking page now uses these hours"))


@frappe.whitelist(methods=["POST"])
@api
def follow_profile_zone(user: str | None = None) -> Answer[ZoneFollowed]:
	"""Set your (a Scheduler Manager: ``user``'s) User time zone to your profile's."""
	_desk_user()
	user = acting_user(user)
	profile = frappe.db.get_value("Scheduler Profile", {"user": user}, ["name", "timezone"], as_dict=True)
	if not profile:
		raise NotConfigured(_("Create your booking profile first"))
	if not frappe.has_permission("Scheduler Profile", "write", doc=profile.name):
		raise frappe.PermissionError(_("You may not change this profile"))
	return ok({"timezone": profile.timezone, "changed": follow_zone(user, profile.timezone)})


@frappe.whitelist(methods=["GET"])
@api
def page_status(profile: str) -> Answer[dashboard.PageStatus]:
	"""Why the page of ``profile`` offers no times (the profile form's warning)."""
	_desk_user()
	if not isinstance(profile, str) or not frappe.db.exists("Scheduler Profile", profile):
		raise frappe.DoesNotExistError(_("This profile does not exist"))
	if not frappe.has_permission("Scheduler Profile", "read", doc=profile):
		raise frappe.PermissionError(_("Not permitted"))
	return ok(dashboard.page_status(profile))


@frappe.whitelist(methods=["GET"])
@api
def host_times(doctype: str, name: str) -> Answer[dashboard.HostTimes]:
	"""A booking's or series' times on its host's clock, with the zone's name."""
	_desk_user()
	doctype = parse.timed_doctype(doctype)
	if not isinstance(name, str) or not frappe.db.exists(doctype, name):
		raise frappe.DoesNotExistError(_("Not found"))
	if not frappe.has_permission(doctype, "read", doc=name):
		raise frappe.PermissionError(_("Not permitted"))
	return ok(dashboard.host_times(doctype, name))


@frappe.whitelist(methods=["GET"])
@api
def provider_setup(provider: str) -> Answer[ProviderSetup]:
	"""What an administrator must set up before ``provider`` can be connected, if anything."""
	_desk_user()
	needed = status.admin_setup_needed(provider if isinstance(provider, str) else "")
	return ok({"needed": bool(needed), **(needed or {})})


@frappe.whitelist(methods=["POST"])
@per_ip(30, seconds=600)
@api
def ask_admins(provider: str) -> Answer[AdminsTold]:
	"""Tell the administrators, once, that you wait for ``provider`` to be set up."""
	_desk_user()
	if not frappe.has_permission("Scheduler Calendar Connection", "create"):
		raise frappe.PermissionError(_("You may not connect calendars"))
	provider = provider if isinstance(provider, str) else ""
	needed = status.admin_setup_needed(provider)
	told = status.tell_admins(frappe.session.user, provider) if needed else 0
	return ok({"needed": bool(needed), "told": told, "admins": len(status.administrators())})
